/**
 * A Kubernetes NetworkPolicy evaluator: evaluates synthesized `networking.k8s.io/v1`
 * NetworkPolicy manifests the way a conforming network plugin enforces them, so the platform
 * doctor can find connections Spark needs that the policies block, and tests can prove isolation
 * ("an executor reaches its driver on 7078; a pod of another namespace does not; only drivers
 * reach the API server") instead of snapshotting policy specs.
 *
 * Policies are indexed by namespace once, so a question costs the policies of the two namespaces
 * involved, not of the whole input.
 *
 * Semantics follow https://kubernetes.io/docs/concepts/services-networking/network-policies/ and
 * the API server's defaulting and validation (pkg/apis/networking/v1/defaults.go,
 * pkg/apis/networking/validation/validation.go):
 * - `policyTypes` empty or omitted = Ingress, plus Egress when `egress` has at least one rule
 *   (`egress: []` does not add it). A policy only isolates the directions it lists.
 * - A pod is isolated for a direction when any policy of its namespace selects it and has that
 *   type; then a connection needs one rule of one such policy to allow it (policies are additive,
 *   there is no deny rule). A pod no policy selects for a direction is open in that direction.
 * - A connection between two pods needs the source's egress AND the destination's ingress. From an
 *   address outside the pod network only the destination's ingress is checked; to one, only the
 *   source's egress.
 * - Peers are OR-ed; a missing or empty `from`/`to` matches every peer (external addresses
 *   included), a missing or empty `ports` every port. `podSelector` alone = pods of the policy's
 *   namespace; `namespaceSelector` alone = every pod of the matching namespaces; both in one peer
 *   = AND.
 * - Ports: `protocol` defaults to TCP; `endPort` makes an inclusive range; a port entry without
 *   `port` matches every port of its protocol. A named port is resolved on the DESTINATION pod,
 *   through {@link PodRef.ports}; without that map (or to an external address) it never matches.
 *
 * Choices where Kubernetes leaves behaviour to the plugin, or where callers must say more:
 * - ipBlock vs pod IPs: the docs leave it implementation-defined (Calico matches pod IPs, others
 *   see rewritten addresses). Here an ipBlock matches a pod only when its {@link PodRef.ip} is set
 *   and lies in the cidr (outside every `except`); a pod without `ip` is never matched by an
 *   ipBlock. External `{ ip }` endpoints are matched by ipBlocks only, never by selectors.
 * - IPv4 and IPv6 are both supported; an address never matches a cidr of the other family
 *   (no IPv4-mapped IPv6 magic).
 * - Namespace labels: Namespace objects of the input, else `options.namespaceLabels`; every
 *   namespace also carries `kubernetes.io/metadata.name: <name>` (the API server sets it and
 *   overwrites any other value). A namespace in neither is assumed to have only that label.
 * - Manifests the API server would reject (an empty peer, ipBlock combined with a selector, an
 *   `except` outside its cidr, `endPort` below `port`, an unknown selector operator, ...) throw,
 *   so a broken policy fails loudly instead of being evaluated as something it is not.
 * - Not modelled: a pod's traffic to itself and to/from its node (always allowed by Kubernetes),
 *   Services (policies see pod endpoints after DNAT: connect to the backing pod), hostNetwork pods.
 */

import { Json, LabelSelector, isRecord, jsonReader, selectorMatches } from './k8s-json';

/** A pod as NetworkPolicies see it: namespace and labels, plus optionally its IP and named ports. */
export interface PodRef {
  /** Namespace of the pod. */
  namespace: string;
  /** Labels of the pod. */
  labels: Record<string, string>;
  /** Pod IP: only a pod with an IP can be matched by an ipBlock peer (see the module comment). */
  ip?: string;
  /** Named container ports (name -> number), resolving NetworkPolicy ports given by name. */
  ports?: Record<string, number>;
}

/** An in-cluster pod, or an address outside the pod network. */
export type Destination = PodRef | { ip: string };

/** One connection attempt; `protocol` defaults to TCP. */
export interface Connection {
  /** The client: a pod, or an address outside the pod network (then only the destination's ingress is checked). */
  from: PodRef | { ip: string };
  /** The server: a pod, or an address outside the pod network (then only the source's egress is checked). */
  to: Destination;
  /** Destination port, 1-65535. */
  port: number;
  /** @default 'TCP' */
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** Options for {@link NetworkPolicyEvaluator}. */
export interface NetworkPolicyEvaluatorOptions {
  /** Labels of namespaces NOT among the objects (e.g. kube-system), keyed by name; the name label is added. */
  namespaceLabels?: Record<string, Record<string, string>>;
}

const NETWORKING_API_VERSION = 'networking.k8s.io/v1';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

const { metadata, listOf, stringList, parseSelector, parseObjects } = jsonReader('NetworkPolicyEvaluator');

type Protocol = 'TCP' | 'UDP' | 'SCTP';
type Direction = 'Ingress' | 'Egress';

interface Cidr {
  family: 4 | 6;
  /** Network address, host bits cleared. */
  network: bigint;
  prefix: number;
  text: string;
}

interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

type Peer =
  | { kind: 'ipBlock'; cidr: Cidr; except: readonly Cidr[] }
  | { kind: 'selector'; podSelector?: LabelSelector; namespaceSelector?: LabelSelector };

interface PolicyPort {
  protocol: Protocol;
  /** undefined = every port of the protocol; a string = a named port. */
  port?: number | string;
  endPort?: number;
}

interface Rule {
  /** Empty = every peer. */
  peers: readonly Peer[];
  /** Empty = every port. */
  ports: readonly PolicyPort[];
}

interface Policy {
  namespace: string;
  name: string;
  podSelector: LabelSelector;
  /** Rules per direction the policy applies to (after policyTypes defaulting); absent = not that type. */
  rules: Partial<Record<Direction, readonly Rule[]>>;
}

/** A validated connection: endpoints resolved, protocol defaulted. */
interface NormalizedConnection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: Protocol;
}

type Endpoint =
  | { kind: 'pod'; pod: PodRef; ip?: IpAddress }
  | { kind: 'external'; ip: IpAddress; text: string };

/** What one direction decided. */
interface SideVerdict {
  direction: Direction;
  /** The pod whose policies were consulted; undefined when that end is outside the pod network. */
  pod?: PodRef;
  /** Policies selecting the pod for this direction; empty = not isolated. */
  selecting: readonly Policy[];
  /** The rules that allow the connection, as "<policy> <ingress|egress>[i]". */
  allowedBy: readonly string[];
  allowed: boolean;
}

/** Evaluates NetworkPolicy manifests like a conforming network plugin, for pod-level connection questions. */
export class NetworkPolicyEvaluator {
  /** Policies by namespace: a pod is only ever selected by the policies of its own namespace. */
  private readonly policies = new Map<string, Policy[]>();
  private readonly namespaces = new Map<string, Readonly<Record<string, string>>>();
  /**
   * The pod label keys any pod selector of the policies reads (a policy's own podSelector, its
   * peers'), sorted: a verdict depends on a pod's labels only through these, so `allows`
   * remembers verdicts by them (pods of one shape that differ in other labels, e.g. their
   * application's name, share one).
   */
  private readonly selectorKeys: readonly string[];
  /** Verdicts of `allows`, by {@link connectionKey}: the policies never change once parsed. */
  private readonly verdicts = new Map<string, boolean>();

  /** objects: the manifests; namespaceLabels: labels of namespaces NOT among the objects (e.g. kube-system), keyed by name */
  constructor(objects: readonly unknown[], options: NetworkPolicyEvaluatorOptions = {}) {
    for (const parsed of parseObjects(objects, parseObject)) {
      if (parsed.kind === 'Namespace') this.namespaces.set(parsed.name, withNameLabel(parsed.name, parsed.labels));
      else {
        const list = this.policies.get(parsed.policy.namespace);
        if (list) list.push(parsed.policy);
        else this.policies.set(parsed.policy.namespace, [parsed.policy]);
      }
    }
    for (const [name, labels] of Object.entries(options.namespaceLabels ?? {})) {
      if (this.namespaces.has(name)) {
        throw new Error(
          `NetworkPolicyEvaluator: namespace ${name} is among the objects; drop it from options.namespaceLabels`,
        );
      }
      if (!isRecord(labels)) throw new Error(`NetworkPolicyEvaluator: options.namespaceLabels.${name} must be an object`);
      this.namespaces.set(name, withNameLabel(name, labels));
    }
    const keys = new Set<string>();
    const read = (selector: LabelSelector | undefined) => {
      if (!selector) return;
      for (const k of Object.keys(selector.matchLabels)) keys.add(k);
      for (const e of selector.matchExpressions) keys.add(e.key);
    };
    for (const list of this.policies.values()) {
      for (const policy of list) {
        read(policy.podSelector);
        for (const rules of Object.values(policy.rules)) for (const rule of rules ?? []) for (const peer of rule.peers) if (peer.kind === 'selector') read(peer.podSelector);
      }
    }
    this.selectorKeys = [...keys].sort();
  }

  /** true when the connection is allowed by BOTH the egress policies of the source pod's namespace and the ingress policies of the destination pod's namespace (a side with no policy selecting the pod for that direction allows all) */
  allows(c: Connection): boolean {
    const conn = normalizeConnection(c);
    const key = this.connectionKey(conn);
    let allowed = this.verdicts.get(key);
    if (allowed === undefined) {
      allowed = this.side(conn, 'Egress').allowed && this.side(conn, 'Ingress').allowed;
      this.verdicts.set(key, allowed);
    }
    return allowed;
  }

  /**
   * What decides a connection's verdict: each end's namespace, IP and the labels the policies'
   * pod selectors read, the destination's named ports, the port and the protocol.
   */
  private connectionKey(conn: NormalizedConnection): string {
    const end = (e: Endpoint): unknown[] => {
      if (e.kind === 'external') return ['external', e.text];
      const labels: unknown[] = [];
      for (const k of this.selectorKeys) if (Object.prototype.hasOwnProperty.call(e.pod.labels, k)) labels.push(k, e.pod.labels[k]);
      return ['pod', e.pod.namespace, e.pod.ip ?? null, labels];
    };
    const ports = conn.to.kind === 'pod' ? conn.to.pod.ports ?? null : null;
    return JSON.stringify([end(conn.from), end(conn.to), ports, conn.port, conn.protocol]);
  }

  /** explanation for failing assertions: which policies selected the source (egress) and destination (ingress), and whether each direction allowed it */
  explain(c: Connection): string {
    const conn = normalizeConnection(c);
    const egress = this.side(conn, 'Egress');
    const ingress = this.side(conn, 'Ingress');
    const verdict = egress.allowed && ingress.allowed ? 'ALLOWED' : 'DENIED';
    return [
      `${conn.protocol} ${describeEndpoint(conn.from)} -> ${describeEndpoint(conn.to)} port ${conn.port}: ${verdict}`,
      `  egress of the source: ${describeSide(egress, conn.from)}`,
      `  ingress of the destination: ${describeSide(ingress, conn.to)}`,
    ].join('\n');
  }

  /** Egress is decided by the source's policies, ingress by the destination's. */
  private side(conn: NormalizedConnection, direction: Direction): SideVerdict {
    const local = direction === 'Egress' ? conn.from : conn.to;
    if (local.kind === 'external') return { direction, selecting: [], allowedBy: [], allowed: true };
    const pod = local.pod;
    const selecting = (this.policies.get(pod.namespace) ?? []).filter(
      (p) => p.rules[direction] !== undefined && selectorMatches(p.podSelector, pod.labels),
    );
    const remote = direction === 'Egress' ? conn.to : conn.from;
    const allowedBy: string[] = [];
    for (const policy of selecting) {
      (policy.rules[direction] ?? []).forEach((rule, i) => {
        if (this.ruleAllows(rule, policy.namespace, remote, conn)) {
          allowedBy.push(`${policy.name} ${direction.toLowerCase()}[${i}]`);
        }
      });
    }
    return { direction, pod, selecting, allowedBy, allowed: selecting.length === 0 || allowedBy.length > 0 };
  }

  private ruleAllows(rule: Rule, policyNamespace: string, remote: Endpoint, conn: NormalizedConnection): boolean {
    const peerOk = rule.peers.length === 0 || rule.peers.some((peer) => this.peerMatches(peer, policyNamespace, remote));
    return peerOk && (rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, conn)));
  }

  private peerMatches(peer: Peer, policyNamespace: string, remote: Endpoint): boolean {
    if (peer.kind === 'ipBlock') {
      // A pod is matched by an ipBlock only through an explicit PodRef.ip (implementation-defined upstream).
      const ip = remote.ip;
      return ip !== undefined && cidrContains(peer.cidr, ip) && !peer.except.some((e) => cidrContains(e, ip));
    }
    if (remote.kind === 'external') return false; // selectors select pods, never outside addresses
    const { pod } = remote;
    const namespaceOk = peer.namespaceSelector
      ? selectorMatches(peer.namespaceSelector, this.namespaceLabels(pod.namespace))
      : pod.namespace === policyNamespace;
    return namespaceOk && (!peer.podSelector || selectorMatches(peer.podSelector, pod.labels));
  }

  /** Declared labels, or only the automatic name label for a namespace the evaluator was not told about. */
  private namespaceLabels(name: string): Readonly<Record<string, string>> {
    return this.namespaces.get(name) ?? { [NAMESPACE_NAME_LABEL]: name };
  }
}

// ---------------------------------------------------------------------------------------------
// Connections and ports

function isPodRef(endpoint: PodRef | { ip: string }): endpoint is PodRef {
  return 'namespace' in endpoint;
}

function normalizeConnection(c: Connection): NormalizedConnection {
  if (!isRecord(c)) throw new Error('NetworkPolicyEvaluator: a connection must be an object');
  const protocol = c.protocol ?? 'TCP';
  if (!PROTOCOLS.includes(protocol)) {
    throw new Error(`NetworkPolicyEvaluator: connection protocol ${JSON.stringify(protocol)} must be TCP, UDP or SCTP`);
  }
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) {
    throw new Error(`NetworkPolicyEvaluator: connection port ${JSON.stringify(c.port)} must be a whole number from 1 to 65535`);
  }
  const from = toEndpoint(c.from, 'from');
  const to = toEndpoint(c.to, 'to');
  if (from.kind === 'external' && to.kind === 'external') {
    throw new Error('NetworkPolicyEvaluator: a connection between two outside addresses is not subject to NetworkPolicies');
  }
  return { from, to, port: c.port, protocol };
}

function toEndpoint(value: PodRef | { ip: string }, where: string): Endpoint {
  if (!isRecord(value)) throw new Error(`NetworkPolicyEvaluator: connection ${where} must be a PodRef or { ip }`);
  if (!isPodRef(value)) {
    const ip = parseIp(value.ip);
    if (!ip) throw new Error(`NetworkPolicyEvaluator: connection ${where}.ip ${JSON.stringify(value.ip)} is not an IP address`);
    return { kind: 'external', ip, text: value.ip };
  }
  if (typeof value.namespace !== 'string' || value.namespace === '') {
    throw new Error(`NetworkPolicyEvaluator: connection ${where}.namespace must be a non-empty string`);
  }
  if (!isRecord(value.labels)) throw new Error(`NetworkPolicyEvaluator: connection ${where}.labels must be an object`);
  if (value.ip === undefined) return { kind: 'pod', pod: value };
  const ip = parseIp(value.ip);
  if (!ip) throw new Error(`NetworkPolicyEvaluator: connection ${where}.ip ${JSON.stringify(value.ip)} is not an IP address`);
  return { kind: 'pod', pod: value, ip };
}

/** Ports always refer to the destination; a named port resolves through the destination pod's `ports`. */
function portMatches(p: PolicyPort, conn: NormalizedConnection): boolean {
  if (p.protocol !== conn.protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'number') {
    return p.endPort === undefined ? conn.port === p.port : conn.port >= p.port && conn.port <= p.endPort;
  }
  return conn.to.kind === 'pod' && conn.to.pod.ports?.[p.port] === conn.port;
}

// ---------------------------------------------------------------------------------------------
// Explanations

function describeLabels(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}}`;
}

function describeEndpoint(e: Endpoint): string {
  if (e.kind === 'external') return `${e.text} (outside the pod network)`;
  return `pod ${e.pod.namespace}/${describeLabels(e.pod.labels)}${e.pod.ip !== undefined ? ` ip ${e.pod.ip}` : ''}`;
}

function describeSide(v: SideVerdict, local: Endpoint): string {
  if (!v.pod) return `not checked (${describeEndpoint(local)})`;
  if (v.selecting.length === 0) {
    return `allowed (no policy in ${v.pod.namespace} selects the pod for ${v.direction})`;
  }
  const selected = `selected for ${v.direction} by ${v.selecting.map((p) => `${p.namespace}/${p.name}`).join(', ')}`;
  return v.allowed ? `allowed (${selected}; allowed by ${v.allowedBy.join(', ')})` : `DENIED (${selected}; no rule allows it)`;
}

// ---------------------------------------------------------------------------------------------
// Namespaces

function withNameLabel(name: string, labels: Readonly<Record<string, string>>): Record<string, string> {
  // The API server sets this label on every namespace and overwrites any value a manifest gives it.
  return { ...labels, [NAMESPACE_NAME_LABEL]: name };
}

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDRs

/** Dotted decimal; like the API server's sloppy parser, leading zeros are read as decimal. */
function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6Groups(text: string, allowIpv4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  const out: number[] = [];
  for (const [i, group] of groups.entries()) {
    if (allowIpv4Tail && i === groups.length - 1 && group.includes('.')) {
      const v4 = parseIpv4(group);
      if (v4 === undefined) return undefined;
      out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
      out.push(parseInt(group, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 1) {
    const all = parseIpv6Groups(text, true);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  } else {
    const head = parseIpv6Groups(halves[0] as string, false);
    const tail = parseIpv6Groups(halves[1] as string, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function parseIp(text: unknown): IpAddress | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

const familyBits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

/** Like Go's net.ParseCIDR: host bits may be set and are masked off. */
function parseCidr(text: unknown): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = familyBits(ip.family);
  if (prefix > bits) return undefined;
  const shift = BigInt(bits - prefix);
  return { family: ip.family, network: (ip.value >> shift) << shift, prefix, text };
}

function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  const shift = BigInt(familyBits(cidr.family) - cidr.prefix);
  return ip.value >> shift === cidr.network >> shift;
}

// ---------------------------------------------------------------------------------------------
// Parsing untyped manifests

type ParsedObject =
  | { kind: 'Namespace'; key: string; name: string; labels: Record<string, string> }
  | { kind: 'NetworkPolicy'; key: string; policy: Policy };

/** Namespaces (v1) and NetworkPolicies (networking.k8s.io/v1) only; same-named CRDs (Calico, Cilium) are ignored. */
function parseObject(obj: unknown): ParsedObject | undefined {
  if (!isRecord(obj)) return undefined;
  if (obj.kind === 'Namespace' && obj.apiVersion === 'v1') {
    const meta = metadata(obj, 'Namespace');
    return { kind: 'Namespace', key: `Namespace ${meta.name}`, name: meta.name, labels: meta.labels };
  }
  if (obj.kind === 'NetworkPolicy' && obj.apiVersion === NETWORKING_API_VERSION) {
    const policy = parsePolicy(obj);
    return { kind: 'NetworkPolicy', key: `NetworkPolicy ${policy.namespace}/${policy.name}`, policy };
  }
  return undefined;
}

function parsePolicy(obj: Json): Policy {
  const meta = metadata(obj, 'NetworkPolicy');
  if (!meta.namespace) {
    // Where it lands would depend on kubectl's context namespace: the answer would be a guess.
    throw new Error(`NetworkPolicyEvaluator: NetworkPolicy ${meta.name} has no metadata.namespace`);
  }
  const where = `NetworkPolicy ${meta.namespace}/${meta.name}`;
  // spec and spec.podSelector are Go structs, not pointers: absent = empty = every pod.
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const podSelector = parseSelector(spec.podSelector ?? {}, `${where} spec.podSelector`);
  const ingress = listOf(spec.ingress, `${where} spec.ingress`).map((r, i) =>
    parseRule(r, 'from', `${where} spec.ingress[${i}]`),
  );
  const egress = listOf(spec.egress, `${where} spec.egress`).map((r, i) => parseRule(r, 'to', `${where} spec.egress[${i}]`));
  const types = stringList(spec.policyTypes, `${where} spec.policyTypes`);
  for (const t of types) {
    if (t !== 'Ingress' && t !== 'Egress') {
      throw new Error(`NetworkPolicyEvaluator: ${where} spec.policyTypes: ${JSON.stringify(t)} must be Ingress or Egress`);
    }
  }
  // SetDefaults_NetworkPolicySpec: only when policyTypes is empty; egress: [] does not count.
  const effective: string[] = types.length > 0 ? types : ['Ingress', ...(egress.length > 0 ? ['Egress'] : [])];
  return {
    namespace: meta.namespace,
    name: meta.name,
    podSelector,
    rules: {
      ...(effective.includes('Ingress') ? { Ingress: ingress } : {}),
      ...(effective.includes('Egress') ? { Egress: egress } : {}),
    },
  };
}

function parseRule(value: unknown, peersKey: 'from' | 'to', where: string): Rule {
  if (!isRecord(value)) throw new Error(`NetworkPolicyEvaluator: ${where} must be an object`);
  return {
    peers: listOf(value[peersKey], `${where}.${peersKey}`).map((p, i) => parsePeer(p, `${where}.${peersKey}[${i}]`)),
    ports: listOf(value.ports, `${where}.ports`).map((p, i) => parsePort(p, `${where}.ports[${i}]`)),
  };
}

/** ValidateNetworkPolicyPeer: at least one of the three; ipBlock stands alone. */
function parsePeer(value: unknown, where: string): Peer {
  if (!isRecord(value)) throw new Error(`NetworkPolicyEvaluator: ${where} must be an object`);
  const present = (key: string): boolean => value[key] !== undefined && value[key] !== null;
  const count = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(present).length;
  if (count === 0) {
    throw new Error(`NetworkPolicyEvaluator: ${where} must specify podSelector, namespaceSelector or ipBlock`);
  }
  if (present('ipBlock')) {
    if (count > 1) throw new Error(`NetworkPolicyEvaluator: ${where} may not combine ipBlock with another peer`);
    return parseIpBlock(value.ipBlock, `${where}.ipBlock`);
  }
  return {
    kind: 'selector',
    ...(present('podSelector') ? { podSelector: parseSelector(value.podSelector, `${where}.podSelector`) } : {}),
    ...(present('namespaceSelector')
      ? { namespaceSelector: parseSelector(value.namespaceSelector, `${where}.namespaceSelector`) }
      : {}),
  };
}

/** ValidateIPBlock: a valid cidr, and every except a strict subset of it. */
function parseIpBlock(value: unknown, where: string): Peer {
  if (!isRecord(value)) throw new Error(`NetworkPolicyEvaluator: ${where} must be an object`);
  const cidr = parseCidr(value.cidr);
  if (!cidr) throw new Error(`NetworkPolicyEvaluator: ${where}.cidr ${JSON.stringify(value.cidr)} is not a CIDR`);
  const except = listOf(value.except, `${where}.except`).map((e, i) => {
    const at = `${where}.except[${i}]`;
    const c = parseCidr(e);
    if (!c) throw new Error(`NetworkPolicyEvaluator: ${at} ${JSON.stringify(e)} is not a CIDR`);
    if (c.family !== cidr.family || c.prefix <= cidr.prefix || !cidrContains(cidr, { family: c.family, value: c.network })) {
      throw new Error(`NetworkPolicyEvaluator: ${at} ${c.text} must be a strict subset of cidr ${cidr.text}`);
    }
    return c;
  });
  return { kind: 'ipBlock', cidr, except };
}

/** IANA_SVC_NAME, as container port names must be: 1-15 of [a-z0-9-], a letter, no leading/trailing/double hyphen. */
function isPortName(name: string): boolean {
  return /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

function parsePort(value: unknown, where: string): PolicyPort {
  if (!isRecord(value)) throw new Error(`NetworkPolicyEvaluator: ${where} must be an object`);
  const protocol = value.protocol ?? 'TCP';
  const known = PROTOCOLS.find((p) => p === protocol);
  if (!known) throw new Error(`NetworkPolicyEvaluator: ${where}.protocol ${JSON.stringify(protocol)} must be TCP, UDP or SCTP`);
  const port = value.port ?? undefined;
  const endPort = value.endPort ?? undefined;
  if (port !== undefined) {
    const numeric = typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
    if (!numeric && !(typeof port === 'string' && isPortName(port))) {
      throw new Error(`NetworkPolicyEvaluator: ${where}.port ${JSON.stringify(port)} must be 1-65535 or a port name`);
    }
  }
  if (endPort === undefined) return { protocol: known, ...(port !== undefined ? { port: port as number | string } : {}) };
  if (typeof port !== 'number') {
    throw new Error(`NetworkPolicyEvaluator: ${where}.endPort needs a numeric port`);
  }
  if (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort < port || endPort > 65535) {
    throw new Error(`NetworkPolicyEvaluator: ${where}.endPort ${JSON.stringify(endPort)} must be from port (${port}) to 65535`);
  }
  return { protocol: known, port, endPort };
}
