import { Testing } from 'cdk8s';
import {
  NetworkEndpoint, ObjectStoreConnection, S3ObjectStore, S3aJars, SPARK_LINES, SparkEnvValue, SparkImage, SparkJob, SparkJobMode, SparkJobProps,
  SparkJobType, SparkLineName, SparkNamespace, SparkNotebook, SparkNotebookImage, SparkOperatorCrds, s3aArtifacts, s3aConf,
} from '../../constructs';
import { Obj, expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';

const MINIO_PODS = NetworkEndpoint.pods({ namespace: 'spark-platform', labels: { app: 'minio' }, ports: [{ port: 9000 }] });
const store = S3ObjectStore.external({ endpoint: 'http://minio.spark-platform.svc.cluster.local:9000', buckets: ['data', 'spark-logs'], networkEndpoint: MINIO_PODS });

const ETL: Omit<SparkJobProps, 'namespace'> = {
  name: 'etl',
  type: SparkJobType.PYTHON,
  mainApplicationFile: 's3a://data/jobs/etl.py',
  arguments: ['s3a://data/in', 's3a://data/out'],
};

function tenant(chart = testChart(), packages = true): SparkNamespace {
  return new SparkNamespace(chart, 'Tenant', {
    name: 'spark-jobs',
    packageRepository: packages ? NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }]) : undefined,
  });
}

function submitConf(objects: readonly Obj[], name: string): Record<string, string> {
  const args: string[] = findObject(objects, 'Job', name).spec.template.spec.containers[0].args;
  return Object.fromEntries(args.filter((_, i) => args[i - 1] === '--conf').map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
}

describe('the version matrix: each Spark line gets its own hadoop-aws and SDK', () => {
  // Hadoop each Spark release bundles, and the SDK that hadoop-aws release was built against.
  const expected: Record<SparkLineName, [string, string, string]> = {
    '3.5': ['org.apache.hadoop:hadoop-aws:3.3.4', 'com.amazonaws:aws-java-sdk-bundle:1.12.262', 'com.amazonaws.auth.EnvironmentVariableCredentialsProvider'],
    '4.0': ['org.apache.hadoop:hadoop-aws:3.4.1', 'software.amazon.awssdk:bundle:2.24.6', 'software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider'],
    '4.1': ['org.apache.hadoop:hadoop-aws:3.4.2', 'software.amazon.awssdk:bundle:2.29.52', 'software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider'],
  };
  test('every supported line is covered', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(SPARK_LINES).sort());
  });
  test.each(Object.entries(expected))('Spark %s', (line, [hadoopAws, sdk, provider]) => {
    const image = SparkImage.official(line as SparkLineName);
    const a = s3aArtifacts(image);
    expect(a.hadoopAws).toBe(hadoopAws);
    expect(a.awsSdkBundle).toBe(sdk);
    expect(a.hadoopCloud).toBe(`org.apache.spark:spark-hadoop-cloud_${image.scalaVersion}:${image.sparkVersion}`);
    expect(s3aConf(store, image)['spark.hadoop.fs.s3a.aws.credentials.provider']).toBe(provider);
  });
  test('an image of an unknown line is refused, naming it', () => {
    const old = SparkImage.custom({ image: 'example/spark:3.3.4', sparkVersion: '3.3.4', scalaVersion: '2.12' });
    expect(() => s3aArtifacts(old)).toThrow(/image: Spark 3\.3\.4 \("example\/spark:3\.3\.4"\) is not a line the version matrix knows.*Fix: use Spark 3\.5\.x, 4\.0\.x or 4\.1\.x/);
  });
});

describe('s3a conf', () => {
  test('MinIO-style store: endpoint, path style, plain http, region, env credentials, magic committer', () => {
    expect(s3aConf(store, SparkImage.official('4.0'))).toEqual({
      'spark.hadoop.fs.s3a.endpoint': 'http://minio.spark-platform.svc.cluster.local:9000',
      'spark.hadoop.fs.s3a.endpoint.region': 'us-east-1',
      'spark.hadoop.fs.s3a.path.style.access': 'true',
      'spark.hadoop.fs.s3a.connection.ssl.enabled': 'false',
      'spark.hadoop.fs.s3a.impl': 'org.apache.hadoop.fs.s3a.S3AFileSystem',
      'spark.hadoop.fs.s3a.aws.credentials.provider': 'software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider',
      'spark.hadoop.fs.s3a.fast.upload.buffer': 'disk',
      'spark.hadoop.fs.s3a.buffer.dir': '/tmp/s3a',
      'spark.hadoop.fs.s3a.committer.name': 'magic',
      'spark.hadoop.fs.s3a.committer.magic.enabled': 'true',
      'spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3a': 'org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory',
      'spark.sql.sources.commitProtocolClass': 'org.apache.spark.internal.io.cloud.PathOutputCommitProtocol',
      'spark.sql.parquet.output.committer.class': 'org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter',
    });
  });

  test('AWS S3: no endpoint (the SDK\'s own), virtual-host addressing, TLS', () => {
    const conf = s3aConf(S3ObjectStore.aws({ region: 'eu-central-1' }), SparkImage.official());
    expect(conf['spark.hadoop.fs.s3a.endpoint']).toBeUndefined();
    expect(conf).toMatchObject({ 'spark.hadoop.fs.s3a.endpoint.region': 'eu-central-1', 'spark.hadoop.fs.s3a.path.style.access': 'false', 'spark.hadoop.fs.s3a.connection.ssl.enabled': 'true' });
  });

  test('fails on a bad region or endpoint', () => {
    expect(() => S3ObjectStore.aws({ region: 'Frankfurt' })).toThrow(/S3ObjectStore\.aws region: "Frankfurt" is not an AWS region/);
    expect(() => S3ObjectStore.external({ endpoint: 'minio:9000' })).toThrow(/endpoint: "minio:9000" is not an http\(s\) URL/);
  });
});

describe.each([SparkJobMode.OPERATOR, SparkJobMode.SUBMIT])('connect(job) in %s mode', (mode) => {
  function build(connection?: ObjectStoreConnection, packages = true, props: Partial<SparkJobProps> = {}) {
    const chart = testChart();
    new SparkOperatorCrds(chart, 'Crds'); // so SparkApplications validate
    const ns = tenant(chart, packages);
    const job = new SparkJob(chart, 'Job', { namespace: ns, mode, ...ETL, ...props });
    connection?.connect(job);
    return { chart, job };
  }

  test('adds the conf, the jars of the job\'s Spark line and the credentials from a Secret', () => {
    const { chart } = build(new ObjectStoreConnection({ store }).withEventLog('s3a://spark-logs/events'));
    const objects = synth(chart);
    expectValidManifests(objects);
    const conf = mode === SparkJobMode.OPERATOR ? { ...findObject(objects, 'SparkApplication', 'etl').spec.sparkConf } : submitConf(objects, 'etl');
    expect(conf).toMatchObject({
      'spark.hadoop.fs.s3a.endpoint': 'http://minio.spark-platform.svc.cluster.local:9000',
      'spark.eventLog.enabled': 'true',
      'spark.eventLog.dir': 's3a://spark-logs/events',
    });
    const packages = mode === SparkJobMode.OPERATOR ? findObject(objects, 'SparkApplication', 'etl').spec.deps.packages : conf['spark.jars.packages'].split(',');
    expect(packages).toEqual(['org.apache.hadoop:hadoop-aws:3.4.1', 'software.amazon.awssdk:bundle:2.24.6', 'org.apache.spark:spark-hadoop-cloud_2.13:4.0.3']);
    const templates = mode === SparkJobMode.OPERATOR
      ? ['driver', 'executor'].map((r) => findObject(objects, 'SparkApplication', 'etl').spec[r].template)
      : [];
    for (const t of templates) {
      expect(t.spec.containers[0].env).toEqual([
        { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_ACCESS_KEY_ID' } } },
        { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_SECRET_ACCESS_KEY' } } },
      ]);
    }
    // No credential value anywhere, only references.
    expect(JSON.stringify(objects)).not.toMatch(/fs\.s3a\.(access|secret)\.key/);
  });

  test('jars from the image: no packages, so no Maven egress needed', () => {
    const { chart } = build(new ObjectStoreConnection({ store, jars: S3aJars.IMAGE }), false);
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('images that carry the jars (SparkImage jars): only what is missing is resolved, and only when both images have it', () => {
    const line = SPARK_LINES['4.0'];
    const all = [`org.apache.hadoop:hadoop-aws:${line.hadoopAws}`, line.awsSdkBundle, 'org.apache.spark:spark-hadoop-cloud_2.13:4.0.3'];
    const image = (tag: string, jars: string[]) => SparkImage.custom({ image: `registry.example.com/spark:${tag}`, sparkVersion: '4.0.3', pythonVersion: '3.10', jars });
    const packagesOf = (props: Partial<SparkJobProps>) => {
      const { job } = build(new ObjectStoreConnection({ store }), true, props);
      return job.effective().deps.packages;
    };
    expect(packagesOf({ image: image('s3a', all) })).toEqual([]);
    // The cloud committer bindings are not in the image: only they are resolved.
    expect(packagesOf({ image: image('aws-only', all.slice(0, 2)) })).toEqual([all[2]]);
    // The driver has them, the executors' image not: executors need them, so they are resolved.
    expect(packagesOf({ image: image('s3a', all), executorImage: image('plain', []) })).toEqual(all);
    // Another hadoop-aws in the image would sit on the classpath next to the resolved one.
    expect(() => packagesOf({ image: image('old-aws', ['org.apache.hadoop:hadoop-aws:3.3.4']) })).toThrow(/jars: image "registry\.example\.com\/spark:old-aws" carries org\.apache\.hadoop:hadoop-aws:3\.3\.4, but Spark 4\.0\.3 needs org\.apache\.hadoop:hadoop-aws:3\.4\.1/);
  });

  test('fails at synth when an s3a:// URI is used without wiring', () => {
    const { chart } = build();
    expect(() => Testing.synth(chart)).toThrow(/SparkJob "etl" mainApplicationFile: "s3a:\/\/data\/jobs\/etl\.py" is an s3a:\/\/ URI, but the job has no object-store wiring.*ClassNotFoundException: S3AFileSystem\. Fix: give the platform storage/);
  });

  test('fails at synth when packages cannot be downloaded', () => {
    const { chart } = build(new ObjectStoreConnection({ store }), false);
    expect(() => Testing.synth(chart)).toThrow(/deps\.packages: .*hadoop-aws:3\.4\.1.* must be downloaded by the driver at start, but namespace "spark-jobs" allows no egress to a Maven repository\. Fix: set the tenant's packageRepository/);
  });

  test('fails at synth on a hadoop-aws that does not match the Spark line', () => {
    const { chart } = build(undefined, true, { mainApplicationFile: 'local:///app/etl.py', arguments: [], deps: { packages: ['org.apache.hadoop:hadoop-aws:3.3.4'] } });
    expect(() => Testing.synth(chart)).toThrow(/hadoop-aws 3\.3\.4 does not match Spark 4\.0\.3, which bundles Hadoop 3\.4\.1.*Fix: use org\.apache\.hadoop:hadoop-aws:3\.4\.1 with software\.amazon\.awssdk:bundle:2\.24\.6/);
  });

  test('an event log bucket the store does not have is refused', () => {
    expect(() => new ObjectStoreConnection({ store, eventLogDir: 's3a://logs/events' })).toThrow(/eventLogDir: bucket "logs" is not one of the store's buckets \(data, spark-logs\)/);
  });

  test('a job that already sets AWS_ACCESS_KEY_ID itself is told to drop it', () => {
    expect(() => build(new ObjectStoreConnection({ store }), true, { pods: { env: { AWS_ACCESS_KEY_ID: SparkEnvValue.fromValue('x') } } })).toThrow(/ObjectStoreConnection\.env\["AWS_ACCESS_KEY_ID"\]: is already set on the job/);
  });
});

describe('connect() opens the egress to the store in the tenant namespace (default-deny would block s3a)', () => {
  const policies = (objects: readonly Obj[]) => objects.filter((o) => o.kind === 'NetworkPolicy' && String(o.metadata.name).startsWith('allow-spark-object-store'));

  test('the store\'s endpoint, once for every job, for the Spark pods', () => {
    const chart = testChart();
    const ns = tenant(chart);
    const connection = new ObjectStoreConnection({ store });
    connection.connect(new SparkJob(chart, 'a', { ...ETL, namespace: ns }));
    connection.connect(new SparkJob(chart, 'b', { ...ETL, name: 'etl-b', namespace: ns }));
    const found = policies(synth(chart));
    expect(found).toHaveLength(1);
    expect(found[0].metadata.name).toBe('allow-spark-object-store');
    expect(found[0].spec.podSelector).toEqual({ matchExpressions: [{ key: 'spark-role', operator: 'Exists' }] });
    expect(found[0].spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'spark-platform' } }, podSelector: { matchLabels: { app: 'minio' } } }],
      ports: [{ port: 9000, protocol: 'TCP' }],
    }]);
  });

  test('nothing added for the store the namespace already declares; a second store gets its own policy', () => {
    const chart = testChart();
    const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs', objectStore: MINIO_PODS, packageRepository: NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }]) });
    new ObjectStoreConnection({ store }).connect(new SparkJob(chart, 'a', { ...ETL, namespace: ns }));
    expect(policies(synth(chart)).map((p) => p.metadata.name)).toEqual(['allow-spark-object-store']);
    const other = S3ObjectStore.aws({ region: 'eu-west-1', networkEndpoint: NetworkEndpoint.cidrs(['52.218.0.0/17'], [{ port: 443 }]) });
    new ObjectStoreConnection({ store: other }).connect(new SparkJob(chart, 'b', { ...ETL, name: 'etl-b', namespace: ns }));
    const found = policies(synth(chart));
    expect(found.map((p) => p.metadata.name)).toEqual(['allow-spark-object-store', 'allow-spark-object-store-2']);
    expect(found[1].spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '52.218.0.0/17' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
  });

  test('a declared store that already admits the connected one (fewer labels, same namespace and port): no policy', () => {
    const chart = testChart();
    const broad = NetworkEndpoint.pods({ namespace: 'spark-platform', labels: {}, ports: [{ port: 9000 }] });
    const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs', objectStore: broad, packageRepository: NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }]) });
    new ObjectStoreConnection({ store }).connect(new SparkJob(chart, 'a', { ...ETL, namespace: ns }));
    expect(policies(synth(chart)).map((p) => p.metadata.name)).toEqual(['allow-spark-object-store']);
    expect(broad.covers(MINIO_PODS)).toBe(true);
    expect(MINIO_PODS.covers(broad)).toBe(false);
    expect(NetworkEndpoint.pods({ namespace: 'other', labels: {}, ports: [{ port: 9000 }] }).covers(MINIO_PODS)).toBe(false);
    expect(NetworkEndpoint.pods({ namespace: 'spark-platform', labels: {}, ports: [{ port: 9001 }] }).covers(MINIO_PODS)).toBe(false);
    expect(NetworkEndpoint.cidrs(['10.0.0.0/8', '192.0.2.0/24'], [{ port: 443 }]).covers(NetworkEndpoint.cidrs(['192.0.2.0/24'], [{ port: 443 }]))).toBe(true);
  });

  test('a store whose address is unknown: an error with the fix, unless the namespace declares one', () => {
    const aws = S3ObjectStore.aws({ region: 'eu-west-1' });
    const chart = testChart();
    expect(() => new ObjectStoreConnection({ store: aws }).connect(new SparkJob(chart, 'a', { ...ETL, namespace: tenant(chart) })))
      .toThrow('ObjectStoreConnection.connect(SparkJob "etl") store.networkEndpoint: is unknown, and namespace "spark-jobs" denies egress by default: its Spark pods could not reach the store (s3a times out). Fix: give the store its address');
    const declared = testChart();
    const ns = new SparkNamespace(declared, 'Tenant', { name: 'spark-jobs', objectStore: NetworkEndpoint.cidrs(['52.218.0.0/17'], [{ port: 443 }]), packageRepository: NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }]) });
    expect(() => new ObjectStoreConnection({ store: aws }).connect(new SparkJob(declared, 'a', { ...ETL, namespace: ns }))).not.toThrow();
  });

  test('a notebook: its executors through the tenant policy, its driver pod through a policy of its own', () => {
    const chart = testChart();
    const ns = tenant(chart);
    const notebook = new SparkNotebook(chart, 'nb', { name: 'lab', namespace: ns, image: SparkNotebookImage.unified({ image: 'registry.example.com/spark-notebook:4.0.3-1' }) });
    const connection = new ObjectStoreConnection({ store });
    connection.connect(notebook);
    connection.connect(notebook);
    const objects = synth(chart);
    expect(policies(objects).map((p) => p.metadata.name)).toEqual(['allow-spark-object-store']);
    const driver = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'lab-driver-object-store');
    expect(driver).toHaveLength(1);
    expect(driver[0].spec.podSelector).toEqual({ matchLabels: notebook.driver.driverPodLabels });
    expect(driver[0].spec.egress[0].ports).toEqual([{ port: 9000, protocol: 'TCP' }]);
    expectValidManifests(objects);
  });

  test('a namespace made elsewhere (fromName) is left alone', () => {
    const chart = testChart();
    new ObjectStoreConnection({ store: S3ObjectStore.aws({ region: 'eu-west-1' }) }).connect(new SparkJob(chart, 'a', { ...ETL, namespace: SparkNamespace.fromName('spark-jobs') }));
    expect(policies(synth(chart))).toEqual([]);
  });
});
