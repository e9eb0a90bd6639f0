import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { assertPinnedImage } from '../images';
import { platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { ClientPodPeer, NetworkEndpoint, peersOf, podPolicy } from '../network';
import { OperatorMonitoring, checkMonitoring, operatorPodMonitor, scrapeAnnotations } from '../operator/monitoring';
import { grantRules } from '../operator/operator-rbac';
import { positiveInt } from '../operator/operator-shards';
import { IJobNamespace, SparkOperator } from '../operator/spark-operator';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { restrictedNamespace } from '../tenancy';
import { Cpu, Memory } from '../units';
import { checkProps } from '../validation/props';
import { SparkJobMode } from '../jobs/spark-job-options';
import { APACHE_SPARK_OPERATOR } from '../versions';
import { checkExtraProperties, log4j2Properties, operatorProperties } from './operator-config';
import { APACHE_OPERATOR_JOB_RULES, APACHE_OPERATOR_LEASE_RULES, APACHE_WORKLOAD_RULES } from './operator-rbac';

/** Log levels of the operator's root logger. */
export type ApacheOperatorLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Resources of the operator container; requests equal limits. */
export interface ApacheSparkOperatorResources {
  /** @default Cpu.cores(1) */
  readonly cpu?: Cpu;
  /** The JVM sizes its heap from it (`-XX:MaxRAMPercentage`). @default Memory.gibibytes(2) */
  readonly memory?: Memory;
  /** Ephemeral storage: logs and /tmp (emptyDirs). @default Memory.gibibytes(2) */
  readonly ephemeralStorage?: Memory;
}

/** Properties of an ApacheSparkOperator. */
export interface ApacheSparkOperatorProps {
  /**
   * Name of the Deployment, its ConfigMap (`<name>-configuration`) and RBAC objects; also the
   * operator's own name (`spark.kubernetes.operator.name`). @default "spark-kubernetes-operator"
   */
  readonly name?: string;
  /** Namespace the operator runs in. @default "spark-kubernetes-operator" */
  readonly namespace?: string;
  /** Create that namespace (restricted Pod Security, default-deny NetworkPolicy). @default true */
  readonly createNamespace?: boolean;
  /**
   * Namespaces whose SparkApplications and SparkClusters the operator runs: exactly these are
   * watched, each gets the operator's Role and the drivers' ServiceAccount. Required unless
   * `watchAllNamespaces` is set.
   * @default - none (an error unless watchAllNamespaces)
   */
  readonly jobNamespaces?: readonly IJobNamespace[];
  /**
   * Watch every namespace (`watchedNamespaces=*`) with a ClusterRole: the operator can then create
   * pods, Services, StatefulSets and more anywhere, and no driver ServiceAccounts are created (the
   * namespaces are unknown). An explicit choice, exclusive with `jobNamespaces`. @default false
   */
  readonly watchAllNamespaces?: boolean;
  /** Operator replicas; above 1 they elect a leader and get a PodDisruptionBudget. @default 1 */
  readonly replicas?: number;
  /** The operator image. @default APACHE_SPARK_OPERATOR.image (versions.ts) */
  readonly image?: string;
  /** The operator's ServiceAccount. @default "spark-operator" */
  readonly serviceAccountName?: string;
  /** The Spark drivers' ServiceAccount created in each job namespace. @default "spark" */
  readonly workloadServiceAccountName?: string;
  /** Port of the metrics endpoint (`spark.kubernetes.operator.metrics.port`). @default 19090 */
  readonly metricsPort?: number;
  /** Port of the health probes (`spark.kubernetes.operator.health.probePort`). @default 19091 */
  readonly probePort?: number;
  /**
   * JVM options of the operator, one per element.
   * @default - the chart's: UTF-8, crash on OutOfMemoryError, parallel GC, heap at 80% of the memory limit, pre-touched, compact object headers
   */
  readonly jvmArgs?: readonly string[];
  /** Container resources. @default - 1 CPU, 2 GiB memory, 2 GiB ephemeral storage (the chart's) */
  readonly resources?: ApacheSparkOperatorResources;
  /** Root log level (log4j2). @default "INFO" */
  readonly logLevel?: ApacheOperatorLogLevel;
  /**
   * Further operator properties (`spark-operator.properties`), e.g.
   * `{ "spark.kubernetes.operator.reconciler.intervalSeconds": "60" }`. Properties the construct
   * derives from other props are refused, naming the prop to set instead.
   * @default - none
   */
  readonly properties?: Readonly<Record<string, string>>;
  /**
   * The API server as the operator's pods reach it (NetworkPolicy egress).
   * @default NetworkEndpoint.kubeApiServer() (any address, ports 443 and 6443)
   */
  readonly apiServer?: NetworkEndpoint;
  /** The cluster DNS the operator's pods resolve names with. @default NetworkEndpoint.kubeDns() */
  readonly dns?: NetworkEndpoint;
  /** Pods that may scrape the metrics port, e.g. Prometheus. @default - none */
  readonly metricsAccess?: readonly ClientPodPeer[];
  /**
   * Prometheus monitoring of the operator: a Prometheus Operator PodMonitor scraping its
   * `metrics-port` (path `/prometheus`), and/or `prometheus.io/*` pod annotations. Needs
   * `metricsAccess` to admit the scraper.
   * @default - none
   */
  readonly monitoring?: OperatorMonitoring;
  /**
   * Time to live of finished applications, applied by SparkJob to applications that set none
   * (`applicationTolerations.ttlAfterStopMillis`, the driver pod released with it).
   * @default 86400 (one day)
   */
  readonly defaultTimeToLiveSeconds?: number;
}

/** The chart's JVM options (values.yaml `operatorContainer.jvmArgs`), one per element. */
export const APACHE_OPERATOR_DEFAULT_JVM_ARGS: readonly string[] = [
  '-Dfile.encoding=UTF8', '-XX:+CrashOnOutOfMemoryError', '-XX:ErrorFile=/dev/stderr', '-XX:+UseParallelGC',
  '-XX:InitialRAMPercentage=80', '-XX:MaxRAMPercentage=80', '-XX:+AlwaysPreTouch', '-XX:+UseCompactObjectHeaders',
];

/** Where the image keeps the operator and reads its configuration. */
const HOME = '/opt/spark-operator';
const CONF_DIR = `${HOME}/conf`;
const LOG_CONFIG = `-Dlog4j.configurationFile=${CONF_DIR}/log4j2.properties`;
const MAIN_CLASS = 'org.apache.spark.k8s.operator.SparkOperator';
/** Where the operator serves Prometheus metrics, on its metrics port. */
const METRICS_PATH = '/prometheus';

/**
 * Apache Spark's Kubernetes operator (`apache/spark-kubernetes-operator`, API `spark.apache.org/v1`),
 * deployed without Helm: its namespace (restricted Pod Security, default deny), its configuration
 * ConfigMap, least-privilege RBAC (a Role per watched namespace, a ClusterRole only when watching
 * every namespace), the drivers' ServiceAccount and Role in each watched namespace, and a
 * Deployment with probes, metrics port, leader election and a PodDisruptionBudget when replicated.
 *
 * The CRDs are a separate construct (ApacheSparkOperatorCrds), so they can be applied first. A
 * namespace watched by both this operator and a SparkOperator (Kubeflow) fails the synth.
 */
export class ApacheSparkOperator extends Construct {
  /** The operator's name (Deployment, ConfigMap prefix, `spark.kubernetes.operator.name`). */
  public readonly name: string;
  /** The operator's namespace. */
  public readonly namespace: string;
  /** The watched namespaces; empty = every namespace. */
  public readonly jobNamespaces: readonly string[];
  /** Operator replicas. */
  public readonly replicas: number;
  /** The operator image. */
  public readonly image: string;
  /** The operator's ServiceAccount name. */
  public readonly serviceAccountName: string;
  /** The drivers' ServiceAccount name in each job namespace (set it as the driver's account). */
  public readonly workloadServiceAccountName: string;
  /** The metrics port. */
  public readonly metricsPort: number;
  /** The health probe port. */
  public readonly probePort: number;
  /** The operator's configuration ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;
  /** Time to live of finished applications that set none (ISparkJobOperator). */
  public readonly defaultTimeToLiveSeconds: number;
  /** SparkJobs it runs are `spark.apache.org/v1` SparkApplications (ISparkJobOperator). */
  public readonly jobMode = SparkJobMode.APACHE_OPERATOR;

  constructor(scope: Construct, id: string, props: ApacheSparkOperatorProps = {}) {
    super(scope, id);
    const where = 'ApacheSparkOperator';
    checkProps('ApacheSparkOperatorProps', props, where);
    this.name = props.name ?? 'spark-kubernetes-operator';
    this.namespace = props.namespace ?? 'spark-kubernetes-operator';
    assertName(this.name, NameRule.DNS1035_LABEL, 'name', where);
    assertName(this.namespace, NameRule.DNS1123_LABEL, 'namespace', where);
    this.jobNamespaces = checkJobNamespaces(props.jobNamespaces ?? [], this.namespace, where);
    if (this.jobNamespaces.length === 0 && props.watchAllNamespaces !== true) {
      throw new SparkPlatformError('jobNamespaces', 'is empty, so the operator would watch every namespace with cluster-wide rights to create pods, Services, StatefulSets and more', 'list the namespaces it runs jobs in (the tenants), or set watchAllNamespaces: true to choose cluster-wide on purpose', where);
    }
    if (this.jobNamespaces.length > 0 && props.watchAllNamespaces === true) {
      throw new SparkPlatformError('watchAllNamespaces', `is true but jobNamespaces lists ${this.jobNamespaces.join(', ')}`, 'choose one: the listed namespaces (least privilege), or every namespace', where);
    }
    this.replicas = positiveInt(props.replicas ?? 1, 'replicas', where);
    this.defaultTimeToLiveSeconds = positiveInt(props.defaultTimeToLiveSeconds ?? 86_400, 'defaultTimeToLiveSeconds', where);
    this.image = props.image ?? APACHE_SPARK_OPERATOR.image;
    assertPinnedImage(this.image, 'image', where);
    this.serviceAccountName = props.serviceAccountName ?? 'spark-operator';
    this.workloadServiceAccountName = props.workloadServiceAccountName ?? 'spark';
    assertName(this.serviceAccountName, NameRule.DNS1123_SUBDOMAIN, 'serviceAccountName', where);
    assertName(this.workloadServiceAccountName, NameRule.DNS1123_SUBDOMAIN, 'workloadServiceAccountName', where);
    this.metricsPort = checkPort(props.metricsPort ?? 19090, 'metricsPort', where);
    this.probePort = checkPort(props.probePort ?? 19091, 'probePort', where);
    if (this.metricsPort === this.probePort) {
      throw new SparkPlatformError('probePort', `is ${this.probePort}, the same as metricsPort`, 'give the health probes and the metrics endpoint different ports', where);
    }
    const jvmArgs = checkJvmArgs(props.jvmArgs ?? APACHE_OPERATOR_DEFAULT_JVM_ARGS, where);
    const properties = props.properties ?? {};
    checkExtraProperties(properties, where);

    if (props.createNamespace ?? true) {
      restrictedNamespace(this, 'Namespace', this.namespace, { defaultDeny: true });
    }
    const labels = this.selectorLabels();
    const meta = (name: string, namespace: string = this.namespace) => ({ name, namespace, labels: platformLabels(labels) });

    // In: metrics scrapers only (kubelet probes come from the node, which policies always admit).
    // Out: DNS and the API server.
    const apiServer = props.apiServer ?? NetworkEndpoint.kubeApiServer();
    const dns = props.dns ?? NetworkEndpoint.kubeDns();
    const metricsPeers = peersOf(props.metricsAccess ?? [], 'metricsAccess', where);
    checkMonitoring(props.monitoring, metricsPeers.length, where);
    podPolicy(this, 'NetworkPolicy', {
      ...meta(this.name),
      podSelector: { matchLabels: { ...labels } },
      ingress: metricsPeers.length > 0 ? [{ from: metricsPeers, ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(this.metricsPort) }] }] : [],
      egress: [dns.toEgressRule(), apiServer.toEgressRule()],
    });

    this.configMap = new k8s.KubeConfigMap(this, 'Configuration', {
      metadata: meta(`${this.name}-configuration`),
      data: {
        'log4j2.properties': log4j2Properties(props.logLevel ?? 'INFO'),
        'spark-operator.properties': operatorProperties({
          namespace: this.namespace, name: this.name, watchedNamespaces: this.jobNamespaces,
          metricsPort: this.metricsPort, probePort: this.probePort, replicas: this.replicas, extra: properties,
        }),
        'metrics.properties': '',
      },
    });

    this.addRbac(labels);
    this.addDeployment(labels, jvmArgs, props.resources ?? {}, props.monitoring?.scrapeAnnotations === true);
    if (props.monitoring?.podMonitor) {
      const { 'app.kubernetes.io/component': component, ...matchLabels } = labels;
      operatorPodMonitor(this, 'PodMonitor', props.monitoring.podMonitor, {
        name: this.name,
        podNamespace: this.namespace,
        targets: { matchLabels, components: [component], portName: 'metrics-port', path: METRICS_PATH },
        labels,
      });
    }
    this.node.addValidation({ validate: () => this.overlappingOperators() });
  }

  /** Whether this operator runs the jobs of `namespace`. */
  public watches(namespace: string): boolean {
    return this.jobNamespaces.length === 0 || this.jobNamespaces.includes(namespace);
  }

  /** This operator when it watches `namespace`, else undefined (ISparkJobOperator; it has no shards). */
  public shardOf(namespace: string): ApacheSparkOperator | undefined {
    return this.watches(namespace) ? this : undefined;
  }

  private addRbac(labels: Record<string, string>): void {
    const serviceAccount = { name: this.serviceAccountName, namespace: this.namespace };
    const rbacLabels = platformLabels(labels);
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { ...serviceAccount, labels: rbacLabels }, automountServiceAccountToken: true });
    const grant = { name: this.name, serviceAccount, labels: rbacLabels };
    if (this.jobNamespaces.length === 0) {
      grantRules(this, 'Operator', { ...grant, rules: APACHE_OPERATOR_JOB_RULES });
    }
    for (const ns of this.jobNamespaces) {
      grantRules(this, `Operator-${ns}`, { ...grant, namespace: ns, rules: APACHE_OPERATOR_JOB_RULES });
      // The drivers' account: they create executor pods, their Service and ConfigMaps.
      const workload = { name: this.workloadServiceAccountName, namespace: ns };
      new k8s.KubeServiceAccount(this, `Workload-${ns}ServiceAccount`, { metadata: { ...workload, labels: rbacLabels }, automountServiceAccountToken: true });
      grantRules(this, `Workload-${ns}`, { name: `${this.name}-workload`, namespace: ns, serviceAccount: workload, labels: rbacLabels, rules: APACHE_WORKLOAD_RULES });
    }
    if (this.replicas > 1) {
      grantRules(this, 'LeaderElection', { ...grant, name: `${this.name}-leader-election`, namespace: this.namespace, rules: APACHE_OPERATOR_LEASE_RULES });
    }
  }

  private addDeployment(labels: Record<string, string>, jvmArgs: readonly string[], resources: ApacheSparkOperatorResources, annotateScrape: boolean): void {
    const metadata = { name: this.name, namespace: this.namespace, labels: platformLabels(labels) };
    const q = (v: Cpu | Memory) => k8s.Quantity.fromString(v.toKubernetes());
    const amounts = {
      'cpu': q(resources.cpu ?? Cpu.cores(1)),
      'memory': q(resources.memory ?? Memory.gibibytes(2)),
      'ephemeral-storage': q(resources.ephemeralStorage ?? Memory.gibibytes(2)),
    };
    const fromField = (fieldPath: string): k8s.EnvVarSource => ({ fieldRef: { fieldPath } });
    const probe = (path: string, timing: Omit<k8s.Probe, 'httpGet'>): k8s.Probe => ({ httpGet: { path, port: k8s.IntOrString.fromString('probe-port') }, ...timing });
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata,
      spec: {
        replicas: this.replicas,
        revisionHistoryLimit: 3,
        // One operator at a time unless they elect a leader.
        strategy: { type: this.replicas > 1 ? 'RollingUpdate' : 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: {
            labels: platformLabels(labels),
            annotations: {
              'kubectl.kubernetes.io/default-container': 'spark-kubernetes-operator',
              ...(annotateScrape ? scrapeAnnotations(this.metricsPort, METRICS_PATH) : {}),
            },
          },
          spec: {
            serviceAccountName: this.serviceAccountName,
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurityContext(APACHE_SPARK_OPERATOR.uid),
            affinity: this.replicas > 1 ? spreadOverNodes(labels) : undefined,
            containers: [{
              name: 'spark-kubernetes-operator',
              image: this.image,
              imagePullPolicy: 'IfNotPresent',
              // The JVM options as separate arguments: a `$(VAR)` reference would pass them to
              // java as one argument (Kubernetes does not split it), applying none of them.
              command: ['java', '-cp', './spark-kubernetes-operator.jar', LOG_CONFIG, ...jvmArgs, MAIN_CLASS],
              ports: [
                { name: 'probe-port', containerPort: this.probePort },
                { name: 'metrics-port', containerPort: this.metricsPort },
              ],
              env: [
                { name: 'OPERATOR_NAMESPACE', valueFrom: fromField('metadata.namespace') },
                { name: 'HOST_IP', valueFrom: fromField('status.hostIP') },
                { name: 'POD_IP', valueFrom: fromField('status.podIP') },
                { name: 'POD_NAME', valueFrom: fromField('metadata.name') },
                { name: 'OPERATOR_NAME', value: this.name },
                { name: 'LOG_CONFIG', value: LOG_CONFIG },
                { name: 'OPERATOR_JAVA_OPTS', value: jvmArgs.join(' ') },
                { name: 'SPARK_USER', value: 'spark' },
              ],
              resources: { requests: { ...amounts }, limits: { ...amounts } },
              startupProbe: probe('/healthz', { initialDelaySeconds: 0, failureThreshold: 30, periodSeconds: 10, timeoutSeconds: 1 }),
              readinessProbe: probe('/readyz', { failureThreshold: 1, periodSeconds: 10, timeoutSeconds: 1 }),
              livenessProbe: probe('/healthz', { initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 1 }),
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [
                { name: 'config', mountPath: CONF_DIR, readOnly: true },
                { name: 'logs', mountPath: `${HOME}/logs` },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: this.configMap.name } },
              { name: 'logs', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });
    if (this.replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'Pdb', { metadata, spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } } });
    }
  }

  private selectorLabels(): Record<string, string> {
    return { 'app.kubernetes.io/name': 'spark-kubernetes-operator', 'app.kubernetes.io/instance': this.name, 'app.kubernetes.io/component': 'operator' };
  }

  /**
   * Namespaces this operator watches that another operator in the same app watches too: two
   * operators would both act on the namespace's jobs (and their RBAC objects collide).
   */
  private overlappingOperators(): string[] {
    const errors: string[] = [];
    const all = this.node.root.node.findAll();
    const me = `ApacheSparkOperator ${show(this.name)} (namespace ${this.namespace}, ${this.node.path})`;
    for (const other of all) {
      if (other === this) continue;
      let them: string;
      let theirs: readonly string[];
      if (other instanceof SparkOperator) {
        them = `SparkOperator (Kubeflow) ${show(other.name)} (namespace ${other.namespace}, ${other.node.path})`;
        theirs = other.jobNamespaces;
      } else if (other instanceof ApacheSparkOperator) {
        // Reported once, by the first of the two in the tree.
        if (all.indexOf(other) < all.indexOf(this)) continue;
        them = `ApacheSparkOperator ${show(other.name)} (namespace ${other.namespace}, ${other.node.path})`;
        theirs = other.jobNamespaces;
      } else {
        continue;
      }
      const shared = sharedNamespaces(this.jobNamespaces, theirs);
      if (shared === undefined) continue;
      errors.push(new SparkPlatformError('jobNamespaces', `${me} and ${them} both watch ${shared}, so both would run the jobs there`,
        'give each namespace to one operator: list disjoint jobNamespaces, and use watchAllNamespaces only when no other operator is installed', 'ApacheSparkOperator').message);
    }
    return errors;
  }
}

/** The namespaces two operators both watch, as a phrase, or undefined when none (empty = every namespace). */
function sharedNamespaces(a: readonly string[], b: readonly string[]): string | undefined {
  if (a.length === 0 && b.length === 0) return 'every namespace';
  if (a.length === 0) return `namespace ${b.join(', ')}`;
  if (b.length === 0) return `namespace ${a.join(', ')}`;
  const both = a.filter((n) => b.includes(n));
  return both.length > 0 ? `namespace ${both.join(', ')}` : undefined;
}

function checkJobNamespaces(given: readonly IJobNamespace[], operatorNamespace: string, where: string): string[] {
  const names = given.map((n) => n.name);
  names.forEach((n, i) => {
    assertName(n, NameRule.DNS1123_LABEL, `jobNamespaces[${i}]`, where);
    if (names.indexOf(n) !== i) throw new SparkPlatformError(`jobNamespaces[${i}]`, `${show(n)} is listed twice`, 'list each job namespace once', where);
    if (n === operatorNamespace) throw new SparkPlatformError(`jobNamespaces[${i}]`, `is the operator's own namespace ${show(n)}`, 'run Spark jobs in tenant namespaces, not next to the operator', where);
  });
  return names;
}

function checkPort(port: number, field: string, where: string): number {
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new SparkPlatformError(field, `${show(port)} is not a port from 1024 to 65535`, 'use an unprivileged port (the operator runs as non-root without capabilities), e.g. 19090', where);
  }
  return port;
}

function checkJvmArgs(args: readonly string[], where: string): readonly string[] {
  args.forEach((a, i) => {
    if (!/^-\S+$/.test(a)) {
      throw new SparkPlatformError(`jvmArgs[${i}]`, `${show(a)} is not one JVM option`, 'give each option as its own element, starting with "-" and without spaces, e.g. ["-XX:MaxRAMPercentage=75", "-Dfile.encoding=UTF8"]', where);
    }
  });
  return args;
}

/** Prefer spreading replicas over nodes, so one node going down does not stop the operator. */
function spreadOverNodes(labels: Record<string, string>): k8s.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } },
      }],
    },
  };
}
