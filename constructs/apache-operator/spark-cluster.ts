import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { assertPinnedImage } from '../images';
import { confKeyProblem, checkUserConf, sortedConf } from '../jobs/spark-conf';
import { SPARK_ROLE_LABEL, TENANT_LABEL, assertUserMetadata, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { ClientPodPeer, peersOf } from '../network';
import type { PortRange } from '../network';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { sparkPodMemory } from '../spark-sizing';
import { SparkImage } from '../spark-image';
import { ISparkJobNamespace } from '../tenancy';
import { Cpu, Memory } from '../units';
import { checkProps } from '../validation/props';
import { assertSparkConfKey, sparkLineName } from '../validation/spark-conf-keys';
import { isLiteral, isSecretName } from '../validation/secret-scan';
import { JAVA_TMPDIR, WriteSite, writableVolumes } from '../writable-paths';
import type { ApacheSparkOperator } from './apache-operator';
import { APACHE_SPARK_OPERATOR_API_VERSION, APACHE_SPARK_OPERATOR_GROUP } from './crds';

/**
 * Facts of apache/spark-kubernetes-operator 1.0.0 about the objects it builds from a SparkCluster
 * (spark-submission-worker `SparkClusterResourceSpec`, `SparkClusterSubmissionWorker`;
 * spark-operator-api `Constants`).
 */
export const SPARK_CLUSTER_FACTS = {
  /** The label the operator puts on the cluster's pods and objects, valued with the cluster's name. */
  clusterNameLabel: 'spark.operator/spark-cluster-name',
  /** The label with the Spark version (`runtimeVersions.sparkVersion`) on pods and objects. */
  sparkVersionLabel: 'spark-version',
  /** `spark-role` of the master pod and of the worker pods. */
  roles: { master: 'master', worker: 'worker' },
  /** Names of the containers the operator fills in (command, image, env, ports). */
  containers: { master: 'master', worker: 'worker' },
  /**
   * The port the master listens on (start-master.sh's default, which workers dial). The master
   * Service is headless, so clients reach the pod on this very port: the container port the
   * operator names `spark` (7070) is never used.
   */
  masterPort: 7077,
  /** The master's web UI (Service port `web`). */
  masterUiPort: 8080,
  /** A worker's web UI (Service port `web`). */
  workerUiPort: 8081,
  /** Where the operator's commands expect Spark (`/opt/spark/sbin/start-*.sh`). */
  sparkHome: '/opt/spark',
} as const;

/** `apiVersion` of the SparkCluster the construct writes. */
export const SPARK_CLUSTER_API_VERSION = `${APACHE_SPARK_OPERATOR_GROUP}/${APACHE_SPARK_OPERATOR_API_VERSION}`;

/**
 * Longest cluster name: the worker StatefulSet (`<name>-worker`) stamps its pods with a
 * `controller-revision-hash` label `<statefulset>-<10 characters>`, which must stay within 63.
 */
const MAX_NAME_LENGTH = 45;

/** Heap of the worker daemon (`SPARK_DAEMON_MEMORY`; Spark's own default for its daemons). */
export const WORKER_DAEMON_HEAP = Memory.gibibytes(1);
/** Memory a daemon JVM uses besides its heap (metaspace, threads, buffers), kept out of the heap sizes. */
export const DAEMON_NON_HEAP = Memory.mebibytes(512);
/** Smallest executor heap Spark starts (it refuses less than 450 MiB), rounded up. */
const MIN_EXECUTOR_HEAP = Memory.mebibytes(512);

/** Settings of the master pod or of the worker pods. */
export interface SparkClusterPodOptions {
  /** CPU of the pod (request and limit). @default - Cpu.cores(1) for the master, Cpu.cores(2) for a worker */
  readonly cpu?: Cpu;
  /** Memory of the pod (request and limit). @default - 2 GiB for the master, 4 GiB for a worker */
  readonly memory?: Memory;
  /** Extra pod labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Pod annotations (e.g. `cluster-autoscaler.kubernetes.io/safe-to-evict`). @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Annotations of the StatefulSet the operator creates. @default - none */
  readonly statefulSetAnnotations?: Readonly<Record<string, string>>;
  /** Annotations of the headless Service the operator creates. @default - none */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;
  /** Node labels the pods must land on. @default - any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Taints the pods tolerate. @default - none */
  readonly tolerations?: readonly k8s.Toleration[];
  /** Node and pod affinity. @default - none */
  readonly affinity?: k8s.Affinity;
  /** PriorityClass of the pods. @default - the cluster's default priority */
  readonly priorityClassName?: string;
}

/** The master: one pod, the operator's `<name>-master` StatefulSet. */
export interface SparkClusterMasterOptions extends SparkClusterPodOptions {}

/** How the operator's HorizontalPodAutoscaler scales the workers between `min` and `max`. */
export interface SparkClusterAutoscaling {
  /** What to scale on. @default - the operator's: CPU of the worker container at 30% of its request */
  readonly metrics?: readonly k8s.MetricSpecV2[];
  /** How fast to scale. @default - the operator's: one pod a minute up, one every 10 minutes down */
  readonly behavior?: k8s.HorizontalPodAutoscalerBehaviorV2;
}

/** The workers: the operator's `<name>-worker` StatefulSet, and its autoscaler when min < max. */
export interface SparkClusterWorkerOptions extends SparkClusterPodOptions {
  /** Workers the cluster starts with (`instanceConfig.initWorkers`). @default - `min`, else 1 */
  readonly initial?: number;
  /** Fewest workers (`instanceConfig.minWorkers`); from 1, the operator keeps one up through voluntary disruptions (a PodDisruptionBudget). @default - `initial` */
  readonly min?: number;
  /** Most workers (`instanceConfig.maxWorkers`); above `min`, the operator adds an autoscaler. @default - the larger of `initial` and `min` */
  readonly max?: number;
  /**
   * Executor heap one worker offers (`SPARK_WORKER_MEMORY`): the sum of the `spark.executor.memory`
   * of the executors it runs. With Spark's overhead on top and the worker daemon beside it, it
   * must fit the pod's memory.
   * @default - what fits: the pod's memory less the daemon (1 GiB heap + 512 MiB) and Spark's executor overhead
   */
  readonly executorMemory?: Memory;
  /** Autoscaler settings; only with min < max (the operator creates no autoscaler otherwise). @default - the operator's */
  readonly autoscaling?: SparkClusterAutoscaling;
}

/** A client of the cluster: a driver (a notebook, a Spark Connect server) that runs applications on it. */
export interface SparkClusterClient extends ClientPodPeer {
  /**
   * The ports the client's driver listens on (`spark.driver.port` to the last block manager
   * port): the master and the executors connect back to them. Fixing them in the client's conf
   * and naming them here keeps the cluster's egress narrow.
   * @default - every port of the client's pods
   */
  readonly driverPorts?: PortRange;
}

/** Properties of a SparkCluster. */
export interface SparkClusterProps {
  /** The SparkCluster's name: the master Service is `<name>-master-svc`. A DNS-1035 label of at most 45 characters. */
  readonly name: string;
  /** The tenant namespace; the operator must watch it. */
  readonly namespace: ISparkJobNamespace;
  /** The Apache Spark operator that runs the cluster. */
  readonly operator: ApacheSparkOperator;
  /**
   * The image master and workers run (`spark.kubernetes.container.image`, where the operator reads
   * it) and the versions it holds (`runtimeVersions`). Spark must be at /opt/spark, where the
   * operator's commands start it. @default SparkImage.official()
   */
  readonly image?: SparkImage;
  /** The master. @default - 1 CPU, 2 GiB */
  readonly master?: SparkClusterMasterOptions;
  /** The workers. @default - one worker of 2 CPUs and 4 GiB */
  readonly workers?: SparkClusterWorkerOptions;
  /**
   * Spark properties of the master and workers (`spark.master.*`, `spark.worker.*`,
   * `spark.deploy.*`, `spark.ui.*`, ...), passed to both daemons as `-D` options. Application
   * settings (`spark.executor.*`, `spark.driver.*`, ...) belong in the client's conf and are refused.
   * @default - none
   */
  readonly sparkConf?: Readonly<Record<string, string>>;
  /** The ServiceAccount master and workers run as; neither calls the API server, so no token is mounted. @default - the operator's workload account (`workloadServiceAccountName`) */
  readonly serviceAccountName?: string;
  /** Drivers that run applications on the cluster: NetworkPolicies admit them (see also `allowClient`). @default - none */
  readonly clients?: readonly SparkClusterClient[];
}

/** Which pods: the master or the workers. */
type Role = 'master' | 'worker';

/**
 * A standalone Spark cluster run by Apache Spark's Kubernetes operator (`spark.apache.org/v1`
 * SparkCluster): the operator creates a master StatefulSet with a headless Service
 * `<name>-master-svc`, a worker StatefulSet with its own Service, a NetworkPolicy for the
 * workers, and, depending on `workers.min`/`max`, a PodDisruptionBudget and an autoscaler.
 *
 * The construct writes the SparkCluster: image and versions where the operator reads them,
 * worker counts (`clusterTolerations.instanceConfig`, the only toleration SparkCluster has),
 * pod templates the operator completes (restricted Pod Security, read-only root with emptyDirs
 * at `/tmp` and `/opt/spark/work`, no API token, sized daemons and workers), the ServiceAccount,
 * and the NetworkPolicies for its clients. Traffic between master and workers is admitted by the
 * tenant's policy for Spark pods (SparkNamespace's `allow-spark-driver-executor`); a namespace
 * made elsewhere must admit traffic between its `spark-role` pods likewise.
 *
 * How a client uses it: a driver (a notebook kernel, a Spark Connect server) sets
 * `spark.master` to {@link SparkCluster.masterUrl}, `spark.driver.host` to an address the worker
 * pods can reach (its pod IP or a headless Service), fixed `spark.driver.port` and
 * `spark.driver.blockManager.port`, and the executor sizes (`spark.executor.cores`,
 * `spark.executor.memory`, `spark.cores.max`) within what the workers offer; it is admitted with
 * `clients` or {@link SparkCluster.allowClient}, naming its pods and those ports. Its executors
 * run inside the worker pods, so they use the cluster's image: the client's Spark must be the
 * same release.
 */
export class SparkCluster extends Construct {
  /** The SparkCluster's name. */
  public readonly name: string;
  /** The namespace's name. */
  public readonly namespace: string;
  /** The image master and workers run. */
  public readonly image: SparkImage;
  /** The ServiceAccount the pods run as. */
  public readonly serviceAccountName: string;
  /** Worker counts: initial, min, max. */
  public readonly workers: { readonly initial: number; readonly min: number; readonly max: number };
  /** Executor heap one worker offers (`SPARK_WORKER_MEMORY`). */
  public readonly workerExecutorMemory: Memory;
  /** Cores one worker offers (`SPARK_WORKER_CORES`). */
  public readonly workerCores: number;
  /** The master's headless Service (the operator's). */
  public readonly masterServiceName: string;
  /** The workers' headless Service (the operator's). */
  public readonly workerServiceName: string;
  /** The SparkCluster object. */
  public readonly resource: ApiObject;
  private readonly where: string;
  private readonly clients: SparkClusterClient[] = [];

  constructor(scope: Construct, id: string, props: SparkClusterProps) {
    super(scope, id);
    const where = `SparkCluster ${show(props?.name)}`;
    this.where = where;
    checkProps('SparkClusterProps', props, where);
    assertName(props.name, NameRule.DNS1035_LABEL, 'name', where);
    if (props.name.length > MAX_NAME_LENGTH) {
      throw new SparkPlatformError('name', `${show(props.name)} is ${props.name.length} characters; the worker pods' controller-revision-hash label (<name>-worker-<hash>) would pass 63`, `use at most ${MAX_NAME_LENGTH} characters`, where);
    }
    this.name = props.name;
    this.namespace = props.namespace.name;
    const operator = props.operator;
    if (!operator.watches(this.namespace)) {
      throw new SparkPlatformError('namespace', `${show(this.namespace)} is not watched by ApacheSparkOperator ${show(operator.name)} (it watches ${operator.jobNamespaces.join(', ')}), so the cluster would never start`,
        `add the namespace to that operator's jobNamespaces, or create the cluster in one of them`, where);
    }
    this.image = props.image ?? SparkImage.official();
    assertPinnedImage(this.image.image, 'image', where);
    if (this.image.sparkHome !== SPARK_CLUSTER_FACTS.sparkHome) {
      throw new SparkPlatformError('image', `has Spark at ${show(this.image.sparkHome)}, but the operator starts master and workers with ${SPARK_CLUSTER_FACTS.sparkHome}/sbin/start-*.sh`, `use an image with Spark in ${SPARK_CLUSTER_FACTS.sparkHome} (as apache/spark images have)`, where);
    }
    this.serviceAccountName = props.serviceAccountName ?? defaultServiceAccount(operator, where);
    assertName(this.serviceAccountName, NameRule.DNS1123_SUBDOMAIN, 'serviceAccountName', where);

    const w = props.workers ?? {};
    this.workers = workerCounts(w, where);
    if (w.autoscaling && this.workers.min >= this.workers.max) {
      throw new SparkPlatformError('workers.autoscaling', `is set but workers.min (${this.workers.min}) is not below workers.max (${this.workers.max}), so the operator creates no autoscaler`, 'give workers.max above workers.min, or drop autoscaling', where);
    }
    const master = { cpu: props.master?.cpu ?? Cpu.cores(1), memory: props.master?.memory ?? Memory.gibibytes(2) };
    const worker = { cpu: w.cpu ?? Cpu.cores(2), memory: w.memory ?? Memory.gibibytes(4) };
    const masterHeap = masterDaemonHeap(master.memory, where);
    this.workerCores = Math.max(1, Math.floor(worker.cpu.cores));
    this.workerExecutorMemory = workerExecutorMemory(worker.memory, w.executorMemory, where);
    for (const [role, opts] of [['master', props.master], ['workers', w]] as const) checkPodOptions(opts ?? {}, role, where);
    checkQuota(props.namespace, master, worker, this.workers.max, where);

    const sparkConf = props.sparkConf ?? {};
    checkClusterConf(sparkConf, this.image, where);
    this.masterServiceName = `${this.name}-master-svc`;
    this.workerServiceName = `${this.name}-worker-svc`;

    const tenantLabels = platformLabels({ [TENANT_LABEL]: this.namespace, 'app.kubernetes.io/instance': this.name });
    const conf = sortedConf({ ...sparkConf, 'spark.kubernetes.container.image': this.image.image });
    const common = { image: this.image, serviceAccountName: this.serviceAccountName, conf, labels: tenantLabels, clusterName: this.name };
    const masterSpec = roleSpec('master', props.master ?? {}, {
      ...common, cpu: master.cpu, memory: master.memory,
      env: [{ name: 'SPARK_DAEMON_MEMORY', value: masterHeap.toSpark() }, { name: 'SPARK_LOG_DIR', value: `${SPARK_CLUSTER_FACTS.sparkHome}/work/logs` }],
    });
    const workerSpec = roleSpec('worker', w, {
      ...common, cpu: worker.cpu, memory: worker.memory,
      env: [
        { name: 'SPARK_DAEMON_MEMORY', value: WORKER_DAEMON_HEAP.toSpark() },
        { name: 'SPARK_WORKER_CORES', value: String(this.workerCores) },
        { name: 'SPARK_WORKER_MEMORY', value: this.workerExecutorMemory.toSpark() },
      ],
    });
    if (w.autoscaling) {
      workerSpec.horizontalPodAutoscalerSpec = stripUndefined({
        metrics: w.autoscaling.metrics?.map((m) => k8s.toJson_MetricSpecV2(m)),
        behavior: k8s.toJson_HorizontalPodAutoscalerBehaviorV2(w.autoscaling.behavior),
      });
    }

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: SPARK_CLUSTER_API_VERSION,
      kind: 'SparkCluster',
      metadata: { name: this.name, namespace: this.namespace, labels: tenantLabels },
      spec: {
        runtimeVersions: stripUndefined({ sparkVersion: this.image.sparkVersion, scalaVersion: this.image.scalaVersion, jdkVersion: this.image.javaVersion }),
        clusterTolerations: { instanceConfig: { initWorkers: this.workers.initial, minWorkers: this.workers.min, maxWorkers: this.workers.max } },
        masterSpec,
        workerSpec,
        sparkConf: conf,
      },
    });
    (props.clients ?? []).forEach((c, i) => this.addClient(c, `clients[${i}]`));
  }

  /**
   * The URL a client sets as `spark.master`: the master's headless Service, which resolves to the
   * master pod, on the port the master listens on.
   */
  public get masterUrl(): string {
    return `spark://${this.masterServiceName}.${this.namespace}.svc.cluster.local:${SPARK_CLUSTER_FACTS.masterPort}`;
  }

  /** Labels that select the master pod (the operator sets them). */
  public get masterPodLabels(): Record<string, string> {
    return this.podLabels('master');
  }

  /** Labels that select the worker pods (the operator sets them). */
  public get workerPodLabels(): Record<string, string> {
    return this.podLabels('worker');
  }

  /**
   * Admits a client's pods (a driver) to the cluster, and the cluster back to them: the client
   * may reach the master on 7077 and the workers (its executors' block managers listen on any
   * port), the master and the workers may reach the client's `driverPorts`. Emits, in the
   * cluster's namespace, one policy for the master and one for the workers (shared by every
   * client), and one in the client's namespace for its pods. Like every platform policy they
   * only add to a namespace that denies by default.
   */
  public allowClient(client: SparkClusterClient): void {
    this.addClient(client, 'allowClient(client)');
  }

  private podLabels(role: Role): Record<string, string> {
    return { [SPARK_ROLE_LABEL]: SPARK_CLUSTER_FACTS.roles[role], [SPARK_CLUSTER_FACTS.clusterNameLabel]: this.name };
  }

  private addClient(client: SparkClusterClient, field: string): void {
    peersOf([client], field, this.where);
    assertUserMetadata(client.labels, 'label', `${field}.labels`, this.where);
    const ports = client.driverPorts;
    if (ports && (!Number.isInteger(ports.port) || !Number.isInteger(ports.endPort) || ports.port < 1024 || ports.endPort < ports.port || ports.endPort > 65535)) {
      throw new SparkPlatformError(`${field}.driverPorts`, `${show(ports)} is not a range of unprivileged ports`, 'give the first and last port the driver listens on, e.g. { port: 7078, endPort: 7079 }', this.where);
    }
    const key = JSON.stringify([client.namespace, Object.entries(client.labels ?? {}).sort()]);
    if (this.clients.some((c) => JSON.stringify([c.namespace, Object.entries(c.labels ?? {}).sort()]) === key)) {
      throw new SparkPlatformError(field, `admits the pods of ${show(client.namespace)} with labels ${show(client.labels ?? {})} a second time`, 'admit each client once', this.where);
    }
    this.clients.push(client);
    if (this.clients.length === 1) this.addClusterClientPolicies();
    this.addClientSidePolicy(client, this.clients.length);
  }

  /** The cluster's side: ingress from every client, egress to their driver ports. Rules are read at synth. */
  private addClusterClientPolicies(): void {
    const labels = platformLabels({ [TENANT_LABEL]: this.namespace, 'app.kubernetes.io/instance': this.name });
    const masterPort: k8s.NetworkPolicyPort = { protocol: 'TCP', port: k8s.IntOrString.fromNumber(SPARK_CLUSTER_FACTS.masterPort) };
    for (const role of ['master', 'worker'] as const) {
      const ingress = () => this.clients.map((c) => ({ from: peersOf([c], 'clients', this.where), ...(role === 'master' ? { ports: [masterPort] } : {}) }));
      const egress = () => this.clients.map((c) => ({ to: peersOf([c], 'clients', this.where), ...portsOf(c.driverPorts) }));
      new k8s.KubeNetworkPolicy(this, `${role === 'master' ? 'Master' : 'Worker'}Clients`, {
        metadata: { name: `${this.name}-${role}-clients`, namespace: this.namespace, labels },
        spec: {
          podSelector: { matchLabels: this.podLabels(role) },
          policyTypes: ['Ingress', 'Egress'],
          ingress: Lazy.any({ produce: ingress }) as unknown as k8s.NetworkPolicyIngressRule[],
          egress: Lazy.any({ produce: egress }) as unknown as k8s.NetworkPolicyEgressRule[],
        },
      });
    }
  }

  /** The client's side, in its namespace: egress to the master port and the workers, ingress from both on its driver ports. */
  private addClientSidePolicy(client: SparkClusterClient, n: number): void {
    const cluster = (role: Role): k8s.NetworkPolicyPeer => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.namespace } },
      podSelector: { matchLabels: this.podLabels(role) },
    });
    new k8s.KubeNetworkPolicy(this, `Client${n}`, {
      metadata: { name: `${this.name}-client-${n}`, namespace: client.namespace, labels: platformLabels({ 'app.kubernetes.io/instance': this.name }) },
      spec: {
        podSelector: { matchLabels: { ...(client.labels ?? {}) } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [cluster('master'), cluster('worker')], ...portsOf(client.driverPorts) }],
        egress: [
          { to: [cluster('master')], ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(SPARK_CLUSTER_FACTS.masterPort) }] },
          { to: [cluster('worker')] },
        ],
      },
    });
  }
}

/** `{ ports }` admitting a port range, or nothing (every port) when undefined. */
function portsOf(range: PortRange | undefined): { ports?: k8s.NetworkPolicyPort[] } {
  if (!range) return {};
  return { ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(range.port), ...(range.endPort > range.port ? { endPort: range.endPort } : {}) }] };
}

function defaultServiceAccount(operator: ApacheSparkOperator, where: string): string {
  if (operator.jobNamespaces.length === 0) {
    throw new SparkPlatformError('serviceAccountName', `is not set, and ApacheSparkOperator ${show(operator.name)} watches every namespace, so it creates no workload ServiceAccount to default to`,
      'name an existing ServiceAccount of the namespace (master and workers need no API rights)', where);
  }
  return operator.workloadServiceAccountName;
}

function workerCounts(w: SparkClusterWorkerOptions, where: string): { initial: number; min: number; max: number } {
  const initial = w.initial ?? w.min ?? 1;
  const min = w.min ?? initial;
  const max = w.max ?? Math.max(initial, min);
  for (const [field, n] of [['workers.initial', initial], ['workers.min', min], ['workers.max', max]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new SparkPlatformError(field, `${show(n)} is not a whole number >= 0`, 'give a count of workers', where);
  }
  if (max < 1) throw new SparkPlatformError('workers.max', 'is 0, so the cluster has no worker to run executors', 'allow at least one worker', where);
  if (min > max) throw new SparkPlatformError('workers.min', `is ${min}, above workers.max (${max})`, 'keep workers.min <= workers.initial <= workers.max', where);
  if (initial < min || initial > max) throw new SparkPlatformError('workers.initial', `is ${initial}, outside workers.min..workers.max (${min}..${max})`, 'keep workers.min <= workers.initial <= workers.max', where);
  return { initial, min, max };
}

/** The master daemon's heap: the pod's memory less the JVM's non-heap share; at least 512 MiB. */
function masterDaemonHeap(memory: Memory, where: string): Memory {
  const heap = Memory.bytes(memory.bytes - DAEMON_NON_HEAP.bytes);
  if (heap.compare(Memory.mebibytes(512)) < 0) {
    throw new SparkPlatformError('master.memory', `${memory} leaves the master daemon less than 512 MiB of heap (${DAEMON_NON_HEAP} go to the JVM besides its heap)`, 'give the master at least 1 GiB', where);
  }
  return heap;
}

/**
 * The executor heap a worker offers: given, it must fit with Spark's overhead beside the daemon;
 * by default the most that does (whole MiB).
 */
function workerExecutorMemory(podMemory: Memory, given: Memory | undefined, where: string): Memory {
  const reserve = WORKER_DAEMON_HEAP.plus(DAEMON_NON_HEAP);
  const room = Math.floor((podMemory.bytes - reserve.bytes) / 2 ** 20);
  if (given) {
    const needs = sparkPodMemory(given).plus(reserve);
    if (needs.compare(podMemory) > 0) {
      throw new SparkPlatformError('workers.executorMemory', `${given} of executor heap needs ${needs} with Spark's overhead and the worker daemon (${reserve}), above workers.memory (${podMemory})`, 'offer less executor memory, or give the workers more memory', where);
    }
    if (given.compare(MIN_EXECUTOR_HEAP) < 0) {
      throw new SparkPlatformError('workers.executorMemory', `${given} is below ${MIN_EXECUTOR_HEAP}, less than one executor needs`, `offer at least ${MIN_EXECUTOR_HEAP}`, where);
    }
    return given;
  }
  // Spark's overhead is the larger of 384 MiB and 10% of the heap: the most heap that fits is
  // room - 384 while that 10% stays under 384 MiB, else about room / 1.1 (whole MiB, floored).
  const fits = (heap: number) => heap > 0 && sparkPodMemory(Memory.mebibytes(heap)).mebibytes <= room;
  let heap = Math.floor(room / 1.1) + 1;
  while (heap > 0 && !fits(heap)) heap--;
  if (fits(room - 384)) heap = Math.max(heap, room - 384);
  const best = Memory.mebibytes(Math.max(heap, 0));
  if (best.compare(MIN_EXECUTOR_HEAP) < 0) {
    throw new SparkPlatformError('workers.memory', `${podMemory} leaves executors ${best} of heap once the worker daemon (${reserve}) and Spark's executor overhead are counted`, `give each worker at least ${sparkPodMemory(MIN_EXECUTOR_HEAP).plus(reserve)}`, where);
  }
  return best;
}

function checkPodOptions(o: SparkClusterPodOptions, role: 'master' | 'workers', where: string): void {
  if (o.cpu && o.cpu.millicores <= 0) throw new SparkPlatformError(`${role}.cpu`, 'is 0', 'give the pods some CPU, e.g. Cpu.cores(1)', where);
  if (o.cpu && role === 'workers' && o.cpu.cores < 1) {
    throw new SparkPlatformError('workers.cpu', `${o.cpu} is below one core, so a worker offers no core to executors`, 'give each worker at least Cpu.cores(1)', where);
  }
  assertUserMetadata(o.labels, 'label', `${role}.labels`, where);
  for (const [field, entries] of [['annotations', o.annotations], ['statefulSetAnnotations', o.statefulSetAnnotations], ['serviceAnnotations', o.serviceAnnotations]] as const) {
    assertUserMetadata(entries, 'annotation', `${role}.${field}`, where);
  }
  for (const [field, entries] of [['labels', o.labels], ['annotations', o.annotations], ['statefulSetAnnotations', o.statefulSetAnnotations], ['serviceAnnotations', o.serviceAnnotations]] as const) {
    for (const key of Object.keys(entries ?? {})) {
      if (key === SPARK_CLUSTER_FACTS.sparkVersionLabel || key.startsWith('spark.operator/')) {
        throw new SparkPlatformError(`${role}.${field}[${show(key)}]`, `${show(key)} is set by the operator (its selectors and policies rely on it)`, 'choose a key of your own (e.g. "example.com/team")', where);
      }
    }
  }
  if (o.priorityClassName !== undefined) assertName(o.priorityClassName, NameRule.DNS1123_SUBDOMAIN, `${role}.priorityClassName`, where);
}

/** The whole cluster at its largest must fit the tenant's quota, else the last workers stay Pending. */
function checkQuota(ns: ISparkJobNamespace, master: { cpu: Cpu; memory: Memory }, worker: { cpu: Cpu; memory: Memory }, max: number, where: string): void {
  const q = ns.quota;
  if (!q) return;
  const what = `the master and ${max} workers (workers.max)`;
  const tenant = show(ns.name);
  if (1 + max > q.pods) throw new SparkPlatformError('workers.max', `${what} are ${1 + max} pods, above the pod quota of namespace ${tenant} (${q.pods})`, 'run fewer workers, or raise the quota', where);
  const memory = master.memory.plus(worker.memory.times(max));
  if (memory.compare(q.memory) > 0) throw new SparkPlatformError('workers.max', `${what} need ${memory} of memory, above the memory quota of namespace ${tenant} (${q.memory})`, 'run fewer or smaller workers, or raise the quota', where);
  const cpu = master.cpu.plus(worker.cpu.times(max));
  if (cpu.compare(q.cpu) > 0) throw new SparkPlatformError('workers.max', `${what} need ${cpu} of CPU, above the CPU quota of namespace ${tenant} (${q.cpu})`, 'run fewer or smaller workers, or raise the quota', where);
}

/** Keys the construct sets from a prop. */
const CLUSTER_OWNED: ReadonlyArray<readonly [RegExp, string]> = [
  [/^spark\.kubernetes\.container\.image$/, 'image'],
  [/^spark\.kubernetes\.namespace$/, 'namespace (the operator sets it to the SparkCluster\'s)'],
];

/**
 * Application settings: the master and worker daemons never read them (each application brings
 * its own), so on the cluster they would do nothing. `spark.kubernetes.scheduler.name` is the
 * exception the operator reads (the pods' schedulerName).
 */
const APPLICATION_ONLY = /^spark\.(master$|submit\.|app\.|driver\.|executor\.|executorEnv\.|dynamicAllocation\.|memory\.|jars|files$|archives$|pyspark\.|ui\.prometheus\.enabled$|kubernetes\.(?!scheduler\.name$))/;

/**
 * Checks the cluster's Spark conf: not a key a prop sets or that only applications read, a key of
 * the image's Spark line, sizes in Spark syntax (checkUserConf), no plaintext secret, and no
 * double quote or backslash (the operator quotes each value as `-Dkey="value"` in the daemons'
 * options, where either would end or mangle it).
 */
function checkClusterConf(conf: Readonly<Record<string, string>>, image: SparkImage, where: string): void {
  const line = sparkLineName(image.sparkVersion);
  for (const [key, value] of Object.entries(conf)) {
    const field = `sparkConf[${show(key)}]`;
    const owned = CLUSTER_OWNED.find(([r]) => r.test(key));
    if (owned) throw new SparkPlatformError(field, `is set by SparkCluster from ${owned[1]}`, `remove the key; set ${owned[1].split(' ')[0]} instead`, where);
    if (APPLICATION_ONLY.test(key)) {
      throw new SparkPlatformError(field, `${show(key)} is an application setting, which the master and workers ignore`, 'set it in the conf of the client that runs the application (notebook, Connect server)', where);
    }
    if (typeof value === 'string' && /["\\]/.test(value)) {
      throw new SparkPlatformError(field, 'contains a double quote or a backslash, which would end or mangle the -Dkey="value" option the operator passes to master and workers', 'write the value without them', where);
    }
    if (typeof value === 'string' && isSecretName(key) && isLiteral(value)) {
      throw new SparkPlatformError(field, 'is a secret written in plain text: the operator copies every property into the pods\' environment (SPARK_MASTER_OPTS, SPARK_WORKER_OPTS)', 'keep secrets out of the cluster conf (mount a Secret the filter reads, or authenticate at a proxy in front of the UI)', where);
    }
    if (confKeyProblem(key) === undefined) {
      checkUserConf({ [key]: value }, {}, where, 'sparkConf', { line, allowed: [] });
    } else if (line) {
      // A key SparkJob derives from its own props (e.g. the Prometheus servlet of every metrics
      // instance), which means something to the daemons: only its existence is checked.
      assertSparkConfKey(key, line, [], field, where);
    }
  }
}

interface RoleInput {
  readonly image: SparkImage;
  readonly serviceAccountName: string;
  readonly conf: Readonly<Record<string, string>>;
  readonly labels: Record<string, string>;
  readonly clusterName: string;
  readonly cpu: Cpu;
  readonly memory: Memory;
  readonly env: ReadonlyArray<{ name: string; value: string }>;
}

/**
 * Where a daemon writes under a read-only root: `/tmp` (java.io.tmpdir, spark-daemon.sh's pid
 * file) and `<SPARK_HOME>/work` (the daemon's log file; a worker's executor directories, with
 * their jars and output); a worker also writes its `spark.local.dir` (the executors' scratch).
 */
function daemonWriteSites(role: Role, conf: Readonly<Record<string, string>>): WriteSite[] {
  const sites: WriteSite[] = [
    { kind: 'tmp', path: JAVA_TMPDIR, reason: 'java.io.tmpdir and spark-daemon.sh\'s pid file' },
    { kind: 'workdir', path: `${SPARK_CLUSTER_FACTS.sparkHome}/work`, reason: role === 'worker' ? 'the worker directory: executors\' directories and the daemon log (SPARK_LOG_DIR)' : 'the daemon log (SPARK_LOG_DIR)' },
  ];
  if (role === 'worker') {
    for (const dir of (conf['spark.local.dir'] ?? '').split(',').map((d) => d.trim()).filter((d) => d.startsWith('/'))) {
      sites.push({ kind: 'local', path: dir.replace(/\/+$/, '') || '/', reason: 'spark.local.dir (executors\' shuffle and spill files)' });
    }
  }
  return sites;
}

/** `masterSpec` / `workerSpec`: metadata of the StatefulSet and Service, and the StatefulSet spec the operator completes. */
function roleSpec(role: Role, o: SparkClusterPodOptions, input: RoleInput): Record<string, unknown> {
  const writable = writableVolumes(daemonWriteSites(role, input.conf));
  const q = (v: Cpu | Memory) => v.toKubernetes();
  const amounts = { cpu: q(input.cpu), memory: q(input.memory) };
  const container = {
    name: SPARK_CLUSTER_FACTS.containers[role],
    env: input.env.map((e) => ({ ...e })),
    resources: { requests: { ...amounts }, limits: { ...amounts } },
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: writable.mounts,
  };
  const podSpec = stripUndefined({
    serviceAccountName: input.serviceAccountName,
    // Master and workers never call the API server.
    automountServiceAccountToken: false,
    // A Service named like a Spark variable (`spark-master` gives SPARK_MASTER_PORT) would
    // change how the start scripts run.
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(input.image.uid, input.image.gid),
    priorityClassName: o.priorityClassName,
    nodeSelector: o.nodeSelector && Object.keys(o.nodeSelector).length > 0 ? { ...o.nodeSelector } : undefined,
    tolerations: o.tolerations && o.tolerations.length > 0 ? o.tolerations.map((t) => k8s.toJson_Toleration(t)) : undefined,
    affinity: k8s.toJson_Affinity(o.affinity),
    containers: [container],
    volumes: writable.volumes,
  });
  const podMeta = stripUndefined({
    // The operator adds the same two; written here too, the template matches the selector as given.
    labels: { ...input.labels, ...(o.labels ?? {}), [SPARK_ROLE_LABEL]: SPARK_CLUSTER_FACTS.roles[role], [SPARK_CLUSTER_FACTS.clusterNameLabel]: input.clusterName },
    annotations: o.annotations && Object.keys(o.annotations).length > 0 ? { ...o.annotations } : undefined,
  });
  const meta = (annotations: Readonly<Record<string, string>> | undefined) => stripUndefined({
    labels: { ...input.labels },
    annotations: annotations && Object.keys(annotations).length > 0 ? { ...annotations } : undefined,
  });
  return {
    serviceMetadata: meta(o.serviceAnnotations),
    statefulSetMetadata: meta(o.statefulSetAnnotations),
    statefulSetSpec: {
      // The operator selects on spark-role alone; with the cluster's name too, two clusters in
      // one namespace do not select each other's pods.
      selector: { matchLabels: { [SPARK_CLUSTER_FACTS.clusterNameLabel]: input.clusterName } },
      template: { metadata: podMeta, spec: podSpec },
    },
  };
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
