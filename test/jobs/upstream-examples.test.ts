/**
 * SparkJob against the Kubeflow spark-operator v2.5.2 release (../shared/upstream):
 * - each upstream example, re-expressed with SparkJob, makes Spark do at least what the example
 *   does (compared through the independent model in test/helpers/spark-effective.ts);
 * - every SparkApplication / ScheduledSparkApplication SparkJob emits validates against the
 *   upstream CRD schemas and against ours.
 */
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import { parse } from 'yaml';
import {
  NetworkEndpoint, ConcurrencyPolicy, Cpu, ManifestValidator, Memory, SparkImage, SparkJob, SparkJobMode, SparkJobProps, SparkJobType,
  SparkNamespace, SparkOperator, formatIssues,
} from '../../constructs';
import { scheduledSparkApplicationCrd, sparkApplicationCrd } from '../../constructs/operator/crds';
import { Json } from '../helpers/k8s-json';
import { Obj, findObject, synth, testChart } from '../helpers/manifests';
import { operatorPrometheusDifferences } from '../helpers/jobs';
import { describeWithShared } from '../helpers/shared';
import {
  EffectiveApp, containmentProblems, effectiveFromSparkApplication, expectContains, sampleJobs, withEffectiveSecurityContexts,
} from '../helpers/spark-effective';

/** The image upstream's examples run, described for SparkJob. */
const UPSTREAM_IMAGE = SparkImage.custom({ image: 'docker.io/apache/spark:4.0.4', sparkVersion: '4.0.4', scalaVersion: '2.13', pythonVersion: '3.10' });

/**
 * Upstream runs its examples in `default` with the chart's Spark account. SparkNamespace refuses
 * to onboard `default` (Kubernetes owns it), so it is referenced by name, as one made elsewhere.
 */
const DEFAULT_NAMESPACE = SparkNamespace.fromName('default', { driverServiceAccountName: 'spark-operator-spark' });

const PI = { mainClass: 'org.apache.spark.examples.SparkPi', mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar' } as const;
/** What every example sets: 1 core and 512m per pod, one executor. */
const SMALL = { driver: { cores: 1, memory: Memory.mebibytes(512) }, executor: { instances: 1, cores: 1, memory: Memory.mebibytes(512) } } as const;

/** An upstream example and its SparkJob. */
interface Example {
  readonly props: Omit<SparkJobProps, 'namespace' | 'mode' | 'image'>;
  /** The image, when the example runs another than UPSTREAM_IMAGE. @default UPSTREAM_IMAGE */
  readonly image?: SparkImage;
  /**
   * Conf upstream's example passes that SparkJob does not, each with why that changes nothing.
   * @default - none
   */
  readonly onlyTheirs?: Readonly<Record<string, string>>;
  /** Conf both pass with different values, each with why SparkJob's does the same job. @default - none */
  readonly differs?: Readonly<Record<string, string>>;
  /** Parts of upstream's pods SparkJob's do not contain (containment problems), each with the reason. @default - none */
  readonly theirPodParts?: ReadonlyArray<readonly [RegExp, string]>;
}

const EXAMPLES: Readonly<Record<string, Example>> = {
  'spark-pi.yaml': {
    props: {
      name: 'spark-pi', type: SparkJobType.SCALA, ...PI, arguments: ['5000'],
      driver: { ...SMALL.driver, labels: { version: '4.0.0' } },
      executor: { ...SMALL.executor, labels: { version: '4.0.0' } },
    },
  },
  'spark-pi-python.yaml': {
    props: { name: 'spark-pi-python', type: SparkJobType.PYTHON, mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py', ...SMALL },
    onlyTheirs: {
      'spark.kubernetes.pyspark.pythonVersion': 'deprecated since Spark 3.1 and a no-op (only "3" is accepted); the image decides the Python',
    },
  },
  'spark-pi-configmap.yaml': {
    props: {
      name: 'spark-pi-configmap', type: SparkJobType.SCALA, ...PI, ...SMALL,
      volumes: [{ name: 'config-vol', configMap: { name: 'test-configmap' } }],
      pods: { volumeMounts: [{ volume: 'config-vol', path: '/opt/spark/config' }] },
    },
  },
  'spark-pi-custom-resource.yaml': {
    props: {
      name: 'spark-pi-custom-resource', type: SparkJobType.SCALA, ...PI,
      driver: { coreRequest: Cpu.millis(500), coreLimit: Cpu.millis(800), memory: Memory.mebibytes(512) },
      executor: { instances: 1, coreRequest: Cpu.millis(1200), coreLimit: Cpu.millis(1500), memory: Memory.mebibytes(512) },
    },
  },
  'spark-pi-dynamic-allocation.yaml': {
    props: {
      name: 'spark-pi-dynamic-allocation', type: SparkJobType.SCALA, ...PI,
      driver: SMALL.driver,
      executor: { cores: 1, memory: Memory.mebibytes(512) },
      dynamicAllocation: { minExecutors: 1, initialExecutors: 2, maxExecutors: 5 },
    },
    onlyTheirs: {
      // SparkJob refuses executor.instances next to dynamic allocation (which decides the count).
      'spark.executor.instances': 'with dynamic allocation Spark starts max(initialExecutors, minExecutors, instances) = max(2, 1, 1) executors, as SparkJob\'s initialExecutors 2 does',
    },
  },
  'spark-pi-scheduled.yaml': {
    props: {
      name: 'spark-pi-scheduled', type: SparkJobType.SCALA, ...PI, ...SMALL,
      schedule: { cron: '@every 3m', concurrencyPolicy: ConcurrencyPolicy.ALLOW },
    },
  },
  // The JMX exporter as a Java agent (monitoring.jmxExporter, issue 18). Upstream relies on the
  // operator's own ConfigMap, which the webhook mounts; SparkJob mounts its own through the pod
  // templates (in-image paths in spec.monitoring), so it needs no webhook.
  'spark-pi-prometheus.yaml': {
    image: SparkImage.custom({ image: 'docker.io/apache/spark:4.0.4-gcs-prometheus', sparkVersion: '4.0.4', scalaVersion: '2.13', pythonVersion: '3.10' }),
    props: {
      name: 'spark-pi', type: SparkJobType.SCALA, ...PI, arguments: ['100000'], imagePullPolicy: 'Always',
      driver: { ...SMALL.driver, labels: { version: '4.0.0' } },
      executor: { ...SMALL.executor, labels: { version: '4.0.0' } },
      monitoring: { jmxExporter: { jar: 'local:///prometheus/jmx_prometheus_javaagent-0.11.0.jar', port: 8090 } },
    },
    ...operatorPrometheusDifferences('spark-pi'),
  },
};
/** Upstream examples SparkJob cannot re-express, each with the reason: none since monitoring.jmxExporter. */
const SKIPPED: Readonly<Record<string, string>> = {};

/** The example as SparkJob renders it in operator mode (own chart): its SparkApplication or ScheduledSparkApplication. */
function ourExample(example: Example): Obj {
  const chart = testChart();
  new SparkJob(chart, 'Job', { ...example.props, namespace: DEFAULT_NAMESPACE, mode: SparkJobMode.OPERATOR, image: example.image ?? UPSTREAM_IMAGE });
  return findObject(synth(chart), example.props.schedule ? 'ScheduledSparkApplication' : 'SparkApplication', example.props.name, 'default');
}

/** A CPU quantity in millicores ("0.5" and "500m" are the same request). */
function millicores(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)(m?)$/.exec(quantity);
  if (!m) throw new Error(`${quantity} is not a CPU quantity`);
  return m[2] === 'm' ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

/** Whether two values of conf `key` mean the same to Spark. */
function sameConfValue(key: string, ours: string, theirs: string): boolean {
  if (/^spark\.kubernetes\.(driver|executor)\.(request|limit)\.cores$/.test(key)) return millicores(ours) === millicores(theirs);
  return ours === theirs;
}

/** The effective app without conf, with each container's securityContext as Kubernetes applies it. */
function comparable(app: EffectiveApp): Json {
  const { conf: _conf, driverPod, executorPod, ...rest } = app;
  return { ...rest, driverPod: withEffectiveSecurityContexts(driverPod), executorPod: withEffectiveSecurityContexts(executorPod) };
}

/** The SparkApplicationSpec of a SparkApplication, or the template of a ScheduledSparkApplication. */
function appSpec(obj: Json): Json {
  const spec = obj.spec as Json;
  return obj.kind === 'ScheduledSparkApplication' ? (spec.template as Json) : spec;
}

describeWithShared('upstream spark-operator v2.5.2 examples re-expressed with SparkJob', (shared) => {
  const upstreamDir = path.join(shared, 'upstream', 'kubeflow-spark-operator-v2.5.2');
  // spark-pi-prometheus.yaml is a template: its image starts with {IMAGE_REGISTRY}/{IMAGE_REPOSITORY}/
  // placeholders (not even YAML as written), filled in before use; left empty here (Docker Hub's image).
  const readExample = (file: string): Json => parse(readFileSync(path.join(upstreamDir, 'examples', file), 'utf8').split('{IMAGE_REGISTRY}/{IMAGE_REPOSITORY}/').join('')) as Json;

  test('every upstream example is either re-expressed or skipped with a reason', () => {
    const files = readdirSync(path.join(upstreamDir, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual([...Object.keys(EXAMPLES), ...Object.keys(SKIPPED)].sort());
  });

  test.each(Object.keys(EXAMPLES))('%s: ours does what upstream\'s does', (file) => {
    // GIVEN upstream's example, with the webhook it relies on (its securityContext and volume
    // mounts are webhook-only fields), and ours, which needs none
    const example = EXAMPLES[file];
    const upstream = readExample(file);
    const ours = ourExample(example);
    const theirs = effectiveFromSparkApplication(upstream, { webhook: true });
    const mine = effectiveFromSparkApplication(ours, { webhook: false });

    // THEN names, main file, arguments and pods of theirs are contained in ours, but for the listed parts
    const parts = example.theirPodParts ?? [];
    const problems = containmentProblems(comparable(mine), comparable(theirs));
    expect(problems.filter((p) => !parts.some(([re]) => re.test(p)))).toEqual([]);
    expect(parts.filter(([re]) => !problems.some((p) => re.test(p))).map(([re]) => re.source)).toEqual([]);

    // AND every conf key of theirs is in ours with the same meaning, or explained
    const onlyTheirs = example.onlyTheirs ?? {};
    const differs = example.differs ?? {};
    const conflicts = Object.entries(theirs.conf)
      .filter(([key, value]) => (key in mine.conf ? !sameConfValue(key, mine.conf[key], value) && !(key in differs) : !(key in onlyTheirs)))
      .map(([key, value]) => `${key}: ours ${JSON.stringify(mine.conf[key])}, theirs ${JSON.stringify(value)}`);
    expect(conflicts).toEqual([]);
    // ... and each explanation is still needed
    expect(Object.keys(onlyTheirs).filter((key) => !(key in theirs.conf) || key in mine.conf)).toEqual([]);
    expect(Object.keys(differs).filter((key) => !(key in theirs.conf) || !(key in mine.conf) || sameConfValue(key, mine.conf[key], theirs.conf[key]))).toEqual([]);

    // AND what the model does not cover agrees: kind, language, Spark version, restart policy
    expect(ours.kind).toBe(upstream.kind);
    expectContains(appSpec(ours), { type: appSpec(upstream).type, mode: appSpec(upstream).mode, sparkVersion: appSpec(upstream).sparkVersion });
    if (appSpec(upstream).restartPolicy !== undefined) expectContains(appSpec(ours).restartPolicy, appSpec(upstream).restartPolicy);
  });

  test('the examples compare on substance: image, sizes, labels, mounts, requests, dynamic allocation', () => {
    const mine = (file: string) => effectiveFromSparkApplication(ourExample(EXAMPLES[file]), { webhook: false });
    expect(mine('spark-pi.yaml').conf).toMatchObject({
      'spark.kubernetes.container.image': 'docker.io/apache/spark:4.0.4',
      'spark.driver.memory': '512m',
      'spark.executor.instances': '1',
      'spark.kubernetes.authenticate.driver.serviceAccountName': 'spark-operator-spark',
      'spark.kubernetes.driver.label.version': '4.0.0',
    });
    const configmap = mine('spark-pi-configmap.yaml');
    expect((configmap.executorPod.spec as Json).volumes).toContainEqual({ name: 'config-vol', configMap: { name: 'test-configmap' } });
    expect(mine('spark-pi-custom-resource.yaml').conf).toMatchObject({ 'spark.kubernetes.driver.request.cores': '500m', 'spark.kubernetes.executor.limit.cores': '1500m' });
    expect(mine('spark-pi-dynamic-allocation.yaml').conf).toMatchObject({ 'spark.dynamicAllocation.initialExecutors': '2', 'spark.dynamicAllocation.maxExecutors': '5' });
    // the JMX exporter: the same agent, port and scrape annotations on both pods; theirs through the webhook's mount and port
    const prometheus = mine('spark-pi-prometheus.yaml');
    const upstreamPrometheus = effectiveFromSparkApplication(readExample('spark-pi-prometheus.yaml'), { webhook: true });
    for (const app of [prometheus, upstreamPrometheus]) {
      expect(app.conf).toMatchObject({
        'spark.metrics.namespace': 'default.spark-pi',
        'spark.kubernetes.executor.annotation.prometheus.io/port': '8090',
        'spark.kubernetes.driver.annotation.prometheus.io/path': '/metrics',
      });
      expect(app.conf['spark.executor.extraJavaOptions']).toMatch(/^-javaagent:\/prometheus\/jmx_prometheus_javaagent-0\.11\.0\.jar=8090:\/etc\/(spark-platform\/metrics\/jmx-exporter\.yaml|metrics\/conf\/prometheus\.yaml)$/);
      const executor = ((app.executorPod.spec as Json).containers as Json[]).find((c) => c.name === 'spark-kubernetes-executor') as Json;
      expect(executor.ports).toEqual([{ name: 'jmx-exporter', containerPort: 8090, protocol: 'TCP' }]);
    }
    // without the webhook, upstream's pods would lack the exporter's config: the JVMs' -javaagent would not start
    expect(() => effectiveFromSparkApplication(readExample('spark-pi-prometheus.yaml'), { webhook: false })).toThrow(/mounted by its webhook only/);

    // The containment check itself reports what upstream has and ours lacks.
    const theirs = effectiveFromSparkApplication(readExample('spark-pi-configmap.yaml'), { webhook: true });
    const withoutMount = comparable(mine('spark-pi.yaml'));
    expect(containmentProblems(withoutMount, comparable(theirs))).toEqual(expect.arrayContaining([
      expect.stringContaining('.appName'),
      expect.stringMatching(/^\.driverPod\.spec\.containers\[name=spark-kubernetes-driver\]\.volumeMounts\[name=config-vol\]: missing/),
    ]));
  });

  test('the scheduled example: same schedule and concurrency policy', () => {
    const upstream = readExample('spark-pi-scheduled.yaml');
    const ours = ourExample(EXAMPLES['spark-pi-scheduled.yaml']);
    expect(ours.spec).toMatchObject({ schedule: (upstream.spec as Json).schedule, concurrencyPolicy: 'Allow' });
    expect((upstream.spec as Json).concurrencyPolicy).toBe('Allow');
  });
});

/** Every SparkApplication / ScheduledSparkApplication of this file: the re-expressed examples and the sample jobs, in operator mode. */
function generatedResources(): Array<[string, Obj]> {
  const samples = Object.entries(sampleJobs()).map(([key, sample]): [string, Obj] => {
    const chart = testChart();
    // Packages (deps.packages) need a way out to a Maven repository.
  const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs', packageRepository: NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }]) });
    const operator = new SparkOperator(chart, 'Operator', { jobNamespaces: [ns] });
    const job = new SparkJob(chart, 'Job', { ...sample.props, namespace: ns, operator, mode: SparkJobMode.OPERATOR });
    sample.configure?.(job);
    const kind = sample.props.schedule ? 'ScheduledSparkApplication' : 'SparkApplication';
    return [`sample ${key}`, findObject(synth(chart), kind, sample.props.name, 'spark-jobs')];
  });
  return [...Object.entries(EXAMPLES).map(([file, example]): [string, Obj] => [`example ${file}`, ourExample(example)]), ...samples];
}

/** Asserts that `validator` accepts every generated resource, and rejects a broken one (so the check has teeth). */
function describeConformance(crds: string, validator: () => ManifestValidator): void {
  const generated = generatedResources();

  test('both kinds are covered', () => {
    expect(generated.map(([, obj]) => obj.kind).sort()).toEqual([...Array(14).fill('SparkApplication'), 'ScheduledSparkApplication', 'ScheduledSparkApplication'].sort());
  });

  test.each(generated)(`%s validates against ${crds}`, (_what, obj) => {
    expect(formatIssues(validator().validate(obj))).toBe('');
  });

  test(`${crds} reject a broken SparkApplication`, () => {
    const broken = JSON.parse(JSON.stringify(generated[0][1])) as Json;
    const spec = broken.spec as Json;
    (spec.executor as Json).cores = 0;
    (spec.driver as Json).memroy = '1g';
    const issues = formatIssues(validator().validate(broken));
    expect(issues).toContain('/spec/executor/cores');
    expect(issues).toContain('memroy');
  });
}

describe('every SparkApplication and ScheduledSparkApplication SparkJob emits validates against our CRDs', () => {
  // our CRD functions return props: the wire form is what the API server (and the validator) reads
  const validator = new ManifestValidator({ crds: [sparkApplicationCrd(), scheduledSparkApplicationCrd()].map((props) => k8s.KubeCustomResourceDefinition.manifest(props)) });
  describeConformance('our CRDs', () => validator);
});

describeWithShared('every SparkApplication and ScheduledSparkApplication SparkJob emits validates against the upstream v2.5.2 CRDs', (shared) => {
  const crdFile = (plural: string): Json => parse(readFileSync(path.join(shared, 'upstream', 'kubeflow-spark-operator-v2.5.2', 'crds', `sparkoperator.k8s.io_${plural}.yaml`), 'utf8')) as Json;
  // Built on first use: upstream's CRDs are large (0.8 MB each), and a skipped test should not pay for them.
  let validator: ManifestValidator | undefined;
  describeConformance('the upstream CRDs', () => (validator ??= new ManifestValidator({ crds: [crdFile('sparkapplications'), crdFile('scheduledsparkapplications')] })));
});
