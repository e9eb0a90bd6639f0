/**
 * Issue 18: SparkJob covers production SparkApplications. Four applications as teams run them on
 * the Kubeflow spark-operator v2.5.2 (hand-written, test/jobs/fixtures/production/*.yaml), each
 * re-expressed with SparkJob, and compared through the independent model
 * (test/helpers/spark-effective.ts), field by field:
 *
 * - names, main file, arguments, pod group: equal;
 * - conf: every key on both sides equal, and each key only one side has, or with a different
 *   value, listed with its reason (per application, or platform-wide for what SparkJob adds to
 *   every job); every listed reason must still be needed;
 * - pods (the webhook modelled for the hand-written ones, which rely on it): the hand-written
 *   pods contained in SparkJob's, and what SparkJob's pods have on top listed with its reason;
 * - what the model does not read (type, Spark version, restart policy, TTL, schedule) compared
 *   on the objects.
 *
 * Then each SparkJob is rendered in submit and Apache-operator mode where the mode allows it,
 * with the same pods as in operator mode, and what a mode refuses is asserted with its message.
 * Two findings of this file were fixed in the constructs: the pods name the batch scheduler without
 * the operator's webhook, and the pod group's minimum counts extended resources (GPUs).
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import { parse } from 'yaml';
import {
  ApacheSparkOperator, ConcurrencyPolicy, Cpu, ManifestValidator, Memory, NetworkEndpoint, RestartPolicy, SparkEnvValue, SparkImage, SparkJob,
  SparkJobMode, SparkJobProps, SparkJobType, SparkNamespace, SparkNamespaceProps, SparkOperator, WebhookCertificate, formatIssues,
} from '../../constructs';
import { scheduledSparkApplicationCrd, sparkApplicationCrd } from '../../constructs/operator/crds';
import { Json } from '../helpers/k8s-json';
import { Obj, findObject, synth, testChart } from '../helpers/manifests';
import { operatorPrometheusDifferences } from '../helpers/jobs';
import { describeWithShared } from '../helpers/shared';
import {
  EffectiveApp, SCHEDULED_RUN_SUFFIX, containmentProblems, effectiveFromApacheSparkApplication, effectiveFromSparkApplication, effectiveFromSubmitJob,
  sparkLocalDirs, withEffectiveSecurityContexts, withSparkResourceLimits,
} from '../helpers/spark-effective';

const FIXTURES = path.join(__dirname, 'fixtures', 'production');

/** An image of the teams' own, described for SparkJob (Spark 4.0.1, Scala 2.13, Python 3.10). */
function teamImage(image: string, python = true): SparkImage {
  return SparkImage.custom({ image, sparkVersion: '4.0.1', scalaVersion: '2.13', ...(python ? { pythonVersion: '3.10' } : {}) });
}

const S3A = { 'fs.s3a.endpoint': 'http://minio.storage.svc:9000', 'fs.s3a.path.style.access': 'true' } as const;
const GPU_NODES = { nodeSelector: { 'nvidia.com/gpu.present': 'true' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } as const;

/** A mode in which a prop of the application is refused: the message, and the props the mode gets without it. */
interface Refusal {
  readonly mode: SparkJobMode;
  /** What the mode refuses, matched against the synth error (field, problem and fix). */
  readonly message: RegExp;
  /** The application's props without what the mode refuses, for the same-pods comparison. */
  readonly without: (props: AppProps) => AppProps;
}

type AppProps = Omit<SparkJobProps, 'namespace' | 'operator' | 'mode'>;

/** One production application: the hand-written object, its SparkJob, and every difference with its reason. */
interface ProductionApp {
  /** The hand-written SparkApplication / ScheduledSparkApplication in fixtures/production. */
  readonly file: string;
  /** The tenant namespace (quota sized for the job). */
  readonly tenant: SparkNamespaceProps;
  readonly props: AppProps;
  /** The operator SparkJob needs: its webhook (memoryLimit), batch scheduling. */
  readonly operator: { readonly webhook?: boolean; readonly batchScheduler?: boolean };
  /** Conf keys only the hand-written one passes, each with why SparkJob's pods still do the same. @default - none */
  readonly onlyTheirs?: Readonly<Record<string, string>>;
  /** Conf keys only SparkJob passes beyond the platform-wide ones (OUR_CONF_ADDITIONS). @default - none */
  readonly onlyOurs?: Readonly<Record<string, string>>;
  /** Conf keys both pass with different values. @default - none */
  readonly differs?: Readonly<Record<string, string>>;
  /** Parts of the hand-written pods SparkJob's do not contain (containment problems), each with the reason. @default - none */
  readonly theirPodParts?: ReadonlyArray<readonly [RegExp, string]>;
  /** Modes that refuse something of the application. */
  readonly refusals: readonly Refusal[];
}

const APPS: Readonly<Record<string, ProductionApp>> = {
  // (1) GPU training with Volcano gang scheduling
  'gpu-training': {
    file: 'gpu-training.yaml',
    tenant: { name: 'ml-training', quota: { cpu: Cpu.cores(32), memory: Memory.gibibytes(192) } },
    operator: { webhook: true, batchScheduler: true },
    props: {
      name: 'recsys-train',
      type: SparkJobType.PYTHON,
      image: teamImage('registry.example.com/ml/spark-gpu:4.0.1-cuda12.4'),
      imagePullSecrets: ['registry-ml'],
      mainApplicationFile: 'local:///opt/app/train.py',
      arguments: ['--epochs', '20', '--model-dir', 's3a://ml-models/recsys/'],
      labels: { team: 'recsys' },
      timeToLiveSeconds: 86400,
      batchScheduler: {
        name: 'volcano', queue: 'gpu-training', priorityClassName: 'gpu-batch-high',
        minResources: { cpu: Cpu.cores(18), memory: Memory.gibibytes(136), extended: { 'nvidia.com/gpu': 4 } },
      },
      priorityClassName: 'gpu-batch-high',
      sparkConf: { 'spark.task.resource.gpu.amount': '0.25', 'spark.sql.shuffle.partitions': '400' },
      hadoopConf: S3A,
      driver: { cores: 2, memory: Memory.gibibytes(8) },
      executor: { instances: 4, cores: 4, memory: Memory.gibibytes(24), memoryOverhead: Memory.gibibytes(4), gpu: { amount: 1 }, ...GPU_NODES },
    },
    refusals: [
      {
        mode: SparkJobMode.SUBMIT,
        message: /batchScheduler\.name: "volcano" in submit mode needs Spark's VolcanoFeatureStep.*Fix: use operator mode/,
        without: ({ batchScheduler: _b, ...rest }) => rest,
      },
      {
        mode: SparkJobMode.APACHE_OPERATOR,
        message: /batchScheduler\.name: "volcano" in apache-operator mode needs Spark's VolcanoFeatureStep/,
        without: ({ batchScheduler: _b, ...rest }) => rest,
      },
    ],
  },

  // (2) ETL: executor template features, dynamic allocation, JMX exporter + PrometheusServlet, scratch on disk
  'etl-dynamic': {
    file: 'etl-dynamic.yaml',
    tenant: { name: 'data-eng', quota: { cpu: Cpu.cores(64), memory: Memory.gibibytes(256) }, packageRepository: NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }]) },
    operator: {},
    props: {
      name: 'orders-etl',
      type: SparkJobType.SCALA,
      image: teamImage('registry.example.com/data/spark-etl:4.0.1-jmx', false),
      mainClass: 'com.example.etl.OrdersDaily',
      mainApplicationFile: 's3a://artifacts/etl/orders-etl-3.2.0.jar',
      arguments: ['--run-date', '2024-06-01', '--target', 's3a://warehouse/orders/'],
      labels: { 'team': 'data-eng', 'cost-center': 'cc-4711' },
      restartPolicy: RestartPolicy.onFailure({ retries: 2, retryIntervalSeconds: 120, submissionRetries: 2, submissionRetryIntervalSeconds: 60 }),
      timeToLiveSeconds: 172800,
      deps: { packages: ['org.apache.hadoop:hadoop-aws:3.4.1'] },
      dynamicAllocation: { initialExecutors: 2, minExecutors: 1, maxExecutors: 12, shuffleTrackingTimeoutMillis: 600_000 },
      monitoring: { jmxExporter: { jar: 'local:///opt/spark/jmx/jmx_prometheus_javaagent.jar', port: 8090 } },
      sparkConf: {
        'spark.sql.adaptive.enabled': 'true',
        'spark.sql.shuffle.partitions': '800',
        'spark.driver.extraJavaOptions': '-XX:+UseG1GC',
        'spark.executor.extraJavaOptions': '-XX:+UseG1GC',
      },
      hadoopConf: S3A,
      driver: { cores: 1, memory: Memory.gibibytes(4) },
      executor: {
        cores: 4, memory: Memory.gibibytes(16), memoryOverhead: Memory.gibibytes(2),
        scratch: { emptyDir: { sizeLimit: Memory.gibibytes(50) } },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'spark-role': 'executor' } } }],
      },
    },
    onlyTheirs: {
      'spark.kubernetes.executor.volumes.emptyDir.spark-local-dir-1.mount.path': 'the same local dir (spark-local-dir-1 at /var/data/spark-scratch): SparkJob puts it in the executor template instead of conf; compared through sparkLocalDirs below',
      'spark.kubernetes.executor.volumes.emptyDir.spark-local-dir-1.options.sizeLimit': 'likewise: the template\'s emptyDir has sizeLimit 50Gi',
    },
    ...operatorPrometheusDifferences('orders-etl'),
    refusals: [
      {
        mode: SparkJobMode.SUBMIT,
        message: /restartPolicy: .*submit mode/,
        without: ({ restartPolicy: _r, ...rest }) => rest,
      },
    ],
  },

  // (3) Scheduled PySpark with a native log-shipper sidecar and secrets from references
  'scheduled-pyspark': {
    file: 'scheduled-pyspark.yaml',
    tenant: { name: 'finance' },
    operator: {},
    props: {
      name: 'billing-report',
      type: SparkJobType.PYTHON,
      image: teamImage('registry.example.com/finance/billing:2.3.0'),
      mainApplicationFile: 'local:///opt/app/billing_report.py',
      arguments: ['--output', 's3a://reports/billing/'],
      labels: { team: 'finance' },
      timeToLiveSeconds: 86400,
      schedule: { cron: '30 2 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: ConcurrencyPolicy.FORBID, successfulRunHistoryLimit: 3, failedRunHistoryLimit: 5 },
      deps: { pyFiles: ['local:///opt/app/billing_lib.zip'] },
      sparkConf: { 'spark.sql.session.timeZone': 'Europe/Berlin' },
      hadoopConf: S3A,
      volumes: [{ name: 'app-logs', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }],
      pods: {
        env: { BILLING_DB_PASSWORD: SparkEnvValue.fromSecret('billing-db', 'password') },
        envFrom: { secrets: ['billing-s3-credentials'] },
      },
      driver: {
        cores: 1,
        memory: Memory.gibibytes(2),
        env: { LOG_DIR: SparkEnvValue.fromValue('/var/log/billing') },
        volumeMounts: [{ volume: 'app-logs', path: '/var/log/billing' }],
        sidecars: [{
          name: 'log-shipper',
          image: 'fluent/fluent-bit:3.1.9',
          native: true,
          args: ['-i', 'tail', '-p', 'path=/var/log/billing/*.log', '-o', 'forward', '-p', 'host=log-aggregator.logging.svc', '-p', 'port=24224'],
          resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') }, limits: { memory: k8s.Quantity.fromString('64Mi') } },
          volumeMounts: [{ name: 'app-logs', mountPath: '/var/log/billing', readOnly: true }],
        }],
      },
      executor: { instances: 3, cores: 2, memory: Memory.gibibytes(4) },
    },
    refusals: [
      {
        mode: SparkJobMode.APACHE_OPERATOR,
        message: /schedule: is set, but the Apache Spark Kubernetes Operator \(1\.0\.0\) has no scheduled applications.*Fix: use SparkJobMode\.OPERATOR/,
        without: ({ schedule: _s, ...rest }) => rest,
      },
    ],
  },

  // (4) Java with extra ports, PVC scratch (OnDemand, reused), a lifecycle hook, an init container, a memory limit
  'java-service': {
    file: 'java-service.yaml',
    tenant: { name: 'risk', quota: { cpu: Cpu.cores(16), memory: Memory.gibibytes(64), storage: Memory.gibibytes(400) } },
    operator: { webhook: true },
    props: {
      name: 'fraud-scoring',
      type: SparkJobType.JAVA,
      image: teamImage('registry.example.com/risk/fraud-scoring:5.1.0', false),
      mainClass: 'com.example.risk.FraudScoring',
      mainApplicationFile: 'local:///opt/app/fraud-scoring.jar',
      arguments: ['--window', '24h'],
      labels: { team: 'risk' },
      timeToLiveSeconds: 86400,
      sparkConf: { 'spark.memory.offHeap.enabled': 'true', 'spark.memory.offHeap.size': '2g' },
      pods: { terminationGracePeriodSeconds: 60, ports: [{ name: 'profiler', containerPort: 8849 }] },
      driver: {
        cores: 1,
        memory: Memory.gibibytes(2),
        initContainers: [{
          name: 'wait-for-feature-store',
          image: 'curlimages/curl:8.10.1',
          command: ['sh', '-c', 'until curl -fsS http://feature-store.risk.svc:8080/health; do sleep 5; done'],
        }],
        lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 10'] } } },
      },
      executor: {
        instances: 3, cores: 2, memory: Memory.gibibytes(8), memoryOverhead: Memory.gibibytes(3), memoryLimit: Memory.gibibytes(14),
        scratch: { onDemandClaim: { storageClass: 'fast-ssd', size: Memory.gibibytes(100), reuse: true, waitToReuse: true } },
      },
    },
    refusals: [
      {
        mode: SparkJobMode.SUBMIT,
        message: /executor\.memoryLimit: cannot differ from the request in submit mode: Spark sets the container's memory limit to its request.*Fix: .*SparkJobMode\.OPERATOR with a SparkOperator that has its webhook/,
        without: ({ executor, ...rest }) => ({ ...rest, executor: { ...executor, memoryLimit: undefined } }),
      },
      {
        mode: SparkJobMode.APACHE_OPERATOR,
        message: /executor\.memoryLimit: cannot differ from the request in apache-operator mode.*Fix: .*SparkJobMode\.OPERATOR with a SparkOperator that has its webhook/,
        without: ({ executor, ...rest }) => ({ ...rest, executor: { ...executor, memoryLimit: undefined } }),
      },
    ],
  },
};

/**
 * What SparkJob passes to every job on top of what a team writes, each with its reason (a key
 * matching none of these, and not listed by the application, fails the comparison).
 */
const OUR_CONF_ADDITIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^spark\.kubernetes\.(driver|executor)\.label\.(app\.kubernetes\.io\/(managed-by|part-of)|spark-platform\.io\/job)$/, 'the platform\'s labels (constructs/labels.ts): the doctor, NetworkPolicies and dashboards find a job\'s pods by them'],
  [/^spark\.jars\.ivy$/, 'read-only root filesystem: the Ivy cache goes to the /tmp emptyDir'],
  [/^spark\.kubernetes\.(driver|executor)\.podTemplateContainerName$/, 'SparkJob names the Spark container of its templates, so Spark never takes a user container for it'],
  [/^spark\.ui\.prometheus\.enabled$|^spark\.metrics\.conf\.\*\.sink\.prometheusServlet\.(class|path)$/, 'Spark\'s PrometheusServlet, on by default (monitoring.prometheus)'],
  [/^spark\.kubernetes\.driver\.annotation\.prometheus\.io\/(scrape|port|path)$/, 'the scrape annotations of the PrometheusServlet on the driver'],
  [/^spark\.kubernetes\.executor\.deleteOnTermination$/, 'Spark\'s default (true), written out'],
];

/** What SparkJob's pods have on top of the hand-written ones (containment problems of ours in theirs), each with its reason. */
const OUR_POD_ADDITIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.spec\.(automountServiceAccountToken|enableServiceLinks): missing/, 'token only where the API is called (drivers); no Service env vars (thousands of them end in "argument list too long")'],
  [/\.spec\.securityContext(\.[a-zA-Z]+)*: missing/, 'the restricted Pod Security profile, on every pod'],
  [/\.securityContext(\.[a-zA-Z]+)*: missing/, 'the restricted profile on every container, with a read-only root filesystem'],
  [/\.(volumes|volumeMounts)\[name=spark-platform-(tmp|workdir)\]: missing/, 'emptyDirs where Spark writes (/tmp, the working directory) under the read-only root'],
  [/\.(volumes|volumeMounts)\[name=spark-platform-metrics\]: missing|\.ports\[name=jmx-exporter\]: missing/, 'SparkJob\'s JMX exporter ConfigMap and its named port (declared in the template, not by the webhook)'],
  [/\.(volumes|volumeMounts)\[name=spark-local-dir-1\]: missing|\.resources(\.requests)?(\.ephemeral-storage)?: missing/, 'the scratch emptyDir in the template (the hand-written one passes it as conf), with its ephemeral-storage request'],
];

/** The operator a job of `app` needs, in `chart`. */
function operatorFor(chart: ReturnType<typeof testChart>, app: ProductionApp, ns: SparkNamespace): SparkOperator {
  return new SparkOperator(chart, 'Operator', {
    jobNamespaces: [ns],
    ...(app.operator.webhook ? { webhook: { certificate: WebhookCertificate.selfSigned() } } : {}),
    ...(app.operator.batchScheduler ? { batchScheduler: {} } : {}),
  });
}

/** Synthesizes `props` in `mode` in a chart of its own with the app's tenant and operator. */
function render(app: ProductionApp, mode: SparkJobMode, props: AppProps = app.props, operatorOverride?: Partial<ProductionApp['operator']>): Obj[] {
  const chart = testChart();
  const ns = new SparkNamespace(chart, 'Tenant', app.tenant);
  const withOperator = { ...app, operator: { ...app.operator, ...operatorOverride } };
  const operator = mode === SparkJobMode.APACHE_OPERATOR
    ? new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [ns] })
    : mode === SparkJobMode.OPERATOR ? operatorFor(chart, withOperator, ns) : undefined;
  new SparkJob(chart, 'Job', { ...props, namespace: ns, operator, mode });
  return synth(chart);
}

function readTheirs(app: ProductionApp): Json {
  return parse(readFileSync(path.join(FIXTURES, app.file), 'utf8')) as Json;
}

function kindOf(props: AppProps): string {
  return props.schedule ? 'ScheduledSparkApplication' : 'SparkApplication';
}

function ours(app: ProductionApp, operatorOverride?: Partial<ProductionApp['operator']>): Obj {
  return findObject(render(app, SparkJobMode.OPERATOR, app.props, operatorOverride), kindOf(app.props), app.props.name, app.tenant.name);
}

/** The SparkApplicationSpec of a SparkApplication, or the template of a ScheduledSparkApplication. */
function appSpec(obj: Json): Json {
  const spec = obj.spec as Json;
  return obj.kind === 'ScheduledSparkApplication' ? (spec.template as Json) : spec;
}

/** Both sides through the model: the hand-written one with the webhook it relies on, ours with the webhook only when its operator runs one. */
function bothSides(app: ProductionApp): { theirs: EffectiveApp; mine: EffectiveApp; ourObject: Obj } {
  const ourObject = ours(app);
  return {
    theirs: withSparkResourceLimits(effectiveFromSparkApplication(readTheirs(app), { webhook: true })),
    mine: withSparkResourceLimits(effectiveFromSparkApplication(ourObject, { webhook: app.operator.webhook === true })),
    ourObject,
  };
}

/** A pod as Kubernetes applies it (pod-level security fields inherited by containers). */
function pods(app: EffectiveApp): Json {
  return { driverPod: withEffectiveSecurityContexts(app.driverPod), executorPod: withEffectiveSecurityContexts(app.executorPod) };
}

/** The conf differences of ours and theirs not explained by `app` or OUR_CONF_ADDITIONS, and the explanations used. */
function confDifferences(app: ProductionApp, mine: EffectiveApp, theirs: EffectiveApp): { unexplained: string[]; used: Set<string> } {
  const used = new Set<string>();
  const unexplained: string[] = [];
  for (const key of [...new Set([...Object.keys(mine.conf), ...Object.keys(theirs.conf)])].sort()) {
    const [o, t] = [mine.conf[key], theirs.conf[key]];
    if (o === t) continue;
    if (o !== undefined && t !== undefined) {
      if (app.differs?.[key] !== undefined) used.add(`differs ${key}`);
      else unexplained.push(`${key}: ours ${JSON.stringify(o)}, theirs ${JSON.stringify(t)}`);
    } else if (o === undefined) {
      if (app.onlyTheirs?.[key] !== undefined) used.add(`onlyTheirs ${key}`);
      else unexplained.push(`${key}: only theirs (${JSON.stringify(t)})`);
    } else {
      const platform = OUR_CONF_ADDITIONS.find(([re]) => re.test(key));
      if (app.onlyOurs?.[key] !== undefined) used.add(`onlyOurs ${key}`);
      else if (platform) used.add(`platform ${platform[0].source}`);
      else unexplained.push(`${key}: only ours (${JSON.stringify(o)})`);
    }
  }
  return { unexplained, used };
}

/**
 * Containment problems with a whole missing array of named items split into one problem per item
 * (`.volumes: missing (theirs [...])` -> `.volumes[name=x]: missing`), so each item is explained.
 */
function perItem(problems: readonly string[]): string[] {
  return problems.flatMap((p) => {
    const m = /^(.*): missing \(theirs (\[.*\])\)$/.exec(p);
    if (!m) return [p];
    const items = JSON.parse(m[2]) as unknown[];
    if (!items.every((i) => typeof i === 'object' && i !== null && typeof (i as Json).name === 'string')) return [p];
    return items.map((i) => `${m[1]}[name=${String((i as Json).name)}]: missing`);
  });
}

/** What SparkJob's pods of `app` have on top of the hand-written ones, and the reasons that explain them. */
function podAdditions(app: ProductionApp): { unexplained: string[]; used: Set<string> } {
  const { theirs, mine } = bothSides(app);
  const used = new Set<string>();
  const unexplained = perItem(containmentProblems(pods(theirs), pods(mine))).filter((p) => {
    const reason = OUR_POD_ADDITIONS.find(([re]) => re.test(p));
    if (reason) used.add(reason[0].source);
    return !reason;
  });
  return { unexplained, used };
}

describe.each(Object.keys(APPS))('%s: SparkJob\'s SparkApplication does what the hand-written one does', (key) => {
  const app = APPS[key];

  test('names, main file, arguments, proxy user and pod group are equal', () => {
    const { theirs, mine } = bothSides(app);
    const { conf: _c, driverPod: _d, executorPod: _e, ...ourNames } = mine;
    const { conf: _c2, driverPod: _d2, executorPod: _e2, ...theirNames } = theirs;
    expect(ourNames).toEqual(theirNames);
  });

  test('conf: equal, but for the listed differences (each still needed)', () => {
    const { theirs, mine } = bothSides(app);
    const { unexplained, used } = confDifferences(app, mine, theirs);
    expect(unexplained).toEqual([]);
    const listed = [
      ...Object.keys(app.differs ?? {}).map((k) => `differs ${k}`),
      ...Object.keys(app.onlyTheirs ?? {}).map((k) => `onlyTheirs ${k}`),
      ...Object.keys(app.onlyOurs ?? {}).map((k) => `onlyOurs ${k}`),
    ];
    expect(listed.filter((l) => !used.has(l))).toEqual([]);
  });

  test('pods: the hand-written pods are contained in SparkJob\'s, but for the listed parts', () => {
    const { theirs, mine } = bothSides(app);
    const problems = containmentProblems(pods(mine), pods(theirs));
    const listed = app.theirPodParts ?? [];
    expect(problems.filter((p) => !listed.some(([re]) => re.test(p)))).toEqual([]);
    // each listed part still differs
    expect(listed.filter(([re]) => !problems.some((p) => re.test(p))).map(([re]) => re.source)).toEqual([]);
  });

  test('pods: what SparkJob\'s pods have on top is the platform\'s, each with its reason', () => {
    expect(podAdditions(app).unexplained).toEqual([]);
  });

  test('what the model does not read: type, Spark version, restart policy, time to live, schedule, UI', () => {
    const theirs = readTheirs(app);
    const mine = ours(app);
    expect(mine.kind).toBe(theirs.kind);
    const [t, o] = [appSpec(theirs), appSpec(mine)];
    for (const field of ['type', 'mode', 'sparkVersion', 'restartPolicy', 'timeToLiveSeconds', 'sparkUIOptions']) {
      expect({ field, value: o[field] }).toEqual({ field, value: t[field] });
    }
    if (theirs.kind === 'ScheduledSparkApplication') {
      const { template: _t, ...schedule } = theirs.spec as Json;
      expect(mine.spec).toMatchObject(schedule);
    }
  });

  test('no plaintext secret: every credential-like variable of SparkJob\'s objects is a reference', () => {
    const env: Json[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'env' && Array.isArray(x)) env.push(...(x as Json[]));
          walk(x);
        }
      }
    };
    walk(render(app, SparkJobMode.OPERATOR));
    const literal = env.filter((e) => /PASSWORD|SECRET|TOKEN|CREDENTIAL/i.test(String(e.name)) && e.value !== undefined);
    expect(literal).toEqual([]);
  });
});

describe('every listed reason is used by some application (no stale entry)', () => {
  test('platform conf additions and pod additions', () => {
    const confUsed = new Set(Object.values(APPS).flatMap((app) => {
      const { theirs, mine } = bothSides(app);
      return [...confDifferences(app, mine, theirs).used];
    }));
    const podUsed = new Set(Object.values(APPS).flatMap((app) => [...podAdditions(app).used]));
    expect(OUR_CONF_ADDITIONS.map(([re]) => `platform ${re.source}`).filter((r) => !confUsed.has(r))).toEqual([]);
    expect(OUR_POD_ADDITIONS.map(([re]) => re.source).filter((r) => !podUsed.has(r))).toEqual([]);
  });
});

describe('the comparisons say something (they would catch a real difference)', () => {
  test('gpu-training: the GPU limit, gang annotations, scheduler, pod group, priority and GPU placement on both sides', () => {
    const { theirs, mine } = bothSides(APPS['gpu-training']);
    for (const side of [theirs, mine]) {
      const executor = (side.executorPod.spec as Json);
      const container = (executor.containers as Json[]).find((c) => c.name === 'spark-kubernetes-executor') as Json;
      expect(container.resources).toMatchObject({ limits: { 'nvidia.com/gpu': '1' } });
      expect(executor).toMatchObject({ schedulerName: 'volcano', priorityClassName: 'gpu-batch-high', nodeSelector: { 'nvidia.com/gpu.present': 'true' } });
      expect((side.driverPod.spec as Json).schedulerName).toBe('volcano');
      expect(side.conf).toMatchObject({
        'spark.kubernetes.driver.annotation.scheduling.k8s.io/group-name': 'spark-recsys-train-pg',
        'spark.kubernetes.executor.annotation.scheduling.k8s.io/group-name': 'spark-recsys-train-pg',
        'spark.executor.resource.gpu.discoveryScript': '/opt/spark/examples/src/main/scripts/getGpusResources.sh',
        'spark.executor.instances': '4',
      });
    }
    expect(mine.podGroup).toEqual({ name: 'spark-recsys-train-pg', minMember: 1, queue: 'gpu-training', priorityClassName: 'gpu-batch-high', minResources: { cpu: '18', memory: '136Gi', 'nvidia.com/gpu': '4' } });
  });

  test('gpu-training: the pods name Volcano without the operator\'s webhook too (its controller only annotates them)', () => {
    // The operator writes schedulerName only through its pod webhook (addSchedulerName); SparkJob's
    // templates carry it, so Volcano forms the gang either way.
    const app = effectiveFromSparkApplication(ours(APPS['gpu-training'], { webhook: false }), { webhook: false });
    expect((app.executorPod.spec as Json).schedulerName).toBe('volcano');
    expect((app.driverPod.spec as Json).schedulerName).toBe('volcano');
    expect(app.conf['spark.kubernetes.executor.annotation.scheduling.k8s.io/group-name']).toBe('spark-recsys-train-pg');
  });

  test('etl-dynamic: the same local dir (50Gi emptyDir on disk), dynamic allocation, spread, exporter agent', () => {
    const { theirs, mine } = bothSides(APPS['etl-dynamic']);
    const dirs = (side: EffectiveApp) => sparkLocalDirs(side, 'executor').map((d) => ({ path: d.path, name: d.volume.name, emptyDir: { medium: '', ...(d.volume.emptyDir as Json) } }));
    expect(dirs(mine)).toEqual(dirs(theirs));
    expect(dirs(mine)).toEqual([{ path: '/var/data/spark-scratch', name: 'spark-local-dir-1', emptyDir: { medium: '', sizeLimit: '50Gi' } }]);
    // the driver keeps Spark's own local dir on both sides
    expect(sparkLocalDirs(mine, 'driver').map((d) => d.from)).toEqual(['spark']);
    expect(sparkLocalDirs(theirs, 'driver').map((d) => d.from)).toEqual(['spark']);
    for (const side of [theirs, mine]) {
      expect(side.conf).toMatchObject({ 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.maxExecutors': '12', 'spark.dynamicAllocation.shuffleTracking.timeout': '600000' });
      expect(side.conf['spark.executor.extraJavaOptions']).toMatch(/^-XX:\+UseG1GC -javaagent:\/opt\/spark\/jmx\/jmx_prometheus_javaagent\.jar=8090:/);
      expect((side.executorPod.spec as Json).topologySpreadConstraints).toEqual([expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1 })]);
      const container = ((side.executorPod.spec as Json).containers as Json[]).find((c) => c.name === 'spark-kubernetes-executor') as Json;
      expect(container.ports).toEqual([{ name: 'jmx-exporter', containerPort: 8090, protocol: 'TCP' }]);
    }
  });

  test('scheduled-pyspark: the native sidecar, secret references and the run names', () => {
    const { theirs, mine } = bothSides(APPS['scheduled-pyspark']);
    for (const side of [theirs, mine]) {
      expect(side.appName).toBe(`billing-report-${SCHEDULED_RUN_SUFFIX}`);
      const init = (side.driverPod.spec as Json).initContainers as Json[];
      expect(init).toEqual([expect.objectContaining({ name: 'log-shipper', restartPolicy: 'Always', image: 'fluent/fluent-bit:3.1.9' })]);
      const container = ((side.executorPod.spec as Json).containers as Json[]).find((c) => c.name === 'spark-kubernetes-executor') as Json;
      expect(container.env).toContainEqual({ name: 'BILLING_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'billing-db', key: 'password' } } });
      expect(container.envFrom).toEqual([{ secretRef: { name: 'billing-s3-credentials' } }]);
    }
  });

  test('java-service: ports, hook, init container, memory limit, on-demand claims reused', () => {
    const { theirs, mine } = bothSides(APPS['java-service']);
    for (const side of [theirs, mine]) {
      const driver = ((side.driverPod.spec as Json).containers as Json[]).find((c) => c.name === 'spark-kubernetes-driver') as Json;
      const executor = ((side.executorPod.spec as Json).containers as Json[]).find((c) => c.name === 'spark-kubernetes-executor') as Json;
      expect(driver.ports).toEqual([{ name: 'profiler', containerPort: 8849, protocol: 'TCP' }]);
      expect(driver.lifecycle).toEqual({ preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 10'] } } });
      expect(executor.resources).toMatchObject({ limits: { memory: '14Gi' } });
      expect((side.driverPod.spec as Json).initContainers).toEqual([expect.objectContaining({ name: 'wait-for-feature-store' })]);
      expect((side.executorPod.spec as Json).terminationGracePeriodSeconds).toBe(60);
      expect(sparkLocalDirs(side, 'executor')).toEqual([{
        path: '/var/data/spark-scratch',
        volume: { name: 'spark-local-dir-1', persistentVolumeClaim: { claimName: 'fraud-scoring-exec-<id>-pvc-0', readOnly: false } },
        from: 'conf',
        createdClaim: { storageClassName: 'fast-ssd', storage: '100Gi' },
      }]);
      expect(side.conf).toMatchObject({ 'spark.kubernetes.driver.reusePersistentVolumeClaim': 'true', 'spark.kubernetes.driver.waitToReusePersistentVolumeClaim': 'true' });
    }
  });

  test('the model refuses what it does not model instead of ignoring it: another batch scheduler, a hostPath local dir', () => {
    const gpu = readTheirs(APPS['gpu-training']);
    (gpu.spec as Json).batchScheduler = 'yunikorn';
    expect(() => effectiveFromSparkApplication(gpu, { webhook: true })).toThrow('spec.batchScheduler "yunikorn": only volcano is modelled');
    const etl = readTheirs(APPS['etl-dynamic']);
    (etl.spec as Json).volumes = [{ name: 'spark-local-dir-1', hostPath: { path: '/mnt/disks/ssd0' } }];
    expect(() => effectiveFromSparkApplication(etl, { webhook: true })).toThrow('only emptyDir and persistentVolumeClaim local dirs are modelled');
  });

  test('a changed hand-written field is caught: conf, pod and names', () => {
    const app = APPS['java-service'];
    const { mine } = bothSides(app);
    const theirs = readTheirs(app);
    const spec = theirs.spec as Json;
    (spec.executor as Json).memoryLimit = '16Gi';
    (spec.driver as Json).ports = [{ name: 'profiler', containerPort: 8850, protocol: 'TCP' }];
    (spec.sparkConf as Json)['spark.memory.offHeap.size'] = '3g';
    spec.arguments = ['--window', '12h'];
    const changed = withSparkResourceLimits(effectiveFromSparkApplication(theirs, { webhook: true }));
    expect(confDifferences(app, mine, changed).unexplained).toEqual(['spark.memory.offHeap.size: ours "2g", theirs "3g"']);
    expect(containmentProblems(pods(mine), pods(changed))).toEqual(expect.arrayContaining([
      expect.stringContaining('.executorPod.spec.containers[name=spark-kubernetes-executor].resources.limits.memory'),
      expect.stringContaining('.driverPod.spec.containers[name=spark-kubernetes-driver].ports[name=profiler].containerPort'),
    ]));
    expect(changed.arguments).not.toEqual(mine.arguments);
  });
});

describe('the same pods in submit and Apache-operator mode, where the mode allows the application', () => {
  /** Apache operator defaults and bookkeeping, as in same-pods.test.ts: conf keys it adds where spark-submit adds none. */
  const APACHE_ONLY = /^spark\.(app\.id|authenticate|io\.encryption\.enabled|kubernetes\.driver\.annotateExitException|kubernetes\.executor\.useDriverPodIP|jars)$|^spark\.kubernetes\.(driver|driver\.service|executor)\.label\.spark\.operator\//;
  const refusal = (app: ProductionApp, mode: SparkJobMode) => app.refusals.find((r) => r.mode === mode);
  const propsIn = (app: ProductionApp, mode: SparkJobMode): AppProps => refusal(app, mode)?.without(app.props) ?? app.props;

  const cases = Object.keys(APPS).flatMap((key) => [SparkJobMode.SUBMIT, SparkJobMode.APACHE_OPERATOR].map((mode): [string, SparkJobMode] => [key, mode]));

  test.each(cases)('%s in %s mode: what it refuses is refused with the reason and the fix', (key, mode) => {
    const app = APPS[key];
    const r = refusal(app, mode);
    if (r === undefined) {
      expect(() => render(app, mode)).not.toThrow();
      return;
    }
    expect(() => render(app, mode)).toThrow(r.message);
  });

  test.each(cases)('%s in %s mode: the same pods and conf as operator mode (without what the mode refuses)', (key, mode) => {
    const app = APPS[key];
    const props = propsIn(app, mode);
    // operator mode with the same props, through the operator without webhook (the props need none now)
    const operator = effectiveFromSparkApplication(findObject(render(app, SparkJobMode.OPERATOR, props, { webhook: false, batchScheduler: false }), kindOf(props), props.name, app.tenant.name), { webhook: false });
    if (mode === SparkJobMode.SUBMIT) {
      const submit = effectiveFromSubmitJob(render(app, SparkJobMode.SUBMIT, props), props.name);
      const rest = ({ appName: _a, driverPodName: _d, ...others }: EffectiveApp) => others;
      if (app.props.schedule) {
        expect(submit.driverPodName).toBe('$(JOB_NAME)-driver');
        expect(rest(submit)).toEqual(rest(operator));
      } else {
        expect(submit).toEqual(operator);
      }
      return;
    }
    const apache = effectiveFromApacheSparkApplication(findObject(render(app, SparkJobMode.APACHE_OPERATOR, props), 'SparkApplication', props.name, app.tenant.name));
    const strip = (side: EffectiveApp, other: EffectiveApp): EffectiveApp => ({
      ...side,
      driverPodName: '<differs by mode>',
      conf: Object.fromEntries(Object.entries(side.conf).filter(([k, v]) => !(APACHE_ONLY.test(k) && other.conf[k] !== v))),
    });
    expect(strip(apache, operator)).toEqual(strip(operator, apache));
  });
});

/** SparkJob's objects for every application, and the hand-written ones. */
function allObjects(): Array<[string, Json]> {
  return Object.entries(APPS).flatMap(([key, app]): Array<[string, Json]> => [[`${key} (SparkJob)`, ours(app)], [`${key} (hand-written)`, readTheirs(app)]]);
}

describe('the hand-written and SparkJob\'s objects validate against our CRDs', () => {
  const validator = new ManifestValidator({ crds: [sparkApplicationCrd(), scheduledSparkApplicationCrd()].map((props) => k8s.KubeCustomResourceDefinition.manifest(props)) });
  test.each(allObjects())('%s', (_what, obj) => {
    expect(formatIssues(validator.validate(obj))).toBe('');
  });
});

describeWithShared('the hand-written and SparkJob\'s objects validate against the upstream v2.5.2 CRDs', (shared) => {
  const crdFile = (plural: string): Json => parse(readFileSync(path.join(shared, 'upstream', 'kubeflow-spark-operator-v2.5.2', 'crds', `sparkoperator.k8s.io_${plural}.yaml`), 'utf8')) as Json;
  let validator: ManifestValidator | undefined;
  const upstream = () => (validator ??= new ManifestValidator({ crds: [crdFile('sparkapplications'), crdFile('scheduledsparkapplications')] }));

  test.each(allObjects())('%s', (_what, obj) => {
    expect(formatIssues(upstream().validate(obj))).toBe('');
  });

  test('a misspelled field of a hand-written object is reported (the check has teeth)', () => {
    const broken = readTheirs(APPS['java-service']);
    ((broken.spec as Json).executor as Json).memoryLimt = '14Gi';
    expect(formatIssues(upstream().validate(broken))).toContain('memoryLimt');
  });
});
