import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { JOB_LABEL, SPARK_ROLE_LABEL, SparkRole, assertUserMetadata, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { isPrometheusDuration } from '../operator/monitoring';
import { JMX_EXPORTER_PORT_NAME } from '../jobs/monitoring';
import type { ISparkJobNamespace } from '../tenancy';
import { checkProps } from '../validation/props';

/** Spark's name for the driver's UI port (Constants.UI_PORT_NAME), where the servlets answer. */
export const SPARK_UI_PORT_NAME = 'spark-ui';

/** The endpoints a PodMonitor of Spark jobs scrapes. */
export const SPARK_METRICS_ENDPOINTS = {
  /** Spark's PrometheusServlet: driver metrics, names carrying the application id (spark.metrics.namespace). */
  driverServlet: { port: SPARK_UI_PORT_NAME, path: '/metrics/prometheus/' },
  /** PrometheusResource: every executor's summary, fixed names (the dashboard's `metrics_executor_*`). */
  executorsServlet: { port: SPARK_UI_PORT_NAME, path: '/metrics/executors/prometheus/' },
  /** The JMX exporter agent (monitoring.jmxExporter), on drivers and executors that run it. */
  jmxExporter: { port: JMX_EXPORTER_PORT_NAME, path: '/metrics' },
} as const;

/** Properties of SparkJobsMonitoring. */
export interface SparkJobsMonitoringProps {
  /** The tenant namespace whose Spark jobs are scraped; its `metricsAccess` must admit the Prometheus. */
  readonly namespace: ISparkJobNamespace;
  /** Name of the PodMonitor. @default "spark-jobs" */
  readonly name?: string;
  /** Namespace of the PodMonitor (it selects the tenant's pods either way). @default - the tenant namespace */
  readonly podMonitorNamespace?: string;
  /** Labels of the PodMonitor, e.g. the `release` label a Prometheus selects PodMonitors by. @default - the platform's only */
  readonly labels?: Readonly<Record<string, string>>;
  /** Scrape interval, a Prometheus duration such as `30s`. @default - the Prometheus' own */
  readonly interval?: string;
  /** Scrape Spark's servlets on the driver's UI port (`monitoring.prometheus`, on by default in SparkJob). @default true */
  readonly servlet?: boolean;
  /** Scrape the JMX exporter port of pods that run it (`monitoring.jmxExporter`). @default true */
  readonly jmxExporter?: boolean;
}

/**
 * A Prometheus Operator PodMonitor for the Spark jobs of one tenant: it selects the platform's
 * drivers and executors (Spark's `spark-role` label) in the tenant namespace and scrapes, by port
 * name, Spark's servlets on the driver (`spark-ui`) and the JMX exporter (`jmx-exporter`) wherever
 * a job runs it. A pod without the named port yields no target for that endpoint. The series get
 * the pods' `spark-role` and job labels (`podTargetLabels`). The Prometheus Operator must be
 * installed, and the tenant's `metricsAccess` must list the Prometheus pods.
 */
export class SparkJobsMonitoring extends Construct {
  /** The PodMonitor. */
  public readonly podMonitor: ApiObject;

  constructor(scope: Construct, id: string, props: SparkJobsMonitoringProps) {
    super(scope, id);
    const where = `SparkJobsMonitoring ${show(props?.namespace?.name)}`;
    checkProps('SparkJobsMonitoringProps', props, where);
    const ns = props.namespace.name;
    const name = props.name ?? 'spark-jobs';
    assertName(name, NameRule.DNS1123_SUBDOMAIN, 'name', where);
    if (props.podMonitorNamespace !== undefined) assertName(props.podMonitorNamespace, NameRule.DNS1123_LABEL, 'podMonitorNamespace', where);
    assertUserMetadata(props.labels, 'label', 'labels', where);
    if (props.interval !== undefined && !isPrometheusDuration(props.interval)) {
      throw new SparkPlatformError('interval', `${show(props.interval)} is not a Prometheus duration`, 'write it like "30s", "1m" or "1m30s" (units y, w, d, h, m, s, ms, largest first)', where);
    }
    // A SparkNamespace says whom it admits; a namespace made elsewhere (fromName) is not judged here.
    if (props.namespace.metricsAccess !== undefined && props.namespace.metricsAccess.length === 0) {
      throw new SparkPlatformError('namespace', `${show(ns)} has no metricsAccess, so its default-deny NetworkPolicy drops every scrape`, 'list the Prometheus pods (their namespace and labels) in the SparkNamespace\'s metricsAccess', where);
    }
    const servlet = props.servlet ?? true;
    const jmx = props.jmxExporter ?? true;
    if (!servlet && !jmx) throw new SparkPlatformError('servlet', 'and jmxExporter are both off: the PodMonitor would scrape nothing', 'leave one on, or remove the SparkJobsMonitoring', where);
    const interval = props.interval ? { interval: props.interval } : {};
    const endpoints = [
      ...(servlet ? [SPARK_METRICS_ENDPOINTS.driverServlet, SPARK_METRICS_ENDPOINTS.executorsServlet] : []),
      ...(jmx ? [SPARK_METRICS_ENDPOINTS.jmxExporter] : []),
    ].map((e) => ({ ...e, ...interval }));
    this.podMonitor = new ApiObject(this, 'PodMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name, namespace: props.podMonitorNamespace ?? ns, labels: { ...(props.labels ?? {}), ...platformLabels() } },
      spec: {
        selector: {
          matchLabels: platformLabels(),
          matchExpressions: [{ key: SPARK_ROLE_LABEL, operator: 'In', values: [SparkRole.DRIVER, SparkRole.EXECUTOR] }],
        },
        namespaceSelector: { matchNames: [ns] },
        podMetricsEndpoints: endpoints,
        podTargetLabels: [SPARK_ROLE_LABEL, JOB_LABEL],
      },
    });
  }
}
