import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { PLATFORM_LABEL_PREFIX, TENANT_LABEL, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { SparkImage } from '../spark-image';
import { sparkPodMemory } from '../spark-sizing';
import { ISparkJobNamespace } from '../tenancy';
import { Cpu, Memory } from '../units';
import { ClientPodPeer, peersOf } from '../network';
import { ClientModeDriver, ClientModeExecutors, ClientModeWorkload, DriverHost } from './client-mode';

/** The Spark Connect gRPC port (`spark.connect.grpc.binding.port`). */
export const SPARK_CONNECT_PORT = 15002;

/** Pods that may connect to a Spark Connect server. */
export type SparkConnectClients = ClientPodPeer;

/** Properties of a SparkConnectServer. */
export interface SparkConnectServerProps {
  /** Name of the server (a DNS-1035 label); its pod is `<name>-0`. */
  readonly name: string;
  /** The tenant namespace the server (the driver) and its executors run in. */
  readonly namespace: ISparkJobNamespace;
  /** The image of the server and its executors (one image: the driver runs in the server). @default SparkImage.official() */
  readonly image?: SparkImage;
  /** How executors address the driver. @default DriverHost.HEADLESS_SERVICE */
  readonly driverHost?: DriverHost;
  /** CPU request of the server. @default 1 core */
  readonly cpu?: Cpu;
  /** Heap of the server's driver JVM. @default 2 GiB */
  readonly driverMemory?: Memory;
  /** The executors. */
  readonly executors?: ClientModeExecutors;
  /**
   * `spark.*` keys to accept in added Spark conf (`addSparkConf`) although the image's Spark line
   * does not define them: a plugin's keys. Exact keys, or prefixes written `spark.plugin.*`; any
   * other key must be one of the line's keys or under a documented open prefix
   * (constructs/validation/spark-conf-keys.ts). @default - none
   */
  readonly allowedSparkConfKeys?: readonly string[];
  /** Pull secrets of the server and executor pods. @default - none */
  readonly imagePullSecrets?: readonly string[];
  /** Who may connect (`sc://<name>.<namespace>.svc:15002`). @default - pods of the server's namespace */
  readonly clients?: readonly SparkConnectClients[];
}

/**
 * A Spark Connect server: the alternative to a driver in the notebook. The server is a
 * long-running client-mode driver (the same wiring as SparkNotebook: account, spark-defaults,
 * headless Service, policies); notebooks and applications connect to it over gRPC with a thin
 * client (`SparkSession.builder.remote("sc://<name>.<namespace>.svc.cluster.local:15002")`), so
 * they need no JVM, no Spark and no API rights. Python UDFs still run in the executors: the
 * client's Python minor must equal the image's.
 */
export class SparkConnectServer extends ClientModeWorkload {
  /** The server's name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The image of server and executors. */
  public readonly sparkImage: SparkImage;
  /** The client-mode wiring. */
  public readonly driver: ClientModeDriver;
  /** The URL clients connect to. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: SparkConnectServerProps) {
    super(scope, id);
    checkProps('SparkConnectServerProps', props, `SparkConnectServer ${show(props?.name)}`);
    const where = `SparkConnectServer ${show(props.name)}`;
    assertName(props.name, NameRule.DNS1035_LABEL, 'name', where);
    if (props.name.length > 40) throw new SparkPlatformError('name', `${show(props.name)} is ${props.name.length} characters`, 'use at most 40, so the derived object names stay valid', where);
    this.name = props.name;
    this.namespace = props.namespace.name;
    this.sparkImage = props.image ?? SparkImage.official();
    const line = this.sparkImage.line;
    if (!line) throw new SparkPlatformError('image', `Spark ${this.sparkImage.sparkVersion} is not a line the version matrix knows`, 'use Spark 3.5.x, 4.0.x or 4.1.x', where);
    this.url = `sc://${props.name}.${this.namespace}.svc.cluster.local:${SPARK_CONNECT_PORT}`;
    const podLabels = { 'app.kubernetes.io/name': 'spark-connect', 'app.kubernetes.io/instance': props.name };
    const labels = platformLabels({ [TENANT_LABEL]: this.namespace, ...podLabels });
    const cpu = props.cpu ?? Cpu.cores(1);
    const driverMemory = props.driverMemory ?? Memory.gibibytes(2);
    const memory = sparkPodMemory(driverMemory);
    const clientList = props.clients ?? [{ namespace: this.namespace }];
    const clients = peersOf(clientList, 'clients', where);

    this.driver = new ClientModeDriver(this, 'Driver', {
      allowedSparkConfKeys: props.allowedSparkConfKeys,
      name: props.name,
      where,
      namespace: props.namespace,
      driverImage: this.sparkImage,
      executorImage: this.sparkImage,
      // PySpark clients' UDFs run in Python workers on the executors.
      python: true,
      driverPodLabels: podLabels,
      driverHost: props.driverHost ?? DriverHost.HEADLESS_SERVICE,
      driverPodName: `${props.name}-0`,
      sessions: 1,
      driverMemory,
      driverPodRequests: { cpu, memory },
      executors: props.executors,
      headlessService: true,
      imagePullSecrets: props.imagePullSecrets,
      ingress: [{ from: clients, ports: [{ port: k8s.IntOrString.fromNumber(SPARK_CONNECT_PORT), protocol: 'TCP' }] }],
    });
    this.driver.addSparkConf({ 'spark.connect.grpc.binding.port': String(SPARK_CONNECT_PORT) }, 'SparkConnectServer');
    if (line.version.startsWith('3.')) {
      // Spark 3.5 ships the Connect server as a separate artifact; 4.x has it in the distribution.
      this.driver.addPackages([`org.apache.spark:spark-connect_${this.sparkImage.scalaVersion}:${this.sparkImage.sparkVersion}`], 'SparkConnectServer');
    }

    const img = this.sparkImage;
    const quantity = (v: Cpu | Memory) => k8s.Quantity.fromString(v.toKubernetes());
    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: props.name, namespace: this.namespace, labels },
      spec: {
        replicas: 1,
        serviceName: this.driver.headlessServiceName,
        selector: { matchLabels: { ...podLabels } },
        template: {
          metadata: { labels: { ...labels, [`${PLATFORM_LABEL_PREFIX}/role`]: 'spark-connect' } },
          spec: {
            serviceAccountName: this.driver.serviceAccountName,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(img.uid, img.gid),
            imagePullSecrets: props.imagePullSecrets?.map((name) => ({ name })),
            containers: [{
              name: 'spark-connect',
              image: img.image,
              command: [`${img.sparkHome}/sbin/start-connect-server.sh`],
              env: Lazy.any({
                produce: () => [
                  // Foreground, logs and pid under /tmp (the root filesystem is read-only).
                  { name: 'SPARK_NO_DAEMONIZE', value: 'true' },
                  { name: 'SPARK_LOG_DIR', value: '/tmp/spark-logs' },
                  { name: 'SPARK_PID_DIR', value: '/tmp' },
                  { name: 'HOME', value: '/tmp' },
                  ...this.driver.driverEnv(),
                ],
              }) as unknown as k8s.EnvVar[],
              ports: [{ name: 'grpc', containerPort: SPARK_CONNECT_PORT }, ...this.driver.driverContainerPorts(), { name: 'spark-ui', containerPort: 4040 }],
              readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('grpc') }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('grpc') }, initialDelaySeconds: 60, periodSeconds: 20 },
              resources: { requests: { cpu: quantity(cpu), memory: quantity(memory) }, limits: { memory: quantity(memory) } },
              securityContext: restrictedContainerSecurityContext(),
              // What the server's Spark writes (/tmp, the working directory: its warehouse) on
              // emptyDirs, read at synth since conf added later may add paths.
              volumeMounts: Lazy.any({ produce: () => [...this.driver.driverWritableVolumes().mounts, ...this.driver.driverVolumeMounts()] }) as unknown as k8s.VolumeMount[],
            }],
            volumes: Lazy.any({ produce: () => [...this.driver.driverWritableVolumes().volumes, ...this.driver.driverVolumes()] }) as unknown as k8s.Volume[],
          },
        },
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: props.name, namespace: this.namespace, labels },
      spec: { selector: { ...podLabels }, ports: [{ name: 'grpc', port: SPARK_CONNECT_PORT, targetPort: k8s.IntOrString.fromString('grpc'), appProtocol: 'grpc' }] },
    });
    // Clients in the server's own namespace sit behind the tenant's default deny: let them out
    // to the server. (Clients elsewhere are their namespace's policies' business.)
    clientList.filter((c) => c.namespace === this.namespace).forEach((c, i) => {
      new k8s.KubeNetworkPolicy(this, `ClientEgress${i}`, {
        metadata: { name: `${props.name}-clients${i === 0 ? '' : `-${i}`}`, namespace: this.namespace, labels },
        spec: {
          podSelector: { matchLabels: { ...(c.labels ?? {}) } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { ...podLabels } } }], ports: [{ port: k8s.IntOrString.fromNumber(SPARK_CONNECT_PORT), protocol: 'TCP' }] }],
        },
      });
    });
  }

  /** Name for messages (ISparkWorkload). */
  public get workloadName(): string {
    return `SparkConnectServer ${show(this.name)}`;
  }
}
