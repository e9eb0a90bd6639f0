/**
 * The schemas of the Kubeflow Spark operator's `sparkoperator.k8s.io/v1beta2` API, written for
 * this project with the DSL of crd-schema.ts. Field names, types, enums, bounds and required
 * lists follow the operator's v2.5.2 Go types; a conformance test compares them with the upstream
 * CRDs. Kubernetes types embedded in the spec are recorded with `kube()`, not described.
 * @see https://github.com/kubeflow/spark-operator/blob/v2.5.2/api/v1beta2/sparkapplication_types.go
 * @see https://github.com/kubeflow/spark-operator/blob/v2.5.2/api/v1beta2/scheduledsparkapplication_types.go
 */
import { arr, bool, int, kube, map, obj, quantity, Schema, str, stringList, stringMap } from './crd-schema';

/** The pod as the driver or the executors see it. */
type Role = 'driver' | 'executor';

/**
 * A DNS-1123 subdomain, anchored. Upstream's pattern for `podName` is unanchored and escapes the
 * dot twice, so it accepts nearly anything; Kubernetes rejects a pod name that is not a
 * subdomain anyway, so we check it here.
 */
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** The `spec` of a SparkApplication, also the `template` of a ScheduledSparkApplication. */
export function sparkApplicationSpecSchema(description: string): Schema {
  return obj({
    type: str({ enum: ['Java', 'Python', 'Scala', 'R'], description: 'Language of the application.' }),
    mode: str({ enum: ['cluster', 'client'], description: 'Deploy mode of spark-submit; the operator defaults to cluster.' }),
    sparkVersion: str({ description: 'Spark version of the image, e.g. 4.0.1.' }),
    pythonVersion: str({ enum: ['2', '3'], description: 'Major Python version of Python applications.' }),
    proxyUser: str({ description: 'User spark-submit impersonates (--proxy-user).' }),
    image: str({ description: 'Image of the driver and executors, unless they set their own.' }),
    imagePullPolicy: str({ description: 'Pull policy of the images.' }),
    imagePullSecrets: stringList({ description: 'Names of the Secrets used to pull the images.' }),
    mainClass: str({ description: 'Main class of a JVM application.' }),
    mainApplicationFile: str({ description: 'The application: a JAR, Python or R file (local://, s3a://, ...).' }),
    arguments: stringList({ description: 'Arguments passed to the application.' }),
    sparkConf: stringMap({ description: 'Spark properties (--conf key=value).' }),
    hadoopConf: stringMap({ description: 'Hadoop properties; each is passed as spark.hadoop.<key>.' }),
    sparkConfigMap: str({ description: 'ConfigMap with spark-defaults.conf and other Spark configuration files, mounted at /etc/spark/conf.' }),
    hadoopConfigMap: str({ description: 'ConfigMap with Hadoop configuration files, mounted at /etc/hadoop/conf.' }),
    volumes: arr(kube('io.k8s.api.core.v1.Volume', 'A volume the driver and executors may mount.'), { description: 'Pod volumes.' }),
    driver: sparkPodSchema('driver'),
    executor: sparkPodSchema('executor'),
    deps: obj({
      jars: stringList({ description: 'JARs on the classpath (--jars).' }),
      files: stringList({ description: 'Files placed in each working directory (--files).' }),
      pyFiles: stringList({ description: 'Python files on the PYTHONPATH (--py-files).' }),
      packages: stringList({ description: 'Maven coordinates groupId:artifactId:version (--packages).' }),
      excludePackages: stringList({ description: 'groupId:artifactId excluded from package resolution (--exclude-packages).' }),
      repositories: stringList({ description: 'Extra Maven repositories (--repositories).' }),
      archives: stringList({ description: 'Archives extracted into each working directory (--archives).' }),
    }, { description: 'Dependencies of the application.' }),
    restartPolicy: obj({
      type: str({ enum: ['Never', 'Always', 'OnFailure'], description: 'When the operator resubmits the application; defaults to Never.' }),
      onSubmissionFailureRetries: int({ format: 'int32', minimum: 0, description: 'Resubmissions after a failed submission.' }),
      onFailureRetries: int({ format: 'int32', minimum: 0, description: 'Reruns after a failed run.' }),
      onSubmissionFailureRetryInterval: int({ format: 'int64', minimum: 1, description: 'Seconds between resubmissions.' }),
      onFailureRetryInterval: int({ format: 'int64', minimum: 1, description: 'Seconds between reruns.' }),
    }, { description: 'Resubmission after failure or termination.' }),
    nodeSelector: stringMap({ description: 'Node selector of the driver and executor pods.' }),
    failureRetries: int({ format: 'int32', description: 'Deprecated: retries of a failed application; use restartPolicy.' }),
    retryInterval: int({ format: 'int64', description: 'Deprecated: seconds between submission retries; use restartPolicy.' }),
    memoryOverheadFactor: str({ description: 'Share of memory added for non-JVM use (spark.kubernetes.memoryOverheadFactor).' }),
    monitoring: obj({
      exposeDriverMetrics: bool({ description: 'Whether the driver exposes metrics.' }),
      exposeExecutorMetrics: bool({ description: 'Whether the executors expose metrics.' }),
      metricsProperties: str({ description: 'Content of a metrics.properties file.' }),
      metricsPropertiesFile: str({ description: 'Path of a metrics.properties file in the image.' }),
      prometheus: obj({
        jmxExporterJar: str({ description: 'Path of the Prometheus JMX exporter agent JAR in the image.' }),
        port: int({ format: 'int32', minimum: 1024, maximum: 49151, description: 'Port of the exporter; the operator defaults to 8090.' }),
        portName: str({ description: 'Name of the exporter port.' }),
        configFile: str({ description: 'Path of an exporter configuration file in the image.' }),
        configuration: str({ description: 'Exporter configuration content.' }),
      }, { required: ['jmxExporterJar'], description: 'The Prometheus JMX exporter.' }),
    }, { required: ['exposeDriverMetrics', 'exposeExecutorMetrics'], description: 'Metrics of the driver and executors.' }),
    batchScheduler: str({ description: 'Batch scheduler for the pods, e.g. volcano or yunikorn.' }),
    batchSchedulerOptions: obj({
      queue: str({ description: 'Queue of the batch scheduler.' }),
      priorityClassName: str({ description: 'PriorityClass of the pod group.' }),
      resources: map(quantity(), { description: 'Minimum resources of the pod group, as Kubernetes quantities.' }),
    }, { description: 'Options for the batch scheduler.' }),
    timeToLiveSeconds: int({ format: 'int64', description: 'Seconds after termination before the operator deletes the application.' }),
    sparkUIOptions: obj({
      ...serviceFields('Spark UI'),
      ...ingressFields('Spark UI'),
    }, { description: 'Service and Ingress of the Spark UI.' }),
    driverIngressOptions: arr(obj({
      ...serviceFields('driver port'),
      ...ingressFields('driver port'),
      ingressURLFormat: str({ description: 'URL format of the Ingress.' }),
    }, { required: ['servicePort', 'servicePortName'] }), { description: 'Services and Ingresses exposing ports of the driver.' }),
    dynamicAllocation: dynamicAllocationSchema(),
    suspend: bool({ description: 'Whether the application is suspended: its pods are deleted until it is resumed.' }),
  }, { required: ['type', 'sparkVersion', 'mainApplicationFile', 'driver', 'executor'], description });
}

/** The `status` of a SparkApplication, written by the operator. */
export function sparkApplicationStatusSchema(): Schema {
  return obj({
    sparkApplicationId: str({ description: 'spark.app.id of the current run.' }),
    submissionID: str({ description: 'ID of the current submission.' }),
    lastSubmissionAttemptTime: str({ format: 'date-time', nullable: true, description: 'When the last submission was attempted.' }),
    terminationTime: str({ format: 'date-time', nullable: true, description: 'When the application terminated.' }),
    driverInfo: obj({
      webUIServiceName: str({ description: 'Service of the Spark UI.' }),
      webUIAddress: str({ description: 'In-cluster address of the Spark UI.' }),
      webUIPort: int({ format: 'int32', description: 'Port of the Spark UI Service.' }),
      webUIIngressName: str({ description: 'Ingress of the Spark UI.' }),
      webUIIngressAddress: str({ description: 'Address of the Spark UI Ingress.' }),
      podName: str({ description: 'Name of the driver pod.' }),
    }, { description: 'The driver and its UI.' }),
    applicationState: obj({
      state: str({ description: 'State, e.g. SUBMITTED, RUNNING, COMPLETED or FAILED.' }),
      errorMessage: str({ description: 'Why the application failed.' }),
    }, { required: ['state'], description: 'Current state.' }),
    executorState: stringMap({ description: 'State of each executor, by pod name.' }),
    executionAttempts: int({ format: 'int32', description: 'Runs so far.' }),
    submissionAttempts: int({ format: 'int32', description: 'Submissions so far.' }),
  }, { required: ['driverInfo'], description: 'Observed state of the application.' });
}

/** The `spec` of a ScheduledSparkApplication. */
export function scheduledSparkApplicationSpecSchema(): Schema {
  return obj({
    schedule: str({ description: 'Cron schedule; @every <duration> and a CRON_TZ= prefix are accepted.' }),
    timeZone: str({ description: 'IANA time zone of the schedule; defaults to the controller\'s (Local).' }),
    template: sparkApplicationSpecSchema('Spec of each SparkApplication the schedule creates.'),
    suspend: bool({ description: 'Whether new runs are suspended.' }),
    // Upstream declares a plain string; the operator understands only these three, and an empty
    // value silently blocks new runs while one exists, so we reject anything else.
    concurrencyPolicy: str({ enum: ['Allow', 'Forbid', 'Replace'], description: 'Whether a run may start while another one is running.' }),
    successfulRunHistoryLimit: int({ format: 'int32', description: 'Successful runs kept; the operator defaults to 1.' }),
    failedRunHistoryLimit: int({ format: 'int32', description: 'Failed runs kept; the operator defaults to 1.' }),
  }, { required: ['schedule', 'template'], description: 'Schedule and template of the runs.' });
}

/** The `status` of a ScheduledSparkApplication, written by the operator. */
export function scheduledSparkApplicationStatusSchema(): Schema {
  return obj({
    lastRun: str({ format: 'date-time', nullable: true, description: 'When the last run started.' }),
    nextRun: str({ format: 'date-time', nullable: true, description: 'When the next run starts.' }),
    lastRunName: str({ description: 'Name of the SparkApplication of the last run.' }),
    pastSuccessfulRunNames: stringList({ description: 'SparkApplications of past successful runs.' }),
    pastFailedRunNames: stringList({ description: 'SparkApplications of past failed runs.' }),
    scheduleState: str({ description: 'Scheduling state.' }),
    reason: str({ description: 'Why the schedule is in this state.' }),
  }, { description: 'Observed state of the schedule.' });
}

/** The driver or executor pod: Spark sizing, pod settings, and Kubernetes objects applied by the webhook. */
function sparkPodSchema(role: Role): Schema {
  const pods = role === 'driver' ? 'the driver pod' : 'each executor pod';
  const common = {
    template: kube('io.k8s.api.core.v1.PodTemplateSpec', `Pod template of ${pods} (Spark 3 or later); Spark overrides what it sets itself.`),
    cores: int({ format: 'int32', minimum: 1, description: `spark.${role}.cores.` }),
    coreRequest: str({ description: `CPU request of ${pods}, a Kubernetes quantity (spark.kubernetes.${role}.request.cores).` }),
    coreLimit: str({ description: `CPU limit of ${pods} (spark.kubernetes.${role}.limit.cores).` }),
    memory: str({ description: `Heap of the ${role} JVM in Spark's format, e.g. 512m (spark.${role}.memory).` }),
    memoryOverhead: str({ description: `Non-heap memory of ${pods} (spark.${role}.memoryOverhead).` }),
    memoryLimit: str({ description: `Memory limit of ${pods}, when it must differ from the request.` }),
    gpu: obj({
      name: str({ description: 'Resource name, e.g. nvidia.com/gpu.' }),
      quantity: int({ format: 'int64', description: 'GPUs per pod.' }),
    }, { required: ['name', 'quantity'], description: `GPUs of ${pods}.` }),
    image: str({ description: `Image of ${pods}, instead of spec.image.` }),
    configMaps: arr(namePath('ConfigMap'), { description: `ConfigMaps mounted into ${pods}.` }),
    secrets: arr(obj({
      name: str({ description: 'Name of the Secret.' }),
      path: str({ description: 'Mount path.' }),
      secretType: str({ description: 'How Spark uses it, e.g. GCPServiceAccount, HadoopDelegationToken or Generic.' }),
    }, { required: ['name', 'path', 'secretType'] }), { description: `Secrets mounted into ${pods}.` }),
    env: arr(kube('io.k8s.api.core.v1.EnvVar', 'An environment variable.'), { description: `Environment of the Spark container of ${pods}.` }),
    envVars: stringMap({ description: 'Deprecated: environment variables by name; use env.' }),
    envFrom: arr(kube('io.k8s.api.core.v1.EnvFromSource', 'A source of environment variables.'), { description: 'Sources of environment variables.' }),
    envSecretKeyRefs: map(obj({
      name: str({ description: 'Name of the Secret.' }),
      key: str({ description: 'Key in the Secret.' }),
    }, { required: ['key', 'name'] }), { description: 'Deprecated: environment variables from Secret keys, by name; use env.' }),
    labels: stringMap({ description: `Labels of ${pods}.` }),
    annotations: stringMap({ description: `Annotations of ${pods}.` }),
    volumeMounts: arr(kube('io.k8s.api.core.v1.VolumeMount', 'A mount of one of spec.volumes.'), { description: 'Volume mounts of the Spark container.' }),
    affinity: kube('io.k8s.api.core.v1.Affinity', `Affinity of ${pods}.`),
    tolerations: arr(kube('io.k8s.api.core.v1.Toleration', 'A toleration.'), { description: `Tolerations of ${pods}.` }),
    podSecurityContext: kube('io.k8s.api.core.v1.PodSecurityContext', `Security context of ${pods}.`),
    securityContext: kube('io.k8s.api.core.v1.SecurityContext', 'Security context of the Spark container.'),
    schedulerName: str({ description: `Scheduler of ${pods}.` }),
    sidecars: arr(kube('io.k8s.api.core.v1.Container', 'A container.'), { description: 'Containers running beside the Spark container.' }),
    initContainers: arr(kube('io.k8s.api.core.v1.Container', 'A container.'), { description: 'Containers run to completion before the Spark container.' }),
    hostNetwork: bool({ description: `Whether ${pods} uses the host network.` }),
    nodeSelector: stringMap({ description: `Node selector of ${pods}; not together with spec.nodeSelector.` }),
    dnsConfig: kube('io.k8s.api.core.v1.PodDNSConfig', `DNS settings of ${pods}.`),
    terminationGracePeriodSeconds: int({ format: 'int64', description: 'Seconds the pod gets to stop.' }),
    serviceAccount: str({ description: `ServiceAccount of ${pods}.` }),
    hostAliases: arr(kube('io.k8s.api.core.v1.HostAlias', 'An /etc/hosts entry.'), { description: 'Extra /etc/hosts entries.' }),
    shareProcessNamespace: bool({ description: 'Whether the containers of the pod share one process namespace.' }),
    lifecycle: kube('io.k8s.api.core.v1.Lifecycle', 'Lifecycle hooks of the Spark container.'),
    ports: arr(obj({
      name: str({ description: 'Port name.' }),
      protocol: str({ description: 'Protocol, e.g. TCP.' }),
      containerPort: int({ format: 'int32', description: 'Port number.' }),
    }, { required: ['name', 'protocol', 'containerPort'] }), { description: 'Extra ports of the Spark container.' }),
    priorityClassName: str({ description: `PriorityClass of ${pods}.` }),
    javaOptions: str({ description: `Extra JVM options of the ${role} (spark.${role}.extraJavaOptions).` }),
  };
  if (role === 'driver') {
    return obj({
      ...common,
      podName: str({ pattern: DNS_SUBDOMAIN, description: 'Name of the driver pod.' }),
      kubernetesMaster: str({ description: 'API server URL the driver uses to manage executors.' }),
      serviceAnnotations: stringMap({ description: 'Annotations of the headless Service of the driver.' }),
      serviceLabels: stringMap({ description: 'Labels of the headless Service of the driver.' }),
    }, { description: 'The driver.' });
  }
  return obj({
    ...common,
    instances: int({ format: 'int32', minimum: 1, description: 'Number of executors.' }),
    deleteOnTermination: bool({ description: 'Whether executor pods are deleted when they terminate (spark.kubernetes.executor.deleteOnTermination).' }),
  }, { description: 'The executors.' });
}

function namePath(what: string): Schema {
  return obj({
    name: str({ description: `Name of the ${what}.` }),
    path: str({ description: 'Mount path.' }),
  }, { required: ['name', 'path'] });
}

// Return types inferred: `required` is checked against the property names they produce.
function serviceFields(what: string) {
  return {
    serviceType: str({ description: `Type of the ${what} Service; ClusterIP by default.` }),
    servicePort: int({ format: 'int32', description: `Port of the ${what} Service.` }),
    servicePortName: str({ description: `Name of the ${what} Service port.` }),
    serviceAnnotations: stringMap({ description: `Annotations of the ${what} Service.` }),
    serviceLabels: stringMap({ description: `Labels of the ${what} Service.` }),
  };
}

function ingressFields(what: string) {
  return {
    ingressAnnotations: stringMap({ description: `Annotations of the ${what} Ingress.` }),
    ingressTLS: arr(kube('io.k8s.api.networking.v1.IngressTLS', 'A TLS entry.'), { description: `TLS of the ${what} Ingress.` }),
  };
}

/** Dynamic allocation of executors (SparkApplication and SparkConnect share it). */
export function dynamicAllocationSchema(): Schema {
  return obj({
    enabled: bool({ description: 'Whether dynamic allocation is on.' }),
    initialExecutors: int({ format: 'int32', description: 'Executors at start.' }),
    minExecutors: int({ format: 'int32', description: 'Fewest executors.' }),
    maxExecutors: int({ format: 'int32', description: 'Most executors.' }),
    shuffleTrackingEnabled: bool({ description: 'Whether shuffle files are tracked so executors can be removed without a shuffle service.' }),
    shuffleTrackingTimeout: int({ format: 'int64', description: 'Milliseconds an executor holding shuffle data is kept.' }),
  }, { description: 'Dynamic allocation of executors.' });
}
