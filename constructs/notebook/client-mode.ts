import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkProps } from '../validation/props';
import { stringify } from 'yaml';
import type { SparkCluster } from '../apache-operator/spark-cluster';
import { CLIENT_MODE_DRIVER } from '../client-mode-driver';
import { SparkPlatformError, show } from '../errors';
import { treeChanged } from '../tree-version';
import { SPARK_CONTAINER } from '../jobs/spark-conf';
import { PLATFORM_LABEL_PREFIX, SPARK_ROLE_LABEL, SparkRole, TENANT_LABEL, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { NetworkEndpoint } from '../network';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { SparkEnvValue } from '../spark-env';
import { SparkImage } from '../spark-image';
import { sparkPodMemory } from '../spark-sizing';
import { ISparkWorkload } from '../storage/s3a';
import { ISparkJobNamespace, SPARK_DRIVER_VERBS } from '../tenancy';
import { assertSparkConfKey, checkAllowedSparkConfKeys, sparkLineName } from '../validation/spark-conf-keys';
import { SparkLineName } from '../versions';
import { Cpu, Memory } from '../units';
import { MountLike, PLATFORM_IVY_HOME, SparkProcess, WritableVolumes, sparkWriteSites, writableVolumes } from '../writable-paths';

/** `spark.master` of a driver running in a pod: the in-cluster API server (the port is mandatory). */
export const IN_CLUSTER_SPARK_MASTER = 'k8s://https://kubernetes.default.svc:443';
/** The driver's RPC port (`spark.driver.port`), fixed so a NetworkPolicy can admit it. */
export const DEFAULT_DRIVER_PORT = 7078;
/** The driver's block manager port (`spark.driver.blockManager.port`); executors use it too on Kubernetes. */
export const DEFAULT_BLOCK_MANAGER_PORT = 7079;
/** Label on executor pods naming the client-mode driver (notebook, server) that owns them. */
export const CLIENT_DRIVER_LABEL = `${PLATFORM_LABEL_PREFIX}/client-driver`;
/** Where the driver pod mounts the ConfigMap with spark-defaults.conf and the executor pod template. */
export const CLIENT_CONF_DIR = '/opt/spark-platform/conf';
/** The executor pod template's file name in that ConfigMap. */
export const EXECUTOR_TEMPLATE_FILE = 'executor-pod-template.yaml';
/** The default `spark.executor.memoryOverheadFactor` of Python drivers' executors (room for Python workers). */
const PYTHON_OVERHEAD_FACTOR = 0.4;

/**
 * How executors address the driver (`spark.driver.host`).
 *
 * - HEADLESS_SERVICE: the DNS name of a headless Service selecting the driver pod. A stable name
 *   (certificates, a service mesh, logs), at the price of one more object and DNS: the Service
 *   publishes not-ready addresses so the name resolves while the notebook is not Ready.
 * - POD_IP: the pod's IP from the downward API (`${env:POD_IP}`, which Spark substitutes when it
 *   reads the conf). No Service and no DNS lookup; the address changes when the pod is recreated,
 *   which is harmless since the driver dies with it. The only choice where the platform does
 *   not create the pod (JupyterHub).
 */
export enum DriverHost {
  /** A headless Service's DNS name. */
  HEADLESS_SERVICE = 'headless-service',
  /** The pod IP (downward API). */
  POD_IP = 'pod-ip',
}

/** Dynamic allocation of a client-mode driver's executors (with shuffle tracking: there is no shuffle service). */
export interface ClientModeDynamicAllocation {
  /** @default 0 */
  readonly minExecutors?: number;
  /** Upper bound; must fit the namespace quota. */
  readonly maxExecutors: number;
  /** @default - minExecutors */
  readonly initialExecutors?: number;
}

/** The executors a client-mode driver starts for each Spark session. */
export interface ClientModeExecutors {
  /** Executors per session (ignored with dynamic allocation). @default 2 */
  readonly instances?: number;
  /** Cores per executor (`spark.executor.cores`). @default 1 */
  readonly cores?: number;
  /**
   * CPU the executor pod requests (`spark.kubernetes.executor.request.cores`), when it should
   * differ from `cores`, e.g. `Cpu.millis(500)` on a small cluster. @default - `cores`
   */
  readonly coreRequest?: Cpu;
  /** Executor JVM heap (`spark.executor.memory`). @default 1 GiB */
  readonly memory?: Memory;
  /** Dynamic allocation instead of a fixed count. @default - fixed count */
  readonly dynamicAllocation?: ClientModeDynamicAllocation;
  /** Node selector of executor pods. @default - none */
  readonly nodeSelector?: Record<string, string>;
  /** Tolerations of executor pods. @default - none */
  readonly tolerations?: k8s.Toleration[];
}

/** Properties of a ClientModeDriver. */
export interface ClientModeDriverProps {
  /** Name of the workload; its ServiceAccount, Role, ConfigMap and policies are named after it. */
  readonly name: string;
  /** What the owner calls itself in messages, e.g. `SparkNotebook "lab"`. */
  readonly where: string;
  /** The namespace the driver pod and its executors run in. */
  readonly namespace: ISparkJobNamespace;
  /** The driver's image (the notebook's, the server's). */
  readonly driverImage: SparkImage;
  /** The executors' image; must match the driver's Spark, Scala and (for Python) Python. */
  readonly executorImage: SparkImage;
  /** Whether the driver is Python (PySpark): then Python minors must match too. */
  readonly python: boolean;
  /** Labels that select exactly the driver pod. */
  readonly driverPodLabels: Record<string, string>;
  /** How executors address the driver. */
  readonly driverHost: DriverHost;
  /** The driver pod's name when it is known (a StatefulSet's `<name>-0`); else taken from `${env:POD_NAME}`. */
  readonly driverPodName?: string;
  /** `spark.driver.port`. @default 7078 */
  readonly driverPort?: number;
  /** `spark.driver.blockManager.port`. @default 7079 */
  readonly blockManagerPort?: number;
  /**
   * Spark sessions that may run at once in the driver pod (kernels). Each takes the next free
   * pair of ports above the configured ones (`spark.port.maxRetries`), so the policies admit a
   * range of `2 × sessions` ports and one more session fails to start with a clear bind error
   * instead of hanging on a blocked port. @default 1
   */
  readonly sessions?: number;
  /** The driver JVM's heap (`spark.driver.memory`). */
  readonly driverMemory: Memory;
  /** The driver pod's requests, counted with the executors against the namespace quota. @default - not counted (the pod runs elsewhere) */
  readonly driverPodRequests?: { readonly cpu: Cpu; readonly memory: Memory };
  /** The executors. */
  readonly executors?: ClientModeExecutors;
  /**
   * `spark.*` keys to accept in added Spark conf (`addSparkConf`) although the image's Spark line
   * does not define them: a plugin's keys. Exact keys, or prefixes written `spark.plugin.*`; any
   * other key must be one of the line's keys or under a documented open prefix
   * (constructs/validation/spark-conf-keys.ts). @default - none
   */
  readonly allowedSparkConfKeys?: readonly string[];
  /** `spark.ui.proxyBase` when the Spark UI is reached through a proxy (e.g. "/proxy/4040"). @default - not proxied */
  readonly uiProxyBase?: string;
  /** Pull secrets of the executor pods (`spark.kubernetes.container.image.pullSecrets`). @default - none */
  readonly imagePullSecrets?: readonly string[];
  /** Whether to emit the headless Service (HEADLESS_SERVICE driver host). */
  readonly headlessService: boolean;
  /** Extra ingress rules of the driver pod (its UI, its clients). @default - none */
  readonly ingress?: k8s.NetworkPolicyIngressRule[];
  /** Whether to emit the driver pod's own NetworkPolicies (false when a chart, e.g. JupyterHub's, owns them). @default true */
  readonly driverPolicies?: boolean;
  /**
   * Where the executors run. Unset: pods the driver creates in the namespace. A SparkCluster: that
   * standalone cluster's workers (`spark.master` is its masterUrl); then the driver needs no API
   * rights and no executor pod template, and the cluster admits it (`allowClient`).
   * @default - executor pods on Kubernetes
   */
  readonly cluster?: SparkCluster;
  /**
   * Whether an operator builds the driver pod (cluster mode: the Apache operator's
   * SparkApplication). Then the conf goes into the application (no spark-defaults.conf
   * ConfigMap), and Spark creates the driver's Service and sets `spark.driver.host` itself (no
   * headless Service). @default false
   */
  readonly operatorBuilt?: boolean;
}

import type { PortRange } from '../network';

export type { PortRange };

/**
 * Everything a Spark driver running in a pod of its own (client mode) needs besides the pod:
 * the ServiceAccount and Role it creates executors with, the spark-defaults.conf and executor pod
 * template (one ConfigMap), the headless Service executors reach it by, and NetworkPolicies that
 * admit its executors to its fixed ports and nothing else. SparkNotebook, SparkConnectServer and
 * JupyterHubSpark build their pods around one.
 *
 * Implements ISparkWorkload, so the object-store connection wires it like any Spark job.
 */
export class ClientModeDriver extends Construct implements ISparkWorkload {
  /**
   * Marks this construct for the platform doctor's client-mode rules (IClientModeDriver): set only
   * when the driver runs in a pod of the platform's and creates executor pods. An operator-built
   * driver is read from its SparkApplication; a client of a standalone cluster starts no pods.
   */
  public readonly [CLIENT_MODE_DRIVER]?: true;
  /** The workload's name. */
  public readonly name: string;
  /** The namespace's name. */
  public readonly namespace: string;
  /** The namespace, as jobs see it. */
  public readonly tenant: ISparkJobNamespace;
  /** The driver's image. */
  public readonly sparkImage: SparkImage;
  /** The executors' image. */
  public readonly executorImage: SparkImage;
  /** The ServiceAccount the driver pod runs as. */
  public readonly serviceAccountName: string;
  /** The ConfigMap with spark-defaults.conf and the executor pod template. */
  public readonly configMapName: string;
  /** The headless Service's name (also when not emitted: the StatefulSet's serviceName). */
  public readonly headlessServiceName: string;
  /** `spark.driver.host`. */
  public readonly driverHostValue: string;
  /** `spark.driver.port`. */
  public readonly driverPort: number;
  /** `spark.driver.blockManager.port` (and the executors' `spark.blockManager.port`). */
  public readonly blockManagerPort: number;
  /** The driver ports of every session: what executors must reach. */
  public readonly driverPortRange: PortRange;
  /** Labels selecting the driver pod. */
  public readonly driverPodLabels: Record<string, string>;
  /** Labels every executor of this driver carries (with Spark's `spark-role: executor`). */
  public readonly executorPodLabels: Record<string, string>;
  /** How executors address the driver. */
  public readonly driverHost: DriverHost;
  /** The standalone cluster whose workers run the executors, if any. */
  public readonly cluster?: SparkCluster;
  /** Whether an operator builds the driver pod (cluster mode). */
  public readonly operatorBuilt: boolean;
  /** Whether the driver calls the API server (it creates executor pods): else its account has no Role and no token. */
  public readonly needsApiAccess: boolean;
  private readonly conf: Record<string, string> = {};
  private readonly owned = new Set<string>();
  private readonly packages: string[] = [];
  private readonly env = new Map<string, SparkEnvValue>();
  /** Object-store egress rules given to the driver pod by allowObjectStoreEgress (JSON). */
  private readonly driverStoreRules: string[] = [];
  /** The labels of the driver's own NetworkPolicies; undefined when it makes none (driverPolicies: false). */
  private storePolicyScope?: Record<string, string>;
  private readonly executors: Required<Pick<ClientModeExecutors, 'cores' | 'memory'>> & ClientModeExecutors;
  /** The Spark line added conf keys are checked against (none for an unsupported release), and the allowed extras. */
  private readonly confKeys: { readonly line: SparkLineName | undefined; readonly allowed: readonly string[] };

  constructor(scope: Construct, id: string, props: ClientModeDriverProps) {
    super(scope, id);
    const where = props.where;
    checkProps('ClientModeDriverProps', props, where);
    assertName(props.name, NameRule.DNS1035_LABEL, 'name', where);
    this.name = props.name;
    this.namespace = props.namespace.name;
    this.tenant = props.namespace;
    this.sparkImage = props.driverImage;
    this.executorImage = props.executorImage;
    this.cluster = props.cluster;
    this.operatorBuilt = props.operatorBuilt ?? false;
    this.needsApiAccess = props.cluster === undefined;
    if (this.needsApiAccess && !this.operatorBuilt) this[CLIENT_MODE_DRIVER as typeof CLIENT_MODE_DRIVER] = true;
    if (props.cluster) checkClusterImages(props.cluster, props.driverImage, props.executorImage, props.python, where);
    const mismatch = props.driverImage.mismatchWith(props.executorImage, props.python);
    if (mismatch) {
      throw new SparkPlatformError('executorImage', `does not match the driver: ${mismatch}`, 'run executors on the same Spark release, Scala and Python minor as the driver (one image for both is simplest)', where);
    }
    this.serviceAccountName = props.name;
    this.configMapName = `${props.name}-spark-conf`;
    this.headlessServiceName = `${props.name}-driver`;
    assertName(this.headlessServiceName, NameRule.DNS1035_LABEL, 'name', where);
    this.driverPodLabels = { ...props.driverPodLabels };
    this.executorPodLabels = { [SPARK_ROLE_LABEL]: SparkRole.EXECUTOR, [CLIENT_DRIVER_LABEL]: props.name };
    this.driverHost = props.driverHost;
    this.confKeys = { line: sparkLineName(props.driverImage.sparkVersion), allowed: checkAllowedSparkConfKeys(props.allowedSparkConfKeys, 'allowedSparkConfKeys', where) };

    this.driverPort = checkPort(props.driverPort ?? DEFAULT_DRIVER_PORT, 'driverPort', where);
    this.blockManagerPort = checkPort(props.blockManagerPort ?? DEFAULT_BLOCK_MANAGER_PORT, 'blockManagerPort', where);
    if (this.blockManagerPort !== this.driverPort + 1) {
      throw new SparkPlatformError('blockManagerPort', `is ${this.blockManagerPort}, not driverPort + 1 (${this.driverPort + 1})`, 'use two adjacent ports: a second session retries the next ports, and the policies admit one contiguous range', where);
    }
    const sessions = checkSessions(props.sessions ?? 1, where);
    this.driverPortRange = { port: this.driverPort, endPort: this.driverPort + 2 * sessions - 1 };
    checkPort(this.driverPortRange.endPort, 'sessions', where);

    const ex = props.executors ?? {};
    this.executors = { ...ex, cores: ex.cores ?? 1, memory: ex.memory ?? Memory.gibibytes(1) };
    const executorCount = this.checkExecutors(where);
    if (props.cluster) checkClusterExecutors(props.cluster, this.executors, where);

    const headlessName = `${this.headlessServiceName}.${props.namespace.name}.svc.cluster.local`;
    this.driverHostValue = props.driverHost === DriverHost.HEADLESS_SERVICE ? headlessName : '${env:POD_IP}';
    if (props.driverHost === DriverHost.HEADLESS_SERVICE && !props.headlessService) {
      throw new SparkPlatformError('driverHost', 'is HEADLESS_SERVICE but no headless Service is emitted', 'use DriverHost.POD_IP', where);
    }
    if (props.uiProxyBase !== undefined && !/^\/[-._~/a-zA-Z0-9]*$/.test(props.uiProxyBase)) {
      throw new SparkPlatformError('uiProxyBase', `${show(props.uiProxyBase)} is not a URL path`, 'write the proxy path, e.g. "/proxy/4040"', where);
    }

    const owned = this.ownedConf(props, sessions, executorCount);
    for (const [k, v] of Object.entries(owned)) {
      this.conf[k] = v;
      this.owned.add(k);
    }
    // Executors in a standalone cluster are the cluster's pods, not the namespace's.
    this.checkQuota(props.cluster ? 0 : executorCount * sessions, props.driverPodRequests, where);

    const labels = platformLabels({ [TENANT_LABEL]: props.namespace.name, 'app.kubernetes.io/instance': props.name });
    const meta = (name: string) => ({ name, namespace: props.namespace.name, labels });

    // A client of a standalone cluster never calls the API server: an account without a token.
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta(this.serviceAccountName), automountServiceAccountToken: this.needsApiAccess });
    if (this.needsApiAccess) {
      new k8s.KubeRole(this, 'Role', {
        metadata: meta(this.serviceAccountName),
        rules: [{ apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'], verbs: [...SPARK_DRIVER_VERBS] }],
      });
      new k8s.KubeRoleBinding(this, 'RoleBinding', {
        metadata: meta(this.serviceAccountName),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.serviceAccountName },
        subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: props.namespace.name }],
      });
    }
    if (!this.operatorBuilt) {
      // An operator-built driver gets its conf and executor template from the SparkApplication.
      const data: Record<string, string> = { 'spark-defaults.conf': Lazy.any({ produce: () => this.sparkDefaults() }) as unknown as string };
      if (!props.cluster) data[EXECUTOR_TEMPLATE_FILE] = Lazy.any({ produce: () => stringify(this.executorPodTemplate()) }) as unknown as string;
      new k8s.KubeConfigMap(this, 'Conf', { metadata: meta(this.configMapName), data });
    }
    if (props.headlessService && !this.operatorBuilt) {
      new k8s.KubeService(this, 'DriverService', {
        metadata: meta(this.headlessServiceName),
        spec: {
          clusterIp: 'None',
          // Resolve while the pod is not Ready (a busy notebook): executors only need its IP.
          publishNotReadyAddresses: true,
          selector: { ...this.driverPodLabels },
          ports: [
            { name: 'spark-driver', port: this.driverPort, targetPort: k8s.IntOrString.fromNumber(this.driverPort) },
            { name: 'spark-blockmgr', port: this.blockManagerPort, targetPort: k8s.IntOrString.fromNumber(this.blockManagerPort) },
          ],
        },
      });
    }
    // The cluster's policies admit master and workers to the driver ports, and the driver to them.
    props.cluster?.allowClient({ namespace: props.namespace.name, labels: { ...this.driverPodLabels }, driverPorts: this.driverPortRange });
    this.networkPolicies(props, labels);
  }

  /** Name for messages (ISparkWorkload). */
  public get workloadName(): string {
    return `client-mode driver ${show(this.name)}`;
  }

  /** The driver's image (IClientModeDriver). */
  public get driverImage(): SparkImage {
    return this.sparkImage;
  }

  /** Labels of the driver pod (IClientModeDriver). */
  public get podLabels(): Readonly<Record<string, string>> {
    return this.driverPodLabels;
  }

  /**
   * Adds Spark conf; refuses a key the driver wiring owns, a contradiction, and a `spark.*` key the
   * image's Spark line does not have (unless allowedSparkConfKeys lists it) (ISparkWorkload).
   */
  public addSparkConf(conf: Readonly<Record<string, string>>, source: string): void {
    for (const [k, v] of Object.entries(conf)) {
      if (this.owned.has(k) && this.conf[k] !== v) {
        throw new SparkPlatformError(`${source}[${show(k)}]`, `is set by the client-mode wiring to ${show(this.conf[k])}`, 'leave it to the construct (use its typed props)', this.workloadName);
      }
      if (this.conf[k] !== undefined && this.conf[k] !== v) {
        throw new SparkPlatformError(`${source}[${show(k)}]`, `${show(v)} contradicts ${show(this.conf[k])}`, 'set each key once', this.workloadName);
      }
      if (k === 'spark.jars.packages') {
        throw new SparkPlatformError(`${source}[${show(k)}]`, 'is built from addPackages', 'call addPackages', this.workloadName);
      }
      if (!this.owned.has(k) && this.confKeys.line) assertSparkConfKey(k, this.confKeys.line, this.confKeys.allowed, `${source}[${show(k)}]`, this.workloadName);
      this.conf[k] = v;
    }
    treeChanged();
  }

  /** Adds Maven packages the driver resolves when a session starts (ISparkWorkload). */
  public addPackages(packages: readonly string[], source: string): void {
    if (packages.length > 0 && this.tenant.canDownloadPackages === false) {
      throw new SparkPlatformError(`${source}.packages`, `need a Maven repository, and namespace ${show(this.tenant.name)} allows no egress to one`, 'give the tenant a packageRepository endpoint, or bake the jars into the image (storage jars: "image")', this.workloadName);
    }
    for (const p of packages) if (!this.packages.includes(p)) this.packages.push(p);
    treeChanged();
  }

  /**
   * Lets the driver pod and the executors reach a connected object store (ISparkWorkload): the
   * executors through the tenant's policy for Spark pods, the driver pod (not a Spark-labelled
   * pod) through a policy of its own, unless its egress policy already allows the store.
   */
  public allowObjectStoreEgress(endpoint: NetworkEndpoint | undefined, source: string): void {
    this.tenant.allowObjectStoreEgress?.(endpoint, source);
    if (endpoint === undefined || this.storePolicyScope === undefined) return;
    const rule = JSON.stringify(endpoint.toEgressRule());
    if (this.tenant.endpoints?.objectStore?.covers(endpoint) || this.driverStoreRules.includes(rule)) return;
    this.driverStoreRules.push(rule);
    const n = this.driverStoreRules.length;
    new k8s.KubeNetworkPolicy(this, `DriverObjectStore${n}`, {
      metadata: { name: `${this.name}-driver-object-store${n === 1 ? '' : `-${n}`}`, namespace: this.namespace, labels: this.storePolicyScope },
      spec: { podSelector: { matchLabels: { ...this.driverPodLabels } }, policyTypes: ['Egress'], egress: [endpoint.toEgressRule()] },
    });
  }

  /**
   * Adds environment variables to the driver and every executor (ISparkWorkload). Executors in a
   * standalone cluster get plain values through `spark.executorEnv.*`; a value read from a Secret,
   * a ConfigMap or a pod field cannot reach them (they inherit the worker pods' environment), so
   * it is refused rather than missing at run time.
   */
  public addEnv(env: Readonly<Record<string, SparkEnvValue>>, source: string): void {
    for (const [k, v] of Object.entries(env)) {
      const existing = this.env.get(k);
      if (existing && JSON.stringify(existing.toEnvVar(k)) !== JSON.stringify(v.toEnvVar(k))) {
        throw new SparkPlatformError(`${source}.env.${k}`, 'is already set to another value', 'set each variable once', this.workloadName);
      }
      const plain = v.toEnvVar(k).value;
      if (this.cluster && typeof plain !== 'string') {
        throw new SparkPlatformError(`${source}.env.${k}`, `is read from a Secret, ConfigMap or pod field, which executors in SparkCluster ${show(this.cluster.name)} cannot get: they run in the worker pods and inherit only the workers' environment`,
          'give the workers the credentials another way (a workload identity of their ServiceAccount), or run the executors on Kubernetes (no cluster)', this.workloadName);
      }
    }
    for (const [k, v] of Object.entries(env)) {
      this.env.set(k, v);
      const plain = v.toEnvVar(k).value;
      if (this.cluster && typeof plain === 'string') this.addSparkConf({ [`spark.executorEnv.${k}`]: plain }, source);
    }
    treeChanged();
  }

  /** The final Spark conf (what spark-defaults.conf holds), sorted by key. */
  public sparkConf(): Record<string, string> {
    const all: Record<string, string> = { ...this.conf };
    if (this.packages.length > 0) all['spark.jars.packages'] = this.packages.join(',');
    return Object.fromEntries(Object.entries(all).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** The text of spark-defaults.conf. */
  public sparkDefaults(): string {
    return Object.entries(this.sparkConf()).map(([k, v]) => `${k} ${v}`).join('\n') + '\n';
  }

  /** The environment of the driver container: pod name and IP (the conf reads them), then what was added. */
  public driverEnv(): k8s.EnvVar[] {
    return [
      SparkEnvValue.fromField('metadata.name').toEnvVar('POD_NAME'),
      SparkEnvValue.fromField('status.podIP').toEnvVar('POD_IP'),
      ...[...this.env].map(([name, value]) => value.toEnvVar(name)),
    ] as unknown as k8s.EnvVar[];
  }

  /** The environment added to the driver (object-store credentials, ...), without the pod's name and IP. */
  public addedEnv(): k8s.EnvVar[] {
    return [...this.env].map(([name, value]) => value.toEnvVar(name)) as unknown as k8s.EnvVar[];
  }

  /** Volumes the driver pod needs: the conf ConfigMap. */
  public driverVolumes(): k8s.Volume[] {
    return [{ name: 'spark-conf', configMap: { name: this.configMapName } }];
  }

  /** Mounts of the driver container: the conf directory, and spark-defaults.conf where the image's Spark reads it. */
  public driverVolumeMounts(): k8s.VolumeMount[] {
    return [
      { name: 'spark-conf', mountPath: CLIENT_CONF_DIR, readOnly: true },
      { name: 'spark-conf', mountPath: `${this.sparkImage.sparkHome}/conf/spark-defaults.conf`, subPath: 'spark-defaults.conf', readOnly: true },
    ];
  }

  /**
   * The emptyDirs the driver container needs for every path its Spark writes (writable-paths.ts)
   * that `existing` mounts do not cover. `workingDirectory` is the driver process's (a kernel
   * starts in the notebook root); by default the image's. Read it at synth (Lazy): conf added
   * later (`spark.local.dir`, `spark.sql.warehouse.dir`) adds paths.
   */
  public driverWritableVolumes(existing: readonly MountLike[] = [], workingDirectory?: string): WritableVolumes {
    const process = this.operatorBuilt ? SparkProcess.CLUSTER_DRIVER : SparkProcess.CLIENT_DRIVER;
    return writableVolumes(sparkWriteSites(process, this.sparkImage, this.sparkConf(), workingDirectory), existing);
  }

  /** The driver's container ports: RPC and block manager of the first session. */
  public driverContainerPorts(): k8s.ContainerPort[] {
    return [
      { name: 'spark-driver', containerPort: this.driverPort },
      { name: 'spark-blockmgr', containerPort: this.blockManagerPort },
    ];
  }

  /**
   * The executor pod template: restricted Pod Security contexts for the executor image's user,
   * no API token, no Service links, emptyDirs at every path an executor writes (`/tmp`, the
   * image's working directory) under a read-only root filesystem, the added environment
   * (object-store credentials) and placement.
   */
  public executorPodTemplate(): Record<string, unknown> {
    const ex = this.executors;
    const writable = writableVolumes(sparkWriteSites(SparkProcess.EXECUTOR, this.executorImage, this.sparkConf()));
    const container: Record<string, unknown> = {
      name: SPARK_CONTAINER.executor,
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: writable.mounts,
    };
    if (this.env.size > 0) container.env = [...this.env].map(([name, value]) => value.toEnvVar(name));
    const spec: Record<string, unknown> = {
      securityContext: restrictedPodSecurityContext(this.executorImage.uid, this.executorImage.gid),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      containers: [container],
      volumes: writable.volumes,
    };
    if (ex.nodeSelector && Object.keys(ex.nodeSelector).length > 0) spec.nodeSelector = { ...ex.nodeSelector };
    if (ex.tolerations && ex.tolerations.length > 0) spec.tolerations = JSON.parse(JSON.stringify(ex.tolerations));
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { labels: platformLabels({ [TENANT_LABEL]: this.tenant.name, ...this.executorPodLabels }) },
      spec,
    };
  }

  /** The executor pod template as a PodTemplateSpec (metadata and spec), where an operator takes it. */
  public executorPodTemplateSpec(): Record<string, unknown> {
    const { metadata, spec } = this.executorPodTemplate();
    return { metadata, spec };
  }

  /** The most executors one session may run. */
  public get maxExecutors(): number {
    return this.executors.dynamicAllocation?.maxExecutors ?? this.executors.instances ?? 2;
  }

  /**
   * The conf the wiring owns. What every driver gets: fixed driver ports, heap, executor sizes,
   * Ivy's cache, Python. Then by where the pod comes from and where executors run:
   * - a driver in a pod of the platform's (client mode) binds to the pod and announces
   *   `spark.driver.host`; an operator-built one (cluster mode) gets both from Spark, which
   *   creates the driver's Service, and names its account and container for the operator;
   * - executors on Kubernetes get the image, account, pod template, labels and count; executors
   *   in a standalone cluster get `spark.master` = the cluster's URL and `spark.cores.max`.
   */
  private ownedConf(props: ClientModeDriverProps, sessions: number, executorCount: number): Record<string, string> {
    const ex = this.executors;
    const cluster = props.cluster;
    const c: Record<string, string> = {
      'spark.master': cluster ? cluster.masterUrl : IN_CLUSTER_SPARK_MASTER,
      'spark.driver.port': String(this.driverPort),
      'spark.driver.blockManager.port': String(this.blockManagerPort),
      'spark.port.maxRetries': String(2 * (sessions - 1)),
      // Java's user.home is the passwd entry's (/nonexistent in the official images), not $HOME:
      // without this the first session that resolves spark.jars.packages fails to create Ivy's cache.
      'spark.jars.ivy': PLATFORM_IVY_HOME,
      'spark.driver.memory': props.driverMemory.toSpark(),
      'spark.executor.cores': String(ex.cores),
      'spark.executor.memory': ex.memory.toSpark(),
    };
    if (this.operatorBuilt) {
      Object.assign(c, {
        'spark.kubernetes.namespace': props.namespace.name,
        // The driver pod's image, account and container (the operator reads them from the conf).
        'spark.kubernetes.container.image': props.driverImage.image,
        'spark.kubernetes.authenticate.driver.serviceAccountName': this.serviceAccountName,
        'spark.kubernetes.driver.podTemplateContainerName': SPARK_CONTAINER.driver,
      });
    } else {
      Object.assign(c, {
        'spark.submit.deployMode': 'client',
        'spark.driver.host': this.driverHostValue,
        'spark.driver.bindAddress': '0.0.0.0',
      });
    }
    if (!cluster) {
      Object.assign(c, {
        'spark.kubernetes.namespace': props.namespace.name,
        // Each executor is a pod of its own: one fixed block manager port for all of them.
        'spark.blockManager.port': String(this.blockManagerPort),
        'spark.kubernetes.container.image': props.executorImage.image,
        'spark.kubernetes.authenticate.executor.serviceAccountName': props.namespace.executorServiceAccountName,
        'spark.kubernetes.executor.podTemplateContainerName': SPARK_CONTAINER.executor,
        [`spark.kubernetes.executor.label.${CLIENT_DRIVER_LABEL}`]: props.name,
        'spark.kubernetes.executor.deleteOnTermination': 'true',
        ...(ex.coreRequest ? { 'spark.kubernetes.executor.request.cores': ex.coreRequest.toKubernetes() } : {}),
      });
      if (!this.operatorBuilt) {
        // The operator points Spark at the SparkApplication's templates and names the driver pod.
        c['spark.kubernetes.driver.pod.name'] = props.driverPodName ?? '${env:POD_NAME}';
        c['spark.kubernetes.executor.podTemplateFile'] = `${CLIENT_CONF_DIR}/${EXECUTOR_TEMPLATE_FILE}`;
      }
    }
    const da = ex.dynamicAllocation;
    if (da) {
      Object.assign(c, {
        'spark.dynamicAllocation.enabled': 'true',
        // No external shuffle service: executors holding shuffle data are kept.
        'spark.dynamicAllocation.shuffleTracking.enabled': 'true',
        'spark.dynamicAllocation.minExecutors': String(da.minExecutors ?? 0),
        'spark.dynamicAllocation.maxExecutors': String(da.maxExecutors),
        'spark.dynamicAllocation.initialExecutors': String(da.initialExecutors ?? da.minExecutors ?? 0),
      });
    } else if (!cluster) {
      c['spark.executor.instances'] = String(executorCount);
    }
    // A standalone master starts executors until an application holds spark.cores.max cores
    // (without it, every free core of the cluster): the count, in cores.
    if (cluster) c['spark.cores.max'] = String(executorCount * ex.cores);
    if (props.python) {
      // Executors start the driver's `spark.pyspark.python`; it must exist in the executor image.
      c['spark.pyspark.python'] = 'python3';
      // Room for Python workers in executor pods (a standalone worker counts heap only).
      if (!cluster) c['spark.executor.memoryOverheadFactor'] = String(PYTHON_OVERHEAD_FACTOR);
    }
    if (props.uiProxyBase) c['spark.ui.proxyBase'] = props.uiProxyBase;
    (props.imagePullSecrets ?? []).forEach((s, i) => assertName(s, NameRule.DNS1123_SUBDOMAIN, `imagePullSecrets[${i}]`, props.where));
    // Pull secrets of the pods Spark creates: executors, and an operator-built driver.
    if ((props.imagePullSecrets ?? []).length > 0 && (!cluster || this.operatorBuilt)) c['spark.kubernetes.container.image.pullSecrets'] = props.imagePullSecrets!.join(',');
    return c;
  }

  private checkExecutors(where: string): number {
    const ex = this.executors;
    if (!Number.isInteger(ex.cores) || ex.cores < 1) throw new SparkPlatformError('executors.cores', `${show(ex.cores)} is not a whole number >= 1`, 'give each executor at least one core', where);
    if (ex.coreRequest && ex.coreRequest.millicores === 0) throw new SparkPlatformError('executors.coreRequest', 'is 0', 'request some CPU, e.g. Cpu.millis(250), or leave it out to request `cores`', where);
    if (ex.memory.compare(Memory.mebibytes(512)) < 0) throw new SparkPlatformError('executors.memory', `${ex.memory} is below 512 MiB`, 'give executors at least 512 MiB of heap', where);
    const da = ex.dynamicAllocation;
    if (da) {
      const min = da.minExecutors ?? 0;
      const init = da.initialExecutors ?? min;
      if (!Number.isInteger(da.maxExecutors) || da.maxExecutors < 1) throw new SparkPlatformError('executors.dynamicAllocation.maxExecutors', `${show(da.maxExecutors)} is not a whole number >= 1`, 'set an upper bound that fits the quota', where);
      if (!Number.isInteger(min) || min < 0 || min > da.maxExecutors) throw new SparkPlatformError('executors.dynamicAllocation.minExecutors', `${show(min)} is not between 0 and maxExecutors (${da.maxExecutors})`, 'keep min <= max', where);
      if (!Number.isInteger(init) || init < min || init > da.maxExecutors) throw new SparkPlatformError('executors.dynamicAllocation.initialExecutors', `${show(init)} is not between minExecutors and maxExecutors`, 'keep min <= initial <= max', where);
      return da.maxExecutors;
    }
    const n = ex.instances ?? 2;
    if (!Number.isInteger(n) || n < 1) throw new SparkPlatformError('executors.instances', `${show(n)} is not a whole number >= 1`, 'run at least one executor (or use dynamicAllocation)', where);
    return n;
  }

  /**
   * Every session's executors at their largest, plus the driver pod when it runs here, must fit
   * the namespace quota: else the last executors stay Pending forever.
   */
  private checkQuota(executors: number, driverPod: { readonly cpu: Cpu; readonly memory: Memory } | undefined, where: string): void {
    const quota = this.tenant.quota;
    if (!quota) return;
    const factor = this.conf['spark.executor.memoryOverheadFactor'] ? Number(this.conf['spark.executor.memoryOverheadFactor']) : undefined;
    const podMemory = sparkPodMemory(this.executors.memory, factor);
    const ns = show(this.tenant.name);
    const what = `${executors} executors (every session at its largest)${driverPod ? ' and the driver pod' : ''}`;
    const pods = executors + (driverPod ? 1 : 0);
    if (pods > quota.pods) {
      throw new SparkPlatformError('executors', `${what} are ${pods} pods, above the pod quota of namespace ${ns} (${quota.pods})`, 'run fewer executors or sessions, or raise the quota', where);
    }
    const memory = driverPod ? podMemory.times(executors).plus(driverPod.memory) : podMemory.times(executors);
    if (memory.compare(quota.memory) > 0) {
      throw new SparkPlatformError('executors.memory', `${what} need ${memory} (executors: ${podMemory} each, heap + Spark's overhead), above the memory quota of namespace ${ns} (${quota.memory})`, 'give executors less memory, run fewer executors or sessions, or raise the quota', where);
    }
    const perExecutor = this.executors.coreRequest ?? Cpu.cores(this.executors.cores);
    const cpu = driverPod ? perExecutor.times(executors).plus(driverPod.cpu) : perExecutor.times(executors);
    if (cpu.compare(quota.cpu) > 0) {
      throw new SparkPlatformError('executors.cores', `${what} need ${cpu} of CPU, above the CPU quota of namespace ${ns} (${quota.cpu})`, 'give executors fewer cores, run fewer executors or sessions, or raise the quota', where);
    }
  }

  private networkPolicies(props: ClientModeDriverProps, labels: Record<string, string>): void {
    const ns = props.namespace.name;
    const driver: k8s.LabelSelector = { matchLabels: { ...this.driverPodLabels } };
    const executors: k8s.LabelSelector = { matchLabels: { ...this.executorPodLabels } };
    const range = { port: k8s.IntOrString.fromNumber(this.driverPortRange.port), endPort: this.driverPortRange.endPort, protocol: 'TCP' };
    const blockManager = { port: k8s.IntOrString.fromNumber(this.blockManagerPort), protocol: 'TCP' };
    const policy = (id: string, name: string, spec: k8s.NetworkPolicySpec) => new k8s.KubeNetworkPolicy(this, id, { metadata: { name, namespace: ns, labels }, spec });
    if (props.driverPolicies ?? true) {
      this.storePolicyScope = labels;
      // In: this driver's executors on the driver ports of every session, plus what the owner
      // opens (its UI, its clients). Nothing else.
      // (Executors in a standalone cluster are admitted by the cluster's client policy.)
      policy('DriverIngress', `${this.name}-driver-ingress`, {
        podSelector: driver,
        policyTypes: ['Ingress'],
        ingress: [...(props.cluster ? [] : [{ from: [{ podSelector: executors }], ports: [range] }]), ...(props.ingress ?? [])],
      });
      // Out: DNS, the API server (executor pods), its executors' block managers, the object
      // store and package repository when the namespace has them. (A standalone cluster's
      // client policy lets it reach the master and the workers.)
      const ep = props.namespace.endpoints;
      const targets: NetworkEndpoint[] = [
        ep?.dns ?? NetworkEndpoint.kubeDns(),
        ...(this.needsApiAccess ? [ep?.apiServer ?? NetworkEndpoint.kubeApiServer()] : []),
        ...(ep?.objectStore ? [ep.objectStore] : []),
        ...(ep?.packageRepository ? [ep.packageRepository] : []),
      ];
      policy('DriverEgress', `${this.name}-driver-egress`, {
        podSelector: driver,
        policyTypes: ['Egress'],
        egress: [...(props.cluster ? [] : [{ to: [{ podSelector: executors }], ports: [blockManager] }]), ...targets.map((t) => t.toEgressRule())],
      });
    }
    if (props.cluster) return;
    // Executors: reached by the driver on the block manager port; reach the driver's ports.
    // (Executor <-> executor traffic and the object store are the tenant's policies.)
    policy('Executors', `${this.name}-executors`, {
      podSelector: executors,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: driver }], ports: [blockManager] }],
      egress: [{ to: [{ podSelector: driver }], ports: [range] }],
    });
  }
}

/**
 * Executors in a standalone cluster run the cluster's image, so driver and executor images must
 * hold the cluster's Spark, Scala and (for Python) Python: refuses a mismatch, naming both images.
 */
function checkClusterImages(cluster: SparkCluster, driverImage: SparkImage, executorImage: SparkImage, python: boolean, where: string): void {
  if (executorImage.image !== cluster.image.image) {
    throw new SparkPlatformError('cluster', `runs its executors in ${show(cluster.image.image)}, not in the executor image ${show(executorImage.image)}`, `use SparkCluster ${show(cluster.name)}'s image for the executors`, where);
  }
  const mismatch = driverImage.mismatchWith(cluster.image, python);
  if (mismatch) {
    throw new SparkPlatformError('cluster', `SparkCluster ${show(cluster.name)} does not match the driver: ${mismatch}`,
      `run the driver on the cluster's Spark ${cluster.image.sparkVersion} (and its Scala and Python), or give the cluster the driver's image`, where);
  }
}

/** An executor must fit one worker of the cluster, else the master never starts it and sessions wait for ever. */
function checkClusterExecutors(cluster: SparkCluster, ex: { readonly cores: number; readonly memory: Memory; readonly coreRequest?: Cpu }, where: string): void {
  if (ex.cores > cluster.workerCores) {
    throw new SparkPlatformError('executors.cores', `is ${ex.cores}, but a worker of SparkCluster ${show(cluster.name)} offers ${cluster.workerCores}`, 'give executors at most that many cores, or give the workers more CPU', where);
  }
  if (ex.memory.compare(cluster.workerExecutorMemory) > 0) {
    throw new SparkPlatformError('executors.memory', `${ex.memory} is above the executor memory a worker of SparkCluster ${show(cluster.name)} offers (${cluster.workerExecutorMemory})`, 'give executors less memory, or raise the workers\' executorMemory', where);
  }
  if (ex.coreRequest) {
    throw new SparkPlatformError('executors.coreRequest', 'is a Kubernetes pod request, and executors in a standalone cluster are no pods of their own', 'leave it out (a worker offers whole cores)', where);
  }
}

/** Throws unless `sessions` is a whole number from 1 to 16; returns it. */
export function checkSessions(sessions: number, where: string): number {
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 16) {
    throw new SparkPlatformError('sessions', `${show(sessions)} is not a whole number from 1 to 16`, 'say how many Spark sessions (kernels) may run at once in the pod', where);
  }
  return sessions;
}

function checkPort(port: number, field: string, where: string): number {
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new SparkPlatformError(field, `${show(port)} is not an unprivileged port (1024-65535)`, 'use e.g. 7078 and 7079', where);
  }
  return port;
}

/**
 * A construct whose Spark driver is a ClientModeDriver (a notebook, a Spark Connect server, the
 * JupyterHub wiring): it is wired like any Spark workload through its driver.
 */
export abstract class ClientModeWorkload extends Construct implements ISparkWorkload {
  /** The client-mode wiring. */
  public abstract readonly driver: ClientModeDriver;
  /** The namespace its driver and executors run in. */
  public abstract readonly namespace: string;
  /** Name for messages. */
  public abstract readonly workloadName: string;
  /** The driver's image. */
  public abstract readonly sparkImage: SparkImage;

  /** The executors' image (ISparkWorkload). */
  public get executorImage(): SparkImage {
    return this.driver.executorImage;
  }

  /** Adds lines to spark-defaults.conf (ISparkWorkload). */
  public addSparkConf(conf: Readonly<Record<string, string>>, source: string): void {
    this.driver.addSparkConf(conf, source);
  }

  /** Adds packages sessions resolve at start (ISparkWorkload). */
  public addPackages(packages: readonly string[], source: string): void {
    this.driver.addPackages(packages, source);
  }

  /** Adds environment variables to the driver pod and its executors (ISparkWorkload). */
  public addEnv(env: Readonly<Record<string, SparkEnvValue>>, source: string): void {
    this.driver.addEnv(env, source);
  }

  /** Lets the driver pod and executors reach a connected object store (ISparkWorkload). */
  public allowObjectStoreEgress(endpoint: NetworkEndpoint | undefined, source: string): void {
    this.driver.allowObjectStoreEgress(endpoint, source);
  }

  /** The final spark-defaults.conf entries. */
  public sparkConf(): Record<string, string> {
    return this.driver.sparkConf();
  }
}
