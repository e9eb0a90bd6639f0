import { Memory, Cpu } from '../../constructs/units';
import { RestartPolicy, SparkJobMode } from '../../constructs/jobs';
import { SparkEnvValue } from '../../constructs/spark-env';
import { SparkImage } from '../../constructs/spark-image';
import { PlatformConfig } from '../../stacks/config';
import { dev } from '../../stacks/environments';
import { isUserError, renderAll } from '../../stacks/synth';

/**
 * A corpus of bad inputs, as a new user writes them, through the whole synth (renderAll: config
 * check, constructs, doctor, schema validation). Each must be refused as an input error (reported
 * without a stack trace, so dist/ is left as it was) whose message names the field or rule and
 * says how to fix it. The classes follow issue 17: props from the types, Spark conf keys, secrets
 * in the output, rights and policies, image references, and the doctor's run-time checks.
 */

type Env = Record<string, any>;
const base = (): Env => ({ ...dev, name: 'bad' });
const job0 = (e: Env) => e.jobs[0];
/** dev with a change to its first job (operator mode). */
const job = (change: Record<string, unknown>): Env => {
  const e = base();
  e.jobs = [{ ...job0(e), ...change }, ...e.jobs.slice(1)];
  return e;
};
/** dev with a change to its submit-mode job. */
const submitJob = (change: Record<string, unknown>): Env => {
  const e = base();
  e.jobs = [e.jobs[0], { ...e.jobs[1], ...change }];
  return e;
};
const notebook = (change: Record<string, unknown>): Env => {
  const e = base();
  e.notebooks = [{ ...e.notebooks[0], ...change }];
  return e;
};
const tenant = (change: Record<string, unknown>): Env => ({ ...base(), tenants: [{ name: 'spark-jobs', ...change }] });
const network = (change: Record<string, unknown>): Env => ({ ...base(), network: { ...dev.network, ...change } });
const storage = (change: Record<string, unknown>): Env => ({ ...base(), storage: { ...dev.storage, ...change } });
const operator = (change: Record<string, unknown>): Env => ({ ...base(), operator: { ...dev.operator, ...change } });
// Tokens are assembled here, so no credential-looking literal sits in the repository.
/** A reference moved to the mutable tag (never written out: the repository pins every image). */
const mutable = (ref: string) => ref.replace(/:[^:/]+$/, ':latest');
const fake = (prefix: string, n: number) => prefix + 'x7Kq2'.repeat(Math.ceil(n / 5)).slice(0, n);

const CORPUS: Array<[string, () => Env, RegExp]> = [
  // props and environments, checked against the types
  ['unknown top-level field', () => ({ ...base(), tennants: [] }), /tennants: is not a known field/],
  ['misspelled job field', () => job({ excutor: { instances: 2 } }), /jobs\[0\]\.excutor: is not a known field\. Fix: did you mean "executor"/],
  ['misspelled nested job field', () => job({ executor: { instances: 2, memmory: Memory.gibibytes(1) } }), /jobs\[0\]\.executor\.memmory: is not a known field/],
  ['arguments as a string', () => job({ arguments: '1000' }), /jobs\[0\]\.arguments: "1000" is not a list/],
  ['mode in the wrong case', () => job({ mode: 'Submit' }), /jobs\[0\]\.mode: "Submit" is not one of/],
  ['unknown mode', () => job({ mode: 'yarn' }), /jobs\[0\]\.mode: "yarn" is not one of/],
  ['unknown type', () => job({ type: 'Kotlin' }), /jobs\[0\]\.type: "Kotlin" is not one of/],
  ['unknown pull policy', () => job({ imagePullPolicy: 'Sometimes' }), /jobs\[0\]\.imagePullPolicy: "Sometimes" is not one of/],
  ['memory as a string', () => job({ executor: { instances: 2, memory: '2Gi' } }), /jobs\[0\]\.executor\.memory: "2Gi" is not a Memory\. Fix: build it with Memory\.parse/],
  ['driver memory as a number', () => job({ driver: { memory: 512 } }), /jobs\[0\]\.driver\.memory: 512 is not a Memory/],
  ['cores as a string', () => job({ executor: { instances: 2, cores: '2' } }), /jobs\[0\]\.executor\.cores: "2" is not a number/],
  ['instances as a string', () => job({ executor: { instances: '2' } }), /jobs\[0\]\.executor\.instances: "2" is not a number/],
  ['core limit as a string', () => job({ driver: { coreLimit: '1200m' } }), /jobs\[0\]\.driver\.coreLimit: "1200m" is not a Cpu\. Fix: build it with Cpu\.parse/],
  ['image as a reference string', () => job({ image: 'apache/spark:4.0.3' }), /jobs\[0\]\.image: "apache\/spark:4\.0\.3" is not a SparkImage/],
  ['restart policy as an object', () => job({ restartPolicy: { type: 'OnFailure' } }), /jobs\[0\]\.restartPolicy: .* is not a RestartPolicy/],
  ['env value as a string', () => job({ driver: { env: { MODE: 'fast' } } }), /jobs\[0\]\.driver\.env\.MODE: "fast" is not a SparkEnvValue/],
  ['conf value as a number', () => job({ sparkConf: { 'spark.executor.cores': 2 } }), /jobs\[0\]\.sparkConf\["spark\.executor\.cores"\]: 2 is not a string\. Fix: quote it/],
  ['conf value as a boolean', () => job({ sparkConf: { 'spark.eventLog.enabled': true } }), /sparkConf\["spark\.eventLog\.enabled"\]: true is not a string/],
  ['hadoop conf value as a number', () => job({ hadoopConf: { 'fs.s3a.connection.maximum': 100 } }), /hadoopConf\["fs\.s3a\.connection\.maximum"\]: 100 is not a string/],
  ['labels as a list', () => job({ labels: ['team=a'] }), /jobs\[0\]\.labels: .* is not an object/],
  ['label value as a number', () => job({ labels: { team: 1 } }), /jobs\[0\]\.labels\.team: 1 is not a string/],
  ['ttl as a string', () => job({ timeToLiveSeconds: '3600' }), /jobs\[0\]\.timeToLiveSeconds: "3600" is not a number/],
  ['read-only root as a string', () => job({ readOnlyRootFilesystem: 'false' }), /jobs\[0\]\.readOnlyRootFilesystem: "false" is not true or false/],
  ['job without a main file', () => job({ mainApplicationFile: undefined }), /jobs\[0\]\.mainApplicationFile: is required/],
  ['job without a tenant', () => job({ tenant: undefined }), /jobs\[0\]\.tenant: is required/],
  ['job in an unknown tenant', () => job({ tenant: 'nope' }), /jobs\[0\]\.tenant: "nope" is not one of the tenants/],
  ['two jobs with one name', () => submitJob({ name: 'spark-pi' }), /jobs\[1\]\.name: "spark-pi" is already jobs\[0\]/],
  ['job name not DNS-1035', () => job({ name: 'Spark_Pi' }), /name: "Spark_Pi"/],
  ['dynamic allocation misspelled', () => job({ dynamicAllocation: { enabeld: true } }), /jobs\[0\]\.dynamicAllocation\.enabeld: is not a known field/],
  ['deps packages as a string', () => job({ deps: { packages: 'org.example:lib:1.0' } }), /jobs\[0\]\.deps\.packages: "org\.example:lib:1\.0" is not a list/],
  ['schedule misspelled', () => job({ schedule: { crn: '0 * * * *' } }), /jobs\[0\]\.schedule\.crn: is not a known field/],
  ['pods misspelled', () => job({ pods: { tolerationz: [] } }), /jobs\[0\]\.pods\.tolerationz: is not a known field/],
  ['submitter misspelled', () => submitJob({ submitter: { memmory: Memory.gibibytes(1) } }), /jobs\[1\]\.submitter\.memmory: is not a known field/],
  ['notebook field misspelled', () => notebook({ sesions: 2 }), /notebooks\[0\]\.sesions: is not a known field\. Fix: did you mean "sessions"/],
  ['notebook memory as a string', () => notebook({ memory: '4Gi' }), /notebooks\[0\]\.memory: "4Gi" is not a Memory/],
  ['notebook image as a string', () => notebook({ image: 'jupyter/pyspark-notebook:x' }), /notebooks\[0\]\.image: "jupyter\/pyspark-notebook:x" is not a SparkNotebookImage/],
  ['notebook sessions as a string', () => notebook({ sessions: '2' }), /notebooks\[0\]\.sessions: "2" is not a number/],
  ['notebook in an unknown tenant', () => notebook({ tenant: 'nope' }), /notebooks\[0\]\.tenant: "nope" is not one of the tenants/],
  ['tenant field misspelled', () => tenant({ qouta: {} }), /tenants\[0\]\.qouta: is not a known field\. Fix: did you mean "quota"/],
  ['tenant name not a DNS label', () => tenant({ name: 'Spark_Jobs' }), /tenants\[0\]\.name: "Spark_Jobs" is not a valid DNS-1123 label/],
  ['quota in Spark syntax', () => tenant({ quota: { memory: '32g' } }), /tenants\[0\]\.quota\.memory: "32g" is Spark memory syntax.*Fix: write "32Gi"/],
  ['quota CPU not a quantity', () => tenant({ quota: { cpu: 'eight' } }), /tenants\[0\]\.quota\.cpu: "eight" is not a Kubernetes quantity/],
  ['quota pods as a string', () => tenant({ quota: { pods: '40' } }), /tenants\[0\]\.quota\.pods: "40" is not a whole number/],
  ['quota pods fractional', () => tenant({ quota: { pods: 4.5 } }), /tenants\[0\]\.quota\.pods: 4\.5 is not a whole number/],
  ['quota pods negative', () => tenant({ quota: { pods: -1 } }), /tenants\[0\]\.quota\.pods: -1 is less than 0/],
  ['unknown Pod Security level', () => tenant({ podSecurity: 'strict' }), /tenants\[0\]\.podSecurity: "strict" is not one of/],
  ['container default not a quantity', () => tenant({ containerDefaults: { maxCpu: 'lots' } }), /tenants\[0\]\.containerDefaults\.maxCpu: "lots"/],
  ['minimum job misspelled', () => tenant({ minimumJob: { executorz: 2 } }), /tenants\[0\]\.minimumJob\.executorz: is not a known field/],
  ['api server port 0', () => network({ apiServerPorts: [0] }), /network\.apiServerPorts\[0\]: 0 is less than 1/],
  ['api server port too high', () => network({ apiServerPorts: [70000] }), /network\.apiServerPorts\[0\]: 70000 is more than 65535/],
  ['api server port as a string', () => network({ apiServerPorts: ['443'] }), /network\.apiServerPorts\[0\]: "443" is not a whole number/],
  ['no api server addresses', () => network({ apiServerCidrs: [] }), /network\.apiServerCidrs: .* has fewer than 1 item/],
  ['api server address without prefix', () => network({ apiServerCidrs: ['10.0.0.1'] }), /cidrs\[0\]: "10\.0\.0\.1" is not a CIDR/],
  ['endpoint with namespace and cidrs', () => network({ objectStore: { namespace: 'x', cidrs: ['10.0.0.0/8'], ports: [9000] } }), /network\.objectStore: sets both namespace and cidrs/],
  ['endpoint without ports', () => network({ objectStore: { namespace: 'spark-platform' } }), /network\.objectStore\.ports: no ports are given/],
  ['network field misspelled', () => network({ apiServerCIDRs: ['10.0.0.0/8'] }), /network\.apiServerCIDRs: is not a known field/],
  ['operator workers as a string', () => operator({ workers: '4' }), /operator\.workers: "4" is not a whole number/],
  ['operator replicas zero', () => operator({ replicas: 0 }), /operator\.replicas: 0 is less than 1/],
  ['operator field misspelled', () => operator({ wrokers: 4 }), /operator\.wrokers: is not a known field\. Fix: did you mean "workers"/],
  ['operator namespace not a label', () => operator({ namespace: 'Spark Operator' }), /operator\.namespace: "Spark Operator" is not a valid DNS-1123 label/],
  ['webhook certificate unknown', () => operator({ webhook: { certificate: 'vault' } }), /operator\.webhook\.certificate: "vault" is not one of/],
  ['webhook without certificate', () => operator({ webhook: {} }), /operator\.webhook\.certificate: is required/],
  ['storage field misspelled', () => storage({ buckts: [] }), /storage\.buckts: is not a known field\. Fix: did you mean "buckets"/],
  ['MinIO mode unknown', () => storage({ minio: { mode: 'single' } }), /storage\.minio\.mode: "single" is not one of/],
  ['MinIO size in Spark syntax', () => storage({ minio: { size: '20g' } }), /storage\.minio\.size: "20g" is Spark memory syntax/],
  ['jars mode unknown', () => storage({ jars: 'maven' }), /storage\.jars: "maven" is not one of/],
  ['History Server image as a string', () => storage({ historyServer: { image: 'apache/spark:4.0.3' } }), /storage\.historyServer\.image: "apache\/spark:4\.0\.3" is not a SparkImage/],
  ['doctor field misspelled', () => ({ ...base(), doctor: { nodeShapes: [] } }), /doctor\.nodeShapes: is not a known field/],
  ['environment name not a label', () => ({ ...base(), name: 'Dev Env' }), /name: "Dev Env" is not a valid DNS-1123 label/],
  // Spark conf keys
  ['misspelled conf key', () => job({ sparkConf: { 'spark.exeutor.memoryOverhead': '512m' } }), /sparkConf\["spark\.exeutor\.memoryOverhead"\]: .*Fix: did you mean "spark\.executor\.memoryOverhead"/],
  ['misspelled sql key', () => job({ sparkConf: { 'spark.sql.shuffle.partitons': '64' } }), /sparkConf\["spark\.sql\.shuffle\.partitons"\]: .*did you mean "spark\.sql\.shuffle\.partitions"/],
  ['misspelled kubernetes key', () => job({ sparkConf: { 'spark.kubernetes.executor.deleteOnTermnation': 'false' } }), /sparkConf\["spark\.kubernetes\.executor\.deleteOnTermnation"\]/],
  ['invented key', () => job({ sparkConf: { 'spark.make.it.fast': 'true' } }), /sparkConf\["spark\.make\.it\.fast"\]: .*allowedSparkConfKeys/],
  ['a key the construct owns', () => job({ sparkConf: { 'spark.kubernetes.namespace': 'other' } }), /sparkConf\["spark\.kubernetes\.namespace"\]/],
  ['a key a typed prop sets', () => job({ sparkConf: { 'spark.executor.memoryOverhead': '1g' } }), /sparkConf\["spark\.executor\.memoryOverhead"\]: .*contradicts the typed prop/],
  ['a size in Kubernetes syntax in conf', () => job({ sparkConf: { 'spark.driver.maxResultSize': '1Gi' } }), /sparkConf\["spark\.driver\.maxResultSize"\]: "1Gi" is not a Spark size\. Fix: Spark writes "1g"/],
  ['hadoop key in sparkConf and hadoopConf', () => job({ sparkConf: { 'spark.hadoop.fs.s3a.path.style.access': 'true' }, hadoopConf: { 'fs.s3a.path.style.access': 'false' } }), /sets the same Hadoop key/],
  ['spark key in hadoopConf', () => job({ hadoopConf: { 'spark.executor.cores': '2' } }), /hadoopConf\["spark\.executor\.cores"\]: is a Spark key/],
  ['conf on a notebook, which takes none', () => notebook({ sparkConf: { 'spark.sql.adaptive.enabled': 'true' } }), /notebooks\[0\]\.sparkConf: is not a known field/],
  // secrets in the output
  ['password in a repository URL', () => job({ deps: { repositories: [`https://deploy:${fake('', 12)}@repo.example.com/maven`] } }), /secret-in-output.*deps|repositories.*user:password|password/],
  ['literal API key in env', () => job({ driver: { env: { API_KEY: SparkEnvValue.fromValue(fake('', 32)) } } }), /secret-in-output/],
  ['keystore password in conf', () => job({ sparkConf: { 'spark.ssl.keyStorePassword': fake('', 16) } }), /secret-in-output/],
  ['GitHub token in an annotation', () => job({ annotations: { 'example.com/token': fake('ghp_', 36) } }), /secret-in-output/],
  ['AWS key id in an argument', () => job({ arguments: [fake('AKIA', 16).toUpperCase()] }), /secret-in-output/],
  ['secret key in hadoop conf', () => job({ hadoopConf: { 'fs.s3a.secret.key': fake('', 40) } }), /secret-in-output/],
  ['password in an external endpoint', () => storage({ minio: undefined, external: { endpoint: `https://user:${fake('', 12)}@s3.example.com` } }), /secret-in-output|endpoint/],
  // rights and policies
  ['no tenants', () => ({ ...base(), tenants: [], jobs: [], notebooks: [] }), /tenants: is empty/],
  ['tenant label owned by the platform', () => tenant({ labels: { 'app.kubernetes.io/managed-by': 'me' } }), /labels\["app\.kubernetes\.io\/managed-by"\]: .*set by the platform/],
  ['tenant label of Pod Security', () => tenant({ labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } }), /labels\["pod-security\.kubernetes\.io\/enforce"\]/],
  ['tenant label of the platform prefix', () => tenant({ labels: { 'spark-platform.io/tenant': 'other' } }), /labels\["spark-platform\.io\/tenant"\]/],
  ['job label spark-role', () => job({ labels: { 'spark-role': 'driver' } }), /labels\["spark-role"\]/],
  ['job label spark-app-selector', () => job({ labels: { 'spark-app-selector': 'x' } }), /labels\["spark-app-selector"\]/],
  ['tenant label value invalid', () => tenant({ labels: { team: 'data eng' } }), /labels\["team"\]: "data eng" is not a valid label value/],
  ['privileged tenant without a reason', () => tenant({ podSecurity: 'privileged' }), /podSecurity/],
  ['tolerate everything', () => job({ pods: { tolerations: [{ operator: 'Exists' }] } }), /tolerates-everything/],
  ['unconfined seccomp annotation on the driver', () => job({ driver: { memory: Memory.mebibytes(512), annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } } }), /unconfined|seccomp/],
  ['external store without an address', () => ({ ...storage({ minio: undefined, external: { endpoint: 'https://s3.example.com' } }), network: { apiServerCidrs: ['0.0.0.0/0'], packageRepository: { cidrs: ['0.0.0.0/0'], ports: [443] } } }), /networkEndpoint|objectStore/],
  ['AWS store without an address', () => ({ ...storage({ minio: undefined, aws: { region: 'eu-west-1' } }), network: { apiServerCidrs: ['0.0.0.0/0'], packageRepository: { cidrs: ['0.0.0.0/0'], ports: [443] } } }), /networkEndpoint|objectStore/],
  // image references
  ['job image with latest', () => job({ image: SparkImage.custom({ image: mutable('registry.example.com/spark:4.0.3'), sparkVersion: '4.0.3' }) }), /latest/],
  ['job image without a tag', () => job({ image: SparkImage.custom({ image: 'registry.example.com/spark', sparkVersion: '4.0.3' }) }), /image/],
  ['operator image unpinned', () => operator({ image: 'ghcr.io/kubeflow/spark-operator/controller' }), /SparkOperator image: .* has no tag/],
  ['operator image with latest', () => operator({ image: mutable('ghcr.io/kubeflow/spark-operator/controller:2.5.2') }), /latest/],
  ['operator image with empty tag', () => operator({ image: 'ghcr.io/kubeflow/spark-operator/controller:' }), /image/],
  ['operator image with whitespace', () => operator({ image: 'ghcr.io/kubeflow/spark operator:2.5.2' }), /image/],
  ['MinIO image with empty digest', () => storage({ minio: { image: 'quay.io/minio/minio@sha256:' } }), /image/],
  // the doctor's run-time checks
  ['s3:// instead of s3a://', () => job({ arguments: ['s3://spark-data/in'] }), /s3-scheme-not-s3a/],
  ['s3n:// event log', () => job({ sparkConf: { 'spark.eventLog.dir': 's3n://spark-logs/x' } }), /s3-scheme-not-s3a|eventLog/],
  ['Python of driver and executors differ', () => submitJob({ sparkConf: { 'spark.pyspark.driver.python': 'python3.11', 'spark.pyspark.python': 'python3.10' } }), /pyspark-python-mismatch/],
  ['a pod larger than every node', () => job({ executor: { instances: 2, memory: Memory.gibibytes(16) } }), /pod-exceeds-node|quota/],
  ['a job above the quota', () => job({ executor: { instances: 30, memory: Memory.mebibytes(512) } }), /job-exceeds-quota|quota/],
  ['driver API egress blocked', () => ({ ...network({ apiServerPorts: [443] }), doctor: { ...dev.doctor, apiServer: { port: 6443 } } }), /driver-api-egress-blocked/],
  ['a restart policy without retries', () => job({ restartPolicy: RestartPolicy.onFailure({ retries: 0 }) }), /retries/],
  ['cores above the node', () => job({ executor: { instances: 1, cores: 8 } }), /pod-exceeds-node|cores|quota/],
  ['core limit below the request', () => job({ driver: { cores: 2, coreLimit: Cpu.millis(500) } }), /coreLimit/],
  ['submit mode with an operator-only field', () => submitJob({ mode: SparkJobMode.SUBMIT, timeToLiveSeconds: -1 }), /timeToLiveSeconds/],
  // pod features, part 2 (issue 18)
  ['a sidecar on latest', () => job({ executor: { instances: 2, sidecars: [{ name: 'agent', image: mutable('busybox:1.36') }] } }), /SparkJob "spark-pi" executor\.sidecars\[0\]\.image: "busybox:[l]atest" uses the mutable tag latest/],
  ['a privileged init container', () => job({ pods: { initContainers: [{ name: 'init', image: 'busybox:1.36.1', securityContext: { privileged: true } }] } }), /pods\.initContainers\[0\]\.securityContext\.privileged: is true/],
  ['a non-native driver sidecar', () => submitJob({ driver: { sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.31.2' }] } }), /driver\.sidecars\[0\]\.native: is not true/],
  ['an extra port on the Spark UI port', () => job({ driver: { ports: [{ name: 'web', containerPort: 4040 }] } }), /driver\.ports\[0\]\.containerPort: 4040 is the Spark UI/],
  ['memoryLimit in submit mode', () => submitJob({ driver: { memoryLimit: Memory.gibibytes(4) } }), /driver\.memoryLimit: cannot differ from the request in submit mode/],
  ['a template patch that makes the pod privileged', () => job({ driver: { templatePatch: [{ op: 'add', path: '/spec/hostNetwork', value: true }] } }), /driver\.templatePatch\[0\]: .*spec\.hostNetwork true/],
  ['a template patch of the wrong type', () => job({ executor: { instances: 2, templatePatch: [{ op: 'add', path: '/spec/priority', value: 'high' }] } }), /executor\.templatePatch\[0\]: .*not a valid Pod/],
  // monitoring in the configuration (issue 18)
  ['monitoring field misspelled', () => ({ ...base(), monitoring: { podMonitor: {} } }), /monitoring\.podMonitor: is not a known field\. Fix: did you mean "podMonitors"/],
  ['PodMonitors without the tenants\' scrapers', () => ({ ...base(), monitoring: { podMonitors: {} } }), /tenants\[0\]\.metricsAccess: is not set, but monitoring\.podMonitors scrapes every tenant: the default-deny NetworkPolicy of "spark-jobs" would drop every scrape\. Fix: list the Prometheus pods/],
  ['a tenant\'s empty metricsAccess over the defaults\'', () => ({ ...tenant({ metricsAccess: [] }), tenantDefaults: { ...dev.tenantDefaults, metricsAccess: [{ namespace: 'monitoring' }] }, monitoring: { podMonitors: {} } }), /tenants\[0\]\.metricsAccess: is not set \(its own list is empty\)/],
  ['PodMonitor interval not a duration', () => ({ ...tenant({ metricsAccess: [{ namespace: 'monitoring' }] }), monitoring: { podMonitors: { interval: '30 seconds' } } }), /monitoring\.podMonitors\.interval: "30 seconds" is not a Prometheus duration\. Fix: write it like "30s"/],
  ['PodMonitor label owned by the platform', () => ({ ...tenant({ metricsAccess: [{ namespace: 'monitoring' }] }), monitoring: { podMonitors: { labels: { 'app.kubernetes.io/part-of': 'x' } } } }), /monitoring\.podMonitors\.labels\["app\.kubernetes\.io\/part-of"\]/],
  ['operator PodMonitor without operator.metricsAccess', () => ({ ...base(), monitoring: { operator: true } }), /monitoring\.operator: is true but operator\.metricsAccess is empty.*Fix: list the Prometheus pods .* in operator\.metricsAccess/],
  ['operator PodMonitor set twice', () => ({ ...operator({ metricsAccess: [{ namespace: 'monitoring' }], monitoring: { podMonitor: {} } }), monitoring: { operator: true } }), /monitoring\.operator: is true and operator\.monitoring is set too/],
  ['monitoring.operator as a string', () => ({ ...base(), monitoring: { operator: 'yes' } }), /monitoring\.operator: "yes" is not true or false/],
  ['dashboard without a namespace', () => ({ ...base(), monitoring: { dashboard: { folder: 'Spark' } } }), /monitoring\.dashboard\.namespace: is required/],
  ['dashboard namespace not a label', () => ({ ...base(), monitoring: { dashboard: { namespace: 'Monitoring' } } }), /monitoring\.dashboard\.namespace: "Monitoring" is not a valid DNS-1123 label/],
  ['dashboard label value invalid', () => ({ ...base(), monitoring: { dashboard: { namespace: 'monitoring', labels: { team: 'data eng' } } } }), /monitoring\.dashboard\.labels\["team"\]: "data eng" is not a valid label value/],
  ['metricsAccess peer as a string', () => tenant({ metricsAccess: ['monitoring'] }), /tenants\[0\]\.metricsAccess\[0\]: "monitoring" is not an object/],
  ['metricsAccess peer labels misspelled', () => ({ ...base(), tenantDefaults: { ...dev.tenantDefaults, metricsAccess: [{ namespace: 'monitoring', labels: { app: 'prometheus' } }] } }), /tenantDefaults\.metricsAccess\[0\]\.labels: is not a known field\. Fix: remove it; known fields: namespace, podLabels/],
];

describe('bad inputs through the whole synth: refused, field or rule named, fix given, no stack trace', () => {
  test('the corpus is large and its names are unique', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(CORPUS.map(([name]) => name)).size).toBe(CORPUS.length);
  });

  test.each(CORPUS)('%s', (_name, build, expected) => {
    let error: unknown;
    try {
      renderAll([build() as PlatformConfig]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeDefined();
    const message = (error as Error).message;
    expect(isUserError(error) || (error as Error).name === 'SynthError').toBe(true);
    expect(message).toMatch(expected);
    expect(message).toMatch(/Fix: |fix: /i);
  });
});
