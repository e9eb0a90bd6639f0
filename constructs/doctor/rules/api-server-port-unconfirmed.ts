import { DoctorRule, Severity } from '../types';
import { objectTarget } from './common';
import { declaredApiServers } from './driver-api-egress-blocked';

/** The `kubernetes` Service's port, which NetworkPolicies never see. */
const SERVICE_PORT = 443;
/** The port kube-apiserver listens on in kubeadm-made clusters (kind, minikube, most self-managed ones). */
const KUBEADM_PORT = 6443;

/**
 * `api-server-port-unconfirmed`: drivers reach the API server through the `kubernetes` Service
 * (ClusterIP, port 443), but kube-proxy rewrites that to an endpoint address and port (DNAT)
 * before NetworkPolicies are applied, so egress policies must admit the endpoints' port: 6443 on
 * kubeadm-made clusters, 443 only on some managed ones. A tenant egress list with 443 and not
 * 6443 (`network.apiServerPorts: [443]`) is right on the latter and blocks every driver on the
 * former. The doctor cannot tell which cluster it is, so it asks for confirmation:
 * `doctor.apiServer.port` (then driver-api-egress-blocked checks that port) or a suppression.
 */
export const apiServerPortUnconfirmed: DoctorRule = {
  id: 'api-server-port-unconfirmed',
  severity: Severity.WARNING,
  summary: 'Drivers time out calling the API server: egress admitted to port 443 only, while NetworkPolicies match the endpoint port after DNAT (6443 on most clusters)',
  check(view, report) {
    if (view.options.apiServer.port !== undefined) return;
    for (const [ns, declared] of declaredApiServers(view)) {
      if (!declared.ports.includes(SERVICE_PORT) || declared.ports.includes(KUBEADM_PORT)) continue;
      report(objectTarget(declared.namespace), `namespace ${ns} admits API server egress on port${declared.ports.length === 1 ? '' : 's'} ${declared.ports.join(', ')} only (network.apiServerPorts), which is the kubernetes Service's port: NetworkPolicies see the connection after kube-proxy's DNAT to the API server's endpoints, whose port is 6443 on kubeadm-made clusters (kind, minikube, most self-managed ones) and 443 only on some managed ones. If it is 6443 here, every driver and spark-submit pod times out calling the API. Fix: look at the endpoints (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes); add 6443 to network.apiServerPorts if they listen there, or confirm 443 with doctor.apiServer.port: 443 (or suppress this finding with the reason)`);
    }
  },
};
