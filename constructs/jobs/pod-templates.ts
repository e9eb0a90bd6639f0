import { SparkPlatformError, show } from '../errors';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { SparkProcess, sparkWriteSites, writableVolumes } from '../writable-paths';
import { addJmxExporterToTemplate } from './monitoring';
import { ResolvedPod, ResolvedSparkJob } from './resolved-job';
import { scratchTemplate } from './scratch';
import { SPARK_CONTAINER } from './spark-conf';
import { patchTemplate } from './template-patch';

/** A pod template as plain Kubernetes JSON (`metadata` + `spec` of a PodTemplateSpec). */
export interface PodTemplate {
  readonly metadata?: Record<string, unknown>;
  readonly spec: Record<string, unknown>;
}

/**
 * The pod template of the driver or the executors: what Spark does not derive from its conf.
 * Both modes use it unchanged (operator mode: `spec.{driver,executor}.template`; submit mode: a
 * `podTemplateFile`), and Spark applies it itself, so nothing depends on the operator's webhook.
 *
 * It carries the restricted Pod Security contexts, an emptyDir at every path the Spark process
 * writes to (`/tmp`, the image's working directory: see writable-paths.ts) under a read-only
 * root filesystem, env, volumes and mounts, node placement (also priority, topology spread, grace
 * period, host aliases and DNS settings), `enableServiceLinks: false` (thousands
 * of Service env vars otherwise end in `argument list too long`) and the token policy: drivers
 * call the API server, executors never do.
 */
export function podTemplate(job: ResolvedSparkJob, pod: ResolvedPod, conf: Readonly<Record<string, string>>): PodTemplate {
  const mountedVolumes = new Set(pod.volumeMounts.map((m) => m.volume));
  const userMounts = pod.volumeMounts.map((m) => clean({ name: m.volume, mountPath: m.path, readOnly: m.readOnly, subPath: m.subPath }));
  const process = pod.role === 'driver' ? SparkProcess.CLUSTER_DRIVER : SparkProcess.EXECUTOR;
  const writable = writableVolumes(sparkWriteSites(process, pod.image, conf), pod.volumeMounts.map((m) => ({ mountPath: m.path, readOnly: m.readOnly, subPath: m.subPath })));
  const container: Record<string, unknown> = {
    name: SPARK_CONTAINER[pod.role],
    securityContext: { ...restrictedContainerSecurityContext(), readOnlyRootFilesystem: job.readOnlyRootFilesystem },
    volumeMounts: [...writable.mounts, ...userMounts],
  };
  if (pod.env.length > 0) container.env = pod.env.map(([name, value]) => value.toEnvVar(name));
  const envFrom = [
    ...pod.envFrom.configMaps.map((name) => ({ configMapRef: { name } })),
    ...pod.envFrom.secrets.map((name) => ({ secretRef: { name } })),
  ];
  if (envFrom.length > 0) container.envFrom = envFrom;

  const spec: Record<string, unknown> = {
    securityContext: restrictedPodSecurityContext(pod.image.uid, pod.image.gid),
    automountServiceAccountToken: pod.role === 'driver',
    enableServiceLinks: false,
    containers: [container],
    volumes: [
      ...writable.volumes,
      ...job.volumes.filter((v) => mountedVolumes.has(v.name as string)),
    ],
  };
  if (Object.keys(pod.nodeSelector).length > 0) spec.nodeSelector = { ...pod.nodeSelector };
  if (pod.tolerations.length > 0) spec.tolerations = [...pod.tolerations];
  if (pod.affinity) spec.affinity = pod.affinity;
  if (job.priorityClassName) spec.priorityClassName = job.priorityClassName;
  // The batch scheduler schedules the pods only if they name it: the Kubeflow operator's
  // controller does not (only its webhook does, for Volcano), so the template says it in every mode.
  if (job.batchScheduler) spec.schedulerName = job.batchScheduler.name;
  if (pod.terminationGracePeriodSeconds !== undefined) spec.terminationGracePeriodSeconds = pod.terminationGracePeriodSeconds;
  if (pod.topologySpreadConstraints.length > 0) spec.topologySpreadConstraints = [...pod.topologySpreadConstraints];
  if (pod.hostAliases.length > 0) spec.hostAliases = [...pod.hostAliases];
  if (pod.dnsConfig) spec.dnsConfig = pod.dnsConfig;
  // Scratch space: the spark-local-dir-1 volume Spark takes as its local dir (scratch.ts).
  const scratch = scratchTemplate(pod.scratch);
  if (scratch.volumes.length > 0) {
    spec.volumes = [...(spec.volumes as unknown[]), ...scratch.volumes];
    container.volumeMounts = [...(container.volumeMounts as unknown[]), ...scratch.mounts];
  }
  if (Object.keys(scratch.requests).length > 0) {
    const resources = (container.resources ?? {}) as Record<string, Record<string, string> | undefined>;
    container.resources = { ...resources, requests: { ...(resources.requests ?? {}), ...scratch.requests } };
  }
  // Monitoring: the JMX exporter's config volume and port (monitoring.ts).
  addJmxExporterToTemplate(job, pod, spec, container);
  addContainers(job, pod, spec, container);
  // The sanctioned escape hatch, last: RFC 6902 operations on the rendered template, re-checked (template-patch.ts).
  if (pod.templatePatch.length > 0) {
    const fail = (field: string, problem: string, fix: string): never => {
      throw new SparkPlatformError(field, problem, fix, `SparkJob ${show(job.name)}`);
    };
    return patchTemplate({ spec }, pod.templatePatch, pod.role, `${pod.role}.templatePatch`, fail) as unknown as PodTemplate;
  }
  return { spec };
}

/**
 * Pod features: lifecycle hooks and extra ports of the Spark container, the
 * user's init containers (native sidecars last among them) and ordinary sidecars after the Spark
 * container, which stays first (Spark also finds it by name: podTemplateContainerName). Volumes
 * only user containers mount are added to the pod.
 */
function addContainers(job: ResolvedSparkJob, pod: ResolvedPod, spec: Record<string, unknown>, container: Record<string, unknown>): void {
  if (pod.lifecycle) container.lifecycle = pod.lifecycle;
  if (pod.ports.length > 0) container.ports = [...((container.ports as unknown[] | undefined) ?? []), ...pod.ports];
  if (pod.initContainers.length > 0) spec.initContainers = [...pod.initContainers];
  if (pod.sidecars.length > 0) spec.containers = [...(spec.containers as unknown[]), ...pod.sidecars];
  const present = new Set(((spec.volumes as Array<Record<string, unknown>>) ?? []).map((v) => v.name));
  const wanted = [...pod.initContainers, ...pod.sidecars].flatMap((c) => ((c.volumeMounts as Array<Record<string, unknown>> | undefined) ?? []).map((m) => m.name));
  const extra = job.volumes.filter((v) => wanted.includes(v.name) && !present.has(v.name));
  if (extra.length > 0) spec.volumes = [...(spec.volumes as unknown[]), ...extra];
}

function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
