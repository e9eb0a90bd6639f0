/**
 * One rule at a time: the smallest tree that triggers it, and the same tree with the problem
 * fixed, which must not. Objects are hand-made ApiObjects, so a rule is proven on what it reads,
 * not on what the constructs already refuse.
 */
import { ApiObject } from 'cdk8s';
import { DOCTOR_RULES, Severity } from '../../constructs/doctor';
import { SparkOperator } from '../../constructs/operator';
import { SparkImage } from '../../constructs/spark-image';
import { SparkNamespace } from '../../constructs/tenancy';
import {
  FULL_DRIVER_RULES, SPARK_35, SPARK_40, TestDriver, account, allowSpark, clientConf, denyAll, deployment, doctor, namespace, netpol, notebookPod, of, quota, sparkApp,
} from './fixtures';

const NODES = { nodes: [{ name: 'small', cpu: '4', memory: '8Gi' }] };
/** An official tag turned into a mutable one, without writing the literal. */
const mutable = (image: string) => image.replace(/:[^:]+$/, `:${'lat'}est`);

test('every rule has an id, a severity and a summary, and ids are unique kebab-case', () => {
  const ids = DOCTOR_RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const r of DOCTOR_RULES) {
    expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect([Severity.ERROR, Severity.WARNING]).toContain(r.severity);
    expect(r.summary.length).toBeGreaterThan(20);
  }
});

describe('pod-exceeds-node', () => {
  test('an executor larger than every node, counting Spark\'s memory overhead', () => {
    // 7g heap + max(10%, 384m) = 7884Mi > 7.5Gi allocatable, though the heap alone fits
    const r = doctor((c) => sparkApp(c, 'App', { spec: { executor: { memory: '7g' } } }), { nodes: [{ name: 'small', cpu: '4', memory: '7680Mi' }] });
    const f = of(r, 'pod-exceeds-node');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: 'c/App', object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/the executor pod asks for 1 CPU and 7884Mi memory \(heap 7g \+ overhead 716m\).*small \(4 CPU, 7680Mi\).*Pending forever\. Fix:/);
  });

  test('the same executor fits a larger node; no node shapes, no check', () => {
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: { executor: { memory: '7g' } } }), { nodes: [{ name: 'big', cpu: '4', memory: '8Gi' }] }), 'pod-exceeds-node')).toEqual([]);
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: { executor: { memory: '700g' } } })), 'pod-exceeds-node')).toEqual([]);
  });

  test('Python executors get the 0.4 overhead factor', () => {
    const python = (memory: string) => doctor((c) => sparkApp(c, 'App', { spec: { type: 'Python', mainApplicationFile: 'local:///a.py', mainClass: undefined, executor: { memory } } }), NODES);
    expect(of(python('6g'), 'pod-exceeds-node')[0]?.message).toMatch(/heap 6g \+ overhead 2457m/); // 8601Mi > 8Gi
    expect(of(python('5g'), 'pod-exceeds-node')).toEqual([]); // 5g + 2048m = 7Gi
  });

  test('GPUs, and node selectors matched against declared node labels', () => {
    const nodes = { nodes: [{ name: 'cpu', cpu: '16', memory: '64Gi', labels: { pool: 'cpu' } }, { name: 'gpu', cpu: '16', memory: '64Gi', gpus: 1, labels: { pool: 'gpu' } }] };
    const gpus = (n: number, pool: string) => doctor((c) => sparkApp(c, 'App', { spec: { executor: { gpu: { name: 'nvidia.com/gpu', quantity: n }, nodeSelector: { pool } } } }), nodes);
    expect(of(gpus(2, 'gpu'), 'pod-exceeds-node')).toHaveLength(1);
    expect(of(gpus(1, 'gpu'), 'pod-exceeds-node')).toEqual([]);
    expect(of(gpus(1, 'cpu'), 'pod-exceeds-node')).toHaveLength(1); // the only pool with GPUs is not selected
    expect(of(gpus(1, 'tpu'), 'pod-exceeds-node')[0].message).toMatch(/matches none of the declared node shapes/);
  });

  test('any workload: container requests, init containers, LimitRange defaults', () => {
    const big = doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27', resources: { requests: { cpu: '500m', memory: '9Gi' } } }), NODES);
    expect(of(big, 'pod-exceeds-node')[0]).toMatchObject({ object: 'Deployment/apps/web' });
    expect(of(big, 'pod-exceeds-node')[0].message).toMatch(/requests 500m CPU and 9Gi memory/);
    const init = doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27' }, { initContainers: [{ name: 'init', image: 'busybox:1.36', resources: { limits: { cpu: '6' } } }] }), NODES);
    expect(of(init, 'pod-exceeds-node')[0].message).toMatch(/requests 6 CPU/);
    const small = doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27', resources: { requests: { cpu: '500m', memory: '1Gi' } } }), NODES);
    expect(of(small, 'pod-exceeds-node')).toEqual([]);
  });
});

describe('job-exceeds-quota', () => {
  const build = (executors: number) => doctor((c) => {
    namespace(c, 'team');
    quota(c, 'team', { 'requests.cpu': '4', 'requests.memory': '16Gi', pods: '10' });
    sparkApp(c, 'App', { spec: { executor: { instances: executors } } });
  });

  test('driver + starting executors above the quota\'s CPU', () => {
    const f = of(build(4), 'job-exceeds-quota');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/the driver and 4 executors \(1 CPU, 1408Mi each\) need 5 CPU.*ResourceQuota team\/q: requests\.cpu 4 \(needs 5\).*Fix:/);
  });

  test('fits at 3 executors', () => {
    expect(of(build(3), 'job-exceeds-quota')).toEqual([]);
  });

  test('more pods than the quota\'s pod count', () => {
    const r = doctor((c) => {
      quota(c, 'team', { pods: '3' });
      sparkApp(c, 'App', { spec: { executor: { instances: 3 } } });
    });
    expect(of(r, 'job-exceeds-quota')[0].message).toMatch(/pods 3 \(needs 4\)/);
  });

  test('dynamic allocation starts with initialExecutors; scoped quotas are not applied', () => {
    const da = (initial: number) => doctor((c) => {
      quota(c, 'team', { 'requests.cpu': '4' });
      sparkApp(c, 'App', { spec: { dynamicAllocation: { enabled: true, initialExecutors: initial, minExecutors: 0, maxExecutors: 3 } } });
    });
    expect(of(da(4), 'job-exceeds-quota')).toHaveLength(1);
    expect(of(da(3), 'job-exceeds-quota')).toEqual([]);
    const scoped = doctor((c) => {
      new ApiObject(c, 'Q', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'team' }, spec: { hard: { 'requests.cpu': '1' }, scopes: ['BestEffort'] } });
      sparkApp(c, 'App');
    });
    expect(of(scoped, 'job-exceeds-quota')).toEqual([]);
  });
});

describe('max-executors-exceed-quota', () => {
  const build = (max: number | undefined) => doctor((c) => {
    quota(c, 'team', { pods: '10' });
    sparkApp(c, 'App', { spec: { dynamicAllocation: { enabled: true, initialExecutors: 1, minExecutors: 1, ...(max === undefined ? {} : { maxExecutors: max }) } } });
  });

  test('a warning when maxExecutors (or no bound) exceeds the quota', () => {
    expect(of(build(20), 'max-executors-exceed-quota')[0]).toMatchObject({ severity: 'warning' });
    expect(of(build(20), 'max-executors-exceed-quota')[0].message).toMatch(/at maxExecutors 20.*pods 10 \(needs 21\)/);
    expect(of(build(undefined), 'max-executors-exceed-quota')[0].message).toMatch(/sets no maxExecutors/);
  });

  test('none when the maximum fits', () => {
    expect(of(build(9), 'max-executors-exceed-quota')).toEqual([]);
  });
});

describe('image-not-pinned', () => {
  test('no tag, or latest, in a workload or a Spark application', () => {
    const r = doctor((c) => {
      deployment(c, 'Web', { image: 'nginx' });
      sparkApp(c, 'App', { spec: { image: mutable(SPARK_40) } });
    });
    const f = of(r, 'image-not-pinned');
    expect(f.map((x) => x.object).sort()).toEqual(['Deployment/apps/web', 'SparkApplication/team/app']);
    expect(f.find((x) => x.object === 'Deployment/apps/web')!.message).toMatch(/spec\.template\.spec\.containers\[0\]\.image: "nginx" has no tag.*Fix: pin/);
  });

  test('pinned by tag or digest', () => {
    const r = doctor((c) => {
      deployment(c, 'Web', { image: 'nginx:1.27' });
      deployment(c, 'Api', { image: `nginx@sha256:${'a'.repeat(64)}` });
      sparkApp(c, 'App');
    });
    expect(of(r, 'image-not-pinned')).toEqual([]);
  });
});

describe('image-pull-secret-missing', () => {
  const PRIVATE = 'registry.example.com/team/app:1.0';

  test('a private registry and no pull secret', () => {
    const f = of(doctor((c) => deployment(c, 'Web', { image: PRIVATE })), 'image-pull-secret-missing');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/comes from registry\.example\.com, a private registry, and the pod has no imagePullSecrets/);
  });

  test('the pod\'s or its ServiceAccount\'s pull secret, a node-authenticated or loopback registry', () => {
    expect(of(doctor((c) => deployment(c, 'Web', { image: PRIVATE }, { imagePullSecrets: [{ name: 'reg' }] })), 'image-pull-secret-missing')).toEqual([]);
    const viaAccount = doctor((c) => {
      new ApiObject(c, 'SA', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'apps' }, imagePullSecrets: [{ name: 'reg' }] });
      deployment(c, 'Web', { image: PRIVATE }, { serviceAccountName: 'web' });
    });
    expect(of(viaAccount, 'image-pull-secret-missing')).toEqual([]);
    expect(of(doctor((c) => deployment(c, 'Web', { image: PRIVATE }), { nodeAuthenticatedRegistries: ['registry.example.com'] }), 'image-pull-secret-missing')).toEqual([]);
    expect(of(doctor((c) => deployment(c, 'Web', { image: 'localhost:5001/app:1.0' })), 'image-pull-secret-missing')).toEqual([]);
    expect(of(doctor((c) => deployment(c, 'Web', { image: 'quay.io/team/app:1.0' })), 'image-pull-secret-missing')).toEqual([]);
  });

  test('Spark images: the application\'s pull secrets count', () => {
    const image = 'registry.example.com/spark:4.0.3';
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: { image } })), 'image-pull-secret-missing')).toHaveLength(1);
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: { image, imagePullSecrets: ['reg'] } })), 'image-pull-secret-missing')).toEqual([]);
  });
});

describe('image-digest-required', () => {
  test('a tag where digests are required', () => {
    const f = of(doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27' }), { requireDigests: true }), 'image-digest-required');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/pinned by tag only, and this environment requires digests/);
  });

  test('a digest, or digests not required', () => {
    expect(of(doctor((c) => deployment(c, 'Web', { image: `nginx:1.27@sha256:${'b'.repeat(64)}` }), { requireDigests: true }), 'image-digest-required')).toEqual([]);
    expect(of(doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27' })), 'image-digest-required')).toEqual([]);
  });
});

describe('image-version-mismatch', () => {
  test('driver and executors on different Spark lines (read from official tags)', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: { executor: { image: SPARK_35 } } })), 'image-version-mismatch');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/Spark 4\.0\.3 .* vs 3\.5\.8 .*; Scala 2\.13 .* vs 2\.12/);
  });

  test('one image for both', () => {
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: { executor: { image: SPARK_40 } } })), 'image-version-mismatch')).toEqual([]);
  });

  test('Python minors, from declared images, for Python applications only', () => {
    const a = SparkImage.custom({ image: 'registry.example.com/spark:a', sparkVersion: '4.0.3', pythonVersion: '3.10' });
    const b = SparkImage.custom({ image: 'registry.example.com/spark:b', sparkVersion: '4.0.3', pythonVersion: '3.12' });
    const build = (type: string) => doctor((c) => sparkApp(c, 'App', { spec: { type, mainApplicationFile: 'local:///a.py', image: a.image, imagePullSecrets: ['r'], executor: { image: b.image } } }), { images: [a, b] });
    expect(of(build('Python'), 'image-version-mismatch')[0].message).toMatch(/Python 3\.10 .* vs 3\.12 .*Python in worker has different version/);
    expect(of(build('Scala'), 'image-version-mismatch')).toEqual([]);
  });

  test('a client-mode driver (notebook) and its executors', () => {
    const notebook = SparkImage.custom({ image: 'quay.io/jupyter/pyspark-notebook:2026-04-01', sparkVersion: '4.0.3', pythonVersion: '3.13' });
    const f = of(doctor((c) => new TestDriver(c, 'Nb', { driverImage: notebook, executorImage: SparkImage.official() })), 'image-version-mismatch');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ path: 'c/Nb' });
    expect(f[0].message).toMatch(/the driver \(notebook\) and its executors run different versions: Python 3\.13 .* vs 3\.10/);
    expect(of(doctor((c) => new TestDriver(c, 'Nb', { driverImage: SparkImage.official() })), 'image-version-mismatch')).toEqual([]);
  });
});

/** s3a conf as the object-store connection writes it. */
const WIRED = {
  'spark.hadoop.fs.s3a.endpoint': 'http://minio.storage.svc:9000',
  'spark.hadoop.fs.s3a.aws.credentials.provider': 'software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider',
};
const KEYS_ENV = [
  { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 's3', key: 'AWS_ACCESS_KEY_ID' } } },
  { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3', key: 'AWS_SECRET_ACCESS_KEY' } } },
];
const withKeys = (role: string) => ({ template: { spec: { containers: [{ name: `spark-kubernetes-${role}`, env: KEYS_ENV }] } } });
const HADOOP_AWS = { packages: ['org.apache.hadoop:hadoop-aws:3.4.1'] };

describe('unwritable-path', () => {
  const readOnly = { readOnlyRootFilesystem: true };
  const template = (mounts: Array<{ name: string; mountPath: string }>, securityContext: Record<string, unknown> = readOnly) => ({
    spec: {
      containers: [{ name: 'spark-kubernetes-driver', securityContext, volumeMounts: mounts }],
      volumes: mounts.map((m) => ({ name: m.name, emptyDir: {} })),
    },
  });
  const tmp = { name: 'tmp', mountPath: '/tmp' };
  const workdir = { name: 'work', mountPath: '/opt/spark/work-dir' };
  const ivy = { 'spark.jars.ivy': '/tmp/.ivy2' };

  test('a read-only driver with only /tmp: the working directory of the official image', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: { sparkConf: ivy, driver: { template: template([tmp]) } } })), 'unwritable-path');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/the driver container \(spec\.driver\.template\.spec\.containers\[0\]\) writes to "\/opt\/spark\/work-dir", the working directory: the driver's spark-submit downloads.*read-only.*fails at start\. Fix: mount an emptyDir at \/opt\/spark\/work-dir/);
  });

  test('the same driver with its working directory mounted; executors likewise', () => {
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: { sparkConf: ivy, driver: { template: template([tmp, workdir]) } } })), 'unwritable-path')).toEqual([]);
    const exec = (mounts: Array<{ name: string; mountPath: string }>) => of(doctor((c) => sparkApp(c, 'App', { spec: { sparkConf: ivy, executor: { template: template(mounts) } } })), 'unwritable-path');
    expect(exec([tmp])[0].message).toMatch(/the executor container .* writes to "\/opt\/spark\/work-dir", the working directory: executors fetch every added jar/);
    expect(exec([tmp, workdir])).toEqual([]);
    // A read-only mount is no place to write.
    expect(exec([tmp, { ...workdir, readOnly: true } as never])).toHaveLength(1);
  });

  test('no spark.jars.ivy: the Ivy cache under /nonexistent fails even on a writable root', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: { driver: { template: template([tmp, workdir], {}) } } })), 'unwritable-path');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/writes to "\/nonexistent\/\.ivy2\.5\.2", the Ivy home.*\/nonexistent does not exist.*Fix: set spark\.jars\.ivy/);
    const spark35 = of(doctor((c) => sparkApp(c, 'App', { spec: { image: SPARK_35, sparkVersion: '3.5.8', driver: { template: template([tmp, workdir], {}) } } })), 'unwritable-path');
    expect(spark35[0].message).toMatch(/"\/nonexistent\/\.ivy2"/);
  });

  test('an image whose layout is unknown is not judged; a declared one is', () => {
    const custom = 'registry.example.com/team/spark:4.0.3-1';
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: { image: custom, driver: { template: template([tmp]) } } })), 'unwritable-path')).toEqual([]);
    const declared = SparkImage.custom({ image: custom, sparkVersion: '4.0.3', workingDirectory: '/app' });
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: { image: custom, sparkConf: ivy, driver: { template: template([tmp, workdir]) } } }), { images: [declared] }), 'unwritable-path');
    expect(f[0].message).toMatch(/writes to "\/app"/);
  });

  test('a client-mode driver\'s pod: its working directory and Ivy home', () => {
    const driverPod = (mounts: Array<{ name: string; mountPath: string }>, conf: Record<string, string>) => doctor((c) => {
      new TestDriver(c, 'Nb', { conf: { ...clientConf('team', SPARK_40), ...conf } });
      notebookPod(c, { securityContext: readOnly, volumeMounts: mounts }, { volumes: mounts.map((m) => ({ name: m.name, emptyDir: {} })) });
    });
    const f = of(driverPod([tmp], ivy), 'unwritable-path');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/the driver container .* writes to "\/opt\/spark\/work-dir", the working directory: spark\.sql\.warehouse\.dir defaults/);
    expect(of(driverPod([tmp, workdir], ivy), 'unwritable-path')).toEqual([]);
    expect(of(driverPod([tmp, workdir], {}), 'unwritable-path')[0].message).toMatch(/"\/nonexistent\/\.ivy2\.5\.2", the Ivy home/);
  });
});

describe('unconfined-pod', () => {
  test('seccomp Unconfined on a container, AppArmor unconfined by annotation, and in a Spark template', () => {
    const seccomp = of(doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27', securityContext: { seccompProfile: { type: 'Unconfined' } } })), 'unconfined-pod');
    expect(seccomp).toHaveLength(1);
    expect(seccomp[0]).toMatchObject({ severity: 'error', object: 'Deployment/apps/web' });
    expect(seccomp[0].message).toMatch(/spec\.template\.spec\.containers\[0\]\.securityContext\.seccompProfile\.type: Unconfined: .*restricted Pod Security level forbids.*Fix: use RuntimeDefault/);
    const apparmor = doctor((c) => new ApiObject(c, 'Job', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'apps' },
      spec: { template: { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } } },
    }));
    expect(of(apparmor, 'unconfined-pod')[0].message).toMatch(/annotation container\.apparmor\.security\.beta\.kubernetes\.io\/main: unconfined/);
    const template = of(doctor((c) => sparkApp(c, 'App', { spec: { executor: { template: { spec: { securityContext: { appArmorProfile: { type: 'Unconfined' } } } } } } })), 'unconfined-pod');
    expect(template[0].message).toMatch(/spec\.executor\.template\.securityContext\.appArmorProfile\.type: Unconfined/);
  });

  test('RuntimeDefault and Localhost profiles pass', () => {
    expect(of(doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27', securityContext: { seccompProfile: { type: 'RuntimeDefault' }, appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } } })), 'unconfined-pod')).toEqual([]);
  });
});

describe('s3a-not-wired', () => {
  test('an s3a:// argument without any s3a conf', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: { arguments: ['s3a://data/in'] } })), 's3a-not-wired');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/spec\.arguments\[0\]: "s3a:\/\/data\/in" is an s3a:\/\/ path, but the application has no s3a wiring/);
  });

  test('wired, with the keys in both pods\' environment', () => {
    const r = doctor((c) => sparkApp(c, 'App', { spec: { arguments: ['s3a://data/in'], sparkConf: WIRED, deps: HADOOP_AWS, driver: withKeys('driver'), executor: withKeys('executor') } }));
    expect(of(r, 's3a-not-wired')).toEqual([]);
  });

  test('the environment credentials provider without the keys in the executors', () => {
    const r = doctor((c) => sparkApp(c, 'App', { spec: { arguments: ['s3a://data/in'], sparkConf: WIRED, deps: HADOOP_AWS, driver: withKeys('driver') } }));
    const f = of(r, 's3a-not-wired');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/the executor pod has no AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY/);
  });
});

describe('secret-in-output: s3a keys in the conf', () => {
  const SECRET = 'wJalrXUtnFEMI-not-a-real-key';

  test('a literal key in hadoopConf, and in a ConfigMap\'s spark-defaults.conf; the value is never repeated', () => {
    const r = doctor((c) => {
      sparkApp(c, 'App', { spec: { hadoopConf: { 'fs.s3a.secret.key': SECRET } } });
      new ApiObject(c, 'Conf', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: 'team' }, data: { 'spark-defaults.conf': `spark.master k8s://x\nspark.hadoop.fs.s3a.access.key ${SECRET}\n` } });
    });
    const f = of(r, 'secret-in-output');
    expect(f.map((x) => x.object).sort()).toEqual(['ConfigMap/team/conf', 'SparkApplication/team/app']);
    expect(f.find((x) => x.object === 'SparkApplication/team/app')!.message).toMatch(/spec\.hadoopConf\["fs\.s3a\.secret\.key"\]: "fs\.s3a\.secret\.key" holds a literal value.*Fix: remove it: the object store's keys come from the Secret named by storage\.credentialsSecret/);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  test('references are not literals', () => {
    const r = doctor((c) => sparkApp(c, 'App', { spec: { hadoopConf: { 'fs.s3a.secret.key': '${env.AWS_SECRET_ACCESS_KEY}' } } }));
    expect(of(r, 'secret-in-output')).toEqual([]);
  });
});

describe('hadoop-aws-mismatch', () => {
  const app = (spec: Record<string, unknown>) => ({ arguments: ['s3a://data/in'], sparkConf: WIRED, driver: withKeys('driver'), executor: withKeys('executor'), ...spec });

  test('hadoop-aws of another Hadoop than Spark 4.0 bundles', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: app({ deps: { packages: ['org.apache.hadoop:hadoop-aws:3.3.4'] } }) })), 'hadoop-aws-mismatch');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/hadoop-aws 3\.3\.4 does not match Spark 4\.0\.3, which bundles Hadoop 3\.4\.1.*Fix: use org\.apache\.hadoop:hadoop-aws:3\.4\.1/);
  });

  test('no hadoop-aws at all on the official image', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: app({}) })), 'hadoop-aws-mismatch');
    expect(f[0].message).toMatch(/no hadoop-aws is on the classpath.*ClassNotFoundException: org\.apache\.hadoop\.fs\.s3a\.S3AFileSystem/);
  });

  test('the matching package, or an image that declares it baked in', () => {
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: app({ deps: HADOOP_AWS }) })), 'hadoop-aws-mismatch')).toEqual([]);
    const baked = SparkImage.custom({ image: 'quay.io/team/spark:4.0.3-s3a', sparkVersion: '4.0.3', jars: ['org.apache.hadoop:hadoop-aws:3.4.1', 'software.amazon.awssdk:bundle:2.24.6'] });
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: app({ image: baked.image }) }), { images: [baked] }), 'hadoop-aws-mismatch')).toEqual([]);
    const wrong = SparkImage.custom({ image: 'quay.io/team/spark:4.0.3-s3a', sparkVersion: '4.0.3', jars: ['org.apache.hadoop:hadoop-aws:3.3.4'] });
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: app({ image: wrong.image }) }), { images: [wrong] }), 'hadoop-aws-mismatch')).toHaveLength(1);
  });
});

describe('client-mode-driver-address', () => {
  test('no driver host and random ports', () => {
    const conf = clientConf('team', SparkImage.official().image);
    delete conf['spark.driver.host'];
    conf['spark.driver.port'] = '0';
    const f = of(doctor((c) => new TestDriver(c, 'Nb', { conf })), 'client-mode-driver-address');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ path: 'c/Nb' });
    expect(f[0].message).toMatch(/spark\.driver\.host is not set.*UnknownHostException.*spark\.driver\.port is not fixed/);
  });

  test('host and fixed ports set', () => {
    expect(of(doctor((c) => new TestDriver(c, 'Nb')), 'client-mode-driver-address')).toEqual([]);
  });
});

describe('driver-unreachable', () => {
  test('a default-deny namespace without the driver <-> executor allowance', () => {
    const f = of(doctor((c) => {
      denyAll(c, 'team');
      sparkApp(c, 'App');
    }), 'driver-unreachable');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/NetworkPolicies block executors -> driver on 7078 \(spark\.driver\.port\), executors -> driver on 7079 \(block manager\), driver -> executors on 7079.*DENIED/);
  });

  test('allowed between Spark pods; a namespace without policies is open', () => {
    expect(of(doctor((c) => {
      denyAll(c, 'team');
      allowSpark(c, 'team');
      sparkApp(c, 'App');
    }), 'driver-unreachable')).toEqual([]);
    expect(of(doctor((c) => sparkApp(c, 'App')), 'driver-unreachable')).toEqual([]);
  });

  test('a notebook whose policy admits the RPC port but not the block manager', () => {
    const build = (ports: number[]) => doctor((c) => {
      denyAll(c, 'team');
      netpol(c, 'team', 'driver-in', { podSelector: { matchLabels: { app: 'notebook' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { 'spark-role': 'executor' } } }], ports: ports.map((port) => ({ port })) }] });
      netpol(c, 'team', 'driver-out', { podSelector: { matchLabels: { app: 'notebook' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { 'spark-role': 'executor' } } }] }] });
      netpol(c, 'team', 'exec', { podSelector: { matchLabels: { 'spark-role': 'executor' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] });
      new TestDriver(c, 'Nb');
    });
    const f = of(build([7078]), 'driver-unreachable');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/block executors -> driver on 7079 \(block manager\)/);
    expect(f[0].message).not.toMatch(/on 7078/);
    expect(of(build([7078, 7079]), 'driver-unreachable')).toEqual([]);
  });
});

describe('spark-rbac-missing', () => {
  test('the driver account may only read pods', () => {
    const f = of(doctor((c) => {
      namespace(c, 'team');
      account(c, 'team', 'spark-driver', [{ resources: ['pods'], verbs: ['get', 'list'] }]);
      sparkApp(c, 'App');
    }), 'spark-rbac-missing');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/the driver runs as ServiceAccount team\/spark-driver: .* may not create watch delete pods; create get delete configmaps in namespace team.*403 Forbidden/);
  });

  test('upstream\'s Spark role is enough', () => {
    expect(of(doctor((c) => {
      namespace(c, 'team');
      account(c, 'team', 'spark-driver', FULL_DRIVER_RULES);
      sparkApp(c, 'App');
    }), 'spark-rbac-missing')).toEqual([]);
  });

  test('no serviceAccount: the namespace\'s default account has no rights; a missing account is named', () => {
    const r = doctor((c) => {
      namespace(c, 'team');
      sparkApp(c, 'Default', { spec: { driver: { serviceAccount: undefined } } });
      sparkApp(c, 'Ghost', { spec: { driver: { serviceAccount: 'ghost' } } });
    });
    const f = of(r, 'spark-rbac-missing');
    expect(f.find((x) => x.object === 'SparkApplication/team/default')!.message).toMatch(/ServiceAccount team\/default may not/);
    expect(f.find((x) => x.object === 'SparkApplication/team/ghost')!.message).toMatch(/ServiceAccount team\/ghost is not among the manifests/);
  });

  test('a client-mode driver, and namespaces the tree does not declare are not judged', () => {
    const nb = (rules: typeof FULL_DRIVER_RULES) => doctor((c) => {
      namespace(c, 'team');
      account(c, 'team', 'nb', rules);
      new TestDriver(c, 'Nb');
    });
    expect(of(nb([{ resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] }]), 'spark-rbac-missing')[0].message).toMatch(/may not create get delete configmaps/);
    expect(of(nb(FULL_DRIVER_RULES), 'spark-rbac-missing')).toEqual([]);
    expect(of(doctor((c) => sparkApp(c, 'App', { namespace: 'elsewhere' })), 'spark-rbac-missing')).toEqual([]);
  });
});

describe('namespace-not-watched', () => {
  const build = (ns: string) => doctor((c) => {
    new SparkOperator(c, 'Op', { jobNamespaces: [SparkNamespace.fromName('team-a')] });
    sparkApp(c, 'App', { namespace: ns });
  });

  test('an application in a namespace the operator does not watch', () => {
    const f = of(build('team-b'), 'namespace-not-watched');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/namespace team-b is not watched by any Kubeflow spark-operator controller \(Deployment spark-operator\/spark-operator-controller watches team-a \(--namespaces=team-a\)\)/);
  });

  test('a watched namespace; no operator in the tree', () => {
    expect(of(build('team-a'), 'namespace-not-watched')).toEqual([]);
    expect(of(doctor((c) => sparkApp(c, 'App', { namespace: 'team-b' })), 'namespace-not-watched')).toEqual([]);
  });
});

describe('service-links-enabled', () => {
  const off = { template: { spec: { enableServiceLinks: false } } };
  const build = (apps: number, spec: Record<string, unknown> = {}) => doctor((c) => {
    for (let i = 0; i < apps; i++) sparkApp(c, `App${i}`, { spec });
    deployment(c, 'Web', { image: 'nginx:1.27' }, {}, 'team');
  }, { serviceLinksAppThreshold: 2 });

  test('many applications whose pods keep service links on', () => {
    const f = of(build(2), 'service-links-enabled');
    expect(f.map((x) => x.object).sort()).toEqual(['Deployment/team/web', 'SparkApplication/team/app0', 'SparkApplication/team/app1']);
    expect(f[0].severity).toBe('warning');
    expect(f.find((x) => x.object === 'SparkApplication/team/app0')!.message).toMatch(/2 Spark applications run in namespace team.*driver and executor pods keep service links on.*argument list too long/);
  });

  test('templates that turn them off (the workload still warns), or few applications', () => {
    expect(of(build(2, { driver: off, executor: off }), 'service-links-enabled').map((x) => x.object)).toEqual(['Deployment/team/web']);
    expect(of(build(1), 'service-links-enabled')).toEqual([]);
  });
});

describe('no-ttl', () => {
  test('an application without timeToLiveSeconds', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: { timeToLiveSeconds: undefined } })), 'no-ttl');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning' });
    expect(f[0].message).toMatch(/spec\.timeToLiveSeconds is not set/);
  });

  test('with one; scheduled applications are pruned by their history limits', () => {
    expect(of(doctor((c) => sparkApp(c, 'App')), 'no-ttl')).toEqual([]);
    expect(of(doctor((c) => sparkApp(c, 'App', { kind: 'ScheduledSparkApplication', spec: { timeToLiveSeconds: undefined } })), 'no-ttl')).toEqual([]);
  });
});

describe('dynamic-allocation-no-shuffle', () => {
  const build = (da: Record<string, unknown>, spec: Record<string, unknown> = {}) => doctor((c) => sparkApp(c, 'App', { spec: { dynamicAllocation: { enabled: true, minExecutors: 0, maxExecutors: 4, ...da }, ...spec } }));

  test('shuffle tracking turned off, no shuffle service', () => {
    const f = of(build({ shuffleTrackingEnabled: false }), 'dynamic-allocation-no-shuffle');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/shuffle tracking is turned off.*Dynamic allocation of executors requires/);
  });

  test('before Spark 3.4 tracking is off by default', () => {
    expect(of(build({}, { image: 'docker.io/apache/spark:3.3.2', sparkVersion: '3.3.2' }), 'dynamic-allocation-no-shuffle')[0].message).toMatch(/off by default before Spark 3\.4 \(this is 3\.3\.2\)/);
  });

  test('tracking on (explicitly or by default), or a shuffle service', () => {
    expect(of(build({ shuffleTrackingEnabled: true }), 'dynamic-allocation-no-shuffle')).toEqual([]);
    expect(of(build({}), 'dynamic-allocation-no-shuffle')).toEqual([]);
    expect(of(build({ shuffleTrackingEnabled: false }, { sparkConf: { 'spark.shuffle.service.enabled': 'true' } }), 'dynamic-allocation-no-shuffle')).toEqual([]);
  });
});

describe('dynamic-allocation-bounds', () => {
  test('minExecutors above maxExecutors', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: { dynamicAllocation: { enabled: true, minExecutors: 5, maxExecutors: 2 } } })), 'dynamic-allocation-bounds');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/minExecutors 5 above maxExecutors 2/);
  });

  test('min <= max; in submit-mode conf too', () => {
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: { dynamicAllocation: { enabled: true, minExecutors: 2, maxExecutors: 5 } } })), 'dynamic-allocation-bounds')).toEqual([]);
    const conf = (min: number) => doctor((c) => sparkApp(c, 'App', { spec: { sparkConf: { 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.minExecutors': String(min), 'spark.dynamicAllocation.maxExecutors': '3' } } }));
    expect(of(conf(4), 'dynamic-allocation-bounds')).toHaveLength(1);
    expect(of(conf(3), 'dynamic-allocation-bounds')).toEqual([]);
  });
});

describe('secret-with-data', () => {
  test('a Secret with stringData', () => {
    const f = of(doctor((c) => new ApiObject(c, 'S', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team' }, stringData: { password: 'x' } })), 'secret-with-data');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ object: 'Secret/team/s' });
    expect(f[0].message).toMatch(/carries stringData, which lands in Git/);
  });

  test('a SealedSecret, or a Secret without data', () => {
    const r = doctor((c) => {
      new ApiObject(c, 'S', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team' }, type: 'Opaque' });
      new ApiObject(c, 'Sealed', { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 's', namespace: 'team' }, spec: { encryptedData: { password: 'AgB'.padEnd(60, 'x') } } });
    });
    expect(of(r, 'secret-with-data')).toEqual([]);
  });
});

describe('secret-in-output', () => {
  test('a literal password in env and an access key id in a ConfigMap; values never repeated', () => {
    const key = `AKIA${'ABCDEFGHIJKLMNOP'}`;
    const r = doctor((c) => {
      deployment(c, 'Web', { image: 'nginx:1.27', env: [{ name: 'DB_PASSWORD', value: 'hunter22' }] });
      new ApiObject(c, 'Conf', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: 'apps' }, data: { 'creds.txt': key } });
    });
    const f = of(r, 'secret-in-output');
    expect(f.map((x) => x.message)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^spec\.template\.spec\.containers\[0\]\.env\[0\]\.value: env DB_PASSWORD holds a literal value/),
      expect.stringMatching(/^data\["creds\.txt"\]: an AWS access key id/),
    ]));
    expect(JSON.stringify(r)).not.toMatch(/hunter22|AKIAABCD/);
  });

  test('secretKeyRef and placeholders are references', () => {
    const r = doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27', env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }, { name: 'API_TOKEN', value: '$(TOKEN_FROM_FILE)' }] }));
    expect(of(r, 'secret-in-output')).toEqual([]);
  });
});
