import { IConstruct } from 'constructs';
import { NetworkEndpoint } from '../../network';
import { PodRef } from '../evaluators/netpol';
import { SparkAppView } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { DoctorView, IndexedObject } from '../view';
import { appTarget } from './common';

/** The API server endpoint a tenant namespace declares (SparkNamespace's `endpoints.apiServer`). */
export interface DeclaredApiServer {
  /** The Namespace object. */
  readonly namespace: IndexedObject;
  /** CIDRs its egress policy admits (`network.apiServerCidrs`). */
  readonly cidrs: readonly string[];
  /** TCP ports its egress policy admits (`network.apiServerPorts`). */
  readonly ports: readonly number[];
}

/** The construct that made `c` and declares the namespace's egress targets, if any (a SparkNamespace). */
function endpointsOwner(c: IConstruct): { endpoints: { apiServer: NetworkEndpoint } } | undefined {
  for (let s: IConstruct | undefined = c.node.scope; s; s = s.node.scope) {
    const endpoints = (s as { endpoints?: { apiServer?: unknown } }).endpoints;
    if (endpoints && endpoints.apiServer instanceof NetworkEndpoint) return s as unknown as { endpoints: { apiServer: NetworkEndpoint } };
  }
  return undefined;
}

/**
 * The API server endpoint each tenant namespace of the tree declares, by namespace: read from the
 * construct that made the Namespace object (a SparkNamespace, built from the environment's
 * `network.apiServerCidrs`/`apiServerPorts`). Namespaces made otherwise are absent.
 */
export function declaredApiServers(view: DoctorView): ReadonlyMap<string, DeclaredApiServer> {
  return view.derived('declaredApiServers', () => {
    const out = new Map<string, DeclaredApiServer>();
    for (const ns of view.ofKind('Namespace')) {
      const owner = endpointsOwner(ns.construct);
      if (!owner) continue;
      const endpoint = owner.endpoints.apiServer;
      const cidrs = endpoint.toPeers().flatMap((p) => (p.ipBlock ? [p.ipBlock.cidr] : []));
      const ports = endpoint.ports.filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.port);
      out.set(ns.name, { namespace: ns, cidrs, ports });
    }
    return out;
  });
}

/** The pods of an application that call the API server, with the namespace they run in. */
function apiCallers(app: SparkAppView): Array<{ what: string; pod: PodRef }> {
  const out: Array<{ what: string; pod: PodRef }> = [];
  if (app.submitter) out.push({ what: 'the spark-submit pod (it creates the driver)', pod: { namespace: app.submitter.namespace, labels: { ...app.submitter.pod.labels } } });
  if (app.driver) out.push({ what: 'the driver (it creates and watches the executors)', pod: { namespace: app.namespace, labels: { ...app.driver.labels } } });
  else if (app.clientDriver) out.push({ what: 'the client-mode driver (it creates and watches the executors)', pod: { namespace: app.clientDriver.namespace, labels: { ...app.clientDriver.podLabels } } });
  return out;
}

/**
 * `driver-api-egress-blocked`: a Spark driver creates, watches and deletes its executor pods (and
 * a spark-submit pod creates the driver) through the Kubernetes API. In a namespace whose
 * NetworkPolicies restrict egress, those pods must be allowed to the API server's endpoint
 * addresses on the port they listen on (policies see traffic after kube-proxy rewrote the
 * `kubernetes` Service to its endpoints); otherwise the driver fails at start with a connect
 * timeout to the API server and no executor is ever created. Addresses and ports are the doctor's
 * `apiServer` facts, else what the tenant namespace declares (`network.apiServerCidrs`, the first
 * address of each, and every `network.apiServerPorts` port). Namespaces without policies, or
 * whose API server is unknown, are not judged.
 */
export const driverApiEgressBlocked: DoctorRule = {
  id: 'driver-api-egress-blocked',
  severity: Severity.ERROR,
  summary: 'Driver cannot create executors (API server connect timeout): NetworkPolicies block driver / spark-submit egress to the API server',
  check(view, report) {
    const facts = view.options.apiServer;
    const declared = declaredApiServers(view);
    for (const app of view.apps) {
      for (const { what, pod } of apiCallers(app)) {
        if (!view.hasNetworkPolicies(pod.namespace)) continue;
        const evaluator = view.networkPolicies;
        if (evaluator instanceof Error) continue; // driver-unreachable reports policies that cannot be evaluated
        const tenant = declared.get(pod.namespace);
        const addresses = facts.addresses
          ? facts.addresses.map((ip) => ({ ip, from: 'doctor.apiServer.addresses' }))
          : (tenant?.cidrs ?? []).map((cidr) => ({ ip: cidr.slice(0, cidr.indexOf('/')), from: `network.apiServerCidrs ${cidr}` }));
        const ports = facts.port !== undefined
          ? [{ port: facts.port, from: 'doctor.apiServer.port' }]
          : (tenant?.ports ?? []).map((port) => ({ port, from: 'network.apiServerPorts' }));
        if (addresses.length === 0 || ports.length === 0) continue;
        const blocked: string[] = [];
        let explained: string | undefined;
        for (const a of addresses) {
          for (const p of ports) {
            const c = { from: pod, to: { ip: a.ip }, port: p.port };
            if (evaluator.allows(c)) continue;
            blocked.push(`${a.ip}:${p.port} (${a.from}; ${p.from})`);
            explained ??= evaluator.explain(c).split('\n').slice(1).map((l) => l.trim()).join('; ');
          }
        }
        if (blocked.length === 0) continue;
        report(appTarget(app), `NetworkPolicies of namespace ${pod.namespace} block ${what}, pod labels ${JSON.stringify(pod.labels)}, from reaching the API server at ${blocked.join(', ')} (${explained}): it times out calling the Kubernetes API and no executor is ever created. Fix: admit egress from these pods to the API server's endpoint addresses and port (SparkNamespace's allow-driver-kube-api policy does for spark-role=driver pods, from network.apiServerCidrs and apiServerPorts; the port is the endpoints' one, 6443 on most clusters)`);
      }
    }
  },
};
