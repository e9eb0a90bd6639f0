/**
 * The doctor's gaps: quota contention between jobs, Python interpreters that differ between
 * driver and executors, hadoop-aws without its SDK, s3:// paths, driver egress to the API server,
 * Services counted for service links, and pod-security loopholes. Each rule: a tree that triggers
 * it, and the nearest tree that must not.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkDoctorConfig } from '../../constructs/doctor';
import { NetworkEndpoint } from '../../constructs/network';
import { SparkImage } from '../../constructs/spark-image';
import { SparkNamespace } from '../../constructs/tenancy';
import { SPARK_LINES } from '../../constructs/versions';
import { SPARK_40, TestDriver, allowSpark, clientConf, denyAll, deployment, doctor, namespace, notebookPod, of, quota, sparkApp } from './fixtures';

type J = Record<string, unknown>;

/** s3a conf and keys as the object-store connection writes them (so only the rule under test speaks). */
const WIRED = {
  'spark.hadoop.fs.s3a.endpoint': 'http://minio.storage.svc:9000',
  'spark.hadoop.fs.s3a.aws.credentials.provider': 'software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider',
};
const PY = { type: 'Python', mainClass: undefined, mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py' };

/** A Job that runs spark-submit against Kubernetes (submit mode, made by hand). */
function submitJob(chart: Construct, id: string, args: string[], pod: J = {}, ns = 'team'): ApiObject {
  return new ApiObject(chart, id, {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: id.toLowerCase(), namespace: ns },
    spec: {
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels: { app: 'submit' } },
        spec: {
          restartPolicy: 'Never', serviceAccountName: 'spark-driver',
          containers: [{ name: 'submit', image: SPARK_40, command: ['/opt/spark/bin/spark-submit'], args: ['--master', 'k8s://https://kubernetes.default.svc', '--deploy-mode', 'cluster', '--conf', `spark.kubernetes.namespace=${ns}`, ...args] }],
          ...pod,
        },
      },
    },
  });
}

describe('jobs-exceed-quota-together', () => {
  const build = (apps: Array<{ id: string; spec?: J; kind?: 'ScheduledSparkApplication' }>, hard: Record<string, string> = { 'requests.cpu': '8' }) => doctor((c) => {
    namespace(c, 'team');
    quota(c, 'team', hard);
    for (const a of apps) sparkApp(c, a.id, { spec: a.spec, kind: a.kind });
  });

  test('three jobs of 3 CPU each fit a quota of 8 alone, not together: one warning on the quota with the sum', () => {
    const f = of(build([{ id: 'A' }, { id: 'B' }, { id: 'C', kind: 'ScheduledSparkApplication' }]), 'jobs-exceed-quota-together');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', object: 'ResourceQuota/team/q' });
    expect(f[0].message).toMatch(/^3 Spark applications in namespace team need 9 CPU, 12672Mi memory and 9 pods together \(SparkApplication team\/a: 3 CPU.*ScheduledSparkApplication team\/c: 3 CPU.*\); ResourceQuota team\/q allows requests\.cpu 8 \(needs 9\)\. Each fits alone, so they run one after another.*Pending\. Fix:/);
  });

  test('dynamic allocation counts at maxExecutors: 1 + 5 executors and a 3-CPU job exceed 8 though both start small', () => {
    const da = { dynamicAllocation: { enabled: true, initialExecutors: 1, minExecutors: 1, maxExecutors: 5 } };
    const f = of(build([{ id: 'A', spec: da }, { id: 'B' }]), 'jobs-exceed-quota-together');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/SparkApplication team\/a: 6 CPU, 8448Mi, 6 pods at maxExecutors 5.*requests\.cpu 8 \(needs 9\)/);
  });

  test('the pod count of the quota too', () => {
    expect(of(build([{ id: 'A' }, { id: 'B' }], { pods: '5' }), 'jobs-exceed-quota-together')[0].message).toMatch(/allows pods 5 \(needs 6\)/);
  });

  test.each([
    ['two jobs that fit together', [{ id: 'A' }, { id: 'B' }]],
    ['one job too large alone (job-exceeds-quota\'s) beside one that fits', [{ id: 'A', spec: { executor: { instances: 9 } } }, { id: 'B' }]],
    ['a single job', [{ id: 'A', spec: { executor: { instances: 6 } } }]],
  ])('quiet: %s', (_, apps) => {
    expect(of(build(apps), 'jobs-exceed-quota-together')).toEqual([]);
  });

  test('no quota in the namespace: nothing to exceed', () => {
    expect(of(doctor((c) => ['A', 'B', 'C', 'D'].forEach((id) => sparkApp(c, id, { spec: { executor: { instances: 20 } } }))), 'jobs-exceed-quota-together')).toEqual([]);
  });
});

describe('pyspark-python-mismatch', () => {
  const operator = (spec: J) => of(doctor((c) => sparkApp(c, 'App', { spec: { ...PY, ...spec } })), 'pyspark-python-mismatch');

  test('spark.pyspark.driver.python differs from spark.pyspark.python (operator sparkConf)', () => {
    const f = operator({ sparkConf: { 'spark.pyspark.driver.python': '/opt/venv/bin/python', 'spark.pyspark.python': '/usr/bin/python3' } });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/the driver runs "\/opt\/venv\/bin\/python" \(spec\.sparkConf\["spark\.pyspark\.driver\.python"\]\) but executors start their Python workers with "\/usr\/bin\/python3" \(spec\.sparkConf\["spark\.pyspark\.python"\]\).*Python in worker has different version than that in driver.*Fix: set spark\.pyspark\.python/);
  });

  test('a driver-only interpreter with nothing for the workers: they start the default python3', () => {
    expect(operator({ sparkConf: { 'spark.pyspark.driver.python': '/opt/venv/bin/python' } })[0].message).toMatch(/workers with "python3" \(the default/);
  });

  test('typed env of the operator: driver envVars vs executor env', () => {
    const f = operator({ driver: { envVars: { PYSPARK_PYTHON: '/opt/a/bin/python' } }, executor: { env: [{ name: 'PYSPARK_PYTHON', value: '/opt/b/bin/python' }] } });
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/the executors are given PYSPARK_PYTHON "\/opt\/b\/bin\/python" \(spec\.executor\.env\[0\] PYSPARK_PYTHON\) while the driver runs "\/opt\/a\/bin\/python" \(spec\.driver\.envVars\["PYSPARK_PYTHON"\] PYSPARK_PYTHON\)/);
  });

  test('submit mode: driverEnv vs spark.executorEnv in --conf', () => {
    const f = of(doctor((c) => submitJob(c, 'Submit', [
      '--conf', 'spark.kubernetes.driverEnv.PYSPARK_PYTHON=/opt/a/bin/python', '--conf', 'spark.executorEnv.PYSPARK_PYTHON=/opt/b/bin/python', 'local:///app/main.py',
    ])), 'pyspark-python-mismatch');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ object: 'Job/team/submit' });
    expect(f[0].message).toMatch(/PYSPARK_PYTHON "\/opt\/b\/bin\/python" \(.*--conf spark\.executorEnv\.PYSPARK_PYTHON.*\) while the driver runs "\/opt\/a\/bin\/python"/);
  });

  test('client mode: the notebook pod\'s PYSPARK_PYTHON vs the executors\'', () => {
    const build = (executorPython: string) => doctor((c) => {
      new TestDriver(c, 'Nb', { conf: { ...clientConf('team', SPARK_40), 'spark.executorEnv.PYSPARK_PYTHON': executorPython } });
      notebookPod(c, { env: [{ name: 'PYSPARK_PYTHON', value: '/opt/conda/bin/python' }] });
    });
    const f = of(build('/usr/bin/python3'), 'pyspark-python-mismatch');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ path: 'c/Nb' });
    expect(f[0].message).toMatch(/executors are given PYSPARK_PYTHON "\/usr\/bin\/python3" .* while the driver runs "\/opt\/conda\/bin\/python" \(StatefulSet team\/nb spec\.template\.spec\.containers\[0\]\.env\[0\] PYSPARK_PYTHON\)/);
    expect(of(build('/opt/conda/bin/python'), 'pyspark-python-mismatch')).toEqual([]);
  });

  test.each([
    ['only spark.pyspark.python (it covers both)', { sparkConf: { 'spark.pyspark.python': '/opt/venv/bin/python' } }],
    ['the same interpreter on every side', { sparkConf: { 'spark.pyspark.driver.python': '/opt/venv/bin/python', 'spark.pyspark.python': '/opt/venv/bin/python', 'spark.executorEnv.PYSPARK_PYTHON': '/opt/venv/bin/python' } }],
    ['nothing set: both start the image\'s python3', {}],
    ['a valueFrom value is unknown, not compared', { driver: { env: [{ name: 'PYSPARK_PYTHON', valueFrom: { configMapKeyRef: { name: 'py', key: 'p' } } }] }, executor: { envVars: { PYSPARK_PYTHON: 'python3' } } }],
  ])('quiet: %s', (_, spec) => {
    expect(operator(spec)).toEqual([]);
  });

  test('quiet for a Scala application, whatever its conf says', () => {
    const conf = { sparkConf: { 'spark.pyspark.driver.python': '/a', 'spark.pyspark.python': '/b' } };
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: conf })), 'pyspark-python-mismatch')).toEqual([]);
  });
});

describe('aws-sdk-bundle-missing', () => {
  const line = SPARK_LINES['4.0'];
  const s3a = (spec: J) => ({ arguments: ['s3a://data/in'], ...spec, sparkConf: { ...WIRED, ...(spec.sparkConf as J | undefined) } });
  const run = (spec: J, images: SparkImage[] = []) => of(doctor((c) => sparkApp(c, 'App', { spec: s3a(spec) }), { images }), 'aws-sdk-bundle-missing');
  const jar = (name: string) => `local:///opt/spark/extra/${name}`;

  test('a hadoop-aws jar alone: plain jars bring no dependencies', () => {
    const f = run({ deps: { jars: [jar(`hadoop-aws-${line.hadoopAws}.jar`)] } });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/hadoop-aws 3\.4\.1 needs software\.amazon\.awssdk:bundle, but jar .*hadoop-aws-3\.4\.1\.jar is a plain jar.*first s3a access \(spec\.arguments\[0\]: "s3a:\/\/data\/in"\) fails with ClassNotFoundException.*software\.amazon\.awssdk.*Fix: add software\.amazon\.awssdk:bundle:2\.24\.6/);
  });

  test('an image that declares hadoop-aws but not the bundle', () => {
    const img = SparkImage.custom({ image: 'quay.io/team/spark:4.0.3-s3a', sparkVersion: '4.0.3', jars: [`org.apache.hadoop:hadoop-aws:${line.hadoopAws}`] });
    const f = run({ image: img.image }, [img]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/^hadoop-aws 3\.4\.1 needs software\.amazon\.awssdk:bundle, but the driver and executor image quay\.io\/team\/spark:4\.0\.3-s3a declares hadoop-aws in its jars, not the SDK/);
  });

  test('--packages with the bundle excluded by spark.jars.excludes', () => {
    const f = run({ deps: { packages: [`org.apache.hadoop:hadoop-aws:${line.hadoopAws}`] }, sparkConf: { 'spark.jars.excludes': 'software.amazon.awssdk:bundle' } });
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/spark\.jars\.excludes .* drops software\.amazon\.awssdk:bundle, which package org\.apache\.hadoop:hadoop-aws:3\.4\.1 would bring/);
  });

  test('the other Hadoop line\'s SDK (v1 bundle with a 3.4 hadoop-aws) is named', () => {
    const f = run({ deps: { jars: [jar('hadoop-aws-3.4.1.jar'), jar('aws-java-sdk-bundle-1.12.262.jar')] } });
    expect(f[0].message).toMatch(/needs software\.amazon\.awssdk:bundle \(com\.amazonaws:aws-java-sdk-bundle is there, the SDK of the other Hadoop line\)/);
    const v1 = run({ image: SPARK_LINES['3.5'].image, sparkVersion: '3.5.8', deps: { jars: [jar('hadoop-aws-3.3.4.jar')] } });
    expect(v1[0].message).toMatch(/hadoop-aws 3\.3\.4 needs com\.amazonaws:aws-java-sdk-bundle.*Fix: add com\.amazonaws:aws-java-sdk-bundle:1\.12\.262/);
  });

  test.each([
    ['--packages resolves the bundle with hadoop-aws', { deps: { packages: [`org.apache.hadoop:hadoop-aws:${line.hadoopAws}`] } }],
    ['a jar of the bundle beside the hadoop-aws jar', { deps: { jars: [jar('hadoop-aws-3.4.1.jar'), jar('bundle-2.24.6.jar')] } }],
    ['a bundle package beside the hadoop-aws jar', { deps: { jars: [jar('hadoop-aws-3.4.1.jar')], packages: [line.awsSdkBundle] } }],
    ['excludes that leave the bundle alone', { deps: { packages: [`org.apache.hadoop:hadoop-aws:${line.hadoopAws}`] }, sparkConf: { 'spark.jars.excludes': 'com.google.guava:guava' } }],
  ])('quiet: %s', (_, spec) => {
    expect(run(spec)).toEqual([]);
  });

  test('quiet: an image that declares both; a job that does not use S3A', () => {
    const img = SparkImage.custom({ image: 'quay.io/team/spark:4.0.3-s3a', sparkVersion: '4.0.3', jars: [`org.apache.hadoop:hadoop-aws:${line.hadoopAws}`, line.awsSdkBundle] });
    expect(run({ image: img.image }, [img])).toEqual([]);
    expect(of(doctor((c) => sparkApp(c, 'App', { spec: { deps: { jars: [jar('hadoop-aws-3.4.1.jar')] } } })), 'aws-sdk-bundle-missing')).toEqual([]);
  });
});

describe('s3-scheme-not-s3a', () => {
  test('s3:// in an argument and s3n:// as the event log directory', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: { arguments: ['s3://data/in'], sparkConf: { 'spark.eventLog.dir': 's3n://logs/events' } } })), 's3-scheme-not-s3a');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/^spec\.arguments\[0\]: "s3:\/\/data\/in"; spec\.sparkConf\["spark\.eventLog\.dir"\]: "s3n:\/\/logs\/events": Hadoop maps no FileSystem to s3:\/\/ or s3n:\/\/.*"No FileSystem for scheme "s3"".*Fix: write s3a:\/\/ instead/);
  });

  test('submit mode: the main file and a --conf value', () => {
    const f = of(doctor((c) => submitJob(c, 'Submit', ['--conf', 'spark.sql.warehouse.dir=s3://wh/', 's3://code/main.py'])), 's3-scheme-not-s3a');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/\(application\): "s3:\/\/code\/main\.py".*\(--conf spark\.sql\.warehouse\.dir\): "s3:\/\/wh\/"/);
  });

  test.each([
    ['s3a:// paths', { arguments: ['s3a://data/in'], sparkConf: { 'spark.eventLog.dir': 's3a://logs/events' } }],
    ['s3:// mapped to S3A on purpose', { arguments: ['s3://data/in'], hadoopConf: { 'fs.s3.impl': 'org.apache.hadoop.fs.s3a.S3AFileSystem' } }],
    ['a word that only contains s3', { arguments: ['bucket-s3://x', 'results3'] }],
  ])('quiet: %s', (_, spec) => {
    expect(of(doctor((c) => sparkApp(c, 'App', { spec })), 's3-scheme-not-s3a')).toEqual([]);
  });
});

describe('driver-api-egress-blocked', () => {
  const tenant = (c: Construct, ports?: number[]) => new SparkNamespace(c, 'Team', { name: 'team', apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.0/28'], ports) });

  test('a hand-made default-deny namespace that admits Spark pods but not the API server (addresses from the doctor options)', () => {
    const f = of(doctor((c) => {
      denyAll(c, 'team');
      allowSpark(c, 'team');
      sparkApp(c, 'App');
    }, { apiServer: { addresses: ['10.0.0.2'], port: 6443 } }), 'driver-api-egress-blocked');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/NetworkPolicies of namespace team block the driver \(it creates and watches the executors\), pod labels .*"spark-role":"driver".* from reaching the API server at 10\.0\.0\.2:6443 \(doctor\.apiServer\.addresses; doctor\.apiServer\.port\).*DENIED.*no executor is ever created\. Fix:/);
  });

  test('a tenant that admits 443 only, on a cluster whose endpoints listen on 6443', () => {
    const f = of(doctor((c) => {
      tenant(c, [443]);
      sparkApp(c, 'App');
    }, { apiServer: { port: 6443 } }), 'driver-api-egress-blocked');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/at 10\.0\.0\.0:6443 \(network\.apiServerCidrs 10\.0\.0\.0\/28; doctor\.apiServer\.port\)/);
  });

  test('submit mode: a spark-submit pod no egress policy selects', () => {
    const f = of(doctor((c) => {
      tenant(c);
      submitJob(c, 'Submit', ['--class', 'x.Main', 'local:///app.jar']);
    }), 'driver-api-egress-blocked');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/block the spark-submit pod \(it creates the driver\), pod labels \{"app":"submit"\}.*10\.0\.0\.0:443 .*10\.0\.0\.0:6443/);
    expect(f[0].message).not.toMatch(/block the driver/);
  });

  test.each([
    ['the tenant\'s own policy with both ports', (c: Construct) => tenant(c), {}],
    ['443 only, confirmed as the endpoints\' port', (c: Construct) => tenant(c, [443]), { apiServer: { port: 443 } }],
    ['a namespace without NetworkPolicies is open', () => undefined, { apiServer: { addresses: ['10.0.0.2'], port: 6443 } }],
    ['a hand-made namespace whose API server the doctor is not told', (c: Construct) => { denyAll(c, 'team'); allowSpark(c, 'team'); }, {}],
  ])('quiet: %s', (_, build, options) => {
    expect(of(doctor((c) => {
      build(c);
      sparkApp(c, 'App');
    }, options), 'driver-api-egress-blocked')).toEqual([]);
  });
});

describe('api-server-port-unconfirmed', () => {
  const build = (ports: number[] | undefined, options = {}) => doctor((c) => {
    new SparkNamespace(c, 'Team', { name: 'team', apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.0/28'], ports) });
  }, options);

  test('network.apiServerPorts [443]: a warning on the Namespace explaining DNAT', () => {
    const f = of(build([443]), 'api-server-port-unconfirmed');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', object: 'Namespace/team' });
    expect(f[0].message).toMatch(/namespace team admits API server egress on port 443 only \(network\.apiServerPorts\).*after kube-proxy's DNAT.*6443 on kubeadm-made clusters.*Fix: .*add 6443 to network\.apiServerPorts.*doctor\.apiServer\.port: 443/);
  });

  test.each([
    ['the default ports (443 and 6443)', undefined, {}],
    ['6443 only', [6443], {}],
    ['443 confirmed by doctor.apiServer.port', [443], { apiServer: { port: 443 } }],
  ])('quiet: %s', (_, ports, options) => {
    expect(of(build(ports, options), 'api-server-port-unconfirmed')).toEqual([]);
  });

  test('a suppression accepts it with its reason', () => {
    const r = build([443], { suppressions: [{ rule: 'api-server-port-unconfirmed', path: 'Namespace/team', reason: 'EKS: endpoints listen on 443' }] });
    expect(r.warnings).toEqual([]);
    expect(of(r, 'api-server-port-unconfirmed')[0].suppressed).toBe('EKS: endpoints listen on 443');
  });
});

describe('service-links-enabled counts Services, not applications', () => {
  const service = (c: Construct, name: string, ns = 'team') => new ApiObject(c, `svc-${ns}-${name}`, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ port: 80 }] } });

  test('one application (one driver Service) and two rendered Services reach a threshold of 3', () => {
    const f = of(doctor((c) => {
      service(c, 'a');
      service(c, 'b');
      sparkApp(c, 'App');
    }, { serviceLinksServiceThreshold: 3 }), 'service-links-enabled');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/namespace team will hold 3 Services \(2 rendered \+ 1 driver Services Spark creates at run time; 1 Spark applications run in namespace team\), at or above the threshold of 3 .*driver and executor pods keep service links on/);
  });

  test('a namespace of plain workloads and many Services warns its pods too', () => {
    const f = of(doctor((c) => {
      ['a', 'b', 'c'].forEach((n) => service(c, n, 'apps'));
      deployment(c, 'Web', { image: 'nginx:1.27' });
    }, { serviceLinksServiceThreshold: 3 }), 'service-links-enabled');
    expect(f.map((x) => x.object)).toEqual(['Deployment/apps/web']);
    expect(f[0].message).toMatch(/3 Services \(3 rendered \+ 0 driver.*Fix: set enableServiceLinks: false in its pod spec \(spec\.template\.spec\.enableServiceLinks\)/);
  });

  test.each([
    ['a client-mode driver has no driver Service', (c: Construct) => { service(c, 'a'); service(c, 'b'); new TestDriver(c, 'Nb'); }],
    ['Services of another namespace do not count', (c: Construct) => { service(c, 'a', 'other'); service(c, 'b', 'other'); sparkApp(c, 'App'); }],
  ])('quiet: %s', (_, build) => {
    expect(of(doctor(build, { serviceLinksServiceThreshold: 3 }), 'service-links-enabled')).toEqual([]);
  });

  test('the older serviceLinksAppThreshold still sets the threshold; a bad value names its field', () => {
    expect(of(doctor((c) => { service(c, 'a'); sparkApp(c, 'App'); }, { serviceLinksAppThreshold: 2 }), 'service-links-enabled')).toHaveLength(1);
    expect(() => checkDoctorConfig({ serviceLinksServiceThreshold: 0 }, 'doctor')).toThrow(/doctor\.serviceLinksServiceThreshold: 0 is not a whole number >= 1\. Fix:/);
  });
});

describe('unconfined-pod: annotations and Spark pods', () => {
  const annotated = (annotations: Record<string, string>) => doctor((c) => new ApiObject(c, 'Web', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' }, annotations }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } },
    },
  }));

  test.each([
    ['the pod seccomp annotation', { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }, /^spec\.template\.metadata annotation seccomp\.security\.alpha\.kubernetes\.io\/pod: unconfined: the pod runs without.*Fix: use RuntimeDefault/],
    ['a container seccomp annotation', { 'container.seccomp.security.alpha.kubernetes.io/main': 'unconfined' }, /annotation container\.seccomp\.security\.alpha\.kubernetes\.io\/main: unconfined/],
  ])('a workload with %s', (_, annotations, message) => {
    const f = of(annotated(annotations), 'unconfined-pod');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'Deployment/apps/web' });
    expect(f[0].message).toMatch(message);
  });

  test('quiet: a workload with runtime/default seccomp by annotation', () => {
    expect(of(annotated({ 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' }), 'unconfined-pod')).toEqual([]);
  });

  test('AppArmor unconfined through Spark conf annotations and the operator\'s typed annotations', () => {
    const conf = of(doctor((c) => sparkApp(c, 'App', { spec: { sparkConf: { 'spark.kubernetes.executor.annotation.container.apparmor.security.beta.kubernetes.io/spark-kubernetes-executor': 'unconfined' } } })), 'unconfined-pod');
    expect(conf).toHaveLength(1);
    expect(conf[0].message).toMatch(/spec\.sparkConf\["spark\.kubernetes\.executor\.annotation\.container\.apparmor.*"\] annotation container\.apparmor\.security\.beta\.kubernetes\.io\/spark-kubernetes-executor: unconfined: the executor pods run without/);
    const typed = of(doctor((c) => sparkApp(c, 'App', { spec: { driver: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } } } })), 'unconfined-pod');
    expect(typed[0].message).toMatch(/spec\.driver\.annotations annotation seccomp\.security\.alpha\.kubernetes\.io\/pod: unconfined: the driver pods/);
    const templ = of(doctor((c) => sparkApp(c, 'App', { spec: { executor: { template: { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/x': 'unconfined' } } } } } })), 'unconfined-pod');
    expect(templ[0].message).toMatch(/spec\.executor\.template\.metadata\.annotations annotation container\.apparmor/);
  });

  test('quiet: runtime/default and localhost profiles by annotation; an unrelated annotation saying unconfined', () => {
    const r = doctor((c) => sparkApp(c, 'App', { spec: { driver: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default', 'container.apparmor.security.beta.kubernetes.io/spark-kubernetes-driver': 'localhost/spark', 'example.com/mode': 'unconfined' } } } }));
    expect(of(r, 'unconfined-pod')).toEqual([]);
  });
});

describe('tolerates-everything', () => {
  test('a workload that tolerates every taint, and a Spark executor every NoExecute one', () => {
    const r = doctor((c) => {
      deployment(c, 'Web', { image: 'nginx:1.27' }, { tolerations: [{ operator: 'Exists' }] });
      sparkApp(c, 'App', { spec: { executor: { tolerations: [{ operator: 'Exists', effect: 'NoExecute' }] } } });
    });
    const f = of(r, 'tolerates-everything');
    expect(f.map((x) => x.object).sort()).toEqual(['Deployment/apps/web', 'SparkApplication/team/app']);
    expect(f[0].severity).toBe('error');
    expect(f.find((x) => x.object === 'Deployment/apps/web')!.message).toMatch(/^spec\.template\.spec\.tolerations\[0\] \(operator: Exists, no key, no effect: every taint\): the pod tolerates every taint.*control-plane nodes.*never evicted from a dead node.*Fix: name the taint/);
    expect(f.find((x) => x.object === 'SparkApplication/team/app')!.message).toMatch(/^spec\.executor\.tolerations\[0\] \(operator: Exists, no key, effect NoExecute: every NoExecute taint\): the executor pods tolerate/);
  });

  test('a Spark pod template\'s toleration', () => {
    const f = of(doctor((c) => sparkApp(c, 'App', { spec: { driver: { template: { spec: { tolerations: [{ key: '', operator: 'Exists' }] } } } } })), 'tolerates-everything');
    expect(f[0].message).toMatch(/^spec\.driver\.template\.spec\.tolerations\[0\]/);
  });

  test('quiet: a DaemonSet (it runs on every node by design), and keyed tolerations', () => {
    const r = doctor((c) => {
      new ApiObject(c, 'Agent', {
        apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' },
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { tolerations: [{ operator: 'Exists' }], containers: [{ name: 'a', image: 'busybox:1.36' }] } } },
      });
      deployment(c, 'Web', { image: 'nginx:1.27' }, { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] });
    });
    expect(of(r, 'tolerates-everything')).toEqual([]);
  });
});

describe('doctor.apiServer options', () => {
  test.each([
    [{ apiServer: { addresses: ['10.0.0.0/28'] } }, /doctor\.apiServer\.addresses\[0\]: "10\.0\.0\.0\/28" is not an IP address\. Fix:/],
    [{ apiServer: { port: 70000 } }, /doctor\.apiServer\.port: 70000 is not a port number\. Fix:/],
    [{ apiServer: { ports: [443] } }, /doctor\.apiServer\.ports: is not a known field\. Fix: use addresses, port/],
  ])('%j is refused, naming the field', (options, message) => {
    expect(() => checkDoctorConfig(options, 'doctor')).toThrow(message);
  });

  test('addresses and a port pass', () => {
    expect(() => checkDoctorConfig({ apiServer: { addresses: ['10.0.0.2', 'fd00::1'], port: 6443 } }, 'doctor')).not.toThrow();
  });
});
