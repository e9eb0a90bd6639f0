import { IConstruct } from 'constructs';
import { show } from '../errors';
import { SPARK_ROLE_LABEL } from '../labels';
import { SPARK_DEFAULT_OVERHEAD_FACTOR, SPARK_MIN_MEMORY_OVERHEAD } from '../spark-sizing';
import { Cpu, Memory } from '../units';
import { IClientModeDriver } from '../client-mode-driver';
import { Json, isRecord } from './evaluators/k8s-json';
import { PodOf, containersOf, podOf, quantity, stringList, stringMap } from './pods';

/**
 * How an application reaches the cluster: `operator` = Kubeflow's SparkApplication
 * (`sparkoperator.k8s.io`), `apache-operator` = Apache's (`spark.apache.org`), `submit` = a
 * spark-submit Job, `client` = a client-mode driver.
 */
export type SparkAppMode = 'operator' | 'apache-operator' | 'submit' | 'client';

/** A Spark driver or executor pod, as Spark will size and label it. */
export interface SparkPodView {
  readonly role: 'driver' | 'executor';
  /** The image Spark runs it in. */
  readonly image?: string;
  /** CPU request (`coreRequest`, else the cores). */
  readonly cpu: Cpu;
  /** Memory request (and Spark's limit): heap + overhead (+ PySpark worker memory for executors). */
  readonly memory: Memory;
  /**
   * `spec.{driver,executor}.memoryLimit` of a Kubeflow operator application, as written. Spark
   * sets the container's memory limit equal to its request; only the operator's pod webhook
   * raises it to this value, so it counts only where a webhook serves the namespace (see
   * podMemoryLimit in memory-limits.ts). Undefined for other modes and when not set.
   */
  readonly memoryLimit?: { readonly value: Memory; readonly field: string };
  /** How `memory` was computed, for messages. */
  readonly memoryText: string;
  /** GPUs: the extended resource and the amount. */
  readonly gpus?: { readonly resource: string; readonly amount: number };
  /** The ServiceAccount it runs as. */
  readonly serviceAccount: string;
  /** Its labels (Spark's `spark-role` included). */
  readonly labels: Readonly<Record<string, string>>;
  /** Its node selector. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Its pod template's spec, when the application gives one. */
  readonly template?: Json;
  /** Where that template is, for messages. */
  readonly templateField?: string;
  /** The template's metadata annotations, when the model reads them (Apache operator). */
  readonly templateAnnotations?: Readonly<Record<string, string>>;
  /** Environment variable names the pod gets (literal or referenced). */
  readonly env: ReadonlySet<string>;
  /** Whether it takes variables from a whole Secret (envFrom), which may hold any name. */
  readonly envFromSecret: boolean;
}

/** Dynamic allocation as the application configures it. */
export interface DynamicAllocationView {
  readonly min: number;
  readonly initial: number;
  readonly max: number;
  /** Shuffle tracking: undefined when not set (Spark >= 3.4 defaults it to true). */
  readonly shuffleTracking?: boolean;
  /** External shuffle service, or shuffle-block migration on decommission. */
  readonly shuffleService: boolean;
  /** Where it is configured, for messages. */
  readonly field: string;
}

/** One Spark application of the tree, whatever made it: normalized for the rules. */
export interface SparkAppView {
  /** What findings about it point at. */
  readonly construct: IConstruct;
  /** `Kind/namespace/name` of its object (undefined for a client-mode driver construct). */
  readonly object?: string;
  /** How messages name it, e.g. `SparkApplication spark-jobs/spark-pi`. */
  readonly label: string;
  readonly mode: SparkAppMode;
  /** The namespace its driver and executors run in. */
  readonly namespace: string;
  readonly name: string;
  /** Python (or R): then Python minors must match and the overhead factor is 0.4. */
  readonly python: boolean;
  readonly nonJvm: boolean;
  /** `spec.sparkVersion` of an operator application (`spec.runtimeVersions.sparkVersion` for Apache's). */
  readonly sparkVersion?: string;
  /** The effective Spark conf (Hadoop conf as `spark.hadoop.*`); frozen once the model is built (see confKeysWithPrefix). */
  readonly conf: Readonly<Record<string, string>>;
  /** Where each conf key was written, for messages. */
  readonly confField: (key: string) => string;
  /** Every URI-ish value the application reads: main file, arguments, deps, conf values holding a `scheme://` URI. */
  readonly uris: ReadonlyArray<{ readonly field: string; readonly value: string }>;
  /** Maven coordinates it resolves at start. */
  readonly packages: readonly string[];
  /** Jars it adds. */
  readonly jars: readonly string[];
  /** The driver pod; undefined in client mode (the driver is a pod of its own workload). */
  readonly driver?: SparkPodView;
  readonly executor: SparkPodView;
  /**
   * Whether the application creates executor pods: false for a server that starts no
   * SparkContext (the History Server) and for executors on a standalone cluster
   * (`spark.master spark://...`), which run in its workers. @default true
   */
  readonly executorPods?: boolean;
  /** Executors at start. */
  readonly instances: number;
  readonly dynamicAllocation?: DynamicAllocationView;
  /** Whether finished runs need a time to live (not for scheduled ones: history limits prune them). */
  readonly ttlRequired: boolean;
  readonly ttlSeconds?: number;
  /** Where the TTL is set, for messages. */
  readonly ttlField: string;
  /** Pull secrets of the Spark pods. */
  readonly imagePullSecrets: readonly string[];
  /** The pod running spark-submit (submit mode). */
  readonly submitter?: { readonly pod: PodOf; readonly serviceAccount: string; readonly namespace: string };
  /** The client-mode driver construct (client mode). */
  readonly clientDriver?: IClientModeDriver;
}

/** How the model reads files carried in objects: ConfigMap data, and YAML parsed once per run. */
export interface FileLookup {
  /** A ConfigMap's data by namespace and name. */
  configMap(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
  /** The documents of a YAML text, or undefined when it does not parse. */
  yaml(text: string): readonly unknown[] | undefined;
}

const SPARK_OPERATOR_GROUP = 'sparkoperator.k8s.io';
/** Spark's default on Kubernetes for the driver's RPC port (`spark.driver.port`). */
export const SPARK_K8S_DRIVER_PORT = 7078;
/** Spark's default on Kubernetes for the block manager port of driver and executors. */
export const SPARK_K8S_BLOCK_MANAGER_PORT = 7079;

/** A Spark size (`4g`, `512m`, `1024` = MiB), or undefined. */
export function sparkSize(value: string | undefined, defaultUnit: 'm' | 'b' = 'm'): Memory | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return defaultUnit === 'm' ? Memory.mebibytes(Number(v)) : Memory.bytes(Number(v));
  return quantity(v, (x) => Memory.parseSpark(String(x)));
}

/** `true`/`false` (any case) from a conf value, else undefined. */
export function bool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/** A non-negative integer from a JSON number or a digit string, else undefined. */
export function int(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
  return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The conf keys podView reads, per role (built once, not per application). */
function roleKeys(role: 'driver' | 'executor') {
  return {
    cores: `spark.${role}.cores`,
    requestCores: `spark.kubernetes.${role}.request.cores`,
    memory: `spark.${role}.memory`,
    memoryOverhead: `spark.${role}.memoryOverhead`,
    memoryOverheadFactor: `spark.${role}.memoryOverheadFactor`,
    minMemoryOverhead: `spark.${role}.minMemoryOverhead`,
    gpuAmount: `spark.${role}.resource.gpu.amount`,
    gpuVendor: `spark.${role}.resource.gpu.vendor`,
    image: `spark.kubernetes.${role}.container.image`,
    serviceAccount: `spark.kubernetes.authenticate.${role}.serviceAccountName`,
  } as const;
}
const ROLE_KEYS = { driver: roleKeys('driver'), executor: roleKeys('executor') } as const;

/** The pod view Spark derives from its conf (and typed fields, which take precedence). */
export function podView(
  role: 'driver' | 'executor', conf: Readonly<Record<string, string>>, nonJvm: boolean,
  fields: { cores?: unknown; coreRequest?: unknown; memory?: unknown; memoryOverhead?: unknown; gpu?: unknown; image?: unknown; serviceAccount?: unknown },
  labels: Record<string, string>, nodeSelector: Record<string, string>, template: PodOf | undefined, templateField: string | undefined, env: { names: Set<string>; envFromSecret: boolean },
): SparkPodView {
  const keys = ROLE_KEYS[role];
  const cores = int(fields.cores) ?? int(conf[keys.cores]) ?? 1;
  const request = quantity(fields.coreRequest ?? conf[keys.requestCores], (v) => Cpu.parse(v));
  const heap = sparkSize(typeof fields.memory === 'string' ? fields.memory : conf[keys.memory]) ?? Memory.gibibytes(1);
  const explicitOverhead = sparkSize(typeof fields.memoryOverhead === 'string' ? fields.memoryOverhead : conf[keys.memoryOverhead]);
  const factorText = conf[keys.memoryOverheadFactor] ?? conf['spark.kubernetes.memoryOverheadFactor'];
  const factor = factorText !== undefined && Number.isFinite(Number(factorText)) ? Number(factorText) : nonJvm ? 0.4 : SPARK_DEFAULT_OVERHEAD_FACTOR;
  const minOverhead = sparkSize(conf[keys.minMemoryOverhead]) ?? SPARK_MIN_MEMORY_OVERHEAD;
  const overhead = explicitOverhead ?? Memory.mebibytes(Math.floor(factor * Math.floor(heap.mebibytes))).max(minOverhead);
  const pyspark = role === 'executor' ? sparkSize(conf['spark.executor.pyspark.memory']) : undefined;
  const memory = heap.plus(overhead).plus(pyspark ?? Memory.ZERO);
  const memoryText = `heap ${heap.toSpark()} + overhead ${overhead.toSpark()}${pyspark ? ` + PySpark ${pyspark.toSpark()}` : ''}`;
  let gpus: SparkPodView['gpus'];
  if (isRecord(fields.gpu) && typeof fields.gpu.name === 'string' && int(fields.gpu.quantity)) {
    gpus = { resource: fields.gpu.name, amount: int(fields.gpu.quantity)! };
  } else if (int(conf[keys.gpuAmount])) {
    gpus = { resource: `${conf[keys.gpuVendor] ?? 'nvidia.com'}/gpu`, amount: int(conf[keys.gpuAmount])! };
  }
  const image = (typeof fields.image === 'string' ? fields.image : undefined)
    ?? conf[keys.image] ?? conf['spark.kubernetes.container.image'];
  const serviceAccount = (typeof fields.serviceAccount === 'string' ? fields.serviceAccount : undefined)
    ?? conf[keys.serviceAccount]
    ?? (role === 'executor' ? conf['spark.kubernetes.authenticate.driver.serviceAccountName'] : undefined)
    ?? 'default';
  return {
    role,
    image,
    cpu: request ?? Cpu.cores(cores),
    memory,
    memoryText,
    gpus,
    serviceAccount,
    labels: { ...template?.labels, ...labels, [SPARK_ROLE_LABEL]: role },
    nodeSelector: { ...nodeSelector, ...stringMap(template?.spec.nodeSelector) },
    template: template?.spec,
    templateField,
    env: env.names,
    envFromSecret: env.envFromSecret,
  };
}

/** Sorted keys of frozen confs (the keys with a prefix are one range): a frozen object cannot change, so they cannot go stale. */
const sortedKeys = new WeakMap<object, readonly string[]>();

/**
 * The keys of `conf` that start with `prefix`, in the conf's own order. The rules ask each
 * application's conf for a dozen prefixes (labels, node selectors, env, volumes, annotations):
 * for a frozen conf (the model freezes every application's) the keys are sorted once and each
 * prefix is a binary search; any other object is scanned.
 */
export function confKeysWithPrefix(conf: Readonly<Record<string, string>>, prefix: string): string[] {
  if (!Object.isFrozen(conf)) return Object.keys(conf).filter((k) => k.startsWith(prefix));
  let sorted = sortedKeys.get(conf);
  if (!sorted) sortedKeys.set(conf, sorted = Object.keys(conf).sort());
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sorted.length && sorted[end].startsWith(prefix)) end++;
  if (end - lo <= 1) return sorted.slice(lo, end);
  // Several: back to the conf's order.
  const found = new Set(sorted.slice(lo, end));
  return Object.keys(conf).filter((k) => found.has(k));
}

/** Conf entries with a prefix, prefix removed (in the conf's order). */
export function withPrefix(conf: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of confKeysWithPrefix(conf, prefix)) out[k.slice(prefix.length)] = conf[k];
  return out;
}

/** Env names a pod gets from its conf, its typed env fields and its template's Spark container. */
export function envOf(role: 'driver' | 'executor', conf: Readonly<Record<string, string>>, template: PodOf | undefined, typed?: Json): { names: Set<string>; envFromSecret: boolean } {
  const names = new Set<string>();
  const prefixes = role === 'driver'
    ? ['spark.kubernetes.driverEnv.', 'spark.kubernetes.driver.secretKeyRef.']
    : ['spark.executorEnv.', 'spark.kubernetes.executor.secretKeyRef.'];
  for (const p of prefixes) for (const k of Object.keys(withPrefix(conf, p))) names.add(k);
  let envFromSecret = false;
  const fromContainer = (c: Json) => {
    if (Array.isArray(c.env)) for (const e of c.env) if (isRecord(e) && typeof e.name === 'string') names.add(e.name);
    if (Array.isArray(c.envFrom)) for (const e of c.envFrom) if (isRecord(e) && isRecord(e.secretRef)) envFromSecret = true;
  };
  if (template) {
    const containers = containersOf(template.spec).filter((c) => !c.init);
    const spark = containers.find((c) => c.container.name === `spark-kubernetes-${role}`) ?? containers[0];
    if (spark) fromContainer(spark.container);
  }
  if (typed) {
    fromContainer(typed);
    for (const key of ['envVars', 'envSecretKeyRefs']) if (isRecord(typed[key])) for (const k of Object.keys(typed[key] as Json)) names.add(k);
  }
  return { names, envFromSecret };
}

/**
 * Conf values that hold a URI (`scheme://`, anywhere in the value: lists and `k=v` pairs
 * included), the s3a connection's own settings left out. Only those: the model is kept for
 * every application during a run, and the rest of a conf (sizes, flags, names) is no URI.
 */
export function confUris(conf: Readonly<Record<string, string>>, field: (k: string) => string): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = [];
  for (const k of Object.keys(conf)) {
    const v = conf[k];
    if (v.includes('://') && !k.startsWith('spark.hadoop.fs.s3a.')) out.push({ field: field(k), value: v });
  }
  return out;
}

/** The entries of a comma-separated list, trimmed, empty ones dropped. */
export function splitList(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** Dynamic allocation from typed fields (Kubeflow's) or the conf; undefined when off. */
export function dynamicAllocationOf(conf: Readonly<Record<string, string>>, typed: Json | undefined, field: string): DynamicAllocationView | undefined {
  const enabled = typed?.enabled === true || (typed === undefined && bool(conf['spark.dynamicAllocation.enabled']) === true);
  if (!enabled) return undefined;
  const min = int(typed?.minExecutors) ?? int(conf['spark.dynamicAllocation.minExecutors']) ?? 0;
  const initial = int(typed?.initialExecutors) ?? int(conf['spark.dynamicAllocation.initialExecutors']) ?? min;
  const max = int(typed?.maxExecutors) ?? int(conf['spark.dynamicAllocation.maxExecutors']) ?? Number.POSITIVE_INFINITY;
  const tracking = typeof typed?.shuffleTrackingEnabled === 'boolean' ? typed.shuffleTrackingEnabled : bool(conf['spark.dynamicAllocation.shuffleTracking.enabled']);
  const shuffleService = bool(conf['spark.shuffle.service.enabled']) === true
    || (bool(conf['spark.decommission.enabled']) === true && bool(conf['spark.storage.decommission.shuffleBlocks.enabled']) === true);
  return { min, initial, max, shuffleTracking: tracking, shuffleService, field };
}

/**
 * A SparkApplication or ScheduledSparkApplication (`sparkoperator.k8s.io/v1beta2`), as the
 * operator turns it into a spark-submit: typed fields first, `sparkConf` and `hadoopConf` besides.
 */
export function operatorApp(construct: IConstruct, obj: Json): SparkAppView | undefined {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  if (!apiVersion.startsWith(`${SPARK_OPERATOR_GROUP}/`)) return undefined;
  const scheduled = obj.kind === 'ScheduledSparkApplication';
  if (obj.kind !== 'SparkApplication' && !scheduled) return undefined;
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : 'default';
  const outer = isRecord(obj.spec) ? obj.spec : {};
  const spec = scheduled ? (isRecord(outer.template) ? outer.template : {}) : outer;
  const base = scheduled ? 'spec.template' : 'spec';
  const conf: Record<string, string> = {};
  for (const [k, v] of Object.entries(stringMap(spec.sparkConf))) conf[k] = v;
  for (const [k, v] of Object.entries(stringMap(spec.hadoopConf))) conf[`spark.hadoop.${k}`] = v;
  Object.freeze(conf); // complete: the prefix index (confKeysWithPrefix) may now cache it
  // Where a key was written, read back from the spec when a message asks (hadoopConf wins, as
  // above): a field text per key, kept for every application, would weigh as much as its JSON.
  const confField = (k: string): string => {
    const hadoop = k.startsWith('spark.hadoop.') && isRecord(spec.hadoopConf) ? k.slice('spark.hadoop.'.length) : undefined;
    if (hadoop !== undefined && typeof (spec.hadoopConf as Json)[hadoop] === 'string') return `${base}.hadoopConf[${show(hadoop)}]`;
    if (isRecord(spec.sparkConf) && typeof spec.sparkConf[k] === 'string') return `${base}.sparkConf[${show(k)}]`;
    return `${base}.sparkConf`;
  };
  const type = typeof spec.type === 'string' ? spec.type : 'Scala';
  const nonJvm = type === 'Python' || type === 'R';
  const appLabels = stringMap(meta.labels);
  const common = { ...appLabels, 'sparkoperator.k8s.io/app-name': name, 'sparkoperator.k8s.io/launched-by-spark-operator': 'true' };
  const selectorOf = (role: 'driver' | 'executor', r: Json) => ({
    ...stringMap(spec.nodeSelector), ...withPrefix(conf, 'spark.kubernetes.node.selector.'),
    ...withPrefix(conf, `spark.kubernetes.${role}.node.selector.`), ...stringMap(r.nodeSelector),
  });
  const roleView = (role: 'driver' | 'executor'): SparkPodView => {
    const r = isRecord(spec[role]) ? spec[role] as Json : {};
    const template = isRecord(r.template) ? { spec: isRecord(r.template.spec) ? r.template.spec : {}, labels: stringMap(isRecord(r.template.metadata) ? r.template.metadata.labels : undefined), field: `${base}.${role}.template` } : undefined;
    const labels = { ...common, ...withPrefix(conf, `spark.kubernetes.${role}.label.`), ...stringMap(r.labels) };
    // Executors without an account of their own run as the driver's (Spark's fallback).
    const driverAccount = isRecord(spec.driver) ? spec.driver.serviceAccount : undefined;
    const serviceAccount = r.serviceAccount ?? (role === 'executor' ? driverAccount : undefined);
    const pod = podView(role, conf, nonJvm, { ...r, image: r.image ?? spec.image, serviceAccount }, labels, selectorOf(role, r), template, template?.field, envOf(role, conf, template, r));
    const memoryLimit = quantity(r.memoryLimit, (v) => Memory.parse(v));
    return memoryLimit ? { ...pod, memoryLimit: { value: memoryLimit, field: `${base}.${role}.memoryLimit` } } : pod;
  };
  const executorSpec = isRecord(spec.executor) ? spec.executor : {};
  const deps = isRecord(spec.deps) ? spec.deps : {};
  const uris: Array<{ field: string; value: string }> = [];
  if (typeof spec.mainApplicationFile === 'string') uris.push({ field: `${base}.mainApplicationFile`, value: spec.mainApplicationFile });
  stringList(spec.arguments).forEach((a, i) => uris.push({ field: `${base}.arguments[${i}]`, value: a }));
  for (const key of ['jars', 'files', 'pyFiles', 'archives']) stringList(deps[key]).forEach((u, i) => uris.push({ field: `${base}.deps.${key}[${i}]`, value: u }));
  uris.push(...confUris(conf, confField));
  const da = isRecord(spec.dynamicAllocation) ? spec.dynamicAllocation : undefined;
  return {
    construct,
    object: `${obj.kind}/${namespace}/${name}`,
    label: `${obj.kind} ${namespace}/${name}`,
    mode: 'operator',
    namespace,
    name,
    python: type === 'Python',
    nonJvm,
    sparkVersion: typeof spec.sparkVersion === 'string' ? spec.sparkVersion : undefined,
    conf,
    confField,
    uris,
    packages: [...stringList(deps.packages), ...splitList(conf['spark.jars.packages'])],
    jars: [...stringList(deps.jars), ...splitList(conf['spark.jars'])],
    driver: roleView('driver'),
    executor: roleView('executor'),
    instances: int(executorSpec.instances) ?? int(conf['spark.executor.instances']) ?? 2,
    dynamicAllocation: dynamicAllocationOf(conf, da, da ? `${base}.dynamicAllocation` : confField('spark.dynamicAllocation.enabled')),
    ttlRequired: !scheduled,
    ttlSeconds: int(spec.timeToLiveSeconds),
    ttlField: `${base}.timeToLiveSeconds`,
    imagePullSecrets: [...stringList(spec.imagePullSecrets), ...splitList(conf['spark.kubernetes.container.image.pullSecrets'])],
  };
}

/** spark-submit options that take a value, and the conf key some of them set. */
const SUBMIT_OPTIONS: Readonly<Record<string, string | null>> = {
  '--master': 'spark.master', '--deploy-mode': 'spark.submit.deployMode', '--class': null, '--name': 'spark.app.name',
  '--jars': 'spark.jars', '--packages': 'spark.jars.packages', '--exclude-packages': 'spark.jars.excludes',
  '--repositories': 'spark.jars.repositories', '--py-files': 'spark.submit.pyFiles', '--files': 'spark.files',
  '--archives': 'spark.archives', '--properties-file': null, '--driver-memory': 'spark.driver.memory',
  '--driver-java-options': 'spark.driver.extraJavaOptions', '--driver-library-path': 'spark.driver.extraLibraryPath',
  '--driver-class-path': 'spark.driver.extraClassPath', '--executor-memory': 'spark.executor.memory',
  '--proxy-user': null, '--driver-cores': 'spark.driver.cores', '--executor-cores': 'spark.executor.cores',
  '--num-executors': 'spark.executor.instances', '--total-executor-cores': 'spark.cores.max', '--principal': null,
  '--keytab': null, '--queue': null, '--kill': null, '--status': null,
};

/** The parsed command line of a spark-submit container, or undefined when it is not one. */
export interface SparkSubmitCommand {
  readonly conf: Record<string, string>;
  readonly primary?: string;
  readonly arguments: string[];
  readonly field: string;
}

/**
 * Reads spark-submit's command line out of a container (`spark-submit ...`, or a wrapper script
 * given spark-submit's arguments): `--conf k=v` and the options that set conf. Undefined unless it
 * submits to Kubernetes (`--master k8s://...`).
 */
export function parseSparkSubmit(container: Json, field: string): SparkSubmitCommand | undefined {
  const tokens = [...stringList(container.command), ...stringList(container.args)];
  const submit = tokens.findIndex((t) => /(^|\/)spark-submit$/.test(t));
  const start = submit >= 0 ? submit + 1 : tokens.findIndex((t) => t.startsWith('--'));
  if (start < 0) return undefined;
  const conf: Record<string, string> = {};
  let primary: string | undefined;
  const args: string[] = [];
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i];
    if (primary !== undefined) {
      args.push(t);
      continue;
    }
    if (t === '--conf' || t === '-c') {
      const kv = tokens[++i] ?? '';
      const eq = kv.indexOf('=');
      if (eq > 0) conf[kv.slice(0, eq)] = kv.slice(eq + 1);
      continue;
    }
    const eq = t.startsWith('--') ? t.indexOf('=') : -1;
    const opt = eq >= 0 ? t.slice(0, eq) : t;
    const inline = eq >= 0 ? t.slice(eq + 1) : undefined;
    if (opt in SUBMIT_OPTIONS) {
      const value = inline ?? tokens[++i] ?? '';
      const key = SUBMIT_OPTIONS[opt];
      if (key) conf[key] = value;
      continue;
    }
    if (t.startsWith('-')) continue; // a flag: --verbose, --supervise
    primary = t;
  }
  if (!conf['spark.master']?.startsWith('k8s://')) return undefined;
  return { conf, primary, arguments: args, field };
}

/** A file of a ConfigMap mounted into `container`: by mount path, else (a copy made at start) by file name. */
function mountedFile(path: string, container: Json, spec: Json, namespace: string, files: FileLookup): string | undefined {
  const volumes = new Map<string, Json>();
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) if (isRecord(v) && typeof v.name === 'string' && isRecord(v.configMap)) volumes.set(v.name, v.configMap);
  const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts.filter(isRecord) : [];
  const keyOf = (cm: Json, file: string): string => {
    const item = Array.isArray(cm.items) ? cm.items.find((it) => isRecord(it) && it.path === file) : undefined;
    return isRecord(item) && typeof item.key === 'string' ? item.key : file;
  };
  const base = path.slice(path.lastIndexOf('/') + 1);
  let fallback: string | undefined;
  for (const m of mounts) {
    const cm = typeof m.name === 'string' ? volumes.get(m.name) : undefined;
    if (!cm || typeof cm.name !== 'string' || typeof m.mountPath !== 'string') continue;
    const data = files.configMap(namespace, cm.name);
    if (!data) continue;
    if (typeof m.subPath === 'string' && m.mountPath === path) return data[keyOf(cm, m.subPath)];
    if (path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`)) {
      const found = data[keyOf(cm, path.slice(m.mountPath.replace(/\/$/, '').length + 1))];
      if (found !== undefined) return found;
    }
    if (fallback === undefined && data[keyOf(cm, base)] !== undefined) fallback = data[keyOf(cm, base)];
  }
  return fallback;
}

/** A pod template file's pod (first YAML document), or undefined. */
function templateFrom(text: string | undefined, field: string, files: FileLookup): PodOf | undefined {
  if (text === undefined) return undefined;
  const doc = files.yaml(text)?.[0];
  if (!isRecord(doc)) return undefined;
  const spec = isRecord(doc.spec) ? doc.spec : {};
  return { spec, labels: stringMap(isRecord(doc.metadata) ? doc.metadata.labels : undefined), field };
}

/**
 * A Job or CronJob whose container runs spark-submit against Kubernetes (SparkJob's submit mode,
 * or one written by hand): its conf, its pod templates (read from the ConfigMap it mounts) and
 * the submitter pod.
 */
export function submitApp(construct: IConstruct, obj: Json, files: FileLookup): SparkAppView | undefined {
  if (obj.kind !== 'Job' && obj.kind !== 'CronJob') return undefined;
  const pod = podOf(obj);
  if (!pod) return undefined;
  let cmd: SparkSubmitCommand | undefined;
  let container: Json | undefined;
  for (const c of containersOf(pod.spec)) {
    if (c.init) continue;
    cmd = parseSparkSubmit(c.container, `${pod.field}.spec.${c.field}.args`);
    if (cmd) {
      container = c.container;
      break;
    }
  }
  if (!cmd || !container) return undefined;
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const jobName = typeof meta.name === 'string' ? meta.name : '';
  const jobNamespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : 'default';
  const conf = Object.freeze(cmd.conf);
  const namespace = conf['spark.kubernetes.namespace'] ?? 'default';
  const main = cmd.primary ?? '';
  const nonJvm = /\.(py|r)$/i.test(main);
  const confField = (k: string) => `${cmd!.field} (--conf ${k})`;
  const template = (role: 'driver' | 'executor') => {
    const path = conf[`spark.kubernetes.${role}.podTemplateFile`];
    return path ? templateFrom(mountedFile(path, container!, pod.spec, jobNamespace, files), `${role} pod template ${show(path)}`, files) : undefined;
  };
  const roleView = (role: 'driver' | 'executor') => {
    const t = template(role);
    const labels = { 'spark-app-name': conf['spark.app.name'] ?? jobName, ...withPrefix(conf, `spark.kubernetes.${role}.label.`) };
    const selector = { ...withPrefix(conf, 'spark.kubernetes.node.selector.'), ...withPrefix(conf, `spark.kubernetes.${role}.node.selector.`) };
    return podView(role, conf, nonJvm, {}, labels, selector, t, t?.field, envOf(role, conf, t));
  };
  const uris = [
    ...(cmd.primary ? [{ field: `${cmd.field} (application)`, value: cmd.primary }] : []),
    ...cmd.arguments.map((a, i) => ({ field: `${cmd!.field} (argument ${i})`, value: a })),
    ...confUris(conf, confField),
  ];
  const clientDeploy = conf['spark.submit.deployMode'] === 'client';
  const podSpec = pod.spec;
  const jobSpec = obj.kind === 'Job' && isRecord(obj.spec) ? obj.spec : {};
  return {
    construct,
    object: `${obj.kind}/${jobNamespace}/${jobName}`,
    label: `${obj.kind} ${jobNamespace}/${jobName} (spark-submit)`,
    mode: clientDeploy ? 'client' : 'submit',
    namespace,
    name: conf['spark.app.name'] ?? jobName,
    python: /\.py$/i.test(main),
    nonJvm,
    conf,
    confField,
    uris,
    packages: splitList(conf['spark.jars.packages']),
    jars: splitList(conf['spark.jars']),
    driver: clientDeploy ? undefined : roleView('driver'),
    executor: roleView('executor'),
    instances: int(conf['spark.executor.instances']) ?? 2,
    dynamicAllocation: dynamicAllocationOf(conf, undefined, confField('spark.dynamicAllocation.enabled')),
    ttlRequired: obj.kind === 'Job',
    ttlSeconds: int(jobSpec.ttlSecondsAfterFinished),
    ttlField: 'spec.ttlSecondsAfterFinished',
    imagePullSecrets: [...splitList(conf['spark.kubernetes.container.image.pullSecrets'])],
    submitter: { pod, serviceAccount: typeof podSpec.serviceAccountName === 'string' ? podSpec.serviceAccountName : 'default', namespace: jobNamespace },
  };
}

/** A client-mode driver construct: its executors, from the conf it declares. */
export function clientApp(construct: IConstruct, driver: IClientModeDriver): SparkAppView {
  const conf = Object.freeze({ ...driver.sparkConf() });
  const namespace = conf['spark.kubernetes.namespace'] ?? driver.namespace;
  const labels = { ...withPrefix(conf, 'spark.kubernetes.executor.label.'), ...driver.executorPodLabels };
  const selector = { ...withPrefix(conf, 'spark.kubernetes.node.selector.'), ...withPrefix(conf, 'spark.kubernetes.executor.node.selector.') };
  const confField = (k: string) => `sparkConf()[${show(k)}]`;
  const executor = podView('executor', conf, true, { image: driver.executorImage.image }, labels, selector, undefined, undefined, envOf('executor', conf, undefined));
  return {
    construct,
    label: `${driver.workloadName} (client mode)`,
    mode: 'client',
    namespace,
    name: construct.node.id,
    python: true,
    nonJvm: true,
    conf,
    confField,
    uris: confUris(conf, confField),
    packages: splitList(conf['spark.jars.packages']),
    jars: splitList(conf['spark.jars']),
    executor,
    instances: int(conf['spark.executor.instances']) ?? 2,
    dynamicAllocation: dynamicAllocationOf(conf, undefined, confField('spark.dynamicAllocation.enabled')),
    ttlRequired: false,
    ttlField: '',
    imagePullSecrets: splitList(conf['spark.kubernetes.container.image.pullSecrets']),
    clientDriver: driver,
  };
}
