import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from './errors';
import { NameRule, assertName } from './names';

/** Transport protocols a NetworkPolicy port can name. */
export enum Protocol {
  /** TCP. */
  TCP = 'TCP',
  /** UDP (DNS). */
  UDP = 'UDP',
}

/** One port of a network endpoint. */
export interface EndpointPort {
  /** Port number, 1-65535. */
  readonly port: number;
  /** @default Protocol.TCP */
  readonly protocol?: Protocol;
}

/** Options for `NetworkEndpoint.pods`. */
export interface PodsEndpointOptions {
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels the pods carry. @default - every pod in the namespace */
  readonly labels?: Record<string, string>;
  /** Ports the pods listen on. */
  readonly ports: readonly EndpointPort[];
}

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(12[0-8]|1[01]\d|\d?\d)$/;

/**
 * Somewhere pods may send traffic to: pods selected by namespace and labels, or IP ranges
 * outside the pod network (the API server, an external object store).
 *
 * NetworkPolicies are derived from endpoints, never hand-typed, so the same endpoint a storage
 * construct publishes is the one tenants allow egress to.
 */
export class NetworkEndpoint {
  /** Pods in a namespace, selected by labels. */
  public static pods(options: PodsEndpointOptions): NetworkEndpoint {
    assertName(options.namespace, NameRule.DNS1123_LABEL, 'namespace', 'NetworkEndpoint.pods');
    return new NetworkEndpoint({ namespace: options.namespace, labels: { ...(options.labels ?? {}) } }, undefined, checkPorts(options.ports));
  }

  /** IP ranges in CIDR notation, e.g. the API server's endpoint addresses. */
  public static cidrs(cidrs: readonly string[], ports: readonly EndpointPort[]): NetworkEndpoint {
    if (cidrs.length === 0) {
      throw new SparkPlatformError('cidrs', 'is empty', 'list at least one CIDR, e.g. "10.0.0.1/32"', 'NetworkEndpoint.cidrs');
    }
    for (const [i, cidr] of cidrs.entries()) {
      if (!IPV4_CIDR.test(cidr) && !IPV6_CIDR.test(cidr)) {
        throw new SparkPlatformError(`cidrs[${i}]`, `${show(cidr)} is not a CIDR`, 'write an address with a prefix length, e.g. "10.0.0.1/32"', 'NetworkEndpoint.cidrs');
      }
    }
    return new NetworkEndpoint(undefined, [...cidrs], checkPorts(ports));
  }

  /**
   * The cluster DNS: pods labelled `k8s-app=kube-dns` in `kube-system` (CoreDNS on kubeadm, EKS,
   * GKE and AKS all keep that label), port 53 over UDP and TCP.
   */
  public static kubeDns(): NetworkEndpoint {
    return NetworkEndpoint.pods({
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns' },
      ports: [{ port: 53, protocol: Protocol.UDP }, { port: 53, protocol: Protocol.TCP }],
    });
  }

  /**
   * The Kubernetes API server at the given addresses (default: anywhere) on 443 and 6443.
   *
   * NetworkPolicies see the API server's endpoint addresses, not the `kubernetes.default`
   * ClusterIP, and those are cluster-specific; narrow `cidrs` to them
   * (`kubectl get endpoints kubernetes -n default`) where you can.
   */
  public static kubeApiServer(cidrs: readonly string[] = ['0.0.0.0/0'], ports: readonly number[] = [443, 6443]): NetworkEndpoint {
    return NetworkEndpoint.cidrs(cidrs, ports.map((port) => ({ port })));
  }

  private constructor(
    private readonly selector: { readonly namespace: string; readonly labels: Record<string, string> } | undefined,
    private readonly cidrList: readonly string[] | undefined,
    /** The endpoint's ports. */
    public readonly ports: readonly EndpointPort[],
  ) {}

  /** The namespace of a pod endpoint; undefined for CIDR endpoints. */
  public get namespace(): string | undefined {
    return this.selector?.namespace;
  }

  /** The NetworkPolicy peers that select this endpoint. */
  public toPeers(): k8s.NetworkPolicyPeer[] {
    if (this.selector) {
      return [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.selector.namespace } },
        podSelector: { matchLabels: { ...this.selector.labels } },
      }];
    }
    return (this.cidrList ?? []).map((cidr) => ({ ipBlock: { cidr } }));
  }

  /** The NetworkPolicy ports of this endpoint. */
  public toPorts(): k8s.NetworkPolicyPort[] {
    return this.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? Protocol.TCP }));
  }

  /**
   * Whether a policy admitting this endpoint also admits every connection to `other`: the same
   * namespace with a subset of its pod labels (pod endpoints), or every CIDR of `other` listed
   * here (CIDR endpoints), and every port of `other`.
   */
  public covers(other: NetworkEndpoint): boolean {
    const portKey = (p: EndpointPort) => `${p.port}/${p.protocol ?? Protocol.TCP}`;
    const ports = new Set(this.ports.map(portKey));
    if (!other.ports.every((p) => ports.has(portKey(p)))) return false;
    if (this.selector && other.selector) {
      return this.selector.namespace === other.selector.namespace
        && Object.entries(this.selector.labels).every(([k, v]) => other.selector!.labels[k] === v);
    }
    if (this.cidrList && other.cidrList) return other.cidrList.every((c) => this.cidrList!.includes(c));
    return false;
  }

  /** An egress rule that admits traffic to this endpoint. */
  public toEgressRule(): k8s.NetworkPolicyEgressRule {
    return { to: this.toPeers(), ports: this.toPorts() };
  }
}

function checkPorts(ports: readonly EndpointPort[]): EndpointPort[] {
  if (ports.length === 0) {
    throw new SparkPlatformError('ports', 'is empty', 'list the ports the endpoint listens on, e.g. [{ port: 9000 }]', 'NetworkEndpoint');
  }
  for (const [i, p] of ports.entries()) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      throw new SparkPlatformError(`ports[${i}].port`, `${show(p.port)} is not a port number`, 'use a whole number from 1 to 65535', 'NetworkEndpoint');
    }
  }
  return ports.map((p) => ({ ...p }));
}

/** Pods admitted to a port (a UI, an API): a namespace, and optionally the labels of its pods. */
export interface ClientPodPeer {
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels of the pods. @default - every pod of the namespace */
  readonly labels?: Record<string, string>;
}

/** The NetworkPolicy peers selecting `peers`; `field` names the prop in errors. */
export function peersOf(peers: readonly ClientPodPeer[], field: string, where: string): k8s.NetworkPolicyPeer[] {
  return peers.map((p, i) => {
    assertName(p.namespace, NameRule.DNS1123_LABEL, `${field}[${i}].namespace`, where);
    return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } }, podSelector: { matchLabels: { ...(p.labels ?? {}) } } };
  });
}

/** What one pod-scoped NetworkPolicy says: the pods, and what they may receive and send. */
export interface PodPolicyProps {
  /** Policy name. */
  readonly name: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels of the policy object. */
  readonly labels?: Record<string, string>;
  /** The pods it isolates. */
  readonly podSelector: k8s.LabelSelector;
  /** Admitted traffic in; an empty list admits nothing, undefined leaves ingress alone. */
  readonly ingress?: k8s.NetworkPolicyIngressRule[];
  /** Admitted traffic out; an empty list admits nothing, undefined leaves egress alone. */
  readonly egress?: k8s.NetworkPolicyEgressRule[];
}

/**
 * A NetworkPolicy for some pods. An empty rule list is written as no list (the API server stores
 * `[]` as absent, and a manifest that says `[]` would differ from the live object on every
 * server-side apply); `policyTypes` alone makes the policy deny.
 */
export function podPolicy(scope: Construct, id: string, props: PodPolicyProps): k8s.KubeNetworkPolicy {
  const nonEmpty = <T>(list: T[] | undefined) => (list && list.length > 0 ? list : undefined);
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, ...(props.labels ? { labels: props.labels } : {}) },
    spec: {
      podSelector: props.podSelector,
      policyTypes: [...(props.ingress ? ['Ingress'] : []), ...(props.egress ? ['Egress'] : [])],
      ingress: nonEmpty(props.ingress),
      egress: nonEmpty(props.egress),
    },
  });
}

/** One port range of a NetworkPolicy. */
export interface PortRange {
  /** First port. */
  readonly port: number;
  /** Last port (inclusive). */
  readonly endPort: number;
}
