import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ApacheSparkOperator } from '../apache-operator/apache-operator';
import { SparkPlatformError, show } from '../errors';
import { APACHE_SPARK_APPLICATION_API_VERSION } from '../jobs/apache-mode';
import { sortedConf } from '../jobs/spark-conf';
import { Cpu, Memory } from '../units';

/** The History Server's main class: the driver of the SparkApplication runs it instead of an application. */
export const HISTORY_SERVER_MAIN_CLASS = 'org.apache.spark.deploy.history.HistoryServer';

/**
 * Labels the Apache operator (1.0.0) and Spark put on the driver pod of a SparkApplication named
 * `name`: `spark.operator/spark-app-name` (a conf override of the operator) and `spark-role`
 * (Spark's driver builder). They hold across restart attempts, unlike the pod's name
 * (`<name>-<attempt>-driver`) and `spark-app-selector` (the attempt's app id).
 */
export function apacheDriverPodLabels(name: string): Record<string, string> {
  return { 'spark.operator/spark-app-name': name, 'spark-role': 'driver' };
}

/** Restart attempts of a server: the largest the operator's int field takes, so it is never given up. */
const SERVER_RESTART_ATTEMPTS = 2_147_483_647;
/** Memory the driver pod gets above the JVM heap, as the Deployment leaves above SPARK_DAEMON_MEMORY. */
const NON_HEAP = Memory.mebibytes(512);

/** What the History Server's SparkApplication is made of (the spec and conf are read at synth). */
export interface HistoryServerApplicationInput {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly operator: ApacheSparkOperator;
  /** The image and its versions. */
  readonly image: { readonly image: string; readonly sparkVersion: string; readonly scalaVersion: string; readonly javaVersion?: string };
  readonly cpu: Cpu;
  readonly memory: Memory;
  /** The server's own conf (what the Deployment variant puts in spark-defaults.conf). */
  readonly conf: () => Readonly<Record<string, string>>;
  /** Local paths of the jars the init container downloads, for the server's classpath. */
  readonly jars: readonly string[];
  /** The driver's pod template (restricted, the server's container first). */
  readonly podTemplate: () => k8s.PodTemplateSpec;
}

/**
 * Refuses an operator that does not watch the server's namespace: nothing would run the
 * SparkApplication, and the Service would select no pod.
 */
export function checkWatched(operator: ApacheSparkOperator, namespace: string, where: string): void {
  if (operator.watches(namespace)) return;
  throw new SparkPlatformError('operator', `ApacheSparkOperator ${show(operator.name)} (namespace ${show(operator.namespace)}) does not watch namespace ${show(namespace)}, so nothing would run the server`,
    `list ${namespace} in the operator's jobNamespaces, or give the server a namespace it watches`, where);
}

/**
 * The Spark conf of the History Server's SparkApplication: the server's own conf (the same as
 * the Deployment's spark-defaults.conf), plus what the driver pod is built from: the image, the
 * heap and the rest of the Deployment's memory as overhead (same pod memory), the CPU request,
 * the operator's drivers' account (the pod mounts no token: the server makes no API calls), and
 * the downloaded jars in `spark.jars` (the driver's spark-submit, in client mode in the pod, puts
 * `local://` jars on the class loader it runs the main class with).
 */
export function historyServerApplicationConf(input: HistoryServerApplicationInput): Record<string, string> {
  const own = input.conf();
  const driver: Record<string, string> = {
    'spark.app.name': input.name,
    'spark.kubernetes.container.image': input.image.image,
    'spark.driver.memory': Memory.mebibytes(input.memory.mebibytes - NON_HEAP.mebibytes).toSpark(),
    'spark.driver.memoryOverhead': NON_HEAP.toSpark(),
    'spark.kubernetes.driver.request.cores': input.cpu.toKubernetes(),
    'spark.kubernetes.authenticate.driver.serviceAccountName': input.operator.workloadServiceAccountName,
    ...(input.jars.length > 0 ? { 'spark.jars': input.jars.map((j) => `local://${j}`).join(',') } : {}),
  };
  for (const k of Object.keys(driver)) {
    if (own[k] !== undefined && own[k] !== driver[k]) {
      throw new SparkPlatformError(`sparkConf[${show(k)}]`, `${show(own[k])} contradicts ${show(driver[k])}, which the server's SparkApplication needs`, 'do not set this key on the server: it is derived from its props', `SparkHistoryServer ${show(input.name)}`);
    }
  }
  return sortedConf({ ...own, ...driver });
}

/**
 * Emits the History Server as a `spark.apache.org/v1` SparkApplication (id `Application`) whose
 * driver is the server: restarted for ever (restartConfig Always), no time to live (it is not
 * meant to finish), the driver's pod template from the caller. Returns the driver pod's labels
 * that stay stable across attempts, for the Service and the NetworkPolicies.
 */
export function renderHistoryServerApplication(scope: Construct, input: HistoryServerApplicationInput): Record<string, string> {
  new ApiObject(scope, 'Application', {
    apiVersion: APACHE_SPARK_APPLICATION_API_VERSION,
    kind: 'SparkApplication',
    metadata: { name: input.name, namespace: input.namespace, labels: input.labels },
    spec: Lazy.any({
      produce: () => ({
        // No jars, pyFiles or sparkRFiles: a JVM main class with no primary resource.
        mainClass: HISTORY_SERVER_MAIN_CLASS,
        sparkConf: historyServerApplicationConf(input),
        runtimeVersions: { sparkVersion: input.image.sparkVersion, scalaVersion: input.image.scalaVersion, jdkVersion: input.image.javaVersion },
        deploymentMode: 'ClusterMode',
        applicationTolerations: {
          restartConfig: { restartPolicy: 'Always', maxRestartAttempts: SERVER_RESTART_ATTEMPTS, restartBackoffMillis: 30_000 },
          // No executors: the operator reports RunningHealthy once the driver is ready.
          instanceConfig: { initExecutors: 0, minExecutors: 0, maxExecutors: 0 },
          resourceRetainPolicy: 'Never',
        },
        driverSpec: { podTemplateSpec: k8s.toJson_PodTemplateSpec(input.podTemplate()) },
      }),
    }),
  });
  return apacheDriverPodLabels(input.name);
}
