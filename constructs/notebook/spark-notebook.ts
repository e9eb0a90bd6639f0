import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { assertPinnedImage } from '../images';
import { PLATFORM_LABEL_PREFIX, TENANT_LABEL, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { SparkImage } from '../spark-image';
import { sparkPodMemory } from '../spark-sizing';
import { SecretSource } from '../storage/credentials';
import { ISparkJobNamespace } from '../tenancy';
import { Cpu, Memory } from '../units';
import { ClientPodPeer, peersOf } from '../network';
import { ClientModeDriver, ClientModeExecutors, ClientModeWorkload, DriverHost, PortRange, checkSessions } from './client-mode';
import { SparkNotebookImage } from './notebook-image';
import type { SparkCluster } from '../apache-operator/spark-cluster';

/** JupyterLab's port. */
export const JUPYTER_PORT = 8888;
/** The key of the login token in the token Secret. */
export const NOTEBOOK_TOKEN_KEY = 'token';
/** Memory the Jupyter server and kernel need besides the driver JVM. */
const JUPYTER_ALLOWANCE = Memory.mebibytes(512);

/** Who may open the notebook's UI through its Service (besides `kubectl port-forward`, which policies do not see), e.g. the ingress controller's pods. */
export type NotebookUiPeer = ClientPodPeer;

/** Properties of a SparkNotebook. */
export interface SparkNotebookProps {
  /** Name of the notebook (a DNS-1035 label); its pod is `<name>-0`. */
  readonly name: string;
  /** The tenant namespace the notebook and its executors run in. */
  readonly namespace: ISparkJobNamespace;
  /** The notebook and executor images; their Spark, Scala and Python must match. */
  readonly image: SparkNotebookImage;
  /**
   * The Secret holding the login token (key "token"): referenced, never written into the
   * manifests. Pulumi creates it from a stack secret; in GitOps it comes out of band, sealed or
   * external. @default SecretSource.existing("<name>-token")
   */
  readonly token?: SecretSource;
  /** How executors address the driver. @default DriverHost.HEADLESS_SERVICE */
  readonly driverHost?: DriverHost;
  /** Spark sessions (kernels) that may run at once. @default 2 */
  readonly sessions?: number;
  /** `spark.driver.port`; the block manager takes the next port. @default 7078 */
  readonly driverPort?: number;
  /** CPU request of the notebook container. @default 1 core */
  readonly cpu?: Cpu;
  /** Memory of the notebook container (request = limit): Jupyter, kernels and the driver JVMs. @default 4 GiB */
  readonly memory?: Memory;
  /** Heap of each session's driver JVM (`spark.driver.memory`). @default 1 GiB */
  readonly driverMemory?: Memory;
  /** The executors of each session. */
  readonly executors?: ClientModeExecutors;
  /**
   * `spark.*` keys to accept in added Spark conf (`addSparkConf`) although the image's Spark line
   * does not define them: a plugin's keys. Exact keys, or prefixes written `spark.plugin.*`; any
   * other key must be one of the line's keys or under a documented open prefix
   * (constructs/validation/spark-conf-keys.ts). @default - none
   */
  readonly allowedSparkConfKeys?: readonly string[];
  /** Size of the notebooks volume (the home directory). @default 10 GiB */
  readonly storage?: Memory;
  /** StorageClass of the notebooks volume. @default - the cluster default */
  readonly storageClassName?: string;
  /** JupyterLab's base URL, when served under a path prefix. @default "/" */
  readonly baseUrl?: string;
  /** `spark.ui.proxyBase`, when the Spark UI is reached through a proxy. @default - not proxied */
  readonly sparkUiProxyBase?: string;
  /** Pods admitted to the UI (an ingress controller). @default - none: use `kubectl port-forward` */
  readonly uiAccess?: readonly NotebookUiPeer[];
  /** Image pull secrets of the notebook pod and its executors. @default - none */
  readonly imagePullSecrets?: readonly string[];
  /** Read-only root filesystem for the notebook container (then `pip install` goes to the home volume only). @default false */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Run the kernels' executors in a standalone SparkCluster (`spark.master` = its masterUrl)
   * instead of as pods of the namespace: the notebook is registered as the cluster's client, its
   * account gets no Role and no token, and the notebook image must hold the cluster's Spark,
   * Scala and Python (the executor image is the cluster's). @default - executor pods on Kubernetes
   */
  readonly cluster?: SparkCluster;
}

/**
 * A JupyterLab whose kernels run the Spark driver (client mode), with executors as pods in the
 * tenant namespace, wired so it works the first time:
 *
 * - a StatefulSet of one pod (`<name>-0`) with a notebooks volume, a UI Service, and the login
 *   token from a referenced Secret;
 * - a headless Service `<name>-driver` selecting the pod on the fixed driver and block manager
 *   ports, so executors reach the driver by a stable DNS name (or the pod IP, as an option);
 * - a ServiceAccount whose Role creates, watches and deletes executor pods, Services, ConfigMaps
 *   and PVCs in the namespace;
 * - spark-defaults.conf where the image's Spark reads it, with the in-cluster master, the driver
 *   host and ports, the executor image, account and pod template, and the pod's own name as
 *   `spark.kubernetes.driver.pod.name`, so executors are owned by the notebook pod and deleted
 *   with it; the object store and event log come through `connection.connect(notebook)`;
 * - NetworkPolicies: executors reach the driver ports, nothing else gets in (the UI only from
 *   `uiAccess`).
 *
 * Notebook and executor images must hold the same Spark, Scala and Python minor
 * (SparkNotebookImage refuses a pair that does not).
 */
export class SparkNotebook extends ClientModeWorkload {
  /** The notebook's name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** The images. */
  public readonly image: SparkNotebookImage;
  /** The client-mode wiring (account, conf, headless Service, policies). */
  public readonly driver: ClientModeDriver;
  /** The notebook pod's name. */
  public readonly podName: string;
  /** Labels selecting the notebook pod. */
  public readonly podLabels: Record<string, string>;
  /** The login token's Secret. */
  public readonly tokenSecretName: string;
  /** In-cluster URL of JupyterLab. */
  public readonly url: string;
  /** The UI Service's name. */
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: SparkNotebookProps) {
    super(scope, id);
    checkProps('SparkNotebookProps', props, `SparkNotebook ${show(props?.name)}`);
    const where = `SparkNotebook ${show(props.name)}`;
    assertName(props.name, NameRule.DNS1035_LABEL, 'name', where);
    // `<name>-driver` (headless Service) and `<name>-driver-ingress` (policy) must stay valid.
    if (props.name.length > 40) throw new SparkPlatformError('name', `${show(props.name)} is ${props.name.length} characters`, 'use at most 40, so the derived object names stay valid', where);
    if (!(props.image instanceof SparkNotebookImage)) {
      throw new SparkPlatformError('image', 'is not a SparkNotebookImage', 'use SparkNotebookImage.unified(...), .jupyterStack(...) or .custom(...)', where);
    }
    assertPinnedImage(props.image.notebook.image, 'image', where);
    this.name = props.name;
    this.namespace = props.namespace.name;
    this.image = props.image;
    this.podName = `${props.name}-0`;
    this.serviceName = props.name;
    this.podLabels = { 'app.kubernetes.io/name': 'spark-notebook', 'app.kubernetes.io/instance': props.name };
    const baseUrl = props.baseUrl ?? '/';
    if (!/^\/([-._~a-zA-Z0-9]+\/)*$/.test(baseUrl)) {
      throw new SparkPlatformError('baseUrl', `${show(baseUrl)} is not a path that starts and ends with "/"`, 'write e.g. "/" or "/notebooks/lab/"', where);
    }
    this.url = `http://${this.serviceName}.${this.namespace}.svc.cluster.local:${JUPYTER_PORT}${baseUrl}`;

    const memory = props.memory ?? Memory.gibibytes(4);
    const driverMemory = props.driverMemory ?? Memory.gibibytes(1);
    const sessions = checkSessions(props.sessions ?? 2, where);
    // Every session's driver JVM (heap + Spark's overhead) and Jupyter must fit the container.
    const needed = sparkPodMemory(driverMemory).times(sessions).plus(JUPYTER_ALLOWANCE);
    if (needed.compare(memory) > 0) {
      throw new SparkPlatformError('memory', `${memory} cannot hold ${sessions} sessions of ${driverMemory} driver heap (${needed} with Spark's overhead and ${JUPYTER_ALLOWANCE} for Jupyter)`, `raise memory to at least ${needed}, or lower driverMemory or sessions`, where);
    }
    const cpu = props.cpu ?? Cpu.cores(1);
    this.checkPodFitsQuota(props.namespace, cpu, memory, where);
    const storage = props.storage ?? Memory.gibibytes(10);
    if (storage.compare(Memory.gibibytes(1)) < 0) throw new SparkPlatformError('storage', `${storage} is below 1 GiB`, 'give the notebooks volume at least 1Gi', where);

    const token = props.token ?? SecretSource.existing(`${props.name}-token`);
    if (!(token instanceof SecretSource)) throw new SparkPlatformError('token', 'is not a SecretSource', 'use SecretSource.existing/sealedSecret/externalSecret', where);
    this.tokenSecretName = token.secretName;
    const labels = platformLabels({ [TENANT_LABEL]: this.namespace, ...this.podLabels });
    token.emit(this, 'Token', this.namespace, [NOTEBOOK_TOKEN_KEY], labels, { field: 'token', where });

    const uiPeers = peersOf(props.uiAccess ?? [], 'uiAccess', where);
    this.driver = new ClientModeDriver(this, 'Driver', {
      allowedSparkConfKeys: props.allowedSparkConfKeys,
      name: props.name,
      where,
      namespace: props.namespace,
      driverImage: props.image.notebook,
      // A standalone cluster's executors run in its workers, on its image.
      executorImage: props.cluster?.image ?? props.image.executor,
      python: true,
      driverPodLabels: this.podLabels,
      driverHost: props.driverHost ?? DriverHost.HEADLESS_SERVICE,
      driverPodName: this.podName,
      driverPort: props.driverPort,
      blockManagerPort: props.driverPort === undefined ? undefined : props.driverPort + 1,
      sessions,
      driverMemory,
      driverPodRequests: { cpu, memory },
      imagePullSecrets: props.imagePullSecrets,
      executors: props.executors,
      uiProxyBase: props.sparkUiProxyBase,
      headlessService: true,
      ingress: uiPeers.length === 0 ? [] : [{ from: uiPeers, ports: [{ port: k8s.IntOrString.fromNumber(JUPYTER_PORT), protocol: 'TCP' }] }],
      cluster: props.cluster,
    });

    const img = props.image.notebook;
    const homeMount = { name: 'home', mountPath: props.image.homeDirectory };
    const quantity = (v: Cpu | Memory) => k8s.Quantity.fromString(v.toKubernetes());
    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: props.name, namespace: this.namespace, labels },
      spec: {
        replicas: 1,
        serviceName: this.driver.headlessServiceName,
        selector: { matchLabels: { ...this.podLabels } },
        template: {
          metadata: { labels: { ...labels, [`${PLATFORM_LABEL_PREFIX}/role`]: 'notebook' } },
          spec: {
            serviceAccountName: this.driver.serviceAccountName,
            // The driver creates executor pods with the pod's token (not when a standalone cluster runs them).
            automountServiceAccountToken: this.driver.needsApiAccess,
            enableServiceLinks: false,
            securityContext: { ...restrictedPodSecurityContext(img.uid, img.gid), fsGroupChangePolicy: 'OnRootMismatch' },
            imagePullSecrets: props.imagePullSecrets?.map((name) => ({ name })),
            containers: [{
              name: 'notebook',
              image: img.image,
              command: props.image.command(JUPYTER_PORT, baseUrl),
              // Lazy: the object-store connection adds its credentials after construction.
              env: Lazy.any({
                produce: () => [
                  { name: 'HOME', value: props.image.homeDirectory },
                  { name: 'JUPYTER_TOKEN', valueFrom: { secretKeyRef: { name: this.tokenSecretName, key: NOTEBOOK_TOKEN_KEY } } },
                  ...this.driver.driverEnv(),
                ],
              }) as unknown as k8s.EnvVar[],
              ports: [{ name: 'http', containerPort: JUPYTER_PORT }, ...this.driver.driverContainerPorts(), { name: 'spark-ui', containerPort: 4040 }],
              readinessProbe: { httpGet: { path: `${baseUrl}api`, port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 5 },
              livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, initialDelaySeconds: 30, periodSeconds: 20 },
              resources: { requests: { cpu: quantity(cpu), memory: quantity(memory) }, limits: { memory: quantity(memory) } },
              securityContext: { ...restrictedContainerSecurityContext(), readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? false },
              // The home volume covers the kernels' working directory; the rest of what Spark
              // writes gets emptyDirs (read at synth: conf added later may add paths).
              volumeMounts: Lazy.any({
                produce: () => [
                  homeMount,
                  ...this.driver.driverWritableVolumes([homeMount], props.image.homeDirectory).mounts,
                  ...this.driver.driverVolumeMounts(),
                ],
              }) as unknown as k8s.VolumeMount[],
            }],
            volumes: Lazy.any({
              produce: () => [...this.driver.driverWritableVolumes([homeMount], props.image.homeDirectory).volumes, ...this.driver.driverVolumes()],
            }) as unknown as k8s.Volume[],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'home', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: quantity(storage) } },
          },
        }],
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, namespace: this.namespace, labels },
      spec: { selector: { ...this.podLabels }, ports: [{ name: 'http', port: JUPYTER_PORT, targetPort: k8s.IntOrString.fromString('http') }] },
    });
  }

  /** Name for messages (ISparkWorkload). */
  public get workloadName(): string {
    return `SparkNotebook ${show(this.name)}`;
  }

  /** The driver's image (ISparkWorkload): the notebook's. */
  public get sparkImage(): SparkImage {
    return this.image.notebook;
  }

  /** The driver ports executors must reach (every session's). */
  public get driverPortRange(): PortRange {
    return this.driver.driverPortRange;
  }

  private checkPodFitsQuota(ns: ISparkJobNamespace, cpu: Cpu, memory: Memory, where: string): void {
    const max = ns.containerDefaults;
    if (max?.maxMemory && memory.compare(max.maxMemory) > 0) {
      throw new SparkPlatformError('memory', `${memory} is above the largest container namespace ${show(ns.name)} admits (${max.maxMemory})`, 'lower memory or raise the tenant\'s containerDefaults.maxMemory', where);
    }
    if (max?.maxCpu && cpu.compare(max.maxCpu) > 0) {
      throw new SparkPlatformError('cpu', `${cpu} is above the largest container namespace ${show(ns.name)} admits (${max.maxCpu})`, 'lower cpu or raise the tenant\'s containerDefaults.maxCpu', where);
    }
  }
}
