import { Construct } from 'constructs';
import { checkProps } from '../validation/props';
import { SparkPlatformError, show } from '../errors';
import { NetworkEndpoint } from '../network';
import { SparkImage } from '../spark-image';
import { ISparkJobNamespace } from '../tenancy';
import { Memory } from '../units';
import { ClientModeDriver, ClientModeExecutors, ClientModeWorkload, DriverHost } from './client-mode';
import { SparkNotebookImage } from './notebook-image';

/** The labels the z2jh chart puts on single-user server pods. */
export const Z2JH_SINGLEUSER_LABELS: Readonly<Record<string, string>> = { component: 'singleuser-server' };

/** Properties of JupyterHubSpark. */
export interface JupyterHubSparkProps {
  /** Name of the wiring's objects (account, conf, executor policy). @default "jupyterhub-spark" */
  readonly name?: string;
  /**
   * The tenant namespace the hub spawns single-user servers in, where their executors run too
   * (an executor's owner reference must point into its own namespace).
   */
  readonly namespace: ISparkJobNamespace;
  /** The single-user image and the executors'; Spark, Scala and Python must match. */
  readonly image: SparkNotebookImage;
  /** Spark sessions per user server. @default 2 */
  readonly sessions?: number;
  /** Heap of each session's driver JVM. @default 1 GiB */
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
  /** Pull secrets of the executor pods (set the hub's `singleuser.image.pullSecrets` too). @default - none */
  readonly imagePullSecrets?: readonly string[];
  /** Labels of the single-user pods. @default Z2JH_SINGLEUSER_LABELS */
  readonly userPodLabels?: Record<string, string>;
}

/**
 * The notebook wiring for JupyterHub (the zero-to-jupyterhub chart) instead of a SparkNotebook:
 * the objects go into the manifests (the account and Role user servers create executors with,
 * the spark-defaults.conf and executor pod template ConfigMap, the executors' NetworkPolicy), and
 * `values()` is the fragment of the chart's values that makes every single-user server a
 * client-mode driver: the image, the account, the env (pod name and IP, object-store
 * credentials), the conf mounted where the image's Spark reads it, and network policy rules.
 *
 * KubeSpawner makes no Service per user, so executors reach each server by its pod IP, and the
 * driver's pod name comes from the downward API (`${env:POD_NAME}`, substituted by Spark).
 */
export class JupyterHubSpark extends ClientModeWorkload {
  /** The client-mode wiring (no headless Service; the chart owns the user pods' policies). */
  public readonly driver: ClientModeDriver;
  /** The images. */
  public readonly image: SparkNotebookImage;
  /** The namespace's name. */
  public readonly namespace: string;
  private readonly userPodLabels: Record<string, string>;
  private readonly tenant: ISparkJobNamespace;

  constructor(scope: Construct, id: string, props: JupyterHubSparkProps) {
    super(scope, id);
    const name = props.name ?? 'jupyterhub-spark';
    const where = `JupyterHubSpark ${show(name)}`;
    checkProps('JupyterHubSparkProps', props, where);
    this.image = props.image;
    this.namespace = props.namespace.name;
    this.tenant = props.namespace;
    this.userPodLabels = { ...(props.userPodLabels ?? Z2JH_SINGLEUSER_LABELS) };
    if (Object.keys(this.userPodLabels).length === 0) {
      throw new SparkPlatformError('userPodLabels', 'is empty', 'give the labels the hub puts on single-user pods (z2jh: component=singleuser-server)', where);
    }
    this.driver = new ClientModeDriver(this, 'Driver', {
      allowedSparkConfKeys: props.allowedSparkConfKeys,
      name,
      where,
      namespace: props.namespace,
      driverImage: props.image.notebook,
      executorImage: props.image.executor,
      python: true,
      driverPodLabels: this.userPodLabels,
      driverHost: DriverHost.POD_IP,
      sessions: props.sessions ?? 2,
      driverMemory: props.driverMemory ?? Memory.gibibytes(1),
      executors: props.executors,
      headlessService: false,
      driverPolicies: false,
      imagePullSecrets: props.imagePullSecrets,
    });
  }

  /** Name for messages (ISparkWorkload). */
  public get workloadName(): string {
    return this.driver.workloadName.replace('client-mode driver', 'JupyterHubSpark');
  }

  /** The driver's image (ISparkWorkload). */
  public get sparkImage(): SparkImage {
    return this.image.notebook;
  }

  /**
   * The z2jh values fragment (merge it into the chart's values). Keys: `singleuser.image`,
   * `serviceAccountName`, `uid`/`fsGid`, `extraEnv`, `storage.homeMountPath` and
   * `storage.extraVolumes`/`extraVolumeMounts` (the conf ConfigMap), `networkPolicy.ingress`
   * (executors to the driver ports) and `networkPolicy.egress` (API server, executors, object
   * store, package repository); and the KubeSpawner security contexts for the restricted Pod
   * Security Standard (`hub.config.KubeSpawner`).
   */
  public values(): Record<string, unknown> {
    const d = this.driver;
    const img = this.image.notebook;
    const executors = { matchLabels: { ...d.executorPodLabels } };
    const ep = this.tenant.endpoints;
    const egressTargets: NetworkEndpoint[] = [
      ep?.apiServer ?? NetworkEndpoint.kubeApiServer(),
      ...(ep?.objectStore ? [ep.objectStore] : []),
      ...(ep?.packageRepository ? [ep.packageRepository] : []),
    ];
    const extraEnv: Record<string, unknown> = {};
    for (const e of d.driverEnv() as unknown as Array<Record<string, unknown>>) {
      const { name, ...rest } = e;
      extraEnv[name as string] = rest.value !== undefined ? rest.value : rest;
    }
    return JSON.parse(JSON.stringify({
      singleuser: {
        image: splitImage(img.image),
        serviceAccountName: d.serviceAccountName,
        uid: img.uid,
        fsGid: img.gid,
        extraEnv,
        storage: {
          homeMountPath: this.image.homeDirectory,
          extraVolumes: d.driverVolumes(),
          extraVolumeMounts: d.driverVolumeMounts(),
        },
        networkPolicy: {
          ingress: [{ from: [{ podSelector: executors }], ports: [{ port: d.driverPortRange.port, endPort: d.driverPortRange.endPort, protocol: 'TCP' }] }],
          egress: [
            { to: [{ podSelector: executors }], ports: [{ port: d.blockManagerPort, protocol: 'TCP' }] },
            ...egressTargets.map((t) => ({ to: t.toPeers(), ports: t.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })) })),
          ],
        },
      },
      hub: {
        config: {
          KubeSpawner: {
            pod_security_context: { runAsNonRoot: true, runAsUser: img.uid, runAsGroup: img.gid, fsGroup: img.gid, seccompProfile: { type: 'RuntimeDefault' } },
            container_security_context: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
          },
        },
      },
    }));
  }
}

/** `registry/repo:tag` -> `{ name, tag }` as z2jh wants images; digests are kept in the tag. */
function splitImage(image: string): { name: string; tag: string } {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) {
    throw new SparkPlatformError('image', `${show(image)} has no tag`, 'z2jh takes name and tag: pin a tag (a digest may follow it: "repo:tag@sha256:...")', 'JupyterHubSpark');
  }
  return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) + (at >= 0 ? image.slice(at) : '') };
}
