import * as path from 'path';
import { ApiObject, App, AppProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Doctor, DoctorOptions, DoctorReport, attachDoctor } from '../../constructs/doctor';
import { SparkPlatformError, show } from '../../constructs/errors';
import { RenderedJobTemplate, isJobTemplate, renderJobTemplate } from '../../constructs/jobs/template-mode';
import { SecretRef, collectSecretRefs, declaredSecretRefs } from '../../constructs/secret-refs';
import { DeferredChildren } from '../../constructs/deferred';
import { EXTERNAL_CRDS, ManifestIssue, ManifestValidationError, ManifestValidator } from '../../constructs/validation';
import { crdInfo } from '../../constructs/validation/crd-schemas';
import { isBuiltinKind } from '../../constructs/validation/known-fields';
import { KubeObject, PlannedChart, RenderedChart, SOURCE_ANNOTATION, SYNC_WAVE_ANNOTATION, kustomization, PreparedCharts, prepareCharts, toYaml } from './output';
import { timed } from './timings';
import { StagedTree } from './write';

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
 * {@link streamApp} runs the same checks one object at a time.
 */
export function renderApp(app: App, options: RenderAppOptions = {}): RenderedApp {
  const collected = new ChartCollector();
  const { files: _files, objectCount: _count, ...streamed } = streamApp(app, options, collected);
  return { ...streamed, charts: collected.charts, objects: collected.charts.flatMap((c) => c.objects) };
}

/** Where {@link streamApp} hands the app over: each chart as it begins, then its objects in file order. */
export interface AppSink {
  /** A chart begins (its file, wave and dependencies); its objects follow. */
  chart?(chart: PlannedChart): void;
  /** One object of the chart that began last, rendered, annotated and schema-checked (issues are thrown after the last chart). */
  object(chart: PlannedChart, object: KubeObject): void;
}

/** What {@link streamApp} returns once every chart has gone through: all but the objects. */
export interface StreamedApp {
  /** The charts' files, in apply order. */
  readonly files: readonly string[];
  /** How many objects the charts hold. */
  readonly objectCount: number;
  /** SparkJob templates (see {@link RenderedApp.templates}). */
  readonly templates: readonly RenderedJobTemplate[];
  /** The Secrets the objects read by name without emitting them. */
  readonly secretRefs: readonly SecretRef[];
  /** The doctor's report: warnings and suppressed findings (an error fails the render). */
  readonly doctor: DoctorReport;
}

/**
 * The checks of {@link renderApp}, with the objects handed to `sink` one at a time, chart by
 * chart in apply order, each as soon as it is rendered and schema-checked, and then forgotten: a
 * writer that appends each object to its chart's file never holds the app's objects or YAML. The
 * doctor and the custom-kind check run before the first object; the schema issues of every object
 * are collected and thrown together after the last one (a ManifestValidationError, as renderApp
 * throws), so a caller writing files must discard them when this throws (see StagedTree).
 */
export function streamApp(app: App, options: RenderAppOptions, sink: AppSink): StreamedApp {
  const existing = Doctor.of(app);
  if (existing && options.doctor && !ATTACHED_HERE.has(app)) {
    throw new SparkPlatformError('doctor', 'the app has a doctor already (buildPlatform attaches one from the environment\'s `doctor`), so these options would be ignored', 'set the options in one place: the environment\'s `doctor`, or attachDoctor before building');
  }
  const doctor = existing ?? attachDoctor(app, options.doctor ?? {});
  ATTACHED_HERE.add(app);
  // Run first on its own (for the timings): the validation during rendering reuses the report.
  // Anew for each synth: a report cached before it may miss changes no construct records.
  // A tree with deferred children (a platform's jobs, one tenant at a time) is judged batch by
  // batch as prepareCharts builds them, before the rest is prepared; what the batches declare is
  // kept as they go (their Secret reads).
  doctor.invalidate();
  const judgement = timed('doctorMs', () => doctor.beginDeferred());
  let report = judgement ? undefined : timed('doctorMs', () => doctor.report());
  const prefix = options.name ? `${options.name}/` : '';
  const deferred = DeferredChildren.under(app);
  const deferredRefs: SecretRef[] = [];
  // (prepareCharts times its own phases: it builds, judges and renders deferred children)
  const prepared = prepareCharts(app, {
    ...(options.sourceAnnotation ?? true ? { source: (o: ApiObject) => `${prefix}${o.node.path}` } : {}),
    deferred: {
      judge: judgement ? (batch, built) => timed('doctorMs', () => judgement.judge(batch, built)) : undefined,
      built: (built) => deferredRefs.push(...declaredSecretRefs(built.flatMap((c) => c.node.findAll()))),
      finish: () => {
        if (judgement) report = timed('doctorMs', () => judgement.finish().report);
      },
    },
  });
  try {
    return streamPrepared(app, options, sink, prepared, () => ({
      secretRefs: collectSecretRefs(app, deferred ? { at: deferred.chart, refs: deferredRefs } : undefined),
      doctor: report!,
    }));
  } finally {
    prepared.dispose();
  }
}

/** The rest of {@link streamApp}, once the app is prepared. */
function streamPrepared(app: App, options: RenderAppOptions, sink: AppSink, prepared: PreparedCharts, done: () => Pick<StreamedApp, 'secretRefs' | 'doctor'>): StreamedApp {
  const deferred = DeferredChildren.under(app);
  // manifest(): the wire form (cdk8s' props spell some fields differently, e.g. openApiv3Schema)
  const installed = (options.installedCrds ?? []).map((def) => k8s.KubeCustomResourceDefinition.manifest(def));
  // Before any object: every custom kind has its CRD, and the app's CRDs check the custom
  // resources of every chart (as validateAll registers the CRDs of its set first).
  const { appCrds, checkKind } = timed('schemaMs', () => {
    const plain = prepared.charts.map((c) => ({ chart: c.chart, wave: c.wave, objects: prepared.plain(c) }));
    const check = customKinds(plain, installed);
    for (const chart of plain) chart.objects.forEach((o) => check(chart, o));
    return { appCrds: plain.flatMap((c) => c.objects.filter((o) => crdInfo(o) !== undefined)), checkKind: check };
  });
  const validator = new ManifestValidator({ crds: [...installed, ...appCrds] });
  const issues: ManifestIssue[] = [];
  const templates = new TemplateFiles();
  let objectCount = 0;
  for (const planned of prepared.charts) {
    sink.chart?.(planned);
    const isDeferred = deferred !== undefined && planned.chart === deferred.chart.node.id;
    prepared.each(planned, (o) => {
      if (isDeferred) checkKind(planned, o);
      if (isJobTemplate(o)) {
        templates.add(o);
        return;
      }
      timed('schemaMs', () => issues.push(...validator.validate(o, objectCount++)));
      sink.object(planned, o);
    });
  }
  // A template is checked as the orchestrator submits it: the file, rendered with its defaults.
  timed('schemaMs', () => templates.list.forEach((t, i) => issues.push(...validator.validate(t.withDefaults, objectCount + i))));
  if (issues.length > 0) throw new ManifestValidationError(issues);
  return { files: prepared.charts.map((c) => c.file), objectCount, templates: templates.list, ...done() };
}

/** An AppSink that keeps every chart with its objects (renderApp, render()). */
class ChartCollector implements AppSink {
  public readonly charts: RenderedChart[] = [];
  private objects: KubeObject[] = [];

  public chart(chart: PlannedChart): void {
    this.objects = [];
    this.charts.push({ ...chart, objects: this.objects });
  }

  public object(_chart: PlannedChart, object: KubeObject): void {
    this.objects.push(object);
  }
}

/**
 * SparkJob templates (objects marked by `SparkJobProps.template`), taken out of the charts: each
 * is rendered as its file (`templates/<namespace>-<name>.yaml`), without the sync wave (no one
 * applies it).
 */
class TemplateFiles {
  public readonly list: RenderedJobTemplate[] = [];
  private readonly files = new Map<string, string>();

  public add(o: KubeObject): void {
    const { [SYNC_WAVE_ANNOTATION]: _wave, ...annotations } = o.metadata.annotations ?? {};
    const t = renderJobTemplate({ ...o, metadata: { ...o.metadata, annotations } });
    const clash = this.files.get(t.file);
    if (clash !== undefined) {
      throw new SparkPlatformError('templates', `${t.namespace}/${t.name} and ${clash} both write ${t.file}`, 'rename one of the two template jobs');
    }
    this.files.set(t.file, `${t.namespace}/${t.name}`);
    this.list.push(t);
  }
}

/** Apps whose doctor renderApp attached (rendering twice is not configuring twice). */
const ATTACHED_HERE = new WeakSet<App>();

/**
 * Every custom resource needs its kind defined: by a CRD in a chart applied no later than its own
 * (same chart: CRDs go first in the file), by `installedCrds`, or by the external projects the
 * platform knows (cert-manager, Sealed Secrets, External Secrets: installed with those projects).
 * Returns the check of one object of one of the charts (throws when its kind is not defined).
 */
function customKinds(charts: ReadonlyArray<Pick<RenderedChart, 'chart' | 'wave' | 'objects'>>, installed: readonly unknown[]): (chart: Pick<RenderedChart, 'chart' | 'wave'>, o: KubeObject) => void {
  const definedIn = new Map<string, Pick<RenderedChart, 'chart' | 'wave'>>();
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
  return (chart, o) => {
    if (isBuiltinKind(o.apiVersion, o.kind)) return;
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
  };
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
    this.checkName();
    return renderApp(this, this.options);
  }

  /** Renders and checks the app in memory (nothing is written); throws the first input error. */
  public render(): RenderedPlatformApp {
    const files = new Map<string, string>();
    const collected = new ChartCollector();
    const { files: _files, objectCount: _count, ...streamed } = this.stream((file, chunk) => files.set(file, (files.get(file) ?? '') + chunk), collected);
    return { ...streamed, charts: collected.charts, objects: collected.charts.flatMap((c) => c.objects), name: this.name, files };
  }

  /**
   * Renders and checks the app one object at a time ({@link streamApp}), handing the files over
   * as they are made: `write(file, chunk)` is called once with an empty chunk when a file begins,
   * then with each further piece of it (one YAML document per object), the files one after the
   * other (the charts in apply order, then `kustomization.yaml` and the templates). Neither the
   * objects nor the YAML of the whole app are held at once. Throws the first input error,
   * possibly after some files were handed over: write them somewhere to be discarded on failure
   * (synth() uses a StagedTree). `observe` sees each chart and object too.
   */
  public stream(write: (file: string, chunk: string) => void, observe?: AppSink): StreamedApp {
    this.checkName();
    let first = false;
    const streamed = streamApp(this, this.options, {
      chart: (chart) => {
        observe?.chart?.(chart);
        first = true;
        timed('writeMs', () => write(chart.file, ''));
      },
      object: (chart, o) => {
        observe?.object(chart, o);
        const yaml = timed('yamlMs', () => toYaml([o]));
        timed('writeMs', () => write(chart.file, first ? yaml : `---\n${yaml}`));
        first = false;
      },
    });
    timed('writeMs', () => {
      write('kustomization.yaml', kustomization(streamed.files));
      for (const t of streamed.templates) write(t.file, t.yaml);
    });
    return streamed;
  }

  /**
   * Renders, checks, and replaces `<outdir>/<name>/` with the result (see the class comment),
   * writing each chart's file as it is made into a staging directory that is swapped in whole
   * after the last check, or removed when one fails.
   */
  public override synth(): void {
    const tree = new StagedTree(this.name ? path.join(this.outdir, this.name) : this.outdir);
    try {
      this.stream((file, chunk) => tree.append(file, chunk));
    } catch (e) {
      tree.abort();
      throw e;
    }
    tree.commit();
  }

  // Checked here rather than in the constructor, so a configuration's own check of the name
  // (buildPlatform's, naming the environment file) comes first.
  private checkName(): void {
    if (this.name !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.name)) {
      throw new SparkPlatformError('SparkPlatformApp name', `${show(this.name)} is not a DNS label`, 'use lower-case letters, digits and "-": it names a directory and prefixes annotations');
    }
  }

  /** Every object as one multi-document YAML, in apply order, after the same checks as `synth()`. */
  public override synthYaml(): string {
    return toYaml(this.render().objects);
  }
}
