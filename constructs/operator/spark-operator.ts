import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { assertPinnedImage } from '../images';
import { platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { ClientPodPeer, NetworkEndpoint, peersOf, podPolicy } from '../network';
import { restrictedNamespace } from '../tenancy';
import { publishedRenderedJson } from '../tree-version';
import { Cpu, Memory } from '../units';
import { SPARK_OPERATOR } from '../versions';
import { OPERATOR_HEALTH_PORT, OPERATOR_METRICS_PORT, OperatorLogging, loggingArgs, metricsArgs, operatorDeployment } from './operator-deployment';
import { OperatorMonitoring, annotatePodTemplates, checkMonitoring, operatorPodMonitor, scrapeAnnotations } from './monitoring';
import { OperatorShard, assignShards, positiveInt } from './operator-shards';
import { CONTROLLER_BATCH_RULES, CONTROLLER_CLUSTER_RULES, CONTROLLER_JOB_RULES, grantRules, leaderElectionRules } from './operator-rbac';
import { SparkOperatorWebhook, WebhookCertificate } from './operator-webhook';
import { webhookOnlyFields } from './webhook-fields';

/** A namespace Spark jobs run in: a SparkNamespace, or anything with a name. */
export interface IJobNamespace {
  /** The namespace name. */
  readonly name: string;
}

/** Options of the operator's admission webhook. */
export interface SparkOperatorWebhookOptions {
  /**
   * Where the webhook's serving certificate comes from. Required: there is no safe implicit
   * choice, and a webhook without a certificate blocks every Spark pod.
   */
  readonly certificate: WebhookCertificate;
  /** Webhook replicas. @default - the operator's `replicas` */
  readonly replicas?: number;
  /** Reject applications whose pods would exceed the namespace's ResourceQuota. @default false */
  readonly resourceQuotaEnforcement?: boolean;
}

/** Properties of a SparkOperator. */
export interface SparkOperatorProps {
  /** Name prefix of every object (`<name>-controller`, `<name>-webhook`, ...). @default "spark-operator" */
  readonly name?: string;
  /** Namespace the operator runs in. @default "spark-operator" */
  readonly namespace?: string;
  /** Create that namespace (restricted Pod Security enforced). @default true */
  readonly createNamespace?: boolean;
  /**
   * Namespaces whose applications the operator runs; the tenant namespaces plug in directly.
   * Required unless `watchAllNamespaces` is set: an operator with none would watch every
   * namespace with cluster-wide pod, Service and ConfigMap write rights.
   * @default - none (an error unless watchAllNamespaces)
   */
  readonly jobNamespaces?: readonly IJobNamespace[];
  /**
   * Watch every namespace, with cluster-wide RBAC (a ClusterRole) instead of a Role per job
   * namespace: the operator can then create pods, Services and ConfigMaps anywhere. An explicit
   * choice, exclusive with `jobNamespaces`. @default false
   */
  readonly watchAllNamespaces?: boolean;
  /**
   * Independent controllers, each watching a disjoint set of job namespaces with its own lease:
   * for fleets past one controller's throughput (about 130-155 applications per minute).
   * Namespaces are dealt round-robin in the order given, unless `shardAssignment` says otherwise.
   * @default 1
   */
  readonly shards?: number;
  /** Explicit shard of each job namespace, by name (0-based); unlisted ones are dealt round-robin. @default - round-robin */
  readonly shardAssignment?: Readonly<Record<string, number>>;
  /** Controller replicas per shard; above 1 they elect a leader and get a PodDisruptionBudget. @default 1 */
  readonly replicas?: number;
  /** The operator image. @default SPARK_OPERATOR.image (versions.ts) */
  readonly image?: string;
  /**
   * Worker threads (`--controller-threads`): applications reconciled, and so `spark-submit` JVMs
   * running, at once. Memory follows from it (see `resources`).
   * @default 10
   */
  readonly workers?: number;
  /** Executors tracked per application (`--max-tracked-executor-per-app`). @default 1000 */
  readonly maxTrackedExecutorsPerApp?: number;
  /** Workqueue rate limit: reconciles per second and burst (`--workqueue-ratelimiter-bucket-{qps,size}`). @default { qps: 50, burst: 500 } */
  readonly workqueue?: { readonly qps: number; readonly burst: number };
  /**
   * The controller's Kubernetes API client rate limit (`--kube-api-qps`, `--kube-api-burst`).
   * Raise it with `workers` on busy fleets: status updates after spark-submit are what hit it.
   * @default { qps: 20, burst: 30 }
   */
  readonly kubeApi?: { readonly qps: number; readonly burst: number };
  /**
   * The controllers' (and webhook's) logs: level and format (`--zap-log-level`, `--zap-encoder`).
   * @default { level: 'info', format: 'console' } (the chart's)
   */
  readonly logging?: OperatorLogging;
  /**
   * Labels of the SparkApplication metrics, each a label of the application
   * (`--metrics-labels`): the series get one dimension per label.
   * @default ["app_type"] (the chart's)
   */
  readonly metricsLabels?: readonly string[];
  /**
   * Batch scheduling (`--enable-batch-scheduler`): SparkApplications may then name a batch
   * scheduler (Volcano, YuniKorn) and the controller creates their pod groups, with rights to
   * Volcano's PodGroups in the job namespaces. Without it the controller ignores
   * `spec.batchScheduler`, so SparkJob refuses a job asking for one.
   * @default - off
   */
  readonly batchScheduler?: OperatorBatchScheduler;
  /**
   * Time to live of finished applications, applied by SparkJob to applications that set none
   * (`spec.timeToLiveSeconds`), so finished applications and their pods do not pile up.
   * @default 86400 (one day)
   */
  readonly defaultTimeToLiveSeconds?: number;
  /**
   * Controller container resources. By default memory is 512 MiB plus 320 MiB per worker (each
   * concurrent submission is a `spark-submit` JVM of a few hundred MiB; too little and submissions
   * die with `signal: killed`), request = limit; CPU requests 100m per worker, at least 500m, no
   * limit (submissions are CPU bursts).
   * @default - derived from workers
   */
  readonly resources?: { readonly cpu?: Cpu; readonly memory?: Memory };
  /** The admission webhook, or undefined for none (the default: see docs/operator.md "Webhook"). @default - no webhook */
  readonly webhook?: SparkOperatorWebhookOptions;
  /**
   * The API server as the operator's pods reach it: NetworkPolicies admit its endpoints'
   * addresses and port (after kube-proxy's DNAT), like a tenant's `apiServer`.
   * @default NetworkEndpoint.kubeApiServer() (any address, ports 443 and 6443)
   */
  readonly apiServer?: NetworkEndpoint;
  /** The cluster DNS the operator's pods resolve names with. @default NetworkEndpoint.kubeDns() */
  readonly dns?: NetworkEndpoint;
  /**
   * Pods that may scrape the metrics port (8080) of the controllers and the webhook, e.g. Prometheus. The operator's
   * namespace denies every other connection (`default-deny-all`, when it creates the namespace).
   * @default - none
   */
  readonly metricsAccess?: readonly ClientPodPeer[];
  /**
   * Prometheus monitoring of the controllers (and the webhook, when on): a Prometheus Operator
   * PodMonitor scraping their `metrics` port, and/or `prometheus.io/*` pod annotations. Needs
   * `metricsAccess` to admit the scraper.
   * @default - none
   */
  readonly monitoring?: OperatorMonitoring;
}

const CONTROLLER_PORTS = { metrics: OPERATOR_METRICS_PORT, health: OPERATOR_HEALTH_PORT } as const;
/** Where the controller and the webhook serve metrics (`--metrics-endpoint`). */
const METRICS_PATH = '/metrics';

/** The batch schedulers a Kubeflow operator can hand applications to. */
export type BatchSchedulerName = 'volcano' | 'yunikorn';

/** Batch scheduling of the Kubeflow operator (see SparkOperatorProps.batchScheduler). */
export interface OperatorBatchScheduler {
  /**
   * Names of kube-scheduler profiles applications may name as their batch scheduler too
   * (`--kube-scheduler-names`). @default - none
   */
  readonly kubeSchedulerNames?: readonly string[];
  /** The batch scheduler of applications that name none (`--default-batch-scheduler`). @default - none */
  readonly default?: BatchSchedulerName;
}

/** A Prometheus label name. */
const METRICS_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The batch-scheduling flags, as the chart passes them. */
function batchSchedulerArgs(batch: OperatorBatchScheduler | undefined): string[] {
  if (!batch) return [];
  const names = batch.kubeSchedulerNames ?? [];
  return [
    '--enable-batch-scheduler=true',
    ...(names.length > 0 ? [`--kube-scheduler-names=${names.join(',')}`] : []),
    ...(batch.default ? [`--default-batch-scheduler=${batch.default}`] : []),
  ];
}

/** `--metrics-labels`' value: the chart's `app_type` by default; each must be a Prometheus label name. */
function metricsLabels(labels: readonly string[] | undefined, where: string): string {
  const list = labels ?? ['app_type'];
  list.forEach((l, i) => {
    if (!METRICS_LABEL.test(l)) throw new SparkPlatformError(`metricsLabels[${i}]`, `${show(l)} is not a Prometheus label name`, 'use letters, digits and "_", not starting with a digit', where);
  });
  return list.join(',');
}

/**
 * The Kubeflow Spark operator (v2.5.x, API `sparkoperator.k8s.io/v1beta2`), deployed without Helm:
 * controller Deployment(s) with leader election, metrics Service and probes; least-privilege RBAC
 * (a Role per job namespace, or a ClusterRole when watching all); optionally the admission
 * webhook; restricted security contexts everywhere.
 *
 * The CRDs are a separate construct (SparkOperatorCrds), so they can be applied first.
 */
export class SparkOperator extends Construct {
  /** Name prefix of the operator's objects. */
  public readonly name: string;
  /** The operator's namespace. */
  public readonly namespace: string;
  /** The job namespaces; empty = every namespace. */
  public readonly jobNamespaces: readonly string[];
  /** The controller shards. */
  public readonly shards: readonly OperatorShard[];
  /** Controller replicas per shard. */
  public readonly replicas: number;
  /** The operator image. */
  public readonly image: string;
  /** Worker threads per controller. */
  public readonly workers: number;
  /** Default time to live of finished applications, in seconds. */
  public readonly defaultTimeToLiveSeconds: number;
  /**
   * The batch schedulers applications may name (`volcano`, `yunikorn` and the kube-scheduler
   * names), or undefined when batch scheduling is off (ISparkJobOperator).
   */
  public readonly batchSchedulers?: readonly string[];
  /** The webhook, when enabled. */
  public readonly webhook?: SparkOperatorWebhook;
  /** What the operator's pods may send: DNS and the API server. */
  private readonly egress: k8s.NetworkPolicyEgressRule[];
  /** Who may scrape the controllers' metrics. */
  private readonly metricsPeers: k8s.NetworkPolicyPeer[];

  constructor(scope: Construct, id: string, props: SparkOperatorProps = {}) {
    super(scope, id);
    checkProps('SparkOperatorProps', props, 'SparkOperator');
    const where = 'SparkOperator';
    this.name = props.name ?? 'spark-operator';
    this.namespace = props.namespace ?? 'spark-operator';
    assertName(this.name, NameRule.DNS1035_LABEL, 'name', where);
    assertName(this.namespace, NameRule.DNS1123_LABEL, 'namespace', where);
    this.jobNamespaces = checkJobNamespaces(props.jobNamespaces ?? [], this.namespace, where);
    if (this.jobNamespaces.length === 0 && props.watchAllNamespaces !== true) {
      throw new SparkPlatformError('jobNamespaces', 'is empty, so the operator would watch every namespace with cluster-wide rights to create pods, Services and ConfigMaps', 'list the namespaces it runs jobs in (the tenants), or set watchAllNamespaces: true to choose cluster-wide on purpose', where);
    }
    if (this.jobNamespaces.length > 0 && props.watchAllNamespaces === true) {
      throw new SparkPlatformError('watchAllNamespaces', `is true but jobNamespaces lists ${this.jobNamespaces.join(', ')}`, 'choose one: the listed namespaces (least privilege), or every namespace', where);
    }
    this.replicas = positiveInt(props.replicas ?? 1, 'replicas', where);
    this.workers = positiveInt(props.workers ?? 10, 'workers', where);
    this.defaultTimeToLiveSeconds = positiveInt(props.defaultTimeToLiveSeconds ?? 86_400, 'defaultTimeToLiveSeconds', where);
    const batch = props.batchScheduler;
    if (batch) {
      // batchScheduler.default is checked with the props: any other value stops the controller at start.
      (batch.kubeSchedulerNames ?? []).forEach((n, i) => assertName(n, NameRule.DNS1123_SUBDOMAIN, `batchScheduler.kubeSchedulerNames[${i}]`, where));
      this.batchSchedulers = ['volcano', 'yunikorn', ...(batch.kubeSchedulerNames ?? [])];
    }
    this.image = props.image ?? SPARK_OPERATOR.image;
    assertPinnedImage(this.image, 'image', where);
    this.shards = assignShards(this.name, this.jobNamespaces, props.shards ?? 1, props.shardAssignment ?? {}, where);

    if (props.createNamespace ?? true) {
      restrictedNamespace(this, 'Namespace', this.namespace, { defaultDeny: true });
    }
    const apiServer = props.apiServer ?? NetworkEndpoint.kubeApiServer();
    const dns = props.dns ?? NetworkEndpoint.kubeDns();
    this.egress = [dns.toEgressRule(), apiServer.toEgressRule()];
    this.metricsPeers = peersOf(props.metricsAccess ?? [], 'metricsAccess', where);
    checkMonitoring(props.monitoring, this.metricsPeers.length, where);

    const resources = this.controllerResources(props.resources);
    for (const shard of this.shards) this.addController(shard, props, resources);

    if (props.webhook) {
      this.webhook = new SparkOperatorWebhook(this, 'Webhook', {
        operatorName: this.name,
        namespace: this.namespace,
        jobNamespaces: this.jobNamespaces,
        image: this.image,
        replicas: positiveInt(props.webhook.replicas ?? this.replicas, 'webhook.replicas', where),
        certificate: props.webhook.certificate,
        resourceQuotaEnforcement: props.webhook.resourceQuotaEnforcement ?? false,
        kubeApi: props.kubeApi ?? { qps: 20, burst: 30 },
        logging: props.logging,
        metricsLabels: metricsLabels(props.metricsLabels, where),
        metricsPeers: this.metricsPeers,
        apiServer,
        dns,
      });
    } else {
      // Without the webhook its pod mutations are silently skipped: refuse what would be lost.
      this.node.addValidation({ validate: () => this.fieldsLostWithoutWebhook() });
    }
    this.addMonitoring(props.monitoring);
  }

  /** The shard that watches `namespace`, or undefined when no shard does. */
  public shardOf(namespace: string): OperatorShard | undefined {
    return this.shards.find((s) => s.namespaces.length === 0 || s.namespaces.includes(namespace));
  }

  /** The name of the controller's leader-election Lease of a shard. */
  public leaseName(shard: OperatorShard): string {
    return `${shard.name}-lock`;
  }

  private addController(shard: OperatorShard, props: SparkOperatorProps, resources: k8s.ResourceRequirements): void {
    const id = this.shards.length > 1 ? `Controller${shard.index}` : 'Controller';
    const scope = new Construct(this, id);
    const labels = this.labels('controller', shard);
    const meta = (name = shard.name) => ({ name, namespace: this.namespace, labels: platformLabels(labels) });

    new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: meta(), automountServiceAccountToken: true });
    // In: metrics scrapers only (probes come from the kubelet). Out: DNS and the API server.
    podPolicy(scope, 'NetworkPolicy', {
      ...meta(),
      podSelector: { matchLabels: { ...labels } },
      ingress: this.metricsPeers.length > 0 ? [{ from: this.metricsPeers, ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(CONTROLLER_PORTS.metrics) }] }] : [],
      egress: this.egress,
    });
    const grant = { name: shard.name, serviceAccount: { name: shard.name, namespace: this.namespace }, labels: platformLabels(labels) };
    grantRules(scope, 'Lease', { ...grant, namespace: this.namespace, rules: leaderElectionRules(this.leaseName(shard)) });
    const jobRules = [...CONTROLLER_JOB_RULES, ...(props.batchScheduler ? CONTROLLER_BATCH_RULES : [])];
    grantRules(scope, '', { ...grant, rules: [...CONTROLLER_CLUSTER_RULES, ...(shard.namespaces.length === 0 ? jobRules : [])] });
    for (const ns of shard.namespaces) grantRules(scope, `Job-${ns}`, { ...grant, namespace: ns, rules: jobRules });

    const workqueue = props.workqueue ?? { qps: 50, burst: 500 };
    const kubeApi = props.kubeApi ?? { qps: 20, burst: 30 };
    const args = [
      'controller', 'start',
      ...(shard.namespaces.length > 0 ? [`--namespaces=${shard.namespaces.join(',')}`] : []),
      `--controller-threads=${this.workers}`,
      `--max-tracked-executor-per-app=${positiveInt(props.maxTrackedExecutorsPerApp ?? 1000, 'maxTrackedExecutorsPerApp', 'SparkOperator')}`,
      '--enable-ui-service=true',
      ...metricsArgs(metricsLabels(props.metricsLabels, 'SparkOperator')),
      // the binary's defaults, passed explicitly like every other flag
      '--metrics-job-submit-latency-buckets=0.5,1,2,4,8,16,32,64,128,256',
      '--metrics-job-start-latency-buckets=30,60,90,120,150,180,210,240,270,300',
      `--health-probe-bind-address=:${CONTROLLER_PORTS.health}`,
      '--leader-election=true',
      `--leader-election-lock-name=${this.leaseName(shard)}`,
      `--leader-election-lock-namespace=${this.namespace}`,
      '--leader-election-lease-duration=15s',
      '--leader-election-renew-deadline=10s',
      '--leader-election-retry-period=2s',
      `--workqueue-ratelimiter-bucket-qps=${positiveInt(workqueue.qps, 'workqueue.qps', 'SparkOperator')}`,
      `--workqueue-ratelimiter-bucket-size=${positiveInt(workqueue.burst, 'workqueue.burst', 'SparkOperator')}`,
      '--workqueue-ratelimiter-max-delay=6h',
      `--kube-api-qps=${positiveInt(kubeApi.qps, 'kubeApi.qps', 'SparkOperator')}`,
      `--kube-api-burst=${positiveInt(kubeApi.burst, 'kubeApi.burst', 'SparkOperator')}`,
      '--driver-pod-creation-grace-period=10s',
      '--scheduled-spark-application-timestamp-precision=nanos',
      '--feature-gates=PartialRestart=false,LoadSparkDefaults=false',
      ...loggingArgs(props.logging),
      ...batchSchedulerArgs(props.batchScheduler),
    ];

    operatorDeployment(scope, {
      name: shard.name,
      namespace: this.namespace,
      labels,
      replicas: this.replicas,
      image: this.image,
      containerName: 'spark-operator-controller',
      args,
      ports: [{ name: 'metrics', containerPort: CONTROLLER_PORTS.metrics }],
      resources,
      // spark-submit writes to /tmp; the root filesystem stays read-only
      writableDir: { name: 'tmp', mountPath: '/tmp' },
      affinity: this.replicas > 1 ? spreadOverNodes(labels) : undefined,
    });

    new k8s.KubeService(scope, 'MetricsService', {
      metadata: meta(`${shard.name}-metrics`),
      spec: { selector: labels, ports: [{ name: 'metrics', port: CONTROLLER_PORTS.metrics, targetPort: k8s.IntOrString.fromString('metrics') }] },
    });
  }

  /** The PodMonitor and scrape annotations of the controllers and the webhook (see SparkOperatorProps.monitoring). */
  private addMonitoring(monitoring: OperatorMonitoring | undefined): void {
    if (monitoring?.scrapeAnnotations === true) annotatePodTemplates(this, scrapeAnnotations(CONTROLLER_PORTS.metrics, METRICS_PATH));
    if (!monitoring?.podMonitor) return;
    // every pod of this operator, and only those: its instance, then the components by name
    const matchLabels = { 'app.kubernetes.io/name': 'spark-operator', 'app.kubernetes.io/instance': this.name };
    operatorPodMonitor(this, 'PodMonitor', monitoring.podMonitor, {
      name: this.name,
      podNamespace: this.namespace,
      targets: { matchLabels, components: this.webhook ? ['controller', 'webhook'] : ['controller'], portName: 'metrics', path: METRICS_PATH },
      labels: this.labels('monitoring'),
    });
  }

  private controllerResources(override: SparkOperatorProps['resources'] = {}): k8s.ResourceRequirements {
    const memory = override.memory ?? Memory.mebibytes(512 + 320 * this.workers);
    const cpu = override.cpu ?? Cpu.millis(Math.max(500, 100 * this.workers));
    const q = (v: Cpu | Memory) => k8s.Quantity.fromString(v.toKubernetes());
    return { requests: { cpu: q(cpu), memory: q(memory) }, limits: { memory: q(memory) } };
  }

  private labels(component: string, shard?: OperatorShard): Record<string, string> {
    return {
      'app.kubernetes.io/name': 'spark-operator',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/component': component,
      ...(shard && this.shards.length > 1 ? { 'spark-platform.io/shard': String(shard.index) } : {}),
    };
  }

  /** SparkApplications in namespaces this operator serves that set fields only the webhook applies. */
  private fieldsLostWithoutWebhook(): string[] {
    const errors: string[] = [];
    // the doctor has usually just rendered every object: its JSON, else each object's own
    const rendered = publishedRenderedJson(this.node.root);
    for (const c of this.node.root.node.findAll()) {
      if (!(c instanceof ApiObject) || c.apiGroup !== 'sparkoperator.k8s.io') continue;
      if (c.kind !== 'SparkApplication' && c.kind !== 'ScheduledSparkApplication') continue;
      const ns = c.metadata.namespace ?? 'default';
      if (!this.shardOf(ns)) continue;
      const json = (rendered?.get(c) ?? c.toJson()) as { spec?: { template?: unknown } };
      const spec = c.kind === 'ScheduledSparkApplication' ? json.spec?.template : json.spec;
      const fields = webhookOnlyFields(spec, c.kind === 'ScheduledSparkApplication' ? 'spec.template' : 'spec');
      if (fields.length > 0) {
        errors.push(`${c.kind} ${ns}/${c.name} sets ${fields.join(', ')}, which only the operator's webhook applies, and the webhook is off: they would be silently ignored. Fix: move them into spec.driver.template / spec.executor.template (pod templates, applied by Spark itself), or enable the webhook (SparkOperatorProps.webhook).`);
      }
    }
    return errors;
  }
}


function checkJobNamespaces(given: readonly IJobNamespace[], operatorNamespace: string, where: string): string[] {
  const names = given.map((n) => n.name);
  names.forEach((n, i) => {
    assertName(n, NameRule.DNS1123_LABEL, `jobNamespaces[${i}]`, where);
    if (names.indexOf(n) !== i) throw new SparkPlatformError(`jobNamespaces[${i}]`, `${show(n)} is listed twice`, 'list each job namespace once', where);
  });
  if (names.includes(operatorNamespace)) {
    throw new SparkPlatformError('jobNamespaces', `include the operator's own namespace ${show(operatorNamespace)}`, 'run Spark jobs in tenant namespaces, not next to the operator', where);
  }
  return names;
}

/** Prefer spreading replicas over nodes, so one node going down does not stop the operator. */
function spreadOverNodes(labels: Record<string, string>): k8s.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } },
      }],
    },
  };
}

