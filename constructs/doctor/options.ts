import { SparkPlatformError, show } from '../errors';
import { SparkImage } from '../spark-image';
import { Cpu, Memory } from '../units';

/**
 * A kind of node the cluster has, as the scheduler sees it: its allocatable resources (capacity
 * minus what the kubelet, the system and DaemonSets reserve), not the machine's size.
 */
export interface NodeShape {
  /** A name for messages, e.g. `general` or `m6i.4xlarge`. */
  readonly name: string;
  /** Allocatable CPU, e.g. `"15500m"` or `Cpu.cores(16)`. */
  readonly cpu: string | Cpu;
  /** Allocatable memory, e.g. `"60Gi"` or `Memory.gibibytes(60)`. */
  readonly memory: string | Memory;
  /** GPUs per node. @default 0 */
  readonly gpus?: number;
  /** The extended resource the GPUs are, as pods request them. @default "nvidia.com/gpu" */
  readonly gpuResource?: string;
  /**
   * Labels of these nodes. A pod's nodeSelector is matched against the keys some declared shape
   * has; keys no shape declares (e.g. `kubernetes.io/os`) are not checked.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Accepts a finding on purpose: kept in the report with its reason, neither error nor warning. */
export interface DoctorSuppression {
  /** The rule id (see `DOCTOR_RULES`). */
  readonly rule: string;
  /**
   * What it applies to: a construct path (that construct and everything under it, e.g.
   * `jobs/spark-jobs-nightly`) or an object as `Kind/namespace/name` (`Kind/name` when
   * cluster-scoped), e.g. `SparkApplication/spark-jobs/nightly`.
   */
  readonly path: string;
  /** Why it is fine: shown in every report. */
  readonly reason: string;
}

/** Registries treated as public (no pull secret needed) unless `publicRegistries` says otherwise. */
export const DEFAULT_PUBLIC_REGISTRIES: readonly string[] = [
  'docker.io', 'quay.io', 'ghcr.io', 'registry.k8s.io', 'gcr.io', 'public.ecr.aws', 'mcr.microsoft.com',
];

/**
 * Services in one namespace (rendered ones plus one driver Service per cluster-mode Spark
 * application) from which service links must be off.
 */
export const DEFAULT_SERVICE_LINKS_SERVICE_THRESHOLD = 20;

/** @deprecated the rule counts Services now: use DEFAULT_SERVICE_LINKS_SERVICE_THRESHOLD. */
export const DEFAULT_SERVICE_LINKS_APP_THRESHOLD = DEFAULT_SERVICE_LINKS_SERVICE_THRESHOLD;

/**
 * The Kubernetes API server as NetworkPolicies see it: the `kubernetes` Service's endpoints,
 * after kube-proxy has rewritten the ClusterIP and Service port 443 to them (DNAT).
 * `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes` shows both.
 */
export interface ApiServerFacts {
  /**
   * The endpoint addresses (IPs), checked against the tenants' egress policies.
   * @default - the first address of each CIDR the tenant namespaces allow (`network.apiServerCidrs`)
   */
  readonly addresses?: readonly string[];
  /**
   * The port the endpoints listen on: 6443 on kubeadm-made clusters (kind, minikube, most
   * self-managed ones), 443 on some managed ones. Setting it confirms a `network.apiServerPorts`
   * without 6443, and drivers must be allowed to reach it.
   * @default - unknown: drivers must reach every port of `network.apiServerPorts`
   */
  readonly port?: number;
}

/** What the doctor knows about the cluster and what the environment demands. */
export interface DoctorOptions {
  /**
   * The node shapes of the cluster: a pod larger than every shape it may land on is Pending
   * forever. Without shapes the capacity rule is skipped.
   * @default - none
   */
  readonly nodes?: readonly NodeShape[];
  /**
   * Demand images pinned by digest (`@sha256:...`), not by tag: a tag can be moved under a
   * running platform. For production; turn it on once the images are pinned by digest.
   * @default false
   */
  readonly requireDigests?: boolean;
  /**
   * Registries from which anonymous pulls work. Every other registry is private (except one on
   * the node's loopback address, e.g. kind's `localhost:5001`): a pod pulling from it needs an
   * imagePullSecret (its own or its ServiceAccount's), or the registry must be listed in
   * `nodeAuthenticatedRegistries`.
   * @default DEFAULT_PUBLIC_REGISTRIES
   */
  readonly publicRegistries?: readonly string[];
  /**
   * Private registries the nodes authenticate to themselves (kubelet credential providers: ECR,
   * Artifact Registry, ACR with a managed identity), so pods need no pull secret.
   * @default - none
   */
  readonly nodeAuthenticatedRegistries?: readonly string[];
  /**
   * What is inside images that objects made without a SparkJob use (SparkImage declares Spark,
   * Scala and Python versions and baked-in hadoop-aws). SparkJobs, notebooks and the History
   * Server declare their own.
   * @default - none
   */
  readonly images?: readonly SparkImage[];
  /**
   * From this many Services in a namespace (those the tree renders there plus the driver Service
   * Spark creates for each cluster-mode application), every pod there must set
   * `enableServiceLinks: false`: each Service adds environment variables to every pod.
   * @default DEFAULT_SERVICE_LINKS_SERVICE_THRESHOLD
   */
  readonly serviceLinksServiceThreshold?: number;
  /**
   * @deprecated The rule counts Services, not applications: use `serviceLinksServiceThreshold`
   * (this value is taken as it when that is not set).
   */
  readonly serviceLinksAppThreshold?: number;
  /**
   * Where the API server really is, when the tenants' network config cannot say (see
   * ApiServerFacts): its endpoint addresses and the port they listen on.
   * @default - what the tenant namespaces declare
   */
  readonly apiServer?: ApiServerFacts;
  /** Findings accepted on purpose, each with its reason. @default - none */
  readonly suppressions?: readonly DoctorSuppression[];
}

/** A node shape with its quantities parsed. */
export interface ResolvedNodeShape {
  readonly name: string;
  readonly cpu: Cpu;
  readonly memory: Memory;
  readonly gpus: number;
  readonly gpuResource: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** DoctorOptions with every default applied and every quantity parsed. */
export interface ResolvedDoctorOptions {
  readonly nodes: readonly ResolvedNodeShape[];
  readonly requireDigests: boolean;
  readonly publicRegistries: ReadonlySet<string>;
  readonly nodeAuthenticatedRegistries: ReadonlySet<string>;
  readonly images: readonly SparkImage[];
  /** Services in a namespace from which service links must be off. */
  readonly serviceLinksServiceThreshold: number;
  /** @deprecated same as serviceLinksServiceThreshold. */
  readonly serviceLinksAppThreshold: number;
  readonly apiServer: { readonly addresses?: readonly string[]; readonly port?: number };
  readonly suppressions: readonly DoctorSuppression[];
}

/**
 * Checks options read at run time (an environment file compiled transpile-only, YAML, Pulumi
 * config) and throws a SparkPlatformError naming the field, e.g. `doctor.nodes[0].memory`.
 * `knownRules` are the rule ids suppressions may name.
 */
export function checkDoctorOptions(value: unknown, path: string, knownRules?: ReadonlySet<string>): void {
  const fail = (field: string, problem: string, fix: string): never => {
    throw new SparkPlatformError(field, problem, fix);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, `${show(value)} is not an object`, 'write the doctor options as an object');
  const o = value as Record<string, unknown>;
  const known = ['nodes', 'requireDigests', 'publicRegistries', 'nodeAuthenticatedRegistries', 'images', 'serviceLinksServiceThreshold', 'serviceLinksAppThreshold', 'apiServer', 'suppressions'];
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) fail(`${path}.${key}`, 'is not a known field', `use one of ${known.join(', ')}`);
  }
  const list = (key: string): unknown[] => {
    const v = o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) fail(`${path}.${key}`, `${show(v)} is not a list`, 'write a list');
    return v as unknown[];
  };
  const names = new Set<string>();
  list('nodes').forEach((n, i) => {
    const at = `${path}.nodes[${i}]`;
    if (typeof n !== 'object' || n === null) fail(at, `${show(n)} is not an object`, 'write { name, cpu, memory }');
    const shape = n as Record<string, unknown>;
    for (const key of Object.keys(shape)) {
      if (!['name', 'cpu', 'memory', 'gpus', 'gpuResource', 'labels'].includes(key)) fail(`${at}.${key}`, 'is not a known field', 'use name, cpu, memory, gpus, gpuResource, labels');
    }
    if (typeof shape.name !== 'string' || shape.name === '') fail(`${at}.name`, 'is not set', 'name the node shape, e.g. "general"');
    if (names.has(shape.name as string)) fail(`${at}.name`, `${show(shape.name)} is declared twice`, 'give each node shape its own name');
    names.add(shape.name as string);
    resolveNode(shape as unknown as NodeShape, at);
  });
  if (o.requireDigests !== undefined && typeof o.requireDigests !== 'boolean') fail(`${path}.requireDigests`, `${show(o.requireDigests)} is not true or false`, 'write true or false');
  for (const key of ['publicRegistries', 'nodeAuthenticatedRegistries']) {
    list(key).forEach((r, i) => {
      if (typeof r !== 'string' || !/^[a-z0-9.-]+(:\d+)?$/i.test(r)) fail(`${path}.${key}[${i}]`, `${show(r)} is not a registry host`, 'write the host, e.g. "registry.example.com" or "registry.example.com:5000"');
    });
  }
  list('images').forEach((img, i) => {
    if (!(img instanceof SparkImage)) fail(`${path}.images[${i}]`, `${show(img)} is not a SparkImage`, 'use SparkImage.custom({ image, sparkVersion, pythonVersion, ... })');
  });
  for (const key of ['serviceLinksServiceThreshold', 'serviceLinksAppThreshold']) {
    const t = o[key];
    if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 1)) fail(`${path}.${key}`, `${show(t)} is not a whole number >= 1`, 'write a whole number, 1 or more');
  }
  if (o.apiServer !== undefined) checkApiServer(o.apiServer, `${path}.apiServer`, fail);
  list('suppressions').forEach((s, i) => {
    const at = `${path}.suppressions[${i}]`;
    if (typeof s !== 'object' || s === null) fail(at, `${show(s)} is not an object`, 'write { rule, path, reason }');
    const sup = s as Record<string, unknown>;
    if (typeof sup.rule !== 'string' || (knownRules && !knownRules.has(sup.rule))) {
      fail(`${at}.rule`, `${show(sup.rule)} is not a doctor rule`, `use one of ${[...(knownRules ?? [])].join(', ') || 'the rule ids of DOCTOR_RULES'}`);
    }
    if (typeof sup.path !== 'string' || sup.path.trim() === '') fail(`${at}.path`, 'is not set', 'give the construct path (e.g. "jobs/spark-jobs-nightly") or the object (e.g. "SparkApplication/spark-jobs/nightly")');
    if (typeof sup.reason !== 'string' || sup.reason.trim() === '') fail(`${at}.reason`, 'is empty', 'say why the finding is acceptable: the reason is kept in every report');
  });
}

/** Applies the defaults and parses the quantities; `path` prefixes errors. */
export function resolveDoctorOptions(options: DoctorOptions = {}, path = 'doctor', knownRules?: ReadonlySet<string>): ResolvedDoctorOptions {
  checkDoctorOptions(options, path, knownRules);
  return {
    nodes: (options.nodes ?? []).map((n, i) => resolveNode(n, `${path}.nodes[${i}]`)),
    requireDigests: options.requireDigests ?? false,
    publicRegistries: new Set((options.publicRegistries ?? DEFAULT_PUBLIC_REGISTRIES).map((r) => r.toLowerCase())),
    nodeAuthenticatedRegistries: new Set((options.nodeAuthenticatedRegistries ?? []).map((r) => r.toLowerCase())),
    images: [...(options.images ?? [])],
    serviceLinksServiceThreshold: options.serviceLinksServiceThreshold ?? options.serviceLinksAppThreshold ?? DEFAULT_SERVICE_LINKS_SERVICE_THRESHOLD,
    serviceLinksAppThreshold: options.serviceLinksServiceThreshold ?? options.serviceLinksAppThreshold ?? DEFAULT_SERVICE_LINKS_SERVICE_THRESHOLD,
    apiServer: {
      ...(options.apiServer?.addresses ? { addresses: [...options.apiServer.addresses] } : {}),
      ...(options.apiServer?.port !== undefined ? { port: options.apiServer.port } : {}),
    },
    suppressions: [...(options.suppressions ?? [])],
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

function checkApiServer(value: unknown, at: string, fail: (field: string, problem: string, fix: string) => never): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, `${show(value)} is not an object`, 'write { addresses: ["10.0.0.2"], port: 6443 }');
  const a = value as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (key !== 'addresses' && key !== 'port') fail(`${at}.${key}`, 'is not a known field', 'use addresses, port');
  }
  if (a.addresses !== undefined) {
    if (!Array.isArray(a.addresses) || a.addresses.length === 0) fail(`${at}.addresses`, `${show(a.addresses)} is not a non-empty list`, 'list the API server\'s endpoint IPs (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes)');
    (a.addresses as unknown[]).forEach((ip, i) => {
      if (typeof ip !== 'string' || !(IPV4.test(ip) || IPV6.test(ip))) fail(`${at}.addresses[${i}]`, `${show(ip)} is not an IP address`, 'write an endpoint IP such as "10.0.0.2" (no prefix length)');
    });
  }
  const port = a.port;
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) {
    fail(`${at}.port`, `${show(port)} is not a port number`, 'write the port the API server\'s endpoints listen on, e.g. 6443 (or 443 on some managed clusters)');
  }
}

function resolveNode(n: NodeShape, at: string): ResolvedNodeShape {
  const cpu = n.cpu instanceof Cpu ? n.cpu : Cpu.parse(n.cpu as string, `${at}.cpu`);
  const memory = n.memory instanceof Memory ? n.memory : Memory.parse(n.memory as string, `${at}.memory`);
  if (cpu.millicores <= 0) throw new SparkPlatformError(`${at}.cpu`, 'is zero', 'give the allocatable CPU of the node shape');
  if (memory.bytes <= 0) throw new SparkPlatformError(`${at}.memory`, 'is zero', 'give the allocatable memory of the node shape');
  const gpus = n.gpus ?? 0;
  if (!Number.isInteger(gpus) || gpus < 0) throw new SparkPlatformError(`${at}.gpus`, `${show(gpus)} is not a whole number >= 0`, 'give the GPUs per node');
  if (n.gpuResource !== undefined && typeof n.gpuResource !== 'string') throw new SparkPlatformError(`${at}.gpuResource`, `${show(n.gpuResource)} is not a resource name`, 'write e.g. "nvidia.com/gpu"');
  const labels = n.labels ?? {};
  if (typeof labels !== 'object' || labels === null || Object.values(labels).some((v) => typeof v !== 'string')) {
    throw new SparkPlatformError(`${at}.labels`, `${show(labels)} is not a map of strings`, 'write label: value pairs');
  }
  return { name: n.name, cpu, memory, gpus, gpuResource: n.gpuResource ?? 'nvidia.com/gpu', labels: { ...labels } };
}
