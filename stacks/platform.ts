import { App, Chart } from 'cdk8s';
import { SparkJob } from '../constructs/jobs';
import { Doctor, attachDoctor } from '../constructs/doctor';
import { SparkNotebook } from '../constructs/notebook';
import { IObjectStore, MinIO, MinIOMode, ObjectStoreConnection, S3ObjectStore, S3aJars, SecretSource, SparkHistoryServer } from '../constructs/storage';
import { Memory } from '../constructs/units';
import { SparkOperator, SparkOperatorCrds } from '../constructs/operator';
import { SparkDashboard, SparkJobsMonitoring } from '../constructs/monitoring';
import { KueueQueues, OrchestratorAccess, SparkNamespace, restrictedNamespace } from '../constructs/tenancy';
import { JobConfig, PlatformConfig, StorageConfig, apacheOperatorProps, clusterEndpoints, endpointOf, addKueueTenant, operatorProps, orchestratorProps, parsePlatformConfig, peersOfConfig, tenantProps } from './config';
import { ApacheSparkOperator, ApacheSparkOperatorCrds } from '../constructs/apache-operator';
import { deployAfter } from './gitops';
import { DeferredBatch, DeferredChildren } from '../constructs/deferred';
import { SparkPlatformError, show } from '../constructs/errors';

/*
 * `spark-platform/platform`: the whole platform from one PlatformConfig (plain data, as the
 * repository's environments are written), on any cdk8s App: buildPlatform, and the configuration
 * types and check. schema/platform-config.schema.json is the same configuration as a JSON Schema.
 */
export { parsePlatformConfig } from './config';
export type {
  ApacheOperatorConfig, ContainerDefaultsConfig, DashboardConfig, EndpointConfig, JobConfig, JobShapeConfig, KueueConfig, KueueQuotaConfig, KueueTenantConfig, MonitoringConfig, NetworkConfig, NotebookConfig,
  OperatorConfig, OrchestratorConfig, PeerConfig, PlatformConfig, PodMonitorConfig, QuotaConfig, StorageConfig, TenantConfig, TenantSettings,
} from './config';

/** The charts of one environment, one per deploy layer, in apply order. */
export interface PlatformCharts {
  /** The platform doctor: checks the whole app on every synth; its errors fail the synth. */
  readonly doctor: Doctor;
  /** The CRDs (SparkApplication, ScheduledSparkApplication): applied before anything uses them. */
  readonly crds: Chart;
  /** Tenant namespaces: Namespace, quota, limits, driver RBAC, NetworkPolicies. */
  readonly tenants: Chart;
  /** The tenant constructs, by namespace name. */
  readonly tenantNamespaces: ReadonlyMap<string, SparkNamespace>;
  /** The tenants' Kueue queues (in the tenants chart), when the environment has a kueue section. */
  readonly kueue?: KueueQueues;
  /** The orchestrators' access (in the tenants chart), by orchestrator name. */
  readonly orchestrators: ReadonlyMap<string, OrchestratorAccess>;
  /** The Spark operator: controller(s), RBAC in the tenant namespaces, optional webhook. */
  readonly operator: Chart;
  /** The operator construct. */
  readonly sparkOperator: SparkOperator;
  /** Apache Spark's Kubernetes operator, when the environment has one (in the operator chart). */
  readonly apacheOperator?: ApacheSparkOperator;
  /** Object storage and the History Server, when the environment has storage. */
  readonly storage?: Chart;
  /** The s3a connection every job gets (with the event log when there is a History Server). */
  readonly connection?: ObjectStoreConnection;
  /** The History Server, when enabled. */
  readonly historyServer?: SparkHistoryServer;
  /** The environment's Spark jobs (SparkApplications, Jobs, ...), when it has any. */
  readonly jobs?: Chart;
  /** The job constructs, by `<tenant>/<name>` (empty when they are deferred: BuildPlatformOptions.deferJobs). */
  readonly sparkJobs: ReadonlyMap<string, SparkJob>;
  /** The environment's notebooks, when it has any. */
  readonly notebooks?: Chart;
  /** The notebook constructs, by `<tenant>/<name>`. */
  readonly sparkNotebooks: ReadonlyMap<string, SparkNotebook>;
  /**
   * Prometheus monitoring, when the environment has PodMonitors or a dashboard: the tenants'
   * PodMonitors and the Grafana dashboard (the operator's PodMonitor is in the operator chart).
   */
  readonly monitoring?: Chart;
  /** The tenants' PodMonitors (SparkJobsMonitoring), by tenant name. */
  readonly jobsMonitoring: ReadonlyMap<string, SparkJobsMonitoring>;
  /** The Grafana dashboard, when configured. */
  readonly dashboard?: SparkDashboard;
}

/** Options of {@link buildPlatform}. */
export interface BuildPlatformOptions {
  /**
   * Build the jobs at synth, one tenant at a time, instead of now: a synth then never holds
   * every job's constructs and objects at once (its memory is the rest of the platform plus one
   * tenant's jobs), and renders the same files. For a synth of a large platform (`npm run synth`
   * uses it). `sparkJobs` is then empty, the jobs can be neither changed nor looked up, and an
   * error in a job's props is thrown by the synth (or the doctor's report) instead of here.
   * @default false
   */
  readonly deferJobs?: boolean;
}

/**
 * Builds the platform of one environment into `app`: the only description of the platform,
 * which `cdk8s synth` writes to `dist/<env>/` and the Pulumi program provisions.
 *
 * `config` is checked first (it may come from a transpile-only TypeScript file, YAML or Pulumi
 * config); `source` (e.g. a file name) prefixes its error messages.
 */
export function buildPlatform(app: App, config: PlatformConfig, source?: string, options: BuildPlatformOptions = {}): PlatformCharts {
  const checked = parsePlatformConfig(config, source);
  const crds = new Chart(app, 'crds');
  new SparkOperatorCrds(crds, 'SparkOperatorCrds');
  if (checked.apacheOperator) new ApacheSparkOperatorCrds(crds, 'ApacheSparkOperatorCrds');
  const tenants = new Chart(app, 'tenants');
  const tenantNamespaces = new Map<string, SparkNamespace>();
  checked.tenants.forEach((t, i) => {
    tenantNamespaces.set(t.name, new SparkNamespace(tenants, t.name, tenantProps(checked, i)));
  });
  // Kueue queues (when configured): in the tenants chart, after the namespaces their LocalQueues live in.
  const kueue = checked.kueue ? new KueueQueues(tenants, 'Kueue', { cohort: checked.kueue.cohort }) : undefined;
  for (const t of kueue ? tenantNamespaces.values() : []) addKueueTenant(kueue!, checked, t);
  const operator = new Chart(app, 'operator');
  // The operator's Roles live in the tenant namespaces, which must exist first.
  deployAfter(operator, crds, tenants);
  // Each tenant is watched by one operator: the Apache one's tenants, the Kubeflow one the rest.
  const apacheTenants = new Set(checked.apacheOperator?.tenants ?? []);
  const kubeflowTenants = [...tenantNamespaces.values()].filter((t) => !apacheTenants.has(t.name));
  const sparkOperator = new SparkOperator(operator, 'SparkOperator', operatorProps(checked, kubeflowTenants));
  const apacheOperator = checked.apacheOperator
    ? new ApacheSparkOperator(operator, 'ApacheSparkOperator', apacheOperatorProps(checked, [...apacheTenants].map((t) => tenantNamespaces.get(t)!)))
    : undefined;
  // Orchestrators' Roles live in the tenant namespaces: the tenants chart, after the namespaces.
  const orchestrators = new Map<string, OrchestratorAccess>();
  (checked.orchestrators ?? []).forEach((o, i) => {
    orchestrators.set(o.name, new OrchestratorAccess(tenants, `Orchestrator-${o.name}`, orchestratorProps(checked, i, tenantNamespaces, sparkOperator)));
  });

  const built = checked.storage ? buildStorage(app, checked) : undefined;
  const connection = built?.historyServer?.connection() ?? built?.connection;

  const sparkJobs = new Map<string, SparkJob>();
  let jobs: Chart | undefined;
  if ((checked.jobs ?? []).length > 0) {
    jobs = new Chart(app, 'jobs');
    // SparkApplications need the operator (and its CRDs) first; Jobs need their namespace.
    deployAfter(jobs, operator);
    if (built) deployAfter(jobs, built.chart);
    const jobsChart = jobs;
    // One batch per tenant, the tenants in the order they first have a job: the chart's order
    // whether the jobs are built now or one tenant at a time at synth (deferJobs).
    const byTenant = new Map<string, JobConfig[]>();
    for (const job of checked.jobs ?? []) {
      const list = byTenant.get(job.tenant);
      if (list) list.push(job);
      else byTenant.set(job.tenant, [job]);
    }
    checkJobIds(checked.jobs ?? []);
    const buildTenant = (tenant: string, list: readonly JobConfig[]): SparkJob[] => {
      const namespace = tenantNamespaces.get(tenant)!;
      // The operator watching the tenant: its kind decides the job's default mode.
      const jobOperator = apacheTenants.has(tenant) ? apacheOperator! : sparkOperator;
      return list.map(({ tenant: _t, ...props }) => {
        const job = new SparkJob(jobsChart, `${tenant}-${props.name}`, { ...props, namespace, operator: jobOperator });
        // Every job can read and write the platform's store and logs to its History Server.
        connection?.connect(job);
        return job;
      });
    };
    if (options.deferJobs) {
      // a batch's namespace is the one its jobs' objects are in (the doctor judges it by that)
      new DeferredChildren(jobs, [...byTenant].map(([tenant, list]): DeferredBatch => ({
        namespace: tenantNamespaces.get(tenant)!.name,
        build: () => buildTenant(tenant, list),
      })));
    } else {
      for (const [tenant, list] of byTenant) {
        for (const job of buildTenant(tenant, list)) sparkJobs.set(`${tenant}/${job.name}`, job);
      }
    }
  }
  const sparkNotebooks = new Map<string, SparkNotebook>();
  let notebooks: Chart | undefined;
  if ((checked.notebooks ?? []).length > 0) {
    notebooks = new Chart(app, 'notebooks');
    // Notebooks need their namespace (and its egress policies) and the object store.
    deployAfter(notebooks, tenants);
    if (built) deployAfter(notebooks, built.chart);
    for (const { tenant, ...props } of checked.notebooks ?? []) {
      const notebook = new SparkNotebook(notebooks, `${tenant}-${props.name}`, { ...props, namespace: tenantNamespaces.get(tenant)! });
      connection?.connect(notebook);
      sparkNotebooks.set(`${tenant}/${props.name}`, notebook);
    }
  }
  const { chart: monitoring, jobsMonitoring, dashboard } = buildMonitoring(app, checked, tenantNamespaces, tenants);
  // Checks the whole tree at synth (a cdk8s validation): what would otherwise break at run time.
  const doctor = Doctor.of(app) ?? attachDoctor(app, checked.doctor ?? {});
  return {
    doctor, crds, tenants, tenantNamespaces, kueue, orchestrators, operator, sparkOperator, apacheOperator, storage: built?.chart, connection, historyServer: built?.historyServer,
    jobs, sparkJobs, notebooks, sparkNotebooks, monitoring, jobsMonitoring, dashboard,
  };
}

/**
 * The monitoring layer (last, after the tenant namespaces its PodMonitors live in): a PodMonitor
 * per tenant for its Spark jobs, and the Grafana dashboard. The Prometheus Operator's CRDs and
 * the dashboard's namespace come with the monitoring stack, installed separately.
 */
function buildMonitoring(app: App, config: PlatformConfig, tenantNamespaces: ReadonlyMap<string, SparkNamespace>, tenants: Chart): { chart?: Chart; jobsMonitoring: Map<string, SparkJobsMonitoring>; dashboard?: SparkDashboard } {
  const m = config.monitoring ?? {};
  const jobsMonitoring = new Map<string, SparkJobsMonitoring>();
  if (!m.podMonitors && !m.dashboard) return { jobsMonitoring };
  const chart = new Chart(app, 'monitoring');
  deployAfter(chart, tenants);
  if (m.podMonitors) {
    for (const [name, namespace] of tenantNamespaces) {
      jobsMonitoring.set(name, new SparkJobsMonitoring(chart, `Jobs-${name}`, { namespace, labels: m.podMonitors.labels, interval: m.podMonitors.interval }));
    }
  }
  const dashboard = m.dashboard
    ? new SparkDashboard(chart, 'Dashboard', { namespace: m.dashboard.namespace, folder: m.dashboard.folder, labels: m.dashboard.labels })
    : undefined;
  return { chart, jobsMonitoring, dashboard };
}

/** The storage layer of an environment: MinIO (unless external/AWS), the s3a connection, the History Server. */
function buildStorage(app: App, platform: PlatformConfig): { chart: Chart; connection: ObjectStoreConnection; historyServer?: SparkHistoryServer } {
  const config: StorageConfig = platform.storage ?? {};
  const net = platform.network ?? {};
  const { dns } = clusterEndpoints(platform);
  const chart = new Chart(app, 'storage');
  const namespace = config.namespace ?? 'spark-platform';
  const buckets = [...(config.buckets ?? ['spark-data', 'spark-logs'])];
  const history = config.historyServer?.enabled ?? true;
  const logDirectory = config.historyServer?.logDirectory ?? 's3a://spark-logs/events';
  const prefix = /^s3a:\/\/(.+)$/.exec(logDirectory)?.[1];
  // An AWS or external store's address, when the environment declares it (network.objectStore).
  const networkEndpoint = net.objectStore ? endpointOf(net.objectStore, 'network.objectStore') : undefined;
  let store: IObjectStore;
  if (config.aws) {
    store = S3ObjectStore.aws({ region: config.aws.region, buckets, networkEndpoint });
  } else if (config.external) {
    store = S3ObjectStore.external({ ...config.external, buckets, networkEndpoint });
  } else {
    const m = config.minio ?? {};
    store = new MinIO(chart, 'MinIO', {
      namespace,
      mode: m.mode === 'distributed' ? MinIOMode.DISTRIBUTED : MinIOMode.STANDALONE,
      replicas: m.replicas,
      drivesPerNode: m.drivesPerNode,
      storage: m.size ? Memory.parse(m.size, 'storage.minio.size') : undefined,
      storageClassName: m.storageClassName,
      image: m.image,
      clientImage: m.clientImage,
      rootCredentials: SecretSource.existing(m.rootCredentialsSecret ?? 'minio-root'),
      buckets,
      prefixes: history && prefix ? [prefix] : [],
      dns,
    });
  }
  if ((config.aws || config.external) && history) {
    restrictedNamespace(chart, 'Namespace', namespace, { defaultDeny: true });
  }
  const connection = new ObjectStoreConnection({
    store,
    credentials: { secretName: config.credentialsSecret ?? 's3-credentials' },
    jars: config.jars === 'image' ? S3aJars.IMAGE : S3aJars.PACKAGES,
  });
  const historyServer = history ? new SparkHistoryServer(chart, 'HistoryServer', {
    namespace, connection, logDirectory, image: config.historyServer?.image,
    dns,
    uiAccess: peersOfConfig(config.historyServer?.uiAccess),
    packageRepository: net.packageRepository ? endpointOf(net.packageRepository, 'network.packageRepository') : undefined,
  }) : undefined;
  return { chart, connection, historyServer };
}

/**
 * Two jobs whose construct ids are equal (`<tenant>-<name>`: tenant `a-b` with job `c`, tenant
 * `a` with job `b-c`) would clash in the jobs chart.
 */
function checkJobIds(jobs: readonly JobConfig[]): void {
  const seen = new Map<string, string>();
  for (const j of jobs) {
    const id = `${j.tenant}-${j.name}`;
    const other = seen.get(id);
    if (other !== undefined && other !== `${j.tenant}/${j.name}`) {
      throw new SparkPlatformError('jobs', `${show(`${j.tenant}/${j.name}`)} and ${show(other)} both make the construct ${show(`jobs/${id}`)}`, 'rename one of the two jobs');
    }
    seen.set(id, `${j.tenant}/${j.name}`);
  }
}
