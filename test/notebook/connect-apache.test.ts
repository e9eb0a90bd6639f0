import { App, Chart } from 'cdk8s';
import {
  ApacheSparkOperator, ApacheSparkOperatorCrds, Cpu, Memory, NetworkEndpoint, ObjectStoreConnection, S3ObjectStore, SPARK_CONNECT_PORT, SPARK_CONNECT_SERVER_MAIN_CLASS,
  SparkConnectServer, SparkConnectServerProps, SparkImage, SparkNamespace, SparkPlatformError, attachDoctor, formatFinding,
} from '../../constructs';
import { selectorMatches } from '../helpers/k8s-json';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator, PodRef } from '../helpers/netpol';
import { RbacEvaluator } from '../helpers/rbac';

const NS = 'spark-jobs';
const minio = NetworkEndpoint.pods({ namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'minio' }, ports: [{ port: 9000 }] });
const store = S3ObjectStore.external({ endpoint: 'http://minio.spark-platform.svc.cluster.local:9000', buckets: ['spark-data', 'spark-logs'], networkEndpoint: minio });
const analytics: PodRef = { namespace: NS, labels: { app: 'analytics' } };

/** The tenant, the Apache CRDs and an operator watching `watched` (the tenant by default). */
function platform(chart: Chart, watched = NS) {
  new ApacheSparkOperatorCrds(chart, 'Crds');
  const namespace = new SparkNamespace(chart, 'Tenant', { name: NS, objectStore: minio, apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.1/32'], [443]), packageRepository: NetworkEndpoint.cidrs(['192.0.2.10/32'], [{ port: 443 }]) });
  const other = watched === NS ? namespace : new SparkNamespace(chart, 'Other', { name: watched });
  const operator = new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [other] });
  return { namespace, operator };
}

function build(props: Partial<SparkConnectServerProps> = {}, connect = true) {
  const chart = testChart();
  const { namespace, operator } = platform(chart);
  const server = new SparkConnectServer(chart, 'Connect', { name: 'connect', namespace, operator, clients: [{ namespace: NS, labels: { app: 'analytics' } }], ...props });
  if (connect) new ObjectStoreConnection({ store, eventLogDir: 's3a://spark-logs/events' }).connect(server);
  const objects = synth(chart);
  return { chart, server, objects, app: findObject(objects, 'SparkApplication', 'connect', NS) };
}

function failure(props: Partial<SparkConnectServerProps>, watched = NS): SparkPlatformError {
  const chart = testChart();
  const { namespace, operator } = platform(chart, watched);
  try {
    new SparkConnectServer(chart, 'Connect', { name: 'connect', namespace, operator, ...props });
  } catch (e) {
    expect(e).toBeInstanceOf(SparkPlatformError);
    return e as SparkPlatformError;
  }
  throw new Error('expected the server to be refused');
}

const serverObjects = (objects: readonly Obj[]) => objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/instance'] === 'connect');

/** The labels the operator and Spark (4.2.0 builder) put on the driver pod of attempt 3. */
function driverPod(app: Obj): Record<string, string> {
  return {
    ...app.spec.driverSpec.podTemplateSpec.metadata.labels,
    'spark-app-selector': 'connect-3', 'spark-app-name': 'connect', 'spark-version': app.spec.runtimeVersions.sparkVersion, 'spark-role': 'driver',
    'spark.operator/spark-app-name': 'connect', 'spark.operator/name': 'spark-kubernetes-operator',
  };
}
/** An executor pod of that attempt: the template's labels, Spark's and the operator's. */
function executorPod(app: Obj): Record<string, string> {
  return { ...app.spec.executorSpec.podTemplateSpec.metadata.labels, 'spark-app-selector': 'connect-3', 'spark-role': 'executor', 'spark-exec-id': '1', 'spark.operator/spark-app-name': 'connect' };
}

describe('SparkConnectServer on the Apache operator (cluster mode)', () => {
  test('a SparkApplication, the gRPC Service, account and policies; no StatefulSet, spark-defaults or headless Service; valid; snapshot', () => {
    const { objects, server, app } = build();
    expectValidManifests(objects);
    expect(server.url).toBe('sc://connect.spark-jobs.svc.cluster.local:15002');
    expect(serverObjects(objects).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'NetworkPolicy/connect-clients',
      'NetworkPolicy/connect-driver-egress',
      'NetworkPolicy/connect-driver-ingress',
      'NetworkPolicy/connect-executors',
      'Role/connect',
      'RoleBinding/connect',
      'Service/connect',
      'ServiceAccount/connect',
      'SparkApplication/connect',
    ]);
    expect(app.apiVersion).toBe('spark.apache.org/v1');
    expect(serverObjects(objects)).toMatchSnapshot();
  });

  test('the spec: the server\'s main class, no primary resource, cluster mode, restarted for ever, kept (no TTL)', () => {
    const { app } = build();
    expect(app.spec).toMatchObject({ mainClass: SPARK_CONNECT_SERVER_MAIN_CLASS, deploymentMode: 'ClusterMode', runtimeVersions: { sparkVersion: '4.0.3', scalaVersion: '2.13', jdkVersion: '17' } });
    expect(SPARK_CONNECT_SERVER_MAIN_CLASS).toBe('org.apache.spark.sql.connect.service.SparkConnectServer');
    for (const k of ['jars', 'pyFiles', 'sparkRFiles', 'driverArgs']) expect(app.spec[k]).toBeUndefined();
    expect(app.spec.applicationTolerations).toEqual({
      restartConfig: { restartPolicy: 'Always', maxRestartAttempts: 2_147_483_647, restartBackoffMillis: 30_000 },
      instanceConfig: { initExecutors: 2, minExecutors: 2, maxExecutors: 2 },
      resourceRetainPolicy: 'Never',
    });
    expect(app.spec.applicationTolerations.ttlAfterStopMillis).toBeUndefined();
  });

  test('the conf: the client-mode server\'s executors, ports and s3a, plus what the operator reads; none of client mode\'s own keys', () => {
    const conf = build().app.spec.sparkConf;
    expect(conf).toMatchObject({
      'spark.app.name': 'connect',
      'spark.connect.grpc.binding.port': '15002',
      'spark.driver.port': '7078',
      'spark.driver.blockManager.port': '7079',
      'spark.blockManager.port': '7079',
      'spark.driver.memory': '2g',
      'spark.kubernetes.driver.request.cores': '1',
      'spark.executor.instances': '2',
      'spark.executor.cores': '1',
      'spark.executor.memory': '1g',
      'spark.kubernetes.namespace': NS,
      'spark.kubernetes.container.image': SparkImage.official().image,
      'spark.kubernetes.authenticate.driver.serviceAccountName': 'connect',
      'spark.kubernetes.authenticate.executor.serviceAccountName': 'spark-executor',
      'spark.kubernetes.driver.podTemplateContainerName': 'spark-kubernetes-driver',
      'spark.kubernetes.executor.podTemplateContainerName': 'spark-kubernetes-executor',
      'spark.kubernetes.executor.label.spark-platform.io/client-driver': 'connect',
      'spark.eventLog.dir': 's3a://spark-logs/events',
      'spark.hadoop.fs.s3a.endpoint': 'http://minio.spark-platform.svc.cluster.local:9000',
    });
    // Spark sets the driver's address (its own Service) and the operator the templates and pod name.
    for (const k of ['spark.driver.host', 'spark.driver.bindAddress', 'spark.submit.deployMode', 'spark.kubernetes.driver.pod.name', 'spark.kubernetes.executor.podTemplateFile', 'spark.kubernetes.driver.podTemplateFile']) {
      expect(conf[k]).toBeUndefined();
    }
    expect(Object.keys(conf).filter((k) => /secret|access\.key|password/i.test(k))).toEqual([]);
  });

  test.each<[string, Partial<SparkConnectServerProps>, Record<string, unknown>]>([
    ['dynamic allocation: its bounds', { executors: { dynamicAllocation: { minExecutors: 1, maxExecutors: 4 } } }, { instanceConfig: { initExecutors: 1, minExecutors: 1, maxExecutors: 4 }, conf: { 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.maxExecutors': '4', 'spark.dynamicAllocation.shuffleTracking.enabled': 'true' } }],
    ['sizes and CPU', { cpu: Cpu.millis(1500), driverMemory: Memory.gibibytes(4), executors: { instances: 3, cores: 2, memory: Memory.gibibytes(2) } }, { instanceConfig: { initExecutors: 3, minExecutors: 3, maxExecutors: 3 }, conf: { 'spark.kubernetes.driver.request.cores': '1500m', 'spark.driver.memory': '4g', 'spark.executor.cores': '2', 'spark.executor.memory': '2g' } }],
    ['Spark 3.5 resolves the connect package', { image: SparkImage.official('3.5') }, { conf: { 'spark.jars.packages': expect.stringContaining('org.apache.spark:spark-connect_2.12:3.5.8') } }],
  ])('props reach the application: %s', (_name, props, expected) => {
    const { app } = build(props);
    if (expected.instanceConfig) expect(app.spec.applicationTolerations.instanceConfig).toEqual(expected.instanceConfig);
    expect(app.spec.sparkConf).toMatchObject(expected.conf as Record<string, string>);
  });

  test('the driver template: restricted, writable emptyDirs, credentials by reference, ready when gRPC listens', () => {
    const { app } = build({ imagePullSecrets: ['regcred'] });
    const pod = app.spec.driverSpec.podTemplateSpec.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'connect', automountServiceAccountToken: true, enableServiceLinks: false, imagePullSecrets: [{ name: 'regcred' }] });
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 185, runAsGroup: 185, fsGroup: 185, seccompProfile: { type: 'RuntimeDefault' } });
    const [c] = pod.containers;
    expect(c.name).toBe(app.spec.sparkConf['spark.kubernetes.driver.podTemplateContainerName']);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.volumeMounts).toEqual([{ name: 'spark-platform-tmp', mountPath: '/tmp' }, { name: 'spark-platform-workdir', mountPath: '/opt/spark/work-dir' }]);
    expect(pod.volumes).toEqual([{ name: 'spark-platform-tmp', emptyDir: {} }, { name: 'spark-platform-workdir', emptyDir: {} }]);
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 15002 }, periodSeconds: 10 });
    expect(c.env.map((e: Obj) => [e.name, e.valueFrom?.secretKeyRef?.name])).toEqual([['AWS_ACCESS_KEY_ID', 's3-credentials'], ['AWS_SECRET_ACCESS_KEY', 's3-credentials']]);
    expect(app.spec.sparkConf['spark.kubernetes.container.image.pullSecrets']).toBe('regcred');
    // the executor template is client mode's, as a PodTemplateSpec
    expect(Object.keys(app.spec.executorSpec.podTemplateSpec)).toEqual(['metadata', 'spec']);
    expect(app.spec.executorSpec.podTemplateSpec.spec.containers[0].name).toBe('spark-kubernetes-executor');
  });

  test('the Service keeps the name and port, and selects the driver by the operator\'s labels, not the executors', () => {
    const { objects, app } = build();
    const service = findObject(objects, 'Service', 'connect', NS);
    expect(service.spec.ports).toEqual([{ name: 'grpc', port: SPARK_CONNECT_PORT, targetPort: SPARK_CONNECT_PORT, appProtocol: 'grpc' }]);
    expect(service.spec.selector).toEqual({ 'spark.operator/spark-app-name': 'connect', 'spark-role': 'driver' });
    const selector = { matchLabels: service.spec.selector, matchExpressions: [] };
    expect(selectorMatches(selector, driverPod(app))).toBe(true);
    expect(selectorMatches(selector, executorPod(app))).toBe(false);
    // another application's driver in the namespace is not selected
    expect(selectorMatches(selector, { ...driverPod(app), 'spark.operator/spark-app-name': 'other' })).toBe(false);
  });

  describe('NetworkPolicies: clients reach gRPC, executors and driver reach each other, nothing else', () => {
    const { objects, app } = build();
    const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: { 'kube-system': {}, 'spark-platform': {} } });
    const driver: PodRef = { namespace: NS, labels: driverPod(app) };
    const executor: PodRef = { namespace: NS, labels: executorPod(app) };
    test.each<[string, PodRef, PodRef | { ip: string }, number, boolean]>([
      ['a named client reaches gRPC', analytics, driver, 15002, true],
      ['another pod does not', { namespace: NS, labels: { app: 'other' } }, driver, 15002, false],
      ['executors reach the driver port', executor, driver, 7078, true],
      ['and its block manager', executor, driver, 7079, true],
      // The driver pod is a Spark pod (spark-role): the tenant's policy for Spark pods admits
      // executors to it on every port, as for any cluster-mode driver.
      ['executors reach gRPC too (the tenant\'s Spark-pod policy)', executor, driver, 15002, true],
      ['the driver reaches executors\' block managers', driver, executor, 7079, true],
      ['the driver reaches the API server (executor pods)', driver, { ip: '10.0.0.1' }, 443, true],
      ['nothing else of the driver is open', { namespace: NS, labels: { app: 'analytics' } }, driver, 4040, false],
    ])('%s', (_name, from, to, port, allowed) => {
      expect(net.allows({ from, to, port })).toBe(allowed);
    });
  });

  test('the doctor on the whole tree: no finding on the server (restart Always: a server needs no time to live)', () => {
    const app = new App();
    const chart = new Chart(app, 'platform');
    const { namespace, operator } = platform(chart);
    const server = new SparkConnectServer(chart, 'Connect', { name: 'connect', namespace, operator });
    new ObjectStoreConnection({ store, eventLogDir: 's3a://spark-logs/events' }).connect(server);
    expect(() => app.synthYaml()).not.toThrow();
    const report = attachDoctor(app, {}).report();
    expect(report.errors.map(formatFinding)).toEqual([]);
    expect(report.findings.filter((f) => f.path.includes('Connect')).map((f) => f.rule)).toEqual([]);
  });

  describe('bad input', () => {
    test('a namespace the operator does not watch is refused, naming both', () => {
      const e = failure({}, 'elsewhere');
      expect(e.field).toBe('operator');
      expect(e.message).toMatch(/SparkConnectServer "connect" operator: ApacheSparkOperator "spark-kubernetes-operator" \(namespace "spark-kubernetes-operator"\) does not watch namespace "spark-jobs".*Fix: list spark-jobs in the operator's jobNamespaces/);
    });
    test('driverHost means nothing in cluster mode', () => {
      const e = failure({ driverHost: 'pod-ip' as never });
      expect(e.field).toBe('driverHost');
      expect(e.message).toMatch(/Spark creates the driver's Service.*Fix: leave driverHost out/);
    });
    test('conf the wiring owns stays owned', () => {
      const chart = testChart();
      const { namespace, operator } = platform(chart);
      const server = new SparkConnectServer(chart, 'Connect', { name: 'connect', namespace, operator });
      expect(() => server.addSparkConf({ 'spark.kubernetes.authenticate.driver.serviceAccountName': 'default' }, 'sparkConf')).toThrow(/sparkConf\["spark.kubernetes.authenticate.driver.serviceAccountName"\]: is set by the client-mode wiring to "connect"/);
    });
  });

  test('without operator nothing changes: the StatefulSet server of client mode', () => {
    const chart = testChart();
    const { namespace } = platform(chart);
    new SparkConnectServer(chart, 'Connect', { name: 'connect', namespace });
    const objects = synth(chart);
    expect(ofKind(objects, 'SparkApplication')).toEqual([]);
    expect(findObject(objects, 'StatefulSet', 'connect').spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(findObject(objects, 'Service', 'connect').spec.selector).toEqual({ 'app.kubernetes.io/name': 'spark-connect', 'app.kubernetes.io/instance': 'connect' });
    findObject(objects, 'Service', 'connect-driver');
    findObject(objects, 'ConfigMap', 'connect-spark-conf');
  });

  test('the driver account creates executor pods (RBAC)', () => {
    const { objects } = build();
    const rbac = new RbacEvaluator(objects);
    expect(rbac.can({ kind: 'ServiceAccount', namespace: NS, name: 'connect' }, { verb: 'create', resource: 'pods', namespace: NS })).toBe(true);
  });
});
