import { SparkPlatformError, show } from './errors';
import { Cpu, Memory } from './units';

/**
 * How Spark sizes the pods it creates, so the platform can check that a namespace's quota
 * and LimitRange admit them before anything is applied.
 *
 * Spark requests `cores` CPUs and `memory + overhead` bytes per pod (memory request = limit),
 * where overhead = max(factor × memory, 384 MiB).
 * @see https://spark.apache.org/docs/latest/running-on-kubernetes.html#spark-properties (`spark.{driver,executor}.memoryOverheadFactor`, `spark.driver.minMemoryOverhead`)
 */
export const SPARK_MIN_MEMORY_OVERHEAD = Memory.mebibytes(384);

/** Spark's default `spark.{driver,executor}.memoryOverheadFactor` for JVM jobs. */
export const SPARK_DEFAULT_OVERHEAD_FACTOR = 0.1;

/** The size of one Spark pod: what Kubernetes schedules and charges to the quota. */
export interface SparkPodSize {
  /** CPU request. */
  readonly cpu: Cpu;
  /** Memory request and limit (heap + overhead). */
  readonly memory: Memory;
}

/** The container memory Spark requests for a JVM heap of `heap`. */
export function sparkPodMemory(heap: Memory, overheadFactor = SPARK_DEFAULT_OVERHEAD_FACTOR): Memory {
  // Spark works in whole MiB and truncates: max((factor * heapMiB).toInt, 384).
  const overhead = Memory.mebibytes(Math.floor(overheadFactor * Math.floor(heap.mebibytes))).max(SPARK_MIN_MEMORY_OVERHEAD);
  return heap.plus(overhead);
}

/**
 * The memory limit of a Spark container: Spark writes limit = request (`request`), and only the
 * Kubeflow operator's pod webhook can raise it (`memoryLimit`, never below the request). Quotas
 * on `limits.memory` are charged this.
 */
export function sparkPodMemoryLimit(request: Memory, memoryLimit?: Memory): Memory {
  return memoryLimit ? memoryLimit.max(request) : request;
}

/**
 * A Spark job's shape: one driver and N executors. Used by tenants to say "the quota must fit
 * at least this job".
 */
export interface SparkJobShape {
  /** Driver cores. @default 1 */
  readonly driverCores?: number;
  /** Driver heap (`spark.driver.memory`). @default 1 GiB */
  readonly driverMemory?: Memory;
  /** Cores per executor. @default 1 */
  readonly executorCores?: number;
  /** Heap per executor (`spark.executor.memory`). @default 1 GiB */
  readonly executorMemory?: Memory;
  /** Number of executors. @default 1 */
  readonly executors?: number;
  /** Memory overhead factor for driver and executors. @default 0.1 */
  readonly memoryOverheadFactor?: number;
}

/** A job shape with every default applied and its pods sized. */
export interface SizedSparkJob {
  /** The driver pod. */
  readonly driver: SparkPodSize;
  /** One executor pod. */
  readonly executor: SparkPodSize;
  /** Number of executors. */
  readonly executors: number;
  /** Pods the job runs at once (driver + executors). */
  readonly pods: number;
  /** CPU requests of all pods together. */
  readonly totalCpu: Cpu;
  /** Memory requests of all pods together. */
  readonly totalMemory: Memory;
}

/** Applies Spark's defaults to a job shape and sizes its pods; throws on non-positive values. */
export function sizeSparkJob(shape: SparkJobShape = {}, field = 'minimumJob'): SizedSparkJob {
  const positive = (name: keyof SparkJobShape, value: number, integer: boolean) => {
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new SparkPlatformError(`${field}.${name}`, `${show(value)} is not a positive ${integer ? 'whole number' : 'number'}`, `set ${field}.${name} to at least 1`);
    }
    return value;
  };
  const factor = shape.memoryOverheadFactor ?? SPARK_DEFAULT_OVERHEAD_FACTOR;
  if (!(factor >= 0)) {
    throw new SparkPlatformError(`${field}.memoryOverheadFactor`, `${show(factor)} is negative`, 'use Spark\'s default 0.1 or another non-negative factor');
  }
  const driver: SparkPodSize = {
    cpu: Cpu.cores(positive('driverCores', shape.driverCores ?? 1, true)),
    memory: sparkPodMemory(shape.driverMemory ?? Memory.gibibytes(1), factor),
  };
  const executor: SparkPodSize = {
    cpu: Cpu.cores(positive('executorCores', shape.executorCores ?? 1, true)),
    memory: sparkPodMemory(shape.executorMemory ?? Memory.gibibytes(1), factor),
  };
  const executors = positive('executors', shape.executors ?? 1, true);
  return {
    driver,
    executor,
    executors,
    pods: 1 + executors,
    totalCpu: driver.cpu.plus(executor.cpu.times(executors)),
    totalMemory: driver.memory.plus(executor.memory.times(executors)),
  };
}

// Scratch space: what Spark pods' local-dir volumes charge to a namespace.

/** Storage a job's scratch volumes (constructs/jobs/scratch.ts) take from a namespace's quota. */
export interface SparkScratchStorage {
  /** PersistentVolumeClaims (`persistentvolumeclaims`): ephemeral volumes and on-demand claims. */
  readonly claims: number;
  /** Their storage requests (`requests.storage`). */
  readonly storage: Memory;
  /** The same per StorageClass (`<class>.storageclass.storage.k8s.io/{persistentvolumeclaims,requests.storage}`). */
  readonly byClass: Readonly<Record<string, { readonly claims: number; readonly storage: Memory }>>;
  /** `ephemeral-storage` requests of the containers (disk emptyDirs with a size limit). */
  readonly ephemeralStorage: Memory;
}

/** No scratch storage. */
export const ZERO_SCRATCH: SparkScratchStorage = { claims: 0, storage: Memory.ZERO, byClass: {}, ephemeralStorage: Memory.ZERO };

/** The sum of scratch storage figures. */
export function plusScratch(...parts: readonly SparkScratchStorage[]): SparkScratchStorage {
  let claims = 0;
  let storage = Memory.ZERO;
  let ephemeralStorage = Memory.ZERO;
  const byClass: Record<string, { claims: number; storage: Memory }> = {};
  for (const p of parts) {
    claims += p.claims;
    storage = storage.plus(p.storage);
    ephemeralStorage = ephemeralStorage.plus(p.ephemeralStorage);
    for (const [c, v] of Object.entries(p.byClass)) {
      const had = byClass[c] ?? { claims: 0, storage: Memory.ZERO };
      byClass[c] = { claims: had.claims + v.claims, storage: had.storage.plus(v.storage) };
    }
  }
  return { claims, storage, byClass, ephemeralStorage };
}
