import { SparkPlatformError, show } from '../errors';
import { Memory } from '../units';
import { unknownSparkConfKey } from '../validation/spark-conf-keys';
import { SparkLineName } from '../versions';
import { PLATFORM_IVY_HOME } from '../writable-paths';
import { ResolvedPod, ResolvedSparkJob } from './resolved-job';
import { SCRATCH_CONF_KEYS, scratchConf } from './scratch';

/** Container names Spark gives driver and executor containers; pod templates use the same. */
export const SPARK_CONTAINER = { driver: 'spark-kubernetes-driver', executor: 'spark-kubernetes-executor' } as const;


/**
 * Spark conf keys the construct sets itself, per mode (master, namespace, application and pod
 * names, images, accounts, pod template files). A user value would contradict it, and the
 * operator's validating webhook rejects several of them outright.
 */
const OWNED: ReadonlyArray<RegExp> = [
  /^spark\.master$/, /^spark\.submit\.deployMode$/, /^spark\.app\.name$/, /^spark\.kubernetes\.namespace$/,
  /^spark\.kubernetes\.driver\.master$/, /^spark\.kubernetes\.driver\.pod\.name$/,
  /^spark\.kubernetes\.submission\.waitAppCompletion$/,
  /^spark\.kubernetes\.(driver|executor)\.podTemplate(File|ContainerName)$/,
  /^spark\.kubernetes\.(driver\.|executor\.)?container\.image$/,
  /^spark\.kubernetes\.authenticate\./,
  /^spark\.jars\.ivy$/,
];

/** Keys a typed prop sets: the conf may not set them around it (sizing and checks read the props). */
const TYPED: ReadonlyArray<readonly [RegExp, string]> = [
  ...SCRATCH_CONF_KEYS, // scratch space, before the general volumes entry
  [/^spark\.(driver|executor)\.cores$/, '{driver,executor}.cores'],
  [/^spark\.(driver|executor)\.memory$/, '{driver,executor}.memory'],
  [/^spark\.(driver|executor)\.memoryOverhead$/, '{driver,executor}.memoryOverhead'],
  [/^spark\.kubernetes\.(driver|executor)\.request\.cores$/, '{driver,executor}.coreRequest'],
  [/^spark\.kubernetes\.(driver|executor)\.limit\.cores$/, '{driver,executor}.coreLimit'],
  [/^spark\.(driver|executor)\.resource\.gpu\./, '{driver,executor}.gpu'],
  [/^spark\.executor\.instances$/, 'executor.instances'],
  [/^spark\.kubernetes\.executor\.deleteOnTermination$/, 'executor.deleteOnTermination'],
  [/^spark\.kubernetes\.(driver|executor)\.label\./, 'labels / pods.labels / {driver,executor}.labels'],
  [/^spark\.kubernetes\.(driver|executor)\.annotation\./, 'pods.annotations / {driver,executor}.annotations'],
  [/^spark\.kubernetes\.node\.selector\./, 'pods.nodeSelector'],
  [/^spark\.kubernetes\.(driverEnv|executorEnv)\.|^spark\.executorEnv\./, 'pods.env / {driver,executor}.env'],
  [/^spark\.kubernetes\.(driver|executor)\.(secrets|secretKeyRef|volumes)\./, 'volumes + {driver,executor}.volumeMounts, or env from a Secret'],
  [/^spark\.dynamicAllocation\.(enabled|minExecutors|initialExecutors|maxExecutors|shuffleTracking\.enabled|shuffleTracking\.timeout)$/, 'dynamicAllocation'],
  [/^spark\.jars$/, 'deps.jars'], [/^spark\.files$/, 'deps.files'], [/^spark\.submit\.pyFiles$/, 'deps.pyFiles'],
  [/^spark\.archives$/, 'deps.archives'], [/^spark\.jars\.packages$/, 'deps.packages'],
  [/^spark\.jars\.excludes$/, 'deps.excludePackages'], [/^spark\.jars\.repositories$/, 'deps.repositories'],
  [/^spark\.kubernetes\.container\.image\.pullPolicy$/, 'imagePullPolicy'],
  [/^spark\.kubernetes\.container\.image\.pullSecrets$/, 'imagePullSecrets'],
  [/^spark\.ui\.prometheus\.enabled$|^spark\.metrics\.conf\.\*\.sink\.prometheusServlet\./, 'monitoring.prometheus'],
];

/** Spark conf keys whose values are sizes in Spark syntax (`512m`, `4g`), never Kubernetes' `Gi`. */
const SIZE_KEY = /^spark\.(?!hadoop\.).*(\.memory|\.memoryOverhead|\.maxResultSize|\.offHeap\.size|kryoserializer\.buffer(\.max)?|\.maxSizeInFlight|\.pyspark\.memory)$/;

/** The Spark size syntax: a number and an optional binary unit (`k`, `m`, `g`, `t`, `p`, with optional `b`). */
const SPARK_SIZE = /^\d+([kmgtp]b?)?$/i;

/** Why the user may not set `key`, or undefined. */
export function confKeyProblem(key: string): string | undefined {
  if (OWNED.some((r) => r.test(key))) return `${show(key)} is set by SparkJob itself (master, namespace, names, images, accounts and pod templates follow from its props)`;
  const typed = TYPED.find(([r]) => r.test(key));
  if (typed) return `${show(key)} contradicts the typed prop ${typed[1]}, which sets it`;
  return undefined;
}

/** Which Spark line's keys user conf is checked against (constructs/validation/spark-conf-keys.ts). */
export interface ConfKeyCheck {
  /** The job's Spark line (from its image); no check when the image's Spark is not a supported line. */
  readonly line: SparkLineName | undefined;
  /** Keys (or `prefix.*`) to accept besides Spark's own: plugins' keys (`allowedSparkConfKeys`). */
  readonly allowed: readonly string[];
}

/**
 * Checks user conf: no owned or typed keys, only keys of the job's Spark line (when `keys` is
 * given), sizes in Spark syntax, no clash with hadoopConf. Throws naming the prop.
 */
export function checkUserConf(sparkConf: Readonly<Record<string, string>>, hadoopConf: Readonly<Record<string, string>>, where: string, prop = 'sparkConf', keys?: ConfKeyCheck): void {
  for (const [key, value] of Object.entries(sparkConf)) {
    const field = `${prop}[${show(key)}]`;
    if (typeof value !== 'string') {
      throw new SparkPlatformError(field, `${show(value)} is not a string`, 'write every Spark conf value as a string, e.g. "true" or "4"', where);
    }
    const problem = confKeyProblem(key);
    if (problem) throw new SparkPlatformError(field, problem, 'remove the key; use the typed prop (the construct keeps both modes and its checks consistent)', where);
    const unknown = keys?.line ? unknownSparkConfKey(key, keys.line, keys.allowed) : undefined;
    if (unknown) {
      // The key meant may be one SparkJob sets from a typed prop: say so now, not on the next run.
      const typed = unknown.suggestion ? TYPED.find(([r]) => r.test(unknown.suggestion!))?.[1] : undefined;
      const fix = typed ? `${unknown.fix} (SparkJob sets ${show(unknown.suggestion)} from the typed prop ${typed}: use the prop)` : unknown.fix;
      throw new SparkPlatformError(field, unknown.problem, fix, where);
    }
    if (SIZE_KEY.test(key) && !SPARK_SIZE.test(value.trim())) {
      const fix = sparkSizeFix(value);
      throw new SparkPlatformError(field, `${show(value)} is not a Spark size`, fix ? `Spark writes ${show(fix)}` : 'use Spark syntax such as "512m" or "4g"', where);
    }
    if (key.startsWith('spark.hadoop.') && key.slice('spark.hadoop.'.length) in hadoopConf) {
      throw new SparkPlatformError(field, `sets the same Hadoop key as hadoopConf[${show(key.slice('spark.hadoop.'.length))}]`, 'set it in one place (hadoopConf, without the spark.hadoop. prefix)', where);
    }
  }
  for (const [key, value] of Object.entries(hadoopConf)) {
    if (typeof value !== 'string') {
      throw new SparkPlatformError(`hadoopConf[${show(key)}]`, `${show(value)} is not a string`, 'write every Hadoop conf value as a string', where);
    }
    if (key.startsWith('spark.')) {
      throw new SparkPlatformError(`hadoopConf[${show(key)}]`, 'is a Spark key; hadoopConf takes Hadoop keys without the spark.hadoop. prefix', `move it to sparkConf, or drop the prefix (${show(key.replace(/^spark\.hadoop\./, ''))})`, where);
    }
  }
}

/** Kubernetes-style sizes ("4Gi", "512Mi") in Spark syntax, or undefined. */
function sparkSizeFix(value: string): string | undefined {
  try {
    return Memory.parse(value).toSpark();
  } catch {
    return undefined;
  }
}

/**
 * The Spark conf SparkJob derives from its typed props, in two parts:
 * - `fromFields`: what the operator derives itself from SparkApplication fields (image, cores,
 *   memory, accounts, labels, deps, dynamic allocation); operator mode writes the fields, submit
 *   mode passes these keys to spark-submit.
 * - `extra`: keys with no SparkApplication field; both modes pass them as conf.
 * Same input, same conf: the basis of the "same job, same pods" guarantee.
 */
export function typedSparkConf(job: ResolvedSparkJob): { fromFields: Record<string, string>; extra: Record<string, string> } {
  const f: Record<string, string> = {};
  const x: Record<string, string> = {};
  f['spark.kubernetes.container.image'] = job.driver.image.image;
  if (job.executor.image.image !== job.driver.image.image) f['spark.kubernetes.executor.container.image'] = job.executor.image.image;
  f['spark.kubernetes.container.image.pullPolicy'] = job.imagePullPolicy;
  if (job.imagePullSecrets.length > 0) f['spark.kubernetes.container.image.pullSecrets'] = job.imagePullSecrets.join(',');
  for (const pod of [job.driver, job.executor]) podConf(pod, f, x);
  if (job.dynamicAllocation) {
    const d = job.dynamicAllocation;
    f['spark.dynamicAllocation.enabled'] = 'true';
    f['spark.dynamicAllocation.minExecutors'] = String(d.minExecutors);
    f['spark.dynamicAllocation.initialExecutors'] = String(d.initialExecutors);
    f['spark.dynamicAllocation.maxExecutors'] = String(d.maxExecutors);
    f['spark.dynamicAllocation.shuffleTracking.enabled'] = String(d.shuffleTracking);
    if (d.shuffleTrackingTimeoutMillis !== undefined) f['spark.dynamicAllocation.shuffleTracking.timeout'] = String(d.shuffleTrackingTimeoutMillis);
  } else {
    f['spark.executor.instances'] = String(job.executor.instances);
  }
  f['spark.kubernetes.executor.deleteOnTermination'] = String(job.executor.deleteOnTermination);
  const deps: Array<[string, readonly string[]]> = [
    ['spark.jars', job.deps.jars], ['spark.files', job.deps.files], ['spark.submit.pyFiles', job.deps.pyFiles],
    ['spark.archives', job.deps.archives], ['spark.jars.packages', job.deps.packages],
    ['spark.jars.excludes', job.deps.excludePackages], ['spark.jars.repositories', job.deps.repositories],
  ];
  for (const [key, list] of deps) if (list.length > 0) f[key] = list.join(',');

  // Spark merges the pod template into the container of this name; say it, rather than rely on
  // "the first container" (the operator and spark-submit would then agree only by accident).
  x['spark.kubernetes.driver.podTemplateContainerName'] = SPARK_CONTAINER.driver;
  x['spark.kubernetes.executor.podTemplateContainerName'] = SPARK_CONTAINER.executor;
  // Scratch space: the executors' on-demand claims (no SparkApplication field).
  Object.assign(x, scratchConf(job.executor.scratch));
  // --packages resolves under Java's user.home by default (/nonexistent in the official images).
  x['spark.jars.ivy'] = PLATFORM_IVY_HOME;
  if (job.prometheus) {
    x['spark.ui.prometheus.enabled'] = 'true';
    x['spark.metrics.conf.*.sink.prometheusServlet.class'] = 'org.apache.spark.metrics.sink.PrometheusServlet';
    x['spark.metrics.conf.*.sink.prometheusServlet.path'] = '/metrics/prometheus';
  }
  return { fromFields: f, extra: x };
}

function podConf(pod: ResolvedPod, f: Record<string, string>, x: Record<string, string>): void {
  const r = pod.role;
  f[`spark.${r}.cores`] = String(pod.cores);
  if (pod.coreRequest) f[`spark.kubernetes.${r}.request.cores`] = pod.coreRequest.toKubernetes();
  if (pod.coreLimit) f[`spark.kubernetes.${r}.limit.cores`] = pod.coreLimit.toKubernetes();
  f[`spark.${r}.memory`] = pod.memory.toSpark();
  if (pod.memoryOverhead) f[`spark.${r}.memoryOverhead`] = pod.memoryOverhead.toSpark();
  f[`spark.kubernetes.authenticate.${r}.serviceAccountName`] = pod.serviceAccount;
  for (const [k, v] of Object.entries(pod.labels)) f[`spark.kubernetes.${r}.label.${k}`] = v;
  for (const [k, v] of Object.entries(pod.annotations)) f[`spark.kubernetes.${r}.annotation.${k}`] = v;
  if (pod.gpu) {
    x[`spark.${r}.resource.gpu.amount`] = String(pod.gpu.amount);
    x[`spark.${r}.resource.gpu.vendor`] = pod.gpu.vendor;
    x[`spark.${r}.resource.gpu.discoveryScript`] = pod.gpu.discoveryScript;
  }
}

/** `conf` with keys sorted, for deterministic output. */
export function sortedConf(conf: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(conf).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
