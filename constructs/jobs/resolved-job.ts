import { SparkEnvValue } from '../spark-env';
import type { ResolvedJmxExporter } from './jmx-exporter';
import { SparkImage } from '../spark-image';
import { SPARK_DEFAULT_OVERHEAD_FACTOR, sparkPodMemory, sparkPodMemoryLimit } from '../spark-sizing';
import type { ISparkJobNamespace } from '../tenancy';
import type { ResolvedScratch } from './scratch';
import { Cpu, Memory } from '../units';
import {
  ConcurrencyPolicy, RestartPolicy, SparkGpu, SparkJobMode, SparkJobType, SparkVolumeMount, SparkJobBatchScheduler, SparkUiIngress } from './spark-job-options';

/** Spark's non-JVM memory overhead factor (Python and R): their workers live outside the heap. */
export const NON_JVM_OVERHEAD_FACTOR = 0.4;

/** The driver or the executors, with every default applied. */
export interface ResolvedPod {
  readonly role: 'driver' | 'executor';
  readonly image: SparkImage;
  readonly serviceAccount: string;
  readonly cores: number;
  readonly coreRequest?: Cpu;
  readonly coreLimit?: Cpu;
  readonly memory: Memory;
  readonly memoryOverhead?: Memory;
  readonly gpu?: Required<SparkGpu>;
  readonly env: ReadonlyArray<readonly [string, SparkEnvValue]>;
  readonly envFrom: { readonly configMaps: readonly string[]; readonly secrets: readonly string[] };
  readonly volumeMounts: readonly SparkVolumeMount[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Tolerations as Kubernetes JSON. */
  readonly tolerations: ReadonlyArray<Record<string, unknown>>;
  /** Affinity as Kubernetes JSON. */
  readonly affinity?: Record<string, unknown>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Pod features (as Kubernetes JSON), written into the pod template as they are. */
  readonly terminationGracePeriodSeconds?: number;
  readonly topologySpreadConstraints: ReadonlyArray<Record<string, unknown>>;
  readonly hostAliases: ReadonlyArray<Record<string, unknown>>;
  readonly dnsConfig?: Record<string, unknown>;
  // Pod features: Kubernetes JSON, checked (containers.ts), security contexts merged.
  /** Lifecycle hooks of the Spark container. */
  readonly lifecycle?: Record<string, unknown>;
  /** Extra ports of the Spark container. */
  readonly ports: ReadonlyArray<Record<string, unknown>>;
  /** Init containers, then native sidecars (`restartPolicy: Always`), in pod order. */
  readonly initContainers: ReadonlyArray<Record<string, unknown>>;
  /** Sidecars that are ordinary containers (after the Spark container). */
  readonly sidecars: ReadonlyArray<Record<string, unknown>>;
  /** The container memory limit, when above Spark's (operator mode with the webhook only). */
  readonly memoryLimit?: Memory;
  /** RFC 6902 operations on the rendered pod template. */
  readonly templatePatch: ReadonlyArray<Record<string, unknown>>;
  // Scratch space
  /** The volume Spark uses as its local dir (scratch.ts), when bounded by the job. */
  readonly scratch?: ResolvedScratch;
}

/** The executors: a pod plus how many. */
export interface ResolvedExecutor extends ResolvedPod {
  readonly instances: number;
  readonly deleteOnTermination: boolean;
}

/** Dynamic allocation with its defaults. */
export interface ResolvedDynamicAllocation {
  readonly minExecutors: number;
  readonly initialExecutors: number;
  readonly maxExecutors: number;
  readonly shuffleTracking: boolean;
  readonly shuffleTrackingTimeoutMillis?: number;
}

/** A schedule with its defaults. */
export interface ResolvedSchedule {
  readonly cron: string;
  readonly timeZone: string;
  readonly concurrencyPolicy: ConcurrencyPolicy;
  readonly successfulRunHistoryLimit: number;
  readonly failedRunHistoryLimit: number;
  readonly suspend: boolean;
}

/** Dependencies, each list present (maybe empty). */
export interface ResolvedDependencies {
  readonly jars: readonly string[];
  readonly files: readonly string[];
  readonly pyFiles: readonly string[];
  readonly archives: readonly string[];
  readonly packages: readonly string[];
  readonly excludePackages: readonly string[];
  readonly repositories: readonly string[];
}

/** The submitter pod of submit mode. */
export interface ResolvedSubmitter {
  readonly cpu: Cpu;
  readonly memory: Memory;
  readonly activeDeadlineSeconds?: number;
  readonly failOnDriverError: boolean;
}

/**
 * A SparkJob with every default applied and every rule checked: what both renderers read, so
 * the two modes cannot drift apart.
 */
export interface ResolvedSparkJob {
  readonly name: string;
  readonly namespace: ISparkJobNamespace;
  readonly mode: SparkJobMode;
  readonly type: SparkJobType;
  readonly mainClass?: string;
  readonly mainApplicationFile: string;
  readonly arguments: readonly string[];
  readonly imagePullPolicy: string;
  readonly imagePullSecrets: readonly string[];
  readonly driver: ResolvedPod;
  readonly executor: ResolvedExecutor;
  readonly dynamicAllocation?: ResolvedDynamicAllocation;
  readonly deps: ResolvedDependencies;
  /** User Spark conf (checked: no key the construct sets). */
  readonly sparkConf: Readonly<Record<string, string>>;
  /** `spark.*` keys accepted beyond the Spark line's own (allowedSparkConfKeys), for conf added later too. */
  readonly allowedSparkConfKeys: readonly string[];
  /** User Hadoop conf, without the `spark.hadoop.` prefix. */
  readonly hadoopConf: Readonly<Record<string, string>>;
  /** Pod volumes as Kubernetes JSON. */
  readonly volumes: ReadonlyArray<Record<string, unknown>>;
  readonly restartPolicy: RestartPolicy;
  /** Undefined when `timeToLiveDisabled` says why finished applications are kept. */
  readonly timeToLiveSeconds?: number;
  /** Why finished applications are kept (disableTimeToLive): the doctor's no-ttl rule reads it. */
  readonly timeToLiveDisabled?: string;
  readonly schedule?: ResolvedSchedule;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly prometheus: boolean;
  readonly readOnlyRootFilesystem: boolean;
  readonly submitter: ResolvedSubmitter;
  readonly batchScheduler?: SparkJobBatchScheduler;
  /** The Kueue LocalQueue the job waits in (`kueue.x-k8s.io/queue-name`), if any. */
  readonly queue?: string;
  /** PriorityClass of both Spark pods. */
  readonly priorityClassName?: string;
  /** The user the application runs as (`--proxy-user`). */
  readonly proxyUser?: string;
  /** The Prometheus JMX exporter agent (monitoring.ts), checked. */
  readonly jmxExporter?: ResolvedJmxExporter;
  /** The Spark UI's Service settings and Ingress (ui.ts), checked. */
  readonly ui?: ResolvedUi;
}

/** The UI options with the port the driver serves the UI on. */
export interface ResolvedUi {
  readonly serviceType?: string;
  readonly servicePort?: number;
  readonly servicePortName?: string;
  readonly serviceAnnotations: Readonly<Record<string, string>>;
  readonly serviceLabels: Readonly<Record<string, string>>;
  readonly ingress?: SparkUiIngress;
  /** `spark.ui.port` (4040 unless the conf says otherwise). */
  readonly uiPort: number;
}

/** True for Python and R jobs, whose memory overhead factor is 0.4. */
export function isNonJvm(type: SparkJobType): boolean {
  return type === SparkJobType.PYTHON || type === SparkJobType.R;
}

/** The executors a job starts with: the initial count under dynamic allocation, else `instances`. */
export function startingExecutors(job: ResolvedSparkJob): number {
  return job.dynamicAllocation ? job.dynamicAllocation.initialExecutors : job.executor.instances;
}

/** The memory Kubernetes reserves for a Spark pod: heap + overhead (+ PySpark worker memory). */
export function podMemory(pod: ResolvedPod, type: SparkJobType, pysparkMemory?: Memory): Memory {
  const factor = isNonJvm(type) ? NON_JVM_OVERHEAD_FACTOR : SPARK_DEFAULT_OVERHEAD_FACTOR;
  const total = pod.memoryOverhead ? pod.memory.plus(pod.memoryOverhead) : sparkPodMemory(pod.memory, factor);
  return pysparkMemory && pod.role === 'executor' ? total.plus(pysparkMemory) : total;
}

/** The memory limit of a Spark pod's container: `memoryLimit` when set (operator webhook), else the request. */
export function podMemoryLimit(pod: ResolvedPod, type: SparkJobType, pysparkMemory?: Memory): Memory {
  return sparkPodMemoryLimit(podMemory(pod, type, pysparkMemory), pod.memoryLimit);
}

/** The CPU Kubernetes reserves for a Spark pod. */
export function podCpu(pod: ResolvedPod): Cpu {
  return pod.coreRequest ?? Cpu.cores(pod.cores);
}
