import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { SparkProcess, sparkWriteSites, writableVolumes } from '../writable-paths';
import { ResolvedPod, ResolvedSparkJob } from './resolved-job';
import { SPARK_CONTAINER } from './spark-conf';

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
  if (pod.terminationGracePeriodSeconds !== undefined) spec.terminationGracePeriodSeconds = pod.terminationGracePeriodSeconds;
  if (pod.topologySpreadConstraints.length > 0) spec.topologySpreadConstraints = [...pod.topologySpreadConstraints];
  if (pod.hostAliases.length > 0) spec.hostAliases = [...pod.hostAliases];
  if (pod.dnsConfig) spec.dnsConfig = pod.dnsConfig;
  return { spec };
}

function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
