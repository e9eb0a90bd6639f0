import { Connection, PodRef } from '../evaluators/netpol';
import { SPARK_K8S_BLOCK_MANAGER_PORT, SPARK_K8S_DRIVER_PORT, SparkAppView } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { appTarget } from './common';

/** A fixed port from conf, the default when unset, undefined when random (0) or invalid. */
function port(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value.trim());
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** The ports executors dial on the driver: RPC and block manager, plus the retry range when `spark.port.maxRetries` is set. */
function driverPorts(app: SparkAppView): Array<{ port: number; what: string }> {
  const c = app.conf;
  const rpc = port(c['spark.driver.port'], SPARK_K8S_DRIVER_PORT);
  const bm = port(c['spark.driver.blockManager.port'] ?? c['spark.blockManager.port'], SPARK_K8S_BLOCK_MANAGER_PORT);
  const retries = Math.min(16, Math.max(0, Number(c['spark.port.maxRetries'] ?? 0) || 0));
  const out: Array<{ port: number; what: string }> = [];
  const seen = new Set<number>();
  for (const [base, what] of [[rpc, 'spark.driver.port'], [bm, 'block manager']] as const) {
    if (base === undefined) continue;
    for (let i = 0; i <= retries && base + i <= 65535; i++) {
      if (seen.has(base + i)) continue;
      seen.add(base + i);
      out.push({ port: base + i, what: i === 0 ? what : `${what} + ${i} (spark.port.maxRetries)` });
    }
  }
  return out;
}

/**
 * `driver-unreachable`: Spark needs executors -> driver (RPC `spark.driver.port`, 7078, and the
 * block manager, 7079), driver -> executors and executor -> executor (block manager, shuffle).
 * The namespaces' NetworkPolicies are evaluated like a network plugin would (see
 * NetworkPolicyEvaluator) for the pods Spark creates, with the labels Spark gives them.
 * Namespaces without NetworkPolicies in the tree are open and not checked.
 */
export const driverUnreachable: DoctorRule = {
  id: 'driver-unreachable',
  severity: Severity.ERROR,
  summary: 'Executors cannot reach the driver: a NetworkPolicy blocks executor <-> driver traffic on the Spark ports',
  check(view, report) {
    for (const app of view.apps) {
      const driverNamespace = app.clientDriver?.namespace ?? app.namespace;
      if (!view.hasNetworkPolicies(app.namespace) && !view.hasNetworkPolicies(driverNamespace)) continue;
      const evaluator = view.networkPolicies;
      if (evaluator instanceof Error) {
        report(appTarget(app), `the NetworkPolicies of namespace ${app.namespace} cannot be evaluated: ${evaluator.message}. Fix: correct the policy (the API server would reject it too)`);
        continue;
      }
      const driverLabels = app.clientDriver?.podLabels ?? app.driver?.labels ?? (app.mode === 'client' ? app.submitter?.pod.labels : undefined);
      if (!driverLabels) continue;
      const driver: PodRef = { namespace: driverNamespace, labels: { ...driverLabels } };
      const executor: PodRef = { namespace: app.namespace, labels: { ...app.executor.labels } };
      const executorBm = port(app.conf['spark.blockManager.port'], SPARK_K8S_BLOCK_MANAGER_PORT);
      const checks: Array<Connection & { what: string }> = [
        ...driverPorts(app).map((p) => ({ from: executor, to: driver, port: p.port, what: `executors -> driver on ${p.port} (${p.what})` })),
        ...(executorBm === undefined ? [] : [
          { from: driver, to: executor, port: executorBm, what: `driver -> executors on ${executorBm} (block manager)` },
          { from: executor, to: executor, port: executorBm, what: `executor -> executor on ${executorBm} (block manager, shuffle)` },
        ]),
      ];
      const blocked = checks.filter((c) => !evaluator.allows(c));
      if (blocked.length === 0) continue;
      const why = evaluator.explain(blocked[0]).split('\n').slice(1).map((l) => l.trim()).join('; ');
      report(appTarget(app), `NetworkPolicies block ${blocked.map((b) => b.what).join(', ')} (driver labels ${JSON.stringify(driver.labels)}, executor labels ${JSON.stringify(executor.labels)}; ${why}): executors start, then die unable to reach the driver. Fix: admit traffic between the driver and its executors on these ports in both directions (a tenant's allow-spark-driver-executor policy does, for pods with a spark-role label)`);
    }
  },
};
