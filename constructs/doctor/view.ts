import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { SparkJob } from '../jobs/spark-job';
import { SparkImage } from '../spark-image';
import { Cpu, Memory } from '../units';
import { IClientModeDriver, isClientModeDriver } from '../client-mode-driver';
import { Json, isRecord } from './evaluators/k8s-json';
import { NetworkPolicyEvaluator } from './evaluators/netpol';
import { RbacEvaluator } from './evaluators/rbac';
import { ImageFacts, factsOf, inferOfficialFacts } from './image-refs';
import { ResolvedDoctorOptions } from './options';
import { OperatorKind, OperatorWatch, apacheWatches, kubeflowWatches } from './operator-watches';
import { ContainerDefaultRequests, podOf, pullSecretNames, quantity, stringMap } from './pods';
import { apacheApp } from './apache-app';
import { SparkAppView, clientApp, operatorApp, submitApp } from './spark-apps';

import type { IndexedObject, PodWorkload } from './indexed';

export type { IndexedObject, PodWorkload };

/** What a view takes besides the constructs. */
export interface DoctorViewInputs {
  /**
   * Objects indexed by an earlier view, whose JSON has not changed since (it is not rendered
   * again): the platform objects a deferred run shares between the views of its batches.
   */
  readonly indexed?: ReadonlyMap<IConstruct, IndexedObject>;
  /**
   * Images declared by constructs not in the tree now (deferred children: the batches judged
   * before), counted where `at` (their chart) is, in the order they were declared.
   */
  readonly declared?: { readonly at: IConstruct; readonly images: readonly SparkImage[] };
}

/** A ResourceQuota's hard limits the doctor checks (unscoped quotas only). */
export interface QuotaView {
  readonly object: IndexedObject;
  readonly cpu?: Cpu;
  readonly memory?: Memory;
  readonly limitsMemory?: Memory;
  readonly pods?: number;
  /** Extended resources (`requests.nvidia.com/gpu`), by resource name. */
  readonly extended: Readonly<Record<string, number>>;
}

export type { OperatorKind, OperatorWatch } from './operator-watches';

/**
 * The tree as the rules see it, indexed once: every ApiObject's JSON (each `toJson()` called
 * once), objects by kind and by namespace/name, the Spark applications in one normalized form,
 * and the construct-level facts manifests lack (declared image versions, client-mode drivers).
 * Derived indexes (evaluators, quotas, applications) are built on first use and cached, so a run
 * is linear in the size of the tree.
 */
export class DoctorView {
  /** Every object, in tree order. */
  public readonly objects: readonly IndexedObject[];
  private byConstruct?: Map<IConstruct, Json>;
  /** The resolved options. */
  public readonly options: ResolvedDoctorOptions;
  /** Client-mode drivers found in the tree. */
  public readonly clientDrivers: ReadonlyArray<{ readonly construct: IConstruct; readonly driver: IClientModeDriver }>;
  private readonly kinds = new Map<string, IndexedObject[]>();
  private readonly byKey = new Map<string, IndexedObject>();
  private readonly jobsByResource = new Map<IConstruct, SparkJob>();
  private readonly declaredImages = new Map<string, ImageFacts>();
  private readonly cache = new Map<string, unknown>();
  private readonly perObject = new Map<string, WeakMap<object, unknown>>();

  constructor(constructs: readonly IConstruct[], options: ResolvedDoctorOptions, more: DoctorViewInputs = {}) {
    this.options = options;
    const objects: IndexedObject[] = [];
    const drivers: Array<{ construct: IConstruct; driver: IClientModeDriver }> = [];
    for (const image of options.images) this.declare(image);
    for (const c of constructs) {
      if (c === more.declared?.at) for (const image of more.declared.images) this.declare(image);
      if (c instanceof ApiObject) {
        const o = more.indexed?.get(c) ?? index(c);
        objects.push(o);
        const list = this.kinds.get(o.kind);
        if (list) list.push(o);
        else this.kinds.set(o.kind, [o]);
        this.byKey.set(`${o.kind}/${o.namespace ?? ''}/${o.name}`, o);
      }
      if (c instanceof SparkJob) this.jobsByResource.set(c.resource, c);
      else if (isClientModeDriver(c)) drivers.push({ construct: c, driver: c });
      for (const image of declaredImages(c)) this.declare(image);
    }
    this.objects = objects;
    this.clientDrivers = drivers;
  }

  /** Objects of a kind (any API group). */
  public ofKind(kind: string): readonly IndexedObject[] {
    return this.kinds.get(kind) ?? [];
  }

  /** The object of a kind by namespace ('' for cluster-scoped) and name. */
  public find(kind: string, namespace: string, name: string): IndexedObject | undefined {
    return this.byKey.get(`${kind}/${namespace}/${name}`);
  }

  /** Whether the tree declares the namespace (a Namespace object): only then are its RBAC and policies known. */
  public declaresNamespace(name: string): boolean {
    return this.byKey.has(`Namespace//${name}`);
  }

  /** The SparkJob whose resource is `construct`, if any. */
  public sparkJobOf(construct: IConstruct): SparkJob | undefined {
    return this.jobsByResource.get(construct);
  }

  /** What is known about an image: declared by a SparkImage, else read from an official tag. */
  public imageFacts(image: string | undefined): ImageFacts | undefined {
    if (!image) return undefined;
    return this.declaredImages.get(image) ?? inferOfficialFacts(image);
  }

  /** Every Spark application of the tree (Kubeflow and Apache operators, submit and client mode). */
  public get apps(): readonly SparkAppView[] {
    return this.memo('apps', () => {
      const files = { configMap: (ns: string, name: string) => this.configMapData(ns, name), yaml: (text: string) => this.yamlDocuments(text) };
      const apps: SparkAppView[] = [];
      for (const o of this.objects) {
        const app = operatorApp(o.construct, o.json) ?? apacheApp(o.construct, o.json) ?? submitApp(o.construct, o.json, files);
        if (app) apps.push(app);
      }
      for (const { construct, driver } of this.clientDrivers) apps.push(clientApp(construct, driver));
      return apps;
    });
  }

  /** Spark applications per namespace. */
  public appsIn(namespace: string): readonly SparkAppView[] {
    return this.memo('appsByNamespace', () => groupBy(this.apps, (a) => a.namespace)).get(namespace) ?? [];
  }

  /** Every object that runs pods, with its pod template. */
  public get workloads(): readonly PodWorkload[] {
    return this.memo('workloads', () => this.objects.flatMap((o) => {
      const pod = podOf(o.json);
      return pod ? [{ object: o, pod, namespace: o.namespace ?? 'default' }] : [];
    }));
  }

  /** Workloads per namespace. */
  public workloadsIn(namespace: string): readonly PodWorkload[] {
    return this.memo('workloadsByNamespace', () => groupBy(this.workloads, (w) => w.namespace)).get(namespace) ?? [];
  }

  /** The data of a ConfigMap of the tree. */
  public configMapData(namespace: string, name: string): Readonly<Record<string, string>> | undefined {
    const cm = this.find('ConfigMap', namespace, name);
    return cm ? stringMap(cm.json.data) : undefined;
  }

  /** The pull secrets a ServiceAccount of the tree adds to its pods. */
  public serviceAccountPullSecrets(namespace: string, name: string): string[] {
    const sa = this.find('ServiceAccount', namespace, name);
    return sa ? pullSecretNames(sa.json.imagePullSecrets) : [];
  }

  /** The unscoped ResourceQuotas of a namespace. */
  public quotasIn(namespace: string): readonly QuotaView[] {
    return this.memo('quotas', () => {
      const out = new Map<string, QuotaView[]>();
      for (const o of this.ofKind('ResourceQuota')) {
        const spec = isRecord(o.json.spec) ? o.json.spec : {};
        // Scoped quotas (Terminating, BestEffort, PriorityClass, ...) count only some pods.
        if (Array.isArray(spec.scopes) && spec.scopes.length > 0) continue;
        if (isRecord(spec.scopeSelector)) continue;
        const hard = isRecord(spec.hard) ? spec.hard : {};
        const extended: Record<string, number> = {};
        for (const [k, v] of Object.entries(hard)) {
          const m = /^requests\.(.+\/.+)$/.exec(k);
          if (m && Number.isFinite(Number(v))) extended[m[1]] = Number(v);
        }
        const q: QuotaView = {
          object: o,
          cpu: quantity(hard['requests.cpu'] ?? hard.cpu, (v) => Cpu.parse(v)),
          memory: quantity(hard['requests.memory'] ?? hard.memory, (v) => Memory.parse(v)),
          limitsMemory: quantity(hard['limits.memory'], (v) => Memory.parse(v)),
          pods: quantity(hard.pods, (v) => Number(v)),
          extended,
        };
        const ns = o.namespace ?? 'default';
        const list = out.get(ns);
        if (list) list.push(q);
        else out.set(ns, [q]);
      }
      return out;
    }).get(namespace) ?? [];
  }

  /** The defaults a namespace's LimitRange gives containers without requests. */
  public containerDefaults(namespace: string): ContainerDefaultRequests {
    return this.memo('limitRanges', () => {
      const out = new Map<string, ContainerDefaultRequests>();
      for (const o of this.ofKind('LimitRange')) {
        const spec = isRecord(o.json.spec) ? o.json.spec : {};
        for (const item of Array.isArray(spec.limits) ? spec.limits : []) {
          if (!isRecord(item) || item.type !== 'Container') continue;
          const req = isRecord(item.defaultRequest) ? item.defaultRequest : isRecord(item.default) ? item.default : {};
          out.set(o.namespace ?? 'default', { cpu: quantity(req.cpu, (v) => Cpu.parse(v)), memory: quantity(req.memory, (v) => Memory.parse(v)) });
        }
      }
      return out;
    }).get(namespace) ?? {};
  }

  /**
   * What the Spark operators of the tree watch (Kubeflow controllers and Apache operators, each
   * with its kind); empty when the tree has no operator.
   */
  public get operatorWatches(): readonly OperatorWatch[] {
    return this.memo('operators', () => [
      ...kubeflowWatches(this.workloads),
      ...apacheWatches(this.workloads, (ns, name) => this.configMapData(ns, name)),
    ]);
  }

  /** The operators of the tree that run applications of `kind`. */
  public operatorWatchesOf(kind: OperatorKind): readonly OperatorWatch[] {
    return this.operatorWatches.filter((w) => w.kind === kind);
  }

  /**
   * The NetworkPolicy evaluator over the tree's Namespaces and NetworkPolicies, or the reason
   * it could not be built (a policy the API server would reject).
   */
  public get networkPolicies(): NetworkPolicyEvaluator | Error {
    return this.memo('netpol', () => {
      try {
        return new NetworkPolicyEvaluator([...this.ofKind('Namespace'), ...this.ofKind('NetworkPolicy')].map((o) => o.json));
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    });
  }

  /** Whether a namespace has NetworkPolicies in the tree. */
  public hasNetworkPolicies(namespace: string): boolean {
    return this.memo('netpolNamespaces', () => new Set(this.ofKind('NetworkPolicy').map((o) => o.namespace ?? 'default'))).has(namespace);
  }

  /** The RBAC evaluator over the tree's roles, bindings and accounts, or why it could not be built. */
  public get rbac(): RbacEvaluator | Error {
    return this.memo('rbac', () => {
      try {
        const kinds = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount'];
        return new RbacEvaluator(kinds.flatMap((k) => this.ofKind(k)).map((o) => o.json));
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    });
  }

  /**
   * The YAML documents of a file carried in an object (a pod template in a ConfigMap), parsed
   * once per run whoever asks (the application model, the credential scan); undefined when it
   * does not parse.
   */
  public yamlDocuments(text: string): readonly unknown[] | undefined {
    const cache = this.memo('yaml', () => new Map<string, readonly unknown[] | undefined>());
    if (!cache.has(text)) {
      let docs: unknown[] | undefined;
      try {
        docs = parseAllDocuments(text).map((d) => d.toJSON() as unknown);
      } catch {
        docs = undefined;
      }
      cache.set(text, docs);
    }
    return cache.get(text);
  }

  /** A value derived from the view, computed once per run and shared by the rules that need it. */
  public derived<T>(key: string, build: () => T): T {
    return this.memo(`derived:${key}`, build);
  }

  /**
   * A value derived from one object of this run (an application, a pod, a quota of the view),
   * computed once per run and shared by the rules that need it. `key` names what is derived,
   * parameters included (`appTotals:4`); the value must depend on the object and the view only.
   */
  public derivedFor<K extends object, T>(key: string, of: K, build: (of: K) => T): T {
    let values = this.perObject.get(key);
    if (!values) this.perObject.set(key, values = new WeakMap());
    if (values.has(of)) return values.get(of) as T;
    const value = build(of);
    values.set(of, value);
    return value;
  }

  /** The JSON this view indexed, by ApiObject. */
  public jsonByConstruct(): ReadonlyMap<IConstruct, Json> {
    this.byConstruct ??= new Map(this.objects.map((o) => [o.construct as IConstruct, o.json]));
    return this.byConstruct;
  }

  private declare(image: SparkImage): void {
    if (!this.declaredImages.has(image.image)) this.declaredImages.set(image.image, factsOf(image));
  }

  private memo<T>(key: string, build: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, build());
    return this.cache.get(key) as T;
  }
}

/**
 * The images a construct declares, whose facts (Spark version, Python, jars) count for every use
 * of the image in the tree, the first declaration of an image winning: a SparkJob's driver and
 * executor images, a client-mode driver's, a workload's `sparkImage`.
 */
export function declaredImages(c: IConstruct): SparkImage[] {
  const out: SparkImage[] = [];
  if (c instanceof SparkJob) out.push(c.spec.driver.image, c.spec.executor.image);
  else if (isClientModeDriver(c)) out.push(c.driverImage, c.executorImage);
  const workloadImage = (c as { sparkImage?: unknown }).sparkImage;
  if (workloadImage instanceof SparkImage) out.push(workloadImage);
  return out;
}

function index(c: ApiObject): IndexedObject {
  const json = c.toJson() as Json;
  const meta = isRecord(json.metadata) ? json.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : c.name;
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  const kind = typeof json.kind === 'string' ? json.kind : c.kind;
  return {
    construct: c,
    json,
    kind,
    apiVersion: typeof json.apiVersion === 'string' ? json.apiVersion : c.apiVersion,
    name,
    namespace,
    id: namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`,
    label: namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`,
  };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
