import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { assertPinnedImage } from '../images';
import { TENANT_LABEL, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { NetworkEndpoint, podPolicy } from '../network';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { restrictedNamespace } from '../tenancy/spark-namespace';
import { Cpu, Memory } from '../units';
import { MINIO } from '../versions';
import { SecretSource } from './credentials';
import { IObjectStore } from './object-store';

/** How MinIO runs. */
export enum MinIOMode {
  /** One server, no erasure coding across nodes (erasure coding across drives with `drivesPerNode` > 1). For development. */
  STANDALONE = 'standalone',
  /** At least 4 servers sharing erasure-coded drives: survives the loss of nodes and drives. */
  DISTRIBUTED = 'distributed',
}

/** Resources of each MinIO server container. */
export interface MinIOResources {
  /** CPU request (no limit: MinIO bursts on erasure coding and checksums). @default 250m */
  readonly cpu?: Cpu;
  /** Memory request and limit. @default 1Gi standalone, 2Gi distributed */
  readonly memory?: Memory;
}

/** Properties of MinIO. */
export interface MinIOProps {
  /** Name of the StatefulSet, the client Service (`<name>`) and prefix of the other objects; at most 46 characters. @default "minio" */
  readonly name?: string;
  /** Namespace MinIO runs in. @default "spark-platform" */
  readonly namespace?: string;
  /**
   * Create that namespace: restricted Pod Security enforced, and `default-deny-all` (MinIO's
   * pods, the bucket Job and the History Server admit what they need themselves). @default true
   */
  readonly createNamespace?: boolean;
  /** The cluster DNS MinIO's pods and the bucket Job resolve names with. @default NetworkEndpoint.kubeDns() */
  readonly dns?: NetworkEndpoint;
  /**
   * Who may reach the S3 API besides the platform's own: by default a NetworkPolicy lets in only
   * pods of tenant namespaces (label `spark-platform.io/tenant`; their own egress policies then
   * decide which of their pods) and pods of MinIO's namespace (the History Server, the bucket
   * Job, the other servers); nothing reaches the console port. Add peers here, e.g. a backup job's
   * namespace. @default - none
   */
  readonly apiClients?: readonly k8s.NetworkPolicyPeer[];
  /** Standalone (one server) or distributed. @default MinIOMode.STANDALONE */
  readonly mode?: MinIOMode;
  /** Servers: 1 in standalone mode, at least 4 in distributed mode. @default 1 standalone, 4 distributed */
  readonly replicas?: number;
  /** Drives (PersistentVolumeClaims) per server. @default 1 */
  readonly drivesPerNode?: number;
  /**
   * Size of each drive. A StatefulSet's volumeClaimTemplates cannot be changed once created:
   * grow volumes by resizing the PVCs (if the StorageClass allows expansion).
   * @default 20Gi
   */
  readonly storage?: Memory;
  /** StorageClass of the drives (local disks, XFS, not NFS, for production). @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** Resources of each server. @default - cpu 250m; memory 1Gi standalone, 2Gi distributed (request = limit) */
  readonly resources?: MinIOResources;
  /** The MinIO server image, pinned. @default MINIO.image (versions.ts) */
  readonly image?: string;
  /** The MinIO client (`mc`) image of the bucket Job, pinned. @default MINIO.clientImage (versions.ts) */
  readonly clientImage?: string;
  /**
   * The Secret holding the root credentials, keys `rootUser` (at least 3 characters) and
   * `rootPassword` (at least 8). The bucket Job puts them in a URL, so keep them URL-safe
   * (letters, digits, `-`, `_`, `.`, `~`). Required: there is no safe default credential.
   */
  readonly rootCredentials: SecretSource;
  /** Buckets to create (idempotently, by a Job). @default [] */
  readonly buckets?: readonly string[];
  /**
   * `<bucket>/<prefix>` "directories" that must exist, made by a placeholder object
   * `<prefix>/.keep` (S3 has no directories, and e.g. the History Server refuses to start on a
   * missing event-log directory). @default []
   */
  readonly prefixes?: readonly string[];
  /** The region MinIO reports and clients sign requests for (`MINIO_SITE_REGION`). @default "us-east-1" */
  readonly region?: string;
}

/** The Secret keys MinIO reads its root credentials from. */
export const MINIO_ROOT_CREDENTIAL_KEYS = { user: 'rootUser', password: 'rootPassword' } as const;

const PORTS = { api: 9000, console: 9001 } as const;
/** Labels of the bucket Job's pod: not the servers' (the Services select those, and must not send traffic to it). */
const BUCKET_JOB_LABELS = (name: string): Record<string, string> => ({ 'app.kubernetes.io/name': 'mc', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'buckets' });
const MAX_NAME = 46; // `<name>-buckets-<8 hex>` must fit the 63 characters of the job-name label
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const REGION = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/**
 * MinIO, the S3-compatible object store, deployed by the platform: a StatefulSet (standalone or
 * distributed, erasure-coded), its headless and client Services, a PodDisruptionBudget when
 * distributed, and a Job that creates the buckets. Restricted security contexts; the root
 * credentials only ever come from a Secret (see SecretSource).
 *
 * Upstream no longer publishes images (see versions.ts MINIO): the defaults are frozen tags.
 */
export class MinIO extends Construct implements IObjectStore {
  /** Name of the StatefulSet and of the client Service. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** Standalone or distributed. */
  public readonly mode: MinIOMode;
  /** Number of servers. */
  public readonly replicas: number;
  /** Drives per server. */
  public readonly drivesPerNode: number;
  /** The server image. */
  public readonly image: string;
  /** The `mc` image of the bucket Job. */
  public readonly clientImage: string;
  /** Where the root credentials come from. */
  public readonly rootCredentials: SecretSource;
  /** Buckets the bucket Job creates. */
  public readonly buckets: readonly string[];
  /** `<bucket>/<prefix>` placeholders the bucket Job writes. */
  public readonly prefixes: readonly string[];
  /** Name of the bucket Job; undefined without buckets. */
  public readonly bucketJobName?: string;
  /** `http://<name>.<namespace>.svc.cluster.local:9000`. */
  public readonly endpoint: string;
  /** The region. */
  public readonly region: string;
  /** Always true: MinIO is addressed path-style. */
  public readonly pathStyleAccess = true;
  /** Always false: the in-cluster endpoint is plain http. */
  public readonly ssl = false;
  /** The MinIO server pods, port 9000: what Spark pods must be allowed to reach. */
  public readonly networkEndpoint: NetworkEndpoint;

  private readonly selector: Record<string, string>;
  /** The cluster DNS (egress of every pod of MinIO). */
  private readonly dns: NetworkEndpoint;

  constructor(scope: Construct, id: string, props: MinIOProps) {
    super(scope, id);
    checkProps('MinIOProps', props, 'MinIO');
    const where = 'MinIO';
    this.name = props.name ?? 'minio';
    this.namespace = props.namespace ?? 'spark-platform';
    assertName(this.name, NameRule.DNS1035_LABEL, 'name', where);
    if (this.name.length > MAX_NAME) {
      throw new SparkPlatformError('name', `${show(this.name)} is ${this.name.length} characters; at most ${MAX_NAME} leave room for "<name>-buckets-<hash>"`, `use a shorter name, e.g. ${show(this.name.slice(0, MAX_NAME).replace(/-+$/, ''))}`, where);
    }
    assertName(this.namespace, NameRule.DNS1123_LABEL, 'namespace', where);

    this.mode = props.mode ?? MinIOMode.STANDALONE;
    if (this.mode !== MinIOMode.STANDALONE && this.mode !== MinIOMode.DISTRIBUTED) {
      throw new SparkPlatformError('mode', `${show(this.mode)} is not a mode`, 'use MinIOMode.STANDALONE or MinIOMode.DISTRIBUTED', where);
    }
    this.replicas = checkReplicas(this.mode, props.replicas, where);
    this.drivesPerNode = props.drivesPerNode ?? 1;
    if (!Number.isInteger(this.drivesPerNode) || this.drivesPerNode < 1) {
      throw new SparkPlatformError('drivesPerNode', `${show(props.drivesPerNode)} is not a positive whole number`, 'use 1 or more drives per server', where);
    }
    checkErasureSets(this.replicas, this.drivesPerNode, where);

    const storage = props.storage ?? Memory.gibibytes(20);
    if (storage.bytes <= 0) {
      throw new SparkPlatformError('storage', 'is zero', 'give each drive a size, e.g. Memory.gibibytes(20)', where);
    }
    if (props.storageClassName !== undefined) assertName(props.storageClassName, NameRule.DNS1123_SUBDOMAIN, 'storageClassName', where);

    this.image = props.image ?? MINIO.image;
    this.clientImage = props.clientImage ?? MINIO.clientImage;
    assertPinnedImage(this.image, 'image', where);
    assertPinnedImage(this.clientImage, 'clientImage', where);

    this.rootCredentials = props.rootCredentials;
    this.buckets = checkBuckets(props.buckets ?? [], where);
    this.prefixes = [...(props.prefixes ?? [])].sort();
    this.prefixes.forEach((p, i) => {
      const m = /^([^/]+)\/([A-Za-z0-9._\-/]+?)\/?$/.exec(p);
      if (!m) throw new SparkPlatformError(`prefixes[${i}]`, `${JSON.stringify(p)} is not <bucket>/<prefix>`, 'write e.g. "spark-logs/events"', where);
      if (!this.buckets.includes(m[1])) throw new SparkPlatformError(`prefixes[${i}]`, `bucket ${JSON.stringify(m[1])} is not in buckets`, 'add the bucket to buckets', where);
    });

    this.region = props.region ?? 'us-east-1';
    if (!REGION.test(this.region)) {
      throw new SparkPlatformError('region', `${show(this.region)} is not a region name`, 'use lower-case letters, digits and \'-\', e.g. "us-east-1"', where);
    }

    this.selector = { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/instance': this.name };
    this.endpoint = `http://${this.serviceHost}:${PORTS.api}`;
    this.networkEndpoint = NetworkEndpoint.pods({ namespace: this.namespace, labels: { ...this.selector }, ports: [{ port: PORTS.api }] });

    if (props.createNamespace ?? true) {
      restrictedNamespace(this, 'Namespace', this.namespace, { defaultDeny: true });
    }
    this.dns = props.dns ?? NetworkEndpoint.kubeDns();

    this.rootCredentials.emit(this, 'RootCredentials', this.namespace, Object.values(MINIO_ROOT_CREDENTIAL_KEYS), platformLabels(this.selector), { field: 'rootCredentials', where });
    this.addServer(storage, props.storageClassName, props.resources ?? {});
    this.addServices();
    if (this.mode === MinIOMode.DISTRIBUTED) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: this.meta(this.name),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.selector } } },
      });
    }
    if (this.buckets.length > 0) this.bucketJobName = this.addBucketJob();
    this.addIngressPolicy(props.apiClients ?? []);
    this.addEgressPolicies();
  }

  /**
   * Out: the servers resolve names and, distributed, reach each other's S3 port; the bucket Job
   * resolves and reaches the S3 port. Nothing else (no update checks, no outside).
   */
  private addEgressPolicies(): void {
    const peers = this.networkEndpoint.toEgressRule();
    podPolicy(this, 'EgressPolicy', {
      name: `${this.name}-egress`,
      namespace: this.namespace,
      labels: platformLabels(this.selector),
      podSelector: { matchLabels: { ...this.selector } },
      egress: [this.dns.toEgressRule(), ...(this.mode === MinIOMode.DISTRIBUTED ? [peers] : [])],
    });
    if (this.bucketJobName) {
      podPolicy(this, 'BucketJobPolicy', {
        name: `${this.name}-buckets`,
        namespace: this.namespace,
        labels: platformLabels(BUCKET_JOB_LABELS(this.name)),
        podSelector: { matchLabels: BUCKET_JOB_LABELS(this.name) },
        ingress: [],
        egress: [this.dns.toEgressRule(), peers],
      });
    }
  }

  /** Only tenants and MinIO's own namespace reach the S3 API; nobody the console (port-forward is not subject). */
  private addIngressPolicy(extra: readonly k8s.NetworkPolicyPeer[]): void {
    new k8s.KubeNetworkPolicy(this, 'IngressPolicy', {
      metadata: this.meta(`${this.name}-ingress`),
      spec: {
        podSelector: { matchLabels: { ...this.selector } },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [
            { namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: 'Exists' }] } },
            { podSelector: {} },
            ...extra,
          ],
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(PORTS.api) }],
        }],
      },
    });
  }

  /** Name of the headless Service that gives each server a stable DNS name. */
  public get headlessServiceName(): string {
    return `${this.name}-hl`;
  }

  /** The client Service's DNS name. */
  private get serviceHost(): string {
    return `${this.name}.${this.namespace}.svc.cluster.local`;
  }

  private meta(name: string, labels: Record<string, string> = this.selector): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: platformLabels(labels) };
  }

  /** The `minio server` arguments: local drives, or every drive of every server in MinIO's `{a...b}` expansion. */
  private serverArgs(): string[] {
    const m = this.drivesPerNode;
    const drives = m === 1 ? '/data' : `/data{0...${m - 1}}`;
    const volumes = this.mode === MinIOMode.STANDALONE
      ? drives
      : `http://${this.name}-{0...${this.replicas - 1}}.${this.headlessServiceName}.${this.namespace}.svc.cluster.local${drives}`;
    return ['server', volumes, '--console-address', `:${PORTS.console}`];
  }

  private addServer(storage: Memory, storageClassName: string | undefined, resources: MinIOResources): void {
    const memory = resources.memory ?? Memory.gibibytes(this.mode === MinIOMode.DISTRIBUTED ? 2 : 1);
    const cpu = resources.cpu ?? Cpu.millis(250);
    const q = (v: Cpu | Memory) => k8s.Quantity.fromString(v.toKubernetes());
    const drive = (i: number) => `data-${i}`;
    const driveIndexes = Array.from({ length: this.drivesPerNode }, (_, i) => i);
    const secretEnv = (name: string, key: string): k8s.EnvVar => ({
      name, valueFrom: { secretKeyRef: { name: this.rootCredentials.secretName, key } },
    });
    const probe = (path: string, timing: Omit<k8s.Probe, 'httpGet'>): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromNumber(PORTS.api), scheme: 'HTTP' },
      ...timing,
    });

    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: this.meta(this.name),
      spec: {
        serviceName: this.headlessServiceName,
        replicas: this.replicas,
        // Distributed MinIO waits for a quorum of peers before it is ready: an ordered start
        // (the default) would wait for pod 0 to be ready forever.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { ...this.selector } },
        template: {
          metadata: { labels: platformLabels(this.selector) },
          spec: {
            enableServiceLinks: false,
            automountServiceAccountToken: false,
            securityContext: { ...restrictedPodSecurityContext(MINIO.uid), fsGroupChangePolicy: 'OnRootMismatch' },
            affinity: this.mode === MinIOMode.DISTRIBUTED ? spreadOverNodes(this.selector) : undefined,
            containers: [{
              name: 'minio',
              image: this.image,
              args: this.serverArgs(),
              ports: [
                { name: 'api', containerPort: PORTS.api },
                { name: 'console', containerPort: PORTS.console },
              ],
              env: [
                secretEnv('MINIO_ROOT_USER', MINIO_ROOT_CREDENTIAL_KEYS.user),
                secretEnv('MINIO_ROOT_PASSWORD', MINIO_ROOT_CREDENTIAL_KEYS.password),
                { name: 'MINIO_SITE_REGION', value: this.region },
                { name: 'MINIO_PROMETHEUS_AUTH_TYPE', value: 'public' },
                // MinIO keeps ~/.minio (certs dir) under HOME; the root filesystem is read-only
                { name: 'HOME', value: '/tmp' },
              ],
              resources: { requests: { cpu: q(cpu), memory: q(memory) }, limits: { memory: q(memory) } },
              // live: the process serves HTTP; ready: this server can serve requests
              livenessProbe: probe('/minio/health/live', { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 }),
              readinessProbe: probe('/minio/health/ready', { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [
                ...driveIndexes.map((i) => ({ name: drive(i), mountPath: this.drivesPerNode === 1 ? '/data' : `/data${i}` })),
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
        volumeClaimTemplates: driveIndexes.map((i) => ({
          metadata: { name: drive(i) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: q(storage) } },
            ...(storageClassName !== undefined ? { storageClassName } : {}),
          },
        })),
      },
    });
  }

  private addServices(): void {
    const port = (name: keyof typeof PORTS): k8s.ServicePort => ({ name, port: PORTS[name], targetPort: k8s.IntOrString.fromString(name) });
    new k8s.KubeService(this, 'HeadlessService', {
      metadata: this.meta(this.headlessServiceName),
      spec: {
        clusterIp: 'None',
        // peers must resolve each other while starting, before any of them is ready
        publishNotReadyAddresses: true,
        selector: { ...this.selector },
        ports: [port('api')],
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: this.meta(this.name),
      spec: { selector: { ...this.selector }, ports: [port('api'), port('console')] },
    });
  }

  /**
   * A Job that waits for MinIO and creates the buckets, idempotently (`mc mb --ignore-existing`).
   * Returns its name.
   */
  private addBucketJob(): string {
    const alias = 'minio';
    const tries = 60;
    const delaySeconds = 5;
    const script = [
      'set -eu',
      // The credentials go to mc verbatim, as arguments (a password with @ / : # ? % breaks the
      // MC_HOST_<alias> URL form); --api skips mc's probe, so MinIO need not be up yet.
      `mc alias set ${alias} ${shellQuote(`http://${this.serviceHost}:${PORTS.api}`)} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" --api S3v4 --path on >/dev/null`,
      'tries=0',
      `until mc admin info ${alias} >/dev/null 2>&1; do`,
      '  tries=$((tries + 1))',
      `  if [ "$tries" -ge ${tries} ]; then`,
      `    echo "MinIO at ${this.endpoint} did not answer after ${tries} tries" >&2`,
      `    mc admin info ${alias}`,
      '    exit 1',
      '  fi',
      `  echo "waiting for MinIO at ${this.endpoint} ($tries/${tries})"`,
      `  sleep ${delaySeconds}`,
      'done',
      // sorted: the order the buckets were listed in does not change the Job
      ...[...this.buckets].sort().map((b) => `mc mb --ignore-existing ${alias}/${b}`),
      ...this.prefixes.map((p) => `echo "spark-platform placeholder" | mc pipe ${alias}/${p.replace(/\/$/, '')}/.keep`),
      '',
    ].join('\n');
    const secretEnv = (name: string, key: string): k8s.EnvVar => ({
      name, valueFrom: { secretKeyRef: { name: this.rootCredentials.secretName, key } },
    });
    // Not the server's labels: the Services select those, and must not send traffic to this pod.
    const labels = BUCKET_JOB_LABELS(this.name);
    const mem = k8s.Quantity.fromString('128Mi');
    const template: k8s.PodTemplateSpec = {
      metadata: { labels: platformLabels(labels) },
      spec: {
        restartPolicy: 'Never',
        enableServiceLinks: false,
        automountServiceAccountToken: false,
        securityContext: restrictedPodSecurityContext(MINIO.uid),
        containers: [{
          name: 'mc',
          image: this.clientImage,
          command: ['/bin/sh', '-c', script],
          env: [
            { name: 'MC_CONFIG_DIR', value: '/tmp/.mc' },
            secretEnv('MINIO_ROOT_USER', MINIO_ROOT_CREDENTIAL_KEYS.user),
            secretEnv('MINIO_ROOT_PASSWORD', MINIO_ROOT_CREDENTIAL_KEYS.password),
          ],
          resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: mem }, limits: { memory: mem } },
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    };
    // A Job's pod template is immutable: applying a changed one fails. The name carries a hash of
    // the template (bucket list, image, endpoint, Secret), so a change is a new Job, and the old
    // one is pruned by the GitOps tool; the script is idempotent, so re-running is harmless.
    const hash = createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 8);
    const name = `${this.name}-buckets-${hash}`;
    new k8s.KubeJob(this, 'Buckets', {
      metadata: this.meta(name, labels),
      spec: {
        backoffLimit: 6,
        // No ttlSecondsAfterFinished: the cluster would delete the finished Job, the GitOps tool
        // would see it missing from the cluster and create it again, forever.
        template,
      },
    });
    return name;
  }
}

function checkReplicas(mode: MinIOMode, given: number | undefined, where: string): number {
  if (mode === MinIOMode.STANDALONE) {
    const replicas = given ?? 1;
    if (replicas !== 1) {
      throw new SparkPlatformError('replicas', `is ${show(replicas)}, but a standalone MinIO is one server`, 'leave replicas at 1, or set mode: MinIOMode.DISTRIBUTED with at least 4 replicas', where);
    }
    return replicas;
  }
  const replicas = given ?? 4;
  if (!Number.isInteger(replicas) || replicas < 4) {
    throw new SparkPlatformError('replicas', `is ${show(replicas)}, but distributed MinIO needs at least 4 servers`, 'set replicas to 4 or more, or use mode: MinIOMode.STANDALONE', where);
  }
  return replicas;
}

/** MinIO splits the drives into erasure sets of 2 to 16 drives of equal size; the total must divide evenly. */
function checkErasureSets(replicas: number, drivesPerNode: number, where: string): void {
  const total = replicas * drivesPerNode;
  if (total === 1) return; // one drive: no erasure coding
  for (let size = 2; size <= 16; size++) if (total % size === 0) return;
  throw new SparkPlatformError('drivesPerNode', `${replicas} servers x ${drivesPerNode} drives = ${total} drives, which MinIO cannot split into erasure sets of 2 to 16 drives`, 'choose replicas and drivesPerNode whose product is divisible by a number from 2 to 16, e.g. 4 x 1 or 8 x 2', where);
}

/** S3 bucket naming rules. @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
function bucketProblem(name: string): string | undefined {
  if (typeof name !== 'string') return `${show(name)} is not a string`;
  if (name.length < 3 || name.length > 63) return `${show(name)} is ${name.length} characters; a bucket name has 3 to 63`;
  if (!S3_BUCKET.test(name)) return `${show(name)} is not a valid bucket name (lower-case letters, digits, '.' and '-', starting and ending with a letter or digit)`;
  if (name.includes('..')) return `${show(name)} has two adjacent dots`;
  if (IPV4.test(name)) return `${show(name)} is formatted as an IP address`;
  if (name.startsWith('xn--') || name.endsWith('-s3alias')) return `${show(name)} uses a prefix or suffix S3 reserves (xn--, -s3alias)`;
  return undefined;
}

function checkBuckets(buckets: readonly string[], where: string): string[] {
  buckets.forEach((b, i) => {
    const problem = bucketProblem(b);
    if (problem) {
      const suggestion = String(b).toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63);
      throw new SparkPlatformError(`buckets[${i}]`, problem, `use a name such as ${show(suggestion.length >= 3 ? suggestion : 'spark-data')}`, where);
    }
    if (buckets.indexOf(b) !== i) throw new SparkPlatformError(`buckets[${i}]`, `${show(b)} is listed twice`, 'list each bucket once', where);
  });
  return [...buckets];
}

/** Prefer one server per node, so a node going down costs one server's drives. */
function spreadOverNodes(labels: Record<string, string>): k8s.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...labels } } },
      }],
    },
  };
}

/** `text` as one single-quoted POSIX shell word. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
