import { HISTORY_SERVER_PORT, NetworkEndpoint, ObjectStoreConnection, S3ObjectStore, S3aJars, SparkHistoryServer, SparkImage, mavenUrl } from '../../constructs';
import { expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';

const store = S3ObjectStore.external({
  endpoint: 'http://minio.spark-platform.svc.cluster.local:9000',
  buckets: ['spark-logs'],
  networkEndpoint: NetworkEndpoint.pods({ namespace: 'spark-platform', labels: { app: 'minio' }, ports: [{ port: 9000 }] }),
});

function build(jars = S3aJars.PACKAGES) {
  const chart = testChart();
  const server = new SparkHistoryServer(chart, 'History', { connection: new ObjectStoreConnection({ store, jars }), logDirectory: 's3a://spark-logs/events' });
  return { server, objects: synth(chart) };
}

describe('SparkHistoryServer', () => {
  test('Deployment + Service on 18080, valid, restricted, snapshot', () => {
    const { objects } = build();
    expectValidManifests(objects);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/spark-history-conf', 'Deployment/spark-history', 'NetworkPolicy/spark-history', 'Service/spark-history']);
    const pod = findObject(objects, 'Deployment', 'spark-history').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 185, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...pod.initContainers, ...pod.containers]) expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].image).toBe(SparkImage.official().image);
    expect(findObject(objects, 'Service', 'spark-history').spec.ports).toEqual([{ name: 'http', port: HISTORY_SERVER_PORT, targetPort: 'http' }]);
    expect(objects).toMatchSnapshot();
  });

  test('reads the event logs through the s3a wiring, in spark-defaults.conf', () => {
    const conf: string = findObject(build().objects, 'ConfigMap', 'spark-history-conf').data['spark-defaults.conf'];
    const lines = Object.fromEntries(conf.trim().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
    expect(lines).toMatchObject({
      'spark.history.fs.logDirectory': 's3a://spark-logs/events',
      'spark.history.ui.port': '18080',
      'spark.history.fs.cleaner.maxAge': '7d',
      'spark.hadoop.fs.s3a.endpoint': 'http://minio.spark-platform.svc.cluster.local:9000',
      'spark.hadoop.fs.s3a.path.style.access': 'true',
    });
  });

  test('downloads the s3a jars of its Spark line (it cannot use --packages), onto the daemon classpath', () => {
    const pod = findObject(build().objects, 'Deployment', 'spark-history').spec.template.spec;
    expect(pod.initContainers[0].args).toEqual([
      'https://repo1.maven.org/maven2/org/apache/hadoop/hadoop-aws/3.4.1/hadoop-aws-3.4.1.jar',
      'https://repo1.maven.org/maven2/software/amazon/awssdk/bundle/2.24.6/bundle-2.24.6.jar',
      'https://repo1.maven.org/maven2/org/apache/spark/spark-hadoop-cloud_2.13/4.0.3/spark-hadoop-cloud_2.13-4.0.3.jar',
    ]);
    expect(pod.containers[0].env).toContainEqual({ name: 'SPARK_DAEMON_CLASSPATH', value: '/opt/spark-platform/jars/*' });
    expect(pod.containers[0].env).toContainEqual({ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_SECRET_ACCESS_KEY' } } });
    expect(build(S3aJars.IMAGE).objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.initContainers).toBeUndefined();
  });

  test('its connection() makes jobs write where it reads', () => {
    expect(build().server.connection().eventLogDir).toBe('s3a://spark-logs/events');
  });

  test('mavenUrl', () => {
    expect(mavenUrl('https://repo.example/maven2', 'com.amazonaws:aws-java-sdk-bundle:1.12.262')).toBe('https://repo.example/maven2/com/amazonaws/aws-java-sdk-bundle/1.12.262/aws-java-sdk-bundle-1.12.262.jar');
  });

  test('fails on a log directory outside the store, or a plain-http repository', () => {
    const connection = new ObjectStoreConnection({ store });
    expect(() => new SparkHistoryServer(testChart(), 'H', { connection, logDirectory: 's3a://other/events' })).toThrow(/logDirectory: bucket "other" is not one of the store's buckets/);
    expect(() => new SparkHistoryServer(testChart(), 'H', { connection, logDirectory: '/events' })).toThrow(/logDirectory: "\/events" is not an s3a:\/\/ URI/);
    expect(() => new SparkHistoryServer(testChart(), 'H', { connection, logDirectory: 's3a://spark-logs/e', mavenRepository: 'http://nexus' })).toThrow(/mavenRepository: "http:\/\/nexus" is not an https URL/);
  });
});

describe('SparkHistoryServer NetworkPolicy: what its pod may receive and send', () => {
  const policy = (objects: any[]) => findObject(objects, 'NetworkPolicy', 'spark-history').spec;
  const MINIO = { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'spark-platform' } }, podSelector: { matchLabels: { app: 'minio' } } }], ports: [{ port: 9000, protocol: 'TCP' }] };

  test('out: DNS, the store, and the Maven repository only while it downloads the s3a jars; in: nothing by default', () => {
    const downloading = policy(build(S3aJars.PACKAGES).objects);
    expect(downloading.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(downloading.ingress).toBeUndefined();
    expect(downloading.egress).toHaveLength(3);
    expect(downloading.egress[1]).toEqual(MINIO);
    expect(downloading.egress[2]).toEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    const baked = policy(build(S3aJars.IMAGE).objects);
    expect(baked.egress).toHaveLength(2);
  });

  test('uiAccess admits the UI port to those pods; packageRepository narrows the download', () => {
    const chart = testChart();
    new SparkHistoryServer(chart, 'History', {
      connection: new ObjectStoreConnection({ store }),
      logDirectory: 's3a://spark-logs/events',
      uiAccess: [{ namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } }],
      packageRepository: NetworkEndpoint.cidrs(['192.0.2.10/32'], [{ port: 443 }]),
    });
    const spec = policy(synth(chart));
    expect(spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
      ports: [{ port: 18080, protocol: 'TCP' }],
    }]);
    expect(spec.egress[2]).toEqual({ to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ port: 443, protocol: 'TCP' }] });
  });

  test('a store without an address: an error naming the fix, unless objectStore is given', () => {
    const aws = S3ObjectStore.aws({ region: 'eu-west-1' });
    expect(() => new SparkHistoryServer(testChart(), 'History', { connection: new ObjectStoreConnection({ store: aws }), logDirectory: 's3a://spark-logs/events' }))
      .toThrow(/SparkHistoryServer objectStore: is not set and the store does not know its address.*Fix: give the store its networkEndpoint, or the server objectStore/);
    const chart = testChart();
    new SparkHistoryServer(chart, 'History', { connection: new ObjectStoreConnection({ store: aws }), logDirectory: 's3a://spark-logs/events', objectStore: NetworkEndpoint.cidrs(['52.218.0.0/17'], [{ port: 443 }]) });
    expect(policy(synth(chart)).egress[1]).toEqual({ to: [{ ipBlock: { cidr: '52.218.0.0/17' } }], ports: [{ port: 443, protocol: 'TCP' }] });
  });
});
