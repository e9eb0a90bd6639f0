import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { PLATFORM_LABEL_PREFIX, SPARK_ROLE_LABEL, SparkRole, TENANT_LABEL, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { SparkImage } from '../spark-image';
import { sparkPodMemory } from '../spark-sizing';
import { ISparkJobNamespace } from '../tenancy';
import { Cpu, Memory } from '../units';
import { ClientPodPeer, peersOf } from '../network';
import type { ApacheSparkOperator } from '../apache-operator/apache-operator';
import type { SparkCluster } from '../apache-operator/spark-cluster';
import { APACHE_SPARK_APPLICATION_API_VERSION } from '../jobs/apache-mode';
import { SPARK_CONTAINER, sortedConf } from '../jobs/spark-conf';
import { ClientModeDriver, ClientModeExecutors, ClientModeWorkload, DriverHost } from './client-mode';

/** The Spark Connect gRPC port (`spark.connect.grpc.binding.port`). */
export const SPARK_CONNECT_PORT = 15002;

/** The Spark Connect server's main class: the driver of an Apache SparkApplication runs it. */
export const SPARK_CONNECT_SERVER_MAIN_CLASS = 'org.apache.spark.sql.connect.service.SparkConnectServer';
/** Restart attempts of the server on the Apache operator: the largest the operator's int field takes, so it is never given up. */
const SERVER_RESTART_ATTEMPTS = 2_147_483_647;

/**
 * The label the Apache operator (1.0.0) puts on a SparkApplication's driver pod, by a conf
 * override, valued with the application's name. With Spark's `spark-role: driver` it selects the
 * driver across restart attempts, unlike the pod's name (`<name>-<attempt>-driver`) and
 * `spark-app-selector` (the attempt's app id).
 */
export const APACHE_APP_NAME_LABEL = 'spark.operator/spark-app-name';

/** Pods that may connect to a Spark Connect server. */
export type SparkConnectClients = ClientPodPeer;

/** Properties of a SparkConnectServer. */
export interface SparkConnectServerProps {
  /** Name of the server (a DNS-1035 label); its pod is `<name>-0`. */
  readonly name: string;
  /** The tenant namespace the server (the driver) and its executors run in. */
  readonly namespace: ISparkJobNamespace;
  /**
   * The image of the server and its executors (one image: the driver runs in the server). With a
   * `cluster`, it must hold the cluster's Spark, Scala and Python.
   * @default - the cluster's image with a `cluster`, else SparkImage.official()
   */
  readonly image?: SparkImage;
  /** How executors address the driver (client mode only: on the operator Spark sets it). @default DriverHost.HEADLESS_SERVICE */
  readonly driverHost?: DriverHost;
  /**
   * Run the server as a `spark.apache.org/v1` SparkApplication of Apache Spark's operator, in
   * cluster mode: the operator's driver pod is the server, restarted for ever. The operator must
   * watch the namespace. @default - a StatefulSet of the platform's (client mode)
   */
  readonly operator?: ApacheSparkOperator;
  /**
   * Run the executors in a standalone SparkCluster (`spark.master` = its masterUrl) instead of
   * as pods of the namespace; the server is registered as the cluster's client.
   * @default - executor pods on Kubernetes
   */
  readonly cluster?: SparkCluster;
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
 *
 * Two options, which combine:
 * - `operator`: the server is a SparkApplication of Apache Spark's operator (cluster mode). The
 *   conf and both pod templates go into the application; Spark creates the driver's own Service
 *   and sets `spark.driver.host` to it, so there is no spark-defaults ConfigMap and no headless
 *   Service. The gRPC Service keeps its name and selects the driver by the labels the operator
 *   and Spark set (`spark.operator/spark-app-name`, `spark-role`), which hold across restarts.
 * - `cluster`: executors run in a standalone SparkCluster's workers; the driver creates no pods,
 *   so its account has no Role and no token.
 */
export class SparkConnectServer extends ClientModeWorkload {
  /** The server's name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The image of server and executors. */
  public readonly sparkImage: SparkImage;
  /** The driver wiring (account, conf, policies). */
  public readonly driver: ClientModeDriver;
  /** The URL clients connect to. */
  public readonly url: string;
  /** Labels selecting the server's pod (the driver). */
  public readonly podLabels: Record<string, string>;
  /** The SparkApplication, when the Apache operator runs the server. */
  public readonly application?: ApiObject;

  constructor(scope: Construct, id: string, props: SparkConnectServerProps) {
    super(scope, id);
    checkProps('SparkConnectServerProps', props, `SparkConnectServer ${show(props?.name)}`);
    const where = `SparkConnectServer ${show(props.name)}`;
    assertName(props.name, NameRule.DNS1035_LABEL, 'name', where);
    if (props.name.length > 40) throw new SparkPlatformError('name', `${show(props.name)} is ${props.name.length} characters`, 'use at most 40, so the derived object names stay valid', where);
    this.name = props.name;
    this.namespace = props.namespace.name;
    const { operator, cluster } = props;
    if (operator) {
      if (!operator.watches(this.namespace)) {
        throw new SparkPlatformError('operator', `ApacheSparkOperator ${show(operator.name)} (namespace ${show(operator.namespace)}) does not watch namespace ${show(this.namespace)}, so nothing would run the server`,
          `list ${this.namespace} in the operator's jobNamespaces, or give the server a namespace it watches`, where);
      }
      if (props.driverHost !== undefined) {
        throw new SparkPlatformError('driverHost', 'is set, but on the Apache operator the server runs in cluster mode, where Spark creates the driver\'s Service and sets spark.driver.host to it', 'leave driverHost out with operator', where);
      }
    }
    this.sparkImage = props.image ?? cluster?.image ?? SparkImage.official();
    const line = this.sparkImage.line;
    if (!line) throw new SparkPlatformError('image', `Spark ${this.sparkImage.sparkVersion} is not a line the version matrix knows`, 'use Spark 3.5.x, 4.0.x or 4.1.x', where);
    this.url = `sc://${props.name}.${this.namespace}.svc.cluster.local:${SPARK_CONNECT_PORT}`;
    const ownLabels = { 'app.kubernetes.io/name': 'spark-connect', 'app.kubernetes.io/instance': props.name };
    // On the operator the driver pod's name changes with every attempt; these labels do not.
    this.podLabels = operator ? { [APACHE_APP_NAME_LABEL]: props.name, [SPARK_ROLE_LABEL]: SparkRole.DRIVER } : ownLabels;
    const labels = platformLabels({ [TENANT_LABEL]: this.namespace, ...ownLabels });
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
      // Executors in a standalone cluster run the cluster's image (ClientModeDriver refuses a mismatch).
      executorImage: cluster?.image ?? this.sparkImage,
      // PySpark clients' UDFs run in Python workers on the executors.
      python: true,
      // The driver template's own labels (Spark keeps them on the pod; executors do not carry
      // them): the NetworkPolicies and a cluster's client registration select by them, as
      // `spark-role` is reserved to the operator and Spark.
      driverPodLabels: ownLabels,
      driverHost: operator ? DriverHost.POD_IP : props.driverHost ?? DriverHost.HEADLESS_SERVICE,
      driverPodName: operator ? undefined : `${props.name}-0`,
      sessions: 1,
      driverMemory,
      driverPodRequests: { cpu, memory },
      executors: props.executors,
      headlessService: !operator,
      imagePullSecrets: props.imagePullSecrets,
      ingress: [{ from: clients, ports: [{ port: k8s.IntOrString.fromNumber(SPARK_CONNECT_PORT), protocol: 'TCP' }] }],
      cluster,
      operatorBuilt: operator !== undefined,
    });
    this.driver.addSparkConf({ 'spark.connect.grpc.binding.port': String(SPARK_CONNECT_PORT) }, 'SparkConnectServer');
    if (line.version.startsWith('3.')) {
      // Spark 3.5 ships the Connect server as a separate artifact; 4.x has it in the distribution.
      this.driver.addPackages([`org.apache.spark:spark-connect_${this.sparkImage.scalaVersion}:${this.sparkImage.sparkVersion}`], 'SparkConnectServer');
    }

    if (operator) {
      // The driver pod's CPU request (its memory follows spark.driver.memory).
      this.driver.addSparkConf({ 'spark.app.name': props.name, 'spark.kubernetes.driver.request.cores': cpu.toKubernetes() }, 'SparkConnectServer');
      this.application = this.renderApplication(props, labels);
    } else {
      this.renderStatefulSet(props, labels, cpu, memory);
    }
    new k8s.KubeService(this, 'Service', {
      metadata: { name: props.name, namespace: this.namespace, labels },
      spec: {
        selector: { ...this.podLabels },
        // By number: on the operator Spark names the driver's container ports itself.
        ports: [{ name: 'grpc', port: SPARK_CONNECT_PORT, targetPort: operator ? k8s.IntOrString.fromNumber(SPARK_CONNECT_PORT) : k8s.IntOrString.fromString('grpc'), appProtocol: 'grpc' }],
      },
    });
    // Clients in the server's own namespace sit behind the tenant's default deny: let them out
    // to the server. (Clients elsewhere are their namespace's policies' business.)
    clientList.filter((c) => c.namespace === this.namespace).forEach((c, i) => {
      new k8s.KubeNetworkPolicy(this, `ClientEgress${i}`, {
        metadata: { name: `${props.name}-clients${i === 0 ? '' : `-${i}`}`, namespace: this.namespace, labels },
        spec: {
          podSelector: { matchLabels: { ...(c.labels ?? {}) } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { ...this.podLabels } } }], ports: [{ port: k8s.IntOrString.fromNumber(SPARK_CONNECT_PORT), protocol: 'TCP' }] }],
        },
      });
    });
  }

  /** Name for messages (ISparkWorkload). */
  public get workloadName(): string {
    return `SparkConnectServer ${show(this.name)}`;
  }

  /** Client mode: the server in a StatefulSet of one pod (`<name>-0`), reading spark-defaults.conf. */
  private renderStatefulSet(props: SparkConnectServerProps, labels: Record<string, string>, cpu: Cpu, memory: Memory): void {
    const img = this.sparkImage;
    const quantity = (v: Cpu | Memory) => k8s.Quantity.fromString(v.toKubernetes());
    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: props.name, namespace: this.namespace, labels },
      spec: {
        replicas: 1,
        serviceName: this.driver.headlessServiceName,
        selector: { matchLabels: { ...this.podLabels } },
        template: {
          metadata: { labels: { ...labels, [`${PLATFORM_LABEL_PREFIX}/role`]: 'spark-connect' } },
          spec: {
            serviceAccountName: this.driver.serviceAccountName,
            // The driver creates executor pods with the pod's token (not when a standalone cluster runs them).
            automountServiceAccountToken: this.driver.needsApiAccess,
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
  }

  /**
   * Cluster mode on the Apache operator: a SparkApplication whose driver is the server (no
   * primary resource, the server's main class), restarted for ever and kept (no time to live),
   * with the driver's conf and both pod templates (read at synth: conf and env added later count).
   */
  private renderApplication(props: SparkConnectServerProps, labels: Record<string, string>): ApiObject {
    const img = this.sparkImage;
    const ex = props.executors ?? {};
    const da = ex.dynamicAllocation;
    // instanceConfig only shapes the operator's status: executors it can count are its pods.
    const instanceConfig = props.cluster
      ? { initExecutors: 0, minExecutors: 0, maxExecutors: 0 }
      : da
        ? { initExecutors: da.initialExecutors ?? da.minExecutors ?? 0, minExecutors: da.minExecutors ?? 0, maxExecutors: da.maxExecutors }
        : { initExecutors: ex.instances ?? 2, minExecutors: ex.instances ?? 2, maxExecutors: ex.instances ?? 2 };
    const driverTemplate = (): Record<string, unknown> => {
      const writable = this.driver.driverWritableVolumes();
      const env = this.driver.addedEnv();
      return {
        metadata: { labels: { ...labels, ...this.podLabels, [`${PLATFORM_LABEL_PREFIX}/role`]: 'spark-connect' } },
        spec: {
          serviceAccountName: this.driver.serviceAccountName,
          automountServiceAccountToken: this.driver.needsApiAccess,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(img.uid, img.gid),
          ...(props.imagePullSecrets?.length ? { imagePullSecrets: props.imagePullSecrets.map((name) => ({ name })) } : {}),
          containers: [{
            name: SPARK_CONTAINER.driver,
            ...(env.length > 0 ? { env } : {}),
            // Ready once the server listens: the operator's DriverReady.
            readinessProbe: { tcpSocket: { port: SPARK_CONNECT_PORT }, periodSeconds: 10 },
            securityContext: restrictedContainerSecurityContext(),
            volumeMounts: writable.mounts,
          }],
          volumes: writable.volumes,
        },
      };
    };
    return new ApiObject(this, 'Application', {
      apiVersion: APACHE_SPARK_APPLICATION_API_VERSION,
      kind: 'SparkApplication',
      metadata: { name: props.name, namespace: this.namespace, labels },
      spec: Lazy.any({
        produce: () => ({
          // No jars, pyFiles or sparkRFiles: a JVM main class with no primary resource.
          mainClass: SPARK_CONNECT_SERVER_MAIN_CLASS,
          sparkConf: sortedConf(this.driver.sparkConf()),
          runtimeVersions: { sparkVersion: img.sparkVersion, scalaVersion: img.scalaVersion, jdkVersion: img.javaVersion },
          deploymentMode: 'ClusterMode',
          applicationTolerations: {
            restartConfig: { restartPolicy: 'Always', maxRestartAttempts: SERVER_RESTART_ATTEMPTS, restartBackoffMillis: 30_000 },
            instanceConfig,
            resourceRetainPolicy: 'Never',
          },
          driverSpec: { podTemplateSpec: driverTemplate() },
          ...(props.cluster ? {} : { executorSpec: { podTemplateSpec: this.driver.executorPodTemplateSpec() } }),
        }),
      }),
    });
  }
}
