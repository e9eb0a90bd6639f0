import * as path from 'path';
import { App, AppProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Doctor, DoctorOptions, DoctorReport, attachDoctor } from '../../constructs/doctor';
import { SparkPlatformError, show } from '../../constructs/errors';
import { RenderedJobTemplate, isJobTemplate, renderJobTemplate } from '../../constructs/jobs/template-mode';
import { SecretRef, collectSecretRefs } from '../../constructs/secret-refs';
import { EXTERNAL_CRDS, assertValidManifests } from '../../constructs/validation';
import { crdInfo } from '../../constructs/validation/crd-schemas';
import { isBuiltinKind } from '../../constructs/validation/known-fields';
import { KubeObject, RenderedChart, SOURCE_ANNOTATION, SYNC_WAVE_ANNOTATION, kustomization, renderCharts, toYaml } from './output';
import { timed } from './timings';
import { writeTreeAtomically } from './write';

/** A CustomResourceDefinition as cdk8s' `KubeCustomResourceDefinition` takes it (e.g. `sparkApplicationCrd()`). */
export type CrdDefinition = k8s.KubeCustomResourceDefinitionProps;

/** Options of {@link renderApp}, shared by SparkPlatformApp and the Pulumi component. */
export interface RenderAppOptions {
  /**
   * The prefix of each object's source annotation, e.g. the environment's name.
   * @default - the construct path alone
   */
  readonly name?: string;
  /**
   * Annotate every object with the construct path that made it ({@link SOURCE_ANNOTATION}),
   * e.g. `dev/jobs/analytics-spark-pi/Application`, so a reviewer of a GitOps diff finds the code.
   * @default true
   */
  readonly sourceAnnotation?: boolean;
  /**
   * The doctor's options, when the app has no doctor attached yet (an app built by
   * `buildPlatform` has one, configured by the environment's `doctor`). The doctor always runs:
   * accept a finding with a suppression and its reason, not by turning the doctor off.
   * @default - the doctor's defaults
   */
  readonly doctor?: DoctorOptions;
  /**
   * CRDs the cluster already has, installed by something else (the operator's Helm chart, another
   * app): custom resources of these kinds are checked against them and need no CRD in the app.
   * E.g. `[sparkApplicationCrd()]` when the Kubeflow operator's chart installed its CRDs.
   * @default - none: every custom kind in use needs its CRD in a chart of the app
   */
  readonly installedCrds?: readonly CrdDefinition[];
}

/** An app rendered and checked in memory: nothing is written. */
export interface RenderedApp {
  /** Its charts as files, in apply order. */
  readonly charts: readonly RenderedChart[];
  /** Every object, in apply order. */
  readonly objects: readonly KubeObject[];
  /**
   * SparkJob templates (`SparkJobProps.template`): files for an orchestrator, in none of the
   * charts, so neither the kustomization nor Pulumi applies them.
   */
  readonly templates: readonly RenderedJobTemplate[];
  /** The Secrets the objects read by name without emitting them (Pulumi creates them from stack secrets). */
  readonly secretRefs: readonly SecretRef[];
  /** The doctor's report: warnings and suppressed findings (an error fails the render). */
  readonly doctor: DoctorReport;
}

/**
 * Renders a cdk8s app with the platform's safety net, in memory: the doctor (attached when the
 * app has none), every cdk8s validation, the check that every custom kind in use has its CRD
 * applied no later than itself (or installed, `installedCrds`), and the Kubernetes and CRD schema
 * check of every object. Charts come in apply order ({@link renderCharts}). Throws the first
 * input error: a `SparkPlatformError`, a `ManifestValidationError`, or cdk8s' validation error.
 */
export function renderApp(app: App, options: RenderAppOptions = {}): RenderedApp {
  const existing = Doctor.of(app);
  if (existing && options.doctor && !ATTACHED_HERE.has(app)) {
    throw new SparkPlatformError('doctor', 'the app has a doctor already (buildPlatform attaches one from the environment\'s `doctor`), so these options would be ignored', 'set the options in one place: the environment\'s `doctor`, or attachDoctor before building');
  }
  const doctor = existing ?? attachDoctor(app, options.doctor ?? {});
  ATTACHED_HERE.add(app);
  // Run first on its own (for the timings): the validation during rendering reuses the report.
  const report = timed('doctorMs', () => doctor.report());
  const prefix = options.name ? `${options.name}/` : '';
  const rendered = timed('renderMs', () => renderCharts(app, options.sourceAnnotation ?? true ? { source: (o) => `${prefix}${o.node.path}` } : {}));
  const { charts, templates } = splitTemplates(rendered);
  // manifest(): the wire form (cdk8s' props spell some fields differently, e.g. openApiv3Schema)
  const installed = (options.installedCrds ?? []).map((def) => k8s.KubeCustomResourceDefinition.manifest(def));
  const objects = charts.flatMap((c) => c.objects);
  timed('schemaMs', () => {
    checkCustomKinds(rendered, installed);
    // A template is checked as the orchestrator submits it: the file, rendered with its defaults.
    assertValidManifests([...objects, ...templates.map((t) => t.withDefaults)], { crds: installed });
  });
  return { charts, objects, templates, secretRefs: collectSecretRefs(app), doctor: report };
}

/**
 * Takes SparkJob templates (objects marked by `SparkJobProps.template`) out of the charts and
 * renders each as its file (`templates/<namespace>-<name>.yaml`), without the sync wave: no one
 * applies it.
 */
function splitTemplates(rendered: readonly RenderedChart[]): { charts: RenderedChart[]; templates: RenderedJobTemplate[] } {
  const templates: RenderedJobTemplate[] = [];
  const files = new Map<string, string>();
  const charts = rendered.map((chart) => {
    if (!chart.objects.some(isJobTemplate)) return chart;
    for (const o of chart.objects.filter(isJobTemplate)) {
      const { [SYNC_WAVE_ANNOTATION]: _wave, ...annotations } = o.metadata.annotations ?? {};
      const t = renderJobTemplate({ ...o, metadata: { ...o.metadata, annotations } });
      const clash = files.get(t.file);
      if (clash !== undefined) {
        throw new SparkPlatformError('templates', `${t.namespace}/${t.name} and ${clash} both write ${t.file}`, 'rename one of the two template jobs');
      }
      files.set(t.file, `${t.namespace}/${t.name}`);
      templates.push(t);
    }
    return { ...chart, objects: chart.objects.filter((o) => !isJobTemplate(o)) };
  });
  return { charts, templates };
}

/** Apps whose doctor renderApp attached (rendering twice is not configuring twice). */
const ATTACHED_HERE = new WeakSet<App>();

/**
 * Every custom resource needs its kind defined: by a CRD in a chart applied no later than its own
 * (same chart: CRDs go first in the file), by `installedCrds`, or by the external projects the
 * platform knows (cert-manager, Sealed Secrets, External Secrets: installed with those projects).
 */
function checkCustomKinds(charts: readonly RenderedChart[], installed: readonly unknown[]): void {
  const definedIn = new Map<string, RenderedChart>();
  for (const chart of charts) {
    for (const o of chart.objects) {
      const info = crdInfo(o);
      if (info && !definedIn.has(`${info.group}/${info.kind}`)) definedIn.set(`${info.group}/${info.kind}`, chart);
    }
  }
  const known = new Set([...EXTERNAL_CRDS, ...installed].flatMap((o) => {
    const info = crdInfo(o);
    return info ? [`${info.group}/${info.kind}`] : [];
  }));
  for (const chart of charts) {
    for (const o of chart.objects) {
      if (isBuiltinKind(o.apiVersion, o.kind)) continue;
      const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
      const key = `${group}/${o.kind}`;
      const what = `${o.apiVersion} ${o.kind} ${show(o.metadata.name)} (chart ${show(chart.chart)})`;
      const crdChart = definedIn.get(key);
      if (crdChart && crdChart.wave > chart.wave) {
        throw new SparkPlatformError('charts', `${what} is applied before the chart ${show(crdChart.chart)} that defines its kind`, `deployAfter(${chart.chart}Chart, ${crdChart.chart}Chart) (from spark-platform/gitops), so the CRD is applied first`);
      }
      if (!crdChart && !known.has(key)) {
        throw new SparkPlatformError('charts', `${what} has no CustomResourceDefinition: no chart of the app defines ${key}`, group === 'sparkoperator.k8s.io'
          ? 'add `new SparkOperatorCrds(crdsChart, "crds")` in a chart the others deploy after, or pass installedCrds (e.g. [sparkApplicationCrd()]) when the operator\'s own chart installed them'
          : `add its CRD to a chart the others deploy after, or pass it in installedCrds when the cluster has it already`);
      }
    }
  }
}

/** Props of a SparkPlatformApp. */
export interface SparkPlatformAppProps extends RenderAppOptions, Pick<AppProps, 'outdir'> {
  /**
   * The environment's name: `synth()` writes `<outdir>/<name>/`, and it prefixes the source
   * annotations.
   * @default - no subdirectory: synth() writes `<outdir>/` itself, annotations are construct paths
   */
  readonly name?: string;
}

/** An app rendered to GitOps files: `render()`'s result. */
export interface RenderedPlatformApp extends RenderedApp {
  /** The app's name (the subdirectory of its files), if any. */
  readonly name?: string;
  /**
   * File path (relative to the app's directory) → content: one file per chart, `kustomization.yaml`
   * (listing the chart files), and one `templates/<namespace>-<name>.yaml` per SparkJob template.
   */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * A cdk8s App with the platform's safety net: `synth()` runs the doctor and every validation
 * (see {@link renderApp}), then writes the GitOps layout (one ordered file per chart with Argo CD
 * sync waves, and a kustomization listing them) by swapping `<outdir>/<name>/` whole, so a failing
 * synth leaves the previous output as it was. `npm run synth` (main.ts) builds each environment
 * on one.
 */
export class SparkPlatformApp extends App {
  /** The app's name: its subdirectory of `outdir` and the prefix of the source annotations. */
  public readonly name?: string;
  private readonly options: RenderAppOptions;

  constructor(props: SparkPlatformAppProps = {}) {
    super({ outdir: props.outdir });
    this.name = props.name;
    this.options = { ...props, name: props.name };
  }

  /**
   * Renders and checks the app in memory, as `render()` does, without making the files: the
   * objects, the doctor's report and the Secrets read (what the Pulumi component takes).
   * Throws the first input error.
   */
  public check(): RenderedApp {
    // Checked here rather than in the constructor, so a configuration's own check of the name
    // (buildPlatform's, naming the environment file) comes first.
    if (this.name !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.name)) {
      throw new SparkPlatformError('SparkPlatformApp name', `${show(this.name)} is not a DNS label`, 'use lower-case letters, digits and "-": it names a directory and prefixes annotations');
    }
    return renderApp(this, this.options);
  }

  /** Renders and checks the app in memory (nothing is written); throws the first input error. */
  public render(): RenderedPlatformApp {
    const rendered = this.check();
    const files = new Map<string, string>();
    timed('yamlMs', () => {
      for (const c of rendered.charts) files.set(c.file, toYaml(c.objects));
    });
    files.set('kustomization.yaml', kustomization(rendered.charts.map((c) => c.file)));
    for (const t of rendered.templates) files.set(t.file, t.yaml);
    return { ...rendered, name: this.name, files };
  }

  /** Renders, checks, and replaces `<outdir>/<name>/` with the result (see the class comment). */
  public override synth(): void {
    const { files } = this.render();
    writeTreeAtomically(files, this.name ? path.join(this.outdir, this.name) : this.outdir);
  }

  /** Every object as one multi-document YAML, in apply order, after the same checks as `synth()`. */
  public override synthYaml(): string {
    return toYaml(this.render().objects);
  }
}
