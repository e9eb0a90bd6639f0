import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { SparkPlatformError, show } from '../errors';
import { JOB_LABEL, platformLabels } from '../labels';
import { JMX_METRICS_PROPERTIES, jmxExporterConfig } from '../monitoring/jmx-rules';
import { SparkImage } from '../spark-image';
import type { ResolvedJmxExporter } from './jmx-exporter';
import type { ResolvedPod, ResolvedSparkJob } from './resolved-job';
import type { SparkJobProps } from './spark-job-options';

/**
 * Monitoring of a job's pods by the Prometheus JMX exporter, run as a Java agent, the way the
 * Kubeflow operator's `spec.monitoring` does it, in all three modes:
 *
 * - a ConfigMap `<name>-jmx-exporter` (metrics.properties turning on Spark's JmxSink and JvmSource,
 *   and the exporter's rules) that the pod templates mount at METRICS_CONFIG_DIR;
 * - `-javaagent:<jar>=<port>:<rules>` appended to `spark.{driver,executor}.extraJavaOptions`
 *   (merged with what is there, never replacing it), `spark.metrics.conf` pointing at the
 *   mounted metrics.properties and `spark.metrics.namespace` = `<namespace>.<name>`;
 * - the exporter's port, named JMX_EXPORTER_PORT_NAME, on the Spark containers (the PodMonitor of
 *   SparkJobsMonitoring and the tenant's metrics NetworkPolicy find it by that name), and the
 *   operator's `prometheus.io/*` annotations on the pods that run the agent.
 *
 * Operator mode writes `spec.monitoring` with both files given as in-image paths
 * (`metricsPropertiesFile`, `prometheus.configFile`): the operator then creates no ConfigMap of its
 * own and its webhook adds nothing, so the result does not depend on the webhook; the operator
 * itself appends the agent to `spec.{driver,executor}.javaOptions` and sets the two metrics keys.
 * @see https://github.com/kubeflow/spark-operator internal/controller/sparkapplication/monitoring_config.go
 */

/** Name of the exporter's container port (the operator's default port name). */
export const JMX_EXPORTER_PORT_NAME = 'jmx-exporter';
/** The exporter's default port (the operator's). */
export const DEFAULT_JMX_EXPORTER_PORT = 8090;
/** Where the pod templates mount the ConfigMap. */
export const METRICS_CONFIG_DIR = '/etc/spark-platform/metrics';
/** The volume of the ConfigMap (SparkJob's reserved `spark-platform-*` volume names). */
export const METRICS_VOLUME = 'spark-platform-metrics';
/** Keys of the ConfigMap. */
export const METRICS_FILES = { properties: 'metrics.properties', exporter: 'jmx-exporter.yaml' } as const;
/** Ports Spark opens itself in the driver and executor pods (RPC, block manager, UI). */
const SPARK_PORTS = [7078, 7079, 4040];
/** Conf keys the exporter sets; a job with the exporter may not set them too. */
const METRICS_KEYS = ['spark.metrics.conf', 'spark.metrics.namespace'];


/**
 * Checks `monitoring.jmxExporter` and applies its defaults, throwing with the field and the fix:
 * the jar must be in the image(s) (the prop, else the images' `jmxExporterJar`), the port free,
 * the config YAML, and the conf may not set the metrics keys the exporter needs.
 */
export function resolveJmxExporter(props: SparkJobProps, image: SparkImage, executorImage: SparkImage, where: string): ResolvedJmxExporter | undefined {
  const j = props.monitoring?.jmxExporter;
  if (j === undefined) return undefined;
  const fail = (field: string, problem: string, fix: string): never => {
    throw new SparkPlatformError(`monitoring.jmxExporter${field ? `.${field}` : ''}`, problem, fix, where);
  };
  const driver = j.driver ?? true;
  const executors = j.executors ?? true;
  if (!driver && !executors) fail('', 'turns the agent off in the driver and in the executors', 'remove jmxExporter, or leave driver or executors on');
  const images = [...(driver ? [['image', image] as const] : []), ...(executors ? [['executorImage', executorImage] as const] : [])];
  let jar = j.jar;
  if (jar === undefined) {
    const shipped = images.map(([field, img]) => [field, img, img.jmxExporterJar] as const);
    const missing = shipped.find(([, , path]) => path === undefined);
    if (missing) fail('jar', `is not set, and ${missing[0]} ${show(missing[1].image)} declares no jmxExporterJar: the JVM would not start with a -javaagent it cannot find`, 'bake the exporter into the image and declare it (SparkImage.custom({ ..., jmxExporterJar: "local:///opt/spark/jmx/jmx_prometheus_javaagent.jar" })), or give jar: "local:///path/in/image.jar"');
    const paths = [...new Set(shipped.map(([, , path]) => path))];
    if (paths.length > 1) fail('jar', `is not set, and the driver and executor images ship the exporter at different paths (${paths.map(show).join(', ')})`, 'give jar explicitly, at a path both images have');
    jar = paths[0]!;
  }
  if (!/^local:\/\/\/[^\s=:]+\.jar$/.test(jar)) fail('jar', `${show(jar)} is not a jar in the image`, 'write local:///absolute/path/to/jmx_prometheus_javaagent.jar (a Java agent is loaded from the container\'s file system, never downloaded)');
  const port = j.port ?? DEFAULT_JMX_EXPORTER_PORT;
  if (!Number.isInteger(port) || port < 1024 || port > 49151) fail('port', `${show(port)} is not a port from 1024 to 49151`, `use a free unprivileged port, e.g. ${DEFAULT_JMX_EXPORTER_PORT}`);
  const conf = props.sparkConf ?? {};
  const sparkPorts = [...SPARK_PORTS, ...['spark.ui.port', 'spark.driver.port', 'spark.blockManager.port', 'spark.driver.blockManager.port'].map((k) => Number(conf[k])).filter((n) => Number.isInteger(n))];
  if (sparkPorts.includes(port)) fail('port', `${port} is a port Spark itself listens on in the pods`, `use another port, e.g. ${DEFAULT_JMX_EXPORTER_PORT}`);
  for (const [field, options] of [['pods', props.pods], ['driver', props.driver], ['executor', props.executor]] as const) {
    const extra = ((options as { ports?: ReadonlyArray<{ name?: string; containerPort?: number }> } | undefined)?.ports ?? []);
    extra.forEach((p, i) => {
      if (p.containerPort === port || p.name === JMX_EXPORTER_PORT_NAME) fail('port', `${port} (${JMX_EXPORTER_PORT_NAME}) clashes with ${field}.ports[${i}] (${show(p.name)}: ${show(p.containerPort)})`, 'give the exporter or that port another number and name');
    });
  }
  for (const key of METRICS_KEYS) {
    if (conf[key] !== undefined) {
      throw new SparkPlatformError(`sparkConf[${show(key)}]`, `is set, but monitoring.jmxExporter sets it (to the mounted metrics config and "<namespace>.<name>", which the exporter's rules read)`, 'remove the key; put extra metrics settings in sparkConf as spark.metrics.conf.<instance>.<key>', where);
    }
  }
  const config = j.config ?? jmxExporterConfig();
  if (j.config !== undefined) {
    let doc: unknown;
    try {
      doc = parse(j.config);
    } catch (e) {
      fail('config', `is not YAML (${(e as Error).message.split('\n')[0]})`, 'give the exporter configuration as YAML, e.g. "rules:\\n  - pattern: ..."');
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('config', 'is not a YAML mapping', 'give the exporter configuration as a mapping (rules:, lowercaseOutputName:, ...)');
  }
  return { jarPath: jar.slice('local://'.length), port, config, driver, executors, configMap: `${props.name}-jmx-exporter` };
}

/** The `-javaagent` option of the exporter. */
export function jmxAgentOption(jmx: ResolvedJmxExporter): string {
  return `-javaagent:${jmx.jarPath}=${jmx.port}:${METRICS_CONFIG_DIR}/${METRICS_FILES.exporter}`;
}

/** `existing` JVM options with `added` appended (the operator's way: one space between). */
export function mergeJavaOptions(existing: string | undefined, added: string): string {
  return existing === undefined || existing.trim() === '' ? added : `${existing} ${added}`;
}

/** Whether `role` runs the agent. */
function runsAgent(jmx: ResolvedJmxExporter, role: 'driver' | 'executor'): boolean {
  return role === 'driver' ? jmx.driver : jmx.executors;
}

/** The scrape annotations the operator puts on a pod that runs the agent. */
function agentAnnotations(jmx: ResolvedJmxExporter): Record<string, string> {
  return { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(jmx.port), 'prometheus.io/path': '/metrics' };
}

/**
 * Submit and Apache-operator modes: `conf` with what the operator would add for `spec.monitoring`:
 * the agent appended to each role's extraJavaOptions, the metrics config and namespace, and the
 * agent's scrape annotations. `conf` itself when the job has no exporter.
 */
export function withJmxExporterConf(job: ResolvedSparkJob, conf: Readonly<Record<string, string>>): Record<string, string> {
  const jmx = job.jmxExporter;
  if (!jmx) return { ...conf };
  const out: Record<string, string> = {
    ...conf,
    'spark.metrics.conf': `${METRICS_CONFIG_DIR}/${METRICS_FILES.properties}`,
    'spark.metrics.namespace': `${job.namespace.name}.${job.name}`,
  };
  for (const role of ['driver', 'executor'] as const) {
    if (!runsAgent(jmx, role)) continue;
    const key = `spark.${role}.extraJavaOptions`;
    out[key] = mergeJavaOptions(conf[key], jmxAgentOption(jmx));
    for (const [k, v] of Object.entries(agentAnnotations(jmx))) out[`spark.kubernetes.${role}.annotation.${k}`] = v;
  }
  return out;
}

/** What operator mode writes for the exporter: `spec.monitoring`, each role's `javaOptions`, and the conf left in `sparkConf`. */
export interface OperatorMonitoringFields {
  readonly monitoring?: Record<string, unknown>;
  readonly javaOptions: { readonly driver?: string; readonly executor?: string };
  readonly sparkConf: Readonly<Record<string, string>>;
}

/**
 * Operator mode: `spec.monitoring` with in-image paths for both files (the mounted ConfigMap), so
 * neither the controller nor the webhook mounts anything. A role's extraJavaOptions move from
 * `sparkConf` to `spec.<role>.javaOptions`, which the operator appends the agent to (a
 * `spark.<role>.extraJavaOptions` left in sparkConf would be replaced by its own `--conf`).
 */
export function operatorMonitoring(job: ResolvedSparkJob, sparkConf: Readonly<Record<string, string>>): OperatorMonitoringFields {
  const jmx = job.jmxExporter;
  if (!jmx) return { sparkConf, javaOptions: {} };
  const conf = { ...sparkConf };
  const javaOptions: { driver?: string; executor?: string } = {};
  for (const role of ['driver', 'executor'] as const) {
    const key = `spark.${role}.extraJavaOptions`;
    if (runsAgent(jmx, role) && conf[key] !== undefined) {
      javaOptions[role] = conf[key];
      delete conf[key];
    }
  }
  return {
    sparkConf: conf,
    javaOptions,
    monitoring: {
      exposeDriverMetrics: jmx.driver,
      exposeExecutorMetrics: jmx.executors,
      metricsPropertiesFile: `${METRICS_CONFIG_DIR}/${METRICS_FILES.properties}`,
      prometheus: { jmxExporterJar: jmx.jarPath, port: jmx.port, portName: JMX_EXPORTER_PORT_NAME, configFile: `${METRICS_CONFIG_DIR}/${METRICS_FILES.exporter}` },
    },
  };
}

/**
 * Adds the exporter to a role's pod template (all modes): the ConfigMap's volume, mounted
 * read-only, and the named port on the Spark container. Nothing when the role runs no agent.
 */
export function addJmxExporterToTemplate(job: ResolvedSparkJob, pod: ResolvedPod, spec: Record<string, unknown>, container: Record<string, unknown>): void {
  const jmx = job.jmxExporter;
  if (!jmx || !runsAgent(jmx, pod.role)) return;
  container.ports = [...((container.ports as unknown[] | undefined) ?? []), { name: JMX_EXPORTER_PORT_NAME, containerPort: jmx.port, protocol: 'TCP' }];
  container.volumeMounts = [...((container.volumeMounts as unknown[] | undefined) ?? []), { name: METRICS_VOLUME, mountPath: METRICS_CONFIG_DIR, readOnly: true }];
  spec.volumes = [...((spec.volumes as unknown[] | undefined) ?? []), { name: METRICS_VOLUME, configMap: { name: jmx.configMap } }];
}

/** Emits the exporter's ConfigMap (id `JmxExporterConfig`) when the job has an exporter. */
export function renderJmxExporterConfigMap(scope: Construct, job: ResolvedSparkJob): void {
  const jmx = job.jmxExporter;
  if (!jmx) return;
  new k8s.KubeConfigMap(scope, 'JmxExporterConfig', {
    metadata: { name: jmx.configMap, namespace: job.namespace.name, labels: platformLabels({ ...job.labels, [JOB_LABEL]: job.name }) },
    data: { [METRICS_FILES.properties]: JMX_METRICS_PROPERTIES, [METRICS_FILES.exporter]: jmx.config },
  });
}
