import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { show } from '../errors';
import { assertUserMetadata, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { checkProps } from '../validation/props';

/**
 * The platform's Grafana dashboard: Spark jobs (executor summaries from Spark's servlet, JVM and
 * scheduler series from the platform's JMX exporter rules) and the Kubeflow operator. Every
 * metric name its PromQL uses is in EXPOSED_METRICS (metric-names.ts), with where it comes from;
 * test/monitoring/dashboard.test.ts checks that. Servlet panels query the Spark 4.x name `or` the
 * 3.5 one, so one dashboard serves every supported line.
 */

/** One panel: a title, its PromQL queries (legend per query) and a unit. */
export interface DashboardPanel {
  readonly title: string;
  readonly unit: string;
  readonly queries: ReadonlyArray<{ readonly expr: string; readonly legend: string }>;
  /** Which row it belongs to. */
  readonly row: 'Spark jobs (servlet)' | 'Spark JVMs (JMX exporter)' | 'Spark operator';
}

/** Label matcher of the dashboard's namespace variable. */
const NS = 'namespace=~"$namespace"';

/** The panels, in order. */
export const DASHBOARD_PANELS: readonly DashboardPanel[] = [
  {
    row: 'Spark jobs (servlet)', title: 'Active tasks per application', unit: 'short',
    queries: [{ expr: `sum by (application_name) (metrics_executor_activeTasks{${NS}} or metrics_executor_activeTasks_Count{${NS}})`, legend: '{{application_name}}' }],
  },
  {
    row: 'Spark jobs (servlet)', title: 'Failed tasks per second', unit: 'short',
    queries: [{ expr: `sum by (application_name) (rate(metrics_executor_failedTasks_total{${NS}}[5m]) or rate(metrics_executor_failedTasks_Count{${NS}}[5m]))`, legend: '{{application_name}}' }],
  },
  {
    row: 'Spark jobs (servlet)', title: 'Completed tasks per second', unit: 'short',
    queries: [{ expr: `sum by (application_name) (rate(metrics_executor_completedTasks_total{${NS}}[5m]) or rate(metrics_executor_completedTasks_Count{${NS}}[5m]))`, legend: '{{application_name}}' }],
  },
  {
    row: 'Spark jobs (servlet)', title: 'Storage memory used / available', unit: 'percentunit',
    queries: [{
      expr: `sum by (application_name) (metrics_executor_memoryUsed_bytes{${NS}} or metrics_executor_memoryUsed_Count{${NS}}) / sum by (application_name) (metrics_executor_maxMemory_bytes{${NS}} or metrics_executor_maxMemory_Count{${NS}})`,
      legend: '{{application_name}}',
    }],
  },
  {
    row: 'Spark jobs (servlet)', title: 'Shuffle read and write', unit: 'Bps',
    queries: [
      { expr: `sum by (application_name) (rate(metrics_executor_totalShuffleRead_bytes_total{${NS}}[5m]) or rate(metrics_executor_totalShuffleRead_Count{${NS}}[5m]))`, legend: 'read {{application_name}}' },
      { expr: `sum by (application_name) (rate(metrics_executor_totalShuffleWrite_bytes_total{${NS}}[5m]) or rate(metrics_executor_totalShuffleWrite_Count{${NS}}[5m]))`, legend: 'write {{application_name}}' },
    ],
  },
  {
    row: 'Spark jobs (servlet)', title: 'Share of task time in GC', unit: 'percentunit',
    queries: [{
      expr: `sum by (application_name) (rate(metrics_executor_totalGCTime_seconds_total{${NS}}[5m]) or rate(metrics_executor_totalGCTime_Value{${NS}}[5m]) / 1000) / sum by (application_name) (rate(metrics_executor_totalDuration_seconds_total{${NS}}[5m]) or rate(metrics_executor_totalDuration_Value{${NS}}[5m]) / 1000)`,
      legend: '{{application_name}}',
    }],
  },
  {
    row: 'Spark JVMs (JMX exporter)', title: 'Heap used / max per pod', unit: 'percentunit',
    queries: [{ expr: `spark_jvm_heap_used_bytes{${NS}} / spark_jvm_heap_max_bytes{${NS}}`, legend: '{{app_name}} {{spark_executor_id}}' }],
  },
  {
    row: 'Spark JVMs (JMX exporter)', title: 'Non-heap used per pod', unit: 'bytes',
    queries: [{ expr: `spark_jvm_non_heap_used_bytes{${NS}}`, legend: '{{app_name}} {{spark_executor_id}}' }],
  },
  {
    row: 'Spark JVMs (JMX exporter)', title: 'GC time per second', unit: 'ms',
    queries: [{ expr: `sum by (app_name, spark_executor_id) (rate(spark_jvm_gc_time_milliseconds{${NS}}[5m]))`, legend: '{{app_name}} {{spark_executor_id}}' }],
  },
  {
    row: 'Spark JVMs (JMX exporter)', title: 'Running tasks per executor', unit: 'short',
    queries: [{ expr: `spark_executor_active_tasks{${NS}}`, legend: '{{app_name}} {{spark_executor_id}}' }],
  },
  {
    row: 'Spark JVMs (JMX exporter)', title: 'Stages and jobs per driver', unit: 'short',
    queries: [
      { expr: `spark_driver_running_stages{${NS}}`, legend: 'running stages {{app_name}}' },
      { expr: `spark_driver_waiting_stages{${NS}}`, legend: 'waiting stages {{app_name}}' },
      { expr: `spark_driver_failed_stages{${NS}}`, legend: 'failed stages {{app_name}}' },
      { expr: `spark_driver_active_jobs{${NS}}`, legend: 'active jobs {{app_name}}' },
    ],
  },
  {
    row: 'Spark operator', title: 'Applications running', unit: 'short',
    queries: [{ expr: 'sum(spark_application_running_count)', legend: 'running' }, { expr: 'sum(spark_executor_running_count)', legend: 'executors running' }],
  },
  {
    row: 'Spark operator', title: 'Submissions, successes and failures per minute', unit: 'short',
    queries: [
      { expr: 'sum(rate(spark_application_submit_count[5m])) * 60', legend: 'submitted' },
      { expr: 'sum(rate(spark_application_failed_submission_count[5m])) * 60', legend: 'failed submissions' },
      { expr: 'sum(rate(spark_application_success_count[5m])) * 60', legend: 'succeeded' },
      { expr: 'sum(rate(spark_application_failure_count[5m])) * 60', legend: 'failed' },
    ],
  },
  {
    row: 'Spark operator', title: 'Start latency (p95)', unit: 's',
    queries: [{ expr: 'histogram_quantile(0.95, sum by (le) (rate(spark_application_start_latency_seconds_histogram_bucket[15m])))', legend: 'p95' }],
  },
  {
    row: 'Spark operator', title: 'Mean run time of finished applications', unit: 's',
    queries: [{
      expr: 'sum(rate(spark_application_success_execution_time_seconds_sum[1h])) / sum(rate(spark_application_success_execution_time_seconds_count[1h]))',
      legend: 'succeeded',
    }],
  },
];

/** The dashboard as Grafana JSON (schema 39: rows and timeseries panels, a Prometheus datasource variable). */
export function sparkDashboard(panels: readonly DashboardPanel[] = DASHBOARD_PANELS): Record<string, unknown> {
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  const out: Array<Record<string, unknown>> = [];
  let id = 1;
  let y = 0;
  let row: string | undefined;
  let col = 0;
  for (const p of panels) {
    if (p.row !== row) {
      if (col !== 0) y += 8;
      out.push({ id: id++, type: 'row', title: p.row, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
      y += 1;
      col = 0;
      row = p.row;
    }
    out.push({
      id: id++,
      type: 'timeseries',
      title: p.title,
      datasource,
      gridPos: { h: 8, w: 8, x: col * 8, y },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
      targets: p.queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), datasource, expr: q.expr, legendFormat: q.legend })),
    });
    col += 1;
    if (col === 3) {
      col = 0;
      y += 8;
    }
  }
  return {
    uid: 'spark-platform-jobs',
    title: 'Spark platform: jobs and operator',
    tags: ['spark', 'spark-platform'],
    schemaVersion: 39,
    version: 1,
    editable: false,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' },
        {
          name: 'namespace', type: 'query', label: 'Tenant namespace', datasource, multi: true, includeAll: true, allValue: '.+',
          query: { query: 'label_values(namespace)', refId: 'namespaces' }, refresh: 2,
        },
      ],
    },
    panels: out,
  };
}

/** Properties of SparkDashboard. */
export interface SparkDashboardProps {
  /** Namespace of the ConfigMap: where Grafana's dashboard sidecar looks (kube-prometheus-stack: its own namespace, unless it searches all). */
  readonly namespace: string;
  /** Name of the ConfigMap. @default "spark-platform-dashboard" */
  readonly name?: string;
  /** Extra labels, e.g. when the sidecar uses another label than `grafana_dashboard`. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Grafana folder (the sidecar's `grafana_folder` annotation, with folderAnnotation set). @default - the sidecar's default folder */
  readonly folder?: string;
}

/** The label Grafana's dashboard sidecar discovers ConfigMaps by (the kube-prometheus-stack default). */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;

/**
 * The platform's dashboard as a ConfigMap that Grafana's dashboard sidecar (kube-prometheus-stack,
 * the Grafana chart's `sidecar.dashboards`) discovers by its `grafana_dashboard: "1"` label.
 */
export class SparkDashboard extends Construct {
  /** The ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: SparkDashboardProps) {
    super(scope, id);
    const where = `SparkDashboard ${show(props?.namespace)}`;
    checkProps('SparkDashboardProps', props, where);
    assertName(props.namespace, NameRule.DNS1123_LABEL, 'namespace', where);
    const name = props.name ?? 'spark-platform-dashboard';
    assertName(name, NameRule.DNS1123_SUBDOMAIN, 'name', where);
    assertUserMetadata(props.labels, 'label', 'labels', where);
    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name,
        namespace: props.namespace,
        labels: { ...(props.labels ?? {}), ...platformLabels(GRAFANA_DASHBOARD_LABEL) },
        annotations: props.folder !== undefined ? { grafana_folder: props.folder } : undefined,
      },
      data: { 'spark-platform.json': JSON.stringify(sparkDashboard(), null, 2) },
    });
  }
}
