import { k8s } from 'cdk8s-plus-28';
import { SparkPlatformError, show } from '../errors';
import type { NetworkEndpoint } from '../network';
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
  // Pod features: applied through the pod templates, the same in every mode.
  /** Seconds between SIGTERM and SIGKILL when the pod is stopped (`terminationGracePeriodSeconds`). @default - Kubernetes' 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** How the pods spread over zones or nodes (`topologySpreadConstraints`); `driver`/`executor` replace `pods`. @default - none */
  readonly topologySpreadConstraints?: readonly k8s.TopologySpreadConstraint[];
  /** Extra `/etc/hosts` entries (`hostAliases`). @default - none */
  readonly hostAliases?: readonly k8s.HostAlias[];
  /** DNS resolver settings (`dnsConfig`); `driver`/`executor` replace `pods`. @default - the cluster's */
  readonly dnsConfig?: k8s.PodDnsConfig;
  // Pod features: containers, hooks, ports. See docs/jobs.md "Pod features".
  /** Lifecycle hooks of the Spark container (`postStart`, `preStop`); `driver`/`executor` replace `pods`. @default - none */
  readonly lifecycle?: k8s.Lifecycle;
  /**
   * Extra ports of the Spark container (e.g. a JMX or profiler agent); `driver`/`executor` add to
   * `pods`. The ports Spark opens itself (driver RPC, block manager, UI) are refused. @default - none
   */
  readonly ports?: readonly SparkContainerPort[];
  /**
   * Containers run to completion before the Spark container starts; `driver`/`executor` add to
   * `pods`. They get the restricted security context. @default - none
   */
  readonly initContainers?: readonly k8s.Container[];
  /**
   * Containers running beside the Spark container; `driver`/`executor` add to `pods`. A sidecar
   * that never exits keeps the driver pod Running after Spark ends, so on the driver only native
   * sidecars (`native: true`) are accepted. @default - none
   */
  readonly sidecars?: readonly SparkSidecar[];
}

/** An extra port of the Spark container. */
export interface SparkContainerPort {
  /** Port name (an IANA service name: at most 15 lower-case letters, digits and "-"). */
  readonly name: string;
  /** Port number. */
  readonly containerPort: number;
  /** Protocol. @default "TCP" */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** A container beside the Spark container. */
export interface SparkSidecar extends k8s.Container {
  /**
   * A Kubernetes native sidecar (an init container with `restartPolicy: Always`, on by default
   * since Kubernetes 1.29): started before the Spark container and stopped after it, so it never
   * keeps a finished pod Running. @default false
   */
  readonly native?: boolean;
}

/** One RFC 6902 operation on the rendered pod template (`{ metadata, spec }` of a PodTemplateSpec). */
export interface SparkTemplatePatchOperation {
  /** `add`, `remove`, `replace` or `test` (no `move`/`copy`: write the value with `add`). */
  readonly op: 'add' | 'remove' | 'replace' | 'test';
  /** A JSON pointer such as `/spec/containers/0/resources`. */
  readonly path: string;
  /** The value to add, replace with or test for (not for `remove`). @default - none */
  readonly value?: unknown;
}

/** The Spark UI's Service and Ingress (`SparkJobProps.ui`). */
export interface SparkUiOptions {
  /**
   * Type of the UI Service the operator creates (operator mode only: `sparkUIOptions.serviceType`).
   * @default "ClusterIP"
   */
  readonly serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** Port of that Service (operator mode only). @default 4040 */
  readonly servicePort?: number;
  /** Name of that Service's port (operator mode only). @default - the operator's */
  readonly servicePortName?: string;
  /**
   * Annotations of the UI Service: operator mode `sparkUIOptions.serviceAnnotations`; submit and
   * Apache-operator modes Spark's driver Service (`spark.kubernetes.driver.service.annotation.*`),
   * which carries the UI port. @default - none
   */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;
  /** Labels of the UI Service, likewise (`spark.kubernetes.driver.service.label.*`). @default - none */
  readonly serviceLabels?: Readonly<Record<string, string>>;
  /** An Ingress to the driver's UI, the same in every mode. @default - none */
  readonly ingress?: SparkUiIngress;
}

/** An Ingress to a job's Spark UI: SparkJob adds a Service `<name>-ui` to the driver, the Ingress and the NetworkPolicy. */
export interface SparkUiIngress {
  /** Host name of the Ingress rule. */
  readonly host: string;
  /** Path prefix. @default "/" */
  readonly path?: string;
  /** IngressClass. @default - the cluster's default class */
  readonly className?: string;
  /** Annotations of the Ingress. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  /** A Secret (in the job's namespace) with the host's TLS certificate. @default - plain HTTP */
  readonly tlsSecretName?: string;
  /**
   * The ingress controller's pods: tenant namespaces deny ingress by default, so SparkJob admits
   * these (a NetworkPolicy `<name>-ui-ingress`) to the driver's UI port only.
   */
  readonly from: NetworkEndpoint;
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

// Scratch space: Spark's local dirs (constructs/jobs/scratch.ts renders them).
/** Where a scratch emptyDir keeps its files. */
export enum ScratchMedium {
  /** The node's disk (ephemeral storage): the container requests it as `ephemeral-storage`. */
  DISK = 'disk',
  /** tmpfs (`medium: Memory`): its pages count against the container's memory limit. */
  MEMORY = 'memory',
}

/** An emptyDir of bounded size as Spark's local dir. */
export interface SparkScratchEmptyDir {
  /** Disk or memory (tmpfs). @default ScratchMedium.DISK */
  readonly medium?: ScratchMedium;
  /** The most the volume may hold (`sizeLimit`); past it the kubelet evicts the pod. */
  readonly sizeLimit: Memory;
}

/** A PersistentVolumeClaim as Spark's local dir: its storage class and size. */
export interface SparkScratchClaim {
  /** StorageClass of the claim. @default - the cluster's default StorageClass */
  readonly storageClass?: string;
  /** Requested storage (`resources.requests.storage`). */
  readonly size: Memory;
}

/** A claim per executor that Spark's driver creates itself (`claimName: OnDemand`). */
export interface SparkScratchOnDemandClaim extends SparkScratchClaim {
  /** StorageClass of the claims: required, Spark creates no claim without one. */
  readonly storageClass: string;
  /**
   * Hand the claim of an executor that ended to the next one
   * (`spark.kubernetes.driver.reusePersistentVolumeClaim`). The driver always owns the claims
   * (`ownPersistentVolumeClaim`), so they are deleted with it. @default true
   */
  readonly reuse?: boolean;
  /**
   * No new executor while every claim made is still in use, so there are never more claims than
   * executors (`spark.kubernetes.driver.waitToReusePersistentVolumeClaim`). Needs `reuse`.
   * @default true
   */
  readonly waitToReuse?: boolean;
}

/**
 * Scratch space of a Spark pod: the volume Spark uses as its local dir (shuffle files, spills,
 * blocks cached on disk). Exactly one kind. Without it, Spark mounts an emptyDir of unbounded
 * size on the node's disk.
 */
export interface SparkScratch {
  /** An emptyDir with a size limit, on disk or in memory. */
  readonly emptyDir?: SparkScratchEmptyDir;
  /** A generic ephemeral volume: a claim Kubernetes creates with the pod and deletes with it. */
  readonly ephemeral?: SparkScratchClaim;
  /** Executors only: a claim per executor, created (and reused) by Spark's driver. */
  readonly onDemandClaim?: SparkScratchOnDemandClaim;
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
  // Scratch space
  /** Spark's local dir (shuffle, spills): a bounded volume (scratch.ts). @default - Spark's own emptyDir, unbounded */
  readonly scratch?: SparkScratch;
  // Pod features
  /**
   * Memory limit of the container when it must be above the request (heap + overhead). Spark
   * itself always sets the limit equal to the request (BasicDriverFeatureStep /
   * BasicExecutorFeatureStep overwrite any limit of the template), so only the Kubeflow
   * operator's pod webhook can raise it: operator mode with a SparkOperator that has its webhook.
   * @default - the request (Spark's)
   */
  readonly memoryLimit?: Memory;
  /**
   * The last resort: RFC 6902 operations applied to this role's rendered pod template in every
   * mode. The result must still be a valid pod under the restricted Pod Security Standard.
   * @default - none
   */
  readonly templatePatch?: readonly SparkTemplatePatchOperation[];
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

/** Metrics for Prometheus: Spark's own servlet (no jar or webhook needed) and, optionally, the JMX exporter. */
export interface SparkMonitoring {
  /**
   * Expose `/metrics/prometheus/` (driver and executor metrics) on the driver's UI port and
   * annotate the driver pod for scraping (`prometheus.io/scrape`).
   * @default true
   */
  readonly prometheus?: boolean;
  // Monitoring: the JMX exporter (constructs/jobs/monitoring.ts).
  /**
   * Run the Prometheus JMX exporter as a Java agent in the driver and/or the executors, as the
   * Kubeflow operator's `spec.monitoring` does: operator mode writes `spec.monitoring`, submit and
   * Apache-operator modes set the agent and the metrics config themselves. SparkJob emits a
   * ConfigMap `<name>-jmx-exporter` (metrics.properties + the exporter's rules) that both pod
   * templates mount, and declares the exporter's port on the Spark containers.
   * @default - no JMX exporter
   */
  readonly jmxExporter?: SparkJmxExporter;
}

/** The Prometheus JMX exporter agent of a job (`monitoring.jmxExporter`). */
export interface SparkJmxExporter {
  /**
   * The agent jar in the image, `local:///absolute/path.jar`. @default - the image's
   * `jmxExporterJar` (SparkImage); without either the synth fails
   */
  readonly jar?: string;
  /** Port the agent serves `/metrics` on (1024-49151, not a port Spark uses). @default 8090 (the operator's) */
  readonly port?: number;
  /**
   * The exporter's YAML configuration. @default - the platform's rules (constructs/monitoring/jmx-rules.ts),
   * whose metric names the platform's Grafana dashboard uses
   */
  readonly config?: string;
  /** Run the agent in the driver. @default true */
  readonly driver?: boolean;
  /** Run the agent in the executors. @default true */
  readonly executors?: boolean;
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
  readonly minResources?: SparkPodGroupResources;
}

/** The minimum resources of a job's pod group (SparkJobBatchScheduler.minResources). */
export interface SparkPodGroupResources {
  /** CPU. @default - the operator's sum */
  readonly cpu?: Cpu;
  /** Memory. @default - the operator's sum */
  readonly memory?: Memory;
  /**
   * Extended resources by name, as whole numbers, e.g. `{ 'nvidia.com/gpu': 4 }`: the gang waits
   * until they are free too. @default - none
   */
  readonly extended?: Readonly<Record<string, number>>;
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
  /**
   * The operator's pod-mutating webhook, when it runs one (SparkOperator.webhook): operator-mode
   * fields only it applies (`memoryLimit`) need it. @default - none
   */
  readonly webhook?: unknown;
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
  // Kueue
  /**
   * A Kueue LocalQueue in the job's namespace (KueueQueues): the job is labelled
   * `kueue.x-k8s.io/queue-name` and created suspended, and Kueue starts it once the tenant's
   * ClusterQueue has room. Operator mode needs Kueue's SparkApplication framework (Kubeflow
   * operator >= 2.4) and no schedule; submit mode queues the Job (Kueue then accounts the
   * submitter pod only); Apache-operator mode is refused (Kueue has no integration for it).
   * @default - not queued
   */
  readonly queue?: string;
  // Pod features
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
  // Template mode: a file an orchestrator submits per run, not an applied object
  /**
   * Render the job as a template for an orchestrator (Airflow's SparkKubernetesOperator
   * `application_file`) instead of an object GitOps or Pulumi applies: the GitOps writer puts it
   * in `templates/<namespace>-<name>.yaml`, outside the kustomization, with Jinja expressions for
   * the per-run values. The doctor and the schema check see it as a job with every parameter at
   * its default. Operator mode only, without `schedule` (the orchestrator decides when it runs).
   * @default - an applied object
   */
  readonly template?: SparkJobTemplateOptions;
  // Pod features
  /** The Spark UI's Service settings and an optional Ingress. @default - the mode's UI Service, no Ingress */
  readonly ui?: SparkUiOptions;
}

/** Throws unless `value` is a whole number >= `min`. */
export function wholeNumber(value: number, min: number, field: string, where: string): number {
  if (!Number.isInteger(value) || value < min) {
    throw new SparkPlatformError(field, `${show(value)} is not a whole number >= ${min}`, `set ${field} to ${min} or more`, where);
  }
  return value;
}

// Template mode

/** One per-run value of a job template (SparkJobProps.template). */
export interface SparkJobTemplateParameter {
  /** What the value is: written in the template's header for whoever writes the DAG. */
  readonly description: string;
  /**
   * The value the platform checks the job with (doctor, schema) and the documented default: one
   * line (it is written in the template's header too). Any value, this one or a run's, is
   * inserted JSON-escaped into a double-quoted YAML string.
   */
  readonly default: string;
  /**
   * The Jinja expression written into the file for it, e.g. `ds` (Airflow's logical date) or
   * `params.day or ds`. @default "params.<name>" (the DAG's `params`)
   */
  readonly expression?: string;
}

/**
 * How a SparkJob is rendered as a template. `{{ <name> }}` (a declared parameter, lower-case
 * snake_case) stands for a per-run value in `arguments`, in `sparkConf` values and in
 * `nameSuffix`; any other `{{...}}` there (Spark's own `{{APP_ID}}`) is kept literally.
 */
export interface SparkJobTemplateOptions {
  /** The per-run values, by name. @default - none */
  readonly parameters?: Readonly<Record<string, SparkJobTemplateParameter>>;
  /**
   * Appended to `metadata.name` in the file, e.g. `-{{ run_day }}`. Airflow adds a random suffix
   * itself (`random_name_suffix`, on by default), so this is for orchestrators that do not.
   * @default - none
   */
  readonly nameSuffix?: string;
}
