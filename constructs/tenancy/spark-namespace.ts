import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { SPARK_ROLE_LABEL, SPARK_SUBMIT_POD_LABELS, SparkRole, TENANT_LABEL, assertUserMetadata, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { ClientPodPeer, NetworkEndpoint, peersOf, podPolicy } from '../network';
import { SizedSparkJob, SparkJobShape, sizeSparkJob } from '../spark-sizing';
import { Cpu, Memory } from '../units';
import { POD_SECURITY_VERSION } from '../versions';
import { ContainerDefaults, ResolvedContainerDefaults, ResolvedQuota, SparkNamespaceQuota } from './resources';
import { checkTenantResources } from './validate-tenant-resources';

export type { ContainerDefaults, ResolvedContainerDefaults, ResolvedQuota, SparkNamespaceQuota } from './resources';

/** Pod Security Standard levels. @see https://kubernetes.io/docs/concepts/security/pod-security-standards/ */
export enum PodSecurityLevel {
  /** Hardened: non-root, no privilege escalation, all capabilities dropped, seccomp. */
  RESTRICTED = 'restricted',
  /** Prevents known privilege escalations; allows root. */
  BASELINE = 'baseline',
  /** Unrestricted. */
  PRIVILEGED = 'privileged',
}



/** Properties of a SparkNamespace. */
export interface SparkNamespaceProps {
  /** The namespace name (a DNS-1123 label). */
  readonly name: string;
  /** Pod Security Standard enforced on the namespace. @default PodSecurityLevel.RESTRICTED */
  readonly podSecurity?: PodSecurityLevel;
  /** Why a level other than `restricted` is needed; required for such a level and kept as an annotation. @default - none */
  readonly podSecurityReason?: string;
  /** Resource quota. @default - the defaults of SparkNamespaceQuota */
  readonly quota?: SparkNamespaceQuota;
  /** LimitRange for containers. @default - the defaults of ContainerDefaults */
  readonly containerDefaults?: ContainerDefaults;
  /** The smallest job the namespace must be able to run; quota and limits are checked against it. @default - one driver and one executor at Spark's defaults (1 core, 1 GiB heap each) */
  readonly minimumJob?: SparkJobShape;
  /** Name of the Spark driver ServiceAccount. @default "spark-driver" */
  readonly driverServiceAccountName?: string;
  /** Name of the Spark executor ServiceAccount (no API rights, no token). @default "spark-executor" */
  readonly executorServiceAccountName?: string;
  /** Where the Kubernetes API server is, for the drivers' egress. @default NetworkEndpoint.kubeApiServer() */
  readonly apiServer?: NetworkEndpoint;
  /** The cluster DNS. @default NetworkEndpoint.kubeDns() */
  readonly dns?: NetworkEndpoint;
  /** The platform's object store; Spark pods may send traffic to it. @default - no object-store egress */
  readonly objectStore?: NetworkEndpoint;
  /**
   * A Maven repository drivers and spark-submit pods may download packages from
   * (`spark.jars.packages`), e.g. `NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }])`.
   * @default - none: jobs with packages fail the synth
   */
  readonly packageRepository?: NetworkEndpoint;
  /** Extra labels on the Namespace. @default - none */
  readonly labels?: Record<string, string>;
  // Monitoring
  /**
   * The Prometheus pods that scrape the tenant's Spark pods (their namespace and labels): a
   * NetworkPolicy `allow-spark-metrics` admits them to the drivers' and executors' metrics ports,
   * by name: `spark-ui` (Spark's PrometheusServlet on the driver) and `jmx-exporter` (a job's
   * `monitoring.jmxExporter`). Without it the tenant's default-deny drops every scrape.
   * @default - none: no scraper is admitted
   */
  readonly metricsAccess?: readonly ClientPodPeer[];
}

/** The container port names a tenant's `metricsAccess` policy admits scrapers to (Spark's UI port, the JMX exporter's). */
export const SPARK_METRICS_PORT_NAMES: readonly string[] = ['spark-ui', 'jmx-exporter'];
/** Name of the NetworkPolicy admitting a tenant's scrapers. */
export const SPARK_METRICS_POLICY = 'allow-spark-metrics';

/**
 * A namespace Spark jobs run in, as jobs see it: its accounts, and the limits their pods must
 * fit. A SparkNamespace is one; `SparkNamespace.fromName` describes one made elsewhere.
 */
export interface ISparkJobNamespace {
  /** The namespace name. */
  readonly name: string;
  /** The ServiceAccount drivers run as (may create pods, Services, ConfigMaps, PVCs). */
  readonly driverServiceAccountName: string;
  /** The ServiceAccount executors run as (no API rights). */
  readonly executorServiceAccountName: string;
  /** The enforced Pod Security level. */
  readonly podSecurity: PodSecurityLevel;
  /** The quota pods must fit in, when known. */
  readonly quota?: ResolvedQuota;
  /** The LimitRange in effect, when known. */
  readonly containerDefaults?: ResolvedContainerDefaults;
  /** Whether drivers may reach a Maven repository (for `--packages`); undefined when unknown. */
  readonly canDownloadPackages?: boolean;
  /**
   * Lets pods with `podLabels` (spark-submit pods) reach the API server, when the namespace
   * restricts egress. Called once per job; must be idempotent.
   */
  allowApiServerEgress?(name: string, podLabels: Record<string, string>): void;
  /**
   * Lets the namespace's Spark pods (drivers and executors) reach an object store a workload is
   * connected to, when the namespace restricts egress (`ObjectStoreConnection.connect` calls it).
   * `endpoint` undefined means the store's address is unknown: fine when the namespace already
   * declares an object store, an error otherwise. Idempotent.
   */
  allowObjectStoreEgress?(endpoint: NetworkEndpoint | undefined, where: string): void;
  /**
   * Where the namespace's pods may send traffic, when the namespace restricts egress: workloads
   * whose pods are not Spark drivers or executors (a notebook) allow themselves the same.
   * Undefined when unknown (a namespace made elsewhere).
   */
  readonly endpoints?: SparkNamespaceEndpoints;
  /**
   * The scrapers admitted to the Spark pods' metrics ports (`metricsAccess`); undefined when
   * unknown (a namespace made elsewhere).
   */
  readonly metricsAccess?: readonly ClientPodPeer[];
}

/** The egress targets of a tenant namespace. */
export interface SparkNamespaceEndpoints {
  /** The Kubernetes API server. */
  readonly apiServer: NetworkEndpoint;
  /** The cluster DNS. */
  readonly dns: NetworkEndpoint;
  /** The platform's object store, if the namespace may reach one. */
  readonly objectStore?: NetworkEndpoint;
  /** A Maven/package repository, if the namespace may reach one. */
  readonly packageRepository?: NetworkEndpoint;
}

/** Verbs a Spark driver needs on the objects it manages (upstream's Spark role). */
export const SPARK_DRIVER_VERBS: readonly string[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** Namespaces Kubernetes owns; a tenant may not take them. */
const RESERVED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** Tenants by namespace name, per construct tree, to refuse the same tenant twice in O(1). */
const tenantsByRoot = new WeakMap<IConstruct, Map<string, string>>();

const DEFAULT_QUOTA = {
  cpu: Cpu.cores(8),
  memory: Memory.gibibytes(32),
  pods: 50,
  persistentVolumeClaims: 10,
  storage: Memory.gibibytes(100),
  configMaps: 100,
  services: 50,
  secrets: 20,
} as const;

const DEFAULT_CONTAINER = {
  cpuRequest: Cpu.millis(100),
  memoryRequest: Memory.mebibytes(256),
  memoryLimit: Memory.mebibytes(512),
} as const;


/**
 * A tenant namespace where Spark jobs run, onboarded in one step.
 *
 * Emits the Namespace (Pod Security Admission labels, `restricted` enforced by default), a
 * ResourceQuota and a LimitRange, the Spark driver ServiceAccount with a Role and RoleBinding
 * that grant exactly what a driver needs in this namespace, an executor ServiceAccount with no
 * rights, and NetworkPolicies: deny by default, then allow DNS, driver <-> executor traffic
 * inside the namespace, drivers -> API server and Spark pods -> object store.
 */
export class SparkNamespace extends Construct implements ISparkJobNamespace {
  /** The namespace name. */
  public readonly name: string;
  /** The enforced Pod Security level. */
  public readonly podSecurity: PodSecurityLevel;
  /** The quota in effect. */
  public readonly quota: ResolvedQuota;
  /** The container defaults in effect. */
  public readonly containerDefaults: ResolvedContainerDefaults;
  /** The smallest job the namespace admits, sized. */
  public readonly minimumJob: SizedSparkJob;
  /** The Namespace. */
  public readonly namespace: kplus.Namespace;
  /** The ServiceAccount Spark drivers run as. */
  public readonly driverServiceAccount: kplus.ServiceAccount;
  /** The ServiceAccount Spark executors run as: no Role, no API token. */
  public readonly executorServiceAccount: kplus.ServiceAccount;
  /** The Role of the driver ServiceAccount. */
  public readonly driverRole: kplus.Role;
  /** Whether drivers may reach a Maven repository. */
  public readonly canDownloadPackages: boolean;
  /** The namespace's egress targets. */
  public readonly endpoints: SparkNamespaceEndpoints;
  /** The scrapers admitted to the Spark pods' metrics ports (empty: none). */
  public readonly metricsAccess: readonly ClientPodPeer[];
  private readonly apiServer: NetworkEndpoint;
  private readonly egressPolicies = new Map<string, string>();
  /** Egress rules to object stores already allowed (JSON), the declared one first. */
  private readonly objectStoreRules: string[] = [];

  /**
   * A namespace made elsewhere, by name: jobs get its account names and no quota checks.
   * @default accounts - "spark-driver" and "spark-executor", restricted Pod Security
   */
  public static fromName(name: string, accounts: { driverServiceAccountName?: string; executorServiceAccountName?: string; podSecurity?: PodSecurityLevel } = {}): ISparkJobNamespace {
    assertName(name, NameRule.DNS1123_LABEL, 'name', 'SparkNamespace.fromName');
    return {
      name,
      driverServiceAccountName: accounts.driverServiceAccountName ?? 'spark-driver',
      executorServiceAccountName: accounts.executorServiceAccountName ?? 'spark-executor',
      podSecurity: accounts.podSecurity ?? PodSecurityLevel.RESTRICTED,
    };
  }

  constructor(scope: Construct, id: string, props: SparkNamespaceProps) {
    super(scope, id);
    checkProps('SparkNamespaceProps', props, `SparkNamespace ${show(props?.name)}`);
    const where = `SparkNamespace ${show(props.name)}`;
    assertName(props.name, NameRule.DNS1123_LABEL, 'name', where);
    if (RESERVED_NAMESPACES.has(props.name) || props.name.startsWith('kube-')) {
      throw new SparkPlatformError('name', `${show(props.name)} is a namespace Kubernetes owns`, 'give the tenant its own namespace, e.g. "spark-<team>"', where);
    }
    this.registerTenant(props.name, where);
    this.apiServer = props.apiServer ?? NetworkEndpoint.kubeApiServer();
    this.canDownloadPackages = props.packageRepository !== undefined;
    this.endpoints = {
      apiServer: this.apiServer,
      dns: props.dns ?? NetworkEndpoint.kubeDns(),
      objectStore: props.objectStore,
      packageRepository: props.packageRepository,
    };

    this.name = props.name;
    this.metricsAccess = [...(props.metricsAccess ?? [])];
    this.podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    if (this.podSecurity !== PodSecurityLevel.RESTRICTED && !props.podSecurityReason?.trim()) {
      throw new SparkPlatformError('podSecurityReason', `podSecurity is ${show(this.podSecurity)} but no reason is given`, 'keep the default "restricted", or say in podSecurityReason why this tenant needs less', where);
    }
    const quota = props.quota ?? {};
    this.quota = {
      ...DEFAULT_QUOTA,
      ...stripUndefined(quota),
      limitsMemory: quota.limitsMemory ?? quota.memory ?? DEFAULT_QUOTA.memory,
    };
    this.containerDefaults = { ...DEFAULT_CONTAINER, ...stripUndefined(props.containerDefaults ?? {}) };
    this.minimumJob = sizeSparkJob(props.minimumJob);
    checkTenantResources(this.quota, this.containerDefaults, this.minimumJob, where);

    const ns = this.name;
    // Extra Namespace labels may not override the platform's, Pod Security's or Spark's.
    assertUserMetadata(props.labels, 'label', 'labels', where);
    const labels = platformLabels({ [TENANT_LABEL]: ns });

    this.namespace = new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: ns,
        labels: { ...labels, ...(props.labels ?? {}), ...this.podSecurityLabels() },
        annotations: props.podSecurityReason ? { 'spark-platform.io/pod-security-reason': props.podSecurityReason } : undefined,
      },
    });

    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'spark-quota', namespace: ns, labels },
      spec: { hard: this.quotaHard() },
    });

    new k8s.KubeLimitRange(this, 'LimitRange', {
      metadata: { name: 'spark-container-defaults', namespace: ns, labels },
      spec: { limits: [this.containerLimit()] },
    });

    const driverSaName = props.driverServiceAccountName ?? 'spark-driver';
    const executorSaName = props.executorServiceAccountName ?? 'spark-executor';
    assertName(driverSaName, NameRule.DNS1123_SUBDOMAIN, 'driverServiceAccountName', where);
    assertName(executorSaName, NameRule.DNS1123_SUBDOMAIN, 'executorServiceAccountName', where);
    if (driverSaName === executorSaName) {
      throw new SparkPlatformError('executorServiceAccountName', `is the same as driverServiceAccountName (${show(driverSaName)})`, 'give executors their own account, so they get no API rights', where);
    }
    // Drivers call the API server in-cluster with the pod's token, so it must be mounted.
    this.driverServiceAccount = new kplus.ServiceAccount(this, 'DriverServiceAccount', {
      metadata: { name: driverSaName, namespace: ns, labels },
      automountToken: true,
    });
    // Executors never call the API server: no token, no Role.
    this.executorServiceAccount = new kplus.ServiceAccount(this, 'ExecutorServiceAccount', {
      metadata: { name: executorSaName, namespace: ns, labels },
      automountToken: false,
    });

    this.driverRole = new kplus.Role(this, 'DriverRole', { metadata: { name: driverSaName, namespace: ns, labels } });
    this.driverRole.allow([...SPARK_DRIVER_VERBS], kplus.ApiResource.PODS, kplus.ApiResource.SERVICES, kplus.ApiResource.CONFIG_MAPS, kplus.ApiResource.PERSISTENT_VOLUME_CLAIMS);
    const binding = new kplus.RoleBinding(this, 'DriverRoleBinding', {
      metadata: { name: driverSaName, namespace: ns, labels },
      role: this.driverRole,
    });
    binding.addSubjects(this.driverServiceAccount);

    this.addNetworkPolicies(props, labels);
  }

  /**
   * Lets pods with `podLabels` in this namespace send traffic to `endpoint`, e.g. a spark-submit
   * Job's pods to the API server. Emits one NetworkPolicy named `name`.
   */
  public allowEgress(name: string, podLabels: Record<string, string>, endpoint: NetworkEndpoint): void {
    assertName(name, NameRule.DNS1123_SUBDOMAIN, 'allowEgress(name)', `SparkNamespace ${show(this.name)}`);
    this.networkPolicy(`Egress-${name}`, name, { matchLabels: { ...podLabels } }, { egress: [endpoint.toEgressRule()] });
  }

  /**
   * Lets the Spark pods reach the object store a workload is connected to (see
   * ISparkJobNamespace.allowObjectStoreEgress): one NetworkPolicy per store, none when the store
   * the namespace declares (`objectStore`) already admits it.
   */
  public allowObjectStoreEgress(endpoint: NetworkEndpoint | undefined, where: string): void {
    if (endpoint === undefined) {
      if (this.endpoints.objectStore) return;
      throw new SparkPlatformError('store.networkEndpoint', `is unknown, and namespace ${show(this.name)} denies egress by default: its Spark pods could not reach the store (s3a times out)`,
        'give the store its address (S3ObjectStore.aws/external({ networkEndpoint: NetworkEndpoint.cidrs([...], [{ port: 443 }]) })), or declare the tenant\'s object store (SparkNamespace objectStore, network.objectStore in an environment)', where);
    }
    if (this.endpoints.objectStore?.covers(endpoint)) return;
    const rule = endpoint.toEgressRule();
    const key = JSON.stringify(rule);
    if (this.objectStoreRules.includes(key)) return;
    this.objectStoreRules.push(key);
    const n = this.objectStoreRules.length;
    const sparkPods: k8s.LabelSelector = { matchExpressions: [{ key: SPARK_ROLE_LABEL, operator: 'Exists' }] };
    this.networkPolicy(`AllowObjectStore${n}`, n === 1 ? 'allow-spark-object-store' : `allow-spark-object-store-${n}`, sparkPods, { egress: [rule] });
  }

  /** The driver ServiceAccount's name. */
  public get driverServiceAccountName(): string {
    return this.driverServiceAccount.name;
  }

  /** The executor ServiceAccount's name. */
  public get executorServiceAccountName(): string {
    return this.executorServiceAccount.name;
  }

  /**
   * Lets pods with `podLabels` reach the API server (NetworkPolicy `name`), e.g. spark-submit
   * pods. Idempotent: many jobs ask for the same policy; a different selector under the same
   * name is an error.
   */
  public allowApiServerEgress(name: string, podLabels: Record<string, string>): void {
    const key = JSON.stringify(Object.entries(podLabels).sort());
    const existing = this.egressPolicies.get(name);
    if (existing === key) return;
    if (existing !== undefined) {
      throw new SparkPlatformError('allowApiServerEgress(name)', `policy ${show(name)} already selects other pods (${existing})`, 'use one name per pod selector', `SparkNamespace ${show(this.name)}`);
    }
    this.egressPolicies.set(name, key);
    this.allowEgress(name, podLabels, this.apiServer);
  }

  private addNetworkPolicies(props: SparkNamespaceProps, labels: Record<string, string>): void {
    const sparkPods: k8s.LabelSelector = { matchExpressions: [{ key: SPARK_ROLE_LABEL, operator: 'Exists' }] };
    // Deny everything not allowed below, in and out.
    this.networkPolicy('DefaultDeny', 'default-deny-all', {}, { ingress: [], egress: [] }, labels);
    this.networkPolicy('AllowDns', 'allow-dns', {}, { egress: [this.endpoints.dns.toEgressRule()] }, labels);
    // Driver <-> executors and executor <-> executor (shuffle, block manager), this namespace only.
    this.networkPolicy('AllowSparkIntra', 'allow-spark-driver-executor', sparkPods, {
      ingress: [{ from: [{ podSelector: sparkPods }] }],
      egress: [{ to: [{ podSelector: sparkPods }] }],
    }, labels);
    this.networkPolicy('AllowDriverApi', 'allow-driver-kube-api',
      { matchLabels: { [SPARK_ROLE_LABEL]: SparkRole.DRIVER } },
      { egress: [this.apiServer.toEgressRule()] }, labels);
    if (props.objectStore) {
      this.objectStoreRules.push(JSON.stringify(props.objectStore.toEgressRule()));
      this.networkPolicy('AllowObjectStore', 'allow-spark-object-store', sparkPods, { egress: [props.objectStore.toEgressRule()] }, labels);
    }
    if (props.packageRepository) {
      // spark-submit resolves --packages in the driver (and in a submitter pod, if any);
      // executors fetch the jars from the driver.
      this.networkPolicy('AllowDriverPackages', 'allow-driver-package-repository',
        { matchLabels: { [SPARK_ROLE_LABEL]: SparkRole.DRIVER } }, { egress: [props.packageRepository.toEgressRule()] }, labels);
      this.networkPolicy('AllowSubmitPackages', 'allow-spark-submit-package-repository',
        { matchLabels: { ...SPARK_SUBMIT_POD_LABELS } }, { egress: [props.packageRepository.toEgressRule()] }, labels);
    }
    // Monitoring: the scrapers to the metrics ports, by name (a job's JMX port varies).
    if (this.metricsAccess.length > 0) {
      const from = peersOf(this.metricsAccess, 'metricsAccess', `SparkNamespace ${show(this.name)}`);
      this.networkPolicy('AllowMetrics', SPARK_METRICS_POLICY, sparkPods, {
        ingress: [{ from, ports: SPARK_METRICS_PORT_NAMES.map((name) => ({ protocol: 'TCP', port: k8s.IntOrString.fromString(name) })) }],
      }, labels);
    }
  }

  private networkPolicy(
    id: string,
    name: string,
    podSelector: k8s.LabelSelector,
    rules: { ingress?: k8s.NetworkPolicyIngressRule[]; egress?: k8s.NetworkPolicyEgressRule[] },
    labels: Record<string, string> = platformLabels({ [TENANT_LABEL]: this.name }),
  ): void {
    const policyTypes = [...(rules.ingress ? ['Ingress'] : []), ...(rules.egress ? ['Egress'] : [])];
    // An empty rule list is written as no list: the API server stores `[]` as absent, so a
    // manifest that says `[]` differs from the live object on every server-side apply (found by
    // the e2e suite's second-apply check). policyTypes alone makes the policy deny.
    const nonEmpty = <T>(list: T[] | undefined) => (list && list.length > 0 ? list : undefined);
    new k8s.KubeNetworkPolicy(this, id, {
      metadata: { name, namespace: this.name, labels },
      spec: { podSelector, policyTypes, ingress: nonEmpty(rules.ingress), egress: nonEmpty(rules.egress) },
    });
  }

  private podSecurityLabels(): Record<string, string> {
    const labels: Record<string, string> = {};
    // Enforce the chosen level; always audit and warn at `restricted`, so a relaxed tenant
    // still sees what would not pass.
    for (const [mode, level] of [['enforce', this.podSecurity], ['audit', PodSecurityLevel.RESTRICTED], ['warn', PodSecurityLevel.RESTRICTED]] as const) {
      labels[`pod-security.kubernetes.io/${mode}`] = level;
      labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
    }
    return labels;
  }

  private quotaHard(): Record<string, k8s.Quantity> {
    const q = this.quota;
    const hard: Record<string, k8s.Quantity> = {
      'requests.cpu': k8s.Quantity.fromString(q.cpu.toKubernetes()),
      'requests.memory': k8s.Quantity.fromString(q.memory.toKubernetes()),
      'limits.memory': k8s.Quantity.fromString(q.limitsMemory.toKubernetes()),
      'pods': k8s.Quantity.fromNumber(q.pods),
      'persistentvolumeclaims': k8s.Quantity.fromNumber(q.persistentVolumeClaims),
      'requests.storage': k8s.Quantity.fromString(q.storage.toKubernetes()),
      'count/configmaps': k8s.Quantity.fromNumber(q.configMaps),
      'services': k8s.Quantity.fromNumber(q.services),
      'secrets': k8s.Quantity.fromNumber(q.secrets),
    };
    if (q.limitsCpu) hard['limits.cpu'] = k8s.Quantity.fromString(q.limitsCpu.toKubernetes());
    return hard;
  }

  private containerLimit(): k8s.LimitRangeItem {
    const d = this.containerDefaults;
    const quantity = (v: Cpu | Memory) => k8s.Quantity.fromString(v.toKubernetes());
    const max: Record<string, k8s.Quantity> = {};
    if (d.maxCpu) max.cpu = quantity(d.maxCpu);
    if (d.maxMemory) max.memory = quantity(d.maxMemory);
    const defaults: Record<string, k8s.Quantity> = { memory: quantity(d.memoryLimit) };
    if (d.cpuLimit) defaults.cpu = quantity(d.cpuLimit);
    return {
      type: 'Container',
      defaultRequest: { cpu: quantity(d.cpuRequest), memory: quantity(d.memoryRequest) },
      default: defaults,
      max: Object.keys(max).length > 0 ? max : undefined,
    };
  }

  private registerTenant(name: string, where: string): void {
    const root = this.node.root;
    let tenants = tenantsByRoot.get(root);
    if (!tenants) {
      tenants = new Map();
      tenantsByRoot.set(root, tenants);
    }
    const existing = tenants.get(name);
    if (existing !== undefined) {
      throw new SparkPlatformError('name', `namespace ${show(name)} is already onboarded by ${existing}`, 'give each tenant a unique namespace name, or remove the duplicate', where);
    }
    tenants.set(name, this.node.path);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A platform namespace (operator, storage) that enforces the restricted Pod Security Standard,
 * pinned to POD_SECURITY_VERSION.
 */
/** Options of restrictedNamespace. */
export interface RestrictedNamespaceOptions {
  /**
   * Emit `default-deny-all` in the namespace: no pod receives or sends anything a NetworkPolicy
   * does not admit. The platform's own namespaces use it; each workload there admits exactly what
   * its pods need (DNS included) with policies of its own. @default false
   */
  readonly defaultDeny?: boolean;
}

/**
 * A Namespace enforcing Pod Security `restricted` (version pinned), optionally denying all
 * traffic its workloads do not admit themselves.
 */
export function restrictedNamespace(scope: Construct, id: string, name: string, options: RestrictedNamespaceOptions = {}): k8s.KubeNamespace {
  const namespace = new k8s.KubeNamespace(scope, id, {
    metadata: {
      name,
      labels: platformLabels({
        'pod-security.kubernetes.io/enforce': PodSecurityLevel.RESTRICTED,
        'pod-security.kubernetes.io/enforce-version': POD_SECURITY_VERSION,
      }),
    },
  });
  if (options.defaultDeny) {
    podPolicy(scope, `${id}DefaultDeny`, { name: 'default-deny-all', namespace: name, labels: platformLabels(), podSelector: {}, ingress: [], egress: [] });
  }
  return namespace;
}
