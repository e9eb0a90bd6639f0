/**
 * Where a Spark process writes, derived from the image it runs in and its Spark conf: the one
 * place every renderer (operator and submit mode, client-mode drivers and executors, the History
 * Server, the Connect server) asks which paths need a writable volume under a read-only root
 * filesystem, and what the doctor checks rendered pods against.
 *
 * Facts (Spark 3.5 to 4.1, apache/spark images):
 * - `java.io.tmpdir` (`/tmp`): JVM perf data, Spark's temporary files, s3a's disk buffers
 *   (`fs.s3a.buffer.dir` under it), and `spark.local.dir` when the conf does not set it.
 * - the working directory: in a cluster-mode driver, spark-submit (run by the image's entrypoint)
 *   downloads `spark.jars`, `spark.files`, `--packages` and archives into it (SPARK-33782);
 *   executors fetch every added jar and file into theirs (`SparkFiles` root "." on executors);
 *   a driver's `spark.sql.warehouse.dir` defaults to `<cwd>/spark-warehouse`, created with the
 *   `default` database at the first catalog access.
 * - the Ivy home: `spark.jars.ivy`, else under Java's `user.home`, which comes from the passwd
 *   entry (`/nonexistent` in the official images), never from `$HOME`.
 * - `spark.local.dir` of a process whose pods Spark does not create (client-mode drivers, the
 *   submitter). In driver and executor pods Spark decides the local dirs itself
 *   (LocalDirsFeatureStep): the mount paths of the container's volumes named `spark-local-dir-*`
 *   when there are any (a SparkJob's `scratch`, at SCRATCH_MOUNT_PATH), else emptyDirs it adds
 *   (no size limit) at `spark.local.dir` or `/var/data/spark-<uuid>`; either way a volume, so
 *   never a write site here.
 * Not listed: Python bytecode caches (Python skips them silently where it cannot write), logs
 * (stdout) and `/dev/shm` (a tmpfs in every container).
 */

/** The Spark process a container runs: it decides which paths it writes. */
export enum SparkProcess {
  /** A cluster-mode driver pod: spark-submit in client mode inside the pod, then the driver. */
  CLUSTER_DRIVER = 'cluster-driver',
  /** An executor pod. */
  EXECUTOR = 'executor',
  /** spark-submit in cluster mode from a pod (submit mode's Job, the operator's controller): it resolves `--packages`. */
  SUBMITTER = 'submitter',
  /** A driver in its own pod, in client mode (a notebook kernel, a Spark Connect server). */
  CLIENT_DRIVER = 'client-driver',
  /** The Spark History Server. */
  HISTORY_SERVER = 'history-server',
}

/** What a write site is derived from: the image's layout facts. */
export interface SparkImageLayout {
  /** The image's working directory. */
  readonly workingDirectory: string;
  /** The passwd home of the user it runs as (Java's `user.home`). */
  readonly homeDirectory: string;
  /** The Spark release inside, when known: it names Ivy's default directory. */
  readonly sparkVersion?: string;
}

/** A path a process writes to, and why. */
export interface WriteSite {
  /** Absolute path (a directory). */
  readonly path: string;
  /** What writes there, for messages. */
  readonly reason: string;
  /** Short name of the site: the emptyDir made for it is `spark-platform-<kind>`. */
  readonly kind: 'tmp' | 'workdir' | 'ivy' | 'local' | 'warehouse' | 'history-store';
}

/** `java.io.tmpdir` of every JVM the platform runs. */
export const JAVA_TMPDIR = '/tmp';

/**
 * The Ivy home the platform sets (`spark.jars.ivy`) wherever Spark may resolve `--packages`: under
 * `/tmp`, which every Spark container of the platform mounts writable.
 */
export const PLATFORM_IVY_HOME = `${JAVA_TMPDIR}/.ivy2`;

/** Volume names of the platform's writable emptyDirs (reserved in SparkJob volumes). */
export const WRITABLE_VOLUME_PREFIX = 'spark-platform-';

/**
 * The prefix that makes Spark use a mounted volume as a local dir (LocalDirsFeatureStep: every
 * mount of the Spark container whose volume name starts with it), instead of adding its own.
 */
export const SPARK_LOCAL_DIR_VOLUME_PREFIX = 'spark-local-dir-';

/** Where a SparkJob's scratch volume (`{driver,executor}.scratch`, named `spark-local-dir-1`) is mounted. */
export const SCRATCH_MOUNT_PATH = '/var/data/spark-scratch';

/** Spark's default Ivy directory under `user.home`: `.ivy2` up to 3.5, `.ivy2.5.2` from 4.0 (Ivy 2.5.2). */
export function defaultIvyHome(layout: SparkImageLayout): string {
  const major = Number(/^(\d+)\./.exec(layout.sparkVersion ?? '')?.[1] ?? NaN);
  return `${trimSlash(layout.homeDirectory)}/${major >= 4 ? '.ivy2.5.2' : '.ivy2'}`;
}

/** The Ivy home a process uses: `spark.jars.ivy`, else Spark's default under `user.home`. */
export function ivyHome(layout: SparkImageLayout, conf: Readonly<Record<string, string>>): string {
  return conf['spark.jars.ivy'] ?? defaultIvyHome(layout);
}

/**
 * Every directory `process` writes to when it runs in an image with `layout` and Spark conf
 * `conf`. `workingDirectory` overrides the image's (a container's `workingDir`, a kernel's root).
 */
export function sparkWriteSites(
  process: SparkProcess,
  layout: SparkImageLayout,
  conf: Readonly<Record<string, string>>,
  workingDirectory: string = layout.workingDirectory,
): WriteSite[] {
  const sites: WriteSite[] = [{ kind: 'tmp', path: JAVA_TMPDIR, reason: 'java.io.tmpdir (JVM perf data, Spark temporary files, s3a upload buffers)' }];
  const cwd = trimSlash(workingDirectory);
  switch (process) {
    case SparkProcess.CLUSTER_DRIVER:
      sites.push({ kind: 'workdir', path: cwd, reason: 'the working directory: the driver\'s spark-submit downloads spark.jars, spark.files and --packages jars into it, and spark.sql.warehouse.dir defaults below it' });
      break;
    case SparkProcess.EXECUTOR:
      sites.push({ kind: 'workdir', path: cwd, reason: 'the working directory: executors fetch every added jar and file into it' });
      break;
    case SparkProcess.CLIENT_DRIVER:
      sites.push({ kind: 'workdir', path: cwd, reason: 'the working directory: spark.sql.warehouse.dir defaults to <cwd>/spark-warehouse, created at the first catalog access' });
      break;
    case SparkProcess.SUBMITTER:
    case SparkProcess.HISTORY_SERVER:
      // spark-submit in cluster mode resolves --packages (Ivy) and uploads nothing from here.
      break;
  }
  if (process !== SparkProcess.EXECUTOR && process !== SparkProcess.HISTORY_SERVER) {
    sites.push({ kind: 'ivy', path: trimSlash(ivyHome(layout, conf)), reason: `the Ivy home (${conf['spark.jars.ivy'] ? 'spark.jars.ivy' : 'spark.jars.ivy is not set, so Spark uses user.home from the passwd entry'}), where --packages are resolved` });
  }
  if (process === SparkProcess.CLIENT_DRIVER || process === SparkProcess.SUBMITTER) {
    for (const dir of (conf['spark.local.dir'] ?? '').split(',').map((d) => d.trim()).filter((d) => d.length > 0)) {
      sites.push({ kind: 'local', path: trimSlash(dir), reason: 'spark.local.dir (shuffle and spill files)' });
    }
  }
  const warehouse = conf['spark.sql.warehouse.dir'];
  if (warehouse && (process === SparkProcess.CLUSTER_DRIVER || process === SparkProcess.CLIENT_DRIVER)) {
    const local = /^(?:file:(?:\/\/)?)?(\/[^:]*)$/.exec(warehouse)?.[1];
    if (local) sites.push({ kind: 'warehouse', path: trimSlash(local), reason: 'spark.sql.warehouse.dir' });
  }
  const history = conf['spark.history.store.path'];
  if (history && process === SparkProcess.HISTORY_SERVER) sites.push({ kind: 'history-store', path: trimSlash(history), reason: 'spark.history.store.path (the History Server\'s local store)' });
  return dedupe(sites);
}

/** A volume mount, as far as writability goes. */
export interface MountLike {
  readonly mountPath: string;
  readonly readOnly?: boolean;
  readonly subPath?: string;
}

/** Whether `path` is at or below a writable mount (a subPath mount of a file covers nothing below it). */
export function isCovered(path: string, mounts: readonly MountLike[]): boolean {
  const p = trimSlash(path);
  return mounts.some((m) => {
    if (m.readOnly) return false;
    const at = trimSlash(m.mountPath);
    return p === at || p.startsWith(at === '/' ? '/' : `${at}/`);
  });
}

/** The sites no writable mount covers. */
export function uncoveredSites(sites: readonly WriteSite[], mounts: readonly MountLike[]): WriteSite[] {
  return sites.filter((s) => !isCovered(s.path, mounts));
}

/** emptyDir volumes and their mounts. */
export interface WritableVolumes {
  readonly volumes: Array<{ name: string; emptyDir: Record<string, never> }>;
  readonly mounts: Array<{ name: string; mountPath: string }>;
}

/**
 * The emptyDirs that make every site writable that `existing` mounts do not already cover: one
 * per outermost path (a site below another is covered by it), named `spark-platform-<kind>`,
 * `/tmp` first and then in path order, so the output is stable.
 */
export function writableVolumes(sites: readonly WriteSite[], existing: readonly MountLike[] = []): WritableVolumes {
  const open = uncoveredSites(sites, existing);
  const roots = open.filter((s) => !open.some((o) => o.path !== s.path && isCovered(s.path, [{ mountPath: o.path }])));
  roots.sort((a, b) => (a.path === JAVA_TMPDIR ? -1 : b.path === JAVA_TMPDIR ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const used = new Set<string>();
  const volumes: WritableVolumes['volumes'] = [];
  const mounts: WritableVolumes['mounts'] = [];
  for (const site of roots) {
    const base = `${WRITABLE_VOLUME_PREFIX}${site.kind}`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    volumes.push({ name, emptyDir: {} });
    mounts.push({ name, mountPath: site.path });
  }
  return { volumes, mounts };
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function dedupe(sites: WriteSite[]): WriteSite[] {
  const seen = new Set<string>();
  return sites.filter((s) => (seen.has(s.path) ? false : (seen.add(s.path), true)));
}
