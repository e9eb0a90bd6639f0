import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  ApacheSparkOperator, ApacheSparkOperatorCrds, Cpu, Memory, SPARK_CLUSTER_FACTS, SparkCluster, SparkClusterProps, SparkImage, SparkNamespace, SparkPlatformError,
  attachDoctor, formatFinding,
} from '../../constructs';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator, PodRef } from '../helpers/netpol';
import { describeWithShared } from '../helpers/shared';

const NS = 'team-a';

interface Built {
  chart: Chart;
  cluster: SparkCluster;
  objects: Obj[];
  /** The SparkCluster object. */
  cr: Obj;
}

/** A tenant, the CRDs, an operator watching the tenant and a cluster; `props` replace the defaults. */
function build(props: Partial<SparkClusterProps> = {}, options: { extraTenants?: string[] } = {}): Built {
  const chart = testChart();
  new ApacheSparkOperatorCrds(chart, 'Crds');
  const tenant = new SparkNamespace(chart, NS, { name: NS });
  const extra = (options.extraTenants ?? []).map((t) => new SparkNamespace(chart, t, { name: t }));
  const operator = new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [tenant, ...extra] });
  const cluster = new SparkCluster(chart, 'Cluster', { name: 'analytics', namespace: tenant, operator, ...props });
  const objects = synth(chart);
  return { chart, cluster, objects, cr: findObject(objects, 'SparkCluster', cluster.name, NS) };
}

/** What build() throws, as a SparkPlatformError. */
function failure(props: Partial<SparkClusterProps>, setup?: (chart: Chart) => Partial<SparkClusterProps>): SparkPlatformError {
  try {
    const chart = testChart();
    const tenant = new SparkNamespace(chart, NS, { name: NS });
    const operator = new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [tenant] });
    new SparkCluster(chart, 'Cluster', { name: 'analytics', namespace: tenant, operator, ...props, ...(setup?.(chart) ?? {}) });
  } catch (e) {
    expect(e).toBeInstanceOf(SparkPlatformError);
    return e as SparkPlatformError;
  }
  throw new Error('expected the SparkCluster to be refused');
}

const role = (cr: Obj, which: 'master' | 'worker') => cr.spec[`${which}Spec`];
const podOf = (cr: Obj, which: 'master' | 'worker') => role(cr, which).statefulSetSpec.template;
const containerOf = (cr: Obj, which: 'master' | 'worker') => podOf(cr, which).spec.containers[0];
const envOf = (cr: Obj, which: 'master' | 'worker') => Object.fromEntries(containerOf(cr, which).env.map((e: { name: string; value: string }) => [e.name, e.value]));

/** The restricted Pod Security Standard, field by field, on a pod spec. */
function expectRestricted(pod: Obj['spec']): void {
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  for (const c of pod.containers) {
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
  }
  expect((pod.volumes ?? []).filter((v: Obj) => v.hostPath)).toEqual([]);
  expect(pod.hostNetwork ?? false).toBe(false);
}

describe('SparkCluster', () => {
  test('a valid SparkCluster (against the project\'s CRD), restricted pod templates, snapshot', () => {
    const { objects, cr } = build();
    expectValidManifests(objects);
    expect(cr.apiVersion).toBe('spark.apache.org/v1');
    for (const which of ['master', 'worker'] as const) {
      const pod = podOf(cr, which);
      expectRestricted(pod.spec);
      expect(pod.spec).toMatchObject({ serviceAccountName: 'spark', automountServiceAccountToken: false, enableServiceLinks: false });
      expect(containerOf(cr, which).name).toBe(which);
      // the operator fills in command, image and ports: a template value would be replaced or appended to
      expect(Object.keys(containerOf(cr, which)).filter((k) => ['command', 'args', 'image', 'ports'].includes(k))).toEqual([]);
      // read-only root: emptyDirs where the daemon writes (tmp, pid file, logs; a worker's executor directories)
      expect(pod.spec.volumes).toEqual([{ name: 'spark-platform-tmp', emptyDir: {} }, { name: 'spark-platform-workdir', emptyDir: {} }]);
      expect(containerOf(cr, which).volumeMounts).toEqual([{ name: 'spark-platform-tmp', mountPath: '/tmp' }, { name: 'spark-platform-workdir', mountPath: '/opt/spark/work' }]);
      // both StatefulSets select this cluster's pods only (the operator adds spark-role)
      expect(role(cr, which).statefulSetSpec.selector).toEqual({ matchLabels: { 'spark.operator/spark-cluster-name': 'analytics' } });
      expect(pod.metadata.labels).toMatchObject({ 'spark-role': which, 'spark.operator/spark-cluster-name': 'analytics', 'spark-platform.io/tenant': NS });
    }
    // the master logs where the operator makes the worker log, under the emptyDir
    expect(envOf(cr, 'master').SPARK_LOG_DIR).toBe('/opt/spark/work/logs');
    expect(cr.spec.sparkConf).toEqual({ 'spark.kubernetes.container.image': SparkImage.official().image });
    expect(cr.spec.runtimeVersions).toEqual({ sparkVersion: '4.0.3', scalaVersion: '2.13', jdkVersion: '17' });
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/instance'] === 'analytics')).toMatchSnapshot();
  });

  test('the master URL is the operator\'s headless master Service on the master\'s port', () => {
    const { cluster } = build();
    expect(cluster.masterUrl).toBe('spark://analytics-master-svc.team-a.svc.cluster.local:7077');
    expect(cluster.masterServiceName).toBe('analytics-master-svc');
    expect(cluster.workerServiceName).toBe('analytics-worker-svc');
  });

  test('every construct check passes at synth, and the doctor finds nothing', () => {
    const app = new App();
    const chart = new Chart(app, 'platform');
    new ApacheSparkOperatorCrds(chart, 'Crds');
    const tenant = new SparkNamespace(chart, NS, { name: NS });
    const operator = new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [tenant] });
    new SparkCluster(chart, 'Cluster', { name: 'analytics', namespace: tenant, operator, clients: [{ namespace: NS, labels: { app: 'lab' } }] });
    expect(() => app.synthYaml()).not.toThrow();
    expect(attachDoctor(app, {}).report().findings.map(formatFinding)).toEqual([]);
  });

  describe('props reach the fields the operator reads', () => {
    test.each<[string, Partial<SparkClusterProps>, (cr: Obj) => void]>([
      ['workers default to one', {}, (cr) => expect(cr.spec.clusterTolerations).toEqual({ instanceConfig: { initWorkers: 1, minWorkers: 1, maxWorkers: 1 } })],
      ['initial, min and max', { workers: { initial: 2, min: 1, max: 3 } }, (cr) => expect(cr.spec.clusterTolerations.instanceConfig).toEqual({ initWorkers: 2, minWorkers: 1, maxWorkers: 3 })],
      ['min alone sets initial and max', { workers: { min: 3 } }, (cr) => expect(cr.spec.clusterTolerations.instanceConfig).toEqual({ initWorkers: 3, minWorkers: 3, maxWorkers: 3 })],
      ['master resources: requests equal limits, daemon heap = memory - 512 MiB', { master: { cpu: Cpu.millis(500), memory: Memory.gibibytes(3) } }, (cr) => {
        expect(containerOf(cr, 'master').resources).toEqual({ requests: { cpu: '500m', memory: '3Gi' }, limits: { cpu: '500m', memory: '3Gi' } });
        expect(envOf(cr, 'master')).toEqual({ SPARK_DAEMON_MEMORY: '2560m', SPARK_LOG_DIR: '/opt/spark/work/logs' });
      }],
      ['worker defaults: 2 CPUs, 4 GiB, executors offered what fits beside the daemon', {}, (cr) => {
        expect(containerOf(cr, 'worker').resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
        // 4096 - 1024 (daemon heap) - 512 (non-heap) = 2560 MiB; 2176 MiB heap + 384 MiB overhead
        expect(envOf(cr, 'worker')).toEqual({ SPARK_DAEMON_MEMORY: '1g', SPARK_WORKER_CORES: '2', SPARK_WORKER_MEMORY: '2176m' });
      }],
      ['large workers: the 10% overhead rules', { workers: { cpu: Cpu.millis(5500), memory: Memory.gibibytes(16) } }, (cr) => {
        // 16384 - 1536 = 14848 MiB room: 13499 MiB heap + 1349 MiB overhead
        expect(envOf(cr, 'worker')).toMatchObject({ SPARK_WORKER_CORES: '5', SPARK_WORKER_MEMORY: '13499m' });
      }],
      ['executor memory given', { workers: { memory: Memory.gibibytes(8), executorMemory: Memory.gibibytes(4) } }, (cr) => expect(envOf(cr, 'worker').SPARK_WORKER_MEMORY).toBe('4g')],
      ['image and versions', { image: SparkImage.official('4.1') }, (cr) => {
        expect(cr.spec.sparkConf['spark.kubernetes.container.image']).toBe('docker.io/apache/spark:4.1.2-scala2.13-java21-python3-ubuntu');
        expect(cr.spec.runtimeVersions).toEqual({ sparkVersion: '4.1.2', scalaVersion: '2.13', jdkVersion: '21' });
      }],
      ['a custom image user', { image: SparkImage.custom({ image: 'registry.example.com/spark:4.0.3-1', sparkVersion: '4.0.3', uid: 1001 }) }, (cr) => {
        for (const which of ['master', 'worker'] as const) expect(podOf(cr, which).spec.securityContext).toMatchObject({ runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 });
      }],
      ['sparkConf, sorted, with the image', { sparkConf: { 'spark.ui.reverseProxy': 'true', 'spark.master.ui.title': 'Analytics', 'spark.kubernetes.scheduler.name': 'yunikorn' } }, (cr) => {
        expect(Object.keys(cr.spec.sparkConf)).toEqual(['spark.kubernetes.container.image', 'spark.kubernetes.scheduler.name', 'spark.master.ui.title', 'spark.ui.reverseProxy']);
      }],
      ['spark.local.dir gets a writable volume on workers', { sparkConf: { 'spark.local.dir': '/data/spark' } }, (cr) => {
        expect(containerOf(cr, 'worker').volumeMounts).toContainEqual({ name: 'spark-platform-local', mountPath: '/data/spark' });
        expect(containerOf(cr, 'master').volumeMounts.map((m: Obj) => m.mountPath)).toEqual(['/tmp', '/opt/spark/work']);
      }],
      ['service account', { serviceAccountName: 'analytics' }, (cr) => {
        for (const which of ['master', 'worker'] as const) expect(podOf(cr, which).spec.serviceAccountName).toBe('analytics');
      }],
      ['placement and metadata', {
        workers: {
          labels: { team: 'a' }, annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' }, statefulSetAnnotations: { note: 's' }, serviceAnnotations: { note: 'v' },
          nodeSelector: { pool: 'spark' }, tolerations: [{ key: 'spark', operator: 'Exists', effect: 'NoSchedule' }], priorityClassName: 'batch',
        },
      }, (cr) => {
        const w = role(cr, 'worker');
        expect(w.statefulSetSpec.template.metadata.labels).toMatchObject({ team: 'a' });
        expect(w.statefulSetSpec.template.metadata.annotations).toEqual({ 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' });
        expect(w.statefulSetMetadata.annotations).toEqual({ note: 's' });
        expect(w.serviceMetadata.annotations).toEqual({ note: 'v' });
        expect(w.statefulSetSpec.template.spec).toMatchObject({ nodeSelector: { pool: 'spark' }, tolerations: [{ key: 'spark', operator: 'Exists', effect: 'NoSchedule' }], priorityClassName: 'batch' });
        expect(role(cr, 'master').statefulSetSpec.template.spec.nodeSelector).toBeUndefined();
      }],
      ['autoscaling', { workers: { min: 1, max: 3, autoscaling: { metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'worker', target: { type: 'Utilization', averageUtilization: 50 } } }] } } }, (cr) => {
        expect(role(cr, 'worker').horizontalPodAutoscalerSpec).toEqual({ metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'worker', target: { type: 'Utilization', averageUtilization: 50 } } }] });
        expect(role(cr, 'master').horizontalPodAutoscalerSpec).toBeUndefined();
      }],
    ])('%s', (_name, props, check) => {
      const { objects, cr } = build(props);
      check(cr);
      expectValidManifests(objects);
    });
  });

  describe('bad input fails naming the field and the fix', () => {
    test.each<[string, Partial<SparkClusterProps>, string, RegExp]>([
      ['min > max', { workers: { min: 4, max: 2 } }, 'workers.min', /is 4, above workers\.max \(2\)\. Fix: keep workers\.min <= workers\.initial <= workers\.max/],
      ['initial outside min..max', { workers: { initial: 5, min: 1, max: 3 } }, 'workers.initial', /is 5, outside workers\.min\.\.workers\.max \(1\.\.3\)/],
      ['no worker at all', { workers: { initial: 0, min: 0, max: 0 } }, 'workers.max', /no worker to run executors/],
      ['a fractional count', { workers: { max: 2.5 } }, 'workers.max', /2\.5 is not a whole number/],
      ['autoscaling with a fixed size', { workers: { min: 2, max: 2, autoscaling: {} } }, 'workers.autoscaling', /operator creates no autoscaler\. Fix: give workers\.max above workers\.min/],
      ['an image-owned conf key', { sparkConf: { 'spark.kubernetes.container.image': 'apache/spark:4.0.3' } }, 'sparkConf["spark.kubernetes.container.image"]', /is set by SparkCluster from image\. Fix: remove the key; set image instead/],
      ['the namespace key', { sparkConf: { 'spark.kubernetes.namespace': 'other' } }, 'sparkConf["spark.kubernetes.namespace"]', /is set by SparkCluster from namespace/],
      ['an application setting', { sparkConf: { 'spark.executor.memory': '4g' } }, 'sparkConf["spark.executor.memory"]', /an application setting, which the master and workers ignore\. Fix: set it in the conf of the client/],
      ['spark.master', { sparkConf: { 'spark.master': 'spark://x:7077' } }, 'sparkConf["spark.master"]', /application setting/],
      ['a key Spark does not have', { sparkConf: { 'spark.master.ui.titel': 'x' } }, 'sparkConf["spark.master.ui.titel"]', /spark\.master\.ui\.title/],
      ['a double quote', { sparkConf: { 'spark.master.ui.title': 'the "big" one' } }, 'sparkConf["spark.master.ui.title"]', /-Dkey="value"/],
      ['a plaintext secret', { sparkConf: { 'spark.authenticate.secret': 'hunter2hunter2' } }, 'sparkConf["spark.authenticate.secret"]', /secret written in plain text/],
      ['a name too long for the worker pods', { name: 'a'.repeat(46) }, 'name', /46 characters.*Fix: use at most 45 characters/],
      ['a name that is not a DNS-1035 label', { name: '1cluster' }, 'name', /DNS-1035/],
      ['an image with Spark elsewhere', { image: SparkImage.custom({ image: 'registry.example.com/spark:4.0.3', sparkVersion: '4.0.3', sparkHome: '/usr/lib/spark' }) }, 'image', /starts master and workers with \/opt\/spark\/sbin.*Fix: use an image with Spark in \/opt\/spark/],
      ['a master too small for its daemon', { master: { memory: Memory.mebibytes(768) } }, 'master.memory', /Fix: give the master at least 1 GiB/],
      ['workers too small for an executor', { workers: { memory: Memory.gibibytes(2) } }, 'workers.memory', /leaves executors 128Mi of heap.*Fix: give each worker at least 2432Mi/],
      ['executor memory that does not fit', { workers: { memory: Memory.gibibytes(4), executorMemory: Memory.gibibytes(3) } }, 'workers.executorMemory', /needs 4992Mi with Spark's overhead and the worker daemon \(1536Mi\), above workers\.memory \(4Gi\)/],
      ['workers below one core', { workers: { cpu: Cpu.millis(500) } }, 'workers.cpu', /offers no core/],
      ['a label the operator sets', { workers: { labels: { 'spark-version': 'x' } } }, 'workers.labels["spark-version"]', /set by the operator/],
      ['a label Spark sets', { master: { labels: { 'spark-role': 'x' } } }, 'master.labels["spark-role"]', /set by the platform, Spark or the operator/],
      ['more workers than the quota', { workers: { max: 20 } }, 'workers.max', /master and 20 workers \(workers\.max\) need 82Gi of memory, above the memory quota of namespace "team-a" \(32Gi\)/],
      ['a client twice', { clients: [{ namespace: NS, labels: { app: 'lab' } }, { namespace: NS, labels: { app: 'lab' } }] }, 'clients[1]', /a second time/],
      ['client ports that are no range', { clients: [{ namespace: NS, labels: { app: 'lab' }, driverPorts: { port: 7079, endPort: 7078 } }] }, 'clients[0].driverPorts', /Fix: give the first and last port/],
    ])('%s', (_name, props, field, message) => {
      const e = failure(props);
      expect(e.field).toBe(field);
      expect(e.message).toMatch(/^SparkCluster "/);
      expect(e.message).toMatch(message);
      expect(e.message).toContain('Fix: ');
    });

    test('an unpinned image', () => {
      const e = failure({}, () => ({ image: SparkImage.custom({ image: 'apache/spark:4.0.3'.replace(/:[^:]+$/, ':latest'), sparkVersion: '4.0.3' }) }));
      expect(e.field).toBe('image');
      expect(e.message).toMatch(/mutable tag latest/);
    });

    test('a namespace the operator does not watch names both', () => {
      const chart = testChart();
      const watched = new SparkNamespace(chart, 'watched', { name: 'team-a' });
      const other = new SparkNamespace(chart, 'other', { name: 'team-b' });
      const operator = new ApacheSparkOperator(chart, 'Operator', { name: 'apache-op', jobNamespaces: [watched] });
      expect(() => new SparkCluster(chart, 'Cluster', { name: 'analytics', namespace: other, operator })).toThrow(
        'SparkCluster "analytics" namespace: "team-b" is not watched by ApacheSparkOperator "apache-op" (it watches team-a), so the cluster would never start. Fix: add the namespace to that operator\'s jobNamespaces, or create the cluster in one of them',
      );
    });

    test('an operator watching every namespace has no workload account to default to', () => {
      const chart = testChart();
      const tenant = new SparkNamespace(chart, 'tenant', { name: NS });
      const operator = new ApacheSparkOperator(chart, 'Operator', { watchAllNamespaces: true });
      expect(() => new SparkCluster(chart, 'Cluster', { name: 'analytics', namespace: tenant, operator })).toThrow(/serviceAccountName: is not set, and ApacheSparkOperator "spark-kubernetes-operator" watches every namespace/);
      const cluster = new SparkCluster(chart, 'Cluster2', { name: 'analytics', namespace: tenant, operator, serviceAccountName: 'analytics' });
      expect(cluster.serviceAccountName).toBe('analytics');
    });

    test('props are checked against their schema (a misspelt field)', () => {
      const e = failure({ workers: { maxx: 3 } as never });
      expect(e.field).toBe('workers.maxx');
    });
  });

  describe('NetworkPolicies: master, workers and clients talk, nothing else', () => {
    const labelsOf = (cr: Obj, which: 'master' | 'worker') => ({ ...podOf(cr, which).metadata.labels, 'spark-version': cr.spec.runtimeVersions.sparkVersion });
    const client: PodRef = { namespace: NS, labels: { app: 'lab' } };
    const stranger: PodRef = { namespace: NS, labels: { app: 'other' } };
    const remote: PodRef = { namespace: 'notebooks', labels: { app: 'hub-user' } };

    test.each<[string, 'master' | 'worker' | 'client' | 'stranger' | 'remote', 'master' | 'worker' | 'client' | 'remote', number, boolean]>([
      ['a worker registers with the master', 'worker', 'master', 7077, true],
      ['the master calls a worker back', 'master', 'worker', 38123, true],
      ['executors in two workers shuffle', 'worker', 'worker', 41000, true],
      ['the client reaches the master', 'client', 'master', 7077, true],
      ['the client does not reach the master UI', 'client', 'master', 8080, false],
      ['the client fetches from executors in a worker', 'client', 'worker', 43210, true],
      ['the master answers the client driver', 'master', 'client', 7078, true],
      ['executors reach the driver\'s block manager', 'worker', 'client', 7079, true],
      ['nothing else of the client is open to the cluster', 'worker', 'client', 4040, false],
      ['another pod of the tenant is not a client', 'stranger', 'master', 7077, false],
      ['a client in another namespace reaches the master', 'remote', 'master', 7077, true],
      ['and is reached by the executors on any port (no driverPorts given)', 'worker', 'remote', 40001, true],
    ])('%s', (_name, from, to, port, allowed) => {
      const { objects, cr } = build({ clients: [{ namespace: NS, labels: { app: 'lab' }, driverPorts: { port: 7078, endPort: 7079 } }, { namespace: 'notebooks', labels: { app: 'hub-user' } }] }, { extraTenants: ['notebooks'] });
      const pods: Record<string, PodRef> = { master: { namespace: NS, labels: labelsOf(cr, 'master') }, worker: { namespace: NS, labels: labelsOf(cr, 'worker') }, client, stranger, remote };
      const evaluator = new NetworkPolicyEvaluator(objects, { namespaceLabels: { 'kube-system': {} } });
      const c = { from: pods[from], to: pods[to], port };
      expect({ allowed: evaluator.allows(c), why: evaluator.explain(c) }).toMatchObject({ allowed });
    });

    test('without clients the cluster emits no policy and a would-be client is shut out', () => {
      const { objects, cr } = build();
      expect(ofKind(objects, 'NetworkPolicy').filter((p) => p.metadata.name.startsWith('analytics-'))).toEqual([]);
      const evaluator = new NetworkPolicyEvaluator(objects);
      expect(evaluator.allows({ from: client, to: { namespace: NS, labels: labelsOf(cr, 'master') }, port: 7077 })).toBe(false);
      // master and workers still talk: the tenant's policy for Spark pods admits them
      expect(evaluator.allows({ from: { namespace: NS, labels: labelsOf(cr, 'worker') }, to: { namespace: NS, labels: labelsOf(cr, 'master') }, port: 7077 })).toBe(true);
    });

    test('allowClient after construction adds the client to the cluster\'s policies', () => {
      const { chart, cluster } = build({ clients: [{ namespace: NS, labels: { app: 'lab' } }] });
      cluster.allowClient({ namespace: NS, labels: { app: 'connect' }, driverPorts: { port: 7078, endPort: 7078 } });
      const objects = synth(chart);
      expect(findObject(objects, 'NetworkPolicy', 'analytics-master-clients', NS).spec.ingress).toHaveLength(2);
      expect(findObject(objects, 'NetworkPolicy', 'analytics-worker-clients', NS).spec.egress[1]).toEqual({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } }, podSelector: { matchLabels: { app: 'connect' } } }],
        ports: [{ protocol: 'TCP', port: 7078 }],
      });
      expect(findObject(objects, 'NetworkPolicy', 'analytics-client-2', NS).spec.podSelector).toEqual({ matchLabels: { app: 'connect' } });
      expectValidManifests(objects);
    });
  });
});

describeWithShared('SparkCluster and the upstream examples', (shared) => {
  const examples = path.join(shared, 'upstream/apache-spark-kubernetes-operator-1.0.0/examples');
  const clusters: Array<[string, Obj]> = readdirSync(examples).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(examples, f), 'utf8')).map((d) => [f, d.toJS() as Obj] as [string, Obj]))
    .filter(([, o]) => o?.kind === 'SparkCluster');

  /** Maps whose keys are data, not fields: compared as one field. */
  const MAPS = new Set(['sparkConf', 'labels', 'annotations', 'nodeSelector', 'matchLabels', 'requests', 'limits']);

  /** Leaf field paths of a spec, arrays as `[]`. */
  function fieldPaths(node: unknown, at = ''): string[] {
    if (Array.isArray(node)) return node.flatMap((n) => fieldPaths(n, `${at}[]`));
    if (node === null || typeof node !== 'object') return [at];
    return Object.entries(node).flatMap(([k, v]) => (MAPS.has(k) ? [`${at}.${k}`] : fieldPaths(v, `${at}.${k}`)));
  }

  /**
   * What no props reach, on purpose: a sidecar container (only the operator's master/worker
   * containers are written, so every container is restricted and sized by the construct).
   */
  const UNREACHABLE = new Set(['.masterSpec.statefulSetSpec.template.spec.containers[].image', '.workerSpec.statefulSetSpec.template.spec.containers[].image']);

  test('there are SparkCluster examples to compare with', () => {
    expect(clusters.map(([f]) => f)).toEqual(expect.arrayContaining(['cluster.yaml', 'cluster-with-template.yaml', 'cluster-with-hpa-template.yaml', 'prod-cluster-with-three-workers.yaml']));
  });

  test('every field of every example is reachable from the props', () => {
    // Props that set everything the examples set: pod and object metadata, priority, resources, autoscaler.
    const { cr } = build({
      sparkConf: { 'spark.master.ui.title': 'x', 'spark.ui.reverseProxy': 'true' },
      master: { annotations: { a: 'b' }, statefulSetAnnotations: { a: 'b' }, serviceAnnotations: { a: 'b' }, priorityClassName: 'p' },
      workers: {
        min: 1, max: 2, annotations: { a: 'b' }, statefulSetAnnotations: { a: 'b' }, serviceAnnotations: { a: 'b' }, priorityClassName: 'p',
        autoscaling: {
          metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'worker', target: { type: 'Utilization', averageUtilization: 10 } } }],
          behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 10 }] }, scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1200 }] } },
        },
      },
    });
    const ours = new Set(fieldPaths(cr.spec));
    const missing = clusters.flatMap(([file, o]) => fieldPaths(o.spec).filter((p) => !ours.has(p) && !UNREACHABLE.has(p)).map((p) => `${file}: ${p}`));
    expect([...new Set(missing)]).toEqual([]);
    // the exclusions are real: each is in some example
    const theirs = new Set(clusters.flatMap(([, o]) => fieldPaths(o.spec)));
    expect([...UNREACHABLE].filter((p) => !theirs.has(p))).toEqual([]);
  });

  test('every conf key of the examples is accepted, or set from a prop, or refused as a plaintext secret', () => {
    const keys = [...new Set(clusters.flatMap(([, o]) => Object.keys(o.spec.sparkConf ?? {})))].sort();
    const fromProps = new Set(['spark.kubernetes.container.image']);
    const outcome = Object.fromEntries(keys.filter((k) => !fromProps.has(k)).map((k) => {
      const value = clusters.map(([, o]) => o.spec.sparkConf?.[k]).find((v) => v !== undefined);
      try {
        build({ sparkConf: { [k]: value } });
        return [k, 'accepted'];
      } catch (e) {
        return [k, (e as SparkPlatformError).problem];
      }
    }));
    expect(outcome).toEqual({
      'spark.kubernetes.scheduler.name': 'accepted',
      'spark.master.rest.filters': 'accepted',
      'spark.master.rest.host': 'accepted',
      'spark.master.ui.title': 'accepted',
      'spark.org.apache.spark.ui.JWSFilter.param.secretKey': expect.stringMatching(/secret written in plain text/),
      'spark.ui.filters': 'accepted',
      'spark.ui.reverseProxy': 'accepted',
    });
  });

  test('a client in the operator\'s own example dials the master as masterUrl does', () => {
    const app = readFileSync(path.join(examples, 'spark-connect-server-with-spark-cluster.yaml'), 'utf8');
    const master = /spark\.master:\s*"spark:\/\/([a-z0-9-]+)-master-svc:(\d+)"/.exec(app);
    expect(master).not.toBeNull();
    const [, name, port] = master!;
    expect(clusters.map(([, o]) => o.metadata.name)).toContain(name);
    const { cluster } = build({ name });
    expect(cluster.masterUrl).toBe(`spark://${name}-master-svc.${NS}.svc.cluster.local:${port}`);
    expect(Number(port)).toBe(SPARK_CLUSTER_FACTS.masterPort);
  });
});

