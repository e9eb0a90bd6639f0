import { stringify } from 'yaml';

/**
 * The platform's Prometheus JMX exporter configuration for Spark pods, and the metric names it
 * produces. Spark's JmxSink (enabled by the metrics.properties SparkJob mounts) registers every
 * Dropwizard metric as an MBean `metrics:name=<spark.metrics.namespace>.<instance>.<source>.<metric>`
 * plus a `type` key; SparkJob sets the namespace to `<k8s namespace>.<job name>` in every mode (the
 * Kubeflow operator sets the same for `spec.monitoring`), and the instance is `driver` or the
 * executor id. Each rule below turns one such metric into one fixed Prometheus name, the job and
 * the instance becoming labels, so dashboards use names that never depend on an application id.
 *
 * The exporter drops every MBean no rule matches; it adds its own `jmx_*` and JVM collector series,
 * which the platform's dashboard does not use (their names change between exporter releases).
 * @see https://github.com/prometheus/jmx_exporter (rule fields: pattern, name, type, help, labels)
 */

/** One exporter rule: what it matches in Spark's metric name, and the series it produces. */
export interface JmxRule {
  /** The Prometheus metric name (fixed: no `$n` in it). */
  readonly name: string;
  /** Which Spark processes report it. */
  readonly instances: 'driver' | 'executors' | 'both';
  /** The Spark source and metric, a regular expression after `<instance>.` (e.g. `jvm\.heap\.used`). */
  readonly metric: string;
  /** The MBean attribute: `Value` for Dropwizard gauges, `Count` for counters. */
  readonly attribute: 'Value' | 'Count';
  /** Extra labels from capture groups of `metric` (numbered after the three prefix groups: $4, ...). */
  readonly labels?: Readonly<Record<string, string>>;
  /** The series' help text. */
  readonly help: string;
  /** Where Spark registers the metric, for readers. */
  readonly source: string;
}

const JVM_SOURCE = 'Spark JvmSource: Dropwizard MemoryUsageGaugeSet and GarbageCollectorMetricSet (core/src/main/scala/org/apache/spark/metrics/source/JvmSource.scala)';
const DAG_SOURCE = 'Spark DAGSchedulerSource (core/src/main/scala/org/apache/spark/scheduler/DAGSchedulerSource.scala)';
const EXECUTOR_SOURCE = 'Spark ExecutorSource, threadpool gauges (core/src/main/scala/org/apache/spark/executor/ExecutorSource.scala)';

/** The rules, in order (the exporter uses the first that matches). */
export const JMX_RULES: readonly JmxRule[] = [
  { name: 'spark_jvm_heap_used_bytes', instances: 'both', metric: 'jvm\\.heap\\.used', attribute: 'Value', help: 'JVM heap in use', source: JVM_SOURCE },
  { name: 'spark_jvm_heap_max_bytes', instances: 'both', metric: 'jvm\\.heap\\.max', attribute: 'Value', help: 'JVM heap maximum', source: JVM_SOURCE },
  { name: 'spark_jvm_non_heap_used_bytes', instances: 'both', metric: 'jvm\\.non-heap\\.used', attribute: 'Value', help: 'JVM non-heap memory in use', source: JVM_SOURCE },
  { name: 'spark_jvm_gc_time_milliseconds', instances: 'both', metric: 'jvm\\.([A-Za-z0-9_-]+)\\.time', attribute: 'Value', labels: { gc: '$4' }, help: 'Milliseconds spent in a garbage collector since the JVM started', source: JVM_SOURCE },
  { name: 'spark_jvm_gc_collections', instances: 'both', metric: 'jvm\\.([A-Za-z0-9_-]+)\\.count', attribute: 'Value', labels: { gc: '$4' }, help: 'Collections by a garbage collector since the JVM started', source: JVM_SOURCE },
  { name: 'spark_executor_active_tasks', instances: 'executors', metric: 'executor\\.threadpool\\.activeTasks', attribute: 'Value', help: 'Tasks running in the executor', source: EXECUTOR_SOURCE },
  { name: 'spark_driver_running_stages', instances: 'driver', metric: 'DAGScheduler\\.stage\\.runningStages', attribute: 'Value', help: 'Stages running', source: DAG_SOURCE },
  { name: 'spark_driver_waiting_stages', instances: 'driver', metric: 'DAGScheduler\\.stage\\.waitingStages', attribute: 'Value', help: 'Stages waiting for their parents', source: DAG_SOURCE },
  { name: 'spark_driver_failed_stages', instances: 'driver', metric: 'DAGScheduler\\.stage\\.failedStages', attribute: 'Value', help: 'Stages failed and waiting to be resubmitted', source: DAG_SOURCE },
  { name: 'spark_driver_active_jobs', instances: 'driver', metric: 'DAGScheduler\\.job\\.activeJobs', attribute: 'Value', help: 'Spark jobs running', source: DAG_SOURCE },
  { name: 'spark_driver_all_jobs', instances: 'driver', metric: 'DAGScheduler\\.job\\.allJobs', attribute: 'Value', help: 'Spark jobs submitted since the application started', source: DAG_SOURCE },
];

/** A part of `spark.metrics.namespace` (a Kubernetes namespace or a job name: no dots). */
const PART = '([^.<>,=]+)';
/** The instance: `driver` or an executor id. */
const INSTANCE = { driver: '(driver)', executors: '([0-9]+)', both: '(driver|[0-9]+)' } as const;

/**
 * The exporter pattern of a rule. It matches `metrics<name=...><>Value` whichever order the
 * ObjectName's `name` and `type` keys are printed in (Dropwizard 4 sets both).
 */
export function jmxRulePattern(rule: JmxRule): string {
  return `metrics<(?:type=\\w+, )?name=${PART}\\.${PART}\\.${INSTANCE[rule.instances]}\\.${rule.metric}(?:, type=\\w+)?><>${rule.attribute}`;
}

/** The exporter's YAML configuration for `rules` (the default: JMX_RULES). */
export function jmxExporterConfig(rules: readonly JmxRule[] = JMX_RULES): string {
  return stringify({
    lowercaseOutputName: false,
    lowercaseOutputLabelNames: false,
    rules: rules.map((r) => ({
      pattern: jmxRulePattern(r),
      name: r.name,
      type: 'GAUGE',
      help: r.help,
      labels: { app_namespace: '$1', app_name: '$2', spark_executor_id: '$3', ...(r.labels ?? {}) },
    })),
  });
}

/** The metrics.properties SparkJob mounts with the exporter: JmxSink everywhere, JvmSource in driver and executors. */
export const JMX_METRICS_PROPERTIES = [
  '*.sink.jmx.class=org.apache.spark.metrics.sink.JmxSink',
  'driver.source.jvm.class=org.apache.spark.metrics.source.JvmSource',
  'executor.source.jvm.class=org.apache.spark.metrics.source.JvmSource',
  '',
].join('\n');
