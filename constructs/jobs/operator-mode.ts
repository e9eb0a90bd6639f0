import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ScheduledSparkApplication, ScheduledSparkApplicationSpecConcurrencyPolicy, ScheduledSparkApplicationSpecTemplate } from '../../imports/scheduledsparkapplications-sparkoperator.k8s.io';
import {
  SparkApplication, SparkApplicationSpec, SparkApplicationSpecBatchSchedulerOptionsResources, SparkApplicationSpecDriver, SparkApplicationSpecExecutor, SparkApplicationSpecMode,
  SparkApplicationSpecRestartPolicyType, SparkApplicationSpecType,
} from '../../imports/sparkapplications-sparkoperator.k8s.io';
import { JOB_LABEL, platformLabels } from '../labels';
import { KUEUE_QUEUE_LABEL } from '../tenancy/kueue';
import { operatorMonitoring, renderJmxExporterConfigMap } from './monitoring';
import { PodTemplate } from './pod-templates';
import { ResolvedPod, ResolvedSparkJob } from './resolved-job';
import { sortedConf } from './spark-conf';
import { sparkUIOptions } from './ui';

/** What the operator-mode renderer reads: the resolved job, its pod templates and the conf it passes as `sparkConf`. */
export interface OperatorModeInput {
  readonly job: ResolvedSparkJob;
  readonly templates: { readonly driver: PodTemplate; readonly executor: PodTemplate };
  /** Conf with no SparkApplication field: typed extras and the user's conf. */
  readonly sparkConf: Readonly<Record<string, string>>;
}

/**
 * The SparkApplication spec of a job. Everything the operator turns into Spark conf itself
 * (image, cores, memory, accounts, labels, deps, dynamic allocation) goes in its typed field;
 * everything pod-level goes in `driver.template`/`executor.template`, which Spark applies
 * itself, so nothing depends on the operator's mutating webhook (off by default).
 */
export function sparkApplicationSpec(input: OperatorModeInput): SparkApplicationSpec {
  const { job } = input;
  // Monitoring: spec.monitoring, and extraJavaOptions moved to javaOptions (monitoring.ts).
  const monitoring = operatorMonitoring(job, input.sparkConf);
  const d = job.deps;
  const deps = {
    jars: list(d.jars), files: list(d.files), pyFiles: list(d.pyFiles), archives: list(d.archives),
    packages: list(d.packages), excludePackages: list(d.excludePackages), repositories: list(d.repositories),
  };
  const r = job.restartPolicy;
  return {
    type: job.type as unknown as SparkApplicationSpecType,
    mode: SparkApplicationSpecMode.CLUSTER,
    sparkVersion: job.driver.image.sparkVersion,
    image: job.driver.image.image,
    imagePullPolicy: job.imagePullPolicy,
    imagePullSecrets: list(job.imagePullSecrets),
    mainClass: job.mainClass,
    mainApplicationFile: job.mainApplicationFile,
    arguments: list(job.arguments),
    proxyUser: job.proxyUser,
    sparkConf: sortedConf(monitoring.sparkConf),
    hadoopConf: Object.keys(job.hadoopConf).length > 0 ? sortedConf(job.hadoopConf) : undefined,
    deps: Object.values(deps).some((v) => v !== undefined) ? deps : undefined,
    restartPolicy: {
      type: r.type as SparkApplicationSpecRestartPolicyType,
      onFailureRetries: r.retry.retries,
      onFailureRetryInterval: r.type === 'Never' ? undefined : r.retry.retryIntervalSeconds ?? 30,
      onSubmissionFailureRetries: r.type === 'Never' ? undefined : r.retry.submissionRetries ?? r.retry.retries,
      onSubmissionFailureRetryInterval: r.type === 'Never' ? undefined : r.retry.submissionRetryIntervalSeconds ?? 30,
    },
    timeToLiveSeconds: job.timeToLiveSeconds,
    // The UI Service the operator creates (pod features part 2, ui.ts).
    sparkUiOptions: sparkUIOptions(job.ui) as SparkApplicationSpec['sparkUiOptions'],
    monitoring: monitoring.monitoring as SparkApplicationSpec['monitoring'],
    // Kueue: created suspended; Kueue resumes it once its ClusterQueue admits it.
    suspend: job.queue !== undefined ? true : undefined,
    ...batchSchedulerFields(job),
    dynamicAllocation: job.dynamicAllocation
      ? {
        enabled: true,
        initialExecutors: job.dynamicAllocation.initialExecutors,
        minExecutors: job.dynamicAllocation.minExecutors,
        maxExecutors: job.dynamicAllocation.maxExecutors,
        shuffleTrackingEnabled: job.dynamicAllocation.shuffleTracking,
        shuffleTrackingTimeout: job.dynamicAllocation.shuffleTrackingTimeoutMillis,
      }
      : undefined,
    driver: { ...podSpec(job.driver, input.templates.driver), javaOptions: monitoring.javaOptions.driver } as SparkApplicationSpecDriver,
    executor: {
      ...podSpec(job.executor, input.templates.executor),
      javaOptions: monitoring.javaOptions.executor,
      image: job.executor.image.image !== job.driver.image.image ? job.executor.image.image : undefined,
      instances: job.dynamicAllocation ? undefined : job.executor.instances,
      deleteOnTermination: job.executor.deleteOnTermination,
    } as SparkApplicationSpecExecutor,
  };
}

/** `spec.batchScheduler` and its options: the operator creates the pod group (queue, priority, minimum resources). */
function batchSchedulerFields(job: ResolvedSparkJob): Partial<SparkApplicationSpec> {
  const b = job.batchScheduler;
  if (!b) return {};
  const resources: Record<string, SparkApplicationSpecBatchSchedulerOptionsResources> = {};
  if (b.minResources?.cpu) resources.cpu = SparkApplicationSpecBatchSchedulerOptionsResources.fromString(b.minResources.cpu.toKubernetes());
  if (b.minResources?.memory) resources.memory = SparkApplicationSpecBatchSchedulerOptionsResources.fromString(b.minResources.memory.toKubernetes());
  for (const [name, amount] of Object.entries(b.minResources?.extended ?? {})) {
    resources[name] = SparkApplicationSpecBatchSchedulerOptionsResources.fromString(String(amount));
  }
  const options = {
    queue: b.queue,
    priorityClassName: b.priorityClassName,
    resources: Object.keys(resources).length > 0 ? resources : undefined,
  };
  return {
    batchScheduler: b.name,
    batchSchedulerOptions: Object.values(options).some((v) => v !== undefined) ? options : undefined,
  };
}

function podSpec(pod: ResolvedPod, template: PodTemplate): Record<string, unknown> {
  return {
    cores: pod.cores,
    coreRequest: pod.coreRequest?.toKubernetes(),
    coreLimit: pod.coreLimit?.toKubernetes(),
    memory: pod.memory.toSpark(),
    memoryOverhead: pod.memoryOverhead?.toSpark(),
    // Applied by the operator's webhook only (SparkJob refuses it without one): Spark writes limit = request.
    memoryLimit: pod.memoryLimit?.toKubernetes(),
    serviceAccount: pod.serviceAccount,
    labels: Object.keys(pod.labels).length > 0 ? { ...pod.labels } : undefined,
    annotations: Object.keys(pod.annotations).length > 0 ? { ...pod.annotations } : undefined,
    template,
  };
}

function list<T>(items: readonly T[]): T[] | undefined {
  return items.length > 0 ? [...items] : undefined;
}

/**
 * Emits the SparkApplication, or the ScheduledSparkApplication when the job has a schedule,
 * with id `Resource`. `input` is read at synth, so conf added after construction is included.
 */
export function renderOperatorMode(scope: Construct, job: ResolvedSparkJob, input: () => OperatorModeInput): SparkApplication | ScheduledSparkApplication {
  const metadata = {
    name: job.name,
    namespace: job.namespace.name,
    labels: platformLabels({ ...job.labels, [JOB_LABEL]: job.name, ...(job.queue !== undefined ? { [KUEUE_QUEUE_LABEL]: job.queue } : {}) }),
    annotations: Object.keys(job.annotations).length > 0 ? { ...job.annotations } : undefined,
  };
  const spec = Lazy.any({ produce: () => sparkApplicationSpec(input()) }) as unknown as SparkApplicationSpec;
  renderJmxExporterConfigMap(scope, job);
  const s = job.schedule;
  if (!s) return new SparkApplication(scope, 'Resource', { metadata, spec });
  return new ScheduledSparkApplication(scope, 'Resource', {
    metadata,
    spec: {
      schedule: s.cron,
      timeZone: s.timeZone,
      concurrencyPolicy: s.concurrencyPolicy as unknown as ScheduledSparkApplicationSpecConcurrencyPolicy,
      successfulRunHistoryLimit: s.successfulRunHistoryLimit,
      failedRunHistoryLimit: s.failedRunHistoryLimit,
      suspend: s.suspend || undefined,
      // The same SparkApplicationSpec schema, generated a second time under another name.
      template: spec as unknown as ScheduledSparkApplicationSpecTemplate,
    },
  });
}
