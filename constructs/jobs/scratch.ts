/**
 * Scratch space of SparkJob pods: the volume Spark uses as its local dir (shuffle files, spills,
 * blocks cached on disk), bounded, and counted where Kubernetes charges it.
 *
 * Facts this rests on (Spark 3.5 to 4.1, resource-managers/kubernetes):
 * - LocalDirsFeatureStep runs after the pod template is loaded and after MountVolumesFeatureStep.
 *   When the Spark container has mounts whose volume name starts with `spark-local-dir-`, their
 *   mount paths are the local dirs (`SPARK_LOCAL_DIRS`) and Spark adds no volume; otherwise it
 *   adds one emptyDir per dir of `spark.local.dir` (else `/var/data/spark-<uuid>`), without a size
 *   limit, in memory when `spark.kubernetes.local.dirs.tmpfs` is true.
 * - MountVolumesFeatureStep turns `spark.kubernetes.<role>.volumes.<type>.<name>.*` into volumes
 *   and mounts; for a `persistentVolumeClaim` named `OnDemand` in an executor it names the claim
 *   `<prefix>-exec-<id>-pvc-<i>` and, only when `options.storageClass` and `options.sizeLimit`
 *   are both set, creates it (from the driver, with the driver's account).
 * - The driver owns such claims (`spark.kubernetes.driver.ownPersistentVolumeClaim`), reuses the
 *   claims of ended executors (`reusePersistentVolumeClaim`) and, with
 *   `waitToReusePersistentVolumeClaim`, creates no executor while all its claims are in use.
 * - Spark's BasicFeatureSteps add `cpu`/`memory` to the container's resources and keep the
 *   template's other entries, so an `ephemeral-storage` request of the template reaches the pod.
 *
 * So: emptyDir and ephemeral scratch are a `spark-local-dir-1` volume in the pod template (the
 * same in every mode: templates are how all three modes shape pods); the on-demand claim is Spark
 * conf (the same keys in every mode), because only Spark knows the executor ids.
 */
import { SparkPlatformError, show } from '../errors';
import { NameRule, nameProblem } from '../names';
import { SparkScratchStorage, ZERO_SCRATCH, sparkPodMemory } from '../spark-sizing';
import { Memory } from '../units';
import { SCRATCH_MOUNT_PATH, SPARK_LOCAL_DIR_VOLUME_PREFIX } from '../writable-paths';
import { ScratchMedium, SparkJobType, SparkScratch, SparkVolumeMount } from './spark-job-options';

/** The name of the scratch volume: Spark's own first local-dir name. */
export const SCRATCH_VOLUME = `${SPARK_LOCAL_DIR_VOLUME_PREFIX}1`;

/** Smallest scratch accepted: Spark refuses volume sizes below 1 KiB, and less than 1 MiB is a mistake. */
const MIN_SCRATCH = Memory.mebibytes(1);

/** A pod's scratch with every default applied. `field` is the prop, for messages. */
export type ResolvedScratch =
  | { readonly kind: 'emptyDir'; readonly field: string; readonly medium: ScratchMedium; readonly sizeLimit: Memory }
  | { readonly kind: 'ephemeral'; readonly field: string; readonly storageClass?: string; readonly size: Memory }
  | { readonly kind: 'onDemandClaim'; readonly field: string; readonly storageClass: string; readonly size: Memory; readonly reuse: boolean; readonly waitToReuse: boolean };

/** Spark conf keys the scratch props set: user conf may not set them around the props. */
export const SCRATCH_CONF_KEYS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^spark\.kubernetes\.(driver|executor)\.volumes\.[^.]+\.spark-local-dir-/, '{driver,executor}.scratch'],
  [/^spark\.local\.dir$/, '{driver,executor}.scratch (Spark uses the scratch volume\'s mount as its local dir)'],
  [/^spark\.kubernetes\.local\.dirs\.tmpfs$/, '{driver,executor}.scratch.emptyDir.medium'],
  [/^spark\.kubernetes\.driver\.(own|reuse|waitToReuse)PersistentVolumeClaim$/, 'executor.scratch.onDemandClaim.reuse / waitToReuse'],
];

/** What resolveScratch needs of the pod. */
export interface ScratchContext {
  readonly role: 'driver' | 'executor';
  readonly type: SparkJobType;
  readonly heap: Memory;
  readonly memoryOverhead?: Memory;
  /** The user's mounts of the pod: none may sit at or under the scratch mount. */
  readonly mounts: readonly SparkVolumeMount[];
  readonly where: string;
}

/**
 * Checks a pod's `scratch` and applies its defaults; undefined when it has none. Throws naming
 * the field (`executor.scratch.emptyDir.sizeLimit`, ...) and the fix.
 */
export function resolveScratch(scratch: SparkScratch | undefined, ctx: ScratchContext): ResolvedScratch | undefined {
  if (scratch === undefined) return undefined;
  const base = `${ctx.role}.scratch`;
  const fail = (field: string, problem: string, fix: string): never => {
    throw new SparkPlatformError(field, problem, fix, ctx.where);
  };
  const kinds = (['emptyDir', 'ephemeral', 'onDemandClaim'] as const).filter((k) => scratch[k] !== undefined);
  if (kinds.length !== 1) {
    fail(base, kinds.length === 0 ? 'names no kind of volume' : `names ${kinds.length} kinds (${kinds.join(', ')}); Spark takes one scratch volume per pod here`, 'set exactly one of emptyDir, ephemeral or onDemandClaim');
  }
  ctx.mounts.forEach((m, i) => {
    const path = m.path.replace(/\/+$/, '');
    if (path === SCRATCH_MOUNT_PATH || path.startsWith(`${SCRATCH_MOUNT_PATH}/`) || SCRATCH_MOUNT_PATH.startsWith(`${path}/`)) {
      fail(`${ctx.role}.volumeMounts[${i}].path`, `${show(m.path)} overlaps ${SCRATCH_MOUNT_PATH}, where ${base} is mounted`, 'mount your volume elsewhere');
    }
  });
  const size = (value: Memory, field: string): Memory => {
    if (!(value instanceof Memory)) fail(field, `${show(value)} is not a Memory`, 'write a size such as Memory.gibibytes(50)');
    if (value.compare(MIN_SCRATCH) < 0) fail(field, `${value.toKubernetes()} is below 1Mi`, 'give the scratch a real size, e.g. Memory.gibibytes(20)');
    return value;
  };
  const storageClass = (value: string | undefined, field: string, required: boolean): string | undefined => {
    if (value === undefined) {
      if (required) fail(field, 'is not set; Spark creates an OnDemand claim only when it has a storage class and a size, so the executors would wait for a claim that never comes', 'name a StorageClass of the cluster, e.g. "standard"');
      return undefined;
    }
    const problem = value.trim() === '' ? 'is empty' : nameProblem(value, NameRule.DNS1123_SUBDOMAIN);
    if (problem) fail(field, problem, 'name a StorageClass of the cluster (e.g. "standard"), or leave it out for the default class');
    return value;
  };
  if (scratch.emptyDir) {
    const e = scratch.emptyDir;
    const medium = e.medium ?? ScratchMedium.DISK;
    if (!Object.values(ScratchMedium).includes(medium)) fail(`${base}.emptyDir.medium`, `${show(medium)} is not a medium`, 'use ScratchMedium.DISK or ScratchMedium.MEMORY');
    const sizeLimit = size(e.sizeLimit, `${base}.emptyDir.sizeLimit`);
    if (medium === ScratchMedium.MEMORY) {
      // tmpfs pages are charged to the container's memory limit, which Spark sets to heap +
      // overhead: a full scratch plus a full heap must fit the overhead, or the pod is OOM-killed.
      const nonJvm = ctx.type === SparkJobType.PYTHON || ctx.type === SparkJobType.R;
      const total = ctx.memoryOverhead ? ctx.heap.plus(ctx.memoryOverhead) : sparkPodMemory(ctx.heap, nonJvm ? 0.4 : 0.1);
      const overhead = Memory.bytes(total.bytes - ctx.heap.bytes);
      if (sizeLimit.compare(overhead) > 0) {
        fail(`${base}.emptyDir.sizeLimit`, `${sizeLimit.toKubernetes()} in memory is more than the ${ctx.role}'s non-heap memory (overhead ${overhead.toKubernetes()} of a ${total.toKubernetes()} container limit): tmpfs counts against that limit, so a full scratch beside a full heap gets the pod OOM-killed`, `raise ${ctx.role}.memoryOverhead to at least ${sizeLimit.plus(Memory.mebibytes(384)).toKubernetes()} (scratch + room for the JVM), lower the sizeLimit, or use ScratchMedium.DISK`);
      }
    }
    return { kind: 'emptyDir', field: `${base}.emptyDir`, medium, sizeLimit };
  }
  if (scratch.ephemeral) {
    const c = scratch.ephemeral;
    return { kind: 'ephemeral', field: `${base}.ephemeral`, storageClass: storageClass(c.storageClass, `${base}.ephemeral.storageClass`, false), size: size(c.size, `${base}.ephemeral.size`) };
  }
  const c = scratch.onDemandClaim!;
  if (ctx.role === 'driver') {
    fail(`${base}.onDemandClaim`, 'is for executors: the driver\'s OnDemand claim would be created by whoever submits (the submitter, the Kubeflow operator), whose Roles here hold no persistentvolumeclaims, and the driver rarely spills', 'give the driver an ephemeral volume (driver.scratch.ephemeral) or a sized emptyDir, which Kubernetes creates with the pod');
  }
  const reuse = c.reuse ?? true;
  const waitToReuse = c.waitToReuse ?? true;
  if (waitToReuse && !reuse) {
    fail(`${base}.onDemandClaim.waitToReuse`, 'is on while reuse is off: Spark waits only for claims it may reuse', 'turn reuse on, or set waitToReuse: false (then ended executors\' claims are deleted with the driver only, and their count is unbounded)');
  }
  return {
    kind: 'onDemandClaim',
    field: `${base}.onDemandClaim`,
    storageClass: storageClass(c.storageClass, `${base}.onDemandClaim.storageClass`, true)!,
    size: size(c.size, `${base}.onDemandClaim.size`),
    reuse,
    waitToReuse,
  };
}

/** What the pod template gets for a scratch: a volume, its mount, and the container's ephemeral-storage request. */
export interface ScratchTemplateParts {
  readonly volumes: ReadonlyArray<Record<string, unknown>>;
  readonly mounts: ReadonlyArray<Record<string, unknown>>;
  /** `resources.requests` entries of the Spark container (Spark keeps them beside cpu and memory). */
  readonly requests: Readonly<Record<string, string>>;
}

/**
 * The template parts of a pod's scratch: `spark-local-dir-1` at SCRATCH_MOUNT_PATH for an
 * emptyDir (disk ones requested as `ephemeral-storage`, so the scheduler picks a node with the
 * room and the quota charges it) or an ephemeral claim; nothing for an on-demand claim (conf).
 */
export function scratchTemplate(s: ResolvedScratch | undefined): ScratchTemplateParts {
  const none: ScratchTemplateParts = { volumes: [], mounts: [], requests: {} };
  if (!s || s.kind === 'onDemandClaim') return none;
  const mounts = [{ name: SCRATCH_VOLUME, mountPath: SCRATCH_MOUNT_PATH }];
  if (s.kind === 'emptyDir') {
    const memory = s.medium === ScratchMedium.MEMORY;
    const emptyDir = memory ? { medium: 'Memory', sizeLimit: s.sizeLimit.toKubernetes() } : { sizeLimit: s.sizeLimit.toKubernetes() };
    return { volumes: [{ name: SCRATCH_VOLUME, emptyDir }], mounts, requests: memory ? {} : { 'ephemeral-storage': s.sizeLimit.toKubernetes() } };
  }
  const spec: Record<string, unknown> = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: s.size.toKubernetes() } } };
  if (s.storageClass) spec.storageClassName = s.storageClass;
  return { volumes: [{ name: SCRATCH_VOLUME, ephemeral: { volumeClaimTemplate: { spec } } }], mounts, requests: {} };
}

/** The Spark conf of the pods' scratch: the executors' on-demand claim and the driver's handling of it. */
export function scratchConf(executorScratch: ResolvedScratch | undefined): Record<string, string> {
  if (executorScratch?.kind !== 'onDemandClaim') return {};
  const s = executorScratch;
  const prefix = `spark.kubernetes.executor.volumes.persistentVolumeClaim.${SCRATCH_VOLUME}`;
  return {
    [`${prefix}.mount.path`]: SCRATCH_MOUNT_PATH,
    [`${prefix}.mount.readOnly`]: 'false',
    [`${prefix}.options.claimName`]: 'OnDemand',
    [`${prefix}.options.storageClass`]: s.storageClass,
    [`${prefix}.options.sizeLimit`]: s.size.toKubernetes(),
    // Owned by the driver, so the claims go with it in every mode (and reuse needs ownership).
    'spark.kubernetes.driver.ownPersistentVolumeClaim': 'true',
    'spark.kubernetes.driver.reusePersistentVolumeClaim': String(s.reuse),
    'spark.kubernetes.driver.waitToReusePersistentVolumeClaim': String(s.waitToReuse),
  };
}

/**
 * What `count` pods with this scratch charge to a namespace: claims and their storage (an
 * ephemeral volume is a claim per pod; an on-demand claim one per executor, bounded by the
 * executors only with waitToReuse), and disk emptyDirs' `ephemeral-storage` requests.
 */
export function scratchStorage(scratch: ResolvedScratch | undefined, count: number): SparkScratchStorage {
  if (!scratch || count === 0) return ZERO_SCRATCH;
  if (scratch.kind === 'emptyDir') {
    return scratch.medium === ScratchMedium.DISK ? { ...ZERO_SCRATCH, ephemeralStorage: scratch.sizeLimit.times(count) } : ZERO_SCRATCH;
  }
  const storage = scratch.size.times(count);
  const byClass = scratch.storageClass ? { [scratch.storageClass]: { claims: count, storage } } : {};
  return { claims: count, storage, byClass, ephemeralStorage: Memory.ZERO };
}
