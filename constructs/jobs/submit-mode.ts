import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { JOB_LABEL, SPARK_SUBMIT_POD_LABELS, platformLabels } from '../labels';
import { KUEUE_QUEUE_LABEL } from '../tenancy/kueue';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { PLATFORM_IVY_HOME, SparkProcess, sparkWriteSites, writableVolumes } from '../writable-paths';
import { renderJmxExporterConfigMap, withJmxExporterConf } from './monitoring';
import { PodTemplate } from './pod-templates';
import { ResolvedSparkJob } from './resolved-job';
import { sortedConf } from './spark-conf';
import { DRIVER_TEMPLATE_PATH, OWNER_PLACEHOLDERS, SUBMIT_DIR, SUBMIT_SCRIPT } from './submit-script';

/** The in-cluster API server, as spark-submit's `--master` needs it (the port is mandatory). */
export const IN_CLUSTER_MASTER = 'k8s://https://kubernetes.default.svc:443';

/** Name of the NetworkPolicy that lets spark-submit pods reach the API server. */
export const SPARK_SUBMIT_EGRESS_POLICY = 'allow-spark-submit-kube-api';

/** Label Kubernetes (>= 1.27) puts on a Job's pods, holding the Job's name. */
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

/**
 * Verbs spark-submit needs in the job's namespace: it creates the driver pod and watches it,
 * deletes it when the submission fails, and (Spark 4) server-side-applies the driver's Service
 * and ConfigMaps.
 * @see ../shared/reference/spark-operator.md section 5
 */
export const SUBMITTER_RULES: ReadonlyArray<{ resources: string[]; verbs: string[] }> = [
  { resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
  { resources: ['services', 'configmaps'], verbs: ['create', 'patch', 'get', 'delete'] },
];

/** What the submit-mode renderer reads (at synth). */
export interface SubmitModeInput {
  readonly job: ResolvedSparkJob;
  readonly templates: { readonly driver: PodTemplate; readonly executor: PodTemplate };
  /** Every conf key: typed (fields and extras), the user's, and Hadoop conf with its prefix. */
  readonly conf: Readonly<Record<string, string>>;
}

/** Names of the objects a submit-mode job emits. */
export function submitNames(job: ResolvedSparkJob): { account: string; configMap: string } {
  return { account: `${job.name}-submitter`, configMap: `${job.name}-spark-submit` };
}

/**
 * The kubelet expands `$(VAR)` in a container's command and args (a defined variable becomes its
 * value) and turns `$$` into `$`. Doubling each `$` that starts either makes the process receive
 * `text` exactly as written, as operator mode passes it (the operator runs spark-submit itself).
 */
export function escapeKubeletExpansion(text: string): string {
  return text.replace(/\$(?=[$(])/g, '$$$$');
}

/** The conf key whose value the kubelet must expand: the driver pod's name from `$(JOB_NAME)`. */
const EXPANDED_CONF_KEY = 'spark.kubernetes.driver.pod.name';

/**
 * The spark-submit arguments of a job (after the script's own name). Every value the user wrote
 * is escaped against the kubelet's `$(VAR)` expansion; only the driver pod name expands.
 */
export function sparkSubmitArgs(input: SubmitModeInput): string[] {
  const { job } = input;
  const conf: Record<string, string> = {
    // Monitoring: the JMX exporter's agent and metrics conf, merged (monitoring.ts).
    ...withJmxExporterConf(job, input.conf),
    'spark.kubernetes.namespace': job.namespace.name,
    // Deterministic per Job (a CronJob's runs each get their own): a rerun of the same Job finds
    // the name taken instead of starting a second driver. `$(JOB_NAME)` is expanded by the kubelet.
    [EXPANDED_CONF_KEY]: '$(JOB_NAME)-driver',
    'spark.kubernetes.submission.waitAppCompletion': 'true',
    'spark.kubernetes.driver.podTemplateFile': DRIVER_TEMPLATE_PATH,
    'spark.kubernetes.executor.podTemplateFile': `${SUBMIT_DIR}/executor-template.yaml`,
  };
  const e = escapeKubeletExpansion;
  return [
    '--master', IN_CLUSTER_MASTER,
    '--deploy-mode', 'cluster',
    '--name', job.name,
    ...(job.mainClass ? ['--class', e(job.mainClass)] : []),
    ...(job.proxyUser ? ['--proxy-user', e(job.proxyUser)] : []),
    ...Object.entries(sortedConf(conf)).flatMap(([k, v]) => ['--conf', k === EXPANDED_CONF_KEY ? `${k}=${v}` : e(`${k}=${v}`)]),
    e(job.mainApplicationFile),
    ...job.arguments.map(e),
  ];
}

/**
 * YAML of pod template files by their JSON: jobs of one shape share templates (a platform of
 * thousands of jobs has a handful of distinct ones), and YAML is the costly serialization.
 * Bounded: cleared when full.
 */
const TEMPLATE_YAML = new Map<string, string>();
const TEMPLATE_YAML_LIMIT = 2_000;

function templateYaml(doc: Record<string, unknown>): string {
  const key = JSON.stringify(doc);
  let yaml = TEMPLATE_YAML.get(key);
  if (yaml === undefined) {
    if (TEMPLATE_YAML.size >= TEMPLATE_YAML_LIMIT) TEMPLATE_YAML.clear();
    yaml = stringify(doc);
    TEMPLATE_YAML.set(key, yaml);
  }
  return yaml;
}

/** The pod template files: the driver's gets an owner (the submitter pod) filled in by the script. */
export function templateFiles(input: SubmitModeInput): Record<string, string> {
  const file = (t: PodTemplate, extraMetadata: Record<string, unknown> = {}) => {
    const metadata = { ...(t.metadata ?? {}), ...extraMetadata };
    return templateYaml({ apiVersion: 'v1', kind: 'Pod', ...(Object.keys(metadata).length > 0 ? { metadata } : {}), spec: t.spec });
  };
  return {
    'driver-template.yaml': file(input.templates.driver, {
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: OWNER_PLACEHOLDERS.name, uid: OWNER_PLACEHOLDERS.uid }],
    }),
    'executor-template.yaml': file(input.templates.executor),
    'submit.sh': SUBMIT_SCRIPT,
  };
}

/**
 * Emits a submit-mode job: a ConfigMap (script + pod templates), a submitter ServiceAccount with
 * a Role holding SUBMITTER_RULES, and a Job (or CronJob) running spark-submit in cluster mode:
 * `backoffLimit: 0` (a retry would race the first driver), the driver owned by the submitter
 * pod (so TTL and deletion clean up everything), restricted security contexts and no Service
 * links. Returns the Job or CronJob, with id `Resource`.
 */
export function renderSubmitMode(scope: Construct, job: ResolvedSparkJob, input: () => SubmitModeInput): ApiObject {
  const ns = job.namespace.name;
  const names = submitNames(job);
  const labels = platformLabels({ ...job.labels, [JOB_LABEL]: job.name });
  const meta = (name: string) => ({ name, namespace: ns, labels });

  new k8s.KubeConfigMap(scope, 'SubmitFiles', { metadata: meta(names.configMap), data: Lazy.any({ produce: () => templateFiles(input()) }) as unknown as Record<string, string> });
  new k8s.KubeServiceAccount(scope, 'SubmitterAccount', { metadata: meta(names.account), automountServiceAccountToken: true });
  new k8s.KubeRole(scope, 'SubmitterRole', {
    metadata: meta(names.account),
    rules: SUBMITTER_RULES.map((r) => ({ apiGroups: [''], resources: [...r.resources], verbs: [...r.verbs] })),
  });
  new k8s.KubeRoleBinding(scope, 'SubmitterRoleBinding', {
    metadata: meta(names.account),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.account },
    subjects: [{ kind: 'ServiceAccount', name: names.account, namespace: ns }],
  });
  job.namespace.allowApiServerEgress?.(SPARK_SUBMIT_EGRESS_POLICY, { ...SPARK_SUBMIT_POD_LABELS });
  renderJmxExporterConfigMap(scope, job);

  const image = job.driver.image;
  // spark-submit's own writes (working directory, Ivy, /tmp) under the read-only root.
  const writable = writableVolumes(sparkWriteSites(SparkProcess.SUBMITTER, image, { ...job.sparkConf, 'spark.jars.ivy': PLATFORM_IVY_HOME }), [{ mountPath: SUBMIT_DIR, readOnly: true }]);
  const fieldEnv = (name: string, fieldPath: string): k8s.EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  const podTemplate: k8s.PodTemplateSpec = {
    metadata: { labels: { ...labels, ...SPARK_SUBMIT_POD_LABELS } },
    spec: {
      serviceAccountName: names.account,
      automountServiceAccountToken: true,
      enableServiceLinks: false,
      restartPolicy: 'Never',
      securityContext: restrictedPodSecurityContext(image.uid, image.gid),
      imagePullSecrets: job.imagePullSecrets.length > 0 ? job.imagePullSecrets.map((name) => ({ name })) : undefined,
      containers: [{
        name: 'spark-submit',
        image: image.image,
        imagePullPolicy: job.imagePullPolicy,
        command: ['/bin/bash', `${SUBMIT_DIR}/submit.sh`],
        args: Lazy.any({ produce: () => sparkSubmitArgs(input()) }) as unknown as string[],
        env: [
          fieldEnv('POD_NAME', 'metadata.name'),
          fieldEnv('POD_UID', 'metadata.uid'),
          fieldEnv('JOB_NAME', `metadata.labels['${JOB_NAME_LABEL}']`),
          { name: 'FAIL_ON_DRIVER_ERROR', value: String(job.submitter.failOnDriverError) },
          { name: 'SPARK_HOME', value: image.sparkHome },
        ],
        resources: {
          requests: { cpu: k8s.Quantity.fromString(job.submitter.cpu.toKubernetes()), memory: k8s.Quantity.fromString(job.submitter.memory.toKubernetes()) },
          limits: { memory: k8s.Quantity.fromString(job.submitter.memory.toKubernetes()) },
        },
        securityContext: { ...restrictedContainerSecurityContext(), readOnlyRootFilesystem: true },
        volumeMounts: [
          { name: 'submit-files', mountPath: SUBMIT_DIR, readOnly: true },
          ...writable.mounts,
        ],
      }],
      volumes: [
        { name: 'submit-files', configMap: { name: names.configMap } },
        ...writable.volumes,
      ],
    },
  };
  const jobSpec: k8s.JobSpec = {
    // One attempt: a second spark-submit would start a second driver or collide with the first.
    backoffLimit: 0,
    activeDeadlineSeconds: job.submitter.activeDeadlineSeconds,
    ttlSecondsAfterFinished: job.timeToLiveSeconds,
    // Kueue: created suspended; Kueue unsuspends the Job once its ClusterQueue admits it.
    suspend: job.queue !== undefined ? true : undefined,
    template: podTemplate,
  };
  // The queue label goes on the Job (a CronJob's job template), never on its pods.
  const queueLabels: Record<string, string> = job.queue !== undefined ? { [KUEUE_QUEUE_LABEL]: job.queue } : {};
  const metadata = { ...meta(job.name), labels: { ...labels, ...(job.schedule ? {} : queueLabels) }, annotations: Object.keys(job.annotations).length > 0 ? { ...job.annotations } : undefined };
  const s = job.schedule;
  if (!s) return new k8s.KubeJob(scope, 'Resource', { metadata, spec: jobSpec });
  return new k8s.KubeCronJob(scope, 'Resource', {
    metadata,
    spec: {
      schedule: s.cron,
      timeZone: s.timeZone,
      concurrencyPolicy: s.concurrencyPolicy,
      successfulJobsHistoryLimit: s.successfulRunHistoryLimit,
      failedJobsHistoryLimit: s.failedRunHistoryLimit,
      suspend: s.suspend || undefined,
      jobTemplate: { metadata: { labels: { ...labels, ...queueLabels } }, spec: jobSpec },
    },
  });
}
