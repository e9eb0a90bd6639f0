import { Connection, NetworkPolicyEvaluator, PodRef } from './netpol';

// --- tiny manifest builders: plain objects, shaped as `cdk8s synth` emits them ---------------

const NETWORKING = 'networking.k8s.io/v1';

function netpol(namespace: string, name: string, spec: Record<string, unknown>): object {
  return { apiVersion: NETWORKING, kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

function namespace(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

const pod = (ns: string, labels: Record<string, string> = {}, extra: Partial<PodRef> = {}): PodRef => ({
  namespace: ns,
  labels,
  ...extra,
});

/** A peer selecting pods with `labels` in namespace `ns`, the way NetworkEndpoint.pods emits it. */
const podsIn = (ns: string, labels: Record<string, string>): object => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
  podSelector: { matchLabels: labels },
});

const SPARK_PODS = { matchExpressions: [{ key: 'spark-role', operator: 'Exists' }] };

/** The policies a SparkNamespace emits for tenant `ns` (default deny, DNS, driver<->executor, driver->API). */
function sparkTenant(ns: string): object[] {
  return [
    namespace(ns, { 'spark-platform.io/tenant': ns }),
    netpol(ns, 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] }),
    netpol(ns, 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [podsIn('kube-system', { 'k8s-app': 'kube-dns' })],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      }],
    }),
    netpol(ns, 'allow-spark-driver-executor', {
      podSelector: SPARK_PODS,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: SPARK_PODS }] }],
      egress: [{ to: [{ podSelector: SPARK_PODS }] }],
    }),
    netpol(ns, 'allow-driver-kube-api', {
      podSelector: { matchLabels: { 'spark-role': 'driver' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ port: 443, protocol: 'TCP' }] }],
    }),
  ];
}

const driver = pod('spark-jobs', { 'spark-role': 'driver' });
const executor = pod('spark-jobs', { 'spark-role': 'executor' });
const plain = pod('spark-jobs', { app: 'web' });
const dns = pod('kube-system', { 'k8s-app': 'kube-dns' });
const apiServer = { ip: '10.0.0.1' };

describe('NetworkPolicyEvaluator: the Spark tenant scenario', () => {
  const net = new NetworkPolicyEvaluator(
    [...sparkTenant('spark-jobs'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ignored', namespace: 'spark-jobs' } }],
    { namespaceLabels: { 'kube-system': {}, other: { team: 'other' } } },
  );

  test.each<[string, Connection, boolean]>([
    ['executor -> driver on 7078', { from: executor, to: driver, port: 7078 }, true],
    ['driver -> executor on any port', { from: driver, to: executor, port: 40123 }, true],
    ['executor -> driver over UDP too (no ports = all ports, all protocols)', { from: executor, to: driver, port: 7078, protocol: 'UDP' }, true],
    ['a non-Spark pod of the tenant -> driver', { from: plain, to: driver, port: 7078 }, false],
    ['driver -> a non-Spark pod of the tenant', { from: driver, to: plain, port: 80 }, false],
    ['an executor-labelled pod of another namespace -> driver', { from: pod('other', { 'spark-role': 'executor' }), to: driver, port: 7078 }, false],
    ['driver -> an executor-labelled pod of another namespace', { from: driver, to: pod('other', { 'spark-role': 'executor' }), port: 7078 }, false],
    ['any pod -> kube-dns over UDP 53', { from: plain, to: dns, port: 53, protocol: 'UDP' }, true],
    ['any pod -> kube-dns over TCP 53', { from: executor, to: dns, port: 53 }, true],
    ['any pod -> kube-dns on another port', { from: plain, to: dns, port: 54, protocol: 'UDP' }, false],
    ['any pod -> another kube-system pod on 53', { from: plain, to: pod('kube-system', { 'k8s-app': 'metrics' }), port: 53, protocol: 'UDP' }, false],
    ['any pod -> a kube-dns-labelled pod outside kube-system', { from: plain, to: pod('other', { 'k8s-app': 'kube-dns' }), port: 53, protocol: 'UDP' }, false],
    ['driver -> 10.0.0.1:443', { from: driver, to: apiServer, port: 443 }, true],
    ['executor -> 10.0.0.1:443', { from: executor, to: apiServer, port: 443 }, false],
    ['driver -> 10.0.0.2:443', { from: driver, to: { ip: '10.0.0.2' }, port: 443 }, false],
    ['driver -> 10.0.0.1:80', { from: driver, to: apiServer, port: 80 }, false],
    ['the outside -> driver', { from: { ip: '192.0.2.10' }, to: driver, port: 4040 }, false],
    // Policies of spark-jobs do not govern other namespaces: kube-system has none, so it is open.
    ['a kube-system pod -> a kube-system pod', { from: dns, to: pod('kube-system', { app: 'x' }), port: 1 }, true],
  ])('%s', (_name, connection, allowed) => {
    expect({ allowed: net.allows(connection), why: net.explain(connection) }).toMatchObject({ allowed });
  });

  test('explain names the policies selecting each end and the rules that decided', () => {
    expect(net.explain({ from: executor, to: driver, port: 7078 })).toBe([
      'TCP pod spark-jobs/{spark-role=executor} -> pod spark-jobs/{spark-role=driver} port 7078: ALLOWED',
      '  egress of the source: allowed (selected for Egress by spark-jobs/default-deny-all, spark-jobs/allow-dns, ' +
        'spark-jobs/allow-spark-driver-executor; allowed by allow-spark-driver-executor egress[0])',
      '  ingress of the destination: allowed (selected for Ingress by spark-jobs/default-deny-all, ' +
        'spark-jobs/allow-spark-driver-executor; allowed by allow-spark-driver-executor ingress[0])',
    ].join('\n'));
    expect(net.explain({ from: executor, to: apiServer, port: 443 })).toBe([
      'TCP pod spark-jobs/{spark-role=executor} -> 10.0.0.1 (outside the pod network) port 443: DENIED',
      '  egress of the source: DENIED (selected for Egress by spark-jobs/default-deny-all, spark-jobs/allow-dns, ' +
        'spark-jobs/allow-spark-driver-executor; no rule allows it)',
      '  ingress of the destination: not checked (10.0.0.1 (outside the pod network))',
    ].join('\n'));
    expect(net.explain({ from: plain, to: dns, port: 53, protocol: 'UDP' })).toContain(
      'ingress of the destination: allowed (no policy in kube-system selects the pod for Ingress)',
    );
  });
});

describe('NetworkPolicyEvaluator: isolation and policyTypes', () => {
  const a = pod('ns-a', { app: 'a' });
  const a2 = pod('ns-a', { app: 'a2' });
  const b = pod('ns-b', { app: 'b' });

  test('no policy at all: everything is allowed', () => {
    const net = new NetworkPolicyEvaluator([]);
    expect(net.allows({ from: a, to: b, port: 80 })).toBe(true);
    expect(net.allows({ from: { ip: '8.8.8.8' }, to: a, port: 80 })).toBe(true);
    expect(net.allows({ from: a, to: { ip: '8.8.8.8' }, port: 53, protocol: 'UDP' })).toBe(true);
  });

  test('default-deny-all blocks everything, both ways, for its namespace only', () => {
    const net = new NetworkPolicyEvaluator([
      netpol('ns-a', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    ]);
    expect(net.allows({ from: a, to: a2, port: 80 })).toBe(false);
    expect(net.allows({ from: a, to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: a, to: b, port: 80 })).toBe(false); // a's egress
    expect(net.allows({ from: b, to: a, port: 80 })).toBe(false); // a's ingress
    expect(net.allows({ from: a, to: { ip: '1.1.1.1' }, port: 443 })).toBe(false);
    expect(net.allows({ from: { ip: '1.1.1.1' }, to: a, port: 443 })).toBe(false);
    expect(net.allows({ from: b, to: pod('ns-b', { app: 'b2' }), port: 80 })).toBe(true);
    expect(net.allows({ from: b, to: { ip: '1.1.1.1' }, port: 443 })).toBe(true);
  });

  test('policyTypes omitted, ingress rules only: isolates ingress, leaves egress open', () => {
    const net = new NetworkPolicyEvaluator([netpol('ns-a', 'ingress-only', { podSelector: {}, ingress: [] })]);
    expect(net.allows({ from: b, to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: a, to: b, port: 80 })).toBe(true);
  });

  test('policyTypes omitted, spec without rules: still Ingress (deny all ingress)', () => {
    const net = new NetworkPolicyEvaluator([netpol('ns-a', 'bare', { podSelector: {} })]);
    expect(net.allows({ from: b, to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: a, to: { ip: '1.1.1.1' }, port: 80 })).toBe(true);
  });

  test('policyTypes omitted with egress rules: Ingress AND Egress, so ingress becomes deny-all', () => {
    const net = new NetworkPolicyEvaluator([
      netpol('ns-a', 'egress-to-b', { podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }] }] }),
    ]);
    expect(net.allows({ from: a, to: b, port: 80 })).toBe(true);
    expect(net.allows({ from: a, to: { ip: '1.1.1.1' }, port: 80 })).toBe(false);
    expect(net.allows({ from: b, to: a, port: 80 })).toBe(false); // Ingress was defaulted in, with no rules
  });

  test('policyTypes omitted with egress: [] : Ingress only (an empty list adds no Egress)', () => {
    const net = new NetworkPolicyEvaluator([netpol('ns-a', 'p', { podSelector: {}, egress: [] })]);
    expect(net.allows({ from: a, to: { ip: '1.1.1.1' }, port: 80 })).toBe(true);
    expect(net.allows({ from: b, to: a, port: 80 })).toBe(false);
  });

  test('policyTypes: [] is defaulted like an omitted field', () => {
    const net = new NetworkPolicyEvaluator([netpol('ns-a', 'p', { podSelector: {}, policyTypes: [] })]);
    expect(net.allows({ from: b, to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: a, to: b, port: 80 })).toBe(true);
  });

  test('explicit policyTypes [Egress] ignores the ingress rules and leaves ingress open', () => {
    const net = new NetworkPolicyEvaluator([
      netpol('ns-a', 'p', { podSelector: {}, policyTypes: ['Egress'], ingress: [], egress: [] }),
    ]);
    expect(net.allows({ from: b, to: a, port: 80 })).toBe(true);
    expect(net.allows({ from: a, to: b, port: 80 })).toBe(false);
  });

  test('podSelector scopes isolation: an unselected pod stays open', () => {
    const net = new NetworkPolicyEvaluator([
      netpol('ns-a', 'deny-a', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Ingress'] }),
    ]);
    expect(net.allows({ from: b, to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: b, to: a2, port: 80 })).toBe(true);
  });

  test('policies are additive: one allowing rule among many isolating policies suffices', () => {
    const net = new NetworkPolicyEvaluator([
      netpol('ns-a', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      netpol('ns-a', 'allow-80', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ ports: [{ port: 80 }] }] }),
      netpol('ns-a', 'allow-b', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns-b' } } }] }] }),
    ]);
    expect(net.allows({ from: { ip: '1.1.1.1' }, to: a, port: 80 })).toBe(true);
    expect(net.allows({ from: { ip: '1.1.1.1' }, to: a, port: 81 })).toBe(false);
    expect(net.allows({ from: b, to: a, port: 81 })).toBe(true);
    expect(net.allows({ from: b, to: a2, port: 80 })).toBe(true);
    expect(net.allows({ from: pod('ns-c'), to: a2, port: 80 })).toBe(false);
  });

  test('a pod-to-pod connection needs both the egress and the ingress side', () => {
    const net = new NetworkPolicyEvaluator([
      netpol('ns-a', 'a-egress-to-b', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] }),
      netpol('ns-b', 'b-ingress-none', { podSelector: {}, policyTypes: ['Ingress'] }),
    ]);
    const c = { from: a, to: b, port: 80 };
    expect(net.allows(c)).toBe(false);
    expect(net.explain(c)).toMatch(/egress of the source: allowed .*\n.*ingress of the destination: DENIED \(selected for Ingress by ns-b\/b-ingress-none; no rule allows it\)/);
  });
});

describe('NetworkPolicyEvaluator: rules and peers', () => {
  const a = pod('ns-a', { app: 'a' });
  const b = pod('ns-b', { app: 'a' }); // same labels, other namespace

  /** Isolates ns-a pods for ingress with one rule. */
  const ingressTo = (rule: Record<string, unknown>, extra: object[] = [], options = {}): NetworkPolicyEvaluator =>
    new NetworkPolicyEvaluator([netpol('ns-a', 'p', { podSelector: {}, policyTypes: ['Ingress'], ingress: [rule] }), ...extra], options);

  test('missing from and missing ports: every source, every port, every protocol', () => {
    const net = ingressTo({});
    expect(net.allows({ from: b, to: a, port: 1 })).toBe(true);
    expect(net.allows({ from: { ip: '203.0.113.9' }, to: a, port: 65535, protocol: 'SCTP' })).toBe(true);
  });

  test('empty from and empty ports mean the same as missing ones', () => {
    const net = ingressTo({ from: [], ports: [] });
    expect(net.allows({ from: b, to: a, port: 1, protocol: 'UDP' })).toBe(true);
    expect(net.allows({ from: { ip: '203.0.113.9' }, to: a, port: 22 })).toBe(true);
  });

  test('podSelector alone matches pods of the policy namespace only, never same-labelled pods elsewhere', () => {
    const net = ingressTo({ from: [{ podSelector: { matchLabels: { app: 'a' } } }] });
    expect(net.allows({ from: pod('ns-a', { app: 'a' }), to: a, port: 80 })).toBe(true);
    expect(net.allows({ from: b, to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: pod('ns-a', { app: 'z' }), to: a, port: 80 })).toBe(false);
  });

  test('an empty podSelector alone matches every pod of the policy namespace, and nothing outside', () => {
    const net = ingressTo({ from: [{ podSelector: {} }] });
    expect(net.allows({ from: pod('ns-a'), to: a, port: 80 })).toBe(true);
    expect(net.allows({ from: pod('ns-b'), to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: { ip: '10.1.1.1' }, to: a, port: 80 })).toBe(false);
  });

  test('namespaceSelector alone matches every pod of matching namespaces (labels from Namespace objects)', () => {
    const net = ingressTo(
      { from: [{ namespaceSelector: { matchLabels: { team: 'data' } } }] },
      [namespace('ns-b', { team: 'data' }), namespace('ns-c', { team: 'web' })],
    );
    expect(net.allows({ from: pod('ns-b', { anything: 'x' }), to: a, port: 80 })).toBe(true);
    expect(net.allows({ from: pod('ns-c'), to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: pod('ns-a'), to: a, port: 80 })).toBe(false); // ns-a is not labelled team=data
  });

  test('an empty namespaceSelector matches every pod of every namespace, but no outside address', () => {
    const net = ingressTo({ from: [{ namespaceSelector: {} }] });
    expect(net.allows({ from: pod('anywhere'), to: a, port: 80 })).toBe(true);
    expect(net.allows({ from: { ip: '10.1.1.1' }, to: a, port: 80 })).toBe(false);
  });

  test('namespaceSelector and podSelector in one peer are ANDed; in two peers, ORed', () => {
    const and = ingressTo({ from: [podsIn('ns-b', { app: 'client' })] });
    expect(and.allows({ from: pod('ns-b', { app: 'client' }), to: a, port: 80 })).toBe(true);
    expect(and.allows({ from: pod('ns-b', { app: 'other' }), to: a, port: 80 })).toBe(false);
    expect(and.allows({ from: pod('ns-c', { app: 'client' }), to: a, port: 80 })).toBe(false);

    const or = ingressTo({
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns-b' } } },
        { podSelector: { matchLabels: { app: 'client' } } },
      ],
    });
    expect(or.allows({ from: pod('ns-b', { app: 'other' }), to: a, port: 80 })).toBe(true);
    expect(or.allows({ from: pod('ns-a', { app: 'client' }), to: a, port: 80 })).toBe(true);
    expect(or.allows({ from: pod('ns-c', { app: 'client' }), to: a, port: 80 })).toBe(false);
  });

  test('namespace labels: options.namespaceLabels, the automatic name label, and unknown namespaces', () => {
    const net = ingressTo(
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system', tier: 'system' } } }] },
      [],
      { namespaceLabels: { 'kube-system': { tier: 'system' } } },
    );
    expect(net.allows({ from: pod('kube-system'), to: a, port: 80 })).toBe(true);
    // An undeclared namespace carries only its name label.
    const byName = ingressTo({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns-z' } } }] });
    expect(byName.allows({ from: pod('ns-z'), to: a, port: 80 })).toBe(true);
    const byTier = ingressTo({ from: [{ namespaceSelector: { matchLabels: { tier: 'system' } } }] });
    expect(byTier.allows({ from: pod('ns-z'), to: a, port: 80 })).toBe(false);
  });

  test('the automatic name label cannot be spoofed by a Namespace manifest', () => {
    const net = ingressTo(
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] },
      [namespace('evil', { 'kubernetes.io/metadata.name': 'kube-system' })],
    );
    expect(net.allows({ from: pod('evil'), to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: pod('kube-system'), to: a, port: 80 })).toBe(true);
  });

  test('egress peers match destination pods the same way', () => {
    const net = new NetworkPolicyEvaluator([
      netpol('ns-a', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }),
    ]);
    expect(net.allows({ from: a, to: pod('ns-a', { app: 'db' }), port: 5432 })).toBe(true);
    expect(net.allows({ from: a, to: pod('ns-b', { app: 'db' }), port: 5432 })).toBe(false);
    expect(net.allows({ from: a, to: { ip: '10.0.0.5' }, port: 5432 })).toBe(false);
  });
});

describe('NetworkPolicyEvaluator: label selectors', () => {
  const target = pod('ns', { app: 'api' });
  const fromSelector = (selector: object): NetworkPolicyEvaluator =>
    new NetworkPolicyEvaluator([
      netpol('ns', 'p', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: selector }] }] }),
    ]);
  const admits = (net: NetworkPolicyEvaluator, labels: Record<string, string>): boolean =>
    net.allows({ from: pod('ns', labels), to: target, port: 80 });

  test('Exists matches any value, including empty; a missing key does not match', () => {
    const net = fromSelector({ matchExpressions: [{ key: 'spark-role', operator: 'Exists' }] });
    expect(admits(net, { 'spark-role': 'driver' })).toBe(true);
    expect(admits(net, { 'spark-role': '' })).toBe(true);
    expect(admits(net, { app: 'x' })).toBe(false);
  });

  test('DoesNotExist', () => {
    const net = fromSelector({ matchExpressions: [{ key: 'quarantine', operator: 'DoesNotExist' }] });
    expect(admits(net, { app: 'x' })).toBe(true);
    expect(admits(net, { quarantine: 'true' })).toBe(false);
  });

  test('In and NotIn (a missing key is NotIn every set)', () => {
    const into = fromSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] });
    expect(admits(into, { tier: 'web' })).toBe(true);
    expect(admits(into, { tier: 'db' })).toBe(false);
    expect(admits(into, {})).toBe(false);
    const notIn = fromSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] });
    expect(admits(notIn, { tier: 'web' })).toBe(true);
    expect(admits(notIn, {})).toBe(true);
    expect(admits(notIn, { tier: 'db' })).toBe(false);
  });

  test('matchLabels and matchExpressions are ANDed', () => {
    const net = fromSelector({
      matchLabels: { app: 'spark' },
      matchExpressions: [{ key: 'spark-role', operator: 'In', values: ['driver'] }, { key: 'debug', operator: 'DoesNotExist' }],
    });
    expect(admits(net, { app: 'spark', 'spark-role': 'driver' })).toBe(true);
    expect(admits(net, { app: 'spark', 'spark-role': 'executor' })).toBe(false);
    expect(admits(net, { 'spark-role': 'driver' })).toBe(false);
    expect(admits(net, { app: 'spark', 'spark-role': 'driver', debug: '1' })).toBe(false);
  });

  test('spec.podSelector uses the same selectors, e.g. Exists selects only Spark pods', () => {
    const net = new NetworkPolicyEvaluator([netpol('ns', 'p', { podSelector: SPARK_PODS, policyTypes: ['Ingress'] })]);
    expect(net.allows({ from: { ip: '1.2.3.4' }, to: pod('ns', { 'spark-role': 'executor' }), port: 80 })).toBe(false);
    expect(net.allows({ from: { ip: '1.2.3.4' }, to: pod('ns', { app: 'web' }), port: 80 })).toBe(true);
  });
});

describe('NetworkPolicyEvaluator: ipBlock', () => {
  const a = pod('ns-a', { app: 'a' });
  const egressTo = (ipBlock: object): NetworkPolicyEvaluator =>
    new NetworkPolicyEvaluator([netpol('ns-a', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock }] }] })]);

  test('cidr with except: inside allowed, the excepted range and outside denied', () => {
    const net = egressTo({ cidr: '10.0.0.0/8', except: ['10.96.0.0/12', '10.0.0.1/32'] });
    expect(net.allows({ from: a, to: { ip: '10.1.2.3' }, port: 443 })).toBe(true);
    expect(net.allows({ from: a, to: { ip: '10.255.255.255' }, port: 443 })).toBe(true);
    expect(net.allows({ from: a, to: { ip: '10.96.0.1' }, port: 443 })).toBe(false);
    expect(net.allows({ from: a, to: { ip: '10.111.255.255' }, port: 443 })).toBe(false);
    expect(net.allows({ from: a, to: { ip: '10.112.0.0' }, port: 443 })).toBe(true);
    expect(net.allows({ from: a, to: { ip: '10.0.0.1' }, port: 443 })).toBe(false);
    expect(net.allows({ from: a, to: { ip: '11.0.0.0' }, port: 443 })).toBe(false);
  });

  test('0.0.0.0/0 matches every IPv4 address; host bits in the cidr are masked like Go does', () => {
    expect(egressTo({ cidr: '0.0.0.0/0' }).allows({ from: a, to: { ip: '203.0.113.7' }, port: 1 })).toBe(true);
    const sloppy = egressTo({ cidr: '192.168.1.77/24' });
    expect(sloppy.allows({ from: a, to: { ip: '192.168.1.1' }, port: 1 })).toBe(true);
    expect(sloppy.allows({ from: a, to: { ip: '192.168.2.1' }, port: 1 })).toBe(false);
  });

  test('a pod destination is matched by an ipBlock only through an explicit PodRef.ip', () => {
    const net = egressTo({ cidr: '10.0.0.0/8' });
    expect(net.allows({ from: a, to: pod('ns-b', { app: 'x' }), port: 80 })).toBe(false);
    expect(net.allows({ from: a, to: pod('ns-b', { app: 'x' }, { ip: '10.244.1.5' }), port: 80 })).toBe(true);
    expect(net.allows({ from: a, to: pod('ns-b', { app: 'x' }, { ip: '172.16.0.5' }), port: 80 })).toBe(false);
  });

  test('ingress ipBlock: outside sources and pods with an ip in the range', () => {
    const net = new NetworkPolicyEvaluator([
      netpol('ns-a', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] } }] }] }),
    ]);
    expect(net.allows({ from: { ip: '192.0.2.10' }, to: a, port: 80 })).toBe(true);
    expect(net.allows({ from: { ip: '192.0.2.200' }, to: a, port: 80 })).toBe(false);
    expect(net.allows({ from: pod('ns-b', {}, { ip: '192.0.2.11' }), to: a, port: 80 })).toBe(true);
    expect(net.allows({ from: pod('ns-b'), to: a, port: 80 })).toBe(false);
  });

  test('IPv6 blocks match IPv6 addresses only', () => {
    const net = egressTo({ cidr: '2001:db8::/32', except: ['2001:db8:ffff::/48'] });
    expect(net.allows({ from: a, to: { ip: '2001:db8::1' }, port: 443 })).toBe(true);
    expect(net.allows({ from: a, to: { ip: '2001:0db8:0001:0000:0000:0000:0000:0001' }, port: 443 })).toBe(true);
    expect(net.allows({ from: a, to: { ip: '2001:db8:ffff::1' }, port: 443 })).toBe(false);
    expect(net.allows({ from: a, to: { ip: '2001:db9::1' }, port: 443 })).toBe(false);
    expect(egressTo({ cidr: '::/0' }).allows({ from: a, to: { ip: '10.0.0.1' }, port: 443 })).toBe(false);
    expect(egressTo({ cidr: '::ffff:0:0/96' }).allows({ from: a, to: { ip: '::ffff:10.0.0.1' }, port: 443 })).toBe(true);
  });
});

describe('NetworkPolicyEvaluator: ports', () => {
  const server = pod('ns', { app: 'server' });
  const client = pod('ns', { app: 'client' });
  const withPorts = (ports: object[]): NetworkPolicyEvaluator =>
    new NetworkPolicyEvaluator([netpol('ns', 'p', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ ports }] })]);

  test('protocol defaults to TCP, in the policy and in the connection', () => {
    const net = withPorts([{ port: 8080 }]);
    expect(net.allows({ from: client, to: server, port: 8080 })).toBe(true);
    expect(net.allows({ from: client, to: server, port: 8080, protocol: 'TCP' })).toBe(true);
    expect(net.allows({ from: client, to: server, port: 8080, protocol: 'UDP' })).toBe(false);
    expect(net.allows({ from: client, to: server, port: 8081 })).toBe(false);
  });

  test('endPort makes an inclusive range', () => {
    const net = withPorts([{ protocol: 'TCP', port: 32000, endPort: 32768 }]);
    expect(net.allows({ from: client, to: server, port: 31999 })).toBe(false);
    expect(net.allows({ from: client, to: server, port: 32000 })).toBe(true);
    expect(net.allows({ from: client, to: server, port: 32500 })).toBe(true);
    expect(net.allows({ from: client, to: server, port: 32768 })).toBe(true);
    expect(net.allows({ from: client, to: server, port: 32769 })).toBe(false);
    expect(net.allows({ from: client, to: server, port: 32500, protocol: 'UDP' })).toBe(false);
  });

  test('a port entry without port matches every port of its protocol', () => {
    const net = withPorts([{ protocol: 'UDP' }]);
    expect(net.allows({ from: client, to: server, port: 5000, protocol: 'UDP' })).toBe(true);
    expect(net.allows({ from: client, to: server, port: 5000 })).toBe(false);
  });

  test('several port entries are ORed; SCTP is a protocol of its own', () => {
    const net = withPorts([{ port: 80 }, { port: 9000, protocol: 'SCTP' }]);
    expect(net.allows({ from: client, to: server, port: 80 })).toBe(true);
    expect(net.allows({ from: client, to: server, port: 9000, protocol: 'SCTP' })).toBe(true);
    expect(net.allows({ from: client, to: server, port: 9000 })).toBe(false);
  });

  test('a named port resolves through the destination PodRef.ports, and never matches without it', () => {
    const net = withPorts([{ port: 'http' }]);
    const named = pod('ns', { app: 'server' }, { ports: { http: 8080, metrics: 9090 } });
    expect(net.allows({ from: client, to: named, port: 8080 })).toBe(true);
    expect(net.allows({ from: client, to: named, port: 9090 })).toBe(false);
    expect(net.allows({ from: client, to: server, port: 8080 })).toBe(false);
    // egress: resolved on the destination too; an outside address has no named ports
    const egress = new NetworkPolicyEvaluator([
      netpol('ns', 'e', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }),
    ]);
    expect(egress.allows({ from: client, to: named, port: 8080 })).toBe(true);
    expect(egress.allows({ from: client, to: { ip: '1.1.1.1' }, port: 8080 })).toBe(false);
  });

  test('peers and ports of one rule are ANDed', () => {
    const net = new NetworkPolicyEvaluator([
      netpol('ns', 'p', {
        podSelector: { matchLabels: { app: 'server' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 443 }] }],
      }),
    ]);
    expect(net.allows({ from: client, to: server, port: 443 })).toBe(true);
    expect(net.allows({ from: client, to: server, port: 80 })).toBe(false);
    expect(net.allows({ from: pod('ns', { app: 'other' }), to: server, port: 443 })).toBe(false);
  });
});

describe('NetworkPolicyEvaluator: input handling', () => {
  const a = pod('ns-a', { app: 'a' });

  test('ignores other kinds and same-named kinds of other API groups; flattens kind: List', () => {
    const calico = { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'ns-a' }, spec: {} };
    const ignored = new NetworkPolicyEvaluator([calico, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, null, 'text']);
    expect(ignored.allows({ from: { ip: '1.1.1.1' }, to: a, port: 80 })).toBe(true);
    const listed = new NetworkPolicyEvaluator([
      { apiVersion: 'v1', kind: 'List', items: [netpol('ns-a', 'deny', { podSelector: {} })] },
    ]);
    expect(listed.allows({ from: { ip: '1.1.1.1' }, to: a, port: 80 })).toBe(false);
  });

  test.each<[string, unknown[], object, RegExp]>([
    ['a duplicate policy', [netpol('ns', 'p', {}), netpol('ns', 'p', {})], {}, /duplicate object NetworkPolicy ns\/p/],
    ['a duplicate namespace', [namespace('ns'), namespace('ns')], {}, /duplicate object Namespace ns/],
    ['a policy without namespace', [{ apiVersion: NETWORKING, kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: {} }], {}, /NetworkPolicy p has no metadata.namespace/],
    ['a namespace both declared and in options', [namespace('ns')], { namespaceLabels: { ns: {} } }, /namespace ns is among the objects/],
    ['an empty peer', [netpol('ns', 'p', { ingress: [{ from: [{}] }] })], {}, /spec.ingress\[0\].from\[0\] must specify podSelector, namespaceSelector or ipBlock/],
    ['ipBlock with a selector', [netpol('ns', 'p', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] })], {}, /may not combine ipBlock/],
    ['an except outside the cidr', [netpol('ns', 'p', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/8'] } }] }] })], {}, /except\[0\] 11.0.0.0\/8 must be a strict subset of cidr 10.0.0.0\/8/],
    ['an except equal to the cidr', [netpol('ns', 'p', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }] }] })], {}, /must be a strict subset/],
    ['a bad cidr', [netpol('ns', 'p', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] })], {}, /cidr "10.0.0.0\/33" is not a CIDR/],
    ['endPort below port', [netpol('ns', 'p', { ingress: [{ ports: [{ port: 90, endPort: 80 }] }] })], {}, /endPort 80 must be from port \(90\) to 65535/],
    ['endPort with a named port', [netpol('ns', 'p', { ingress: [{ ports: [{ port: 'http', endPort: 80 }] }] })], {}, /endPort needs a numeric port/],
    ['a numeric string port', [netpol('ns', 'p', { ingress: [{ ports: [{ port: '80' }] }] })], {}, /port "80" must be 1-65535 or a port name/],
    ['an unknown protocol', [netpol('ns', 'p', { ingress: [{ ports: [{ port: 80, protocol: 'ICMP' }] }] })], {}, /protocol "ICMP" must be TCP, UDP or SCTP/],
    ['an unknown policy type', [netpol('ns', 'p', { policyTypes: ['ingress'] })], {}, /"ingress" must be Ingress or Egress/],
    ['an unknown operator', [netpol('ns', 'p', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] } })], {}, /operator "Gt" is not supported/],
    ['Exists with values', [netpol('ns', 'p', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['1'] }] } })], {}, /Exists forbids values/],
    ['In without values', [netpol('ns', 'p', { podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } })], {}, /In requires values/],
  ])('rejects %s', (_name, objects, options, message) => {
    expect(() => new NetworkPolicyEvaluator(objects, options)).toThrow(message);
  });

  test.each<[string, Connection, RegExp]>([
    ['two outside addresses', { from: { ip: '1.1.1.1' }, to: { ip: '2.2.2.2' }, port: 80 }, /between two outside addresses/],
    ['a port out of range', { from: pod('ns'), to: pod('ns'), port: 0 }, /port 0 must be a whole number from 1 to 65535/],
    ['a bad address', { from: pod('ns'), to: { ip: '10.0.0.256' }, port: 80 }, /to.ip "10.0.0.256" is not an IP address/],
    ['a bad pod ip', { from: pod('ns', {}, { ip: 'nope' }), to: pod('ns'), port: 80 }, /from.ip "nope" is not an IP address/],
    ['an empty namespace', { from: pod(''), to: pod('ns'), port: 80 }, /from.namespace must be a non-empty string/],
  ])('rejects a connection with %s', (_name, connection, message) => {
    const net = new NetworkPolicyEvaluator([]);
    expect(() => net.allows(connection)).toThrow(message);
    expect(() => net.explain(connection)).toThrow(message);
  });
});
