import { Chart } from 'cdk8s';
import { Cpu, Memory, NetworkEndpoint, PodSecurityLevel, SparkNamespace, SparkNamespaceProps } from '../../constructs';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator } from '../helpers/netpol';
import { RbacEvaluator } from '../helpers/rbac';

function tenant(props: Partial<SparkNamespaceProps> = {}, chart: Chart = testChart()): { chart: Chart; ns: SparkNamespace; objects: Obj[] } {
  const ns = new SparkNamespace(chart, props.name ?? 'spark-jobs', { name: 'spark-jobs', ...props });
  return { chart, ns, objects: synth(chart) };
}

const minio = NetworkEndpoint.pods({ namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'minio' }, ports: [{ port: 9000 }] });

describe('SparkNamespace', () => {
  test('default tenant: every object valid, snapshot', () => {
    const { objects } = tenant({ objectStore: minio });
    expectValidManifests(objects);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/spark-jobs',
      'ResourceQuota/spark-quota',
      'LimitRange/spark-container-defaults',
      'ServiceAccount/spark-driver',
      'ServiceAccount/spark-executor',
      'Role/spark-driver',
      'RoleBinding/spark-driver',
      'NetworkPolicy/default-deny-all',
      'NetworkPolicy/allow-dns',
      'NetworkPolicy/allow-spark-driver-executor',
      'NetworkPolicy/allow-driver-kube-api',
      'NetworkPolicy/allow-spark-object-store',
    ]);
    expect(objects).toMatchSnapshot();
  });

  test('enforces the restricted Pod Security Standard, pinned to the target version', () => {
    const ns = findObject(tenant().objects, 'Namespace', 'spark-jobs');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.28',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('a relaxed level needs a reason, kept as an annotation; warn and audit stay restricted', () => {
    expect(() => tenant({ podSecurity: PodSecurityLevel.BASELINE })).toThrow(
      /SparkNamespace "spark-jobs" podSecurityReason: podSecurity is "baseline" but no reason is given\. Fix: keep the default "restricted"/,
    );
    const ns = findObject(tenant({ podSecurity: PodSecurityLevel.BASELINE, podSecurityReason: 'legacy image runs as root' }).objects, 'Namespace', 'spark-jobs');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/warn']).toBe('restricted');
    expect(ns.metadata.annotations?.['spark-platform.io/pod-security-reason']).toBe('legacy image runs as root');
  });

  test('quota and LimitRange carry the defaults, every one overridable', () => {
    const { objects, ns } = tenant();
    expect(findObject(objects, 'ResourceQuota', 'spark-quota').spec.hard).toEqual({
      'requests.cpu': '8', 'requests.memory': '32Gi', 'limits.memory': '32Gi', 'pods': 50, 'persistentvolumeclaims': 10,
      'requests.storage': '100Gi', 'count/configmaps': 100, 'services': 50, 'secrets': 20,
    });
    expect(findObject(objects, 'LimitRange', 'spark-container-defaults').spec.limits).toEqual([
      { type: 'Container', default: { memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '256Mi' } },
    ]);
    expect(ns.quota.cpu.toKubernetes()).toBe('8');

    const custom = tenant({
      quota: { cpu: Cpu.cores(4), memory: Memory.gibibytes(8), limitsCpu: Cpu.cores(8), pods: 10 },
      containerDefaults: { cpuLimit: Cpu.cores(2), maxCpu: Cpu.cores(4), maxMemory: Memory.gibibytes(8) },
    }).objects;
    expect(findObject(custom, 'ResourceQuota', 'spark-quota').spec.hard).toMatchObject({ 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.memory': '8Gi', 'limits.cpu': '8', 'pods': 10 });
    expect(findObject(custom, 'LimitRange', 'spark-container-defaults').spec.limits[0]).toMatchObject({ default: { cpu: '2', memory: '512Mi' }, max: { cpu: '4', memory: '8Gi' } });
  });

  describe('RBAC: the driver account gets exactly what a driver needs, in its own namespace only', () => {
    const chart = testChart();
    new SparkNamespace(chart, 'a', { name: 'team-a' });
    new SparkNamespace(chart, 'b', { name: 'team-b' });
    const objects = synth(chart);
    const rbac = new RbacEvaluator(objects);
    const driverA = { kind: 'ServiceAccount' as const, namespace: 'team-a', name: 'spark-driver' };

    test('creates, watches and deletes executor pods, services, configmaps and PVCs in its namespace', () => {
      for (const resource of ['pods', 'services', 'configmaps', 'persistentvolumeclaims']) {
        expect(rbac.allowedVerbs(driverA, { resource, namespace: 'team-a' })).toEqual(
          ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
        );
      }
    });

    test('cannot touch pods in another tenant namespace, or cluster-wide', () => {
      expect(rbac.can(driverA, { verb: 'create', resource: 'pods', namespace: 'team-b' })).toBe(false);
      expect(rbac.can(driverA, { verb: 'delete', resource: 'pods', namespace: 'team-b' })).toBe(false);
      expect(rbac.can(driverA, { verb: 'list', resource: 'pods' })).toBe(false);
    });

    test('cannot read Secrets, in its namespace or cluster-wide', () => {
      for (const verb of ['get', 'list', 'watch']) {
        expect(rbac.can(driverA, { verb, resource: 'secrets', namespace: 'team-a' })).toBe(false);
        expect(rbac.can(driverA, { verb, resource: 'secrets' })).toBe(false);
      }
    });

    test('has no other grant at all (no escalation, no RBAC, no nodes)', () => {
      const grants = rbac.grants(driverA);
      expect(new Set(grants.map((g) => `${g.namespace}|${g.apiGroup}|${g.resource}`))).toEqual(new Set([
        'team-a||pods', 'team-a||services', 'team-a||configmaps', 'team-a||persistentvolumeclaims',
      ]));
    });

    test('executors get no API rights and no token', () => {
      const executor = { kind: 'ServiceAccount' as const, namespace: 'team-a', name: 'spark-executor' };
      expect(rbac.grants(executor)).toEqual([]);
      expect(findObject(objects, 'ServiceAccount', 'spark-executor', 'team-a').automountServiceAccountToken).toBe(false);
      // drivers call the API in-cluster with the pod's token
      expect(findObject(objects, 'ServiceAccount', 'spark-driver', 'team-a').automountServiceAccountToken).toBe(true);
    });
  });

  describe('NetworkPolicies: deny by default, then exactly the Spark paths', () => {
    const { objects } = tenant({ objectStore: minio, apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.1/32'], [443]) });
    const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: { 'kube-system': {}, 'spark-platform': {}, 'other': {} } });
    const driver = { namespace: 'spark-jobs', labels: { 'spark-role': 'driver' } };
    const executor = { namespace: 'spark-jobs', labels: { 'spark-role': 'executor' } };
    const plain = { namespace: 'spark-jobs', labels: { app: 'something-else' } };
    const outsider = { namespace: 'other', labels: { 'spark-role': 'executor' } };
    const dns = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
    const store = { namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'minio' } };

    test.each([
      ['executor -> driver (driver port)', { from: executor, to: driver, port: 7078 }, true],
      ['driver -> executor (block manager)', { from: driver, to: executor, port: 7079 }, true],
      ['executor -> executor (shuffle)', { from: executor, to: executor, port: 7337 }, true],
      ['any pod -> DNS over UDP', { from: plain, to: dns, port: 53, protocol: 'UDP' as const }, true],
      ['driver -> API server', { from: driver, to: { ip: '10.0.0.1' }, port: 443 }, true],
      ['executor -> API server', { from: executor, to: { ip: '10.0.0.1' }, port: 443 }, false],
      ['driver -> API server on another address', { from: driver, to: { ip: '10.0.0.2' }, port: 443 }, false],
      ['executor -> object store', { from: executor, to: store, port: 9000 }, true],
      ['executor -> object store, other port', { from: executor, to: store, port: 9001 }, false],
      ['another namespace -> driver', { from: outsider, to: driver, port: 7078 }, false],
      ['non-Spark pod -> driver', { from: plain, to: driver, port: 7078 }, false],
      ['driver -> the internet', { from: driver, to: { ip: '1.1.1.1' }, port: 443 }, false],
    ])('%s: %p', (_name, connection, allowed) => {
      expect({ allowed: net.allows(connection), why: net.explain(connection) }).toMatchObject({ allowed });
    });

    test('no object-store egress unless an object store is given', () => {
      const without = new NetworkPolicyEvaluator(tenant().objects, { namespaceLabels: { 'spark-platform': {} } });
      expect(without.allows({ from: executor, to: store, port: 9000 })).toBe(false);
    });

    test('allowEgress opens one path for the pods given, e.g. a submitter to the API server', () => {
      const { ns, chart } = tenant();
      ns.allowEgress('allow-submitter-kube-api', { 'app.kubernetes.io/component': 'spark-submit' }, NetworkEndpoint.kubeApiServer(['10.0.0.1/32']));
      const after = new NetworkPolicyEvaluator(synth(chart));
      const submitter = { namespace: 'spark-jobs', labels: { 'app.kubernetes.io/component': 'spark-submit' } };
      expect(after.allows({ from: submitter, to: { ip: '10.0.0.1' }, port: 443 })).toBe(true);
      expect(after.allows({ from: plain, to: { ip: '10.0.0.1' }, port: 443 })).toBe(false);
    });
  });

  describe('fails at synth on bad input, naming the field and the fix', () => {
    test.each<[string, Partial<SparkNamespaceProps>, RegExp]>([
      ['an invalid DNS-1123 name', { name: 'Team_A' }, /SparkNamespace "Team_A" name: "Team_A" is not a valid DNS-1123 label .* Fix: use a name such as "team-a"/],
      ['a name over 63 characters', { name: 'a'.repeat(64) }, /is 64 characters; a DNS-1123 label has at most 63/],
      ['a namespace Kubernetes owns', { name: 'kube-system' }, /name: "kube-system" is a namespace Kubernetes owns/],
      ['quota cpu below one job', { quota: { cpu: Cpu.cores(1) } }, /quota.cpu: 1 is below what the smallest job needs \(one driver and 1 executor\(s\): 2 CPU, 2816Mi memory, 2 pods\)\. Fix: raise quota.cpu to at least 2/],
      ['quota memory below one job', { quota: { memory: Memory.gibibytes(2) } }, /quota.memory: 2Gi is below .* Fix: raise quota.memory to at least 2816Mi/],
      ['quota pods below one job', { quota: { pods: 4 }, minimumJob: { executors: 4 } }, /quota.pods: 4 is below the 5 pods .* Fix: raise quota.pods to at least 5/],
      ['a fractional pod count', { quota: { pods: 2.5 } }, /quota.pods: 2.5 is not a whole number of objects/],
      ['a default CPU limit below a Spark pod', { containerDefaults: { cpuLimit: Cpu.millis(500) } }, /containerDefaults.cpuLimit: 500m is below the 1 CPU a Spark pod requests/],
      ['limits.cpu quota without a default CPU limit', { quota: { limitsCpu: Cpu.cores(8) } }, /containerDefaults.cpuLimit: is not set, but quota.limitsCpu is/],
      ['a max memory below the pod size', { containerDefaults: { maxMemory: Memory.gibibytes(1) } }, /containerDefaults.maxMemory: 1Gi is below the 1408Mi/],
      ['a default request above the default limit', { containerDefaults: { memoryRequest: Memory.gibibytes(1), memoryLimit: Memory.mebibytes(512) } }, /containerDefaults.memoryRequest: 1Gi is above containerDefaults.memoryLimit 512Mi/],
      ['one account for drivers and executors', { driverServiceAccountName: 'spark', executorServiceAccountName: 'spark' }, /executorServiceAccountName: is the same as driverServiceAccountName/],
      ['a zero-executor job shape', { minimumJob: { executors: 0 } }, /minimumJob.executors: 0 is not a positive whole number/],
    ])('%s', (_name, props, message) => {
      expect(() => tenant(props)).toThrow(message);
    });

    test('a duplicate tenant in the same app', () => {
      const chart = testChart();
      new SparkNamespace(chart, 'first', { name: 'team-a' });
      expect(() => new SparkNamespace(chart, 'second', { name: 'team-a' })).toThrow(
        /SparkNamespace "team-a" name: namespace "team-a" is already onboarded by .*first\. Fix: give each tenant a unique namespace name/,
      );
    });
  });

  test('every object carries the tenant and platform labels', () => {
    for (const o of tenant().objects) {
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'spark-platform', 'spark-platform.io/tenant': 'spark-jobs' });
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('spark-jobs');
    }
    expect(ofKind(tenant().objects, 'NetworkPolicy')).toHaveLength(4);
  });
});
