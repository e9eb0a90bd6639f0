/**
 * "Same job, same pods": a SparkJob rendered in operator mode and in submit mode makes Spark do
 * the same thing. Each side is read back by an independent model (test/helpers/spark-effective.ts)
 * of what the operator passes to spark-submit and of what the Job's spark-submit command line
 * says, not by the construct's own conf builder, which both modes share and so could not catch
 * a divergence.
 */
import { NetworkEndpoint, SparkJob, SparkJobMode, SparkNamespace } from '../../constructs';
import { Obj, findObject, synth, testChart } from '../helpers/manifests';
import {
  EffectiveApp, EXPECTED_MASTER, SCHEDULED_RUN_SUFFIX, SampleJob, effectiveFromApacheSparkApplication, effectiveFromSparkApplication, effectiveFromSubmitJob, sampleJobs,
} from '../helpers/spark-effective';
import { Json } from '../helpers/k8s-json';
import { operatorForMode } from '../helpers/jobs';

/** Synthesizes `sample` in its own chart: a tenant namespace, an operator watching it, the job in `mode`. */
function render(sample: SampleJob, mode: SparkJobMode): Obj[] {
  const chart = testChart();
  // Packages (deps.packages) need a way out to a Maven repository.
  const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs', packageRepository: NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }]) });
  const job = new SparkJob(chart, 'Job', { ...sample.props, namespace: ns, operator: operatorForMode(chart, mode, ns), mode });
  sample.configure?.(job);
  return synth(chart);
}

/** The job's effective app in both modes (the operator without its webhook, its default). */
function bothModes(sample: SampleJob): { operator: EffectiveApp; submit: EffectiveApp } {
  const name = sample.props.name;
  const kind = sample.props.schedule ? 'ScheduledSparkApplication' : 'SparkApplication';
  const app = findObject(render(sample, SparkJobMode.OPERATOR), kind, name, 'spark-jobs');
  return {
    operator: effectiveFromSparkApplication(app, { webhook: false }),
    submit: effectiveFromSubmitJob(render(sample, SparkJobMode.SUBMIT), name),
  };
}

/** The one container of a pod template. */
function containerOf(pod: Json): Json {
  const containers = (pod.spec as Json).containers as Json[];
  expect(containers).toHaveLength(1);
  return containers[0];
}

/** Label confs: what Spark puts on the pods besides the templates' metadata. */
function labelConf(app: EffectiveApp): Record<string, string> {
  return Object.fromEntries(Object.entries(app.conf).filter(([k]) => /^spark\.kubernetes\.(driver|executor)\.label\./.test(k)));
}

const samples = sampleJobs();
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };

describe('a SparkJob makes Spark do the same in operator and submit mode', () => {
  test.each(Object.keys(samples).filter((k) => !samples[k].props.schedule))('%s: same conf, names, main file, arguments and pod templates', (key) => {
    const { operator, submit } = bothModes(samples[key]);
    expect(submit).toEqual(operator);
  });

  test('scheduled: the same, except the run names the operator derives at run time', () => {
    // GIVEN a ScheduledSparkApplication and a CronJob of the same job
    const { operator, submit } = bothModes(samples.scheduled);

    // THEN each run's names are only known at run time, differently per mode: the operator names
    // the run <name>-<unix nanos>, a CronJob's Job is <name>-<minutes> and the driver follows it
    expect(operator.appName).toBe(`spark-pi-nightly-${SCHEDULED_RUN_SUFFIX}`);
    expect(operator.driverPodName).toBe(`spark-pi-nightly-${SCHEDULED_RUN_SUFFIX}-driver`);
    expect(submit.appName).toBe('spark-pi-nightly');
    expect(submit.driverPodName).toBe('$(JOB_NAME)-driver');

    // AND everything else is the same
    const rest = ({ appName: _a, driverPodName: _d, ...others }: EffectiveApp) => others;
    expect(rest(submit)).toEqual(rest(operator));
    expect(operator.conf['spark.executor.instances']).toBe('2');
  });

  test('the pods carry the same labels in both modes (the operator copies the SparkApplication labels onto them)', () => {
    // The operator passes metadata.labels of the SparkApplication as spark.kubernetes.{driver,executor}.label.*
    // (submission.go, driverConfOption/executorConfOption); a submit-mode job must give its pods the same.
    for (const sample of [samples.scala, samples['python-everything']]) {
      const { operator, submit } = bothModes(sample);
      expect(labelConf(submit)).toEqual(labelConf(operator));
    }
  });
});

/**
 * What Apache Spark's operator makes differ from spark-submit, each with its reason (docs/jobs.md
 * lists the same): conf keys it adds or names differently, and the driver pod's name. Nothing
 * else may differ, and each listed difference must occur for some sample (no stale entries).
 */
const APACHE_CONF_DIFFERENCES: Readonly<Record<string, string>> = {
  'spark.app.id': 'the operator names the application <name>-<attempt>; spark-submit generates spark-<random>',
  'spark.authenticate': 'the operator turns RPC authentication on by default (a generated secret in the executor env)',
  'spark.io.encryption.enabled': 'the operator encrypts shuffle and spill files by default',
  'spark.kubernetes.driver.annotateExitException': 'set by the operator; a Spark 4.1+ key, inert on 4.0 images',
  'spark.kubernetes.executor.useDriverPodIP': 'set by the operator; a Spark 4.1+ key (executors dial the driver pod IP), inert on 4.0 images',
  'spark.jars': 'the operator puts the main jar in spark.jars when it is unset; spark-submit adds it when the driver starts, so Spark ends with the same list',
};
/** The operator's bookkeeping labels (on driver, driver Service and executors): it finds its pods by them. */
const APACHE_LABEL_DIFFERENCE = /^spark\.kubernetes\.(driver|driver\.service|executor)\.label\.spark\.operator\/(name|spark-app-name)$/;

describe('the Apache operator mode makes Spark do what submit mode does, but for the listed differences', () => {
  const used = new Set<string>();
  const apacheApp = (sample: SampleJob) => effectiveFromApacheSparkApplication(findObject(render(sample, SparkJobMode.APACHE_OPERATOR), 'SparkApplication', sample.props.name, 'spark-jobs'));

  test.each(Object.keys(samples).filter((k) => !samples[k].props.schedule))('%s', (key) => {
    const sample = samples[key];
    const apache = apacheApp(sample);
    const submit = effectiveFromSubmitJob(render(sample, SparkJobMode.SUBMIT), sample.props.name);
    // the driver pod: <name>-<attempt>-driver, against the Job's <job name>-driver
    expect(apache.driverPodName).toBe(`${sample.props.name}-0-driver`);
    expect(submit.driverPodName).toBe(`${sample.props.name}-driver`);
    const strip = (conf: Record<string, string>, other: Record<string, string>) => Object.fromEntries(Object.entries(conf).filter(([k, v]) => {
      if (APACHE_LABEL_DIFFERENCE.test(k)) {
        used.add('labels');
        return false;
      }
      if (k in APACHE_CONF_DIFFERENCES && other[k] !== v) {
        used.add(k);
        return false;
      }
      return true;
    }));
    const without = (app: EffectiveApp, other: EffectiveApp): EffectiveApp => ({ ...app, driverPodName: '<differs>', conf: strip(app.conf, other.conf) });
    expect(without(apache, submit)).toEqual(without(submit, apache));
  });

  test('every listed difference occurs (the list is not stale) and the bookkeeping labels name the application', () => {
    expect([...used].sort()).toEqual([...Object.keys(APACHE_CONF_DIFFERENCES), 'labels'].sort());
    const apache = apacheApp(samples.scala);
    expect(apache.conf['spark.kubernetes.driver.label.spark.operator/spark-app-name']).toBe('spark-pi');
    expect(apache.conf['spark.app.id']).toBe('spark-pi-0');
    expect(apache.appName).toBe('spark-pi');
  });

  test('a scheduled job is refused in this mode, naming the modes that have schedules', () => {
    expect(() => render(samples.scheduled, SparkJobMode.APACHE_OPERATOR)).toThrow(/schedule: is set, but the Apache Spark Kubernetes Operator \(1\.0\.0\) has no scheduled applications.*Fix: use SparkJobMode\.OPERATOR \(a ScheduledSparkApplication\) or SparkJobMode\.SUBMIT \(a CronJob\)/);
  });
});

describe('what the effective apps say (so the comparisons above cannot pass vacuously)', () => {
  test('scala: executors, image, memory, names, restricted pods', () => {
    const { operator, submit } = bothModes(samples.scala);
    for (const app of [operator, submit]) {
      expect(app).toMatchObject({
        namespace: 'spark-jobs',
        appName: 'spark-pi',
        driverPodName: 'spark-pi-driver',
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        arguments: ['5000'],
      });
      expect(app.conf).toMatchObject({
        'spark.executor.instances': '3',
        'spark.executor.memory': '2g',
        'spark.driver.memory': '2g',
        'spark.kubernetes.container.image': expect.stringMatching(/^docker\.io\/apache\/spark:\d+\.\d+\.\d+-/),
        'spark.kubernetes.authenticate.driver.serviceAccountName': 'spark-driver',
        'spark.kubernetes.authenticate.executor.serviceAccountName': 'spark-executor',
      });
      expect(app.conf).not.toHaveProperty('spark.kubernetes.executor.container.image');
      for (const pod of [app.driverPod, app.executorPod]) {
        expect(containerOf(pod).securityContext).toMatchObject({ ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true });
        expect((pod.spec as Json).securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      }
      expect(containerOf(app.driverPod).name).toBe('spark-kubernetes-driver');
      expect(containerOf(app.executorPod).name).toBe('spark-kubernetes-executor');
    }
  });

  test('python: env, envFrom, volumes and mounts, placement, sizes, GPUs, deps, conf sources, pull secrets', () => {
    const { operator, submit } = bothModes(samples['python-everything']);
    for (const app of [operator, submit]) {
      // arguments that look like options stay the application's
      expect(app.arguments).toEqual(['--date', '2024-01-01', '--conf', 'not-spark=1']);
      expect(app.mainClass).toBeUndefined();
      expect(app.conf).toMatchObject({
        'spark.kubernetes.container.image.pullPolicy': 'Always',
        'spark.kubernetes.container.image.pullSecrets': 'registry-creds,mirror-creds',
        'spark.kubernetes.driver.request.cores': '500m',
        'spark.kubernetes.driver.limit.cores': '2',
        'spark.executor.cores': '2',
        'spark.executor.memory': '4g',
        'spark.executor.memoryOverhead': '1g',
        'spark.executor.resource.gpu.amount': '1',
        'spark.executor.resource.gpu.vendor': 'nvidia.com',
        'spark.jars': 's3a://artifacts/jars/udfs-1.0.jar',
        'spark.submit.pyFiles': 's3a://artifacts/py/lib.zip,s3a://artifacts/py/util.py',
        'spark.files': 'https://artifacts.example.com/lookup.csv',
        'spark.archives': 's3a://artifacts/env.tar.gz#env',
        'spark.jars.packages': 'org.apache.hadoop:hadoop-aws:3.4.1',
        'spark.jars.excludes': 'com.amazonaws:aws-java-sdk-bundle',
        'spark.jars.repositories': 'https://repo1.maven.org/maven2',
        'spark.sql.shuffle.partitions': '64',
        'spark.eventLog.enabled': 'false',
        'spark.hadoop.fs.s3a.endpoint': 'http://minio.storage.svc:9000',
        'spark.kubernetes.driver.label.team': 'data',
        'spark.kubernetes.executor.label.tier': 'batch',
        'spark.kubernetes.executor.label.accelerator': 'gpu',
        'spark.kubernetes.executor.annotation.example.com/owner': 'data-team',
      });
      expect(app.conf).not.toHaveProperty('spark.driver.resource.gpu.amount');

      const executor = containerOf(app.executorPod);
      expect(executor.env).toEqual(expect.arrayContaining([
        { name: 'APP_ENV', value: 'prod' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'etl-db', key: 'password' } } },
        { name: 'FEATURE_FLAGS', valueFrom: { configMapKeyRef: { name: 'etl-flags', key: 'flags.json', optional: true } } },
      ]));
      expect(executor.env).not.toContainEqual(expect.objectContaining({ name: 'DRIVER_ONLY' }));
      expect(containerOf(app.driverPod).env).toContainEqual({ name: 'DRIVER_ONLY', value: '1' });
      expect(executor.envFrom).toEqual([{ configMapRef: { name: 'etl-config' } }, { secretRef: { name: 'etl-secrets' } }]);
      expect(executor.securityContext).toMatchObject(RESTRICTED_CONTAINER);

      const volumeNames = (pod: Json) => ((pod.spec as Json).volumes as Json[]).map((v) => v.name);
      expect(volumeNames(app.executorPod)).toEqual(expect.arrayContaining(['config', 'creds', 'scratch']));
      expect(volumeNames(app.executorPod)).not.toContain('data'); // only the driver mounts it
      expect((app.driverPod.spec as Json).volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'etl-data' } });
      expect((app.driverPod.spec as Json).volumes).toContainEqual({ name: 'scratch', emptyDir: { sizeLimit: '10Gi' } });
      expect(containerOf(app.driverPod).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data', subPath: 'in' });

      expect((app.executorPod.spec as Json).nodeSelector).toEqual({ 'node.kubernetes.io/pool': 'spark' });
      expect((app.executorPod.spec as Json).tolerations).toHaveLength(2);
      expect((app.driverPod.spec as Json).tolerations).toHaveLength(1);
      expect((app.executorPod.spec as Json).affinity).toMatchObject({ nodeAffinity: expect.any(Object) });
      expect((app.driverPod.spec as Json).affinity).toBeUndefined();
    }
  });

  test('dynamic allocation: its conf, and no fixed executor count', () => {
    const { operator, submit } = bothModes(samples['dynamic-allocation']);
    for (const app of [operator, submit]) {
      expect(app.conf).toMatchObject({
        'spark.dynamicAllocation.enabled': 'true',
        'spark.dynamicAllocation.minExecutors': '1',
        'spark.dynamicAllocation.initialExecutors': '2',
        'spark.dynamicAllocation.maxExecutors': '6',
        'spark.dynamicAllocation.shuffleTracking.enabled': 'true',
        'spark.dynamicAllocation.shuffleTracking.timeout': '60000',
      });
      expect(app.conf).not.toHaveProperty('spark.executor.instances');
    }
  });

  test('custom executor image: executors run it, the driver the official one', () => {
    const { operator, submit } = bothModes(samples['custom-executor-image']);
    for (const app of [operator, submit]) {
      expect(app.conf['spark.kubernetes.executor.container.image']).toBe('registry.example.com/spark/executor:4.0-cuda12');
      expect(app.conf['spark.kubernetes.container.image']).toMatch(/^docker\.io\/apache\/spark:/);
      expect(app.conf).not.toHaveProperty('spark.kubernetes.driver.container.image');
    }
  });
});

describe('the model detects differences', () => {
  // GIVEN two effective apps that are equal, WHEN one side changes in one place, THEN they are not
  const mutants: Array<[string, (app: EffectiveApp) => void]> = [
    ['a conf value', (app) => { app.conf['spark.executor.memory'] = '3g'; }],
    ['an extra conf key', (app) => { app.conf['spark.speculation'] = 'true'; }],
    ['an executor env var', (app) => { (containerOf(app.executorPod).env as Json[]).pop(); }],
    ['a driver mount', (app) => { (containerOf(app.driverPod).volumeMounts as Json[])[1].readOnly = false; }],
    ['an argument', (app) => { app.arguments = app.arguments.slice(1); }],
  ];
  test.each(mutants)('%s', (_what, mutate) => {
    // Both sides from one mode: equal by construction, so only the mutation can make them differ.
    const { submit } = bothModes(samples['python-everything']);
    const changed = JSON.parse(JSON.stringify(submit)) as EffectiveApp;
    expect(changed).toEqual(submit);
    mutate(changed);
    expect(changed).not.toEqual(submit);
  });
});

describe('the model itself, on hand-written objects', () => {
  const template = (role: string): Json => ({ spec: { containers: [{ name: `spark-kubernetes-${role}`, image: 'ignored-by-spark' }] } });
  const sparkApp = (): Json => ({
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name: 'demo', namespace: 'team-a', labels: { team: 'a', 'sparkoperator.k8s.io/app-name': 'demo' } },
    spec: {
      type: 'Scala', mode: 'cluster', sparkVersion: '4.0.4', image: 'spark:4.0.4', imagePullSecrets: ['a', 'b'],
      mainClass: 'Main', mainApplicationFile: 'local:///app.jar', arguments: ['x'],
      sparkConf: { 'spark.x': 'y', 'spark.kubernetes.driver.pod.name': 'demo-custom-driver' }, hadoopConf: { 'fs.a': 'b' },
      deps: { jars: ['local:///a.jar', 'local:///b.jar'], packages: ['g:a:1'] },
      volumes: [{ name: 'v', emptyDir: {} }],
      dynamicAllocation: { enabled: true, maxExecutors: 4 },
      driver: { cores: 1, memory: '512m', serviceAccount: 'sa', labels: { team: 'driver-wins' }, env: [{ name: 'E', value: '1' }], volumeMounts: [{ name: 'v', mountPath: '/v' }], template: template('driver') },
      executor: { instances: 2, coreLimit: '1500m', deleteOnTermination: false, securityContext: { runAsNonRoot: true }, nodeSelector: { pool: 'x' } },
    },
  });

  test('a SparkApplication: conf from the typed fields, in the operator\'s precedence', () => {
    const app = effectiveFromSparkApplication(sparkApp(), { webhook: false });
    // sparkConf's driver pod name names the pod (util.GetDriverPodName) and is not passed as conf
    expect(app).toMatchObject({ namespace: 'team-a', appName: 'demo', driverPodName: 'demo-custom-driver', mainClass: 'Main', mainApplicationFile: 'local:///app.jar', arguments: ['x'] });
    expect(app.conf).toEqual({
      'spark.kubernetes.container.image': 'spark:4.0.4',
      'spark.kubernetes.container.image.pullSecrets': 'a,b',
      'spark.x': 'y',
      'spark.hadoop.fs.a': 'b',
      'spark.driver.cores': '1',
      'spark.driver.memory': '512m',
      'spark.kubernetes.authenticate.driver.serviceAccountName': 'sa',
      'spark.kubernetes.driver.label.team': 'driver-wins',
      'spark.executor.instances': '2',
      'spark.kubernetes.executor.limit.cores': '1500m',
      'spark.kubernetes.executor.deleteOnTermination': 'false',
      'spark.kubernetes.executor.label.team': 'a',
      'spark.dynamicAllocation.enabled': 'true',
      'spark.dynamicAllocation.maxExecutors': '4',
      'spark.dynamicAllocation.shuffleTracking.enabled': 'true',
      'spark.jars': 'local:///a.jar,local:///b.jar',
      'spark.jars.packages': 'g:a:1',
    });
  });

  test('webhook-only fields reach the pods only with the webhook', () => {
    const without = effectiveFromSparkApplication(sparkApp(), { webhook: false });
    expect(without.driverPod).toEqual({ metadata: {}, ...template('driver') });
    expect(without.executorPod).toEqual({ metadata: {}, spec: {} });

    const withWebhook = effectiveFromSparkApplication(sparkApp(), { webhook: true });
    expect(withWebhook.driverPod).toEqual({
      metadata: {},
      spec: {
        containers: [{ name: 'spark-kubernetes-driver', image: 'ignored-by-spark', env: [{ name: 'E', value: '1' }], volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
    });
    expect(withWebhook.executorPod).toEqual({
      metadata: {},
      spec: { containers: [{ name: 'spark-kubernetes-executor', securityContext: { runAsNonRoot: true } }], nodeSelector: { pool: 'x' } },
    });
  });

  test('a field the model does not know is refused, not ignored', () => {
    const app = sparkApp();
    ((app.spec as Json).driver as Json).shareProcessNamespace = true;
    expect(() => effectiveFromSparkApplication(app, { webhook: false })).toThrow('spec.driver: shareProcessNamespace not modelled');
    const scheduled = { ...sparkApp(), kind: 'ScheduledSparkApplication', spec: { schedule: '@daily', template: { ...(sparkApp().spec as Json), sparkConfigMap: 'conf' } } };
    expect(() => effectiveFromSparkApplication(scheduled, { webhook: false })).toThrow('spec: sparkConfigMap not modelled');
  });

  const submitObjects = (args: string[], env: Json[] = [{ name: 'JOB_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } }]): Json[] => [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'files', namespace: 'team-a' }, data: { 'driver-template.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  ownerReferences: [{name: x}]\nspec:\n  enableServiceLinks: false\n', 'executor-template.yaml': 'kind: Pod\nspec: {}\n' } },
    {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'demo', namespace: 'team-a' },
      spec: { template: { spec: { containers: [{ name: 'c', args, env, volumeMounts: [{ name: 'f', mountPath: '/files' }] }], volumes: [{ name: 'f', configMap: { name: 'files' } }] } } },
    },
  ];
  const args = (more: string[], master = EXPECTED_MASTER, deployMode = 'cluster'): string[] => [
    '--master', master, '--deploy-mode', deployMode, '--name', 'demo',
    '--conf', 'spark.kubernetes.namespace=team-a', '--conf', 'spark.kubernetes.driver.pod.name=$(JOB_NAME)-driver',
    '--conf', 'spark.kubernetes.driver.podTemplateFile=/tmp/driver-template.yaml', '--conf', 'spark.kubernetes.executor.podTemplateFile=/files/executor-template.yaml',
    '--conf', 'spark.kubernetes.submission.waitAppCompletion=true', '--conf', 'spark.a=b=c',
    ...more,
  ];

  test('a submit Job: options, conf split at the first =, dependency flags, templates from the mounted ConfigMap', () => {
    const app = effectiveFromSubmitJob(submitObjects(args(['--jars', 'local:///a.jar', 'local:///main.py', '--jars', 'arg'])), 'demo');
    expect(app).toEqual({
      namespace: 'team-a', appName: 'demo', driverPodName: 'demo-driver', mainClass: undefined, mainApplicationFile: 'local:///main.py', arguments: ['--jars', 'arg'],
      conf: { 'spark.a': 'b=c', 'spark.jars': 'local:///a.jar' },
      driverPod: { metadata: {}, spec: { enableServiceLinks: false } },
      executorPod: { metadata: {}, spec: {} },
    });
  });

  test('a submit Job that would not run in cluster mode in-cluster, or names its driver from an undefined variable, is refused', () => {
    const main = ['local:///m.py'];
    // the port is mandatory: without it the fabric8 client of spark-submit cannot connect
    expect(() => effectiveFromSubmitJob(submitObjects(args(main, 'k8s://https://kubernetes.default.svc')), 'demo')).toThrow('--master is "k8s://https://kubernetes.default.svc"');
    expect(() => effectiveFromSubmitJob(submitObjects(args(main, EXPECTED_MASTER, 'client')), 'demo')).toThrow('--deploy-mode is "client", expected cluster');
    expect(() => effectiveFromSubmitJob(submitObjects(args(['--verbose', ...main])), 'demo')).toThrow('--verbose is not modelled');
    expect(() => effectiveFromSubmitJob(submitObjects(args(main), []), 'demo')).toThrow('uses $(JOB_NAME), which the container does not define');
    expect(() => effectiveFromSubmitJob(submitObjects(args(main)), 'other')).toThrow('found 0');
  });
});
