import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ApacheSparkOperator } from '../apache-operator/apache-operator';
import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { treeChanged } from '../tree-version';
import { platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { ClientPodPeer, NetworkEndpoint, peersOf, podPolicy } from '../network';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { SparkEnvValue } from '../spark-env';
import { SparkImage } from '../spark-image';
import { Cpu, Memory } from '../units';
import { SparkProcess, sparkWriteSites, writableVolumes } from '../writable-paths';
import { checkWatched, renderHistoryServerApplication } from './history-server-apache';
import { ISparkWorkload, ObjectStoreConnection, checkS3aUri } from './s3a';

/** Properties of a SparkHistoryServer. */
export interface SparkHistoryServerProps {
  /** Name of its objects. @default "spark-history" */
  readonly name?: string;
  /** Namespace (must exist, e.g. the storage namespace). @default "spark-platform" */
  readonly namespace?: string;
  /** The object store and credentials; the server reads the event logs through it. */
  readonly connection: ObjectStoreConnection;
  /** Where applications write event logs and the server reads them: `s3a://<bucket>/<prefix>`. */
  readonly logDirectory: string;
  /** Spark image. @default SparkImage.official() */
  readonly image?: SparkImage;
  /** Maven repository the s3a jars are downloaded from at start (the server cannot use --packages). @default "https://repo1.maven.org/maven2" */
  readonly mavenRepository?: string;
  /** Days event logs are kept before the server's cleaner deletes them. @default 7 */
  readonly retentionDays?: number;
  /** CPU request. @default 250m */
  readonly cpu?: Cpu;
  /** Memory request and limit; the JVM heap is 512 MiB less. @default 1536 MiB */
  readonly memory?: Memory;
  /**
   * Pods that may open the UI and REST API (port 18080), e.g. an ingress controller or a
   * dashboard. `kubectl port-forward` needs none. @default - none
   */
  readonly uiAccess?: readonly ClientPodPeer[];
  /** The cluster DNS. @default NetworkEndpoint.kubeDns() */
  readonly dns?: NetworkEndpoint;
  /**
   * The object store as the server's pod reaches it, when the store does not know its own
   * address (AWS or an external store without `networkEndpoint`). @default - the store's networkEndpoint
   */
  readonly objectStore?: NetworkEndpoint;
  /**
   * Where the s3a jars are downloaded from at start (`mavenRepository`), as a network endpoint;
   * only used when the image does not carry them. @default - any address on port 443
   */
  readonly packageRepository?: NetworkEndpoint;
  /**
   * Run the server on Apache Spark's Kubernetes operator: a `spark.apache.org/v1`
   * SparkApplication whose driver is the server (restarted for ever), instead of a Deployment.
   * The Service, `url` and the NetworkPolicies stay the same, selecting the driver pod. The
   * operator must watch `namespace`. @default - a Deployment
   */
  readonly operator?: ApacheSparkOperator;
}

/** The history server's UI and REST port. */
export const HISTORY_SERVER_PORT = 18080;

/** The server container's port and probes, the same in the Deployment and on the Apache operator. */
const SERVER_PORT_AND_PROBES: Pick<k8s.Container, 'ports' | 'readinessProbe' | 'livenessProbe'> = {
  ports: [{ name: 'http', containerPort: HISTORY_SERVER_PORT }],
  readinessProbe: { httpGet: { path: '/api/v1/applications?limit=1', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 5 },
  livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, initialDelaySeconds: 30, periodSeconds: 20 },
};

const JARS_DIR = '/opt/spark-platform/jars';
const CONF_DIR = '/opt/spark-platform/conf';

/**
 * The Spark History Server reading event logs from the object store: a Deployment and a Service
 * on 18080. `connection()` is what jobs and notebooks use so they write where it reads.
 *
 * The server cannot resolve `--packages`, so the s3a jars its connection asks for are downloaded
 * by an init container into an emptyDir on the daemon classpath (or come with the image when the
 * connection says S3aJars.IMAGE). Restricted pod, read-only root filesystem.
 *
 * With `operator` it is a `spark.apache.org/v1` SparkApplication instead of the Deployment: the
 * same conf (in `sparkConf`), jars, credentials and writable paths in the driver's pod template,
 * and the Service selecting the driver pod by the labels the operator gives it.
 */
export class SparkHistoryServer extends Construct implements ISparkWorkload {
  /** Object name. */
  public readonly name: string;
  /** Namespace. */
  public readonly namespace: string;
  /** The event log directory. */
  public readonly logDirectory: string;
  /** The image. */
  public readonly sparkImage: SparkImage;
  /** In-cluster URL of the UI. */
  public readonly url: string;
  private readonly conf: Record<string, string> = {};
  private readonly packages: string[] = [];
  private readonly env: Array<[string, SparkEnvValue]> = [];
  private readonly base: ObjectStoreConnection;
  /** The store's address when the store does not know it. */
  private readonly objectStoreFallback?: NetworkEndpoint;
  /** Egress rules to the stores it reads (JSON, for idempotence), and the rules. */
  private readonly storeRules = new Map<string, k8s.NetworkPolicyEgressRule>();
  /** The labels and pod selector of its NetworkPolicies, once the main one is written. */
  private policyScope?: { labels: Record<string, string>; selector: Record<string, string> };

  constructor(scope: Construct, id: string, props: SparkHistoryServerProps) {
    super(scope, id);
    checkProps('SparkHistoryServerProps', props, 'SparkHistoryServer');
    const where = 'SparkHistoryServer';
    this.name = props.name ?? 'spark-history';
    this.namespace = props.namespace ?? 'spark-platform';
    assertName(this.name, NameRule.DNS1035_LABEL, 'name', where);
    assertName(this.namespace, NameRule.DNS1123_LABEL, 'namespace', where);
    checkS3aUri(props.logDirectory, 'logDirectory', props.connection.store);
    this.logDirectory = props.logDirectory;
    this.sparkImage = props.image ?? SparkImage.official();
    this.base = props.connection;
    this.url = `http://${this.name}.${this.namespace}.svc.cluster.local:${HISTORY_SERVER_PORT}`;
    const retention = props.retentionDays ?? 7;
    if (!Number.isInteger(retention) || retention < 1) throw new SparkPlatformError('retentionDays', `${show(retention)} is not a whole number >= 1`, 'keep event logs for at least a day', where);
    const memory = props.memory ?? Memory.mebibytes(1536);
    if (memory.compare(Memory.mebibytes(1024)) < 0) throw new SparkPlatformError('memory', `${memory} leaves too little heap`, 'give at least 1Gi', where);
    const repository = (props.mavenRepository ?? 'https://repo1.maven.org/maven2').replace(/\/$/, '');
    if (!/^https:\/\//.test(repository)) throw new SparkPlatformError('mavenRepository', `${show(repository)} is not an https URL`, 'use an https Maven repository, e.g. your proxy', where);
    if (props.operator) checkWatched(props.operator, this.namespace, where);

    this.addSparkConf({
      'spark.history.fs.logDirectory': this.logDirectory,
      'spark.history.ui.port': String(HISTORY_SERVER_PORT),
      'spark.history.fs.update.interval': '10s',
      'spark.history.fs.cleaner.enabled': 'true',
      'spark.history.fs.cleaner.maxAge': `${retention}d`,
    }, 'SparkHistoryServer');
    this.objectStoreFallback = props.objectStore;
    props.connection.connect(this);

    const labels = platformLabels({ 'app.kubernetes.io/name': 'spark-history-server', 'app.kubernetes.io/instance': this.name });
    const meta = (name: string) => ({ name, namespace: this.namespace, labels });
    const quantity = (v: Cpu | Memory) => k8s.Quantity.fromString(v.toKubernetes());
    const urls = this.packages.map((p) => mavenUrl(repository, p));
    const cpu = props.cpu ?? Cpu.millis(250);
    // In: the UI from uiAccess only. Out: DNS, the stores it reads, and the Maven repository
    // while the init container downloads the s3a jars.
    const dns = props.dns ?? NetworkEndpoint.kubeDns();
    const maven = urls.length > 0 ? [(props.packageRepository ?? NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }])).toEgressRule()] : [];
    const uiPeers = peersOf(props.uiAccess ?? [], 'uiAccess', where);
    const policy = (selector: Record<string, string>) => {
      podPolicy(this, 'NetworkPolicy', {
        name: this.name,
        namespace: this.namespace,
        labels,
        podSelector: { matchLabels: selector },
        ingress: uiPeers.length > 0 ? [{ from: uiPeers, ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(HISTORY_SERVER_PORT) }] }] : [],
        egress: [dns.toEgressRule(), ...this.storeRules.values(), ...maven],
      });
      this.policyScope = { labels, selector };
    };
    if (props.operator) {
      // The driver pod is the server; the Service and policies select it by the operator's labels.
      const driver = renderHistoryServerApplication(this, {
        name: this.name, namespace: this.namespace, labels, operator: props.operator, image: this.sparkImage, cpu, memory,
        conf: () => this.conf,
        jars: urls.map((u) => `${JARS_DIR}/${u.slice(u.lastIndexOf('/') + 1)}`),
        podTemplate: () => this.driverPodTemplate(labels, urls),
      });
      policy(driver);
      new k8s.KubeService(this, 'Service', {
        metadata: meta(this.name),
        spec: { selector: driver, ports: [{ name: 'http', port: HISTORY_SERVER_PORT, targetPort: k8s.IntOrString.fromNumber(HISTORY_SERVER_PORT) }] },
      });
      return;
    }
    new k8s.KubeConfigMap(this, 'Conf', {
      metadata: meta(`${this.name}-conf`),
      data: { 'spark-defaults.conf': Object.entries(this.conf).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join('\n') + '\n' },
    });
    const img = this.sparkImage;
    const container = restrictedContainerSecurityContext();
    const jars = { name: 'jars', mountPath: JARS_DIR };
    const conf = { name: 'conf', mountPath: CONF_DIR, readOnly: true };
    // What the server writes (/tmp, a local store when configured) on emptyDirs.
    const writable = writableVolumes(sparkWriteSites(SparkProcess.HISTORY_SERVER, img, this.conf), [conf, jars]);
    const scratch = writable.mounts.find((m) => m.mountPath === '/tmp')!;
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: meta(this.name),
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'spark-history-server', 'app.kubernetes.io/instance': this.name } },
        template: {
          metadata: { labels },
          spec: {
            securityContext: restrictedPodSecurityContext(img.uid, img.gid),
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            initContainers: urls.length === 0 ? undefined : [fetchJarsContainer(img, urls, [jars, scratch])],
            containers: [{
              name: 'history-server',
              image: img.image,
              command: [`${img.sparkHome}/bin/spark-class`, 'org.apache.spark.deploy.history.HistoryServer'],
              env: [
                { name: 'SPARK_CONF_DIR', value: CONF_DIR },
                { name: 'SPARK_DAEMON_CLASSPATH', value: `${JARS_DIR}/*` },
                { name: 'SPARK_DAEMON_MEMORY', value: Memory.mebibytes(memory.mebibytes - 512).toSpark() },
                { name: 'HOME', value: '/tmp' },
                ...this.env.map(([name, value]) => value.toEnvVar(name) as unknown as k8s.EnvVar),
              ],
              ...SERVER_PORT_AND_PROBES,
              resources: { requests: { cpu: quantity(cpu), memory: quantity(memory) }, limits: { memory: quantity(memory) } },
              securityContext: container,
              volumeMounts: [conf, jars, ...writable.mounts],
            }],
            volumes: [
              { name: 'conf', configMap: { name: `${this.name}-conf` } },
              { name: 'jars', emptyDir: {} },
              ...writable.volumes,
            ],
          },
        },
      },
    });
    policy({ 'app.kubernetes.io/name': 'spark-history-server', 'app.kubernetes.io/instance': this.name });
    new k8s.KubeService(this, 'Service', {
      metadata: meta(this.name),
      spec: { selector: { 'app.kubernetes.io/name': 'spark-history-server', 'app.kubernetes.io/instance': this.name }, ports: [{ name: 'http', port: HISTORY_SERVER_PORT, targetPort: k8s.IntOrString.fromString('http') }] },
    });
  }

  /**
   * The driver's pod template on the Apache operator (read at synth): the restricted pod and
   * container, the server's port and probes, its environment (credentials by Secret reference),
   * the jar download, and emptyDirs where a cluster-mode driver and the server write. Spark adds
   * the image, resources, its conf volume and ports to the first container.
   */
  private driverPodTemplate(labels: Record<string, string>, urls: readonly string[]): k8s.PodTemplateSpec {
    const img = this.sparkImage;
    const jars = { name: 'jars', mountPath: JARS_DIR };
    const sites = [...sparkWriteSites(SparkProcess.CLUSTER_DRIVER, img, this.conf), ...sparkWriteSites(SparkProcess.HISTORY_SERVER, img, this.conf)];
    const writable = writableVolumes(sites.filter((s, i) => sites.findIndex((o) => o.path === s.path) === i), urls.length > 0 ? [jars] : []);
    const scratch = writable.mounts.find((m) => m.mountPath === '/tmp')!;
    const container = restrictedContainerSecurityContext();
    return {
      metadata: { labels },
      spec: {
        securityContext: restrictedPodSecurityContext(img.uid, img.gid),
        // The server makes no API calls (no executors): no token in the pod.
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        initContainers: urls.length === 0 ? undefined : [fetchJarsContainer(img, urls, [jars, scratch])],
        containers: [{
          name: 'history-server',
          env: [{ name: 'HOME', value: '/tmp' }, ...this.env.map(([name, value]) => value.toEnvVar(name) as unknown as k8s.EnvVar)],
          ...SERVER_PORT_AND_PROBES,
          securityContext: container,
          volumeMounts: [...(urls.length > 0 ? [jars] : []), ...writable.mounts],
        }],
        volumes: [...(urls.length > 0 ? [{ name: 'jars', emptyDir: {} }] : []), ...writable.volumes],
      },
    };
  }

  /** Name for messages (ISparkWorkload). */
  public get workloadName(): string {
    return `SparkHistoryServer ${show(this.name)}`;
  }

  /** The connection jobs and notebooks use: the same store, writing event logs where this server reads. */
  public connection(): ObjectStoreConnection {
    return this.base.withEventLog(this.logDirectory);
  }

  /** Adds lines to the server's spark-defaults.conf (ISparkWorkload). */
  public addSparkConf(conf: Readonly<Record<string, string>>, source: string): void {
    for (const [k, v] of Object.entries(conf)) {
      if (this.conf[k] !== undefined && this.conf[k] !== v) throw new SparkPlatformError(`${source}[${show(k)}]`, `${show(v)} contradicts ${show(this.conf[k])}`, 'set each key once', this.workloadName);
      this.conf[k] = v;
    }
    treeChanged();
  }

  /**
   * Lets the server's pod reach a store it reads (ISparkWorkload): its own policy admits the
   * store's address, or `objectStore` when the store does not know it.
   */
  public allowObjectStoreEgress(endpoint: NetworkEndpoint | undefined, source: string): void {
    const target = endpoint ?? this.objectStoreFallback;
    if (!target) {
      throw new SparkPlatformError('objectStore', `is not set and the store does not know its address: the server's pod could not reach it (${source})`,
        'give the store its networkEndpoint, or the server objectStore (in an environment: network.objectStore)', 'SparkHistoryServer');
    }
    const rule = target.toEgressRule();
    const key = JSON.stringify(rule);
    if (this.storeRules.has(key)) return;
    this.storeRules.set(key, rule);
    // Connected after construction: a policy of its own (the server's policy is already written).
    if (this.policyScope) {
      const n = this.storeRules.size;
      podPolicy(this, `ObjectStore${n}`, { name: `${this.name}-object-store-${n}`, namespace: this.namespace, labels: this.policyScope.labels, podSelector: { matchLabels: this.policyScope.selector }, egress: [rule] });
    }
  }

  /** Adds jars to download at start (ISparkWorkload). */
  public addPackages(packages: readonly string[]): void {
    for (const p of packages) if (!this.packages.includes(p)) this.packages.push(p);
    treeChanged();
  }

  /** Adds environment variables (ISparkWorkload). */
  public addEnv(env: Readonly<Record<string, SparkEnvValue>>): void {
    for (const [k, v] of Object.entries(env)) this.env.push([k, v]);
    treeChanged();
  }
}

/** The init container that downloads `urls` into the jars emptyDir. */
function fetchJarsContainer(img: SparkImage, urls: readonly string[], volumeMounts: k8s.VolumeMount[]): k8s.Container {
  const quantity = (v: Cpu | Memory) => k8s.Quantity.fromString(v.toKubernetes());
  return {
    name: 'fetch-s3a-jars',
    image: img.image,
    command: ['/bin/bash', '-c', `set -euo pipefail\ncd ${JARS_DIR}\nfor url in "$@"; do wget -q -T 60 -t 3 "$url"; done`, 'fetch'],
    args: [...urls],
    securityContext: restrictedContainerSecurityContext(),
    resources: { requests: { cpu: quantity(Cpu.millis(100)), memory: quantity(Memory.mebibytes(128)) }, limits: { memory: quantity(Memory.mebibytes(128)) } },
    volumeMounts,
  };
}

/** The URL of a Maven artifact's jar: `<repo>/<group as path>/<artifact>/<version>/<artifact>-<version>.jar`. */
export function mavenUrl(repository: string, coordinates: string): string {
  const [group, artifact, version] = coordinates.split(':');
  return `${repository}/${group.replace(/\./g, '/')}/${artifact}/${version}/${artifact}-${version}.jar`;
}
