import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { assertUserMetadata, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';

/**
 * A Prometheus Operator `PodMonitor` (monitoring.coreos.com/v1) for an operator's pods. The
 * Prometheus Operator must be installed in the cluster, and its Prometheus must select the
 * PodMonitor (by `labels` and `namespace`).
 */
export interface OperatorPodMonitor {
  /** Labels of the PodMonitor, e.g. the `release` label a Prometheus selects PodMonitors by. @default - the platform's labels only */
  readonly labels?: Readonly<Record<string, string>>;
  /** Scrape interval, a Prometheus duration such as `30s` or `1m`. @default - the Prometheus' own interval */
  readonly interval?: string;
  /** Namespace of the PodMonitor (it selects the operator's namespace either way). @default - the operator's namespace */
  readonly namespace?: string;
}

/**
 * Monitoring of an operator's metrics endpoint by Prometheus. Off unless a member is set; either
 * way the scraper must be admitted by the operator's `metricsAccess` NetworkPolicy peers.
 */
export interface OperatorMonitoring {
  /** Emit a PodMonitor scraping the operator's metrics port by name. @default - none */
  readonly podMonitor?: OperatorPodMonitor;
  /**
   * Put `prometheus.io/scrape`, `prometheus.io/port` and `prometheus.io/path` on the operator's
   * pod templates, for a Prometheus discovering pods by annotation. @default false
   */
  readonly scrapeAnnotations?: boolean;
}

/** A set of pods serving metrics: the selector of exactly them, and their named metrics port. */
export interface MetricsTargets {
  /** Labels every selected pod carries. */
  readonly matchLabels: Readonly<Record<string, string>>;
  /** Values of `app.kubernetes.io/component` of the selected pods (controller, webhook...). */
  readonly components: readonly string[];
  /** Name of the metrics port on the containers. */
  readonly portName: string;
  /** HTTP path of the metrics. */
  readonly path: string;
}

/** Where the PodMonitor goes and whose pods it scrapes. */
export interface PodMonitorOptions {
  /** Its name. */
  readonly name: string;
  /** The operator's namespace (the pods'). */
  readonly podNamespace: string;
  /** The pods and their port. */
  readonly targets: MetricsTargets;
  /** The PodMonitor's own labels (the platform's are added). */
  readonly labels: Readonly<Record<string, string>>;
}

/** A Prometheus duration (Prometheus Operator's `Duration`): units from largest to smallest, e.g. `1m30s`. */
const DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;

/** Whether `value` is a Prometheus duration (`30s`, `1m30s`), as a PodMonitor's `interval` takes it. */
export function isPrometheusDuration(value: string): boolean {
  return value !== '' && DURATION.test(value);
}

/** Whether `monitoring` asks for anything (a PodMonitor or scrape annotations). */
export function monitoringEnabled(monitoring: OperatorMonitoring | undefined): boolean {
  return monitoring !== undefined && (monitoring.podMonitor !== undefined || monitoring.scrapeAnnotations === true);
}

/**
 * Checks `monitoring` against the operator's other props: a scraper needs `metricsAccess` peers
 * (the operator's NetworkPolicies drop every other connection), and the PodMonitor's fields must
 * be valid. Throws naming the field.
 */
export function checkMonitoring(monitoring: OperatorMonitoring | undefined, metricsAccessCount: number, where: string): void {
  if (!monitoringEnabled(monitoring)) return;
  if (metricsAccessCount === 0) {
    throw new SparkPlatformError('monitoring', 'is set but metricsAccess is empty, so the operator\'s NetworkPolicies would drop every scrape',
      'list the Prometheus pods (their namespace and labels) in metricsAccess, or remove monitoring', where);
  }
  const pm = monitoring!.podMonitor;
  if (!pm) return;
  if (pm.interval !== undefined && !isPrometheusDuration(pm.interval)) {
    throw new SparkPlatformError('monitoring.podMonitor.interval', `${show(pm.interval)} is not a Prometheus duration`, 'write it like "30s", "1m" or "1m30s" (units y, w, d, h, m, s, ms, largest first)', where);
  }
  if (pm.namespace !== undefined) assertName(pm.namespace, NameRule.DNS1123_LABEL, 'monitoring.podMonitor.namespace', where);
  assertUserMetadata(pm.labels, 'label', 'monitoring.podMonitor.labels', where);
}

/** The `prometheus.io/*` pod annotations for a metrics endpoint. */
export function scrapeAnnotations(port: number, path: string): Record<string, string> {
  return { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': path };
}

/**
 * Adds `annotations` to the pod template of every Deployment under `scope` (for Deployments
 * built by shared helpers that set no pod annotations of their own).
 */
export function annotatePodTemplates(scope: Construct, annotations: Record<string, string>): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof ApiObject && c.kind === 'Deployment') {
      c.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { ...annotations }));
    }
  }
}

/**
 * A PodMonitor selecting exactly `targets`' pods in the operator's namespace and scraping their
 * metrics port by name.
 */
export function operatorPodMonitor(scope: Construct, id: string, podMonitor: OperatorPodMonitor, o: PodMonitorOptions): ApiObject {
  const t = o.targets;
  return new ApiObject(scope, id, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: o.name, namespace: podMonitor.namespace ?? o.podNamespace, labels: { ...(podMonitor.labels ?? {}), ...platformLabels({ ...o.labels }) } },
    spec: {
      selector: {
        matchLabels: { ...t.matchLabels },
        matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: [...t.components] }],
      },
      namespaceSelector: { matchNames: [o.podNamespace] },
      podMetricsEndpoints: [{ port: t.portName, path: t.path, ...(podMonitor.interval ? { interval: podMonitor.interval } : {}) }],
    },
  });
}
