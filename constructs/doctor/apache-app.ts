import { IConstruct } from 'constructs';
import { show } from '../errors';
import { Json, isRecord } from './evaluators/k8s-json';
import { PodOf, stringList, stringMap } from './pods';
import { SparkAppView, SparkPodView, confUris, dynamicAllocationOf, envOf, int, podView, splitList, withPrefix } from './spark-apps';

/** The History Server's main class: it serves event logs and starts no SparkContext (no executors). */
const NO_CONTEXT_SERVER = 'org.apache.spark.deploy.history.HistoryServer';

/** The API group of Apache Spark's Kubernetes operator (`apache/spark-kubernetes-operator`). */
export const APACHE_SPARK_GROUP = 'spark.apache.org';
/** The main class that makes the operator treat `pyFiles` as the primary resource plus extra files. */
const PYTHON_RUNNER = 'org.apache.spark.deploy.PythonRunner';
/** The placeholder the operator replaces with `runtimeVersions.sparkVersion` in image values. */
const SPARK_VERSION_PLACEHOLDER = '{{SPARK_VERSION}}';
/** Labels the operator adds to the driver, its Service and the executors, by conf override. */
const APP_NAME_LABEL = 'spark.operator/spark-app-name';

/** The language of an Apache SparkApplication, as the operator picks its primary resource. */
type Language = 'java' | 'python' | 'r';

/**
 * What the operator (1.0.0) runs, in its order: `jars` makes it Java/Scala whatever else is set;
 * else `mainClass` PythonRunner or `pyFiles` makes it Python; else `sparkRFiles` makes it R.
 */
function languageOf(spec: Json): Language {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  if (text(spec.jars) !== '') return 'java';
  if (spec.mainClass === PYTHON_RUNNER || text(spec.pyFiles) !== '') return 'python';
  if (text(spec.sparkRFiles) !== '') return 'r';
  return 'java';
}

/**
 * A SparkApplication of Apache Spark's Kubernetes operator (`spark.apache.org/v1`, and
 * `v1beta1`, which has the same spec), read from its manifest alone, so any producer's objects
 * are modelled alike. The operator builds the driver in-process with Spark's own Kubernetes
 * library (no spark-submit), from a conf it assembles as follows, and this model does the same:
 * - `spec.sparkConf`, with `{{SPARK_VERSION}}` in `spark.kubernetes.*container.image` values
 *   replaced by `spec.runtimeVersions.sparkVersion`;
 * - then, over the user's values: `spark.kubernetes.namespace` = the object's namespace,
 *   `spark.app.name` = its name (only when the conf sets one), the `spark.operator/spark-app-name`
 *   label on driver and executors, and `spark.kubernetes.{driver,executor}.podTemplateFile`
 *   pointing at `spec.{driver,executor}Spec.podTemplateSpec` (modelled as the template itself);
 * - then, where the conf has none: `spark.jars` from `spec.jars` (Java), `spark.submit.pyFiles`
 *   from `spec.pyFiles` (Python: all of it, or what follows the first file with PythonRunner),
 *   `spark.authenticate` and `spark.io.encryption.enabled` true,
 *   `spark.kubernetes.executor.deleteOnTermination` false without dynamic allocation or restarts.
 *
 * Not modelled: `spark.master` and `spark.app.id` (attempt-dependent), the label
 * `spark.operator/name` (the operator's name is not in the application), `spec.files` (the
 * operator never reads it: use `sparkConf["spark.files"]`), and the executors' `spark-version`
 * label (the image's Spark). There is no driver or executor image by default: without
 * `spark.kubernetes[.driver|.executor].container.image` the operator fails the application.
 */
export function apacheApp(construct: IConstruct, obj: Json): SparkAppView | undefined {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  if (!apiVersion.startsWith(`${APACHE_SPARK_GROUP}/`) || obj.kind !== 'SparkApplication') return undefined;
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : 'default';
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const runtime = isRecord(spec.runtimeVersions) ? spec.runtimeVersions : {};
  const sparkVersion = typeof runtime.sparkVersion === 'string' ? runtime.sparkVersion : undefined;
  const conf: Record<string, string> = {};
  const fields = new Map<string, string>();
  const set = (key: string, value: string, field: string) => {
    conf[key] = value;
    fields.set(key, field);
  };

  // 1. The user's conf, image placeholders resolved.
  for (const [k, v] of Object.entries(stringMap(spec.sparkConf))) {
    const image = k.startsWith('spark.kubernetes.') && k.endsWith('container.image');
    set(k, image ? v.split(SPARK_VERSION_PLACEHOLDER).join(sparkVersion ?? 'UNKNOWN') : v, `spec.sparkConf[${show(k)}]`);
  }
  // 2. What the operator forces.
  set('spark.kubernetes.namespace', namespace, 'metadata.namespace (the operator sets spark.kubernetes.namespace)');
  if ('spark.app.name' in conf) set('spark.app.name', name, 'metadata.name (the operator replaces spark.app.name)');
  for (const role of ['driver', 'executor'] as const) {
    set(`spark.kubernetes.${role}.label.${APP_NAME_LABEL}`, name, `metadata.name (the operator's ${role} label)`);
  }
  const templates: Partial<Record<'driver' | 'executor', PodOf & { annotations: Record<string, string> }>> = {};
  for (const role of ['driver', 'executor'] as const) {
    const holder = spec[`${role}Spec`];
    const template = isRecord(holder) && isRecord(holder.podTemplateSpec) ? holder.podTemplateSpec : undefined;
    if (!template) continue;
    // The operator writes the template to a file of its own and points Spark at it: a
    // podTemplateFile in sparkConf is overridden, so the conf key is no longer the user's.
    delete conf[`spark.kubernetes.${role}.podTemplateFile`];
    fields.delete(`spark.kubernetes.${role}.podTemplateFile`);
    const tmeta = isRecord(template.metadata) ? template.metadata : {};
    templates[role] = {
      spec: isRecord(template.spec) ? template.spec : {},
      labels: stringMap(tmeta.labels),
      annotations: stringMap(tmeta.annotations),
      field: `spec.${role}Spec.podTemplateSpec`,
    };
  }
  // 3. The main resource, where the conf leaves room.
  const language = languageOf(spec);
  const jars = typeof spec.jars === 'string' ? spec.jars : '';
  const pyFiles = typeof spec.pyFiles === 'string' ? spec.pyFiles : '';
  if (language === 'java' && jars !== '' && !('spark.jars' in conf)) set('spark.jars', jars, 'spec.jars');
  if (language === 'python' && !('spark.submit.pyFiles' in conf)) {
    const rest = spec.mainClass === PYTHON_RUNNER ? pyFiles.split(',').slice(1).join(',') : pyFiles;
    if (rest.trim() !== '') set('spark.submit.pyFiles', rest, 'spec.pyFiles');
  }
  // 4. The operator's defaults, where the conf has none.
  const byDefault = (key: string, value: string) => {
    if (!(key in conf)) set(key, value, `spec.sparkConf (unset: the operator sets ${key}=${value})`);
  };
  byDefault('spark.authenticate', 'true');
  byDefault('spark.io.encryption.enabled', 'true');
  const tolerations = isRecord(spec.applicationTolerations) ? spec.applicationTolerations : {};
  const restart = isRecord(tolerations.restartConfig) && typeof tolerations.restartConfig.restartPolicy === 'string' ? tolerations.restartConfig.restartPolicy : 'Never';
  if (conf['spark.dynamicAllocation.enabled']?.trim().toLowerCase() !== 'true' && restart === 'Never') {
    byDefault('spark.kubernetes.executor.deleteOnTermination', 'false');
  }
  Object.freeze(conf); // complete: the prefix index (confKeysWithPrefix) may now cache it
  const confField = (k: string) => fields.get(k) ?? 'spec.sparkConf';

  const nonJvm = language !== 'java';
  const appNameLabel = 'spark.app.name' in conf ? name : 'spark';
  const roleView = (role: 'driver' | 'executor'): SparkPodView => {
    const t = templates[role];
    const labels: Record<string, string> = {
      'spark-app-name': appNameLabel,
      ...(conf['spark.app.id'] !== undefined ? { 'spark-app-selector': conf['spark.app.id'] } : {}),
      ...(role === 'driver' && sparkVersion !== undefined ? { 'spark-version': sparkVersion } : {}),
      ...withPrefix(conf, `spark.kubernetes.${role}.label.`),
    };
    const selector = { ...withPrefix(conf, 'spark.kubernetes.node.selector.'), ...withPrefix(conf, `spark.kubernetes.${role}.node.selector.`) };
    const view = podView(role, conf, nonJvm, {}, labels, selector, t, t?.field, envOf(role, conf, t));
    return t ? { ...view, templateAnnotations: t.annotations } : view;
  };

  const uris: Array<{ field: string; value: string }> = [];
  if (jars !== '') uris.push({ field: 'spec.jars', value: jars });
  splitList(pyFiles).forEach((u, i) => uris.push({ field: `spec.pyFiles (entry ${i})`, value: u }));
  if (typeof spec.sparkRFiles === 'string' && spec.sparkRFiles !== '') uris.push({ field: 'spec.sparkRFiles', value: spec.sparkRFiles });
  stringList(spec.driverArgs).forEach((a, i) => uris.push({ field: `spec.driverArgs[${i}]`, value: a }));
  // spark.jars / spark.submit.pyFiles copied from spec.jars / spec.pyFiles are listed once, above.
  uris.push(...confUris(conf, confField).filter((u) => u.field !== 'spec.jars' && u.field !== 'spec.pyFiles'));

  // No executor pods: a server without a SparkContext, or executors in a standalone cluster's workers.
  const executorPods = spec.mainClass !== NO_CONTEXT_SERVER && !String(conf['spark.master'] ?? '').startsWith('spark://');
  const ttl = typeof tolerations.ttlAfterStopMillis === 'number' && tolerations.ttlAfterStopMillis >= 0 ? Math.floor(tolerations.ttlAfterStopMillis / 1000) : undefined;
  return {
    construct,
    object: `SparkApplication/${namespace}/${name}`,
    label: `SparkApplication ${namespace}/${name} (${APACHE_SPARK_GROUP})`,
    mode: 'apache-operator',
    namespace,
    name,
    python: language === 'python',
    nonJvm,
    sparkVersion,
    conf,
    confField,
    uris,
    packages: splitList(conf['spark.jars.packages']),
    jars: splitList(conf['spark.jars']),
    driver: roleView('driver'),
    executor: roleView('executor'),
    executorPods,
    instances: executorPods ? int(conf['spark.executor.instances']) ?? 2 : 0,
    dynamicAllocation: executorPods ? dynamicAllocationOf(conf, undefined, confField('spark.dynamicAllocation.enabled')) : undefined,
    // A negative ttlAfterStopMillis (the default, -1) keeps the object for ever; an application
    // restarted after every stop (restartConfig Always: a server) is meant to run for ever.
    ttlRequired: restart !== 'Always',
    ttlSeconds: ttl,
    ttlField: 'spec.applicationTolerations.ttlAfterStopMillis',
    imagePullSecrets: splitList(conf['spark.kubernetes.container.image.pullSecrets']),
  };
}
