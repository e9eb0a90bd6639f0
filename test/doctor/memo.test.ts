/**
 * The doctor keeps answers that depend on a few inputs (an account's rights in a namespace, a
 * pod's size against the nodes, a connection's verdict, an application's totals, a conf's keys
 * by prefix) and reuses them for every application of the same shape. These tests build two
 * applications of one shape that differ in exactly what decides the answer, and check that each
 * gets its own: a kept answer never leaks to an application it does not hold for.
 */
import { App, Chart } from 'cdk8s';
import { Doctor, attachDoctor } from '../../constructs/doctor';
import { NetworkPolicyEvaluator } from '../../constructs/doctor/evaluators/netpol';
import { RbacEvaluator } from '../../constructs/doctor/evaluators/rbac';
import { confKeysWithPrefix, withPrefix } from '../../constructs/doctor/spark-apps';
import { DoctorView } from '../../constructs/doctor/view';
import { FULL_DRIVER_RULES, account, allowSpark, denyAll, doctor, namespace, netpol, of, quota, sparkApp } from './fixtures';

describe('spark-rbac-missing: rights kept per account and namespace', () => {
  test('same application shape in two namespaces, one without the driver Role: only that one is reported', () => {
    const f = of(doctor((c) => {
      for (const ns of ['team-a', 'team-b']) namespace(c, ns);
      account(c, 'team-a', 'spark-driver', FULL_DRIVER_RULES);
      sparkApp(c, 'A1', { namespace: 'team-a', name: 'job' });
      sparkApp(c, 'B1', { namespace: 'team-b', name: 'job' });
      sparkApp(c, 'A2', { namespace: 'team-a', name: 'job-2' });
      sparkApp(c, 'B2', { namespace: 'team-b', name: 'job-2' });
    }), 'spark-rbac-missing');
    expect(f.map((x) => x.object).sort()).toEqual(['SparkApplication/team-b/job', 'SparkApplication/team-b/job-2']);
    expect(f[0].message).toMatch(/ServiceAccount team-b\/spark-driver is not among the manifests/);
  });

  test('the same account asked about two namespaces: a binding in one grants nothing in the other', () => {
    const rbac = new RbacEvaluator([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'spark-driver', namespace: 'team-a' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }] },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'pods', namespace: 'team-a' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pods' },
        subjects: [{ kind: 'ServiceAccount', name: 'spark-driver', namespace: 'team-a' }],
      },
    ]);
    const sa = { kind: 'ServiceAccount' as const, namespace: 'team-a', name: 'spark-driver' };
    for (let i = 0; i < 2; i++) { // asked twice: the second answer comes from what was kept
      expect(rbac.can(sa, { verb: 'create', resource: 'pods', namespace: 'team-a' })).toBe(true);
      expect(rbac.can(sa, { verb: 'create', resource: 'pods', namespace: 'team-b' })).toBe(false);
      expect(rbac.can(sa, { verb: 'create', resource: 'pods' })).toBe(false); // cluster-scoped
      expect(rbac.can(sa, { verb: 'delete', resource: 'pods', namespace: 'team-a' })).toBe(false);
      expect(rbac.canIn(sa, 'team-a')({ verb: 'create', resource: 'pods' })).toBe(true);
      expect(rbac.canIn(sa, 'team-b')({ verb: 'create', resource: 'pods' })).toBe(false);
      // Same name, other namespace: another identity.
      expect(rbac.can({ ...sa, namespace: 'team-b' }, { verb: 'create', resource: 'pods', namespace: 'team-a' })).toBe(false);
    }
  });
});

describe('pod-exceeds-node: verdicts kept per pod size and node selector', () => {
  const nodes = { nodes: [{ name: 'cpu', cpu: '16', memory: '64Gi', labels: { pool: 'cpu' } }, { name: 'small', cpu: '2', memory: '4Gi', labels: { pool: 'small' } }] };

  test('same size, different node selectors: only the one sent to the small pool is reported', () => {
    const f = of(doctor((c) => {
      sparkApp(c, 'Big', { spec: { executor: { memory: '6g', nodeSelector: { pool: 'cpu' } } } });
      sparkApp(c, 'Small', { spec: { executor: { memory: '6g', nodeSelector: { pool: 'small' } } } });
      sparkApp(c, 'Big2', { spec: { executor: { memory: '6g', nodeSelector: { pool: 'cpu' } } } });
    }, nodes), 'pod-exceeds-node');
    expect(f.map((x) => x.object)).toEqual(['SparkApplication/team/small']);
  });

  test('same shape twice: both are reported, each with its own message', () => {
    const f = of(doctor((c) => {
      sparkApp(c, 'One', { spec: { executor: { memory: '60g' } } });
      sparkApp(c, 'Two', { spec: { executor: { memory: '60g' } } });
      sparkApp(c, 'Three', { spec: { executor: { memory: '60g', memoryOverhead: '8g' } } });
    }, nodes), 'pod-exceeds-node');
    expect(f.map((x) => x.object).sort()).toEqual(['SparkApplication/team/one', 'SparkApplication/team/three', 'SparkApplication/team/two']);
    expect(f.find((x) => x.object === 'SparkApplication/team/three')!.message).toMatch(/overhead 8g/);
    expect(f.find((x) => x.object === 'SparkApplication/team/one')!.message).toMatch(/overhead 6g/);
  });
});

describe('NetworkPolicy verdicts kept by the labels policies read', () => {
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } },
    ...['team-a', 'team-b'].map((ns) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } })),
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'spark', namespace: 'team-a' },
      spec: {
        podSelector: { matchLabels: { 'spark-role': 'executor' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['driver'] }] } }], ports: [{ port: 7078 }] }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'in', namespace: 'team-a' },
      spec: { podSelector: { matchLabels: { tier: 'driver' } }, ingress: [{ from: [{ podSelector: {} }] }] },
    },
  ];

  test('pods differing only in labels no selector reads share a verdict; a label a selector reads, the namespace or the port change it', () => {
    const np = new NetworkPolicyEvaluator(objects);
    const executor = (app: string, ns = 'team-a') => ({ namespace: ns, labels: { 'spark-role': 'executor', app } });
    const driver = (app: string, ns = 'team-a', tier = 'driver') => ({ namespace: ns, labels: { tier, app } });
    for (let i = 0; i < 2; i++) {
      expect(np.allows({ from: executor('one'), to: driver('one'), port: 7078 })).toBe(true);
      expect(np.allows({ from: executor('two'), to: driver('two'), port: 7078 })).toBe(true);
      expect(np.allows({ from: executor('one'), to: driver('one'), port: 7079 })).toBe(false);
      expect(np.allows({ from: executor('one'), to: driver('one', 'team-a', 'web'), port: 7078 })).toBe(false);
      expect(np.allows({ from: executor('one', 'team-b'), to: driver('one', 'team-b'), port: 7078 })).toBe(false);
      expect(np.allows({ from: { namespace: 'team-a', labels: { app: 'one' } }, to: driver('one'), port: 7078 })).toBe(false);
    }
  });

  test('driver-unreachable: same shape in two namespaces, one without the Spark policy: only that one is reported', () => {
    const f = of(doctor((c) => {
      for (const ns of ['team-a', 'team-b']) {
        namespace(c, ns);
        denyAll(c, ns);
      }
      allowSpark(c, 'team-a');
      sparkApp(c, 'A', { namespace: 'team-a', name: 'job' });
      sparkApp(c, 'B', { namespace: 'team-b', name: 'job' });
      sparkApp(c, 'A2', { namespace: 'team-a', name: 'job-2' });
    }), 'driver-unreachable');
    expect(f.map((x) => x.object)).toEqual(['SparkApplication/team-b/job']);
  });

  test('driver-unreachable: same namespace, the policy selects by the application\'s name: only the unselected one is reported', () => {
    const f = of(doctor((c) => {
      namespace(c, 'team');
      denyAll(c, 'team');
      const one = { matchLabels: { 'sparkoperator.k8s.io/app-name': 'one' } };
      netpol(c, 'team', 'one', { podSelector: one, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: one }] }], egress: [{ to: [{ podSelector: one }] }] });
      sparkApp(c, 'One', { namespace: 'team', name: 'one' });
      sparkApp(c, 'Two', { namespace: 'team', name: 'two' });
    }), 'driver-unreachable');
    expect(f.map((x) => x.object)).toEqual(['SparkApplication/team/two']);
  });
});

/** The same job in team-a and team-b, each namespace with its own quota: the findings of `rule`. */
function sameJobInTwoNamespaces(a: Record<string, string>, b: Record<string, string>, rule: string): ReturnType<typeof of> {
  return of(doctor((c) => {
    quota(c, 'team-a', a);
    quota(c, 'team-b', b);
    sparkApp(c, 'A', { namespace: 'team-a', name: 'job' });
    sparkApp(c, 'B', { namespace: 'team-b', name: 'job' });
  }), rule);
}

describe('quota totals kept per application and executor count', () => {
  test('same shape in two namespaces, a small quota in one: only that one is reported', () => {
    const f = sameJobInTwoNamespaces({ 'requests.cpu': '2' }, { 'requests.cpu': '64' }, 'job-exceeds-quota');
    expect(f.map((x) => x.object)).toEqual(['SparkApplication/team-a/job']);
  });

  test('dynamic allocation: the totals at start and at maxExecutors are kept apart', () => {
    const r = doctor((c) => {
      quota(c, 'team', { 'requests.cpu': '5', pods: '20' });
      sparkApp(c, 'App', { spec: { dynamicAllocation: { enabled: true, initialExecutors: 2, minExecutors: 1, maxExecutors: 8 } } });
    });
    expect(of(r, 'job-exceeds-quota')).toEqual([]);
    const max = of(r, 'max-executors-exceed-quota');
    expect(max).toHaveLength(1);
    expect(max[0].message).toMatch(/at maxExecutors 8 .*need 9 CPU/);
  });

  test('unbounded-scratch: only the namespace that meters ephemeral storage is judged', () => {
    const f = sameJobInTwoNamespaces({ 'requests.ephemeral-storage': '100Gi' }, { 'requests.cpu': '64' }, 'unbounded-scratch');
    expect(f.map((x) => x.object)).toEqual(['SparkApplication/team-a/job']);
    expect(f[0].message).toMatch(/Namespace team-a meters node disk \(ResourceQuota q\)/);
  });
});

describe('confKeysWithPrefix', () => {
  const conf = {
    'spark.kubernetes.executor.label.b': '2',
    'spark.app.name': 'x',
    'spark.kubernetes.executor.label.a': '1',
    'spark.kubernetes.executor.labelled': 'no',
    'spark.kubernetes.driver.label.c': '3',
  };

  test('the same keys, in the conf\'s order, whether the conf is frozen (indexed) or not', () => {
    const frozen = Object.freeze({ ...conf });
    for (const c of [conf, frozen, frozen]) {
      expect(confKeysWithPrefix(c, 'spark.kubernetes.executor.label.')).toEqual(['spark.kubernetes.executor.label.b', 'spark.kubernetes.executor.label.a']);
      expect(confKeysWithPrefix(c, 'spark.kubernetes.driver.label.')).toEqual(['spark.kubernetes.driver.label.c']);
      expect(confKeysWithPrefix(c, 'spark.kubernetes.node.selector.')).toEqual([]);
      expect(confKeysWithPrefix(c, '')).toEqual(Object.keys(conf));
      expect(Object.entries(withPrefix(c, 'spark.kubernetes.executor.label.'))).toEqual([['b', '2'], ['a', '1']]);
    }
  });

  test('an application\'s conf is frozen, so its index cannot go stale', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    sparkApp(chart, 'App', { spec: { sparkConf: { 'spark.kubernetes.executor.label.team': 'a' } } });
    const d = attachDoctor(app);
    const [model] = new DoctorView(app.node.findAll(), d.options).apps;
    expect(Object.isFrozen(model.conf)).toBe(true);
    expect(model.executor.labels.team).toBe('a');
    expect(() => { (model.conf as Record<string, string>)['spark.kubernetes.executor.label.team'] = 'b'; }).toThrow(TypeError);
  });
});

describe('what the doctor keeps after its report', () => {
  test('the JSON for the renderer, until released; the report stays', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    const obj = sparkApp(chart, 'App');
    const d = Doctor.of(app) ?? attachDoctor(app);
    const report = d.report();
    const json = d.renderedJson();
    expect(json?.get(obj)).toEqual(obj.toJson());
    d.releaseRenderedJson();
    expect(d.renderedJson()).toBeUndefined();
    expect(d.report()).toBe(report); // still cached: not recomputed
  });
});
