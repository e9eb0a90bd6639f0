import { k8s } from 'cdk8s-plus-28';
import { SparkPlatformError, show } from '../errors';
import { SparkEnvValue } from '../spark-env';
import { SparkImage } from '../spark-image';
import type { ISparkJobNamespace } from '../tenancy';
import { Cpu, Memory } from '../units';

/** The language of the application (`spec.type`). */
export enum SparkJobType {
  JAVA = 'Java',
  SCALA = 'Scala',
  PYTHON = 'Python',
  R = 'R',
}

/** How a SparkJob runs. */
export enum SparkJobMode {
  /** A SparkApplication (or ScheduledSparkApplication) for the Spark operator. */
  OPERATOR = 'operator',
  /** A Job (or CronJob) whose pod runs `spark-submit --deploy-mode cluster`; no operator needed. */
  SUBMIT = 'submit',
  /**
   * A `spark.apache.org/v1` SparkApplication for Apache Spark's own Kubernetes operator
   * (ApacheSparkOperator); no schedules in its 1.0.0.
   */
  APACHE_OPERATOR = 'apache-operator',
}

/** What a scheduled job does when the previous run is still going. */
export enum ConcurrencyPolicy {
  /** Start the new run anyway: two runs at once. */
  ALLOW = 'Allow',
  /** Skip the new run. */
  FORBID = 'Forbid',
  /** Stop the running one and start the new one. */
  REPLACE = 'Replace',
}

/** Retries of `RestartPolicy.onFailure`. */
export interface RetryOptions {
  /** Runs after a failed run. */
  readonly retries: number;
  /** Seconds between a failure and the next run. @default 30 */
  readonly retryIntervalSeconds?: number;
  /** Submissions after a failed submission. @default - `retries` */
  readonly submissionRetries?: number;
  /** Seconds between a failed submission and the next. @default 30 */
  readonly submissionRetryIntervalSeconds?: number;
}

/** What happens after an application ends (`spec.restartPolicy`). */
export class RestartPolicy {
  /** Never rerun (the default). */
  public static never(): RestartPolicy {
    return new RestartPolicy('Never');
  }

  /**
   * Rerun after a failure, up to `retries` times. The operator retries only when the counts are
   * set, so they are required here; operator mode only (see SparkJob's submit-mode notes).
   */
  public static onFailure(options: RetryOptions): RestartPolicy {
    return new RestartPolicy('OnFailure', options);
  }

  /** Rerun after every end, success or failure (streaming jobs); operator mode only. */
  public static always(options: Partial<RetryOptions> = {}): RestartPolicy {
    return new RestartPolicy('Always', options);
  }

  private constructor(
    /** `Never`, `OnFailure` or `Always`. */
    public readonly type: 'Never' | 'OnFailure' | 'Always',
    /** Retry counts and intervals. */
    public readonly retry: Partial<RetryOptions> = {},
  ) {}
}

/** Where a volume is mounted in a Spark container. */
export interface SparkVolumeMount {
  /** Name of a volume in `SparkJobProps.volumes`. */
  readonly volume: string;
  /** Absolute path in the container. */
  readonly path: string;
  /** Mount read-only. @default false */
  readonly readOnly?: boolean;
  /** A sub-path of the volume. @default - the whole volume */
  readonly subPath?: string;
}

/** Settings of a Spark pod (driver or executors) that Spark does not derive from its conf. */
export interface SparkPodOptions {
  /** Environment variables. @default - none */
  readonly env?: Readonly<Record<string, SparkEnvValue>>;
  /** ConfigMaps and Secrets whose keys all become environment variables. @default - none */
  readonly envFrom?: { readonly configMaps?: readonly string[]; readonly secrets?: readonly string[] };
  /** Volume mounts. @default - none */
  readonly volumeMounts?: readonly SparkVolumeMount[];
  /** Node labels the pod must land on. @default - any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Taints the pod tolerates. @default - none */
  readonly tolerations?: readonly k8s.Toleration[];
  /** Node and pod affinity. @default - none */
  readonly affinity?: k8s.Affinity;
  /** Pod labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Pod annotations. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  // --- Pod features (issue 18): applied through the pod templates, the same in every mode. ---
  /** Seconds between SIGTERM and SIGKILL when the pod is stopped (`terminationGracePeriodSeconds`). @default - Kubernetes' 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** How the pods spread over zones or nodes (`topologySpreadConstraints`); `driver`/`executor` replace `pods`. @default - none */
  readonly topologySpreadConstraints?: readonly k8s.TopologySpreadConstraint[];
  /** Extra `/etc/hosts` entries (`hostAliases`). @default - none */
  readonly hostAliases?: readonly k8s.HostAlias[];
  /** DNS resolver settings (`dnsConfig`); `driver`/`executor` replace `pods`. @default - the cluster's */
  readonly dnsConfig?: k8s.PodDnsConfig;
}

/** GPUs for a Spark pod, through Spark's resource scheduling (`spark.{driver,executor}.resource.gpu.*`). */
export interface SparkGpu {
  /** GPUs per pod. */
  readonly amount: number;
  /** Kubernetes device plugin resource vendor. @default "nvidia.com" */
  readonly vendor?: string;
  /** Script in the image that lists the pod's GPUs. @default "/opt/spark/examples/src/main/scripts/getGpusResources.sh" */
  readonly discoveryScript?: string;
}

/** Size and placement of the driver pod. */
export interface SparkDriverOptions extends SparkPodOptions {
  /** Cores (`spark.driver.cores`), a whole number >= 1. @default 1 */
  readonly cores?: number;
  /** CPU request when it must differ from `cores` (`spark.kubernetes.driver.request.cores`). @default - cores */
  readonly coreRequest?: Cpu;
  /** CPU limit (`spark.kubernetes.driver.limit.cores`). @default - none */
  readonly coreLimit?: Cpu;
  /** JVM heap (`spark.driver.memory`). @default 1 GiB */
  readonly memory?: Memory;
  /** Non-heap memory (`spark.driver.memoryOverhead`). @default - Spark's max(10% (40% for Python), 384 MiB) */
  readonly memoryOverhead?: Memory;
  /** GPUs. @default - none */
  readonly gpu?: SparkGpu;
}

/** Size and placement of the executor pods. */
export interface SparkExecutorOptions extends SparkDriverOptions {
  /** Executors (`spark.executor.instances`); with dynamic allocation, its initial count is used instead. @default 2 */
  readonly instances?: number;
  /** Delete executor pods when they end (`spark.kubernetes.executor.deleteOnTermination`). @default true */
  readonly deleteOnTermination?: boolean;
}

/** Dynamic allocation: Spark adds and removes executors with the load. */
export interface SparkDynamicAllocation {
  /** Fewest executors. @default 0 */
  readonly minExecutors?: number;
  /** Executors at start. @default - minExecutors */
  readonly initialExecutors?: number;
  /** Most executors. Required: unbounded growth meets the quota at run time. */
  readonly maxExecutors: number;
  /**
   * Track shuffle files so executors holding them are kept (there is no external shuffle
   * service on Kubernetes; without this, dynamic allocation never scales down safely).
   * @default true
   */
  readonly shuffleTracking?: boolean;
  /** Milliseconds an executor holding shuffle data is kept idle. @default - Spark's (infinity) */
  readonly shuffleTrackingTimeoutMillis?: number;
}

/** Files and packages the application needs (`spec.deps`, `spark.jars` and friends). */
export interface SparkDependencies {
  /** Jars on the classpath (`spark.jars`). URIs: `local://`, `s3a://`, `https://`, ... */
  readonly jars?: readonly string[];
  /** Files in each pod's working directory (`spark.files`). */
  readonly files?: readonly string[];
  /** Python files (`spark.submit.pyFiles`): `.py`, `.zip`, `.egg`. Python jobs only. */
  readonly pyFiles?: readonly string[];
  /** Archives extracted into each pod's working directory (`spark.archives`). */
  readonly archives?: readonly string[];
  /** Maven coordinates `group:artifact:version` (`spark.jars.packages`). */
  readonly packages?: readonly string[];
  /** `group:artifact` to leave out of the packages' dependencies (`spark.jars.excludes`). */
  readonly excludePackages?: readonly string[];
  /** Extra Maven repositories (`spark.jars.repositories`). */
  readonly repositories?: readonly string[];
}

/** When a job runs on its own. */
export interface SparkSchedule {
  /** Cron expression: 5 fields or @hourly/@daily/...; operator mode also takes `@every <duration>`. */
  readonly cron: string;
  /** IANA time zone of `cron`. @default "Etc/UTC" (never the controller's local zone) */
  readonly timeZone?: string;
  /**
   * What to do when the previous run is still going. Always set explicitly: the operator has no
   * default. @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: ConcurrencyPolicy;
  /** Finished successful runs kept. @default 1 */
  readonly successfulRunHistoryLimit?: number;
  /** Finished failed runs kept. @default 1 */
  readonly failedRunHistoryLimit?: number;
  /** Create no new runs. @default false */
  readonly suspend?: boolean;
}

/** Metrics for Prometheus, from Spark's own servlet (no JMX exporter jar or webhook needed). */
export interface SparkMonitoring {
  /**
   * Expose `/metrics/prometheus/` (driver and executor metrics) on the driver's UI port and
   * annotate the driver pod for scraping (`prometheus.io/scrape`).
   * @default true
   */
  readonly prometheus?: boolean;
}

/** The pod that runs `spark-submit` in submit mode. */
export interface SparkSubmitterOptions {
  /** CPU request. @default 250m */
  readonly cpu?: Cpu;
  /** Memory request and limit (one spark-submit JVM). @default 768 MiB */
  readonly memory?: Memory;
  /** Seconds after which the whole submission (and so the application) is stopped. @default - no deadline */
  readonly activeDeadlineSeconds?: number;
  /**
   * Fail the Job when the driver ends with a non-zero exit code. spark-submit itself exits 0
   * even then (SPARK-26365); the submitter reads the driver's final exit code from its log.
   * @default true
   */
  readonly failOnDriverError?: boolean;
}

/** A batch scheduler for a job's pods (see SparkJobProps.batchScheduler). */
export interface SparkJobBatchScheduler {
  /** `volcano`, `yunikorn`, or the name of a kube-scheduler profile. */
  readonly name: string;
  /** The scheduler's queue (Volcano queue, YuniKorn queue such as `root.spark`). @default - the scheduler's default queue */
  readonly queue?: string;
  /** PriorityClass of the pod group (operator mode). @default - none */
  readonly priorityClassName?: string;
  /**
   * The pod group's minimum resources, for gang scheduling (operator mode): nothing starts until
   * they fit. @default - what the driver and the initial executors request (the operator's default)
   */
  readonly minResources?: { readonly cpu?: Cpu; readonly memory?: Memory };
}

/** What a SparkJob needs from the operator that runs it: SparkOperator and ApacheSparkOperator are. */
export interface ISparkJobOperator {
  /** Time to live of finished applications that set none. */
  readonly defaultTimeToLiveSeconds: number;
  /**
   * The mode this operator runs jobs in: OPERATOR (the Kubeflow operator's sparkoperator.k8s.io
   * kinds) or APACHE_OPERATOR (spark.apache.org). @default SparkJobMode.OPERATOR
   */
  readonly jobMode?: SparkJobMode;
  /** The shard watching `namespace`, or undefined when none does. */
  shardOf(namespace: string): unknown;
  /**
   * The batch schedulers its applications may name, or undefined when it runs none (then a job
   * asking for one is refused in operator mode). @default - none
   */
  readonly batchSchedulers?: readonly string[];
}

/** Properties of a SparkJob. */
export interface SparkJobProps {
  /** The tenant namespace: its driver and executor accounts, quota and LimitRange apply. */
  readonly namespace: ISparkJobNamespace;
  /**
   * The operator that runs the job (a SparkOperator, or an ApacheSparkOperator); the job must be
   * in a namespace it watches, and gets its default time to live. @default - none
   */
  readonly operator?: ISparkJobOperator;
  /** Application name: the SparkApplication/Job name and the prefix of its pods and Services (DNS-1035). */
  readonly name: string;
  /**
   * How it runs: switching one job between the modes is this one prop (with an operator of the
   * kind for the operator modes). @default - the operator's mode (OPERATOR for a SparkOperator,
   * APACHE_OPERATOR for an ApacheSparkOperator) when `operator` is given, else SUBMIT
   */
  readonly mode?: SparkJobMode;
  /** Language of the application. */
  readonly type: SparkJobType;
  /** Main class (Java and Scala). */
  readonly mainClass?: string;
  /** The jar, `.py` or `.R` file to run: `local://` for a file in the image, or a remote URI. */
  readonly mainApplicationFile: string;
  /** Application arguments. @default - none */
  readonly arguments?: readonly string[];
  /** Image of driver and executors (and the submitter). @default SparkImage.official() */
  readonly image?: SparkImage;
  /**
   * A different executor image. Only explicitly: Spark, Scala and (Python jobs) Python versions
   * must match the driver's. @default - `image`
   */
  readonly executorImage?: SparkImage;
  /** Image pull policy. @default "IfNotPresent" */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Secrets (in the job's namespace) to pull images with. @default - none */
  readonly imagePullSecrets?: readonly string[];
  /** The driver. */
  readonly driver?: SparkDriverOptions;
  /** The executors. */
  readonly executor?: SparkExecutorOptions;
  /** Settings for driver and executors alike; `driver`/`executor` add to them. */
  readonly pods?: SparkPodOptions;
  /** Volumes the pods can mount (`hostPath` is refused: the restricted Pod Security Standard forbids it). */
  readonly volumes?: readonly k8s.Volume[];
  /** Dynamic allocation. @default - a fixed number of executors */
  readonly dynamicAllocation?: SparkDynamicAllocation;
  /**
   * A batch scheduler for the driver and executors (gang scheduling, queues). Operator mode: the
   * operator must have batch scheduling on (SparkOperator's batchScheduler); it then creates the
   * pod group. Submit and Apache-operator modes: Spark's own scheduler settings, for YuniKorn (its
   * queue) and kube-scheduler profiles. @default - the cluster's default scheduler
   */
  readonly batchScheduler?: SparkJobBatchScheduler;
  /** Spark conf. Keys the construct sets itself (master, image, namespace, ...) or from typed props are refused. */
  readonly sparkConf?: Readonly<Record<string, string>>;
  /**
   * `spark.*` keys of `sparkConf` to accept although the image's Spark line does not define them:
   * a plugin's keys (Delta, Iceberg, a listener). Exact keys, or prefixes written `spark.plugin.*`.
   * Every other `spark.*` key must be one of the line's keys or under one of Spark's documented
   * open prefixes (constructs/validation/spark-conf-keys.ts), so a misspelled key fails at synth.
   * @default - none
   */
  readonly allowedSparkConfKeys?: readonly string[];
  /** Hadoop conf, without the `spark.hadoop.` prefix. */
  readonly hadoopConf?: Readonly<Record<string, string>>;
  /** Dependencies. */
  readonly deps?: SparkDependencies;
  /** What happens after the application ends. @default RestartPolicy.never() */
  readonly restartPolicy?: RestartPolicy;
  /**
   * Seconds after the application ends before it is deleted with its pods. @default - the
   * operator's `defaultTimeToLiveSeconds`, else 86400
   */
  readonly timeToLiveSeconds?: number;
  /** Run on a schedule (ScheduledSparkApplication / CronJob). @default - run once */
  readonly schedule?: SparkSchedule;
  /** Labels of the SparkApplication/Job and of every pod. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations of the SparkApplication/Job. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Prometheus metrics. @default - on */
  readonly monitoring?: SparkMonitoring;
  /**
   * Read-only root filesystem for Spark containers; `/tmp` is an emptyDir and Spark's local dirs
   * are volumes. Turn off only for images that write elsewhere.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /** The submitter pod (submit mode). */
  readonly submitter?: SparkSubmitterOptions;
  // --- Kueue (issue 18) ---
  /**
   * A Kueue LocalQueue in the job's namespace (KueueQueues): the job is labelled
   * `kueue.x-k8s.io/queue-name` and created suspended, and Kueue starts it once the tenant's
   * ClusterQueue has room. Operator mode needs Kueue's SparkApplication framework (Kubeflow
   * operator >= 2.4) and no schedule; submit mode queues the Job (Kueue then accounts the
   * submitter pod only); Apache-operator mode is refused (Kueue has no integration for it).
   * @default - not queued
   */
  readonly queue?: string;
  // --- Pod features (issue 18) ---
  /** PriorityClass of the driver and executor pods (`priorityClassName` in both pod templates). @default - the cluster's default priority */
  readonly priorityClassName?: string;
  /**
   * Run the application as this user (Hadoop impersonation: `--proxy-user`; operator modes
   * `spec.proxyUser`). Only for clusters whose HDFS/Hive accept the driver's identity as a proxy.
   * @default - the pod's own user
   */
  readonly proxyUser?: string;
  /**
   * Keep finished applications until deleted by hand: no time to live in any mode (the
   * SparkApplication's `timeToLiveSeconds`, the Job's `ttlSecondsAfterFinished`, the Apache
   * SparkApplication's `ttlAfterStopMillis` are left unset). The value is the reason, which the
   * doctor's no-ttl rule accepts instead of warning. Not together with `timeToLiveSeconds`.
   * @default - a time to live applies (see timeToLiveSeconds)
   */
  readonly disableTimeToLive?: string;
}

/** Throws unless `value` is a whole number >= `min`. */
export function wholeNumber(value: number, min: number, field: string, where: string): number {
  if (!Number.isInteger(value) || value < min) {
    throw new SparkPlatformError(field, `${show(value)} is not a whole number >= ${min}`, `set ${field} to ${min} or more`, where);
  }
  return value;
}
