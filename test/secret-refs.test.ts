import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MinIO, ObjectStoreConnection, SecretSource, SparkHistoryServer, SparkJob, SparkJobType, SparkNamespace } from '../constructs';
import { collectSecretRefs, declareSecretRef } from '../constructs/secret-refs';

describe('declareSecretRef / collectSecretRefs', () => {
  test('one entry per namespace and name: keys merged in order, purposes joined, long lists summarized', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    declareSecretRef(new Construct(chart, 'A'), { namespace: 'ns1', name: 's', keys: ['a'], purpose: 'reader A' });
    declareSecretRef(new Construct(chart, 'B'), { namespace: 'ns1', name: 's', keys: ['b', 'a'], purpose: 'reader B' });
    declareSecretRef(new Construct(chart, 'C'), { namespace: 'ns2', name: 's', keys: ['a'], purpose: 'reader C' });
    for (let i = 0; i < 5; i++) declareSecretRef(new Construct(chart, `M${i}`), { namespace: 'ns3', name: 'm', keys: ['k'], purpose: `job ${i}` });
    expect(collectSecretRefs(app)).toEqual([
      { namespace: 'ns1', name: 's', keys: ['a', 'b'], purpose: 'reader A; reader B' },
      { namespace: 'ns2', name: 's', keys: ['a'], purpose: 'reader C' },
      { namespace: 'ns3', name: 'm', keys: ['k'], purpose: 'job 0; job 1; job 2; and 2 more' },
    ]);
  });

  test('nothing of it reaches the manifests', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    declareSecretRef(chart, { namespace: 'ns', name: 's', keys: ['a'], purpose: 'p' });
    expect(chart.toJson()).toEqual([]);
  });

  test.each([
    [{ namespace: 'Bad_NS', name: 's', keys: ['a'], purpose: 'p' }, /namespace: /],
    [{ namespace: 'ns', name: 's', keys: [], purpose: 'p' }, /keys: is empty/],
    [{ namespace: 'ns', name: 's', keys: ['a b'], purpose: 'p' }, /keys: "a b" is not a valid Secret key/],
    [{ namespace: 'ns', name: 's', keys: ['a'], purpose: ' ' }, /purpose: is empty/],
  ])('fails on an invalid reference %#', (ref, message) => {
    expect(() => declareSecretRef(new App(), ref)).toThrow(message);
  });
});

describe('who declares', () => {
  test('SecretSource.existing declares the Secret and its keys; sealed and external sources emit it instead', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    SecretSource.existing('minio-root').emit(chart, 'E', 'store', ['rootUser', 'rootPassword'], {}, { where: 'MinIO', field: 'rootCredentials' });
    SecretSource.sealedSecret('sealed', { rootUser: 'A'.repeat(60), rootPassword: 'B'.repeat(60) }).emit(chart, 'S', 'store', ['rootUser', 'rootPassword']);
    expect(collectSecretRefs(app)).toEqual([{ namespace: 'store', name: 'minio-root', keys: ['rootUser', 'rootPassword'], purpose: 'MinIO rootCredentials' }]);
  });

  test('ObjectStoreConnection.connect declares the credentials Secret in each workload\'s namespace', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    const minio = new MinIO(chart, 'M', { rootCredentials: SecretSource.existing('minio-root'), buckets: ['spark-logs'], prefixes: ['spark-logs/events'] });
    const connection = new ObjectStoreConnection({ store: minio, credentials: { secretName: 'keys', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' } });
    new SparkHistoryServer(chart, 'H', { connection, logDirectory: 's3a://spark-logs/events' });
    const tenant = new SparkNamespace(chart, 'T', { name: 'team-a' });
    const job = new SparkJob(chart, 'J', { namespace: tenant, name: 'pi', type: SparkJobType.SCALA, mainClass: 'a.B', mainApplicationFile: 'local:///a.jar' });
    connection.connect(job);
    expect(collectSecretRefs(app).map((r) => `${r.namespace}/${r.name} ${r.keys.join(',')}`)).toEqual([
      'spark-platform/minio-root rootUser,rootPassword',
      'spark-platform/keys id,secret',
      'team-a/keys id,secret',
    ]);
  });
});
