import { posix } from 'path';
import { SPARK_CONTAINER } from '../../jobs/spark-conf';
import { MountLike, SparkProcess, isCovered, sparkWriteSites } from '../../writable-paths';
import { Json, isRecord } from '../evaluators/k8s-json';
import { ImageFacts } from '../image-refs';
import { containersOf } from '../pods';
import { SparkAppView } from '../spark-apps';
import { DoctorRule, Reporter, Severity } from '../types';
import { DoctorView } from '../view';
import { appImageFacts, appTarget, q } from './common';

/** The passwd home of system users that has no directory (the official images' `spark`). */
const NO_HOME = '/nonexistent';

/**
 * `unwritable-path`: a Spark container with a read-only root filesystem whose process must write
 * where no writable volume is mounted fails at start: the cluster-mode driver cannot download
 * its jars into the working directory, executors cannot fetch added files, Ivy cannot create its
 * cache, the warehouse directory cannot be created. The paths come from the image's layout (its
 * working directory and passwd home, declared by a SparkImage or known for official tags) and
 * the Spark conf (writable-paths.ts). An Ivy home under `/nonexistent` fails even on a writable
 * root: the directory does not exist and a non-root user cannot create it.
 */
export const unwritablePath: DoctorRule = {
  id: 'unwritable-path',
  severity: Severity.ERROR,
  summary: 'Read-only file system / cannot create directory at start: a Spark path on a read-only root with no volume',
  check(view, report) {
    for (const app of view.apps) {
      const facts = appImageFacts(view, app);
      if (app.mode === 'client') {
        checkClientDriver(view, app, facts.driver, report);
        const template = clientExecutorTemplate(view, app);
        if (template) checkPod(app, 'executor', SparkProcess.EXECUTOR, template.spec, template.field, facts.executor, report);
        continue;
      }
      if (app.driver?.template) checkPod(app, 'driver', SparkProcess.CLUSTER_DRIVER, app.driver.template, app.driver.templateField ?? 'driver template', facts.driver, report);
      if (app.executor.template) checkPod(app, 'executor', SparkProcess.EXECUTOR, app.executor.template, app.executor.templateField ?? 'executor template', facts.executor, report);
      if (app.submitter) {
        for (const c of containersOf(app.submitter.pod.spec)) {
          if (!Array.isArray(c.container.args) || !c.container.args.includes('--deploy-mode')) continue;
          const image = typeof c.container.image === 'string' ? c.container.image : undefined;
          const submitterFacts = image === facts.driver?.image ? facts.driver : view.imageFacts(image);
          checkContainer(app, 'spark-submit', SparkProcess.SUBMITTER, c.container, app.submitter.pod.spec, `${app.submitter.pod.field}.spec.${c.field}`, submitterFacts, report);
        }
      }
    }
  },
};

/** The Spark container of a driver or executor template (the one Spark merges into), if any. */
function checkPod(app: SparkAppView, role: 'driver' | 'executor', process: SparkProcess, spec: Json, field: string, facts: ImageFacts | undefined, report: Reporter): void {
  const containers = containersOf(spec).filter((c) => !c.init);
  const spark = containers.find((c) => c.container.name === SPARK_CONTAINER[role]) ?? containers[0];
  if (!spark) return;
  checkContainer(app, role, process, spark.container, spec, `${field}.spec.${spark.field}`, facts, report);
}

function checkContainer(app: SparkAppView, who: string, process: SparkProcess, container: Json, podSpec: Json, field: string, facts: ImageFacts | undefined, report: Reporter): void {
  if (!facts?.workingDirectory || !facts.homeDirectory) return;
  const layout = { workingDirectory: facts.workingDirectory, homeDirectory: facts.homeDirectory, sparkVersion: facts.sparkVersion };
  const cwd = typeof container.workingDir === 'string' ? container.workingDir : facts.workingDirectory;
  const sites = sparkWriteSites(process, layout, app.conf, cwd);
  const readOnlyRoot = isRecord(container.securityContext) && container.securityContext.readOnlyRootFilesystem === true;
  const mounts = mountsOf(container, podSpec);
  for (const site of sites) {
    if (isCovered(site.path, mounts)) continue;
    const homeless = site.kind === 'ivy' && (site.path === NO_HOME || site.path.startsWith(`${NO_HOME}/`));
    if (!readOnlyRoot && !homeless) continue;
    const why = readOnlyRoot ? 'the root filesystem is read-only and no writable volume is mounted there' : `${NO_HOME} does not exist and a non-root user cannot create it`;
    const fix = site.kind === 'ivy'
      ? `set spark.jars.ivy to a writable path (SparkJob and the client-mode constructs use /tmp/.ivy2)${readOnlyRoot ? ' on a mounted volume' : ''}`
      : `mount an emptyDir at ${site.path} (SparkJob and the notebook constructs derive these mounts from the image), or declare the image's real layout with SparkImage.custom({ workingDirectory, homeDirectory })`;
    report(appTarget(app), `${app.label}: the ${who} container (${field}) writes to ${q(site.path)}, ${site.reason}, but ${why}: it fails at start. Fix: ${fix}`);
  }
}

/** Writable volume mounts of a container (a read-only mount, or a mount of a read-only volume kind, is not). */
function mountsOf(container: Json, podSpec: Json): MountLike[] {
  const volumes = new Map<string, Json>();
  for (const v of Array.isArray(podSpec.volumes) ? podSpec.volumes : []) if (isRecord(v) && typeof v.name === 'string') volumes.set(v.name, v);
  const out: MountLike[] = [];
  for (const m of Array.isArray(container.volumeMounts) ? container.volumeMounts : []) {
    if (!isRecord(m) || typeof m.mountPath !== 'string') continue;
    const volume = typeof m.name === 'string' ? volumes.get(m.name) : undefined;
    const readOnlyKind = volume !== undefined && ['configMap', 'secret', 'downwardAPI', 'projected'].some((k) => k in volume);
    out.push({ mountPath: m.mountPath, readOnly: m.readOnly === true || readOnlyKind, subPath: typeof m.subPath === 'string' ? m.subPath : undefined });
  }
  return out;
}

/** The client-mode driver's pod: the workload in its namespace whose pod labels match the driver's. */
function clientDriverPod(view: DoctorView, app: SparkAppView): { spec: Json; field: string; object: string } | undefined {
  const labels = app.clientDriver?.podLabels ?? {};
  if (Object.keys(labels).length === 0) return undefined;
  const w = view.workloadsIn(app.clientDriver!.namespace).find((x) => Object.entries(labels).every(([k, v]) => x.pod.labels[k] === v));
  return w ? { spec: w.pod.spec, field: `${w.object.id} ${w.pod.field}`, object: w.object.id } : undefined;
}

function checkClientDriver(view: DoctorView, app: SparkAppView, facts: ImageFacts | undefined, report: Reporter): void {
  const pod = clientDriverPod(view, app);
  if (!pod || !facts) return;
  for (const c of containersOf(pod.spec)) {
    if (c.init || c.container.image !== facts.image) continue;
    checkContainer(app, 'driver', SparkProcess.CLIENT_DRIVER, c.container, pod.spec, `${pod.field}.spec.${c.field}`, facts, report);
  }
}

/** The executor pod template a client-mode driver's conf names, read from the ConfigMap its pod mounts. */
function clientExecutorTemplate(view: DoctorView, app: SparkAppView): { spec: Json; field: string } | undefined {
  const file = app.conf['spark.kubernetes.executor.podTemplateFile'];
  const pod = clientDriverPod(view, app);
  if (!file || !pod) return undefined;
  const dir = posix.dirname(file);
  for (const c of containersOf(pod.spec)) {
    for (const m of Array.isArray(c.container.volumeMounts) ? c.container.volumeMounts : []) {
      if (!isRecord(m) || m.mountPath !== dir || typeof m.name !== 'string') continue;
      const volume = (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).find((v) => isRecord(v) && v.name === m.name);
      const cm = isRecord(volume) && isRecord(volume.configMap) && typeof volume.configMap.name === 'string' ? volume.configMap.name : undefined;
      const text = cm ? view.configMapData(app.clientDriver!.namespace, cm)?.[posix.basename(file)] : undefined;
      const doc = text ? view.yamlDocuments(text)?.[0] : undefined;
      if (isRecord(doc) && isRecord(doc.spec)) return { spec: doc.spec, field: `ConfigMap ${cm} ${posix.basename(file)}` };
    }
  }
  return undefined;
}
