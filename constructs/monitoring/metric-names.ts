import { JMX_RULES } from './jmx-rules';

/**
 * Every Prometheus metric name the platform's dashboard may query, with where it comes from: the
 * one list test/monitoring/dashboard.test.ts checks each panel's PromQL against, so a panel cannot
 * plot a series nothing exposes.
 */
export interface ExposedMetric {
  /** The series name as Prometheus stores it. */
  readonly name: string;
  /** Who exposes it, and the source file the name was read from. */
  readonly source: string;
  /** The Spark lines whose pods expose it (servlet names changed in 4.0); absent: every line. */
  readonly sparkLines?: readonly string[];
}

const SERVLET_4 = 'Spark 4.x PrometheusResource, /metrics/executors/prometheus on the driver UI port (core/src/main/scala/org/apache/spark/status/api/v1/PrometheusResource.scala)';
const SERVLET_3 = 'Spark 3.x PrometheusResource, same endpoint, the names before the 4.0 rename (same file, javax.ws.rs version)';
const OPERATOR = 'Kubeflow Spark operator controller, --metrics-prefix="" (pkg/common/metrics.go names; internal/metrics/sparkapplication_metrics.go and sparkpod_metrics.go types)';

/** Executor metrics of the servlet: the 4.x name and the 3.x name of the same value. */
const SERVLET_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['metrics_executor_activeTasks', 'metrics_executor_activeTasks_Count'],
  ['metrics_executor_memoryUsed_bytes', 'metrics_executor_memoryUsed_Count'],
  ['metrics_executor_maxMemory_bytes', 'metrics_executor_maxMemory_Count'],
  ['metrics_executor_failedTasks_total', 'metrics_executor_failedTasks_Count'],
  ['metrics_executor_completedTasks_total', 'metrics_executor_completedTasks_Count'],
  ['metrics_executor_totalGCTime_seconds_total', 'metrics_executor_totalGCTime_Value'],
  ['metrics_executor_totalDuration_seconds_total', 'metrics_executor_totalDuration_Value'],
  ['metrics_executor_totalShuffleRead_bytes_total', 'metrics_executor_totalShuffleRead_Count'],
  ['metrics_executor_totalShuffleWrite_bytes_total', 'metrics_executor_totalShuffleWrite_Count'],
  ['metrics_executor_totalInputBytes_bytes_total', 'metrics_executor_totalInputBytes_Count'],
];

/** The operator's series (a Summary exposes `_sum` and `_count`, a Histogram also `_bucket`). */
const OPERATOR_METRICS: readonly string[] = [
  'spark_application_count', 'spark_application_submit_count', 'spark_application_failed_submission_count',
  'spark_application_running_count', 'spark_application_success_count', 'spark_application_failure_count',
  ...['spark_application_success_execution_time_seconds', 'spark_application_failure_execution_time_seconds', 'spark_application_start_latency_seconds']
    .flatMap((summary) => [`${summary}_sum`, `${summary}_count`]),
  ...['_bucket', '_sum', '_count'].map((suffix) => `spark_application_start_latency_seconds_histogram${suffix}`),
  'spark_executor_running_count', 'spark_executor_success_count', 'spark_executor_failure_count',
];

/** The list: servlet (per Spark line), the platform's JMX exporter rules, the operator. */
export const EXPOSED_METRICS: readonly ExposedMetric[] = [
  ...SERVLET_PAIRS.flatMap(([v4, v3]) => [
    { name: v4, source: SERVLET_4, sparkLines: ['4.0', '4.1'] },
    { name: v3, source: SERVLET_3, sparkLines: ['3.5'] },
  ]),
  ...JMX_RULES.map((r) => ({ name: r.name, source: `the platform's JMX exporter rule (constructs/monitoring/jmx-rules.ts) over ${r.source}` })),
  ...OPERATOR_METRICS.map((name) => ({ name, source: OPERATOR })),
];
