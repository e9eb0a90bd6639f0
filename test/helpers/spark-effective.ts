/**
 * An independent model of what a Spark job makes Spark do, for the three ways SparkJob runs it:
 *
 * - {@link effectiveFromSparkApplication}: what the Kubeflow spark-operator (v2.5) passes to
 *   spark-submit for a SparkApplication (or each run of a ScheduledSparkApplication), written
 *   from the operator's submission code (internal/controller/sparkapplication/submission.go)
 *   and, optionally, what its pod-mutating webhook (internal/webhook/sparkpod_defaulter.go)
 *   adds to the pods;
 * - {@link effectiveFromSubmitJob}: what the spark-submit command line of a submit-mode Job (or
 *   CronJob) says, with the pod templates read back from the ConfigMap its pod mounts;
 * - {@link effectiveFromApacheSparkApplication}: what Apache Spark's Kubernetes operator (1.0.0)
 *   hands Spark's submission code for a `spark.apache.org/v1` SparkApplication.
 *
 * All return an {@link EffectiveApp}, so "same job, same pods" is one `toEqual`.
 *
 * Deliberately independent of the construct: nothing here imports SparkJob's conf builders or
 * constants (typedSparkConf, sparkApplicationSpec, sparkSubmitArgs, SPARK_CONTAINER, ...). Names
 * such as the in-cluster master URL or the Spark container names are written down again from
 * Spark's and the operator's documentation, so a change on the construct side cannot silently
 * change the model with it.
 *
 * Fields the model does not know throw ("not modelled") instead of being skipped, so a new field
 * the construct starts to emit cannot make a comparison pass by being ignored on both sides.
 */
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import { parse } from 'yaml';
import {
  ConcurrencyPolicy, Cpu, Memory, SparkEnvValue, SparkImage, SparkJob, SparkJobProps, SparkJobType,
} from '../../constructs';
import { Json, isRecord } from './k8s-json';

/** What a Spark application amounts to once submitted: the same shape for both modes. */
export interface EffectiveApp {
  namespace: string;
  appName: string;
  driverPodName: string;
  mainClass?: string;
  /** The user the driver impersonates (`--proxy-user`), if any. */
  proxyUser?: string;
  mainApplicationFile: string;
  arguments: string[];
  /** The Spark conf spark-submit ends up with, without the mode-specific keys (namespace, names, template files, waitAppCompletion). */
  conf: Record<string, string>;
  /** Driver pod template (metadata + spec), after the webhook's mutations when modelled, without ownerReferences. */
  driverPod: Json;
  /** Executor pod template, likewise. */
  executorPod: Json;
  /**
   * The pod group a batch scheduler gangs the pods in (operator mode with `spec.batchScheduler`,
   * modelled for Volcano): not part of the pods, so undefined in the other modes.
   */
  podGroup?: Json;
}

/** Options of {@link effectiveFromSparkApplication}. */
export interface SparkApplicationModelOptions {
  /**
   * Model the operator's pod-mutating webhook: with it, `env`, `envFrom`, `volumeMounts` (+ the
   * `spec.volumes` they name), `securityContext`, `podSecurityContext`, `nodeSelector`,
   * `tolerations` and `affinity` of the driver/executor reach the pods; without it (the chart's
   * default) the operator silently ignores them.
   */
  readonly webhook: boolean;
}

/** The master URL spark-submit needs in a pod: the in-cluster API server, port included. */
export const EXPECTED_MASTER = 'k8s://https://kubernetes.default.svc:443';

/**
 * Stands for the part of a scheduled run's name only known at run time: the operator names each
 * run of a ScheduledSparkApplication `<name>-<unix nanos>` (scheduledsparkapplication/controller.go).
 */
export const SCHEDULED_RUN_SUFFIX = '<unix-nanos>';

/** Keys that only say how a mode submits, not what runs: removed from both sides' `conf`. */
export const MODE_SPECIFIC_KEYS: readonly string[] = [
  'spark.kubernetes.namespace',
  'spark.kubernetes.driver.pod.name',
  'spark.kubernetes.submission.waitAppCompletion',
  'spark.kubernetes.driver.podTemplateFile',
  'spark.kubernetes.executor.podTemplateFile',
  'spark.app.name',
];

/** Labels the operator adds for its own bookkeeping (app name, submission id, ...): left out. */
const OPERATOR_LABEL_PREFIX = 'sparkoperator.k8s.io/';

type Role = 'driver' | 'executor';
const ROLES: readonly Role[] = ['driver', 'executor'];

/** The name Spark gives its container, and the one the webhook mutates (Spark's `spark-kubernetes-<role>`). */
function sparkContainerName(role: Role): string {
  return `spark-kubernetes-${role}`;
}

// ---------------------------------------------------------------------------------------------
// SparkApplication (operator mode)
// ---------------------------------------------------------------------------------------------

/** SparkApplicationSpec fields the model reads. */
const SPEC_FIELDS = new Set([
  'type', 'mode', 'sparkVersion', 'image', 'imagePullPolicy', 'imagePullSecrets', 'mainClass', 'mainApplicationFile',
  'arguments', 'pythonVersion', 'proxyUser', 'sparkConf', 'hadoopConf', 'deps', 'dynamicAllocation', 'nodeSelector', 'volumes',
  'driver', 'executor',
  // No effect on what is submitted: retries, clean-up.
  'restartPolicy', 'timeToLiveSeconds',
  // Monitoring (issue 18): the JMX exporter (monitoringEffects).
  'monitoring',
  // Pod features part 2 (issue 18): no effect on the pods, only on the UI Service the operator creates beside Spark's driver Service.
  'sparkUIOptions',
  // Batch scheduling (issue 18, production apps): the pod group and its annotations (batchSchedulerEffects).
  'batchScheduler', 'batchSchedulerOptions',
]);

/** Driver/executor fields the operator turns into conf (or uses itself). */
const ROLE_CONF_FIELDS = new Set(['cores', 'coreRequest', 'coreLimit', 'memory', 'memoryOverhead', 'image', 'serviceAccount', 'labels', 'annotations', 'template', 'podName', 'javaOptions']);
/** Driver/executor fields only the pod-mutating webhook applies. */
const ROLE_WEBHOOK_FIELDS = new Set([
  'env', 'envFrom', 'volumeMounts', 'securityContext', 'podSecurityContext', 'nodeSelector', 'tolerations', 'affinity', 'memoryLimit',
  // Production apps (issue 18): the rest of what a team writes for the webhook.
  'ports', 'hostAliases', 'initContainers', 'sidecars', 'dnsConfig', 'priorityClassName', 'schedulerName', 'gpu', 'terminationGracePeriodSeconds', 'lifecycle',
]);
const EXECUTOR_ONLY_FIELDS = new Set(['instances', 'deleteOnTermination']);

/** `deps` field -> the Spark conf key its spark-submit flag sets. */
const DEPS: ReadonlyArray<readonly [string, string]> = [
  ['jars', 'spark.jars'], ['files', 'spark.files'], ['pyFiles', 'spark.submit.pyFiles'], ['archives', 'spark.archives'],
  ['packages', 'spark.jars.packages'], ['excludePackages', 'spark.jars.excludes'], ['repositories', 'spark.jars.repositories'],
];

/** spark-submit dependency flag -> the Spark conf key it sets. */
const DEP_FLAGS: Readonly<Record<string, string>> = {
  '--jars': 'spark.jars', '--files': 'spark.files', '--py-files': 'spark.submit.pyFiles', '--archives': 'spark.archives',
  '--packages': 'spark.jars.packages', '--exclude-packages': 'spark.jars.excludes', '--repositories': 'spark.jars.repositories',
};

/**
 * What the operator v2.5 makes spark-submit do for `app` (a SparkApplication or a
 * ScheduledSparkApplication, whose runs use `spec.template`).
 *
 * Conf, in the operator's argument order (a later `--conf` wins): image, pull policy and secrets,
 * pythonVersion; `sparkConf`; `hadoopConf` as `spark.hadoop.*`; per role the SparkApplication's
 * own labels (the operator copies `metadata.labels` onto both pods), then cores, requests and
 * limits, memory and overhead, image, account, labels and annotations; app-level nodeSelector;
 * dynamic allocation; and deps last (they are flags, which beat `--conf`).
 */
export function effectiveFromSparkApplication(app: unknown, options: SparkApplicationModelOptions): EffectiveApp {
  const root = record(app, 'the object');
  if (root.apiVersion !== 'sparkoperator.k8s.io/v1beta2') throw new Error(`not a sparkoperator.k8s.io/v1beta2 object: apiVersion ${JSON.stringify(root.apiVersion)}`);
  const meta = record(root.metadata, 'metadata');
  const name = text(meta.name, 'metadata.name');
  const namespace = text(meta.namespace, 'metadata.namespace');
  let spec: Json;
  let appName: string;
  if (root.kind === 'SparkApplication') {
    spec = record(root.spec, 'spec');
    appName = name;
  } else if (root.kind === 'ScheduledSparkApplication') {
    spec = record(record(root.spec, 'spec').template, 'spec.template');
    appName = `${name}-${SCHEDULED_RUN_SUFFIX}`;
  } else {
    throw new Error(`not a SparkApplication or ScheduledSparkApplication: kind ${JSON.stringify(root.kind)}`);
  }
  known(spec, SPEC_FIELDS, 'spec');
  const mode = spec.mode ?? 'cluster';
  if (mode !== 'cluster') throw new Error(`spec.mode ${JSON.stringify(mode)}: only cluster mode is modelled`);

  const roles = { driver: record(spec.driver, 'spec.driver'), executor: record(spec.executor, 'spec.executor') };
  for (const role of ROLES) {
    const allowed = new Set([...ROLE_CONF_FIELDS, ...ROLE_WEBHOOK_FIELDS, ...(role === 'executor' ? EXECUTOR_ONLY_FIELDS : [])]);
    known(roles[role], allowed, `spec.${role}`);
  }

  const conf: Record<string, string> = {};
  const set = (key: string, value: unknown): void => {
    if (value === undefined || value === null || value === '') return;
    conf[key] = goString(value, key);
  };
  set('spark.kubernetes.container.image', spec.image);
  set('spark.kubernetes.container.image.pullPolicy', spec.imagePullPolicy);
  const pullSecrets = strings(spec.imagePullSecrets, 'spec.imagePullSecrets');
  if (pullSecrets.length > 0) set('spark.kubernetes.container.image.pullSecrets', pullSecrets.join(','));
  set('spark.kubernetes.pyspark.pythonVersion', spec.pythonVersion);
  const monitoring = monitoringEffects(spec, namespace, appName, options);
  const batch = batchSchedulerEffects(spec, roles, appName);
  for (const [key, value] of Object.entries({ ...stringMap(spec.sparkConf, 'spec.sparkConf'), ...monitoring.sparkConf })) {
    // The operator sets the driver pod name itself and skips this key of sparkConf.
    if (key !== 'spark.kubernetes.driver.pod.name') set(key, value);
  }
  for (const [key, value] of Object.entries(stringMap(spec.hadoopConf, 'spec.hadoopConf'))) set(`spark.hadoop.${key}`, value);

  const appLabels = Object.fromEntries(Object.entries(stringMap(meta.labels, 'metadata.labels')).filter(([k]) => !k.startsWith(OPERATOR_LABEL_PREFIX)));
  for (const role of ROLES) {
    const r = roles[role];
    if (role === 'executor') set('spark.executor.instances', r.instances);
    set(`spark.kubernetes.${role}.container.image`, r.image);
    set(`spark.${role}.cores`, r.cores);
    set(`spark.kubernetes.${role}.request.cores`, r.coreRequest);
    set(`spark.kubernetes.${role}.limit.cores`, r.coreLimit);
    set(`spark.${role}.memory`, r.memory);
    set(`spark.${role}.memoryOverhead`, r.memoryOverhead);
    set(`spark.kubernetes.authenticate.${role}.serviceAccountName`, r.serviceAccount);
    if (role === 'executor') set('spark.kubernetes.executor.deleteOnTermination', r.deleteOnTermination);
    // metadata.labels first, the role's own labels after: on a clash the role's win (last --conf).
    for (const [k, v] of Object.entries({ ...appLabels, ...stringMap(r.labels, `spec.${role}.labels`) })) set(`spark.kubernetes.${role}.label.${k}`, v);
    const annotations = { ...stringMap(r.annotations, `spec.${role}.annotations`), ...monitoring.annotations[role], ...batch.annotations[role] };
    for (const [k, v] of Object.entries(annotations)) set(`spark.kubernetes.${role}.annotation.${k}`, v);
    // submission.go: spec.<role>.javaOptions (with the monitoring agent appended) after sparkConf.
    const javaOptions = [r.javaOptions === undefined ? undefined : text(r.javaOptions, `spec.${role}.javaOptions`), monitoring.agent[role]].filter((o) => o !== undefined);
    if (javaOptions.length > 0) set(`spark.${role}.extraJavaOptions`, javaOptions.join(' '));
  }
  for (const [k, v] of Object.entries(stringMap(spec.nodeSelector, 'spec.nodeSelector'))) set(`spark.kubernetes.node.selector.${k}`, v);

  const da = spec.dynamicAllocation === undefined ? undefined : record(spec.dynamicAllocation, 'spec.dynamicAllocation');
  if (da?.enabled === true) {
    set('spark.dynamicAllocation.enabled', true);
    set('spark.dynamicAllocation.initialExecutors', da.initialExecutors);
    set('spark.dynamicAllocation.minExecutors', da.minExecutors);
    set('spark.dynamicAllocation.maxExecutors', da.maxExecutors);
    // The operator writes shuffle tracking always, defaulting it to true.
    set('spark.dynamicAllocation.shuffleTracking.enabled', da.shuffleTrackingEnabled ?? true);
    set('spark.dynamicAllocation.shuffleTracking.timeout', da.shuffleTrackingTimeout);
  }

  const deps = spec.deps === undefined ? {} : record(spec.deps, 'spec.deps');
  known(deps, new Set(DEPS.map(([field]) => field)), 'spec.deps');
  for (const [field, key] of DEPS) {
    const items = strings(deps[field], `spec.deps.${field}`);
    if (items.length > 0) set(key, items.join(','));
  }

  const volumes = list(spec.volumes, 'spec.volumes').map((v, i) => record(v, `spec.volumes[${i}]`));
  for (const role of ROLES) Object.assign(conf, localDirConf(role, roles[role], volumes));
  const pod = (role: Role): Json => {
    const p = normalisePod(roles[role].template, `spec.${role}.template`);
    return options.webhook ? applyWebhook(p, role, roles[role], volumes, { schedulerName: batch.schedulerName, monitoring: monitoring.webhook[role] }) : p;
  };
  return {
    namespace,
    appName,
    driverPodName: driverPodName(roles.driver, stringMap(spec.sparkConf, 'spec.sparkConf'), appName),
    mainClass: spec.mainClass === undefined ? undefined : text(spec.mainClass, 'spec.mainClass'),
    // The operator passes spec.proxyUser to spark-submit as --proxy-user.
    proxyUser: spec.proxyUser === undefined ? undefined : text(spec.proxyUser, 'spec.proxyUser'),
    mainApplicationFile: text(spec.mainApplicationFile, 'spec.mainApplicationFile'),
    arguments: strings(spec.arguments, 'spec.arguments'),
    conf: withoutRedundantRoleImages(withoutModeKeys(conf)),
    driverPod: pod('driver'),
    executorPod: pod('executor'),
    ...(batch.podGroup ? { podGroup: batch.podGroup } : {}),
  };
}

/**
 * The conf the operator passes for a role's mounts of `spark-local-dir-*` volumes of `spec.volumes`
 * (submission.go, {driver,executor}VolumeMountsOption): Spark mounts them itself, as its local
 * dirs; the webhook skips them. emptyDir and persistentVolumeClaim volumes are modelled.
 */
function localDirConf(role: Role, r: Json, volumes: readonly Json[]): Record<string, string> {
  const conf: Record<string, string> = {};
  for (const m of list(r.volumeMounts, `spec.${role}.volumeMounts`).map((x) => record(x, `spec.${role}.volumeMounts[]`))) {
    const name = text(m.name, `spec.${role}.volumeMounts[].name`);
    if (!name.startsWith('spark-local-dir-')) continue;
    const volume = volumes.find((v) => v.name === name);
    if (!volume) throw new Error(`spec.${role}.volumeMounts: ${name} is not in spec.volumes (the operator fails the submission)`);
    const type = isRecord(volume.emptyDir) ? 'emptyDir' : isRecord(volume.persistentVolumeClaim) ? 'persistentVolumeClaim' : undefined;
    if (type === undefined) throw new Error(`spec.volumes ${name}: only emptyDir and persistentVolumeClaim local dirs are modelled`);
    const prefix = `spark.kubernetes.${role}.volumes.${type}.${name}`;
    if (m.mountPath) conf[`${prefix}.mount.path`] = text(m.mountPath, 'mountPath');
    if (m.subPath) conf[`${prefix}.mount.subPath`] = text(m.subPath, 'subPath');
    if (m.readOnly === true) conf[`${prefix}.mount.readOnly`] = 'true';
    const source = record(volume[type], `spec.volumes ${name}.${type}`);
    if (type === 'emptyDir') {
      if (source.sizeLimit !== undefined) conf[`${prefix}.options.sizeLimit`] = goString(source.sizeLimit, 'sizeLimit');
      if (source.medium) conf[`${prefix}.options.medium`] = text(source.medium, 'medium');
    } else {
      conf[`${prefix}.options.claimName`] = text(source.claimName, 'claimName');
      if (source.readOnly === true) conf[`${prefix}.options.readOnly`] = 'true';
    }
  }
  return conf;
}

/** What the operator does for `spec.batchScheduler` (modelled for Volcano, with the controller started with batch scheduling). */
interface BatchSchedulerEffects {
  /** Annotations added to the role's pods (through its conf). */
  annotations: Record<Role, Record<string, string>>;
  /** The pods' schedulerName, which only the webhook writes (sparkpod_defaulter.go addSchedulerName). */
  schedulerName?: string;
  podGroup?: Json;
}

/**
 * Volcano (scheduler/volcano/scheduler.go, cluster mode): before submitting, the controller creates
 * the PodGroup `spark-<app>-pg` (minMember 1; queue and priorityClassName from
 * `batchSchedulerOptions`; minResources from its `resources`, else the driver's and executors'
 * requests summed) and annotates driver and executors with `scheduling.k8s.io/group-name` unless
 * the driver already has it; the webhook then sets `schedulerName: volcano` on the pods. Other
 * schedulers (YuniKorn's task groups, kube-scheduler PodGroups) are not modelled.
 */
function batchSchedulerEffects(spec: Json, roles: Record<Role, Json>, appName: string): BatchSchedulerEffects {
  const none: BatchSchedulerEffects = { annotations: { driver: {}, executor: {} } };
  if (spec.batchScheduler === undefined) {
    if (spec.batchSchedulerOptions !== undefined) throw new Error('spec.batchSchedulerOptions without spec.batchScheduler: the operator\'s default scheduler is not modelled');
    return none;
  }
  const name = text(spec.batchScheduler, 'spec.batchScheduler');
  if (name !== 'volcano') throw new Error(`spec.batchScheduler ${JSON.stringify(name)}: only volcano is modelled`);
  const o = spec.batchSchedulerOptions === undefined ? {} : record(spec.batchSchedulerOptions, 'spec.batchSchedulerOptions');
  known(o, new Set(['queue', 'priorityClassName', 'resources']), 'spec.batchSchedulerOptions');
  const group = `spark-${appName}-pg`;
  const key = 'scheduling.k8s.io/group-name';
  const annotated = key in stringMap(roles.driver.annotations, 'spec.driver.annotations');
  const resources = o.resources === undefined ? {} : stringMap(o.resources, 'spec.batchSchedulerOptions.resources');
  return {
    annotations: annotated ? none.annotations : { driver: { [key]: group }, executor: { [key]: group } },
    schedulerName: name,
    podGroup: {
      name: group,
      minMember: 1,
      ...(o.queue !== undefined ? { queue: text(o.queue, 'spec.batchSchedulerOptions.queue') } : {}),
      ...(o.priorityClassName !== undefined ? { priorityClassName: text(o.priorityClassName, 'spec.batchSchedulerOptions.priorityClassName') } : {}),
      minResources: Object.keys(resources).length > 0 ? resources : '<driver and executor requests>',
    },
  };
}

/** What the webhook adds to a role's pod for `spec.monitoring`: the operator's ConfigMap and the exporter's port. */
interface MonitoringMounts {
  volume: Json;
  mount: Json;
  port: Json;
}

/**
 * What the operator does for `spec.monitoring` before submitting (monitoring_config.go), when
 * `monitoring.prometheus` is set: `spark.metrics.namespace` = `<namespace>.<app>` and
 * `spark.metrics.conf` (the in-image `metricsPropertiesFile`, else the file of its own ConfigMap
 * `<app>-prom-conf` mounted at /etc/metrics/conf) into sparkConf; for each exposed role the
 * `-javaagent:<jar>=<port>:<config>` (the in-image `prometheus.configFile`, else that
 * ConfigMap's prometheus.yaml) appended to its javaOptions and the `prometheus.io/*` annotations
 * (port, path /metrics) on it. Unless both files are in the image, the webhook mounts that
 * ConfigMap (volume `<app>-prom-conf-vol`, read-only) and adds the port (`portName`, default
 * `jmx-exporter`, TCP) to the Spark container of each exposed role (sparkpod_defaulter.go
 * addPrometheusConfig); the ConfigMap's content (the operator's default rules) is not modelled,
 * and without the webhook (the agent would find no config) this throws.
 */
function monitoringEffects(spec: Json, namespace: string, appName: string, options: SparkApplicationModelOptions): {
  sparkConf: Record<string, string>; agent: Partial<Record<Role, string>>; annotations: Record<Role, Record<string, string>>;
  webhook: Partial<Record<Role, MonitoringMounts>>;
} {
  const none = { sparkConf: {}, agent: {}, annotations: { driver: {}, executor: {} }, webhook: {} };
  if (spec.monitoring === undefined) return none;
  const m = record(spec.monitoring, 'spec.monitoring');
  known(m, new Set(['exposeDriverMetrics', 'exposeExecutorMetrics', 'metricsPropertiesFile', 'prometheus']), 'spec.monitoring');
  if (m.prometheus === undefined) return none; // util.PrometheusMonitoringEnabled: nothing happens
  const p = record(m.prometheus, 'spec.monitoring.prometheus');
  known(p, new Set(['jmxExporterJar', 'port', 'portName', 'configFile']), 'spec.monitoring.prometheus');
  const mountPath = '/etc/metrics/conf';
  const port = p.port === undefined ? 8090 : Number(p.port);
  const configFile = p.configFile === undefined ? `${mountPath}/prometheus.yaml` : text(p.configFile, 'spec.monitoring.prometheus.configFile');
  const metricsFile = m.metricsPropertiesFile === undefined ? `${mountPath}/metrics.properties` : text(m.metricsPropertiesFile, 'spec.monitoring.metricsPropertiesFile');
  const agent = `-javaagent:${text(p.jmxExporterJar, 'spec.monitoring.prometheus.jmxExporterJar')}=${port}:${configFile}`;
  const annotations = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' };
  const exposed = (role: Role): boolean => (role === 'driver' ? m.exposeDriverMetrics : m.exposeExecutorMetrics) === true;
  const ownConfigMap = m.metricsPropertiesFile === undefined || p.configFile === undefined;
  if (ownConfigMap && !options.webhook) {
    throw new Error('spec.monitoring without both metricsPropertiesFile and prometheus.configFile: the operator\'s own ConfigMap is mounted by its webhook only, so without it the -javaagent finds no config and the JVMs do not start (not modelled)');
  }
  const configMap = `${appName}-prom-conf`;
  const mounts: MonitoringMounts = {
    volume: { name: `${configMap}-vol`, configMap: { name: configMap } },
    mount: { name: `${configMap}-vol`, readOnly: true, mountPath },
    port: { name: p.portName === undefined ? 'jmx-exporter' : text(p.portName, 'spec.monitoring.prometheus.portName'), containerPort: port, protocol: 'TCP' },
  };
  return {
    sparkConf: { 'spark.metrics.namespace': `${namespace}.${appName}`, 'spark.metrics.conf': metricsFile },
    agent: Object.fromEntries(ROLES.filter(exposed).map((role) => [role, agent])),
    annotations: { driver: exposed('driver') ? annotations : {}, executor: exposed('executor') ? annotations : {} },
    webhook: ownConfigMap ? Object.fromEntries(ROLES.filter(exposed).map((role) => [role, mounts])) : {},
  };
}

/** util.GetDriverPodName: `driver.podName`, else sparkConf's pod name, else `<app>-driver`. */
function driverPodName(driver: Json, sparkConf: Record<string, string>, appName: string): string {
  if (typeof driver.podName === 'string' && driver.podName !== '') return driver.podName;
  return sparkConf['spark.kubernetes.driver.pod.name'] || `${appName}-driver`;
}

/** What the webhook adds to a pod besides the role's own fields. */
interface WebhookExtras {
  /** `spec.batchScheduler`, which wins over the role's `schedulerName`. */
  schedulerName?: string;
  /** The operator's JMX exporter ConfigMap and port (monitoringEffects). */
  monitoring?: MonitoringMounts;
}

/**
 * The webhook's pod mutations for `role` (sparkpod_defaulter.go mutateSparkPod, in its order), on
 * the Spark container (`spark-kubernetes-<role>`, created if the template has none) and the pod:
 * env and envFrom appended; the volumes the mounts name appended with the mounts (not the
 * `spark-local-dir-*` ones, which are conf); ports appended; host aliases appended; init
 * containers and sidecars appended unless one of the same name and image is there; dnsConfig,
 * priorityClassName (dropping `priority`), schedulerName set; nodeSelector merged; affinity set;
 * tolerations appended; the memory limit and the GPU limit (`gpu.name`: `gpu.quantity`) set; the
 * exporter's ConfigMap and port; both security contexts, the grace period and the Spark
 * container's lifecycle replaced.
 */
function applyWebhook(pod: Json, role: Role, r: Json, appVolumes: readonly Json[], extras: WebhookExtras = {}): Json {
  const spec = record(pod.spec, 'pod spec');
  const containers = list(spec.containers, 'containers').map((c) => record(c, 'container'));
  let container = containers.find((c) => c.name === sparkContainerName(role));
  if (!container) {
    container = { name: sparkContainerName(role) };
    containers.push(container);
  }
  spec.containers = containers;
  const append = (target: Json, key: string, items: unknown[]): void => {
    if (items.length > 0) target[key] = [...list(target[key], key), ...clone(items)];
  };
  const limit = (name: string, value: string): void => {
    const resources = isRecord(container!.resources) ? container!.resources : {};
    container!.resources = { ...resources, limits: { ...(isRecord(resources.limits) ? resources.limits : {}), [name]: value } };
  };
  append(container, 'env', list(r.env, `${role}.env`));
  append(container, 'envFrom', list(r.envFrom, `${role}.envFrom`));
  const added = new Set<string>();
  for (const m of list(r.volumeMounts, `${role}.volumeMounts`)) {
    const mount = record(m, `${role}.volumeMounts[]`);
    if (String(mount.name).startsWith('spark-local-dir-')) continue; // passed as conf (localDirConf)
    const volume = appVolumes.find((v) => v.name === mount.name);
    if (!volume) continue; // the webhook skips mounts of volumes the app does not declare
    if (!added.has(String(mount.name))) {
      append(spec, 'volumes', [volume]);
      added.add(String(mount.name));
    }
    append(container, 'volumeMounts', [mount]);
  }
  append(container, 'ports', list(r.ports, `${role}.ports`));
  append(spec, 'hostAliases', list(r.hostAliases, `${role}.hostAliases`));
  const sameContainer = (a: unknown, b: Json): boolean => isRecord(a) && a.name === b.name && a.image === b.image;
  for (const [field, key] of [['initContainers', 'initContainers'], ['sidecars', 'containers']] as const) {
    for (const c of list(r[field], `${role}.${field}`).map((x) => record(x, `${role}.${field}[]`))) {
      if (!list(spec[key], key).some((x) => sameContainer(x, c))) append(spec, key, [c]);
    }
  }
  if (r.dnsConfig !== undefined) spec.dnsConfig = clone(r.dnsConfig);
  if (r.priorityClassName !== undefined) {
    spec.priorityClassName = text(r.priorityClassName, `${role}.priorityClassName`);
    delete spec.priority;
    delete spec.preemptionPolicy;
  }
  const schedulerName = extras.schedulerName ?? (r.schedulerName === undefined ? undefined : text(r.schedulerName, `${role}.schedulerName`));
  if (schedulerName !== undefined) spec.schedulerName = schedulerName;
  const nodeSelector = stringMap(r.nodeSelector, `${role}.nodeSelector`);
  if (Object.keys(nodeSelector).length > 0) spec.nodeSelector = { ...stringMap(spec.nodeSelector, 'nodeSelector'), ...nodeSelector };
  if (r.affinity !== undefined) spec.affinity = clone(r.affinity);
  append(spec, 'tolerations', list(r.tolerations, `${role}.tolerations`));
  // addMemoryLimit: the Spark container's memory limit replaced (after Spark wrote limit = request).
  if (r.memoryLimit !== undefined) limit('memory', text(r.memoryLimit, `${role}.memoryLimit`));
  if (r.gpu !== undefined) {
    const gpu = record(r.gpu, `${role}.gpu`);
    // addGPU skips (with a log line only) a GPU without a name or with a quantity <= 0.
    if (typeof gpu.name === 'string' && gpu.name !== '' && Number(gpu.quantity) > 0) limit(gpu.name, String(gpu.quantity));
  }
  if (extras.monitoring) {
    append(spec, 'volumes', [extras.monitoring.volume]);
    append(container, 'volumeMounts', [extras.monitoring.mount]);
    append(container, 'ports', [extras.monitoring.port]);
  }
  if (r.securityContext !== undefined) container.securityContext = clone(r.securityContext);
  if (r.podSecurityContext !== undefined) spec.securityContext = clone(r.podSecurityContext);
  if (r.terminationGracePeriodSeconds !== undefined) spec.terminationGracePeriodSeconds = Number(r.terminationGracePeriodSeconds);
  if (r.lifecycle !== undefined) container.lifecycle = clone(r.lifecycle);
  return pod;
}

/**
 * `app` with the extended resources Spark itself puts on its container's limits (and requests are
 * not written for them): for each `spark.<role>.resource.<name>.amount` with a `.vendor`, the
 * limit `<vendor>/<name>` = amount (KubernetesUtils.buildResourcesQuantities, Spark 3.x/4.x;
 * without a vendor Spark refuses to build the pod, so that throws here too). Lets a GPU the
 * webhook writes into the limits (`gpu`) compare with one Spark writes from its conf.
 */
export function withSparkResourceLimits(app: EffectiveApp): EffectiveApp {
  const out = clone(app);
  for (const role of ROLES) {
    const prefix = `spark.${role}.resource.`;
    const names = [...new Set(Object.keys(app.conf).filter((k) => k.startsWith(prefix) && k.endsWith('.amount')).map((k) => k.slice(prefix.length, -'.amount'.length)))];
    if (names.length === 0) continue;
    const pod = role === 'driver' ? out.driverPod : out.executorPod;
    const spec: Json = isRecord(pod.spec) ? pod.spec : {};
    pod.spec = spec;
    const containers = list(spec.containers, 'containers').map((c) => record(c, 'container'));
    const wanted = app.conf[`spark.kubernetes.${role}.podTemplateContainerName`] ?? sparkContainerName(role);
    let container = containers.find((c) => c.name === wanted) ?? containers[0];
    if (!container) {
      container = { name: sparkContainerName(role) };
      containers.push(container);
    }
    spec.containers = containers;
    for (const name of names) {
      const vendor = app.conf[`${prefix}${name}.vendor`];
      if (!vendor) throw new Error(`${prefix}${name}.amount without ${prefix}${name}.vendor: Spark refuses to build the ${role} pod`);
      const resources = isRecord(container.resources) ? container.resources : {};
      container.resources = { ...resources, limits: { ...(isRecord(resources.limits) ? resources.limits : {}), [`${vendor}/${name}`]: app.conf[`${prefix}${name}.amount`] } };
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// spark.apache.org/v1 SparkApplication (Apache Spark Kubernetes Operator 1.0.0)
// ---------------------------------------------------------------------------------------------

/** SparkApplication spec fields (spark.apache.org/v1) the model reads. */
const APACHE_SPEC_FIELDS = new Set([
  'mainClass', 'jars', 'pyFiles', 'sparkRFiles', 'driverArgs', 'proxyUser', 'sparkConf', 'runtimeVersions', 'deploymentMode',
  'driverSpec', 'executorSpec',
  // No effect on what is submitted: retries, clean-up, status thresholds.
  'applicationTolerations',
]);

/** The runner classes spark-submit uses for Python and R in cluster mode. */
const PYTHON_RUNNER = 'org.apache.spark.deploy.PythonRunner';
const R_RUNNER = 'org.apache.spark.deploy.RRunner';

/** Options of {@link effectiveFromApacheSparkApplication}. */
export interface ApacheModelOptions {
  /** The operator's name (`spark.kubernetes.operator.name`), which its bookkeeping labels carry. @default "spark-kubernetes-operator" */
  readonly operatorName?: string;
}

/**
 * What Apache Spark's Kubernetes operator (1.0.0) makes Spark do for a `spark.apache.org/v1`
 * SparkApplication, written from its submission worker (SparkAppSubmissionWorker.buildDriverConf
 * and SparkAppResourceSpecFactory; see docs/jobs.md): it builds the driver pod in-process with
 * Spark's own submission code, from
 *
 * 1. `spec.sparkConf`, `{{SPARK_VERSION}}` in image keys replaced by `runtimeVersions.sparkVersion`;
 * 2. then, overriding: its bookkeeping labels on driver, executors and driver Service
 *    (`spark.operator/name`, `spark.operator/spark-app-name`), `spark.kubernetes.namespace`,
 *    `spark.app.name` = the object's name (only when sparkConf has the key), the template files;
 * 3. the main resource: `jars` (one jar) sets `spark.jars` when unset; with `mainClass`
 *    PythonRunner, `pyFiles`' first entry is the main file and the rest `spark.submit.pyFiles`
 *    when unset; `sparkRFiles` for R;
 * 4. then, only where unset: `spark.master`, `spark.app.id` (`<name>-<attempt>`, attempt 0 here),
 *    `spark.authenticate`, `spark.io.encryption.enabled`, `spark.kubernetes.driver.annotateExitException`,
 *    `spark.kubernetes.executor.useDriverPodIP` (all `true`), and
 *    `spark.kubernetes.executor.deleteOnTermination=false` without dynamic allocation or restarts.
 *
 * The pod templates are `driverSpec`/`executorSpec.podTemplateSpec`. The driver pod is
 * `<spark.app.id>-driver` unless the conf names it. The same shape as the other modes' models,
 * with what only says how it submits (`spark.master`, mode keys) left out.
 */
export function effectiveFromApacheSparkApplication(app: unknown, options: ApacheModelOptions = {}): EffectiveApp {
  const root = record(app, 'the object');
  if (root.apiVersion !== 'spark.apache.org/v1' || root.kind !== 'SparkApplication') throw new Error(`not a spark.apache.org/v1 SparkApplication: ${JSON.stringify(root.apiVersion)} ${JSON.stringify(root.kind)}`);
  const meta = record(root.metadata, 'metadata');
  const name = text(meta.name, 'metadata.name');
  const namespace = text(meta.namespace, 'metadata.namespace');
  const spec = record(root.spec, 'spec');
  known(spec, APACHE_SPEC_FIELDS, 'spec');
  if ((spec.deploymentMode ?? 'ClusterMode') !== 'ClusterMode') throw new Error(`spec.deploymentMode ${JSON.stringify(spec.deploymentMode)}: the operator runs cluster mode only`);
  const versions = record(spec.runtimeVersions, 'spec.runtimeVersions');
  const sparkVersion = text(versions.sparkVersion, 'spec.runtimeVersions.sparkVersion');
  const tolerations = spec.applicationTolerations === undefined ? {} : record(spec.applicationTolerations, 'spec.applicationTolerations');
  const restart = tolerations.restartConfig === undefined ? {} : record(tolerations.restartConfig, 'spec.applicationTolerations.restartConfig');

  // 1. the user's conf
  const conf: Record<string, string> = {};
  for (const [key, value] of Object.entries(stringMap(spec.sparkConf, 'spec.sparkConf'))) {
    conf[key] = /^spark\.kubernetes\..*container\.image$/.test(key) ? value.split('{{SPARK_VERSION}}').join(sparkVersion) : value;
  }
  // 2. what the operator overrides
  const operatorName = options.operatorName ?? 'spark-kubernetes-operator';
  for (const [k, v] of Object.entries({ 'spark.operator/name': operatorName, 'spark.operator/spark-app-name': name })) {
    for (const target of ['driver', 'driver.service', 'executor']) conf[`spark.kubernetes.${target}.label.${k}`] = v;
  }
  conf['spark.kubernetes.namespace'] = namespace;
  if ('spark.app.name' in conf) conf['spark.app.name'] = name;
  // 3. the main resource
  const mainClass = spec.mainClass === undefined ? undefined : text(spec.mainClass, 'spec.mainClass');
  const jars = spec.jars === undefined ? '' : text(spec.jars, 'spec.jars');
  const pyFiles = spec.pyFiles === undefined ? '' : text(spec.pyFiles, 'spec.pyFiles');
  const rFiles = spec.sparkRFiles === undefined ? '' : text(spec.sparkRFiles, 'spec.sparkRFiles');
  let mainApplicationFile: string;
  let userClass: string | undefined = mainClass;
  if (jars !== '') {
    mainApplicationFile = jars;
    conf['spark.jars'] ??= jars;
  } else if (mainClass === PYTHON_RUNNER) {
    const [first, ...rest] = pyFiles.split(',');
    mainApplicationFile = first;
    if (rest.length > 0) conf['spark.submit.pyFiles'] ??= rest.join(',');
    userClass = undefined;
  } else if (pyFiles !== '') {
    // The driver gets `--class <mainClass>` as written: without PythonRunner it does not run the file as spark-submit would.
    throw new Error(`spec.pyFiles without mainClass ${PYTHON_RUNNER}: the driver would not run it as spark-submit does (not modelled)`);
  } else if (rFiles !== '') {
    if (mainClass !== R_RUNNER) throw new Error(`spec.sparkRFiles without mainClass ${R_RUNNER}: the driver would not run it as spark-submit does (not modelled)`);
    mainApplicationFile = rFiles;
    userClass = undefined;
  } else {
    throw new Error('spec: no jars, pyFiles or sparkRFiles: the operator would submit no resource (spark-internal)');
  }
  // 4. the operator's defaults, where unset
  const appId = conf['spark.app.id'] ?? `${name}-0`;
  const defaults: Record<string, string> = {
    'spark.master': 'k8s://https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT',
    'spark.app.id': appId,
    'spark.authenticate': 'true',
    'spark.io.encryption.enabled': 'true',
    'spark.kubernetes.driver.annotateExitException': 'true',
    'spark.kubernetes.executor.useDriverPodIP': 'true',
  };
  if (conf['spark.dynamicAllocation.enabled'] !== 'true' && (restart.restartPolicy ?? 'Never') === 'Never') defaults['spark.kubernetes.executor.deleteOnTermination'] = 'false';
  for (const [k, v] of Object.entries(defaults)) conf[k] ??= v;
  const { 'spark.master': _master, ...withoutMaster } = conf;

  const pod = (role: Role): Json => {
    const roleSpec = spec[`${role}Spec`] === undefined ? {} : record(spec[`${role}Spec`], `spec.${role}Spec`);
    known(roleSpec, new Set(['podTemplateSpec']), `spec.${role}Spec`);
    const p = normalisePod(roleSpec.podTemplateSpec, `spec.${role}Spec.podTemplateSpec`);
    if (role === 'driver') {
      // The operator sets allowPrivilegeEscalation: false on driver containers that leave it unset.
      const s = record(p.spec, 'pod spec');
      for (const key of ['containers', 'initContainers']) {
        if (s[key] === undefined) continue;
        s[key] = list(s[key], key).map((c) => {
          const container = record(c, 'container');
          const sc = isRecord(container.securityContext) ? container.securityContext : {};
          return { ...container, securityContext: { ...sc, allowPrivilegeEscalation: sc.allowPrivilegeEscalation ?? false } };
        });
      }
    }
    return p;
  };
  return {
    namespace,
    appName: conf['spark.app.name'] ?? 'spark',
    driverPodName: conf['spark.kubernetes.driver.pod.name'] || `${appId}-driver`,
    mainClass: userClass,
    // SparkAppDriverConf gets spec.proxyUser; the driver runs with --proxy-user.
    proxyUser: spec.proxyUser === undefined ? undefined : text(spec.proxyUser, 'spec.proxyUser'),
    mainApplicationFile,
    arguments: strings(spec.driverArgs, 'spec.driverArgs'),
    conf: withoutRedundantRoleImages(withoutModeKeys(withoutMaster)),
    driverPod: pod('driver'),
    executorPod: pod('executor'),
  };
}

// ---------------------------------------------------------------------------------------------
// Job / CronJob running spark-submit (submit mode)
// ---------------------------------------------------------------------------------------------

/** spark-submit options with a value that the model reads. */
const SUBMIT_FLAGS = new Set(['--master', '--deploy-mode', '--name', '--class', '--proxy-user', '--conf', ...Object.keys(DEP_FLAGS)]);

/** Labels Kubernetes puts on a Job's pods holding the Job's name (>= 1.27, and the legacy one). */
const JOB_NAME_LABELS = ["metadata.labels['batch.kubernetes.io/job-name']", "metadata.labels['job-name']"];

/**
 * What the spark-submit command line of the Job (or CronJob) `jobName` among `objects` makes
 * Spark do: arguments parsed as spark-submit parses them (options until the first positional,
 * which is the main file; everything after it goes to the application), pod templates read from
 * the ConfigMap the submitter pod mounts. Throws when the command would not run in cluster mode
 * against the in-cluster API server.
 */
export function effectiveFromSubmitJob(objects: readonly unknown[], jobName: string): EffectiveApp {
  const matches = objects.filter(isRecord).filter((o) => (o.kind === 'Job' || o.kind === 'CronJob') && o.apiVersion === 'batch/v1' && isRecord(o.metadata) && o.metadata.name === jobName);
  if (matches.length !== 1) throw new Error(`expected one batch/v1 Job or CronJob named ${jobName}, found ${matches.length}`);
  const job = matches[0];
  const jobNamespace = text(record(job.metadata, 'metadata').namespace, 'metadata.namespace');
  const jobSpec = job.kind === 'Job' ? record(job.spec, 'spec') : record(record(record(job.spec, 'spec').jobTemplate, 'spec.jobTemplate').spec, 'spec.jobTemplate.spec');
  const podSpec = record(record(jobSpec.template, 'template').spec, 'template.spec');
  const submitters = list(podSpec.containers, 'containers').map((c) => record(c, 'container')).filter((c) => list(c.args, 'args').includes('--deploy-mode'));
  if (submitters.length !== 1) throw new Error(`expected one container running spark-submit (args with --deploy-mode), found ${submitters.length}`);
  const container = submitters[0];
  // What spark-submit receives: the args after the kubelet's $(VAR) expansion.
  const vars = containerVariables(container, job.kind === 'Job' ? jobName : undefined);
  const cmd = parseSubmitArgs(strings(container.args, 'args').map((a) => kubeletExpand(a, vars)));

  if (cmd.options['--master'] !== EXPECTED_MASTER) throw new Error(`--master is ${JSON.stringify(cmd.options['--master'])}, expected ${EXPECTED_MASTER}`);
  if (cmd.options['--deploy-mode'] !== 'cluster') throw new Error(`--deploy-mode is ${JSON.stringify(cmd.options['--deploy-mode'])}, expected cluster`);
  const conf = { ...cmd.conf };
  for (const [flag, key] of Object.entries(DEP_FLAGS)) {
    const value = cmd.options[flag];
    if (value === undefined) continue;
    if (key in conf) throw new Error(`${flag} and --conf ${key} are both given`);
    conf[key] = value;
  }
  const appName = cmd.options['--name'] ?? conf['spark.app.name'];
  if (!appName) throw new Error('no --name: Spark would name the application after the main class or file');

  const templates = templateFiles(objects, podSpec, container, jobNamespace);
  const pod = (role: Role): Json => {
    const file = conf[`spark.kubernetes.${role}.podTemplateFile`];
    if (file === undefined) return { metadata: {}, spec: {} };
    const base = path.posix.basename(file);
    if (base !== `${role}-template.yaml`) throw new Error(`spark.kubernetes.${role}.podTemplateFile ${file} is not the ConfigMap's ${role}-template.yaml`);
    // The executor template is read where the ConfigMap is mounted; the driver's is a copy the
    // submit script writes elsewhere (it fills in the owner), so only its file name is checked.
    if (role === 'executor' && file !== path.posix.join(templates.mountPath, base)) throw new Error(`${file} is not in the ConfigMap's mount ${templates.mountPath}`);
    const content = templates.data[base];
    if (content === undefined) throw new Error(`ConfigMap ${templates.name} has no ${base}`);
    return normalisePod(parse(content), `${templates.name}/${base}`);
  };

  const podName = conf['spark.kubernetes.driver.pod.name'];
  return {
    namespace: conf['spark.kubernetes.namespace'] ?? 'default',
    appName,
    driverPodName: podName === undefined ? `${appName}-<generated>-driver` : expandJobName(podName, container, job.kind === 'Job' ? jobName : undefined),
    mainClass: cmd.options['--class'],
    proxyUser: cmd.options['--proxy-user'],
    mainApplicationFile: cmd.mainFile,
    arguments: cmd.arguments,
    conf: withoutRedundantRoleImages(withoutModeKeys(conf)),
    driverPod: pod('driver'),
    executorPod: pod('executor'),
  };
}

interface SubmitCommand {
  options: Record<string, string>;
  conf: Record<string, string>;
  mainFile: string;
  arguments: string[];
}

/** Parses spark-submit arguments: `--opt value` pairs until the first positional (the main file). */
function parseSubmitArgs(args: readonly string[]): SubmitCommand {
  const options: Record<string, string> = {};
  const conf: Record<string, string> = {};
  let i = 0;
  for (; i < args.length && args[i].startsWith('--'); i += 2) {
    const flag = args[i];
    if (!SUBMIT_FLAGS.has(flag)) throw new Error(`spark-submit option ${flag} is not modelled`);
    const value = args[i + 1];
    if (value === undefined) throw new Error(`${flag} has no value`);
    if (flag === '--conf') {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new Error(`--conf ${value} is not key=value`);
      conf[value.slice(0, eq)] = value.slice(eq + 1);
    } else {
      if (flag in options) throw new Error(`${flag} is given twice`);
      options[flag] = value;
    }
  }
  if (i >= args.length) throw new Error('no main application file after the options');
  return { options, conf, mainFile: args[i], arguments: args.slice(i + 1) };
}

/** The ConfigMap with the pod templates, found through the submitter pod's volumes and mounts. */
function templateFiles(objects: readonly unknown[], podSpec: Json, container: Json, namespace: string): { name: string; mountPath: string; data: Record<string, string> } {
  const found = list(podSpec.volumes, 'volumes').map((v) => record(v, 'volume')).flatMap((volume) => {
    if (!isRecord(volume.configMap)) return [];
    const cmName = text(volume.configMap.name, `volume ${String(volume.name)}.configMap.name`);
    const cm = objects.filter(isRecord).find((o) => o.kind === 'ConfigMap' && isRecord(o.metadata) && o.metadata.name === cmName && o.metadata.namespace === namespace);
    if (!cm) throw new Error(`the submitter mounts ConfigMap ${namespace}/${cmName}, which is not among the objects`);
    const data = stringMap(cm.data, `ConfigMap ${cmName}.data`);
    if (!('driver-template.yaml' in data) && !('executor-template.yaml' in data)) return [];
    const mount = list(container.volumeMounts, 'volumeMounts').map((m) => record(m, 'volumeMount')).find((m) => m.name === volume.name);
    if (!mount) throw new Error(`ConfigMap ${cmName} is a volume of the submitter pod but not mounted in its container`);
    return [{ name: cmName, mountPath: text(mount.mountPath, 'mountPath'), data }];
  });
  if (found.length !== 1) throw new Error(`expected one mounted ConfigMap with pod templates, found ${found.length}`);
  return found[0];
}

/**
 * Expands `$(JOB_NAME)` as the kubelet does, checking that the container defines it from the
 * Job-name label (else the kubelet leaves it literally and the driver pod gets an invalid name).
 * `jobName` undefined (a CronJob) keeps the reference: each run's Job name is not known yet.
 */
/**
 * The kubelet's expansion of `$(VAR)` in a container's command and args, as Kubernetes documents
 * it (written here from that description): `$$` becomes `$`; `$(NAME)` becomes the variable's
 * value when the container defines NAME, else stays as written; any other `$` is kept.
 */
export function kubeletExpand(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) { out += c; continue; }
    const next = input[i + 1];
    if (next === '$') { out += '$'; i++; continue; }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) { out += input.slice(i); break; }
      const name = input.slice(i + 2, close);
      out += vars.get(name) ?? `$(${name})`;
      i = close;
      continue;
    }
    out += c;
  }
  return out;
}

/**
 * The variables a container defines, with the values the kubelet would give them: literals as
 * written, the Job-name label as `jobName` (left undefined for a CronJob's runs), other downward
 * API fields as `<fieldPath>`, references to ConfigMaps and Secrets as `<ref:NAME>`.
 */
function containerVariables(container: Json, jobName: string | undefined): Map<string, string> {
  const vars = new Map<string, string>();
  for (const e of list(container.env, 'env').map((x) => record(x, 'env'))) {
    const name = String(e.name);
    if (typeof e.value === 'string') { vars.set(name, e.value); continue; }
    const fieldPath = isRecord(e.valueFrom) && isRecord(e.valueFrom.fieldRef) ? String(e.valueFrom.fieldRef.fieldPath) : undefined;
    if (fieldPath !== undefined && JOB_NAME_LABELS.includes(fieldPath)) {
      if (jobName !== undefined) vars.set(name, jobName);
    } else {
      vars.set(name, fieldPath !== undefined ? `<${fieldPath}>` : `<ref:${name}>`);
    }
  }
  return vars;
}

function expandJobName(value: string, container: Json, jobName: string | undefined): string {
  for (const [, variable] of value.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
    const env = list(container.env, 'env').map((e) => record(e, 'env')).find((e) => e.name === variable);
    const fieldPath = isRecord(env?.valueFrom) && isRecord(env.valueFrom.fieldRef) ? env.valueFrom.fieldRef.fieldPath : undefined;
    if (variable !== 'JOB_NAME' || !JOB_NAME_LABELS.includes(String(fieldPath))) {
      throw new Error(`spark.kubernetes.driver.pod.name uses $(${variable}), which the container does not define from the Job-name label`);
    }
  }
  return jobName === undefined ? value : value.split('$(JOB_NAME)').join(jobName);
}

// ---------------------------------------------------------------------------------------------
// Shared normalisation
// ---------------------------------------------------------------------------------------------

/**
 * A pod template as both sides are compared: only `metadata` and `spec`, no `apiVersion`/`kind`
 * (a template file has them, a PodTemplateSpec not), no `ownerReferences` (the submitter pod or
 * the SparkApplication, depending on the mode), `metadata` `{}` when empty or missing.
 */
export function normalisePod(template: unknown, where: string): Json {
  if (template === undefined || template === null) return { metadata: {}, spec: {} };
  const t = clone(record(template, where));
  const extra = Object.keys(t).filter((k) => !['apiVersion', 'kind', 'metadata', 'spec'].includes(k));
  if (extra.length > 0) throw new Error(`${where}: unexpected fields ${extra.join(', ')}`);
  if (t.kind !== undefined && t.kind !== 'Pod') throw new Error(`${where}: kind ${JSON.stringify(t.kind)} is not Pod`);
  const metadata = t.metadata === undefined || t.metadata === null ? {} : record(t.metadata, `${where}.metadata`);
  delete metadata.ownerReferences;
  return { metadata, spec: t.spec === undefined || t.spec === null ? {} : record(t.spec, `${where}.spec`) };
}

/**
 * Container fields Kubernetes takes from the pod's securityContext when the container sets none.
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
 */
const INHERITED_SECURITY_FIELDS = ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seLinuxOptions', 'seccompProfile', 'windowsOptions', 'appArmorProfile'];

/**
 * `pod` with each container's securityContext as Kubernetes applies it: the pod-level fields
 * that containers inherit, overridden by the container's own. Lets a container-level
 * `runAsUser: 185` (upstream's examples) compare equal to a pod-level one (SparkJob's).
 */
export function withEffectiveSecurityContexts(pod: Json): Json {
  const out = clone(pod);
  const spec = isRecord(out.spec) ? out.spec : {};
  const podLevel = isRecord(spec.securityContext) ? spec.securityContext : {};
  const inherited = Object.fromEntries(Object.entries(podLevel).filter(([k]) => INHERITED_SECURITY_FIELDS.includes(k)));
  spec.containers = list(spec.containers, 'containers').map((c) => {
    const container = record(c, 'container');
    const own = isRecord(container.securityContext) ? container.securityContext : {};
    const merged = { ...inherited, ...own };
    return Object.keys(merged).length > 0 ? { ...container, securityContext: merged } : container;
  });
  return out;
}

function withoutModeKeys(conf: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(conf).filter(([k]) => !MODE_SPECIFIC_KEYS.includes(k)));
}

/**
 * Spark reads `spark.kubernetes.{driver,executor}.container.image` and falls back to
 * `spark.kubernetes.container.image`; a role image equal to it changes nothing (some operator
 * versions write both), so it is dropped on both sides.
 */
function withoutRedundantRoleImages(conf: Record<string, string>): Record<string, string> {
  const image = conf['spark.kubernetes.container.image'];
  return Object.fromEntries(Object.entries(conf).filter(([k, v]) => !(/^spark\.kubernetes\.(driver|executor)\.container\.image$/.test(k) && v === image)));
}

// ---------------------------------------------------------------------------------------------
// Comparison helpers for tests
// ---------------------------------------------------------------------------------------------

/**
 * Where `theirs` is not contained in `ours`, as `path: reason` lines (empty when contained).
 * Objects: every key of theirs is present in ours and contained. Arrays: each element of theirs
 * is contained in the element of ours with the same `name` when it has one, else in the element
 * at the same index. Anything else: equal.
 */
export function containmentProblems(ours: unknown, theirs: unknown, at = ''): string[] {
  if (Array.isArray(theirs)) {
    if (!Array.isArray(ours)) return [`${at}: expected an array, got ${JSON.stringify(ours)}`];
    return theirs.flatMap((item, i) => {
      const named = isRecord(item) && typeof item.name === 'string';
      const match = named ? ours.find((o) => isRecord(o) && o.name === item.name) : ours[i];
      const where = named ? `${at}[name=${String(item.name)}]` : `${at}[${i}]`;
      if (match === undefined) return [`${where}: missing`];
      return containmentProblems(match, item, where);
    });
  }
  if (isRecord(theirs)) {
    if (!isRecord(ours)) return [`${at}: expected an object, got ${JSON.stringify(ours)}`];
    return Object.entries(theirs).flatMap(([k, v]) => (k in ours ? containmentProblems(ours[k], v, `${at}.${k}`) : [`${at}.${k}: missing (theirs ${JSON.stringify(v)})`]));
  }
  return ours === theirs ? [] : [`${at}: ${JSON.stringify(ours)}, theirs ${JSON.stringify(theirs)}`];
}

/** Asserts that `theirs` is a deep subset of `ours` (see {@link containmentProblems}); the failure lists every difference. */
export function expectContains(ours: unknown, theirs: unknown): void {
  expect(containmentProblems(ours, theirs)).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Small JSON readers
// ---------------------------------------------------------------------------------------------

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function record(value: unknown, where: string): Json {
  if (!isRecord(value)) throw new Error(`${where} must be an object, got ${JSON.stringify(value)}`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${where} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${where} must be an array`);
  return value;
}

function strings(value: unknown, where: string): string[] {
  return list(value, where).map((v) => (typeof v === 'string' ? v : goString(v, where)));
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  return Object.fromEntries(Object.entries(record(value, where)).map(([k, v]) => [k, typeof v === 'string' ? v : goString(v, `${where}.${k}`)]));
}

/** A scalar as the operator formats it into `--conf k=v` (`%d`, `%t`, `%s`). */
function goString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  throw new Error(`${where}: ${JSON.stringify(value)} is not a scalar`);
}

/** Throws on fields of `obj` outside `allowed`: an unmodelled field must not pass unnoticed. */
function known(obj: Json, allowed: ReadonlySet<string>, where: string): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.has(k) && obj[k] !== undefined);
  if (unknown.length > 0) throw new Error(`${where}: ${unknown.join(', ')} not modelled`);
}

// ---------------------------------------------------------------------------------------------
// Scratch space: the local dirs Spark gives a pod (issue 18)
// ---------------------------------------------------------------------------------------------

/** A local dir of a driver or executor pod as Spark decides it, with the volume behind it. */
export interface SparkLocalDir {
  /** Mount path in the Spark container (an entry of `SPARK_LOCAL_DIRS`). */
  path: string;
  /** The volume (`name` + source), as it ends up in the pod. */
  volume: Json;
  /** Where the volume comes from: the pod template, `spark.kubernetes.<role>.volumes.*` conf, or Spark's own default. */
  from: 'template' | 'conf' | 'spark';
  /** The claim Spark itself creates for it (an `OnDemand` claim, or any claim with class and size), if any. */
  createdClaim?: { storageClassName: string; storage: string };
}

/**
 * The local dirs Spark gives the `role` pod of `app`, written from Spark's feature steps (3.5 to
 * 4.1): the pod template's Spark container (the one named by `podTemplateContainerName`, else the
 * first); MountVolumesFeatureStep adds a volume and mount per `spark.kubernetes.<role>.volumes.
 * <type>.<name>.*` group (an executor's claim `OnDemand` becomes `<app>-exec-<id>-pvc-<index>`,
 * created only with both `options.storageClass` and `options.sizeLimit`); then
 * LocalDirsFeatureStep takes every mount whose volume name starts with `spark-local-dir-` as a
 * local dir and, when there is none, adds emptyDirs `spark-local-dir-<n>` (no size limit; medium
 * Memory with `spark.kubernetes.local.dirs.tmpfs=true`) at `spark.local.dir`, else at
 * `/var/data/spark-<uuid>`.
 */
export function sparkLocalDirs(app: EffectiveApp, role: Role): SparkLocalDir[] {
  const spec = record(record(role === 'driver' ? app.driverPod : app.executorPod, 'pod').spec, 'pod spec');
  const containers = list(spec.containers, 'containers').map((c) => record(c, 'container'));
  const wanted = app.conf[`spark.kubernetes.${role}.podTemplateContainerName`];
  const container = containers.find((c) => c.name === wanted) ?? containers[0] ?? {};
  const templateVolumes = list(spec.volumes, 'volumes').map((v) => record(v, 'volume'));
  const mounts: Array<Omit<SparkLocalDir, 'path'> & { name: string; path: string }> = list(container.volumeMounts, 'volumeMounts').map((m) => {
    const mount = record(m, 'volumeMount');
    const volume = templateVolumes.find((v) => v.name === mount.name);
    if (!volume) throw new Error(`${role} template: mount ${String(mount.name)} names no volume`);
    return { name: text(mount.name, 'volumeMount.name'), path: text(mount.mountPath, 'volumeMount.mountPath'), volume, from: 'template' as const };
  });

  const prefix = `spark.kubernetes.${role}.volumes.`;
  const groups = new Map<string, Record<string, string>>();
  for (const [key, value] of Object.entries(app.conf)) {
    if (!key.startsWith(prefix)) continue;
    const parts = key.slice(prefix.length).split('.');
    if (parts.length < 3) throw new Error(`${key}: not <type>.<name>.<field>`);
    const id = `${parts[0]}.${parts[1]}`;
    groups.set(id, { ...(groups.get(id) ?? {}), [parts.slice(2).join('.')]: value });
  }
  [...groups.entries()].forEach(([id, o], index) => {
    const [type, name] = id.split('.');
    const path = o['mount.path'];
    if (!path) throw new Error(`${prefix}${id}.mount.path is required by Spark`);
    let source: Json;
    let createdClaim: SparkLocalDir['createdClaim'];
    if (type === 'emptyDir') {
      source = { emptyDir: { medium: o['options.medium'] ?? '', ...(o['options.sizeLimit'] ? { sizeLimit: o['options.sizeLimit'] } : {}) } };
    } else if (type === 'persistentVolumeClaim') {
      const template = o['options.claimName'];
      if (!template) throw new Error(`${prefix}${id}.options.claimName is required by Spark`);
      const claimName = template.replace(/OnDemand/g, role === 'executor' ? `${app.appName}-exec-<id>-pvc-${index}` : `${app.appName}-driver-pvc-${index}`);
      if (o['options.storageClass'] && o['options.sizeLimit']) createdClaim = { storageClassName: o['options.storageClass'], storage: o['options.sizeLimit'] };
      source = { persistentVolumeClaim: { claimName, readOnly: o['mount.readOnly'] === 'true' } };
    } else {
      throw new Error(`${prefix}${id}: volume type ${type} not modelled`);
    }
    mounts.push({ name, path, volume: { name, ...source }, from: 'conf', ...(createdClaim ? { createdClaim } : {}) });
  });

  const local = mounts.filter((m) => m.name.startsWith('spark-local-dir-'));
  if (local.length > 0) return local.map(({ name: _name, ...dir }) => dir);
  const dirs = (app.conf['spark.local.dir'] ?? '/var/data/spark-<uuid>').split(',');
  const medium = app.conf['spark.kubernetes.local.dirs.tmpfs'] === 'true' ? { medium: 'Memory' } : {};
  return dirs.map((path, i) => ({ path, volume: { name: `spark-local-dir-${i + 1}`, emptyDir: medium }, from: 'spark' as const }));
}

// ---------------------------------------------------------------------------------------------
// Sample jobs shared by the job tests (same-pods, upstream conformance)
// ---------------------------------------------------------------------------------------------

/** A SparkJob to build in both modes: its props without namespace, operator and mode, plus calls after construction. */
export interface SampleJob {
  readonly props: Omit<SparkJobProps, 'namespace' | 'operator' | 'mode'>;
  /** Called on the constructed job, e.g. to add conf later. @default - nothing */
  readonly configure?: (job: SparkJob) => void;
}

/**
 * Jobs covering what SparkJob renders: a plain Scala SparkPi; a PySpark job using every pod
 * option, dependency kind and conf source; dynamic allocation; a schedule; a different but
 * compatible executor image.
 */
export function sampleJobs(): Record<string, SampleJob> {
  const official = SparkImage.official();
  return {
    'scala': {
      props: {
        name: 'spark-pi',
        type: SparkJobType.SCALA,
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        arguments: ['5000'],
        driver: { memory: Memory.gibibytes(2) },
        executor: { instances: 3, memory: Memory.gibibytes(2) },
      },
    },
    'python-everything': {
      props: {
        name: 'pyspark-etl',
        type: SparkJobType.PYTHON,
        mainApplicationFile: 's3a://artifacts/py/etl.py',
        // Options-like arguments: they belong to the application, not to spark-submit.
        arguments: ['--date', '2024-01-01', '--conf', 'not-spark=1'],
        imagePullPolicy: 'Always',
        imagePullSecrets: ['registry-creds', 'mirror-creds'],
        labels: { team: 'data' },
        pods: {
          env: {
            APP_ENV: SparkEnvValue.fromValue('prod'),
            DB_PASSWORD: SparkEnvValue.fromSecret('etl-db', 'password'),
            FEATURE_FLAGS: SparkEnvValue.fromConfigMap('etl-flags', 'flags.json', { optional: true }),
          },
          envFrom: { configMaps: ['etl-config'], secrets: ['etl-secrets'] },
          volumeMounts: [
            { volume: 'config', path: '/etc/etl', readOnly: true },
            { volume: 'creds', path: '/var/run/creds', readOnly: true },
            { volume: 'scratch', path: '/scratch' },
          ],
          nodeSelector: { 'node.kubernetes.io/pool': 'spark' },
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'spark', effect: 'NoSchedule' }],
          labels: { tier: 'batch' },
          annotations: { 'example.com/owner': 'data-team' },
        },
        volumes: [
          { name: 'config', configMap: { name: 'etl-config' } },
          { name: 'creds', secret: { secretName: 'etl-creds' } },
          { name: 'data', persistentVolumeClaim: { claimName: 'etl-data' } },
          { name: 'scratch', emptyDir: { sizeLimit: k8s.Quantity.fromString('10Gi') } },
        ],
        driver: {
          coreRequest: Cpu.millis(500),
          coreLimit: Cpu.cores(2),
          memory: Memory.gibibytes(2),
          env: { DRIVER_ONLY: SparkEnvValue.fromValue('1') },
          volumeMounts: [{ volume: 'data', path: '/data', subPath: 'in' }],
        },
        executor: {
          instances: 2,
          cores: 2,
          memory: Memory.gibibytes(4),
          memoryOverhead: Memory.gibibytes(1),
          gpu: { amount: 1 },
          labels: { accelerator: 'gpu' },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a', 'eu-west-1b'] }] }],
              },
            },
          },
        },
        deps: {
          jars: ['s3a://artifacts/jars/udfs-1.0.jar'],
          files: ['https://artifacts.example.com/lookup.csv'],
          pyFiles: ['s3a://artifacts/py/lib.zip', 's3a://artifacts/py/util.py'],
          archives: ['s3a://artifacts/env.tar.gz#env'],
          packages: ['org.apache.hadoop:hadoop-aws:3.4.1'],
          excludePackages: ['com.amazonaws:aws-java-sdk-bundle'],
          repositories: ['https://repo1.maven.org/maven2'],
        },
        sparkConf: { 'spark.sql.shuffle.partitions': '64', 'spark.executor.pyspark.memory': '512m' },
        hadoopConf: { 'fs.s3a.endpoint': 'http://minio.storage.svc:9000', 'fs.s3a.path.style.access': 'true' },
      },
      configure: (job) => job.addSparkConf({ 'spark.eventLog.enabled': 'false' }),
    },
    'dynamic-allocation': {
      props: {
        name: 'spark-pi-dynamic',
        type: SparkJobType.SCALA,
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        dynamicAllocation: { minExecutors: 1, initialExecutors: 2, maxExecutors: 6, shuffleTrackingTimeoutMillis: 60_000 },
      },
    },
    'scheduled': {
      props: {
        name: 'spark-pi-nightly',
        type: SparkJobType.SCALA,
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        schedule: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: ConcurrencyPolicy.FORBID },
      },
    },
    'dollar-signs': {
      props: {
        name: 'spark-pi-dollars',
        type: SparkJobType.SCALA,
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        // What the kubelet would expand or collapse in a container's args, written literally:
        // a variable the submitter defines, an escape, an undefined one, and lone dollars.
        arguments: ['$(POD_UID)', 'a$$b', '$$(JOB_NAME)', '$(UNDEFINED)', '$x', 'tail$', '$(', '$$$(POD_NAME)'],
        sparkConf: { 'spark.driver.extraJavaOptions': '-Dpod=$(POD_NAME) -Dcost=$$5' },
      },
    },
    // Monitoring (issue 18): the JMX exporter agent in both JVMs, merged with the user's JVM options.
    'jmx-exporter': {
      props: {
        name: 'spark-pi-jmx',
        type: SparkJobType.SCALA,
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        sparkConf: { 'spark.driver.extraJavaOptions': '-XX:+UseG1GC' },
        monitoring: { jmxExporter: { jar: 'local:///opt/spark/jmx/jmx_prometheus_javaagent.jar', port: 9404 } },
      },
    },
    'pod-features': {
      props: {
        name: 'spark-pi-pod-features',
        type: SparkJobType.SCALA,
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        priorityClassName: 'spark-batch',
        proxyUser: 'etl',
        pods: {
          terminationGracePeriodSeconds: 60,
          hostAliases: [{ ip: '10.0.0.5', hostnames: ['metastore.internal'] }],
          dnsConfig: { options: [{ name: 'ndots', value: '2' }] },
          // Part 2: hooks and ports of the Spark container, user containers.
          lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 5'] } } },
          ports: [{ name: 'profiler', containerPort: 9999 }],
          initContainers: [{ name: 'fetch-config', image: 'busybox:1.36.1', command: ['/bin/sh', '-c', 'true'] }],
        },
        driver: {
          sidecars: [{ name: 'log-shipper', image: 'fluent/fluent-bit:3.1.9', native: true, securityContext: { runAsUser: 10001 } }],
        },
        executor: {
          topologySpreadConstraints: [{
            maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { 'spark-role': 'executor' } },
          }],
          sidecars: [{ name: 'statsd', image: 'prom/statsd-exporter:v0.26.1', ports: [{ name: 'statsd', containerPort: 9125, protocol: 'UDP' }] }],
          templatePatch: [
            { op: 'test', path: '/spec/containers/0/name', value: 'spark-kubernetes-executor' },
            { op: 'add', path: '/spec/containers/0/resources', value: { limits: { 'ephemeral-storage': '2Gi' } } },
          ],
        },
      },
    },
    'scratch': {
      props: {
        name: 'spark-pi-scratch',
        type: SparkJobType.SCALA,
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        // A claim Kubernetes makes with the driver pod (template); one per executor that Spark's driver makes (conf).
        driver: { scratch: { ephemeral: { storageClass: 'standard', size: Memory.gibibytes(2) } } },
        executor: { scratch: { onDemandClaim: { storageClass: 'standard', size: Memory.gibibytes(20) } } },
      },
    },
    'custom-executor-image': {
      props: {
        name: 'spark-pi-custom-exec',
        type: SparkJobType.SCALA,
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        // Same Spark, Scala and Python as the driver's image: compatible, so allowed.
        executorImage: SparkImage.custom({
          image: 'registry.example.com/spark/executor:4.0-cuda12',
          sparkVersion: official.sparkVersion,
          scalaVersion: official.scalaVersion,
          pythonVersion: official.pythonVersion,
          javaVersion: official.javaVersion,
        }),
      },
    },
  };
}
