import { App, Chart } from 'cdk8s';
import {
  ApacheSparkOperator, ApacheSparkOperatorCrds, Memory, NetworkEndpoint, SparkCluster, SparkConnectServer, SparkImage, SparkNamespace, SparkNotebook, SparkNotebookImage,
  SparkNotebookProps, SparkEnvValue, SparkPlatformError, attachDoctor, formatFinding,
} from '../../constructs';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator, PodRef } from '../helpers/netpol';
import { RbacEvaluator } from '../helpers/rbac';

const NS = 'spark-jobs';
/** A notebook image with the official image's Spark 4.0.3, Scala 2.13 and Python 3.10. */
const NOTEBOOK_IMAGE = 'registry.example.com/spark-notebook:4.0.3-jupyterlab4.6.6';

function platform(chart: Chart) {
  new ApacheSparkOperatorCrds(chart, 'Crds');
  const namespace = new SparkNamespace(chart, 'Tenant', { name: NS, apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.1/32'], [443]) });
  const operator = new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [namespace] });
  const cluster = new SparkCluster(chart, 'Cluster', { name: 'analytics', namespace, operator, workers: { min: 2 } });
  return { namespace, operator, cluster };
}

function notebook(props: Partial<SparkNotebookProps> = {}) {
  const chart = testChart();
  const { namespace, cluster } = platform(chart);
  const lab = new SparkNotebook(chart, 'Lab', { name: 'lab', namespace, image: SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE }), cluster, ...props });
  return { chart, cluster, lab, objects: synth(chart) };
}

function connect(withOperator = false) {
  const chart = testChart();
  const { namespace, operator, cluster } = platform(chart);
  const server = new SparkConnectServer(chart, 'Connect', { name: 'connect', namespace, cluster, operator: withOperator ? operator : undefined, clients: [{ namespace: NS, labels: { app: 'analytics' } }] });
  return { chart, cluster, server, objects: synth(chart) };
}

function defaults(objects: readonly Obj[], name: string): Record<string, string> {
  const text: string = findObject(objects, 'ConfigMap', `${name}-spark-conf`).data['spark-defaults.conf'];
  return Object.fromEntries(text.trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
}

const mine = (objects: readonly Obj[], name: string) => objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/instance'] === name);
const kubernetesExecutorKeys = (conf: Record<string, string>) => Object.keys(conf).filter((k) => k.startsWith('spark.kubernetes.') || k === 'spark.executor.instances' || k === 'spark.blockManager.port' || k === 'spark.executor.memoryOverheadFactor');

describe('clients of a standalone SparkCluster', () => {
  describe('SparkNotebook with cluster', () => {
    test('objects: no Role, no executor template, an account without token; valid; snapshot', () => {
      const { objects } = notebook();
      expectValidManifests(objects);
      expect(mine(objects, 'lab').map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
        'ConfigMap/lab-spark-conf',
        'NetworkPolicy/lab-driver-egress',
        'NetworkPolicy/lab-driver-ingress',
        'Service/lab',
        'Service/lab-driver',
        'ServiceAccount/lab',
        'StatefulSet/lab',
      ]);
      expect(Object.keys(findObject(objects, 'ConfigMap', 'lab-spark-conf').data)).toEqual(['spark-defaults.conf']);
      expect(findObject(objects, 'ServiceAccount', 'lab').automountServiceAccountToken).toBe(false);
      expect(findObject(objects, 'StatefulSet', 'lab').spec.template.spec.automountServiceAccountToken).toBe(false);
      expect(mine(objects, 'lab')).toMatchSnapshot();
    });

    test('the conf: the cluster\'s master, the driver\'s address and ports, standalone sizes; no Kubernetes executor settings', () => {
      const { objects, cluster } = notebook({ executors: { instances: 3, cores: 2, memory: Memory.gibibytes(1) } });
      const conf = defaults(objects, 'lab');
      expect(conf).toMatchObject({
        'spark.master': cluster.masterUrl,
        'spark.submit.deployMode': 'client',
        'spark.driver.host': 'lab-driver.spark-jobs.svc.cluster.local',
        'spark.driver.bindAddress': '0.0.0.0',
        'spark.driver.port': '7078',
        'spark.driver.blockManager.port': '7079',
        'spark.executor.cores': '2',
        'spark.executor.memory': '1g',
        'spark.cores.max': '6',
        'spark.pyspark.python': 'python3',
      });
      expect(cluster.masterUrl).toBe('spark://analytics-master-svc.spark-jobs.svc.cluster.local:7077');
      expect(kubernetesExecutorKeys(conf)).toEqual([]);
    });

    test('dynamic allocation: bounded by spark.cores.max', () => {
      const conf = defaults(notebook({ executors: { cores: 1, dynamicAllocation: { maxExecutors: 2 } } }).objects, 'lab');
      expect(conf).toMatchObject({ 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.shuffleTracking.enabled': 'true', 'spark.dynamicAllocation.maxExecutors': '2', 'spark.cores.max': '2' });
    });

    test('the driver account has no API rights', () => {
      const { objects } = notebook();
      const rbac = new RbacEvaluator(objects);
      expect(rbac.can({ kind: 'ServiceAccount', namespace: NS, name: 'lab' }, { verb: 'create', resource: 'pods', namespace: NS })).toBe(false);
      expect(ofKind(objects, 'Role').filter((r) => r.metadata.name === 'lab')).toEqual([]);
    });

    describe('NetworkPolicies: driver <-> master 7077 and workers; nothing else opened', () => {
      const { objects, lab } = notebook();
      const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: { 'kube-system': {} } });
      const spark = { 'spark-version': '4.0.3' };
      const master: PodRef = { namespace: NS, labels: { ...spark, 'spark-role': 'master', 'spark.operator/spark-cluster-name': 'analytics' } };
      const worker: PodRef = { namespace: NS, labels: { ...spark, 'spark-role': 'worker', 'spark.operator/spark-cluster-name': 'analytics' } };
      const driver: PodRef = { namespace: NS, labels: { ...findObject(objects, 'StatefulSet', 'lab').spec.template.metadata.labels } };
      const stranger: PodRef = { namespace: NS, labels: { app: 'other' } };
      test.each<[string, PodRef, PodRef | { ip: string }, number, boolean]>([
        ['the driver registers with the master', driver, master, 7077, true],
        ['not with the master UI', driver, master, 8080, false],
        ['the driver fetches from executors in a worker', driver, worker, 41000, true],
        ['the master calls the driver back', master, driver, 7078, true],
        ['executors in a worker reach the driver port', worker, driver, 7078, true],
        ['and its block manager (both sessions: 7078-7081)', worker, driver, 7081, true],
        ['the workers reach no other port of the driver', worker, driver, 8888, false],
        ['the driver no longer reaches the API server', driver, { ip: '10.0.0.1' }, 443, false],
        ['a stranger does not reach the master', stranger, master, 7077, false],
        ['nor the driver ports', stranger, driver, 7078, false],
      ])('%s', (_name, from, to, port, allowed) => {
        expect(net.allows({ from, to, port })).toBe(allowed);
      });
      test('the notebook is registered once with the cluster, with its driver ports', () => {
        const client = findObject(objects, 'NetworkPolicy', 'analytics-client-1', NS);
        expect(client.spec.podSelector).toEqual({ matchLabels: lab.podLabels });
        expect(client.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 7078, endPort: 7081 }]);
      });
    });
  });

  describe('SparkConnectServer with cluster', () => {
    test('client mode: a StatefulSet without token, the cluster\'s master, its image by default; valid; snapshot', () => {
      const { objects, cluster, server } = connect();
      expectValidManifests(objects);
      expect(server.sparkImage.image).toBe(cluster.image.image);
      const conf = defaults(objects, 'connect');
      expect(conf).toMatchObject({ 'spark.master': cluster.masterUrl, 'spark.driver.host': 'connect-driver.spark-jobs.svc.cluster.local', 'spark.cores.max': '2', 'spark.connect.grpc.binding.port': '15002' });
      expect(kubernetesExecutorKeys(conf)).toEqual([]);
      expect(findObject(objects, 'StatefulSet', 'connect').spec.template.spec.automountServiceAccountToken).toBe(false);
      expect(mine(objects, 'connect')).toMatchSnapshot();
    });

    test('on the operator: the SparkApplication\'s driver uses the cluster; no executor template; registered by the operator\'s labels', () => {
      const { objects, cluster } = connect(true);
      expectValidManifests(objects);
      const app = findObject(objects, 'SparkApplication', 'connect', NS);
      expect(app.spec.sparkConf['spark.master']).toBe(cluster.masterUrl);
      expect(app.spec.executorSpec).toBeUndefined();
      expect(app.spec.applicationTolerations.instanceConfig).toEqual({ initExecutors: 0, minExecutors: 0, maxExecutors: 0 });
      expect(app.spec.driverSpec.podTemplateSpec.spec.automountServiceAccountToken).toBe(false);
      expect(app.spec.sparkConf['spark.kubernetes.container.image']).toBe(cluster.image.image);
      expect(app.spec.sparkConf['spark.executor.instances']).toBeUndefined();
      // registered by the labels of its own the driver template gives the pod (spark-role is the operator's to set)
      expect(findObject(objects, 'NetworkPolicy', 'analytics-client-1', NS).spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'spark-connect', 'app.kubernetes.io/instance': 'connect' } });
      expect(app.spec.driverSpec.podTemplateSpec.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'spark-connect', 'app.kubernetes.io/instance': 'connect' });
    });
  });

  test('the doctor on a full tree (cluster, notebook, Connect server on the operator): no error', () => {
    const app = new App();
    const chart = new Chart(app, 'platform');
    const { namespace, operator, cluster } = platform(chart);
    new SparkNotebook(chart, 'Lab', { name: 'lab', namespace, image: SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE }), cluster, imagePullSecrets: ['regcred'] });
    new SparkConnectServer(chart, 'Connect', { name: 'connect', namespace, cluster, operator });
    // The doctor reads spark.master spark://...: the driver creates no pods, so its account needs
    // no Role; a restart-Always server needs no time to live.
    expect(() => app.synthYaml()).not.toThrow();
    const report = attachDoctor(app, {}).report();
    expect(report.errors.map(formatFinding)).toEqual([]);
    expect(report.findings.filter((f) => /Lab|Connect/.test(f.path)).map((f) => `${f.rule} ${f.path}${f.suppressed ? ' (suppressed)' : ''}`)).toEqual([]);
  });

  describe('bad input', () => {
    function failure(build: (chart: Chart, p: ReturnType<typeof platform>) => void): SparkPlatformError {
      const chart = testChart();
      const p = platform(chart);
      try {
        build(chart, p);
      } catch (e) {
        expect(e).toBeInstanceOf(SparkPlatformError);
        return e as SparkPlatformError;
      }
      throw new Error('expected a refusal');
    }
    test.each<[string, (chart: Chart, p: ReturnType<typeof platform>) => void, string, RegExp]>([
      ['a server image with another Spark than the cluster\'s', (chart, { namespace, cluster }) => new SparkConnectServer(chart, 'C', { name: 'connect', namespace, cluster, image: SparkImage.official('4.1') }),
        'cluster', /SparkConnectServer "connect" cluster: SparkCluster "analytics" does not match the driver: Spark 4.1.2 in "docker.io\/apache\/spark:4.1.2[^"]*" vs 4.0.3 in "docker.io\/apache\/spark:4.0.3[^"]*".*Fix: run the driver on the cluster's Spark 4.0.3/],
      ['a notebook with another Spark than the cluster\'s', (chart, { namespace, cluster }) => new SparkNotebook(chart, 'L', {
        name: 'lab', namespace, cluster,
        image: SparkNotebookImage.jupyterStack({ image: 'quay.io/jupyter/pyspark-notebook:2026-10-05', sparkVersion: '4.1.2', pythonVersion: '3.10', executor: SparkImage.official('4.1') }),
      }),
        'cluster', /SparkNotebook "lab" cluster: SparkCluster "analytics" does not match the driver: Spark 4.1.2 in "quay.io\/jupyter\/pyspark-notebook:2026-10-05" vs 4.0.3 in "docker.io\/apache\/spark:4.0.3[^"]*".*Fix: run the driver on the cluster's Spark 4.0.3/],
      ['executors bigger than a worker', (chart, { namespace, cluster }) => new SparkNotebook(chart, 'L', { name: 'lab', namespace, cluster, image: SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE }), executors: { cores: 3 } }),
        'executors.cores', /is 3, but a worker of SparkCluster "analytics" offers 2/],
      ['executor heap above a worker\'s offer', (chart, { namespace, cluster }) => new SparkNotebook(chart, 'L', { name: 'lab', namespace, cluster, image: SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE }), executors: { memory: Memory.gibibytes(3) } }),
        'executors.memory', /executors.memory: 3Gi is above the executor memory a worker of SparkCluster "analytics" offers \(2176Mi\)/],
      ['a secret env the executors cannot get', (chart, { namespace, cluster }) => new SparkNotebook(chart, 'L', { name: 'lab', namespace, cluster, image: SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE }) }).addEnv({ TOKEN: SparkEnvValue.fromSecret('t', 'k') }, 'storage'),
        'storage.env.TOKEN', /executors in SparkCluster "analytics" cannot get: they run in the worker pods/],
    ])('%s', (_name, build, field, message) => {
      const e = failure(build);
      expect(e.field).toBe(field);
      expect(e.message).toMatch(message);
    });

    test('a plain env value reaches the executors as spark.executorEnv', () => {
      const { chart, lab } = notebook();
      lab.addEnv({ MODE: SparkEnvValue.fromValue('batch') }, 'env');
      expect(defaults(synth(chart), 'lab')['spark.executorEnv.MODE']).toBe('batch');
    });
  });
});
