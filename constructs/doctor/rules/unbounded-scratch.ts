import { SparkScratchStorage, ZERO_SCRATCH, plusScratch } from '../../spark-sizing';
import { Memory } from '../../units';
import { SPARK_LOCAL_DIR_VOLUME_PREFIX } from '../../writable-paths';
import { Json, isRecord } from '../evaluators/k8s-json';
import { quantity } from '../pods';
import { SparkAppView, SparkPodView, bool, confKeysWithPrefix } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { DoctorView, QuotaView } from '../view';
import { appTarget } from './common';

/**
 * Spark's local dirs (shuffle files, spills) of a driver or executor pod, read from what the
 * application hands Spark, the way Spark's LocalDirsFeatureStep decides them: the Spark
 * container's mounts of volumes named `spark-local-dir-*`, from the pod template or from
 * `spark.kubernetes.<role>.volumes.<type>.spark-local-dir-*.*` conf; when there are none, an
 * emptyDir Spark adds itself, without a size limit (in memory with `spark.kubernetes.local.dirs.tmpfs`).
 */
export interface PodScratchView {
  /** False when a local dir can fill the node's disk: an emptyDir on disk without a size limit. */
  readonly bounded: boolean;
  /** What backs the local dirs, for messages. */
  readonly text: string;
  /** What one such pod charges to the namespace: claims Kubernetes or Spark create, ephemeral-storage requests. */
  readonly storage: SparkScratchStorage;
}

/** Memory-backed volumes are bounded by the container's memory limit, not the node's disk. */
function emptyDirView(emptyDir: Json, where: string): { bounded: boolean; text: string } {
  const size = quantity(emptyDir.sizeLimit, (v) => Memory.parse(v));
  if (emptyDir.medium === 'Memory') return { bounded: true, text: `a memory emptyDir${size ? ` of ${size}` : ''} (${where})` };
  return size ? { bounded: true, text: `an emptyDir of ${size} (${where})` } : { bounded: false, text: `an emptyDir without sizeLimit (${where})` };
}

function claim(storageClass: unknown, size: Memory | undefined): SparkScratchStorage {
  const storage = size ?? Memory.ZERO;
  const byClass = typeof storageClass === 'string' && storageClass !== '' ? { [storageClass]: { claims: 1, storage } } : {};
  return { claims: 1, storage, byClass, ephemeralStorage: Memory.ZERO };
}

/** The local dirs of `pod` (see PodScratchView). */
export function podScratch(app: SparkAppView, pod: SparkPodView): PodScratchView {
  const role = pod.role;
  const spec = pod.template ?? {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isRecord) : [];
  const containerName = app.conf[`spark.kubernetes.${role}.podTemplateContainerName`];
  const container = containers.find((c) => c.name === containerName) ?? containers[0] ?? {};
  const resources = isRecord(container.resources) ? container.resources : {};
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const requested = quantity(requests['ephemeral-storage'], (v) => Memory.parse(v));
  let storage: SparkScratchStorage = requested ? { ...ZERO_SCRATCH, ephemeralStorage: requested } : ZERO_SCRATCH;
  const dirs: Array<{ bounded: boolean; text: string }> = [];

  // The pod template's own spark-local-dir-* mounts.
  const volumes = Array.isArray(spec.volumes) ? spec.volumes.filter(isRecord) : [];
  const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts.filter(isRecord) : [];
  const where = pod.templateField ?? `the ${role} template`;
  for (const m of mounts) {
    if (typeof m.name !== 'string' || !m.name.startsWith(SPARK_LOCAL_DIR_VOLUME_PREFIX)) continue;
    const v = volumes.find((x) => x.name === m.name) ?? {};
    if (isRecord(v.emptyDir)) {
      dirs.push(emptyDirView(v.emptyDir, `${where}, volume ${m.name}`));
    } else if (isRecord(v.ephemeral)) {
      const t = isRecord(v.ephemeral.volumeClaimTemplate) && isRecord(v.ephemeral.volumeClaimTemplate.spec) ? v.ephemeral.volumeClaimTemplate.spec : {};
      const req = isRecord(t.resources) && isRecord(t.resources.requests) ? t.resources.requests : {};
      const size = quantity(req.storage, (x) => Memory.parse(x));
      storage = plusScratch(storage, claim(t.storageClassName, size));
      dirs.push({ bounded: true, text: `an ephemeral claim${size ? ` of ${size}` : ''} (${where}, volume ${m.name})` });
    } else {
      dirs.push({ bounded: true, text: `volume ${m.name} (${where})` });
    }
  }

  // spark.kubernetes.<role>.volumes.<type>.spark-local-dir-*.* (MountVolumesFeatureStep).
  const prefix = `spark.kubernetes.${role}.volumes.`;
  const byVolume = new Map<string, Record<string, string>>();
  for (const key of confKeysWithPrefix(app.conf, prefix)) {
    const value = app.conf[key];
    const [type, name, ...rest] = key.slice(prefix.length).split('.');
    if (!name?.startsWith(SPARK_LOCAL_DIR_VOLUME_PREFIX) || rest.length === 0) continue;
    const id = `${type}.${name}`;
    byVolume.set(id, { ...(byVolume.get(id) ?? {}), [rest.join('.')]: value });
  }
  for (const [id, options] of byVolume) {
    const [type, name] = id.split('.');
    const field = app.confField(`${prefix}${id}.mount.path`);
    if (type === 'emptyDir') {
      dirs.push(emptyDirView({ medium: options['options.medium'], sizeLimit: options['options.sizeLimit'] }, field));
    } else if (type === 'persistentVolumeClaim') {
      const size = quantity(options['options.sizeLimit'], (x) => Memory.parse(x));
      // Spark creates the claim only with both a storage class and a size.
      if (options['options.storageClass'] && size) storage = plusScratch(storage, claim(options['options.storageClass'], size));
      dirs.push({ bounded: true, text: `${options['options.claimName'] === 'OnDemand' ? 'an on-demand claim' : `claim ${options['options.claimName'] ?? '?'}`}${size ? ` of ${size}` : ''} (${field}, volume ${name})` });
    } else {
      dirs.push({ bounded: true, text: `a ${type} volume (${field})` });
    }
  }

  if (dirs.length === 0) {
    const tmpfs = bool(app.conf['spark.kubernetes.local.dirs.tmpfs']) === true;
    return { bounded: tmpfs, text: tmpfs ? 'Spark\'s own memory emptyDir (spark.kubernetes.local.dirs.tmpfs)' : 'Spark\'s own emptyDir on the node\'s disk, without sizeLimit', storage };
  }
  return { bounded: dirs.every((d) => d.bounded), text: dirs.map((d) => d.text).join(', '), storage };
}

/** The local dirs of one of an application's pods, read once per run (`podScratch`). */
function scratchOf(view: DoctorView | undefined, app: SparkAppView, pod: SparkPodView): PodScratchView {
  return view ? view.derivedFor('podScratch', pod, () => podScratch(app, pod)) : podScratch(app, pod);
}

/**
 * What an application's scratch charges with `executors` executors (the driver once, in cluster
 * mode). With `view`, each pod's local dirs are read once per run.
 */
export function appScratchStorage(app: SparkAppView, executors: number, view?: DoctorView): SparkScratchStorage {
  const e = scratchOf(view, app, app.executor).storage;
  const perExecutor = [...Array(executors)].map(() => e);
  return plusScratch(...(app.driver ? [scratchOf(view, app, app.driver).storage] : []), ...perExecutor);
}

/** A ResourceQuota's hard limits on storage, read from the object. */
interface StorageQuota {
  readonly claims?: number;
  readonly storage?: Memory;
  readonly ephemeralStorage?: Memory;
  readonly byClass: Readonly<Record<string, { readonly claims?: number; readonly storage?: Memory }>>;
}

/** Storage limits by quota: a QuotaView is one object of one run and never changes. */
const storageQuotas = new WeakMap<QuotaView, StorageQuota>();

function storageQuota(q: QuotaView): StorageQuota {
  let known = storageQuotas.get(q);
  if (!known) storageQuotas.set(q, known = readStorageQuota(q));
  return known;
}

function readStorageQuota(q: QuotaView): StorageQuota {
  const spec = isRecord(q.object.json.spec) ? q.object.json.spec : {};
  const hard = isRecord(spec.hard) ? spec.hard : {};
  const byClass: Record<string, { claims?: number; storage?: Memory }> = {};
  for (const [k, v] of Object.entries(hard)) {
    const m = /^(.+)\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)$/.exec(k);
    if (!m) continue;
    const entry = byClass[m[1]] ?? {};
    if (m[2] === 'persistentvolumeclaims') entry.claims = quantity(v, (x) => Number(x));
    else entry.storage = quantity(v, (x) => Memory.parse(x));
    byClass[m[1]] = entry;
  }
  return {
    claims: quantity(hard.persistentvolumeclaims, (x) => Number(x)),
    storage: quantity(hard['requests.storage'], (x) => Memory.parse(x)),
    ephemeralStorage: quantity(hard['requests.ephemeral-storage'] ?? hard['ephemeral-storage'], (x) => Memory.parse(x)),
    byClass,
  };
}

/** Which storage limits of `q` the scratch exceeds, as text (quotaExcess adds them to its own). */
export function scratchExcess(s: SparkScratchStorage, q: QuotaView): string[] {
  const h = storageQuota(q);
  const out: string[] = [];
  if (h.claims !== undefined && s.claims > h.claims) out.push(`persistentvolumeclaims ${h.claims} (scratch claims: needs ${s.claims})`);
  if (h.storage && s.storage.compare(h.storage) > 0) out.push(`requests.storage ${h.storage} (scratch claims: needs ${s.storage})`);
  if (h.ephemeralStorage && s.ephemeralStorage.compare(h.ephemeralStorage) > 0) out.push(`requests.ephemeral-storage ${h.ephemeralStorage} (scratch emptyDirs: needs ${s.ephemeralStorage})`);
  for (const [cls, need] of Object.entries(s.byClass)) {
    const limit = h.byClass[cls];
    if (limit?.claims !== undefined && need.claims > limit.claims) out.push(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims ${limit.claims} (needs ${need.claims})`);
    if (limit?.storage && need.storage.compare(limit.storage) > 0) out.push(`${cls}.storageclass.storage.k8s.io/requests.storage ${limit.storage} (needs ${need.storage})`);
  }
  return out;
}

/**
 * Whether a namespace meters node disk: ephemeral-storage in one of its ResourceQuotas or
 * LimitRanges (the first, as `Kind name`). Read once per run for every namespace.
 */
function metersEphemeralStorage(view: DoctorView, namespace: string): string | undefined {
  return view.derived('metersEphemeralStorage', () => {
    const out = new Map<string, string>();
    for (const o of [...view.ofKind('ResourceQuota'), ...view.ofKind('LimitRange')]) {
      const ns = o.namespace ?? 'default';
      if (out.has(ns)) continue;
      if (JSON.stringify(o.json.spec ?? {}).includes('ephemeral-storage')) out.set(ns, `${o.kind} ${o.name}`);
    }
    return out;
  }).get(namespace);
}

/**
 * `unbounded-scratch`: Spark writes shuffle files and spills to its local dirs; without a bounded
 * volume there (a sized emptyDir, an ephemeral volume or a claim), they go to an emptyDir of no
 * size limit on the node's disk, which a large shuffle fills until the kubelet evicts pods.
 * Scope: namespaces that meter node disk (ephemeral-storage in a ResourceQuota or LimitRange): there
 * the disk a job takes is a budget, and an unbounded local dir neither requests nor respects it.
 * Elsewhere node disk is the cluster's concern and every default job would be reported.
 */
export const unboundedScratch: DoctorRule = {
  id: 'unbounded-scratch',
  severity: Severity.WARNING,
  summary: 'Pods evicted or nodes out of disk: shuffle and spill files on an emptyDir without sizeLimit, in a namespace that meters ephemeral storage',
  check(view, report) {
    for (const app of view.apps) {
      if (app.executorPods === false) continue;
      const meter = metersEphemeralStorage(view, app.namespace);
      if (!meter) continue;
      const pods = [...(app.driver ? [app.driver] : []), app.executor];
      const open = pods.map((p) => ({ role: p.role, scratch: scratchOf(view, app, p) })).filter((p) => !p.scratch.bounded);
      if (open.length === 0) continue;
      const roles = open.map((p) => `the ${p.role === 'driver' ? 'driver\'s' : 'executors\''} (${p.scratch.text})`).join(' and ');
      report(appTarget(app), `Spark's local dirs (shuffle files, spills) are unbounded: ${roles}. Namespace ${app.namespace} meters node disk (${meter}), but these neither request nor respect it: a large shuffle fills the node and the kubelet evicts pods. Fix: give the job bounded scratch (SparkJob: ${open.map((p) => `${p.role}.scratch`).join(' and ')} with a sized emptyDir, an ephemeral volume, or for executors an on-demand claim; otherwise a volume named spark-local-dir-1 with a sizeLimit or a claim, in the pod template or spark.kubernetes.<role>.volumes.*)`);
    }
  },
};
