import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as YAML from 'yaml';
import { Doctor } from '../../constructs/doctor';
import { DeferredBatch, DeferredChildren } from '../../constructs/deferred';
import { ObjectSpill } from './spill';
import { timed } from './timings';
import { publishRenderedJson, treeState, withdrawRenderedJson } from '../../constructs/tree-version';
import { stringifyYaml } from './yaml-writer';

/** A Kubernetes object as synthesized (plain JSON). */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly annotations?: Record<string, string>; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** One chart's objects, in apply order, with the file they go to. */
export interface RenderedChart {
  /** The chart's construct id, e.g. `tenants`. */
  readonly chart: string;
  /** The file name inside `dist/<env>/`, e.g. `00-tenants.yaml`. */
  readonly file: string;
  /** The Argo CD sync wave of every object in the file. */
  readonly wave: number;
  /** The construct ids of the charts it is applied after ({@link chartDependencies}). */
  readonly dependsOn: readonly string[];
  /** The objects, ordered by kind (see KIND_ORDER). */
  readonly objects: readonly KubeObject[];
}

/** Argo CD's annotation that orders a sync. @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/ */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * Apply order of kinds inside one file: CRDs and Namespaces first, then what configures a
 * namespace, identities and RBAC, configuration, workloads, and custom resources last. It follows
 * the install order Helm and Argo CD use inside a wave, so the file order and Argo CD's own
 * ordering agree.
 */
export const KIND_ORDER: readonly string[] = [
  'CustomResourceDefinition',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PriorityClass',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'StorageClass',
  'PersistentVolumeClaim',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'PodDisruptionBudget',
  'Deployment',
  'StatefulSet',
  'Job',
  'CronJob',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i; // custom resources go last
}

/**
 * The app's charts as files, in dependency order (a chart comes after the charts it depends
 * on), each object annotated with its file's sync wave so Argo CD applies in the same order.
 * All at once: {@link prepareCharts} renders them one at a time.
 */
export function renderCharts(app: App, options: RenderChartsOptions = {}): RenderedChart[] {
  const prepared = prepareCharts(app, options);
  try {
    return prepared.charts.map((chart) => prepared.render(chart));
  } finally {
    prepared.dispose();
  }
}

/** Options of renderCharts. */
export interface RenderChartsOptions {
  /** The source annotation of an object (e.g. its construct path), or undefined for none. @default - none */
  readonly source?: (object: ApiObject) => string | undefined;
  /**
   * Deferred children of a chart ({@link DeferredChildren}): each batch is built, handed to
   * `judge` (the doctor's DeferredJudgement, which returns the JSON it rendered, reused here),
   * then to `built`, and released; `finish` is called once every batch went through, before the
   * app is prepared (the doctor's report is then complete, as the validations expect).
   * @default - the batches are rendered without a judge
   */
  readonly deferred?: {
    readonly judge?: (batch: DeferredBatch, built: readonly IConstruct[]) => ReadonlyMap<IConstruct, unknown>;
    readonly built?: (built: readonly IConstruct[]) => void;
    readonly finish?: () => void;
  };
}

/** A chart of a prepared app: where it goes, before its objects are rendered. */
export interface PlannedChart {
  /** The chart's construct id, e.g. `tenants`. */
  readonly chart: string;
  /** The file name inside `dist/<env>/`, e.g. `00-tenants.yaml`. */
  readonly file: string;
  /** The Argo CD sync wave of every object in the file. */
  readonly wave: number;
  /** The construct ids of the charts it is applied after ({@link chartDependencies}). */
  readonly dependsOn: readonly string[];
}

/** An app prepared for rendering ({@link prepareCharts}): its charts in apply order, rendered on demand. */
export interface PreparedCharts {
  /** The charts, in apply order. */
  readonly charts: readonly PlannedChart[];
  /** A chart's objects as cdk8s renders them, in its dependency order, without the platform's annotations. */
  plain(chart: PlannedChart): readonly KubeObject[];
  /**
   * Hands over a chart's objects one at a time, as they go to its file: ordered by kind, with
   * the source and sync-wave annotations. Each object's JSON is forgotten once handed over (the
   * doctor's copy too), so memory goes object by object; rendering a chart again renders anew.
   */
  each(chart: PlannedChart, fn: (object: KubeObject) => void): void;
  /** A chart's objects as they go to its file, all at once (see `each`). */
  render(chart: PlannedChart): RenderedChart;
  /** Removes what the deferred children's objects were kept in (a spill file), if not yet. */
  dispose(): void;
}

/**
 * Prepares the app once and plans its charts, so they can be rendered, checked and written one at
 * a time. cdk8s' `chart.toJson()` prepares the whole app on every call (infers cross-chart
 * dependencies and runs every construct validation, the doctor included) and `app.charts` sorts
 * the graph of every construct: per chart, that is the app's cost times the number of charts.
 * So the app is prepared once (the first chart's `toJson()`), the charts are then only rendered,
 * the same way cdk8s renders them (reusing the JSON the doctor rendered when it is current), and
 * ordered from their own dependencies.
 */
export function prepareCharts(app: App, options: RenderChartsOptions = {}): PreparedCharts {
  const created = app.node.children.filter((c): c is Chart => Chart.isChart(c));
  // Deferred children first: what their batches add to the rest (a namespace's NetworkPolicy) is
  // then there when the rest is prepared, judged and rendered.
  const deferred = DeferredChildren.under(app);
  const spilled = deferred ? spillDeferred(app, deferred, (c, o) => withSource(o, options.source?.(c)), options) : undefined;
  try {
    if (created.length > 0) timed('renderMs', () => prepareApp(app, created[0]));
    return timed('renderMs', () => planCharts(app, created, options, deferred && spilled ? { chart: deferred.chart, spilled } : undefined));
  } catch (e) {
    spilled?.dispose();
    throw e;
  }
}

/** cdk8s' preparation of the app, once (see {@link prepareCharts}). */
function prepareApp(app: App, first: Chart): void {
  // The doctor rendered every object just before: the validations of this render (e.g. the
  // operator's webhook-field check) read that JSON instead of rendering again, for this call only.
  const doctorJson = Doctor.of(app)?.renderedJson();
  if (doctorJson) publishRenderedJson(app, treeState(app), () => doctorJson);
  try {
    first.toJson(); // prepares the app: inferred dependencies, every validation
  } finally {
    withdrawRenderedJson(app);
  }
}

/** The charts of a prepared app in apply order, rendered on demand (see {@link prepareCharts}). */
function planCharts(app: App, created: readonly Chart[], options: RenderChartsOptions, deferred?: { chart: IConstruct; spilled: ObjectSpill<KubeObject> }): PreparedCharts {
  const ordered = chartOrder(created);
  const width = Math.max(2, String(ordered.length - 1).length);
  const byPlan = new Map<PlannedChart, Chart>();
  const charts = ordered.map((chart, wave): PlannedChart => {
    const dependsOn = chartDependencies(chart).filter((c) => created.includes(c)).map((c) => c.node.id);
    const planned = { chart: chart.node.id, file: `${String(wave).padStart(width, '0')}-${chart.node.id}.yaml`, wave, dependsOn };
    byPlan.set(planned, chart);
    return planned;
  });
  // Read after preparing: a validation that changed the tree makes the doctor's JSON stale. Taken
  // over from the doctor (which then keeps only its report), so each object's JSON is garbage as
  // soon as it is handed over.
  const doctor = Doctor.of(app);
  const pending = new Map<IConstruct, unknown>(doctor?.renderedJson() ?? []);
  doctor?.releaseRenderedJson();
  // A chart's objects in cdk8s' dependency order, sorted once per chart (the custom-kind pass
  // and the writing both need them; the tree does not change in between).
  const sorted = new Map<PlannedChart, ApiObject[]>();
  const objectsOf = (planned: PlannedChart): ApiObject[] => {
    let objects = sorted.get(planned);
    if (!objects) {
      const chart = byPlan.get(planned)!;
      objects = new DependencyGraph(chart.node).topology().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
      sorted.set(planned, objects);
    }
    return objects;
  };
  // (an object the doctor did not render is rendered here, and kept until handed over)
  const json = (c: ApiObject): KubeObject => {
    const done = pending.get(c) as KubeObject | undefined;
    if (done) return done;
    const o = c.toJson() as KubeObject;
    pending.set(c, o);
    return o;
  };
  const each = (planned: PlannedChart, fn: (object: KubeObject) => void): void => {
    if (deferred && byPlan.get(planned) === deferred.chart) {
      for (const o of deferred.spilled.values()) fn(withWave(o, planned.wave));
      return;
    }
    // Ordered by the constructs' kinds, so no object is rendered before its turn. Stable: keeps
    // cdk8s' dependency order within a kind.
    const byKind = objectsOf(planned)
      .map((construct, i) => ({ construct, i }))
      .sort((a, b) => kindRank(a.construct.kind) - kindRank(b.construct.kind) || a.i - b.i);
    for (const { construct } of byKind) {
      const o = json(construct);
      checkKind(construct, o);
      fn(withAnnotations(o, options.source?.(construct), planned.wave));
      pending.delete(construct);
    }
  };
  return {
    charts,
    plain: (planned) => objectsOf(planned).map(json),
    each,
    render: (planned) => {
      const objects: KubeObject[] = [];
      each(planned, (o) => objects.push(o));
      return { ...planned, objects };
    },
    dispose: () => deferred?.spilled.dispose(),
  };
}

/**
 * A chart whose children are deferred: each batch built, judged, rendered, checked by every
 * construct validation (with the batch in the tree; the doctor's excepted, it judges the batches
 * itself), kept on disk by kind and released. Then the judgement is finished, and the validations'
 * errors are thrown as cdk8s words them, in its order: each construct's where it is in the tree,
 * the batches' constructs' where their chart is. The objects come out of the spill ordered by
 * kind, in the order the chart would have if built at once (within a kind, the batches' objects
 * one after the other).
 */
function spillDeferred(app: App, deferred: DeferredChildren, finish: (c: ApiObject, o: KubeObject) => KubeObject, options: RenderChartsOptions): ObjectSpill<KubeObject> {
  const spill = new ObjectSpill<KubeObject>();
  try {
    const doctor = Doctor.of(app);
    const chart = deferred.chart;
    const lines = new ValidationLines();
    for (const batch of deferred.batches) {
      const built = timed('buildMs', () => deferred.materialize(batch));
      try {
        const judged = options.deferred?.judge?.(batch, built);
        timed('renderMs', () => {
          const objects = new DependencyGraph(chart.node).topology().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
          const rendered = new Map<IConstruct, KubeObject>(objects.map((c) => [c, (judged?.get(c) ?? c.toJson()) as KubeObject]));
          publishRenderedJson(app, treeState(app), () => rendered);
          try {
            for (const c of app.node.findAll()) {
              if (c !== doctor) lines.add(deferred.owns(c) ? chart : c, c.node.path, c.node.validate());
            }
          } finally {
            withdrawRenderedJson(app);
          }
          options.deferred?.built?.(built);
          for (const c of objects) {
            const o = rendered.get(c)!;
            checkKind(c, o);
            spill.add(kindRank(c.kind), finish(c, o));
          }
        });
      } finally {
        timed('buildMs', () => deferred.release(built));
      }
    }
    options.deferred?.finish?.();
    if (lines.size > 0) {
      // with every construct's own (the doctor's included: its report is complete now)
      for (const c of app.node.findAll()) lines.add(c, c.node.path, c.node.validate());
      throw new Error(validationFailed(app.node.findAll().flatMap((c) => lines.of(c))));
    }
    return spill;
  } catch (e) {
    spill.dispose();
    throw e;
  }
}

/** Construct validation errors (`[path] error`), each once, by the construct they belong with. */
class ValidationLines {
  public size = 0;
  private readonly byConstruct = new Map<IConstruct, string[]>();
  private readonly seen = new Set<string>();

  public add(at: IConstruct, path: string, errors: readonly string[]): void {
    for (const e of errors) {
      const line = `[${path}] ${e}`;
      if (this.seen.has(line)) continue;
      this.seen.add(line);
      const list = this.byConstruct.get(at);
      if (list) list.push(line);
      else this.byConstruct.set(at, [line]);
      this.size++;
    }
  }

  public of(c: IConstruct): readonly string[] {
    return this.byConstruct.get(c) ?? [];
  }
}

/** cdk8s' error for failed construct validations (`[path] error` lines). */
function validationFailed(lines: readonly string[]): string {
  return `Validation failed with the following errors:\n  ${lines.join('\n  ')}`;
}

function checkKind(construct: ApiObject, o: KubeObject): void {
  if (o.kind !== construct.kind) {
    throw new Error(`${construct.node.path}: rendered as kind ${o.kind} although the construct's kind is ${construct.kind}; change the kind with the construct's props, not a JSON patch`);
  }
}

/** Layer order kept on the project's side (see {@link deployAfter}). */
const LAYER_DEPENDENCIES = new WeakMap<Chart, Chart[]>();

/**
 * Says that `chart` (a deploy layer) is applied after `dependencies`: the file order, the sync
 * waves and Pulumi's `dependsOn` follow it. Not cdk8s' `chart.addDependency`, which cdk8s
 * expands into an edge from every object of one chart to every object of the other (millions of
 * edges at 10,000 jobs) although only the layer order is needed.
 */
export function deployAfter(chart: Chart, ...dependencies: Chart[]): void {
  const list = LAYER_DEPENDENCIES.get(chart) ?? [];
  for (const d of dependencies) if (!list.includes(d)) list.push(d);
  LAYER_DEPENDENCIES.set(chart, list);
}

/**
 * The charts `chart` must come after: its layer dependencies ({@link deployAfter}), and any
 * cdk8s dependencies (added by hand, or inferred by cdk8s once the app is prepared).
 */
export function chartDependencies(chart: Chart): Chart[] {
  const out: Chart[] = [...(LAYER_DEPENDENCIES.get(chart) ?? [])];
  for (const dep of chart.node.dependencies) {
    const target = Chart.isChart(dep) ? dep : Chart.of(dep);
    if (target !== chart && !out.includes(target)) out.push(target);
  }
  return out;
}

/**
 * Charts after the charts they depend on ({@link chartDependencies}), otherwise in creation
 * order: a depth-first post-order, each chart once.
 */
export function chartOrder(charts: readonly Chart[]): Chart[] {
  const known = new Set(charts);
  const done = new Set<Chart>();
  const active = new Set<Chart>();
  const order: Chart[] = [];
  const visit = (chart: Chart): void => {
    if (done.has(chart)) return;
    if (active.has(chart)) throw new Error(`chart dependency cycle through ${chart.node.id}`);
    active.add(chart);
    for (const target of chartDependencies(chart)) {
      if (known.has(target)) visit(target);
    }
    active.delete(chart);
    done.add(chart);
    order.push(chart);
  };
  charts.forEach(visit);
  return order;
}

/**
 * Annotation on every rendered object: where it comes from (e.g. the construct path, see
 * SparkPlatformApp). Set here, on the object's own metadata after rendering, never inside pod
 * templates: moving code neither restarts a pod nor changes any content hash the platform computes.
 */
export const SOURCE_ANNOTATION = 'spark-platform.io/source';

function withAnnotations(o: KubeObject, source: string | undefined, wave: number): KubeObject {
  return withWave(withSource(o, source), wave);
}

function withSource(o: KubeObject, source: string | undefined): KubeObject {
  if (source === undefined) return o;
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [SOURCE_ANNOTATION]: source } } };
}

function withWave(o: KubeObject, wave: number): KubeObject {
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [SYNC_WAVE_ANNOTATION]: String(wave) } } };
}

/**
 * Multi-document YAML for a file: one document per object, no line folding (stable diffs). Each
 * document is exactly `YAML.stringify(o, { lineWidth: 0, indent: 2, aliasDuplicateObjects: false })`,
 * written by the direct writer of yaml-writer.ts (the library builds a node tree per object,
 * which was most of this step's time and garbage); a value outside the writer's plain-JSON fast
 * path goes to the library.
 */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => stringifyYaml(o)).join('---\n');
}

/**
 * The kustomization that lists the files in order, so `kubectl apply --server-side -k dist/<env>`
 * applies them as they are. `sortOptions: fifo` keeps our order instead of kustomize's own.
 */
export function kustomization(files: readonly string[]): string {
  return YAML.stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    sortOptions: { order: 'fifo' },
    resources: [...files],
  });
}
