import { Chart } from 'cdk8s';
import {
  ApacheSparkOperator, ApacheSparkOperatorCrds, HISTORY_SERVER_PORT, NetworkEndpoint, ObjectStoreConnection, S3ObjectStore, S3aJars,
  SparkHistoryServer, SparkHistoryServerProps, SparkNamespace,
} from '../../constructs';
import { attachDoctor, formatFinding } from '../../constructs/doctor';
import { apacheDriverPodLabels } from '../../constructs/storage/history-server-apache';
import { Obj, expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator, PodRef } from '../helpers/netpol';

/**
 * The History Server on Apache Spark's Kubernetes operator (issue 19): one prop turns the
 * Deployment into a `spark.apache.org/v1` SparkApplication whose driver is the server. The
 * server itself (conf, credentials, jars, Service, policies) must be the Deployment's.
 */

const NS = 'spark-history';
const store = S3ObjectStore.external({
  endpoint: 'http://minio.spark-platform.svc.cluster.local:9000',
  buckets: ['spark-logs'],
  networkEndpoint: NetworkEndpoint.pods({ namespace: 'spark-platform', labels: { app: 'minio' }, ports: [{ port: 9000 }] }),
});
const props = (jars = S3aJars.PACKAGES): SparkHistoryServerProps => ({
  namespace: NS,
  connection: new ObjectStoreConnection({ store, jars }),
  logDirectory: 's3a://spark-logs/events',
  uiAccess: [{ namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } }],
});

/** A tree with the CRDs, the tenant namespace and an operator watching it (or another namespace). */
function platform(chart: Chart, watched = NS): ApacheSparkOperator {
  new ApacheSparkOperatorCrds(chart, 'Crds');
  new SparkNamespace(chart, 'Tenant', { name: NS });
  return new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [{ name: watched }] });
}

function build(extra: Partial<SparkHistoryServerProps> = {}, jars = S3aJars.PACKAGES): { chart: Chart; server: SparkHistoryServer; objects: Obj[] } {
  const chart = testChart();
  const operator = platform(chart);
  const server = new SparkHistoryServer(chart, 'History', { ...props(jars), operator, ...extra });
  return { chart, server, objects: synth(chart) };
}

/** The Deployment variant with the same props. */
function deployment(jars = S3aJars.PACKAGES): Obj[] {
  const chart = testChart();
  new SparkHistoryServer(chart, 'History', props(jars));
  return synth(chart);
}

const appOf = (objects: readonly Obj[]) => findObject(objects, 'SparkApplication', 'spark-history', NS);
const serverObjects = (objects: readonly Obj[]) => objects.filter((o) => o.metadata.namespace === NS && o.metadata.labels?.['app.kubernetes.io/name'] === 'spark-history-server');
const defaultsConf = (objects: readonly Obj[]): Record<string, string> => {
  const text: string = findObject(objects, 'ConfigMap', 'spark-history-conf').data['spark-defaults.conf'];
  return Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
};

describe('SparkHistoryServer on the Apache Spark Kubernetes Operator', () => {
  test('a SparkApplication, a Service and a NetworkPolicy, valid against the CRD; snapshot', () => {
    const { objects, server } = build();
    expectValidManifests(objects);
    expect(serverObjects(objects).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['SparkApplication/spark-history', 'NetworkPolicy/spark-history', 'Service/spark-history']);
    expect(objects.filter((o) => o.kind === 'Deployment' && o.metadata.namespace === NS)).toEqual([]);
    expect(server.url).toBe(`http://spark-history.${NS}.svc.cluster.local:18080`);
    const app = appOf(objects);
    expect(app.apiVersion).toBe('spark.apache.org/v1');
    expect(app.spec).toMatchObject({
      mainClass: 'org.apache.spark.deploy.history.HistoryServer',
      deploymentMode: 'ClusterMode',
      runtimeVersions: { sparkVersion: '4.0.3', scalaVersion: '2.13' },
      applicationTolerations: { restartConfig: { restartPolicy: 'Always', maxRestartAttempts: 2_147_483_647 } },
    });
    // No main resource: the driver runs the server's main class.
    for (const field of ['jars', 'pyFiles', 'sparkRFiles', 'driverArgs']) expect(app.spec[field]).toBeUndefined();
    // A server is not meant to finish: no time to live.
    expect(app.spec.applicationTolerations.ttlAfterStopMillis).toBeUndefined();
    expect(serverObjects(objects)).toMatchSnapshot();
  });

  test('the same server conf as the Deployment variant, plus only what builds the driver pod', () => {
    for (const jars of [S3aJars.PACKAGES, S3aJars.IMAGE]) {
      const own = defaultsConf(deployment(jars));
      const conf: Record<string, string> = appOf(build({}, jars).objects).spec.sparkConf;
      const server = Object.fromEntries(Object.entries(conf).filter(([k]) => k in own));
      expect(server).toEqual(own);
      expect(own).toMatchObject({ 'spark.history.fs.logDirectory': 's3a://spark-logs/events', 'spark.history.ui.port': '18080', 'spark.history.fs.cleaner.enabled': 'true', 'spark.history.fs.cleaner.maxAge': '7d', 'spark.hadoop.fs.s3a.endpoint': 'http://minio.spark-platform.svc.cluster.local:9000' });
      const driver = Object.fromEntries(Object.entries(conf).filter(([k]) => !(k in own)));
      expect(driver).toEqual({
        'spark.app.name': 'spark-history',
        'spark.kubernetes.container.image': expect.stringMatching(/^docker\.io\/apache\/spark:4\.0\.3/),
        'spark.driver.memory': '1g',
        'spark.driver.memoryOverhead': '512m',
        'spark.kubernetes.driver.request.cores': '250m',
        'spark.kubernetes.authenticate.driver.serviceAccountName': 'spark',
        // The jars the init container downloads (as the Deployment's), on the driver's class loader.
        ...(jars === S3aJars.PACKAGES ? {
          'spark.jars': [
            'local:///opt/spark-platform/jars/hadoop-aws-3.4.1.jar',
            'local:///opt/spark-platform/jars/bundle-2.24.6.jar',
            'local:///opt/spark-platform/jars/spark-hadoop-cloud_2.13-4.0.3.jar',
          ].join(','),
        } : {}),
      });
    }
  });

  test('the driver pod: restricted, the same env, jar download and writable paths as the Deployment pod', () => {
    const template = appOf(build().objects).spec.driverSpec.podTemplateSpec;
    const pod = template.spec;
    const deployed = findObject(deployment(), 'Deployment', 'spark-history').spec.template.spec;
    expect(pod.securityContext).toEqual(deployed.securityContext);
    expect(pod).toMatchObject({ automountServiceAccountToken: false, enableServiceLinks: false });
    const [server] = pod.containers;
    for (const c of [...pod.initContainers, ...pod.containers]) expect(c.securityContext).toEqual(deployed.containers[0].securityContext);
    expect(pod.initContainers).toEqual(deployed.initContainers);
    // The Deployment's env, less what the operator's conf volume replaces (SPARK_CONF_DIR, daemon vars).
    expect(server.env).toEqual(deployed.containers[0].env.filter((e: { name: string }) => !e.name.startsWith('SPARK_')));
    expect(server.ports).toEqual([{ name: 'http', containerPort: HISTORY_SERVER_PORT }]);
    const mounts = Object.fromEntries(server.volumeMounts.map((m: { mountPath: string; name: string }) => [m.mountPath, m.name]));
    expect(mounts).toMatchObject({ '/opt/spark-platform/jars': 'jars', '/tmp': 'spark-platform-tmp', '/opt/spark/work-dir': 'spark-platform-workdir' });
    for (const name of Object.values(mounts)) expect(pod.volumes).toContainEqual({ name, emptyDir: {} });
    expect(template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'spark-history-server', 'app.kubernetes.io/instance': 'spark-history' });
  });

  test('the Service selects the driver pod by the labels the operator and Spark put on it, whatever the attempt', () => {
    const { objects } = build();
    const service = findObject(objects, 'Service', 'spark-history', NS);
    expect(service.spec.selector).toEqual({ 'spark.operator/spark-app-name': 'spark-history', 'spark-role': 'driver' });
    expect(service.spec.selector).toEqual(apacheDriverPodLabels(appOf(objects).metadata.name));
    expect(service.spec.ports).toEqual([{ name: 'http', port: 18080, targetPort: 18080 }]);
    // The pod as the operator creates it (attempt 3): the template's labels, Spark's and the operator's.
    const template = appOf(objects).spec.driverSpec.podTemplateSpec;
    const pod = { ...template.metadata.labels, 'spark-app-selector': 'spark-history-3', 'spark-app-name': 'spark-history', 'spark-version': '4.0.3', 'spark-role': 'driver', 'spark.operator/spark-app-name': 'spark-history', 'spark.operator/name': 'spark-kubernetes-operator' };
    expect(Object.entries(service.spec.selector).every(([k, v]) => pod[k] === v)).toBe(true);
    expect(Object.entries(service.spec.selector).every(([k, v]) => ({ ...pod, 'spark-role': 'executor' } as Record<string, string>)[k] === v)).toBe(false);
  });

  test('the doctor finds nothing: it reads a restart-Always server without executors as one (no TTL needed, no executor to wire)', () => {
    const chart = testChart();
    const operator = platform(chart);
    new SparkHistoryServer(chart, 'History', { ...props(), operator });
    const report = attachDoctor(chart).report();
    expect(report.errors.map(formatFinding)).toEqual([]);
    expect(report.warnings.filter((f) => f.path.includes('History')).map(formatFinding)).toEqual([]);
    expect(report.suppressed).toEqual([]);
  });

  test('no plaintext secrets: the access keys come from the Secret, by reference', () => {
    const { objects } = build();
    const app = appOf(objects);
    const [server] = app.spec.driverSpec.podTemplateSpec.spec.containers;
    const credentials = server.env.filter((e: { name: string }) => e.name.startsWith('AWS_'));
    expect(credentials).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_ACCESS_KEY_ID' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_SECRET_ACCESS_KEY' } } },
    ]);
    expect(Object.keys(app.spec.sparkConf).filter((k) => /secret|access\.key|password/i.test(k))).toEqual([]);
    expect(JSON.stringify(serverObjects(objects))).not.toMatch(/fs\.s3a\.(access|secret)\.key/);
  });

  test('refuses a namespace the operator does not watch, naming both', () => {
    const chart = testChart();
    const operator = platform(chart, 'elsewhere');
    expect(() => new SparkHistoryServer(chart, 'History', { ...props(), operator }))
      .toThrow(/SparkHistoryServer operator: ApacheSparkOperator "spark-kubernetes-operator" \(namespace "spark-kubernetes-operator"\) does not watch namespace "spark-history".*Fix: list spark-history in the operator's jobNamespaces/);
  });
});

describe('SparkHistoryServer on the Apache operator: NetworkPolicies', () => {
  const { objects } = build();
  const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: { 'kube-system': {}, 'ingress-nginx': {}, 'spark-platform': {}, other: {} } });
  const driver: PodRef = { namespace: NS, labels: { 'spark-role': 'driver', 'spark.operator/spark-app-name': 'spark-history', 'spark-app-selector': 'spark-history-0' } };
  const ingress: PodRef = { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
  const minio: PodRef = { namespace: 'spark-platform', labels: { app: 'minio' } };
  const dns: PodRef = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

  test.each<[string, Parameters<NetworkPolicyEvaluator['allows']>[0], boolean]>([
    ['uiAccess -> the driver pod on 18080', { from: ingress, to: driver, port: 18080 }, true],
    ['uiAccess -> the driver pod on another port', { from: ingress, to: driver, port: 4040 }, false],
    ['another pod -> the driver pod on 18080', { from: { namespace: 'other', labels: { app: 'x' } }, to: driver, port: 18080 }, false],
    ['the driver pod -> DNS', { from: driver, to: dns, port: 53, protocol: 'UDP' }, true],
    ['the driver pod -> the store', { from: driver, to: minio, port: 9000 }, true],
    ['the driver pod -> the Maven repository (the jar download)', { from: driver, to: { ip: '203.0.113.7' }, port: 443 }, true],
    ['the driver pod -> anything else', { from: driver, to: { namespace: 'other', labels: { app: 'x' } }, port: 8080 }, false],
  ])('%s', (_what, connection, allowed) => {
    expect({ allowed: net.allows(connection), why: net.explain(connection) }).toMatchObject({ allowed });
  });

  test('the same rules as the Deployment variant, selecting the driver pod', () => {
    const mine = findObject(objects, 'NetworkPolicy', 'spark-history', NS).spec;
    const theirs = findObject(deployment(), 'NetworkPolicy', 'spark-history').spec;
    expect(mine.podSelector).toEqual({ matchLabels: apacheDriverPodLabels('spark-history') });
    expect({ ...mine, podSelector: undefined }).toEqual({ ...theirs, podSelector: undefined });
  });
});
