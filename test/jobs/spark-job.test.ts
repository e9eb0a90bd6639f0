import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  ConcurrencyPolicy, Cpu, ISparkJobNamespace, ManifestValidator, Memory, RestartPolicy, SparkEnvValue, SparkImage, SparkJob,
  SparkJobMode, SparkJobProps, SparkJobType, SparkNamespace, SparkNamespaceProps, SparkOperator, SparkOperatorCrds, WebhookCertificate,
  NetworkEndpoint, formatIssues,
} from '../../constructs';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator } from '../helpers/netpol';
import { RbacEvaluator } from '../helpers/rbac';
import { SPARK_PI_JOB } from '../helpers/jobs';

const SPARK_PI: Omit<SparkJobProps, 'namespace'> = { ...SPARK_PI_JOB, arguments: ['1000'] };

const PYSPARK: Omit<SparkJobProps, 'namespace'> = {
  name: 'word-count',
  type: SparkJobType.PYTHON,
  mainApplicationFile: 'local:///opt/spark/examples/src/main/python/wordcount.py',
  arguments: ['local:///opt/spark/README.md'],
  driver: { memory: Memory.mebibytes(512) },
  executor: { instances: 3, cores: 2, memory: Memory.gibibytes(2), env: { PYTHONHASHSEED: SparkEnvValue.fromValue('0') } },
};

interface Built { chart: Chart; tenant: SparkNamespace; operator: SparkOperator; objects: Obj[]; job: SparkJob }

/** A tenant, an operator watching it, the CRDs (so SparkApplications validate) and one job. */
function build(props: Omit<SparkJobProps, 'namespace'>, tenantProps: Partial<SparkNamespaceProps> = {}, operatorProps: { webhook?: boolean } = {}): Built {
  const chart = testChart();
  new SparkOperatorCrds(chart, 'Crds');
  const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs', ...tenantProps });
  const operator = new SparkOperator(chart, 'Operator', {
    jobNamespaces: [tenant],
    webhook: operatorProps.webhook ? { certificate: WebhookCertificate.selfSigned() } : undefined,
  });
  const job = new SparkJob(chart, 'Job', { namespace: tenant, operator, ...props });
  return { chart, tenant, operator, job, objects: synth(chart) };
}

/** The objects a job adds (not the tenant's, operator's or CRDs). */
function jobObjects(objects: readonly Obj[], name: string): Obj[] {
  return objects.filter((o) => o.metadata.name === name || o.metadata.labels?.['spark-platform.io/job'] === name || o.metadata.name === 'allow-spark-submit-kube-api');
}

function submitArgs(objects: readonly Obj[], name: string): string[] {
  const job = objects.find((o) => (o.kind === 'Job' || o.kind === 'CronJob') && o.metadata.name === name)!;
  const pod = job.kind === 'Job' ? job.spec.template.spec : job.spec.jobTemplate.spec.template.spec;
  return pod.containers[0].args;
}

function confOf(args: readonly string[]): Record<string, string> {
  const conf: Record<string, string> = {};
  args.forEach((a, i) => {
    if (args[i - 1] === '--conf') conf[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
  });
  return conf;
}

/** The restricted Pod Security Standard, checked field by field on a pod spec. */
function expectRestricted(pod: Obj['spec']): void {
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  for (const c of pod.containers) {
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
  }
  expect((pod.volumes ?? []).filter((v: Obj) => v.hostPath)).toEqual([]);
  expect(pod.hostNetwork ?? false).toBe(false);
}

describe('SparkJob, operator mode', () => {
  test('Scala SparkPi: a valid SparkApplication, snapshot', () => {
    const { objects } = build(SPARK_PI);
    expectValidManifests(objects);
    const mine = jobObjects(objects, 'spark-pi');
    expect(mine.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['SparkApplication/spark-pi']);
    expect(mine).toMatchSnapshot();
  });

  test('PySpark: a valid SparkApplication, snapshot', () => {
    const { objects } = build(PYSPARK);
    expectValidManifests(objects);
    expect(jobObjects(objects, 'word-count')).toMatchSnapshot();
  });

  test('typed fields carry what the operator turns into conf; pod settings go into templates', () => {
    const app = findObject(build(PYSPARK).objects, 'SparkApplication', 'word-count', 'spark-jobs');
    expect(app.spec).toMatchObject({
      type: 'Python', mode: 'cluster', sparkVersion: '4.0.3',
      image: 'docker.io/apache/spark:4.0.3-scala2.13-java17-python3-ubuntu',
      restartPolicy: { type: 'Never' }, timeToLiveSeconds: 86400,
      driver: { cores: 1, memory: '512m', serviceAccount: 'spark-driver' },
      executor: { instances: 3, cores: 2, memory: '2g', serviceAccount: 'spark-executor', deleteOnTermination: true },
    });
    // No field that only the (absent) webhook would apply: env lives in the template.
    expect(app.spec.executor.env).toBeUndefined();
    expect(app.spec.executor.template.spec.containers[0]).toMatchObject({ name: 'spark-kubernetes-executor', env: [{ name: 'PYTHONHASHSEED', value: '0' }] });
    for (const role of ['driver', 'executor']) expectRestricted(app.spec[role].template.spec);
    expect(app.spec.driver.template.spec).toMatchObject({ automountServiceAccountToken: true, enableServiceLinks: false });
    expect(app.spec.executor.template.spec).toMatchObject({ automountServiceAccountToken: false, enableServiceLinks: false });
    // Keys the operator's validating webhook rejects are never in sparkConf.
    expect(Object.keys(app.spec.sparkConf).filter((k) => /^spark\.master$|container\.image$|serviceAccountName$|^spark\.kubernetes\.namespace$/.test(k))).toEqual([]);
  });

  test('passes the synth-time check of an operator without webhook (nothing would be silently dropped)', () => {
    const { chart } = build({ ...PYSPARK, pods: { tolerations: [{ key: 'spark', operator: 'Exists' }], nodeSelector: { pool: 'spark' } } });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('time to live: the operator default, or the job\'s own', () => {
    const chart = testChart();
    const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    const operator = new SparkOperator(chart, 'Operator', { jobNamespaces: [tenant], defaultTimeToLiveSeconds: 3600 });
    new SparkJob(chart, 'A', { namespace: tenant, operator, ...SPARK_PI, name: 'a' });
    new SparkJob(chart, 'B', { namespace: tenant, operator, ...SPARK_PI, name: 'b', timeToLiveSeconds: 600 });
    const objects = synth(chart);
    expect(findObject(objects, 'SparkApplication', 'a').spec.timeToLiveSeconds).toBe(3600);
    expect(findObject(objects, 'SparkApplication', 'b').spec.timeToLiveSeconds).toBe(600);
  });

  test('schedule: a ScheduledSparkApplication with an explicit zone and concurrency policy', () => {
    const { objects } = build({ ...SPARK_PI, schedule: { cron: '@every 10m' } });
    expectValidManifests(objects);
    const s = findObject(objects, 'ScheduledSparkApplication', 'spark-pi');
    expect(s.spec).toMatchObject({ schedule: '@every 10m', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', successfulRunHistoryLimit: 1, failedRunHistoryLimit: 1 });
    expect(s.spec.template).toMatchObject({ type: 'Scala', mainClass: 'org.apache.spark.examples.SparkPi', driver: { serviceAccount: 'spark-driver' } });
  });

  test('restart on failure: counts and intervals set, since the operator retries only with them', () => {
    const app = findObject(build({ ...SPARK_PI, restartPolicy: RestartPolicy.onFailure({ retries: 3 }) }).objects, 'SparkApplication', 'spark-pi');
    expect(app.spec.restartPolicy).toEqual({ type: 'OnFailure', onFailureRetries: 3, onFailureRetryInterval: 30, onSubmissionFailureRetries: 3, onSubmissionFailureRetryInterval: 30 });
  });

  test('dynamic allocation: bounds and shuffle tracking, no fixed instances', () => {
    const app = findObject(build({ ...SPARK_PI, dynamicAllocation: { minExecutors: 1, initialExecutors: 2, maxExecutors: 5 } }).objects, 'SparkApplication', 'spark-pi');
    expect(app.spec.dynamicAllocation).toEqual({ enabled: true, minExecutors: 1, initialExecutors: 2, maxExecutors: 5, shuffleTrackingEnabled: true });
    expect(app.spec.executor.instances).toBeUndefined();
  });
});

describe('SparkJob, submit mode', () => {
  const props = { ...PYSPARK, mode: SparkJobMode.SUBMIT };

  test('PySpark: ConfigMap, submitter account and Role, Job; every object valid; snapshot', () => {
    const { objects } = build(props);
    expectValidManifests(objects);
    const mine = jobObjects(objects, 'word-count');
    expect(mine.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/word-count-spark-submit', 'Job/word-count', 'NetworkPolicy/allow-spark-submit-kube-api',
      'Role/word-count-submitter', 'RoleBinding/word-count-submitter', 'ServiceAccount/word-count-submitter',
    ]);
    expect(mine).toMatchSnapshot();
  });

  test('Scala SparkPi: snapshot', () => {
    const { objects } = build({ ...SPARK_PI, mode: SparkJobMode.SUBMIT });
    expectValidManifests(objects);
    expect(jobObjects(objects, 'spark-pi')).toMatchSnapshot();
  });

  test('the Job runs spark-submit in cluster mode once, waits for the application, and cleans up', () => {
    const { objects } = build(props);
    const job = findObject(objects, 'Job', 'word-count', 'spark-jobs');
    expect(job.spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 86400 });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'word-count-submitter', automountServiceAccountToken: true, enableServiceLinks: false, restartPolicy: 'Never' });
    expectRestricted(pod);
    const args = submitArgs(objects, 'word-count');
    expect(args.slice(0, 6)).toEqual(['--master', 'k8s://https://kubernetes.default.svc:443', '--deploy-mode', 'cluster', '--name', 'word-count']);
    expect(args.slice(-2)).toEqual(['local:///opt/spark/examples/src/main/python/wordcount.py', 'local:///opt/spark/README.md']);
    expect(confOf(args)).toMatchObject({
      'spark.kubernetes.namespace': 'spark-jobs',
      'spark.kubernetes.submission.waitAppCompletion': 'true',
      'spark.kubernetes.driver.pod.name': '$(JOB_NAME)-driver',
      'spark.kubernetes.authenticate.driver.serviceAccountName': 'spark-driver',
      'spark.kubernetes.authenticate.executor.serviceAccountName': 'spark-executor',
      'spark.kubernetes.container.image': 'docker.io/apache/spark:4.0.3-scala2.13-java17-python3-ubuntu',
      'spark.executor.instances': '3',
      'spark.executor.memory': '2g',
      'spark.jars.ivy': '/tmp/.ivy2',
    });
    // The kubelet expands $(JOB_NAME) from the container's env: the Job's own name, per run.
    expect(pod.containers[0].env).toContainEqual({ name: 'JOB_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } });
    expect(pod.containers[0].command).toEqual(['/bin/bash', '/opt/spark-platform/submit/submit.sh']);
  });

  test('pod template files are valid Pods, restricted, and the driver is owned by the submitter pod', () => {
    const { objects } = build(props);
    const files = findObject(objects, 'ConfigMap', 'word-count-spark-submit').data;
    expect(Object.keys(files).sort()).toEqual(['driver-template.yaml', 'executor-template.yaml', 'submit.sh']);
    const validator = new ManifestValidator();
    for (const name of ['driver-template.yaml', 'executor-template.yaml']) {
      const pod = parse(files[name].replace(/__SUBMITTER_POD_(NAME|UID)__/g, 'placeholder'));
      pod.metadata = { ...pod.metadata, name: 'named-by-spark' }; // Spark names the pods it makes from a template
      expect(formatIssues(validator.validate(pod))).toBe('');
      expectRestricted(pod.spec);
    }
    expect(parse(files['driver-template.yaml']).metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: '__SUBMITTER_POD_NAME__', uid: '__SUBMITTER_POD_UID__' }]);
    const conf = confOf(submitArgs(objects, 'word-count'));
    expect(conf['spark.kubernetes.driver.podTemplateFile']).toBe('/tmp/driver-template.yaml');
    expect(conf['spark.kubernetes.executor.podTemplateFile']).toBe('/opt/spark-platform/submit/executor-template.yaml');
  });

  test('RBAC: the submitter may create and watch the driver and what spark-submit creates, nothing else', () => {
    const { objects } = build(props);
    const rbac = new RbacEvaluator(objects);
    const submitter = { kind: 'ServiceAccount' as const, namespace: 'spark-jobs', name: 'word-count-submitter' };
    expect(rbac.allowedVerbs(submitter, { resource: 'pods', namespace: 'spark-jobs' })).toEqual(['get', 'list', 'watch', 'create', 'delete']);
    for (const resource of ['services', 'configmaps']) {
      expect(rbac.allowedVerbs(submitter, { resource, namespace: 'spark-jobs' })).toEqual(['get', 'create', 'patch', 'delete']);
    }
    for (const resource of ['secrets', 'persistentvolumeclaims', 'sparkapplications', 'roles']) {
      expect(rbac.allowedVerbs(submitter, { resource, namespace: 'spark-jobs' })).toEqual([]);
    }
    expect(rbac.can(submitter, { verb: 'create', resource: 'pods', namespace: 'other' })).toBe(false);
  });

  test('network: submitter pods may reach the API server; other pods still may not', () => {
    const { objects } = build(props);
    const net = new NetworkPolicyEvaluator(objects);
    const podLabels = findObject(objects, 'Job', 'word-count').spec.template.metadata.labels;
    const submitter = { namespace: 'spark-jobs', labels: podLabels };
    const api = { ip: '10.96.0.1' };
    expect(net.allows({ from: submitter, to: api, port: 443 })).toBe(true);
    expect(net.allows({ from: submitter, to: { ip: '10.96.0.1' }, port: 80 })).toBe(false);
    expect(net.allows({ from: { namespace: 'spark-jobs', labels: { app: 'other' } }, to: api, port: 443 })).toBe(false);
  });

  test('two submit-mode jobs share one egress policy', () => {
    const chart = testChart();
    const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    new SparkJob(chart, 'A', { namespace: tenant, ...SPARK_PI, name: 'a' });
    new SparkJob(chart, 'B', { namespace: tenant, ...SPARK_PI, name: 'b' });
    expect(ofKind(synth(chart), 'NetworkPolicy').filter((p) => p.metadata.name === 'allow-spark-submit-kube-api')).toHaveLength(1);
  });

  test('schedule: a CronJob whose runs get their own driver names', () => {
    const { objects } = build({ ...props, schedule: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: ConcurrencyPolicy.REPLACE } });
    expectValidManifests(objects);
    const cron = findObject(objects, 'CronJob', 'word-count');
    expect(cron.spec).toMatchObject({ schedule: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Replace', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 });
    expect(cron.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 86400 });
    expect(confOf(submitArgs(objects, 'word-count'))['spark.kubernetes.driver.pod.name']).toBe('$(JOB_NAME)-driver');
  });

  test('without an operator the default mode is submit', () => {
    const chart = testChart();
    const job = new SparkJob(chart, 'Job', { namespace: SparkNamespace.fromName('analytics'), ...SPARK_PI });
    expect(job.mode).toBe(SparkJobMode.SUBMIT);
    expect(ofKind(synth(chart), 'Job')).toHaveLength(1);
  });
});

describe('SparkJob conf', () => {
  test('sparkConf and hadoopConf pass through; owned and typed keys are refused', () => {
    const { objects } = build({ ...SPARK_PI, sparkConf: { 'spark.sql.shuffle.partitions': '64' }, hadoopConf: { 'fs.s3a.fast.upload': 'true' } });
    const app = findObject(objects, 'SparkApplication', 'spark-pi');
    expect(app.spec.sparkConf['spark.sql.shuffle.partitions']).toBe('64');
    expect(app.spec.hadoopConf).toEqual({ 'fs.s3a.fast.upload': 'true' });
  });

  test('addSparkConf adds later conf to both modes; a contradiction is an error', () => {
    const { chart, job } = build({ ...SPARK_PI, sparkConf: { 'spark.sql.shuffle.partitions': '64' } });
    job.addSparkConf({ 'spark.eventLog.enabled': 'true' });
    expect(findObject(synth(chart), 'SparkApplication', 'spark-pi').spec.sparkConf['spark.eventLog.enabled']).toBe('true');
    expect(() => job.addSparkConf({ 'spark.sql.shuffle.partitions': '8' })).toThrow(/addSparkConf\["spark\.sql\.shuffle\.partitions"\]: "8" contradicts "64", set before/);
    expect(() => job.addSparkConf({ 'spark.master': 'local' })).toThrow(/is set by SparkJob itself/);
  });

  test('sparkConf() of a job is what both modes pass', () => {
    const a = build({ ...SPARK_PI }).job.sparkConf();
    const b = build({ ...SPARK_PI, mode: SparkJobMode.SUBMIT }).job.sparkConf();
    expect(a).toEqual(b);
    expect(a['spark.driver.memory']).toBe('1g');
  });
});

describe('SparkJob fails at synth, naming the prop and the fix', () => {
  const quotaTenant: Partial<SparkNamespaceProps> = {
    quota: { cpu: Cpu.cores(4), memory: Memory.gibibytes(8), pods: 6 },
    containerDefaults: { maxCpu: Cpu.cores(2), maxMemory: Memory.gibibytes(4) },
  };
  type Case = [string, Partial<SparkJobProps>, RegExp, Partial<SparkNamespaceProps>?];
  const cases: Case[] = [
    ['a name that is not DNS-1035', { name: '1-pi' }, /name: "1-pi" is not a valid DNS-1035 label.*Fix: use a name such as "pi"/],
    ['a name whose UI Service name is too long', { name: 'a'.repeat(57) }, /name: "a{57}" is 57 characters, so <name>-driver \(the driver pod\) would exceed 63\. Fix: shorten the name to at most 56/],
    ['a scheduled name with no room for the run suffix', { name: 'a'.repeat(40), schedule: { cron: '@daily' } }, /so <name>-<unix nanos>-driver .* would exceed 63\. Fix: shorten the name to at most 36/],
    ['Spark memory syntax in a size conf', { sparkConf: { 'spark.driver.maxResultSize': '2Gi' } }, /sparkConf\["spark\.driver\.maxResultSize"\]: "2Gi" is not a Spark size\. Fix: Spark writes "2g"/],
    ['an owned conf key', { sparkConf: { 'spark.kubernetes.container.image': 'x:1' } }, /sparkConf\["spark\.kubernetes\.container\.image"\]: .* is set by SparkJob itself/],
    ['a conf key a typed prop sets', { sparkConf: { 'spark.executor.instances': '9' } }, /"spark\.executor\.instances" contradicts the typed prop executor\.instances/],
    ['zero cores', { driver: { cores: 0 } }, /driver\.cores: 0 is not a whole number >= 1/],
    ['fractional cores', { executor: { cores: 1.5 } }, /executor\.cores: 1\.5 is not a whole number >= 1\. Fix: set executor\.cores to 1 or more/],
    ['a CPU limit below the request', { driver: { coreLimit: Cpu.millis(500) } }, /driver\.coreLimit: 500m is below the CPU request 1/],
    ['min above max executors', { dynamicAllocation: { minExecutors: 4, maxExecutors: 2 } }, /dynamicAllocation\.minExecutors: 4 is above maxExecutors 2/],
    ['initial outside the bounds', { dynamicAllocation: { minExecutors: 1, initialExecutors: 9, maxExecutors: 5 } }, /initialExecutors: 9 is outside \[minExecutors 1, maxExecutors 5\]/],
    ['instances with dynamic allocation', { executor: { instances: 2 }, dynamicAllocation: { maxExecutors: 5 } }, /executor\.instances: is set together with dynamicAllocation/],
    ['a bad cron', { schedule: { cron: '0 25 * * *' } }, /schedule\.cron: field 2 \(hour\) "25" is above 23/],
    ['@every in a CronJob', { mode: SparkJobMode.SUBMIT, schedule: { cron: '@every 5m' } }, /schedule\.cron: "@every 5m" is not supported by Kubernetes CronJobs/],
    ['an unknown time zone', { schedule: { cron: '@daily', timeZone: 'Mars/Olympus' } }, /schedule\.timeZone: .*Mars\/Olympus/],
    ['a plain path as main file', { mainApplicationFile: '/opt/app.jar' }, /mainApplicationFile: "\/opt\/app\.jar" has no URI scheme.*Fix: for a file in the image write "local:\/\/\/opt\/app\.jar"/],
    ['a file:// main file', { mainApplicationFile: 'file:///opt/app.jar' }, /Fix: for a file in the image write "local:\/\/\/opt\/app\.jar"/],
    ['a .py file for a Scala job', { mainApplicationFile: 'local:///app/main.py' }, /mainApplicationFile: "local:\/\/\/app\/main\.py" is not a jar, as a Scala job needs/],
    ['a Scala job without main class', { mainClass: undefined }, /mainClass: is not set; a Scala job needs the class to run/],
    ['a bad Maven coordinate', { deps: { packages: ['hadoop-aws'] } }, /deps\.packages\[0\]: "hadoop-aws" is not Maven coordinates/],
    ['pyFiles on a Scala job', { deps: { pyFiles: ['local:///a.py'] } }, /deps\.pyFiles: is set, but the job is a Scala job/],
    ['a mismatched executor image', { executorImage: SparkImage.custom({ image: 'registry.example/spark:3.5.8', sparkVersion: '3.5.8', pythonVersion: '3.10' }) }, /executorImage: does not match the driver image: Spark 4\.0\.3 in .* vs 3\.5\.8 in "registry\.example\/spark:3\.5\.8"; Scala 2\.13 .* vs 2\.12/],
    ['a hostPath volume', { volumes: [{ name: 'host', hostPath: { path: '/var' } }] }, /volumes\[0\]: "host" is a hostPath volume, which the restricted Pod Security Standard forbids/],
    ['a mount of an unknown volume', { driver: { volumeMounts: [{ volume: 'data', path: '/data' }] } }, /driver\.volumeMounts\[0\]\.volume: "data" is not one of the job's volumes/],
    ['a mount over /tmp', { volumes: [{ name: 'scratch', emptyDir: {} }], executor: { volumeMounts: [{ volume: 'scratch', path: '/tmp' }] } }, /executor\.volumeMounts\[0\]\.path: "\/tmp" is where SparkJob mounts a writable emptyDir \(java\.io\.tmpdir/],
    ['a mount over the working directory', { volumes: [{ name: 'scratch', emptyDir: {} }], driver: { volumeMounts: [{ volume: 'scratch', path: '/opt/spark/work-dir' }] } }, /driver\.volumeMounts\[0\]\.path: "\/opt\/spark\/work-dir" is where SparkJob mounts a writable emptyDir \(the working directory: the driver's spark-submit downloads/],
    ['a volume named like the platform\'s', { volumes: [{ name: 'spark-platform-workdir', emptyDir: {} }] }, /volumes\[0\]\.name: "spark-platform-workdir" is a volume name Spark or SparkJob uses itself/],
    ['retries in submit mode', { mode: SparkJobMode.SUBMIT, restartPolicy: RestartPolicy.onFailure({ retries: 2 }) }, /restartPolicy: OnFailure needs the operator/],
    ['an executor larger than the LimitRange allows', { executor: { memory: Memory.gibibytes(4) } }, /executor\.memory: the executor pod requests 1 CPU and 4505Mi memory \(heap \+ overhead\), above the LimitRange maximum of 4Gi/, quotaTenant],
    ['a job above the quota', { executor: { instances: 5, memory: Memory.gibibytes(1) } }, /executor: the driver and 5 executor\(s\) need 6 CPU, 8448Mi memory and 6 pods at start, above namespace "spark-jobs"'s quota of 4 CPU/, quotaTenant],
    ['more pods than the quota', { mode: SparkJobMode.SUBMIT, executor: { instances: 5, memory: Memory.mebibytes(512) }, driver: { memory: Memory.mebibytes(512) } }, /above namespace "spark-jobs"'s quota of 6 pods/, { ...quotaTenant, quota: { cpu: Cpu.cores(16), memory: Memory.gibibytes(16), pods: 6 } }],
  ];
  // A rest parameter: jest takes a 4th named parameter of a 3-element row for a `done` callback.
  test.each(cases)('fails on %s', (...[, override, message, tenantProps]: Case) => {
    expect(() => build({ ...SPARK_PI, ...override } as SparkJobProps, tenantProps)).toThrow(message);
  });

  test.each([
    [{ jars: ['hadoop-aws-3.4.1.jar'] }, /jars\[0\]: "hadoop-aws-3\.4\.1\.jar" is not Maven coordinates/],
    [{ jars: ['a:b:1', 'a:b:2'] }, /jars: list "a:b" twice/],
    [{ workingDirectory: 'work-dir' }, /workingDirectory: "work-dir" is not an absolute path/],
    [{ homeDirectory: '~' }, /homeDirectory: "~" is not an absolute path/],
  ])('SparkImage.custom refuses a bad layout: %o', (props, message) => {
    expect(() => SparkImage.custom({ image: 'registry.example.com/spark:4.0.3-x', sparkVersion: '4.0.3', ...props })).toThrow(message);
  });

  test('SparkImage describes the official images\' layout by default', () => {
    const official = SparkImage.official();
    expect({ user: official.user, uid: official.uid, gid: official.gid, home: official.homeDirectory, workdir: official.workingDirectory, sparkHome: official.sparkHome, jars: official.jars })
      .toEqual({ user: 'spark', uid: 185, gid: 185, home: '/nonexistent', workdir: '/opt/spark/work-dir', sparkHome: '/opt/spark', jars: [] });
  });

  test('fails on an image with latest or without a tag', () => {
    // The mutable tag, derived from the pinned one (no unpinned image literal in the repository).
    const mutable = SparkImage.official().image.replace(/:[^:]+$/, ':latest');
    expect(() => SparkImage.custom({ image: mutable, sparkVersion: '4.0.3' })).toThrow(`image: "${mutable}" uses the mutable tag latest. Fix: pin an explicit version tag`);
    expect(() => SparkImage.custom({ image: 'apache/spark', sparkVersion: '4.0.3' })).toThrow(/has no tag/);
  });

  test('fails on a Python job whose image has no Python', () => {
    const scalaOnly = SparkImage.custom({ image: 'apache/spark:4.0.3-scala2.13-java17-ubuntu', sparkVersion: '4.0.3' });
    expect(() => build({ ...PYSPARK, image: scalaOnly })).toThrow(/image: "apache\/spark:4\.0\.3-scala2\.13-java17-ubuntu" has no Python .* but the job is a Python job/);
  });

  test('fails on a Python minor mismatch between driver and executors, naming both', () => {
    const a = SparkImage.custom({ image: 'example/spark:4.0.3-py310', sparkVersion: '4.0.3', pythonVersion: '3.10' });
    const b = SparkImage.custom({ image: 'example/spark:4.0.3-py312', sparkVersion: '4.0.3', pythonVersion: '3.12' });
    expect(() => build({ ...PYSPARK, image: a, executorImage: b })).toThrow(/executorImage: does not match the driver image: Python 3\.10 in "example\/spark:4\.0\.3-py310" vs 3\.12 in "example\/spark:4\.0\.3-py312"/);
    // A Scala job does not care about Python.
    expect(() => build({ ...SPARK_PI, image: a, executorImage: b })).not.toThrow();
  });

  test('fails when the operator does not watch the namespace', () => {
    const chart = testChart();
    const watched = new SparkNamespace(chart, 'A', { name: 'team-a' });
    const other: ISparkJobNamespace = new SparkNamespace(chart, 'B', { name: 'team-b' });
    const operator = new SparkOperator(chart, 'Operator', { jobNamespaces: [watched] });
    expect(() => new SparkJob(chart, 'Job', { namespace: other, operator, ...SPARK_PI })).toThrow(
      /SparkJob "spark-pi" namespace: "team-b" is not watched by the operator, so the application would never run.*Fix: add the namespace to the operator's jobNamespaces, or use SparkJobMode\.SUBMIT/,
    );
  });

  test('fails when a default CPU limit is below the request', () => {
    expect(() => build({ ...SPARK_PI, executor: { cores: 2 } }, { containerDefaults: { cpuLimit: Cpu.cores(1) } })).toThrow(
      /executor\.coreLimit: is not set, so the namespace default CPU limit 1 applies, below the 2 CPU requested.*Fix: set executor\.coreLimit to at least 2/,
    );
  });
});

test('Testing.synth of a chart with a job succeeds and validates (app-level validations included)', () => {
  const chart = new Chart(Testing.app(), 'c');
  const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
  new SparkJob(chart, 'Job', { namespace: tenant, ...SPARK_PI, mode: SparkJobMode.SUBMIT });
  expect(() => Testing.synth(chart)).not.toThrow();
});

describe('effective spec and conf are computed once per change', () => {
  test.each([SparkJobMode.OPERATOR, SparkJobMode.SUBMIT])('%s: a read before add*() does not hide what is added after', (mode) => {
    const { job, chart } = build({ ...PYSPARK, mode }, { packageRepository: NetworkEndpoint.cidrs(['192.0.2.10/32'], [{ port: 443 }]) });
    const before = job.sparkConf();
    expect(job.effective()).toBe(job.effective());
    job.addSparkConf({ 'spark.sql.shuffle.partitions': '64' }, 'test');
    job.addPackages(['org.example:lib:1.0.0'], 'test');
    job.addEnv({ ADDED: SparkEnvValue.fromValue('1') }, 'test');
    expect(before['spark.sql.shuffle.partitions']).toBeUndefined();
    expect(job.sparkConf()['spark.sql.shuffle.partitions']).toBe('64');
    expect(job.effective().deps.packages).toContain('org.example:lib:1.0.0');
    expect(job.effective().executor.env.map(([n]) => n)).toContain('ADDED');
    const text = JSON.stringify(Testing.synth(chart));
    expect(text).toContain('spark.sql.shuffle.partitions');
    expect(text).toContain('org.example:lib:1.0.0');
    expect(text).toMatch(/\bADDED\b/);
  });
});
