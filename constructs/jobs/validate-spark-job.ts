import { k8s } from 'cdk8s-plus-28';
import { SparkPlatformError, show } from '../errors';
import { JOB_LABEL, assertUserMetadata, platformLabels } from '../labels';
import { NameRule, nameProblem, suggestName } from '../names';
import { SparkImage } from '../spark-image';
import { Cpu, Memory } from '../units';
import { CronDialect, cronProblem, timeZoneProblem } from './cron';
import {
  ResolvedDynamicAllocation, ResolvedExecutor, ResolvedPod, ResolvedSchedule, ResolvedSparkJob,
  podCpu, podMemory, podMemoryLimit, startingExecutors,
} from './resolved-job';
import { resolveContainers } from './containers';
import { checkTemplatePatch } from './template-patch';
import { resolveUi } from './ui';
import { resolveJmxExporter } from './monitoring';
import { checkUserConf } from './spark-conf';
import { resolveScratch, scratchStorage } from './scratch';
import { plusScratch } from '../spark-sizing';
import { checkAllowedSparkConfKeys, sparkLineName } from '../validation/spark-conf-keys';
import { PLATFORM_IVY_HOME, SparkProcess, sparkWriteSites } from '../writable-paths';
import {
  ConcurrencyPolicy, ISparkJobOperator, RestartPolicy, SparkDriverOptions, SparkExecutorOptions, SparkJobBatchScheduler, SparkJobMode, SparkJobProps,
  SparkJobType, SparkPodOptions, wholeNumber,
} from './spark-job-options';

/** Length Kubernetes adds to a CronJob's name for each Job (`-<minutes since epoch>`). */
const CRONJOB_SUFFIX = 9;
/** Length the operator adds to a ScheduledSparkApplication's name for each run (`-<unix nanos>`). */
const SCHEDULED_RUN_SUFFIX = 20;
/** URI schemes Spark can fetch a file from; `local://` is a path in the image. */
const REMOTE_SCHEMES = ['local', 's3a', 's3', 'gs', 'abfs', 'abfss', 'wasb', 'wasbs', 'hdfs', 'http', 'https', 'oci', 'cos'];
/** Maven coordinates `group:artifact:version` (deps.packages, addPackages). */
export const MAVEN_COORDINATES = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.+-]+$/;

/**
 * Applies SparkJob's defaults and checks every rule that props alone decide, throwing the first
 * broken one with the prop and the fix: names and their derived names, sizes, executor bounds,
 * schedules, URIs, images, conf keys (owned, typed, and unknown to the image's Spark line),
 * volumes, and the namespace's quota and LimitRange.
 */
export function resolveSparkJob(props: SparkJobProps): ResolvedSparkJob {
  const { namespace, operator } = props;
  const where = `SparkJob ${show(props.name)}`;
  const fail = (field: string, problem: string, fix: string): never => {
    throw new SparkPlatformError(field, problem, fix, where);
  };
  const operatorMode = operator ? operator.jobMode ?? SparkJobMode.OPERATOR : undefined;
  const mode = props.mode ?? operatorMode ?? SparkJobMode.SUBMIT;
  if (!Object.values(SparkJobMode).includes(mode)) fail('mode', `${show(mode)} is not a mode`, `use SparkJobMode.${Object.keys(SparkJobMode).join(' / ')}`);
  checkNames(props, mode, fail);
  if (!Object.values(SparkJobType).includes(props.type)) fail('type', `${show(props.type)} is not an application type`, `use SparkJobType.${Object.keys(SparkJobType).join(' / ')}`);
  // An operator mode without `operator` is allowed: the operator may be installed by other means.
  if (mode !== SparkJobMode.SUBMIT && operator) {
    if (operatorMode !== mode) {
      const kind = mode === SparkJobMode.OPERATOR ? 'a SparkOperator (the Kubeflow operator)' : 'an ApacheSparkOperator';
      fail('mode', `${mode} mode needs ${kind}, but the operator given runs ${operatorMode} mode`, `pass ${kind} as operator, or use mode SparkJobMode.${operatorMode === SparkJobMode.OPERATOR ? 'OPERATOR' : 'APACHE_OPERATOR'}`);
    }
    if (operator.shardOf(namespace.name) === undefined) {
      fail('namespace', `${show(namespace.name)} is not watched by the operator, so the application would never run (and never get a status)`, 'add the namespace to the operator\'s jobNamespaces, or use SparkJobMode.SUBMIT');
    }
  }

  const image = props.image ?? SparkImage.official();
  const executorImage = props.executorImage ?? image;
  const python = props.type === SparkJobType.PYTHON;
  const mismatch = image.mismatchWith(executorImage, python);
  if (mismatch) fail('executorImage', `does not match the driver image: ${mismatch}`, 'use one image for both, or build the executor image FROM the driver\'s Spark release with the same Python minor');
  if (python) {
    for (const [field, img] of [['image', image], ['executorImage', executorImage]] as const) {
      if (!img.pythonMinor) fail(field, `${show(img.image)} has no Python (pythonVersion is not set), but the job is a Python job`, 'use an image with Python (SparkImage.official() has it) and declare its pythonVersion');
    }
  }

  assertUserMetadata(props.labels, 'label', 'labels', where);
  assertUserMetadata(props.annotations, 'annotation', 'annotations', where);
  for (const [field, pod] of [['pods', props.pods], ['driver', props.driver], ['executor', props.executor]] as const) {
    assertUserMetadata(pod?.labels, 'label', `${field}.labels`, where);
    assertUserMetadata(pod?.annotations, 'annotation', `${field}.annotations`, where);
  }
  checkMainFile(props, fail);
  const deps = checkDeps(props, fail);
  const volumes = checkVolumes(props, fail);
  const common = props.pods ?? {};
  const driver = resolvePod('driver', props.driver ?? {}, common, props, image, namespace.driverServiceAccountName, volumes, fail);
  const executorProps: SparkExecutorOptions = props.executor ?? {};
  const executor: ResolvedExecutor = {
    ...resolvePod('executor', executorProps, common, props, executorImage, namespace.executorServiceAccountName, volumes, fail),
    instances: wholeNumber(executorProps.instances ?? 2, 1, 'executor.instances', where),
    deleteOnTermination: executorProps.deleteOnTermination ?? true,
  };
  const dynamicAllocation = checkDynamicAllocation(props, where, fail);
  const allowedSparkConfKeys = checkAllowedSparkConfKeys(props.allowedSparkConfKeys, 'allowedSparkConfKeys', where);
  checkUserConf(props.sparkConf ?? {}, props.hadoopConf ?? {}, where, 'sparkConf', { line: sparkLineName(image.sparkVersion), allowed: allowedSparkConfKeys });

  const restartPolicy = props.restartPolicy ?? RestartPolicy.never();
  checkRestartPolicy(restartPolicy, mode, where, fail);
  const timeToLiveDisabled = props.disableTimeToLive;
  if (timeToLiveDisabled !== undefined) {
    if (timeToLiveDisabled.trim() === '') fail('disableTimeToLive', 'is empty', 'write why finished applications are kept (e.g. "audited: kept for the compliance team"), or remove it');
    if (props.timeToLiveSeconds !== undefined) fail('disableTimeToLive', `is set together with timeToLiveSeconds (${show(props.timeToLiveSeconds)})`, 'keep one: timeToLiveSeconds to delete finished applications, disableTimeToLive to keep them');
  }
  const timeToLiveSeconds = timeToLiveDisabled !== undefined ? undefined : wholeNumber(props.timeToLiveSeconds ?? operator?.defaultTimeToLiveSeconds ?? 86_400, 1, 'timeToLiveSeconds', where);
  const schedule = props.schedule ? checkSchedule(props, mode, where, fail) : undefined;

  const submitter = {
    cpu: props.submitter?.cpu ?? Cpu.millis(250),
    memory: props.submitter?.memory ?? Memory.mebibytes(768),
    activeDeadlineSeconds: props.submitter?.activeDeadlineSeconds === undefined ? undefined : wholeNumber(props.submitter.activeDeadlineSeconds, 1, 'submitter.activeDeadlineSeconds', where),
    failOnDriverError: props.submitter?.failOnDriverError ?? true,
  };
  const batchScheduler = props.batchScheduler ? checkBatchScheduler(props.batchScheduler, mode, operator, fail) : undefined;
  const job: ResolvedSparkJob = {
    batchScheduler,
    queue: checkQueue(props, mode, fail),
    priorityClassName: checkPriorityClassName(props.priorityClassName, fail),
    proxyUser: checkProxyUser(props.proxyUser, fail),
    ui: resolveUi(props, mode, where, fail),
    jmxExporter: resolveJmxExporter(props, image, executorImage, where),
    name: props.name,
    namespace,
    mode,
    type: props.type,
    mainClass: props.mainClass,
    mainApplicationFile: props.mainApplicationFile,
    arguments: [...(props.arguments ?? [])],
    imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
    imagePullSecrets: [...(props.imagePullSecrets ?? [])],
    driver,
    executor,
    dynamicAllocation,
    deps,
    sparkConf: { ...(props.sparkConf ?? {}) },
    allowedSparkConfKeys,
    hadoopConf: { ...(props.hadoopConf ?? {}) },
    volumes,
    restartPolicy,
    timeToLiveSeconds,
    timeToLiveDisabled,
    schedule,
    labels: { ...(props.labels ?? {}) },
    annotations: { ...(props.annotations ?? {}) },
    prometheus: props.monitoring?.prometheus ?? true,
    readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? true,
    submitter,
  };
  checkMemoryLimits(job, operator, fail);
  checkFitsNamespace(job, fail);
  return job;
}

type Fail = (field: string, problem: string, fix: string) => never;

function checkNames(props: SparkJobProps, mode: SparkJobMode, fail: Fail): void {
  const problem = nameProblem(props.name, NameRule.DNS1035_LABEL);
  if (problem) fail('name', `${problem}; the operator and Kubernetes derive pod and Service names from it`, `use a name such as ${show(suggestName(props.name, 40))}`);
  // The longest name Kubernetes derives from ours, per mode; each must stay a 63-character label.
  // APACHE_OPERATOR: the operator names pods after `<name>-<attempt>` and hashes it down to 46
  // characters when longer, so no derived name can exceed 63.
  const derived: Array<[string, number]> = mode === SparkJobMode.APACHE_OPERATOR ? [] : mode === SparkJobMode.OPERATOR
    ? props.schedule
      ? [[`<name>-<unix nanos>-driver (each run's driver pod)`, SCHEDULED_RUN_SUFFIX + 7], ['<name>-<unix nanos>-ui-svc (each run\'s UI Service)', SCHEDULED_RUN_SUFFIX + 7]]
      : [['<name>-driver (the driver pod)', 7], ['<name>-ui-svc (the UI Service)', 7]]
    : props.schedule
      ? [['<name>-<minutes>-driver (each run\'s driver pod)', CRONJOB_SUFFIX + 7], ['<name> (a CronJob name, at most 52)', 11]]
      : [['<name>-driver (the driver pod)', 7]];
  for (const [what, extra] of derived) {
    if (props.name.length + extra > 63) {
      fail('name', `${show(props.name)} is ${props.name.length} characters, so ${what} would exceed 63`, `shorten the name to at most ${63 - extra} characters`);
    }
  }
}

function checkMainFile(props: SparkJobProps, fail: Fail): void {
  const file = props.mainApplicationFile;
  checkUri(file, 'mainApplicationFile', fail);
  const lower = file.toLowerCase();
  const expect: Record<SparkJobType, [string[], string]> = {
    [SparkJobType.JAVA]: [['.jar'], 'a jar'],
    [SparkJobType.SCALA]: [['.jar'], 'a jar'],
    [SparkJobType.PYTHON]: [['.py'], 'a .py file'],
    [SparkJobType.R]: [['.r'], 'an .R file'],
  };
  const [suffixes, what] = expect[props.type];
  if (!suffixes.some((s) => lower.endsWith(s))) fail('mainApplicationFile', `${show(file)} is not ${what}, as a ${props.type} job needs`, `point at ${what}, or change type`);
  const jvm = props.type === SparkJobType.JAVA || props.type === SparkJobType.SCALA;
  if (jvm && !props.mainClass) fail('mainClass', `is not set; a ${props.type} job needs the class to run`, 'set mainClass, e.g. "org.apache.spark.examples.SparkPi"');
  if (!jvm && props.mainClass) fail('mainClass', `is set, but a ${props.type} job runs mainApplicationFile`, 'remove mainClass');
  if (props.mainClass !== undefined && !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(props.mainClass)) {
    fail('mainClass', `${show(props.mainClass)} is not a fully qualified class name`, 'write it like "com.example.Main"');
  }
}

function checkUri(uri: string, field: string, fail: Fail): void {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri);
  if (!m) {
    fail(field, `${show(uri)} has no URI scheme; in cluster mode a plain path is a file on the submitting machine, which the driver cannot see`, `for a file in the image write ${show(`local://${uri.startsWith('/') ? uri : `/${uri}`}`)}; otherwise use a remote URI (s3a://, https://, ...)`);
  }
  const scheme = m![1].toLowerCase();
  if (scheme === 'file') fail(field, `${show(uri)} is a file on the submitting machine, which the driver cannot see in cluster mode`, `for a file in the image write ${show(uri.replace(/^file:/i, 'local:'))}; otherwise use a remote URI (s3a://, https://, ...)`);
  if (!REMOTE_SCHEMES.includes(scheme)) fail(field, `${show(uri)} uses the scheme ${show(scheme)}, which Spark on Kubernetes does not fetch`, `use one of ${REMOTE_SCHEMES.map((s) => `${s}://`).join(', ')}`);
  if (scheme === 'local' && !uri.startsWith('local:///')) fail(field, `${show(uri)} is not an absolute path in the image`, 'write local:///absolute/path');
}

function checkDeps(props: SparkJobProps, fail: Fail): ResolvedSparkJob['deps'] {
  const d = props.deps ?? {};
  for (const key of ['jars', 'files', 'pyFiles', 'archives'] as const) {
    (d[key] ?? []).forEach((uri, i) => checkUri(uri, `deps.${key}[${i}]`, fail));
  }
  if ((d.pyFiles ?? []).length > 0 && props.type !== SparkJobType.PYTHON) fail('deps.pyFiles', `is set, but the job is a ${props.type} job`, 'remove pyFiles, or make it a Python job');
  (d.packages ?? []).forEach((p, i) => {
    if (!MAVEN_COORDINATES.test(p)) fail(`deps.packages[${i}]`, `${show(p)} is not Maven coordinates`, 'write group:artifact:version, e.g. "org.apache.hadoop:hadoop-aws:3.4.1"');
  });
  (d.excludePackages ?? []).forEach((p, i) => {
    if (!/^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/.test(p)) fail(`deps.excludePackages[${i}]`, `${show(p)} is not group:artifact`, 'write group:artifact, without a version');
  });
  (d.repositories ?? []).forEach((r, i) => {
    if (!/^https?:\/\//.test(r)) fail(`deps.repositories[${i}]`, `${show(r)} is not an http(s) URL`, 'give the repository URL, e.g. "https://repo1.maven.org/maven2"');
  });
  return {
    jars: [...(d.jars ?? [])], files: [...(d.files ?? [])], pyFiles: [...(d.pyFiles ?? [])], archives: [...(d.archives ?? [])],
    packages: [...(d.packages ?? [])], excludePackages: [...(d.excludePackages ?? [])], repositories: [...(d.repositories ?? [])],
  };
}

/** Scrape annotations of the driver pod when monitoring is on. */
const PROMETHEUS_ANNOTATIONS = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '4040', 'prometheus.io/path': '/metrics/prometheus' };

/** Volumes Spark adds itself; ours must not take their names. */
const SPARK_VOLUME = /^(spark-local-dir-.*|spark-conf-volume.*|pod-template-volume|hadoop-properties|krb5-file|kerberos-keytab|hadoop-secret|spark-platform-.*)$/;

function checkVolumes(props: SparkJobProps, fail: Fail): Array<Record<string, unknown>> {
  const seen = new Set<string>();
  return (props.volumes ?? []).map((v, i) => {
    const field = `volumes[${i}]`;
    const json = k8s.toJson_Volume(v) as Record<string, unknown>;
    const name = String(json.name ?? '');
    const problem = nameProblem(name, NameRule.DNS1123_LABEL);
    if (problem) fail(`${field}.name`, problem, `use a name such as ${show(suggestName(name))}`);
    if (name.startsWith('spark-local-dir-')) fail(`${field}.name`, `${show(name)} would become Spark's local dir (Spark takes every mount named spark-local-dir-* as one)`, 'for scratch space use driver.scratch / executor.scratch; otherwise choose another name');
    if (SPARK_VOLUME.test(name)) fail(`${field}.name`, `${show(name)} is a volume name Spark or SparkJob uses itself`, 'choose another name');
    if (seen.has(name)) fail(`${field}.name`, `${show(name)} is used twice`, 'give each volume its own name');
    seen.add(name);
    if (json.hostPath !== undefined) fail(field, `${show(name)} is a hostPath volume, which the restricted Pod Security Standard forbids (tenant namespaces enforce it)`, 'use a PersistentVolumeClaim, an emptyDir, a ConfigMap or a Secret');
    return json;
  });
}

function resolvePod(
  role: 'driver' | 'executor', own: SparkDriverOptions, common: SparkPodOptions, props: SparkJobProps,
  image: SparkImage, serviceAccount: string, volumes: ReadonlyArray<Record<string, unknown>>, fail: Fail,
): ResolvedPod {
  const where = `SparkJob ${show(props.name)}`;
  const cores = wholeNumber(own.cores ?? 1, 1, `${role}.cores`, where);
  const memory = own.memory ?? Memory.gibibytes(1);
  if (memory.bytes < 2 ** 20 * 32) fail(`${role}.memory`, `${memory.toKubernetes()} is too small for a JVM heap`, 'give at least Memory.mebibytes(512)');
  if (own.coreRequest && own.coreRequest.millicores <= 0) fail(`${role}.coreRequest`, 'is not above zero', 'request some CPU, e.g. Cpu.millis(500)');
  const request = own.coreRequest ?? Cpu.cores(cores);
  if (own.coreLimit && own.coreLimit.compare(request) < 0) fail(`${role}.coreLimit`, `${own.coreLimit} is below the CPU request ${request}; the API server rejects such a pod`, `raise coreLimit to at least ${request}`);
  const gpu = own.gpu
    ? {
      amount: wholeNumber(own.gpu.amount, 1, `${role}.gpu.amount`, where),
      vendor: own.gpu.vendor ?? 'nvidia.com',
      discoveryScript: own.gpu.discoveryScript ?? `${image.sparkHome}/examples/src/main/scripts/getGpusResources.sh`,
    }
    : undefined;
  const env = Object.entries({ ...(common.env ?? {}), ...(own.env ?? {}) });
  for (const [name] of env) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) fail(`${role}.env`, `${show(name)} is not a valid environment variable name`, 'use letters, digits and _ (not starting with a digit)');
  }
  const mounts = [...(common.volumeMounts ?? []), ...(own.volumeMounts ?? [])];
  const names = new Set(volumes.map((v) => String(v.name)));
  // The paths Spark writes to get the platform's emptyDirs (pod-templates.ts): not a user mount.
  const process = role === 'driver' ? SparkProcess.CLUSTER_DRIVER : SparkProcess.EXECUTOR;
  const sites = new Map(sparkWriteSites(process, image, { 'spark.jars.ivy': PLATFORM_IVY_HOME }).map((w) => [w.path, w.reason]));
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    const field = `${role}.volumeMounts[${i}]`;
    if (!names.has(m.volume)) fail(`${field}.volume`, `${show(m.volume)} is not one of the job's volumes (${[...names].map(show).join(', ') || 'none'})`, 'add it to volumes, or fix the name');
    if (!m.path.startsWith('/')) fail(`${field}.path`, `${show(m.path)} is not an absolute path`, 'start the path with /');
    const site = sites.get(m.path.replace(/\/+$/, '') || '/');
    if (site) fail(`${field}.path`, `${show(m.path)} is where SparkJob mounts a writable emptyDir (${site})`, 'mount your volume elsewhere');
    if (paths.has(m.path)) fail(`${field}.path`, `${show(m.path)} is already mounted`, 'mount each path once');
    paths.add(m.path);
  });
  // The operator copies the SparkApplication's own labels onto both pods, so the pods get the
  // same set here (platform labels + job label + the user's) in both modes.
  const labels = platformLabels({ [JOB_LABEL]: props.name, ...(props.labels ?? {}), ...(common.labels ?? {}), ...(own.labels ?? {}) });
  for (const [k, v] of Object.entries(labels)) {
    if (v.length > 63 || !/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(v)) fail(`${role}.labels[${show(k)}]`, `${show(v)} is not a valid label value`, 'use at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit');
  }
  // Spark's PrometheusServlet answers on the driver's UI port (4040); the user's annotations win.
  const scrape = role === 'driver' && (props.monitoring?.prometheus ?? true) ? PROMETHEUS_ANNOTATIONS : {};
  const annotations: Record<string, string> = { ...scrape, ...(common.annotations ?? {}), ...(own.annotations ?? {}) };
  return {
    role,
    image,
    serviceAccount,
    cores,
    coreRequest: own.coreRequest,
    coreLimit: own.coreLimit,
    memory,
    memoryOverhead: own.memoryOverhead,
    gpu,
    env,
    envFrom: {
      configMaps: [...(common.envFrom?.configMaps ?? []), ...(own.envFrom?.configMaps ?? [])],
      secrets: [...(common.envFrom?.secrets ?? []), ...(own.envFrom?.secrets ?? [])],
    },
    volumeMounts: mounts,
    nodeSelector: { ...(common.nodeSelector ?? {}), ...(own.nodeSelector ?? {}) },
    tolerations: [...(common.tolerations ?? []), ...(own.tolerations ?? [])].map((t) => k8s.toJson_Toleration(t) as Record<string, unknown>),
    affinity: k8s.toJson_Affinity(own.affinity ?? common.affinity),
    labels,
    annotations,
    ...podFeatures(role, own, common, where, fail),
    ...podFeaturesPart2(role, own, common, props, volumes, fail),
    // Scratch space: the local-dir volume, checked against the pod's memory and mounts.
    scratch: resolveScratch(own.scratch, { role, type: props.type, heap: memory, memoryOverhead: own.memoryOverhead, mounts, where }),
  };
}

/** Pod features: containers, hooks, ports (containers.ts), the template patch and the memory limit. */
function podFeaturesPart2(
  role: 'driver' | 'executor', own: SparkDriverOptions, common: SparkPodOptions, props: SparkJobProps, volumes: ReadonlyArray<Record<string, unknown>>, fail: Fail,
): Pick<ResolvedPod, 'lifecycle' | 'ports' | 'initContainers' | 'sidecars' | 'memoryLimit' | 'templatePatch'> {
  const containers = resolveContainers(own, common, {
    role,
    conf: props.sparkConf ?? {},
    volumes: new Set(volumes.map((v) => String(v.name))),
    executorPodsKept: role === 'executor' && props.executor?.deleteOnTermination === false,
    readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? true,
  }, fail);
  return {
    ...containers,
    memoryLimit: own.memoryLimit,
    templatePatch: checkTemplatePatch(own.templatePatch, `${role}.templatePatch`, fail),
  };
}

/**
 * `memoryLimit`: Spark writes the container's memory limit equal to its request and overwrites
 * a template's (BasicDriverFeatureStep / BasicExecutorFeatureStep), so only the Kubeflow
 * operator's pod webhook raises it; never below the request.
 */
function checkMemoryLimits(job: ResolvedSparkJob, operator: ISparkJobOperator | undefined, fail: Fail): void {
  const pyspark = job.sparkConf['spark.executor.pyspark.memory'];
  const pysparkMemory = pyspark ? Memory.parseSpark(pyspark, 'sparkConf["spark.executor.pyspark.memory"]') : undefined;
  for (const pod of [job.driver, job.executor]) {
    if (!pod.memoryLimit) continue;
    const field = `${pod.role}.memoryLimit`;
    const request = podMemory(pod, job.type, pysparkMemory);
    if (job.mode !== SparkJobMode.OPERATOR) {
      fail(field, `cannot differ from the request in ${job.mode} mode: Spark sets the container's memory limit to its request (${request}: heap + overhead) and overwrites any limit of the pod template`, 'remove it (the limit is the request), or raise memory/memoryOverhead; a higher limit needs SparkJobMode.OPERATOR with a SparkOperator that has its webhook');
    }
    if (!operator || operator.webhook === undefined) {
      fail(field, `needs the Kubeflow operator's pod webhook: Spark sets the memory limit to the request (${request}) and the operator raises it only in its webhook${operator ? ', which this operator does not run' : ' (no operator given to check)'}`, 'give the SparkOperator a webhook (its webhook prop) and pass it as operator, or remove memoryLimit');
    }
    if (pod.memoryLimit.compare(request) < 0) {
      fail(field, `${pod.memoryLimit} is below the ${pod.role}'s memory request ${request} (heap + overhead); the API server rejects such a pod`, `raise it to at least ${request}, or remove it`);
    }
  }
}

/** The pod features of issue 18 (pod-templates.ts writes them): the role's own replace the common ones. */
function podFeatures(role: 'driver' | 'executor', own: SparkPodOptions, common: SparkPodOptions, where: string, fail: Fail): Pick<ResolvedPod, 'terminationGracePeriodSeconds' | 'topologySpreadConstraints' | 'hostAliases' | 'dnsConfig'> {
  const grace = own.terminationGracePeriodSeconds ?? common.terminationGracePeriodSeconds;
  const graceField = own.terminationGracePeriodSeconds !== undefined ? `${role}.terminationGracePeriodSeconds` : 'pods.terminationGracePeriodSeconds';
  const spread = (own.topologySpreadConstraints ?? common.topologySpreadConstraints ?? []).map((c) => k8s.toJson_TopologySpreadConstraint(c) as Record<string, unknown>);
  const spreadField = own.topologySpreadConstraints !== undefined ? `${role}.topologySpreadConstraints` : 'pods.topologySpreadConstraints';
  spread.forEach((c, i) => {
    if (!Number.isInteger(c.maxSkew) || (c.maxSkew as number) < 1) fail(`${spreadField}[${i}].maxSkew`, `${show(c.maxSkew)} is not a whole number >= 1`, 'set maxSkew to 1 or more');
    if (!c.topologyKey) fail(`${spreadField}[${i}].topologyKey`, 'is empty', 'name a node label, e.g. "topology.kubernetes.io/zone"');
  });
  const aliases = (list: readonly k8s.HostAlias[] | undefined, field: string) => (list ?? []).map((a, i) => {
    const json = k8s.toJson_HostAlias(a) as Record<string, unknown>;
    if (!isIp(String(json.ip ?? ''))) fail(`${field}[${i}].ip`, `${show(json.ip)} is not an IPv4 or IPv6 address`, 'give the address the names resolve to, e.g. "10.0.0.5"');
    const names = (json.hostnames as string[] | undefined) ?? [];
    if (names.length === 0) fail(`${field}[${i}].hostnames`, 'is empty', 'list at least one host name');
    names.forEach((h, j) => {
      const problem = nameProblem(h, NameRule.DNS1123_SUBDOMAIN);
      if (problem) fail(`${field}[${i}].hostnames[${j}]`, problem, 'write a lower-case DNS name such as "db.internal"');
    });
    return json;
  });
  const hostAliases = [...aliases(common.hostAliases, 'pods.hostAliases'), ...aliases(own.hostAliases, `${role}.hostAliases`)];
  const dns = own.dnsConfig ?? common.dnsConfig;
  const dnsField = own.dnsConfig !== undefined ? `${role}.dnsConfig` : 'pods.dnsConfig';
  const dnsConfig = dns ? k8s.toJson_PodDnsConfig(dns) as Record<string, unknown> : undefined;
  const servers = (dnsConfig?.nameservers as string[] | undefined) ?? [];
  if (servers.length > 3) fail(`${dnsField}.nameservers`, `lists ${servers.length} servers; Kubernetes accepts at most 3`, 'keep at most 3 nameservers');
  servers.forEach((n, i) => {
    if (!isIp(n)) fail(`${dnsField}.nameservers[${i}]`, `${show(n)} is not an IP address`, 'give the nameserver\'s IPv4 or IPv6 address');
  });
  return {
    terminationGracePeriodSeconds: grace === undefined ? undefined : wholeNumber(grace, 0, graceField, where),
    topologySpreadConstraints: spread,
    hostAliases,
    dnsConfig,
  };
}

/** True for a dotted IPv4 address or an IPv6 address. */
function isIp(text: string): boolean {
  const v4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
  return v4.test(text) || (/^[0-9A-Fa-f:.]+$/.test(text) && text.includes(':') && text.split('::').length <= 2);
}

function checkPriorityClassName(name: string | undefined, fail: Fail): string | undefined {
  if (name === undefined) return undefined;
  const problem = nameProblem(name, NameRule.DNS1123_SUBDOMAIN);
  if (problem) fail('priorityClassName', problem, 'name an existing PriorityClass, e.g. "spark-batch"');
  if (name.startsWith('system-')) fail('priorityClassName', `${show(name)} is reserved for cluster-critical pods (the API server admits it only in kube-system)`, 'create a PriorityClass for Spark jobs and name it');
  return name;
}

function checkProxyUser(user: string | undefined, fail: Fail): string | undefined {
  if (user === undefined) return undefined;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/.test(user)) fail('proxyUser', `${show(user)} is not a user name`, 'use letters, digits, "_", ".", "@" and "-" (e.g. "etl" or "etl@EXAMPLE.COM")');
  return user;
}

function checkDynamicAllocation(props: SparkJobProps, where: string, fail: Fail): ResolvedDynamicAllocation | undefined {
  const d = props.dynamicAllocation;
  if (!d) return undefined;
  const min = wholeNumber(d.minExecutors ?? 0, 0, 'dynamicAllocation.minExecutors', where);
  const max = wholeNumber(d.maxExecutors, 1, 'dynamicAllocation.maxExecutors', where);
  const initial = wholeNumber(d.initialExecutors ?? min, 0, 'dynamicAllocation.initialExecutors', where);
  if (min > max) fail('dynamicAllocation.minExecutors', `${min} is above maxExecutors ${max}`, 'make minExecutors <= initialExecutors <= maxExecutors');
  if (initial < min || initial > max) fail('dynamicAllocation.initialExecutors', `${initial} is outside [minExecutors ${min}, maxExecutors ${max}]`, 'make minExecutors <= initialExecutors <= maxExecutors');
  if (props.executor?.instances !== undefined) fail('executor.instances', 'is set together with dynamicAllocation, which decides the count', 'remove executor.instances and use dynamicAllocation.initialExecutors');
  if (d.shuffleTrackingTimeoutMillis !== undefined) wholeNumber(d.shuffleTrackingTimeoutMillis, 1, 'dynamicAllocation.shuffleTrackingTimeoutMillis', where);
  return { minExecutors: min, initialExecutors: initial, maxExecutors: max, shuffleTracking: d.shuffleTracking ?? true, shuffleTrackingTimeoutMillis: d.shuffleTrackingTimeoutMillis };
}

function checkRestartPolicy(policy: RestartPolicy, mode: SparkJobMode, where: string, fail: Fail): void {
  // (APACHE_OPERATOR: applicationTolerations.restartConfig takes all three.)
  if (!(policy instanceof RestartPolicy)) fail('restartPolicy', `${show(policy)} is not a RestartPolicy`, 'use RestartPolicy.never(), RestartPolicy.onFailure({ retries }) or RestartPolicy.always()');
  if (policy.type === 'Never') return;
  if (mode === SparkJobMode.SUBMIT) {
    fail('restartPolicy', `${policy.type} needs the operator: a Job retry reruns spark-submit, which either starts a second driver or collides with the first one's name`, 'use SparkJobMode.OPERATOR, or RestartPolicy.never() (submit mode runs with backoffLimit 0)');
  }
  const r = policy.retry;
  if (policy.type === 'OnFailure') wholeNumber(r.retries as number, 1, 'restartPolicy.retries', where);
  for (const key of ['retries', 'submissionRetries', 'retryIntervalSeconds', 'submissionRetryIntervalSeconds'] as const) {
    if (r[key] !== undefined) wholeNumber(r[key] as number, key.endsWith('Seconds') ? 1 : 0, `restartPolicy.${key}`, where);
  }
}

/** Batch schedulers Spark itself supports without extra jars, and what it can pass them natively. */
function checkBatchScheduler(b: SparkJobBatchScheduler, mode: SparkJobMode, operator: ISparkJobOperator | undefined, fail: Fail): SparkJobBatchScheduler {
  const name = nameProblem(b.name, NameRule.DNS1123_SUBDOMAIN);
  if (name) fail('batchScheduler.name', name, 'write "volcano", "yunikorn" or a kube-scheduler profile name');
  if (b.queue !== undefined && !/^[A-Za-z0-9_.-]+$/.test(b.queue)) fail('batchScheduler.queue', `${show(b.queue)} is not a queue name`, 'use letters, digits, "-", "_" and "." (YuniKorn: root.<queue>)');
  if (b.priorityClassName !== undefined) {
    const problem = nameProblem(b.priorityClassName, NameRule.DNS1123_SUBDOMAIN);
    if (problem) fail('batchScheduler.priorityClassName', problem, 'name an existing PriorityClass');
  }
  for (const [name, amount] of Object.entries(b.minResources?.extended ?? {})) {
    const field = `batchScheduler.minResources.extended[${JSON.stringify(name)}]`;
    // an extended resource: a qualified name outside kubernetes.io (requests.* in a quota)
    const [prefix, base] = name.includes('/') ? [name.slice(0, name.indexOf('/')), name.slice(name.indexOf('/') + 1)] : ['', name];
    if (!prefix || nameProblem(prefix, NameRule.DNS1123_SUBDOMAIN) || !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(base) || base.length > 63
      || prefix === 'kubernetes.io' || prefix.endsWith('.kubernetes.io')) {
      fail(field, 'is not an extended resource name', 'write <vendor domain>/<resource>, e.g. "nvidia.com/gpu"; cpu and memory are minResources.cpu and .memory');
    }
    if (!Number.isInteger(amount) || amount < 1) fail(field, `${show(amount)} is not a whole number >= 1`, 'give the count the gang needs, e.g. 4');
  }
  if (mode === SparkJobMode.OPERATOR) {
    if (operator && operator.batchSchedulers === undefined) {
      fail('batchScheduler', 'is set, but the operator is not started with --enable-batch-scheduler, so its controller ignores spec.batchScheduler and the pods go to the default scheduler', 'set batchScheduler on the SparkOperator (e.g. { default: "volcano" }), or remove it from the job');
    }
    if (operator && !operator.batchSchedulers!.includes(b.name)) {
      fail('batchScheduler.name', `${show(b.name)} is not a scheduler the operator hands applications to (${operator.batchSchedulers!.join(', ')})`, 'use one of those, or add it to the SparkOperator\'s batchScheduler.kubeSchedulerNames');
    }
    return b;
  }
  // Submit and Apache-operator modes: Spark's own settings (spark.kubernetes.scheduler.name).
  if (b.name === 'volcano') {
    fail('batchScheduler.name', `"volcano" in ${mode} mode needs Spark's VolcanoFeatureStep, which the official images do not ship (Spark built with -Pvolcano)`, 'use operator mode with a SparkOperator that has batchScheduler set (it creates the PodGroup), or YuniKorn');
  }
  if (b.priorityClassName !== undefined || b.minResources !== undefined) {
    fail(b.priorityClassName !== undefined ? 'batchScheduler.priorityClassName' : 'batchScheduler.minResources', `is an operator-mode pod-group option; in ${mode} mode Spark passes only the scheduler name and, for YuniKorn, the queue`, 'use operator mode, or leave it out');
  }
  if (b.queue !== undefined && b.name !== 'yunikorn') {
    fail('batchScheduler.queue', `is set for ${show(b.name)}, which takes no queue from Spark`, 'leave it out, or use "yunikorn"');
  }
  return b;
}

function checkSchedule(props: SparkJobProps, mode: SparkJobMode, where: string, fail: Fail): ResolvedSchedule {
  const s = props.schedule!;
  if (mode === SparkJobMode.APACHE_OPERATOR) {
    fail('schedule', 'is set, but the Apache Spark Kubernetes Operator (1.0.0) has no scheduled applications (no cron, no suspend)', 'use SparkJobMode.OPERATOR (a ScheduledSparkApplication) or SparkJobMode.SUBMIT (a CronJob) for this job, or let an orchestrator create a run per schedule');
  }
  const dialect = mode === SparkJobMode.OPERATOR ? CronDialect.OPERATOR : CronDialect.KUBERNETES;
  const problem = cronProblem(s.cron, dialect);
  if (problem) fail('schedule.cron', problem, mode === SparkJobMode.OPERATOR ? 'write 5 fields (minute hour day-of-month month day-of-week), @hourly/@daily/..., or @every <duration>' : 'write 5 fields (minute hour day-of-month month day-of-week) or @hourly/@daily/...; the time zone goes in schedule.timeZone');
  const timeZone = s.timeZone ?? 'Etc/UTC';
  const tzProblem = timeZoneProblem(timeZone);
  if (tzProblem) fail('schedule.timeZone', tzProblem, 'use an IANA zone name such as "Etc/UTC" or "Europe/Berlin"');
  const policy = s.concurrencyPolicy ?? ConcurrencyPolicy.FORBID;
  if (!Object.values(ConcurrencyPolicy).includes(policy)) fail('schedule.concurrencyPolicy', `${show(policy)} is not a concurrency policy`, 'use ConcurrencyPolicy.ALLOW, FORBID or REPLACE');
  return {
    cron: s.cron.trim(),
    timeZone,
    concurrencyPolicy: policy,
    successfulRunHistoryLimit: wholeNumber(s.successfulRunHistoryLimit ?? 1, 0, 'schedule.successfulRunHistoryLimit', where),
    failedRunHistoryLimit: wholeNumber(s.failedRunHistoryLimit ?? 1, 0, 'schedule.failedRunHistoryLimit', where),
    suspend: s.suspend ?? false,
  };
}

/** The pods must pass the namespace's LimitRange and fit its quota, or they are rejected at run time. */
function checkFitsNamespace(job: ResolvedSparkJob, fail: Fail): void {
  const ns = job.namespace;
  const pyspark = job.sparkConf['spark.executor.pyspark.memory'];
  const pysparkMemory = pyspark ? Memory.parseSpark(pyspark, 'sparkConf["spark.executor.pyspark.memory"]') : undefined;
  const pods = [job.driver, job.executor].map((p) => ({ role: p.role, cpu: podCpu(p), memory: podMemory(p, job.type, pysparkMemory), memoryLimit: podMemoryLimit(p, job.type, pysparkMemory), limit: p.coreLimit }));
  const d = ns.containerDefaults;
  for (const p of pods) {
    const text = `the ${p.role} pod requests ${p.cpu} CPU and ${p.memory} memory (heap + overhead)`;
    if (d?.maxCpu && (p.limit ?? p.cpu).compare(d.maxCpu) > 0) fail(`${p.role}.cores`, `${text}, above the LimitRange maximum of ${d.maxCpu} CPU in namespace ${show(ns.name)}`, `lower ${p.role}.cores/coreLimit, or raise the tenant's containerDefaults.maxCpu`);
    if (d?.maxMemory && p.memoryLimit.compare(d.maxMemory) > 0 && p.memory.compare(d.maxMemory) <= 0) fail(`${p.role}.memoryLimit`, `${p.memoryLimit} is above the LimitRange maximum of ${d.maxMemory} in namespace ${show(ns.name)}`, `lower ${p.role}.memoryLimit, or raise the tenant's containerDefaults.maxMemory`);
    if (d?.maxMemory && p.memory.compare(d.maxMemory) > 0) fail(`${p.role}.memory`, `${text}, above the LimitRange maximum of ${d.maxMemory} in namespace ${show(ns.name)}`, `lower ${p.role}.memory (or memoryOverhead), or raise the tenant's containerDefaults.maxMemory`);
    if (d?.cpuLimit && !p.limit && d.cpuLimit.compare(p.cpu) < 0) fail(`${p.role}.coreLimit`, `is not set, so the namespace default CPU limit ${d.cpuLimit} applies, below the ${p.cpu} CPU requested: the API server rejects the pod`, `set ${p.role}.coreLimit to at least ${p.cpu}`);
  }
  const q = ns.quota;
  if (!q) return;
  const executors = startingExecutors(job);
  const submitter = job.mode === SparkJobMode.SUBMIT ? 1 : 0;
  const cpu = pods[0].cpu.plus(pods[1].cpu.times(executors)).plus(submitter ? job.submitter.cpu : Cpu.ZERO);
  const memory = pods[0].memory.plus(pods[1].memory.times(executors)).plus(submitter ? job.submitter.memory : Memory.ZERO);
  const count = 1 + executors + submitter;
  const text = `${job.mode === SparkJobMode.SUBMIT ? 'the submitter, ' : ''}the driver and ${executors} executor(s) need ${cpu} CPU, ${memory} memory and ${count} pods at start`;
  if (cpu.compare(q.cpu) > 0) fail('executor', `${text}, above namespace ${show(ns.name)}'s quota of ${q.cpu} CPU`, 'run fewer or smaller executors, or raise the tenant\'s quota.cpu');
  if (memory.compare(q.memory) > 0) fail('executor', `${text}, above namespace ${show(ns.name)}'s quota of ${q.memory} memory`, 'run fewer or smaller executors, or raise the tenant\'s quota.memory');
  if (count > q.pods) fail('executor', `${text}, above namespace ${show(ns.name)}'s quota of ${q.pods} pods`, 'run fewer executors, or raise the tenant\'s quota.pods');
  // limits.memory is charged the real limit (memoryLimit raises it above the request; without it, limits = requests, checked above).
  const limits = pods[0].memoryLimit.plus(pods[1].memoryLimit.times(executors)).plus(submitter ? job.submitter.memory : Memory.ZERO);
  if ((job.driver.memoryLimit || job.executor.memoryLimit) && q.limitsMemory && limits.compare(q.limitsMemory) > 0) fail(pods[0].memoryLimit.compare(pods[0].memory) > 0 ? 'driver.memoryLimit' : 'executor.memoryLimit', `the pods' memory limits add up to ${limits} at start, above namespace ${show(ns.name)}'s quota of ${q.limitsMemory} limits.memory`, 'lower memoryLimit, run fewer executors, or raise the tenant\'s quota.limitsMemory');
  // Scratch space: ephemeral volumes and on-demand claims are PersistentVolumeClaims.
  const scratch = plusScratch(scratchStorage(job.driver.scratch, 1), scratchStorage(job.executor.scratch, executors));
  const claimsText = `the driver's and ${executors} executor(s)' scratch volumes are ${scratch.claims} PersistentVolumeClaim(s) of ${scratch.storage} at start`;
  const scratchField = job.executor.scratch && job.executor.scratch.kind !== 'emptyDir' ? job.executor.scratch.field : job.driver.scratch?.field ?? 'executor.scratch';
  if (scratch.claims > q.persistentVolumeClaims) fail(scratchField, `${claimsText}, above namespace ${show(ns.name)}'s quota of ${q.persistentVolumeClaims} claims`, 'run fewer executors, use a sized emptyDir, or raise the tenant\'s quota.persistentVolumeClaims');
  if (scratch.storage.compare(q.storage) > 0) fail(scratchField, `${claimsText}, above namespace ${show(ns.name)}'s quota of ${q.storage} storage`, 'make the scratch smaller, run fewer executors, or raise the tenant\'s quota.storage');
}

/**
 * Run-time failures of object-store use, checked at synth (after wiring may have been added):
 * an `s3a://` URI without s3a wiring (403 / no credentials, or ClassNotFoundException:
 * S3AFileSystem), a hadoop-aws package that does not match the Spark line (NoSuchMethodError),
 * and packages that the driver cannot download because the tenant allows no egress to a
 * Maven repository.
 */
export function checkObjectStoreUse(job: ResolvedSparkJob, conf: Readonly<Record<string, string>>): string[] {
  const where = `SparkJob ${show(job.name)}`;
  const errors: string[] = [];
  const uses = [
    ['mainApplicationFile', job.mainApplicationFile] as const,
    ...job.arguments.map((a, i) => [`arguments[${i}]`, a] as const),
    ...Object.entries(job.deps).flatMap(([k, list]) => (list as readonly string[]).map((u, i) => [`deps.${k}[${i}]`, u] as const)),
    ...Object.entries(job.sparkConf).map(([k, v]) => [`sparkConf[${show(k)}]`, v] as const),
  ].filter(([, v]) => /(^|[\s,=])s3a:\/\//.test(v));
  const wired = Object.keys(conf).some((k) => k.startsWith('spark.hadoop.fs.s3a.'));
  if (uses.length > 0 && !wired) {
    errors.push(`${where} ${uses[0][0]}: ${show(uses[0][1])} is an s3a:// URI, but the job has no object-store wiring (no spark.hadoop.fs.s3a.* conf, no credentials, no hadoop-aws): it would fail with 403 or ClassNotFoundException: S3AFileSystem. Fix: give the platform storage (it connects every job), or call connection.connect(job) (ObjectStoreConnection).`);
  }
  const line = job.driver.image.line;
  for (const p of job.deps.packages) {
    const m = /^org\.apache\.hadoop:hadoop-aws:(.+)$/.exec(p);
    if (m && line && m[1] !== line.hadoopAws) {
      errors.push(`${where} deps.packages: hadoop-aws ${m[1]} does not match Spark ${job.driver.image.sparkVersion}, which bundles Hadoop ${line.hadoopAws}: expect NoSuchMethodError or ClassNotFoundException at run time. Fix: use org.apache.hadoop:hadoop-aws:${line.hadoopAws} with ${line.awsSdkBundle} (or let the object-store connection add them).`);
    }
  }
  if (job.deps.packages.length > 0 && job.namespace.canDownloadPackages === false) {
    errors.push(`${where} deps.packages: ${job.deps.packages.join(', ')} must be downloaded by the driver at start, but namespace ${show(job.namespace.name)} allows no egress to a Maven repository. Fix: set the tenant's packageRepository (network.packageRepository in the environment config), or bake the jars into the image (S3aJars.IMAGE for the object store).`);
  }
  return errors;
}

/**
 * The Kueue queue of a job: a LocalQueue name, in a mode Kueue can hold back. Kueue's
 * SparkApplication integration covers sparkoperator.k8s.io SparkApplications (not scheduled
 * ones: no integration creates their runs suspended) and batch/v1 Jobs natively; it has none
 * for spark.apache.org.
 */
function checkQueue(props: SparkJobProps, mode: SparkJobMode, fail: Fail): string | undefined {
  const queue = props.queue;
  if (queue === undefined) return undefined;
  const problem = nameProblem(queue, NameRule.DNS1123_SUBDOMAIN);
  if (problem) fail('queue', `${problem}; it names a Kueue LocalQueue`, 'give the name of the LocalQueue in the job\'s namespace (KueueQueues: "spark" by default)');
  if (mode === SparkJobMode.APACHE_OPERATOR) {
    fail('queue', 'is set in apache-operator mode, but Kueue has no integration for spark.apache.org SparkApplications: nothing would hold the job back or account its pods', 'use SparkJobMode.OPERATOR (Kubeflow operator with Kueue\'s SparkApplication framework) or SparkJobMode.SUBMIT, or leave queue out');
  }
  if (mode === SparkJobMode.OPERATOR && props.schedule) {
    fail('queue', 'is set on a scheduled operator-mode job: Kueue has no integration for ScheduledSparkApplication, so its runs would start unqueued', 'use SparkJobMode.SUBMIT for a queued schedule (a CronJob whose Jobs Kueue admits), or drop the schedule');
  }
  return queue;
}
