import { SparkPlatformError } from '../constructs/errors';
import { ClientPodPeer, EndpointPort, NetworkEndpoint, Protocol } from '../constructs/network';
import { IJobNamespace, OperatorMonitoring, SparkOperatorProps, WebhookCertificate } from '../constructs/operator';
import { checkMonitoring as checkOperatorMonitoring } from '../constructs/operator/monitoring';
import { assertUserMetadata } from '../constructs/labels';
import type { ApacheSparkOperatorProps } from '../constructs/apache-operator';
import { SparkJobProps } from '../constructs/jobs';
import { SparkNotebookProps } from '../constructs/notebook';
import { DoctorOptions, checkDoctorConfig } from '../constructs/doctor';
import { ContainerDefaults, IServedNamespace, IWatchingOperator, OrchestratorAccessProps, PodSecurityLevel, SparkNamespaceProps, SparkNamespaceQuota } from '../constructs/tenancy';
import { DEFAULT_LOCAL_QUEUE, KueueQueues, KueueQuota, TenantQueue, TenantQueueOptions } from '../constructs/tenancy/kueue';
import type { SparkNamespace } from '../constructs/tenancy';
import { Cpu, Memory } from '../constructs/units';
import { Count, CpuQuantity, DnsLabel, DnsSubdomain, MemoryQuantity, PortNumber, PositiveCount } from '../constructs/validation/formats';
import { schemaChecker } from '../constructs/validation/props';
import platformConfigSchema from '../schema/platform-config.schema.json';
import { SparkImage } from '../constructs/spark-image';

/**
 * The typed configuration of one environment. Plain data (strings for quantities, as in any
 * Kubernetes manifest), so the same shape comes from a TypeScript file, YAML or Pulumi stack
 * config; `parsePlatformConfig` checks it and `tenantProps` turns it into construct props.
 */
export interface PlatformConfig {
  /** Environment name: a DNS-1123 label; the output goes to `dist/<name>/`. */
  readonly name: DnsLabel;
  /** One line on what the environment is for. @default - none */
  readonly description?: string;
  /** Network facts of the cluster the NetworkPolicies need. @default - see NetworkConfig */
  readonly network?: NetworkConfig;
  /** Settings every tenant starts from; a tenant's own settings win field by field. @default - the construct defaults */
  readonly tenantDefaults?: TenantSettings;
  /** The Spark operator; it watches exactly the tenant namespaces. @default - see OperatorConfig */
  readonly operator?: OperatorConfig;
  /** The tenant namespaces where Spark jobs run. */
  readonly tenants: readonly TenantConfig[];
  /** Object storage, s3a wiring and the History Server. @default - none */
  readonly storage?: StorageConfig;
  /**
   * Spark jobs the environment runs (the GitOps `jobs` layer). Typed SparkJob props, so they
   * come from TypeScript environment files; each names its tenant.
   * @default - none
   */
  readonly jobs?: readonly JobConfig[];
  /**
   * JupyterLab notebooks whose kernels run the Spark driver (client mode), each in a tenant
   * namespace with its executors. Typed SparkNotebook props, from TypeScript environment files.
   * @default - none
   */
  readonly notebooks?: readonly NotebookConfig[];
  /**
   * Orchestrators (Airflow's SparkKubernetesOperator, ...) that submit SparkApplications to
   * tenants of this environment and follow their runs: each gets exactly those rights in the
   * tenants it serves (see OrchestratorAccess).
   * @default - none
   */
  readonly orchestrators?: readonly OrchestratorConfig[];
  /**
   * Apache Spark's Kubernetes operator, beside the Kubeflow one, for the tenants listed here: it
   * watches exactly them and the Kubeflow operator the others, and their jobs default to
   * `mode: "apache-operator"`. @default - none
   */
  readonly apacheOperator?: ApacheOperatorConfig;
  /**
   * The platform doctor, which checks the whole tree on every synth: the cluster's node shapes
   * (a pod larger than every node stays Pending forever), whether images must be pinned by
   * digest, which registries need no pull secret, and findings accepted on purpose, each with
   * its reason. See DoctorOptions.
   * @default - no node shapes (pod sizes are not checked against nodes), tags accepted
   */
  readonly doctor?: DoctorOptions;
  /**
   * Kueue queues (Kueue itself installed separately): every tenant gets a LocalQueue and a
   * ClusterQueue in one cohort, its quota defaulting to the tenant's ResourceQuota; jobs join with
   * `queue`. See KueueQueues and docs/environments.md. @default - none (jobs may not set `queue`)
   */
  readonly kueue?: KueueConfig;
  /**
   * Prometheus monitoring (the Prometheus Operator and Grafana installed separately, e.g. by
   * kube-prometheus-stack): a PodMonitor for each tenant's Spark jobs, the operator's PodMonitor,
   * the platform's Grafana dashboard. The scrapers must be admitted: tenants' `metricsAccess`,
   * `operator.metricsAccess`. See MonitoringConfig and docs/environments.md. @default - none
   */
  readonly monitoring?: MonitoringConfig;
}

/** Prometheus monitoring of an environment (see PlatformConfig.monitoring). */
export interface MonitoringConfig {
  /**
   * A PodMonitor for the Spark jobs of every tenant (SparkJobsMonitoring, in the tenant's
   * namespace): Spark's servlets on the driver's `spark-ui` port and the JMX exporter where a job
   * runs it. Every tenant needs `metricsAccess` (its own or tenantDefaults'). @default - none
   */
  readonly podMonitors?: PodMonitorConfig;
  /**
   * A PodMonitor for the Spark operator's controllers (and webhook), with `podMonitors`' labels
   * and interval (SparkOperatorProps.monitoring). Needs `operator.metricsAccess`; for other
   * settings write `operator.monitoring` instead. @default false
   */
  readonly operator?: boolean;
  /** The platform's Grafana dashboard, as a ConfigMap for Grafana's dashboard sidecar (SparkDashboard). @default - none */
  readonly dashboard?: DashboardConfig;
}

/** The PodMonitors of an environment. */
export interface PodMonitorConfig {
  /** Labels of the PodMonitors, e.g. the `release` label the Prometheus selects PodMonitors by. @default - the platform's only */
  readonly labels?: Readonly<Record<string, string>>;
  /** Scrape interval, a Prometheus duration such as `30s`. @default - the Prometheus' own */
  readonly interval?: string;
}

/** The Grafana dashboard of an environment (see SparkDashboardProps). */
export interface DashboardConfig {
  /** Namespace of the ConfigMap: where Grafana's dashboard sidecar looks (kube-prometheus-stack: its own). */
  readonly namespace: DnsLabel;
  /** Grafana folder (the sidecar's `grafana_folder` annotation; needs its folderAnnotation). @default - the sidecar's default folder */
  readonly folder?: string;
  /** Extra labels of the ConfigMap (the sidecar finds it by `grafana_dashboard: "1"`, always set). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Kueue queues of an environment (see KueueQueuesProps and TenantQueueOptions). */
export interface KueueConfig {
  /** The cohort every tenant's ClusterQueue joins (they borrow each other's unused quota). @default "spark-platform" */
  readonly cohort?: DnsSubdomain;
  /** Name of the LocalQueue in every tenant namespace: what jobs set as `queue`. @default "spark" */
  readonly localQueueName?: DnsSubdomain;
  /** Per-tenant quota and borrowing; a tenant not listed gets its ResourceQuota and no borrowing. @default - none */
  readonly tenants?: readonly KueueTenantConfig[];
}

/** The Kueue queue of one tenant. */
export interface KueueTenantConfig {
  /** Name of the tenant (one of `tenants`). */
  readonly tenant: DnsLabel;
  /** Guaranteed quota. @default - the tenant's ResourceQuota */
  readonly quota?: KueueQuotaConfig;
  /** The most borrowed from the cohort. @default - what the ResourceQuota leaves above `quota` */
  readonly borrowingLimit?: KueueQuotaConfig;
  /** The most of its unused quota lent to the cohort. @default - all of it */
  readonly lendingLimit?: KueueQuotaConfig;
}

/** KueueQuota as data. */
export interface KueueQuotaConfig {
  readonly cpu?: CpuQuantity;
  readonly memory?: MemoryQuantity;
  readonly pods?: Count;
}

/** A SparkNotebook of an environment: SparkNotebook props (checked by SparkNotebook) plus its tenant. */
export type NotebookConfig = Omit<SparkNotebookProps, 'namespace'> & {
  /** Name of the tenant namespace (one of `tenants`). */
  readonly tenant: string;
};

/** A SparkJob of an environment: SparkJob props (checked by SparkJob) plus the tenant it runs in. */
export type JobConfig = Omit<SparkJobProps, 'namespace' | 'operator'> & {
  /** Name of the tenant namespace (one of `tenants`). */
  readonly tenant: string;
};

/** Apache Spark's Kubernetes operator in an environment (see ApacheSparkOperatorProps). */
export interface ApacheOperatorConfig {
  /**
   * The tenants it watches (by name). The Kubeflow operator watches the other tenants, so at
   * least one tenant must stay with it.
   * @minItems 1
   */
  readonly tenants: readonly DnsLabel[];
  /** Its namespace. @default "spark-kubernetes-operator" */
  readonly namespace?: DnsLabel;
  /** Replicas (2+ = leader election + PodDisruptionBudget). @default 1 */
  readonly replicas?: PositiveCount;
  /** Operator image, pinned. @default - versions.ts */
  readonly image?: string;
  /** Time to live of finished applications that set none, in seconds. @default 86400 */
  readonly defaultTimeToLiveSeconds?: PositiveCount;
  /** Pods that may scrape its metrics (port 19090). @default - none */
  readonly metricsAccess?: readonly PeerConfig[];
}

/** An orchestrator that submits Spark applications (see OrchestratorAccessProps). */
export interface OrchestratorConfig {
  /** Its name: the Role and RoleBinding in each tenant are `<name>-orchestrator`. */
  readonly name: DnsLabel;
  /** Its own namespace (not a tenant), where its ServiceAccount lives. */
  readonly namespace: DnsLabel;
  /** Its existing ServiceAccount (made by its own chart, e.g. Airflow's `airflow-worker`). */
  readonly serviceAccount: DnsSubdomain;
  /**
   * Names of the tenants (of `tenants`) it submits to.
   * @minItems 1
   */
  readonly tenants: readonly DnsLabel[];
  /** Also ScheduledSparkApplications. @default false */
  readonly scheduled?: boolean;
}

/** Where the cluster's services are. */
export interface NetworkConfig {
  /**
   * API server endpoint addresses (`kubectl get endpoints kubernetes -n default`).
   * @default ["0.0.0.0/0"]
   * @minItems 1
   */
  readonly apiServerCidrs?: readonly string[];
  /**
   * API server ports.
   * @default [443, 6443]
   * @minItems 1
   */
  readonly apiServerPorts?: readonly PortNumber[];
  /** Cluster DNS pods. @default kube-system pods labelled k8s-app=kube-dns, port 53 UDP+TCP */
  readonly dns?: EndpointConfig;
  /**
   * The object store Spark pods read and write, when its address is not known otherwise: the
   * store every workload is connected to (`storage`: MinIO, or `external`/`aws` with an address)
   * opens its own egress in each tenant namespace. Set it for an external store without one.
   * @default - only the egress connect() opens
   */
  readonly objectStore?: EndpointConfig;
  /** A Maven repository drivers may download `--packages` from. @default - none (jobs with packages fail the synth) */
  readonly packageRepository?: EndpointConfig;
}

/** Object storage: MinIO deployed by the platform, or an existing S3 store; s3a for every job; the History Server. */
export interface StorageConfig {
  /** Namespace of MinIO and the History Server. @default "spark-platform" */
  readonly namespace?: DnsLabel;
  /** Deploy MinIO (the default when neither `external` nor `aws` is set). */
  readonly minio?: {
    readonly mode?: 'standalone' | 'distributed';
    readonly replicas?: PositiveCount;
    readonly drivesPerNode?: PositiveCount;
    /** Size of each drive. @default "20Gi" */
    readonly size?: MemoryQuantity;
    readonly storageClassName?: DnsSubdomain;
    readonly image?: string;
    readonly clientImage?: string;
    /** Existing Secret (keys rootUser, rootPassword) in the storage namespace. @default "minio-root" */
    readonly rootCredentialsSecret?: DnsSubdomain;
  };
  /** An existing S3-compatible store instead of MinIO: nothing is deployed. */
  readonly external?: { readonly endpoint: string; readonly region?: string; readonly pathStyleAccess?: boolean };
  /** AWS S3 instead of MinIO. */
  readonly aws?: { readonly region: string };
  /** Buckets (created in MinIO; declared otherwise). @default ["spark-data", "spark-logs"] */
  readonly buckets?: readonly string[];
  /** Secret with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in every namespace that runs Spark (made out of band). @default "s3-credentials" */
  readonly credentialsSecret?: DnsSubdomain;
  /** Where the s3a jars come from: resolved at start, or baked into the images. @default "packages" */
  readonly jars?: 'packages' | 'image';
  /** The History Server; every job writes its event log to `logDirectory`. @default - on, s3a://spark-logs/events */
  readonly historyServer?: {
    readonly enabled?: boolean;
    readonly logDirectory?: string;
    /** The History Server's Spark image (e.g. one that carries the s3a jars, with `jars: "image"`). @default - the default line's official image */
    readonly image?: SparkImage;
    /** Pods that may open its UI (port 18080), e.g. your ingress controller's. @default - none (kubectl port-forward needs none) */
    readonly uiAccess?: readonly PeerConfig[];
  };
}

/** The Spark operator's settings (see SparkOperatorProps). */
export interface OperatorConfig {
  /** Namespace of the operator. @default "spark-operator" */
  readonly namespace?: DnsLabel;
  /** Controller replicas per shard (2+ = leader election + PodDisruptionBudget). @default 1 */
  readonly replicas?: PositiveCount;
  /** Worker threads per controller (concurrent spark-submit JVMs; memory follows). @default 10 */
  readonly workers?: PositiveCount;
  /** Independent controllers over disjoint sets of tenant namespaces. @default 1 */
  readonly shards?: PositiveCount;
  /** Tenant namespace -> shard, for the ones not dealt round-robin. @default - round-robin */
  readonly shardAssignment?: Readonly<Record<string, Count>>;
  /** Operator image, pinned. @default - versions.ts */
  readonly image?: string;
  /** Executors tracked per application. @default 1000 */
  readonly maxTrackedExecutorsPerApp?: PositiveCount;
  /** Kubernetes API client rate limit of the controller. @default { qps: 20, burst: 30 } */
  readonly kubeApi?: { readonly qps: PositiveCount; readonly burst: PositiveCount };
  /** Time to live of finished applications that set none, in seconds. @default 86400 */
  readonly defaultTimeToLiveSeconds?: PositiveCount;
  /** Pods that may scrape the controllers' metrics (port 8080), e.g. Prometheus. @default - none */
  readonly metricsAccess?: readonly PeerConfig[];
  /**
   * Prometheus monitoring of the operator (a PodMonitor and/or scrape annotations): see
   * SparkOperatorProps.monitoring. Needs `metricsAccess`. @default - none
   */
  readonly monitoring?: OperatorMonitoring;
  /** Batch scheduling (Volcano, YuniKorn): see SparkOperatorProps.batchScheduler. @default - off */
  readonly batchScheduler?: { readonly kubeSchedulerNames?: readonly DnsSubdomain[]; readonly default?: 'volcano' | 'yunikorn' };
  /** Labels of the SparkApplication metrics (`--metrics-labels`). @default ["app_type"] */
  readonly metricsLabels?: readonly string[];
  /** Log level and format of the operator's processes (`--zap-log-level`, `--zap-encoder`). @default { level: "info", format: "console" } */
  readonly logging?: { readonly level?: 'debug' | 'info' | 'error'; readonly format?: 'console' | 'json' };
  /** The admission webhook: off by default (see docs/operator.md "Webhook"). @default - no webhook */
  readonly webhook?: {
    /** `self-signed` (the webhook makes its own) or `cert-manager` (installed separately). */
    readonly certificate: 'self-signed' | 'cert-manager';
    /** cert-manager issuer; without one a self-signed Issuer is emitted. @default - none */
    readonly issuer?: { readonly kind: 'Issuer' | 'ClusterIssuer'; readonly name: DnsSubdomain };
    readonly replicas?: PositiveCount;
    readonly resourceQuotaEnforcement?: boolean;
  };
}

/** Pods admitted to a port of the platform's: a namespace, and optionally their labels. */
export interface PeerConfig {
  /** Namespace of the pods. */
  readonly namespace: DnsLabel;
  /** Labels of the pods. @default - every pod of the namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** The peers of a PeerConfig list, as the constructs take them. */
export function peersOfConfig(peers: readonly PeerConfig[] | undefined): ClientPodPeer[] {
  return (peers ?? []).map((p) => ({ namespace: p.namespace, ...(p.podLabels ? { labels: { ...p.podLabels } } : {}) }));
}

/** The API server and DNS endpoints of an environment, for the platform's own pods. */
export function clusterEndpoints(config: PlatformConfig): { apiServer: NetworkEndpoint; dns?: NetworkEndpoint } {
  const net = config.network ?? {};
  return {
    apiServer: NetworkEndpoint.kubeApiServer(net.apiServerCidrs, net.apiServerPorts),
    ...(net.dns ? { dns: endpointOf(net.dns, 'network.dns') } : {}),
  };
}

/** A network endpoint: pods (namespace + labels) or CIDRs, and ports. */
export interface EndpointConfig {
  /** Namespace of the pods (with `podLabels`). @default - use `cidrs` */
  readonly namespace?: DnsLabel;
  /** Labels of the pods. @default - every pod in `namespace` */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * IP ranges, instead of pods.
   * @default - use `namespace`
   * @minItems 1
   */
  readonly cidrs?: readonly string[];
  /** TCP ports. @default - none; set ports or udpPorts */
  readonly ports?: readonly PortNumber[];
  /** UDP ports. @default - none */
  readonly udpPorts?: readonly PortNumber[];
}

/** Per-tenant settings (quantities as Kubernetes quantity strings). */
export interface TenantSettings {
  /** Pod Security level enforced. @default "restricted" */
  readonly podSecurity?: `${PodSecurityLevel}`;
  /** Why a level other than restricted is needed. @default - none */
  readonly podSecurityReason?: string;
  /** ResourceQuota; see SparkNamespaceQuota. @default - construct defaults */
  readonly quota?: QuotaConfig;
  /** LimitRange; see ContainerDefaults. @default - construct defaults */
  readonly containerDefaults?: ContainerDefaultsConfig;
  /** The smallest job the tenant must fit. @default - one driver and one executor at Spark defaults */
  readonly minimumJob?: JobShapeConfig;
  /**
   * The Prometheus pods that scrape the tenant's Spark pods: the NetworkPolicy
   * `allow-spark-metrics` admits them to the drivers' and executors' `spark-ui` and `jmx-exporter`
   * ports (SparkNamespaceProps.metricsAccess). A tenant's own list replaces tenantDefaults'.
   * @default - none: the tenant's default-deny drops every scrape
   */
  readonly metricsAccess?: readonly PeerConfig[];
}

/** A tenant namespace. */
export interface TenantConfig extends TenantSettings {
  /** Namespace name. */
  readonly name: DnsLabel;
  /** Extra labels on the Namespace. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** SparkNamespaceQuota as data. */
export interface QuotaConfig {
  readonly cpu?: CpuQuantity;
  readonly memory?: MemoryQuantity;
  readonly limitsCpu?: CpuQuantity;
  readonly limitsMemory?: MemoryQuantity;
  readonly pods?: Count;
  readonly persistentVolumeClaims?: Count;
  readonly storage?: MemoryQuantity;
  readonly configMaps?: Count;
  readonly services?: Count;
  readonly secrets?: Count;
}

/** ContainerDefaults as data. */
export interface ContainerDefaultsConfig {
  readonly cpuRequest?: CpuQuantity;
  readonly memoryRequest?: MemoryQuantity;
  readonly memoryLimit?: MemoryQuantity;
  readonly cpuLimit?: CpuQuantity;
  readonly maxCpu?: CpuQuantity;
  readonly maxMemory?: MemoryQuantity;
}

/** SparkJobShape as data (memory as Kubernetes quantities, e.g. "1Gi"). */
export interface JobShapeConfig {
  readonly driverCores?: PositiveCount;
  readonly driverMemory?: MemoryQuantity;
  readonly executorCores?: PositiveCount;
  readonly executorMemory?: MemoryQuantity;
  readonly executors?: PositiveCount;
  /** @minimum 0 */
  readonly memoryOverheadFactor?: number;
}

/** The environment schema, generated from PlatformConfig (scripts/props-schema.ts). */
const checkEnvironment = schemaChecker('platform-config', platformConfigSchema as Record<string, unknown>, 'environment');

/**
 * Checks configuration read at run time and returns it typed. Errors name the field path
 * (`tenants[1].quota.cpu`) and how to fix it; `source` (e.g. a file name) prefixes them.
 */
export function parsePlatformConfig(input: unknown, source?: string): PlatformConfig {
  const where = source ? `${source}:` : undefined;
  checkEnvironment(input, where);
  const config = input as PlatformConfig;
  if (config.doctor !== undefined) {
    try {
      checkDoctorConfig(config.doctor, 'doctor');
    } catch (e) {
      if (e instanceof SparkPlatformError && where) throw new SparkPlatformError(e.field, e.problem, e.fix, where);
      throw e;
    }
  }
  if (config.tenants.length === 0) {
    // The operator watches exactly the tenants; with none it would watch every namespace with
    // cluster-wide rights to create pods (SparkOperator refuses that unless chosen explicitly).
    throw new SparkPlatformError('tenants', 'is empty, so the Spark operator would watch every namespace with cluster-wide rights to create pods, Services and ConfigMaps', 'list at least one tenant namespace', where);
  }
  const seen = new Map<string, number>();
  config.tenants.forEach((t, i) => {
    const first = seen.get(t.name);
    if (first !== undefined) {
      throw new SparkPlatformError(`tenants[${i}].name`, `${JSON.stringify(t.name)} is already tenants[${first}]`, 'give each tenant its own namespace, or merge the two entries', where);
    }
    seen.set(t.name, i);
  });
  const jobs = new Map<string, number>();
  (config.jobs ?? []).forEach((j, i) => {
    if (!seen.has(j.tenant)) {
      throw new SparkPlatformError(`jobs[${i}].tenant`, `${JSON.stringify(j.tenant)} is not one of the tenants (${[...seen.keys()].join(', ')})`, 'run the job in a tenant namespace of this environment', where);
    }
    const key = `${j.tenant}/${j.name}`;
    const first = jobs.get(key);
    if (first !== undefined) {
      throw new SparkPlatformError(`jobs[${i}].name`, `${JSON.stringify(j.name)} is already jobs[${first}] in tenant ${JSON.stringify(j.tenant)}`, 'give each job of a tenant its own name', where);
    }
    jobs.set(key, i);
  });
  const notebooks = new Map<string, number>();
  (config.notebooks ?? []).forEach((n, i) => {
    if (!seen.has(n.tenant)) {
      throw new SparkPlatformError(`notebooks[${i}].tenant`, `${JSON.stringify(n.tenant)} is not one of the tenants (${[...seen.keys()].join(', ')})`, 'run the notebook in a tenant namespace of this environment', where);
    }
    const key = `${n.tenant}/${n.name}`;
    const first = notebooks.get(key);
    if (first !== undefined) {
      throw new SparkPlatformError(`notebooks[${i}].name`, `${JSON.stringify(n.name)} is already notebooks[${first}] in tenant ${JSON.stringify(n.tenant)}`, 'give each notebook of a tenant its own name', where);
    }
    notebooks.set(key, i);
  });
  checkOrchestrators(config, seen, where);
  checkApacheOperator(config, seen, where);
  checkKueue(config, seen, where);
  checkMonitoringConfig(config, where);
  return config;
}

/**
 * Monitoring: PodMonitors need every tenant to admit its scrapers (else the tenants' default-deny
 * drops every scrape), the operator's PodMonitor needs `operator.metricsAccess` and is set once;
 * labels and the interval are checked here so errors name the configuration path.
 */
function checkMonitoringConfig(config: PlatformConfig, where: string | undefined): void {
  const m = config.monitoring;
  if (!m) return;
  const pm = m.podMonitors;
  if (pm) {
    try {
      checkOperatorMonitoring({ podMonitor: { labels: pm.labels, interval: pm.interval } }, 1, '');
    } catch (e) {
      if (!(e instanceof SparkPlatformError)) throw e;
      throw new SparkPlatformError(e.field.replace(/^monitoring\.podMonitor\b/, 'monitoring.podMonitors'), e.problem, e.fix, where);
    }
    config.tenants.forEach((t, i) => {
      if ((t.metricsAccess ?? config.tenantDefaults?.metricsAccess ?? []).length > 0) return;
      const own = t.metricsAccess !== undefined ? ' (its own list is empty)' : '';
      throw new SparkPlatformError(`tenants[${i}].metricsAccess`, `is not set${own}, but monitoring.podMonitors scrapes every tenant: the default-deny NetworkPolicy of ${JSON.stringify(t.name)} would drop every scrape`, 'list the Prometheus pods (namespace and podLabels) in tenantDefaults.metricsAccess or the tenant\'s metricsAccess, or remove monitoring.podMonitors', where);
    });
  }
  if (m.operator === true) {
    if (config.operator?.monitoring !== undefined) {
      throw new SparkPlatformError('monitoring.operator', 'is true and operator.monitoring is set too', 'keep one: monitoring.operator (a PodMonitor with monitoring.podMonitors\' labels and interval), or operator.monitoring for other settings', where);
    }
    if ((config.operator?.metricsAccess ?? []).length === 0) {
      throw new SparkPlatformError('monitoring.operator', 'is true but operator.metricsAccess is empty, so the operator\'s NetworkPolicies would drop every scrape', 'list the Prometheus pods (namespace and podLabels) in operator.metricsAccess, or set monitoring.operator to false', where);
    }
  }
  if (m.dashboard) assertUserMetadata(m.dashboard.labels, 'label', 'monitoring.dashboard.labels', where);
}

/** The operator's monitoring: `operator.monitoring`, or a PodMonitor with `monitoring.podMonitors`' labels and interval when `monitoring.operator` is true. */
export function operatorMonitoringOf(config: PlatformConfig): OperatorMonitoring | undefined {
  if (config.monitoring?.operator !== true) return config.operator?.monitoring;
  const pm = config.monitoring.podMonitors ?? {};
  return { podMonitor: { ...(pm.labels ? { labels: { ...pm.labels } } : {}), ...(pm.interval !== undefined ? { interval: pm.interval } : {}) } };
}

/** Kueue: its tenants are tenants of this environment, each once; a job's `queue` is the tenants' LocalQueue. */
function checkKueue(config: PlatformConfig, tenants: ReadonlyMap<string, number>, where: string | undefined): void {
  const k = config.kueue;
  if (k) {
    (k.tenants ?? []).forEach((t, j) => {
      if (!tenants.has(t.tenant)) {
        throw new SparkPlatformError(`kueue.tenants[${j}].tenant`, `${JSON.stringify(t.tenant)} is not one of the tenants (${[...tenants.keys()].join(', ')})`, 'list tenants of this environment by name', where);
      }
      const first = (k.tenants ?? []).findIndex((o) => o.tenant === t.tenant);
      if (first !== j) throw new SparkPlatformError(`kueue.tenants[${j}].tenant`, `${JSON.stringify(t.tenant)} is already kueue.tenants[${first}]`, 'list each tenant once', where);
    });
  }
  const queue = k?.localQueueName ?? DEFAULT_LOCAL_QUEUE;
  (config.jobs ?? []).forEach((job, i) => {
    if (job.queue === undefined) return;
    if (!k) throw new SparkPlatformError(`jobs[${i}].queue`, `is ${JSON.stringify(job.queue)}, but the environment has no kueue section, so no tenant has a LocalQueue and the job would stay suspended`, 'add a kueue section (with Kueue installed in the cluster), or leave queue out', where);
    if (job.queue !== queue) throw new SparkPlatformError(`jobs[${i}].queue`, `${JSON.stringify(job.queue)} is not the tenants' LocalQueue (${JSON.stringify(queue)})`, `set queue to ${JSON.stringify(queue)}`, where);
  });
}

/**
 * Gives tenant `tenant` its queue in `kueue`, with the options of its kueue.tenants entry; a
 * construct error names the configuration path (`kueue.tenants[0].quota.cpu`).
 */
export function addKueueTenant(kueue: KueueQueues, config: PlatformConfig, tenant: SparkNamespace): TenantQueue {
  const index = (config.kueue?.tenants ?? []).findIndex((t) => t.tenant === tenant.name);
  try {
    return kueue.addTenant(tenant, kueueTenantOptions(config, tenant.name));
  } catch (e) {
    if (!(e instanceof SparkPlatformError) || e.field.startsWith('kueue.')) throw e;
    const path = index >= 0 ? `kueue.tenants[${index}].${e.field}` : `kueue (tenant ${JSON.stringify(tenant.name)}, not listed in kueue.tenants).${e.field}`;
    throw new SparkPlatformError(path, e.problem, e.fix);
  }
}

/** The KueueQueues options of tenant `name` (kueue.tenants entry, quantities parsed). */
export function kueueTenantOptions(config: PlatformConfig, name: string): TenantQueueOptions {
  const k = config.kueue ?? {};
  const index = (k.tenants ?? []).findIndex((t) => t.tenant === name);
  const t = index >= 0 ? k.tenants![index] : undefined;
  const quota = (q: KueueQuotaConfig | undefined, path: string): KueueQuota | undefined => q && {
    cpu: optional(q.cpu, (v) => Cpu.parse(v, `${path}.cpu`)),
    memory: optional(q.memory, (v) => Memory.parse(v, `${path}.memory`)),
    pods: q.pods,
  };
  const path = `kueue.tenants[${index}]`;
  return {
    localQueueName: k.localQueueName,
    quota: quota(t?.quota, `${path}.quota`),
    borrowingLimit: quota(t?.borrowingLimit, `${path}.borrowingLimit`),
    lendingLimit: quota(t?.lendingLimit, `${path}.lendingLimit`),
  };
}

/** The Apache operator's tenants: tenants of this environment, each once, at least one left to the Kubeflow operator. */
function checkApacheOperator(config: PlatformConfig, tenants: ReadonlyMap<string, number>, where: string | undefined): void {
  const a = config.apacheOperator;
  if (!a) return;
  a.tenants.forEach((t, j) => {
    if (!tenants.has(t)) {
      throw new SparkPlatformError(`apacheOperator.tenants[${j}]`, `${JSON.stringify(t)} is not one of the tenants (${[...tenants.keys()].join(', ')})`, 'list tenants of this environment by name', where);
    }
    if (a.tenants.indexOf(t) !== j) throw new SparkPlatformError(`apacheOperator.tenants[${j}]`, `${JSON.stringify(t)} is listed twice`, 'list each tenant once', where);
  });
  if (a.tenants.length >= tenants.size) {
    throw new SparkPlatformError('apacheOperator.tenants', 'lists every tenant, so the Kubeflow operator would watch none (and an operator without namespaces is refused)', 'leave at least one tenant to the Kubeflow operator', where);
  }
}

/** The ApacheSparkOperator of an environment, watching its tenants. */
export function apacheOperatorProps(config: PlatformConfig, jobNamespaces: readonly IJobNamespace[]): ApacheSparkOperatorProps {
  const a = config.apacheOperator!;
  const { apiServer, dns } = clusterEndpoints(config);
  return {
    namespace: a.namespace,
    replicas: a.replicas,
    image: a.image,
    defaultTimeToLiveSeconds: a.defaultTimeToLiveSeconds,
    metricsAccess: peersOfConfig(a.metricsAccess),
    apiServer,
    dns,
    jobNamespaces,
  };
}

/** Orchestrators: unique names, tenants of this environment, never in a tenant namespace. */
function checkOrchestrators(config: PlatformConfig, tenants: ReadonlyMap<string, number>, where: string | undefined): void {
  const names = new Map<string, number>();
  (config.orchestrators ?? []).forEach((o, i) => {
    const first = names.get(o.name);
    if (first !== undefined) {
      throw new SparkPlatformError(`orchestrators[${i}].name`, `${JSON.stringify(o.name)} is already orchestrators[${first}]`, 'give each orchestrator its own name (its Roles are named after it)', where);
    }
    names.set(o.name, i);
    const tenant = tenants.get(o.namespace);
    if (tenant !== undefined) {
      throw new SparkPlatformError(`orchestrators[${i}].namespace`, `${JSON.stringify(o.namespace)} is tenants[${tenant}]: the orchestrator's pods would run next to the tenant's Spark pods`, 'run the orchestrator in a namespace of its own (e.g. "airflow")', where);
    }
    o.tenants.forEach((t, j) => {
      if (!tenants.has(t)) {
        throw new SparkPlatformError(`orchestrators[${i}].tenants[${j}]`, `${JSON.stringify(t)} is not one of the tenants (${[...tenants.keys()].join(', ')})`, 'list tenants of this environment by name', where);
      }
      if (o.tenants.indexOf(t) !== j) {
        throw new SparkPlatformError(`orchestrators[${i}].tenants[${j}]`, `${JSON.stringify(t)} is listed twice`, 'list each tenant once', where);
      }
    });
  });
}

/** The OrchestratorAccess props of orchestrator `index`: its tenants resolved by name. */
export function orchestratorProps(config: PlatformConfig, index: number, tenants: ReadonlyMap<string, IServedNamespace>, operator: IWatchingOperator): OrchestratorAccessProps {
  const o = (config.orchestrators ?? [])[index];
  return {
    name: o.name,
    namespace: o.namespace,
    serviceAccountName: o.serviceAccount,
    tenants: o.tenants.map((t) => tenants.get(t)!),
    scheduled: o.scheduled,
    operator,
  };
}

/** The endpoint a config describes; `path` names it in errors. */
export function endpointOf(c: EndpointConfig, path: string): NetworkEndpoint {
  const ports: EndpointPort[] = [
    ...(c.ports ?? []).map((p) => ({ port: p, protocol: Protocol.TCP })),
    ...(c.udpPorts ?? []).map((p) => ({ port: p, protocol: Protocol.UDP })),
  ];
  if (ports.length === 0) throw new SparkPlatformError(`${path}.ports`, 'no ports are given', 'list the TCP ports (ports) or UDP ports (udpPorts) of the endpoint');
  if (c.namespace !== undefined && c.cidrs !== undefined) {
    throw new SparkPlatformError(path, 'sets both namespace and cidrs', 'describe in-cluster pods with namespace + podLabels, or external addresses with cidrs, not both');
  }
  if (c.cidrs !== undefined) return NetworkEndpoint.cidrs(c.cidrs, ports);
  if (c.namespace === undefined) throw new SparkPlatformError(path, 'sets neither namespace nor cidrs', 'give the namespace (and podLabels) of in-cluster pods, or the cidrs of external addresses');
  return NetworkEndpoint.pods({ namespace: c.namespace, labels: { ...(c.podLabels ?? {}) }, ports });
}

/** The SparkNamespace props of tenant `index`, with the environment's tenant defaults applied. */
export function tenantProps(config: PlatformConfig, index: number): SparkNamespaceProps {
  const t = config.tenants[index];
  const d = config.tenantDefaults ?? {};
  const path = `tenants[${index}]`;
  const net = config.network ?? {};
  const quota = { ...d.quota, ...t.quota };
  const limits = { ...d.containerDefaults, ...t.containerDefaults };
  const job = { ...d.minimumJob, ...t.minimumJob };
  const podSecurity = t.podSecurity ?? d.podSecurity;
  return {
    name: t.name,
    podSecurity: podSecurity as PodSecurityLevel | undefined,
    podSecurityReason: t.podSecurityReason ?? d.podSecurityReason,
    labels: t.labels ? { ...t.labels } : undefined,
    quota: quotaProps(quota, `${path}.quota`),
    containerDefaults: containerProps(limits, `${path}.containerDefaults`),
    minimumJob: {
      driverCores: job.driverCores,
      driverMemory: optional(job.driverMemory, (v) => Memory.parse(v, `${path}.minimumJob.driverMemory`)),
      executorCores: job.executorCores,
      executorMemory: optional(job.executorMemory, (v) => Memory.parse(v, `${path}.minimumJob.executorMemory`)),
      executors: job.executors,
      memoryOverheadFactor: job.memoryOverheadFactor,
    },
    apiServer: NetworkEndpoint.kubeApiServer(net.apiServerCidrs, net.apiServerPorts),
    dns: net.dns ? endpointOf(net.dns, 'network.dns') : undefined,
    objectStore: net.objectStore ? endpointOf(net.objectStore, 'network.objectStore') : undefined,
    packageRepository: net.packageRepository ? endpointOf(net.packageRepository, 'network.packageRepository') : undefined,
    metricsAccess: peersOfConfig(t.metricsAccess ?? d.metricsAccess),
  };
}

/** The SparkOperator props of an environment: it watches exactly `jobNamespaces` (the tenants). */
export function operatorProps(config: PlatformConfig, jobNamespaces: readonly IJobNamespace[]): SparkOperatorProps {
  const o = config.operator ?? {};
  return {
    namespace: o.namespace,
    replicas: o.replicas,
    workers: o.workers,
    shards: o.shards,
    shardAssignment: o.shardAssignment,
    image: o.image,
    maxTrackedExecutorsPerApp: o.maxTrackedExecutorsPerApp,
    kubeApi: o.kubeApi,
    defaultTimeToLiveSeconds: o.defaultTimeToLiveSeconds,
    metricsAccess: peersOfConfig(o.metricsAccess),
    monitoring: operatorMonitoringOf(config),
    metricsLabels: o.metricsLabels,
    logging: o.logging,
    batchScheduler: o.batchScheduler,
    ...clusterEndpoints(config),
    jobNamespaces,
    webhook: o.webhook && {
      certificate: o.webhook.certificate === 'cert-manager' ? WebhookCertificate.certManager(o.webhook.issuer) : WebhookCertificate.selfSigned(),
      replicas: o.webhook.replicas,
      resourceQuotaEnforcement: o.webhook.resourceQuotaEnforcement,
    },
  };
}

function quotaProps(q: QuotaConfig, path: string): SparkNamespaceQuota {
  return {
    cpu: optional(q.cpu, (v) => Cpu.parse(v, `${path}.cpu`)),
    memory: optional(q.memory, (v) => Memory.parse(v, `${path}.memory`)),
    limitsCpu: optional(q.limitsCpu, (v) => Cpu.parse(v, `${path}.limitsCpu`)),
    limitsMemory: optional(q.limitsMemory, (v) => Memory.parse(v, `${path}.limitsMemory`)),
    pods: q.pods,
    persistentVolumeClaims: q.persistentVolumeClaims,
    storage: optional(q.storage, (v) => Memory.parse(v, `${path}.storage`)),
    configMaps: q.configMaps,
    services: q.services,
    secrets: q.secrets,
  };
}

function containerProps(c: ContainerDefaultsConfig, path: string): ContainerDefaults {
  return {
    cpuRequest: optional(c.cpuRequest, (v) => Cpu.parse(v, `${path}.cpuRequest`)),
    memoryRequest: optional(c.memoryRequest, (v) => Memory.parse(v, `${path}.memoryRequest`)),
    memoryLimit: optional(c.memoryLimit, (v) => Memory.parse(v, `${path}.memoryLimit`)),
    cpuLimit: optional(c.cpuLimit, (v) => Cpu.parse(v, `${path}.cpuLimit`)),
    maxCpu: optional(c.maxCpu, (v) => Cpu.parse(v, `${path}.maxCpu`)),
    maxMemory: optional(c.maxMemory, (v) => Memory.parse(v, `${path}.maxMemory`)),
  };
}

function optional<T, R>(v: T | undefined, f: (v: T) => R): R | undefined {
  return v === undefined ? undefined : f(v);
}
