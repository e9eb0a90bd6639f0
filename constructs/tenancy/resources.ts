/**
 * What a tenant namespace may use: its ResourceQuota and LimitRange settings, as given and with
 * every default applied. Types only, shared by SparkNamespace and the checks of its resources.
 */
import type { Cpu, Memory } from '../units';

/** The ResourceQuota of a tenant namespace. */
export interface SparkNamespaceQuota {
  /** Sum of CPU requests (`requests.cpu`). @default 8 cores */
  readonly cpu?: Cpu;
  /** Sum of memory requests (`requests.memory`). @default 32 GiB */
  readonly memory?: Memory;
  /** Sum of CPU limits (`limits.cpu`); requires `containerDefaults.cpuLimit`. @default - not limited */
  readonly limitsCpu?: Cpu;
  /** Sum of memory limits (`limits.memory`); Spark sets memory limit = request. @default - the value of `memory` */
  readonly limitsMemory?: Memory;
  /** Pods (a job runs a driver and its executors, plus a submitter in submit mode). @default 50 */
  readonly pods?: number;
  /** PersistentVolumeClaims (Spark's on-demand executor volumes count here). @default 10 */
  readonly persistentVolumeClaims?: number;
  /** Sum of storage requests of PVCs (`requests.storage`). @default 100 GiB */
  readonly storage?: Memory;
  /** ConfigMaps (Spark creates one or two per application). @default 100 */
  readonly configMaps?: number;
  /** Services (one per driver). @default 50 */
  readonly services?: number;
  /** Secrets. @default 20 */
  readonly secrets?: number;
}

/** LimitRange defaults and bounds for containers in a tenant namespace. */
export interface ContainerDefaults {
  /** CPU request of a container that sets none. @default 100m */
  readonly cpuRequest?: Cpu;
  /** Memory request of a container that sets none. @default 256 MiB */
  readonly memoryRequest?: Memory;
  /** Memory limit of a container that sets none. @default 512 MiB */
  readonly memoryLimit?: Memory;
  /**
   * CPU limit of a container that sets none. Spark requests CPUs without a limit, so this
   * default applies to every Spark pod and must be at least the largest pod's cores.
   * @default - none (CPU is not limited)
   */
  readonly cpuLimit?: Cpu;
  /** Largest CPU a container may use. @default - no bound */
  readonly maxCpu?: Cpu;
  /** Largest memory a container may use. @default - no bound */
  readonly maxMemory?: Memory;
}

/** A quota with every default applied. */
export type ResolvedQuota = Required<Omit<SparkNamespaceQuota, 'limitsCpu'>> & Pick<SparkNamespaceQuota, 'limitsCpu'>;
/** Container defaults with every default applied. */
export type ResolvedContainerDefaults = Required<Pick<ContainerDefaults, 'cpuRequest' | 'memoryRequest' | 'memoryLimit'>> & Omit<ContainerDefaults, 'cpuRequest' | 'memoryRequest' | 'memoryLimit'>;
