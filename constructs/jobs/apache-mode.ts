import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { JOB_LABEL, platformLabels } from '../labels';
import { renderJmxExporterConfigMap, withJmxExporterConf } from './monitoring';
import { PodTemplate } from './pod-templates';
import { ResolvedSparkJob } from './resolved-job';
import { sortedConf } from './spark-conf';

/** The Apache Spark Kubernetes Operator's API (apache/spark-kubernetes-operator 1.0.0). */
export const APACHE_SPARK_APPLICATION_API_VERSION = 'spark.apache.org/v1';

/**
 * Main classes spark-submit uses for Python and R applications in cluster mode. The Apache
 * operator passes `spec.mainClass` to the driver as written, so it must be set for the driver to
 * run the same command as spark-submit's.
 */
const RUNNER_CLASS = { Python: 'org.apache.spark.deploy.PythonRunner', R: 'org.apache.spark.deploy.RRunner' } as const;

/** What the Apache-operator renderer reads (at synth): submit mode's conf and the same two pod templates. */
export interface ApacheModeInput {
  readonly job: ResolvedSparkJob;
  readonly templates: { readonly driver: PodTemplate; readonly executor: PodTemplate };
  /** Every conf key: typed (fields and extras), the user's, and Hadoop conf with its prefix. */
  readonly conf: Readonly<Record<string, string>>;
}

/**
 * The `spark.apache.org/v1` SparkApplication spec of a job. The operator builds the driver pod
 * in-process with Spark's own Kubernetes submission code, from `sparkConf` and the pod templates,
 * as spark-submit does; so the spec is submit mode's: the same conf and the same two templates.
 *
 * - The main resource goes where the operator looks for it: `jars` (the one main jar) for Java
 *   and Scala, `pyFiles` with `mainClass` = PythonRunner for Python, `sparkRFiles` with RRunner
 *   for R. Extra jars and Python files stay in `spark.jars` / `spark.submit.pyFiles`.
 * - `spark.app.name` is set to the job's name (the operator then keeps it equal to the
 *   SparkApplication's, which is the same), so the pods carry the same `spark-app-name` label.
 * - Retries: `applicationTolerations.restartConfig` from the RestartPolicy. Clean-up: the driver
 *   pod is kept after the run (`resourceRetainPolicy: Always`) and released, with the
 *   SparkApplication, `timeToLiveSeconds` after it stopped, as in the other modes.
 * - `instanceConfig` only shapes the operator's status (RunningHealthy once that many executors
 *   are ready); it is the job's executor count (or its dynamic-allocation bounds).
 * @see docs/jobs.md "The Apache Spark Kubernetes Operator" for the differences in the pods.
 */
export function apacheSparkApplicationSpec(input: ApacheModeInput): Record<string, unknown> {
  const { job } = input;
  const main = job.mainApplicationFile;
  const resource = job.type === 'Python'
    ? { mainClass: RUNNER_CLASS.Python, pyFiles: main }
    : job.type === 'R'
      ? { mainClass: RUNNER_CLASS.R, sparkRFiles: main }
      : { mainClass: job.mainClass, jars: main };
  const r = job.restartPolicy;
  const restartConfig = r.type === 'Never'
    ? { restartPolicy: 'Never' }
    : {
      restartPolicy: r.type,
      // Always without a count: the operator's own default (3) would end a streaming job
      maxRestartAttempts: r.retry.retries ?? (r.type === 'Always' ? 2_147_483_647 : undefined),
      restartBackoffMillis: (r.retry.retryIntervalSeconds ?? 30) * 1000,
    };
  const da = job.dynamicAllocation;
  const instanceConfig = da
    ? { initExecutors: da.initialExecutors, minExecutors: da.minExecutors, maxExecutors: da.maxExecutors }
    : { initExecutors: job.executor.instances, minExecutors: job.executor.instances, maxExecutors: job.executor.instances };
  const image = job.driver.image;
  return {
    ...resource,
    driverArgs: job.arguments.length > 0 ? [...job.arguments] : undefined,
    // The operator hands it to Spark's driver as `--proxy-user` (SparkAppDriverConf).
    proxyUser: job.proxyUser,
    // Monitoring: the JMX exporter's agent and metrics conf, merged (monitoring.ts).
    sparkConf: sortedConf({ ...withJmxExporterConf(job, input.conf), 'spark.app.name': job.name }),
    runtimeVersions: {
      sparkVersion: image.sparkVersion,
      scalaVersion: image.scalaVersion,
      jdkVersion: image.javaVersion,
    },
    deploymentMode: 'ClusterMode',
    applicationTolerations: {
      restartConfig,
      instanceConfig,
      resourceRetainPolicy: 'Always',
      ttlAfterStopMillis: job.timeToLiveSeconds === undefined ? undefined : job.timeToLiveSeconds * 1000,
    },
    driverSpec: { podTemplateSpec: input.templates.driver },
    executorSpec: { podTemplateSpec: input.templates.executor },
  };
}

/**
 * Emits the `spark.apache.org/v1` SparkApplication of a job, with id `Resource`. `input` is read at
 * synth, so conf added after construction is included. (The operator has no scheduled
 * applications: SparkJob refuses a schedule in this mode.)
 */
export function renderApacheMode(scope: Construct, job: ResolvedSparkJob, input: () => ApacheModeInput): ApiObject {
  renderJmxExporterConfigMap(scope, job);
  return new ApiObject(scope, 'Resource', {
    apiVersion: APACHE_SPARK_APPLICATION_API_VERSION,
    kind: 'SparkApplication',
    metadata: {
      name: job.name,
      namespace: job.namespace.name,
      labels: platformLabels({ ...job.labels, [JOB_LABEL]: job.name }),
      annotations: Object.keys(job.annotations).length > 0 ? { ...job.annotations } : undefined,
    },
    spec: Lazy.any({ produce: () => apacheSparkApplicationSpec(input()) }),
  });
}
