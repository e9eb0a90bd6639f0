import { IConstruct } from 'constructs';
import type { ClientPodPeer } from '../../network';
import { Json, isRecord } from '../evaluators/k8s-json';
import { PodRef } from '../evaluators/netpol';
import { SparkAppView, SparkPodView } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { DoctorView, IndexedObject } from '../view';
import { appTarget } from './common';

/** Spark's driver UI port name (Constants.UI_PORT_NAME); the port is `spark.ui.port`, 4040 by default. */
const UI_PORT_NAME = 'spark-ui';
/** The JMX exporter's port name (SparkJob monitoring.jmxExporter, the operator's default). */
const JMX_PORT_NAME = 'jmx-exporter';

/** A metrics port a scraper is expected to reach, and why. */
interface ScrapeTarget {
  readonly role: 'driver' | 'executor';
  readonly pod: PodRef;
  readonly portName: string;
  readonly port: number;
  readonly why: string;
}

/** Named ports of a pod template's containers (`spec`: the template's pod spec). */
function templatePorts(spec: Json | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of Array.isArray(spec?.containers) ? spec!.containers as unknown[] : []) {
    if (!isRecord(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (isRecord(p) && typeof p.name === 'string' && typeof p.containerPort === 'number') out[p.name] = p.containerPort;
    }
  }
  return out;
}

/** Whether a PodMonitor's selector (matchLabels, matchExpressions) selects `labels`. */
function selects(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isRecord(selector)) return false;
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return expressions.every((e) => {
    if (!isRecord(e) || typeof e.key !== 'string') return false;
    const values = Array.isArray(e.values) ? e.values as string[] : [];
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': return has && values.includes(labels[e.key]);
      case 'NotIn': return !has || !values.includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

/** The PodMonitors of the tree that select pods of `namespace`. */
function podMonitorsOver(view: DoctorView, namespace: string): IndexedObject[] {
  return view.ofKind('PodMonitor').filter((pm) => {
    const spec = isRecord(pm.json.spec) ? pm.json.spec : {};
    const nsSel = isRecord(spec.namespaceSelector) ? spec.namespaceSelector : undefined;
    if (nsSel?.any === true) return true;
    if (Array.isArray(nsSel?.matchNames)) return (nsSel!.matchNames as unknown[]).includes(namespace);
    return pm.namespace === namespace;
  });
}

/** The scrapers a tenant namespace admits (SparkNamespace's `metricsAccess`), or undefined when the namespace was made otherwise. */
function declaredScrapers(view: DoctorView, namespace: string): readonly ClientPodPeer[] | undefined {
  const ns = view.find('Namespace', '', namespace) ?? view.ofKind('Namespace').find((n) => n.name === namespace);
  if (!ns) return undefined;
  for (let s: IConstruct | undefined = ns.construct.node.scope; s; s = s.node.scope) {
    const access = (s as { metricsAccess?: unknown }).metricsAccess;
    if (Array.isArray(access)) return access as ClientPodPeer[];
  }
  return undefined;
}

/** What must be scraped in one pod of an application: its JMX exporter port, and each PodMonitor endpoint whose port it has. */
function targetsOf(view: DoctorView, app: SparkAppView, pod: SparkPodView): ScrapeTarget[] {
  const ports = templatePorts(pod.template);
  if (pod.role === 'driver') ports[UI_PORT_NAME] ??= Number(app.conf['spark.ui.port'] ?? 4040) || 4040;
  const ref: PodRef = { namespace: app.namespace, labels: { ...pod.labels }, ports };
  const out: ScrapeTarget[] = [];
  if (ports[JMX_PORT_NAME] !== undefined) out.push({ role: pod.role, pod: ref, portName: JMX_PORT_NAME, port: ports[JMX_PORT_NAME], why: 'the JMX exporter (monitoring.jmxExporter)' });
  for (const pm of podMonitorsOver(view, app.namespace)) {
    const spec = isRecord(pm.json.spec) ? pm.json.spec : {};
    if (!selects(spec.selector, pod.labels)) continue;
    for (const e of Array.isArray(spec.podMetricsEndpoints) ? spec.podMetricsEndpoints : []) {
      if (!isRecord(e) || typeof e.port !== 'string' || ports[e.port] === undefined) continue;
      if (out.some((t) => t.portName === e.port)) continue;
      out.push({ role: pod.role, pod: ref, portName: e.port, port: ports[e.port], why: `${pm.label}` });
    }
  }
  return out;
}

/**
 * `metrics-scrape-dropped`: a job's metrics are meant to be scraped (it runs the JMX exporter, or
 * a PodMonitor selects its pods on a port they have), but the tenant's NetworkPolicies deny
 * ingress by default and admit no scraper to that port: Prometheus shows the target down
 * (context deadline exceeded) and the dashboards stay empty. The scrapers are the namespace's
 * `metricsAccess` peers (SparkNamespace); each is checked against the policies like a network
 * plugin would. Namespaces without NetworkPolicies, or not made by a SparkNamespace, are not judged.
 */
export const metricsScrapeDropped: DoctorRule = {
  id: 'metrics-scrape-dropped',
  severity: Severity.ERROR,
  summary: 'Spark job metrics never reach Prometheus: NetworkPolicies drop the scrape of the JMX exporter or PodMonitor ports',
  check(view, report) {
    for (const app of view.apps) {
      if (!view.hasNetworkPolicies(app.namespace)) continue;
      const evaluator = view.networkPolicies;
      if (evaluator instanceof Error) continue; // driver-unreachable reports policies that cannot be evaluated
      const targets = [app.driver, app.executor].flatMap((pod) => (pod ? targetsOf(view, app, pod) : []));
      if (targets.length === 0) continue;
      const scrapers = declaredScrapers(view, app.namespace);
      if (scrapers === undefined) continue;
      const what = (t: ScrapeTarget) => `the ${t.role}'s ${t.portName} port ${t.port} (${t.why})`;
      if (scrapers.length === 0) {
        report(appTarget(app), `${targets.map(what).join(', ')} is never scraped: namespace ${app.namespace} denies ingress by default and admits no scraper (its metricsAccess is empty). Fix: list the Prometheus pods (namespace and labels) in the tenant's metricsAccess (SparkNamespace), which admits them to the spark-ui and jmx-exporter ports`);
        continue;
      }
      const blocked: string[] = [];
      let explained: string | undefined;
      for (const t of targets) {
        for (const s of scrapers) {
          const c = { from: { namespace: s.namespace, labels: { ...(s.labels ?? {}) } }, to: t.pod, port: t.port };
          if (evaluator.allows(c)) continue;
          blocked.push(`${what(t)} from ${s.namespace}/${JSON.stringify(s.labels ?? {})}`);
          explained ??= evaluator.explain(c).split('\n').slice(1).map((l) => l.trim()).join('; ');
        }
      }
      if (blocked.length === 0) continue;
      report(appTarget(app), `NetworkPolicies of namespace ${app.namespace} drop the scrape of ${blocked.join(', ')} (${explained}): the target shows down in Prometheus and the dashboards stay empty. Fix: admit the scrapers to the pods' metrics ports by name (the tenant's allow-spark-metrics policy does for spark-ui and jmx-exporter), or name the port jmx-exporter`);
    }
  },
};
