/**
 * Kueue (sigs.k8s.io/kueue) queues for tenants: one cluster-scoped ResourceFlavor, and per tenant
 * a ClusterQueue holding its quota (cpu, memory, pods) in a shared cohort, plus a LocalQueue in
 * the tenant namespace that jobs name with the `kueue.x-k8s.io/queue-name` label.
 *
 * Field names and semantics follow Kueue's `kueue.x-k8s.io/v1beta1` API reference: a ClusterQueue
 * admits workloads up to its `nominalQuota`; inside a cohort it may borrow the unused quota other
 * queues lend, up to its `borrowingLimit` (none: unbounded), and lend its own up to its
 * `lendingLimit` (none: all of it).
 * @see https://kueue.sigs.k8s.io/docs/reference/kueue.v1beta1/
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { TENANT_LABEL, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { Cpu, Memory } from '../units';
import { checkProps } from '../validation/props';
import type { ResolvedQuota } from './resources';

/** The label a Job or SparkApplication names its LocalQueue with. */
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
/** The Kueue API version the platform emits. */
export const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta1';
/** Name of the LocalQueue of each tenant, unless given. */
export const DEFAULT_LOCAL_QUEUE = 'spark';

/** Resources a ClusterQueue accounts, in the order Kueue's `coveredResources` lists them. */
const COVERED = ['cpu', 'memory', 'pods'] as const;

/** An amount of each resource Kueue accounts for a tenant. */
export interface KueueQuota {
  /** CPU requests. @default - see the prop using it */
  readonly cpu?: Cpu;
  /** Memory requests. @default - see the prop using it */
  readonly memory?: Memory;
  /** Pods. @default - see the prop using it */
  readonly pods?: number;
}

/** Properties of KueueQueues. */
export interface KueueQueuesProps {
  /**
   * The cohort every tenant's ClusterQueue joins: queues of a cohort borrow each other's unused
   * quota. @default "spark-platform"
   */
  readonly cohort?: string;
  /** Name of the ResourceFlavor the quotas are given in. @default "default-flavor" */
  readonly flavorName?: string;
}

/** A tenant namespace KueueQueues can give a queue: a name and, when known, its ResourceQuota. */
export interface IKueueTenant {
  /** The namespace name. */
  readonly name: string;
  /** Its ResourceQuota, when known: the default quota, and the ceiling of quota plus borrowing. */
  readonly quota?: ResolvedQuota;
}

/** The queue of one tenant (see KueueQueues.addTenant). */
export interface TenantQueueOptions {
  /** Name of the LocalQueue in the tenant namespace (jobs' `queue`). @default "spark" */
  readonly localQueueName?: string;
  /** Name of the tenant's ClusterQueue. @default - the namespace name */
  readonly clusterQueueName?: string;
  /** What the tenant is guaranteed. @default - the namespace's ResourceQuota (cpu, memory, pods) */
  readonly quota?: KueueQuota;
  /**
   * The most the tenant borrows from the cohort above `quota`. Quota plus borrowing may not pass
   * the namespace's ResourceQuota: the API server would refuse the pods of an admitted job.
   * @default - what the ResourceQuota leaves above `quota` (no borrowing when `quota` is the whole ResourceQuota); unbounded when the namespace's quota is unknown
   */
  readonly borrowingLimit?: KueueQuota;
  /** The most of its unused quota the tenant lends to the cohort. @default - all of it */
  readonly lendingLimit?: KueueQuota;
}

/** A tenant's queue as emitted. */
export interface TenantQueue {
  /** The tenant namespace. */
  readonly namespace: string;
  /** The LocalQueue's name: what jobs set as `queue`. */
  readonly localQueueName: string;
  /** The ClusterQueue's name. */
  readonly clusterQueueName: string;
  /** The guaranteed quota. */
  readonly quota: Required<KueueQuota>;
  /** The LocalQueue. */
  readonly localQueue: ApiObject;
  /** The ClusterQueue. */
  readonly clusterQueue: ApiObject;
}

/**
 * Kueue queues for the platform's tenants: a ResourceFlavor, and for each tenant added a
 * ClusterQueue (its quota, in the shared cohort, admitting only the tenant's namespace) and a
 * LocalQueue in its namespace. Kueue itself (its controller, with the SparkApplication framework
 * enabled for operator-mode jobs) is installed separately.
 */
export class KueueQueues extends Construct {
  /** The cohort of every ClusterQueue. */
  public readonly cohort: string;
  /** The ResourceFlavor's name. */
  public readonly flavorName: string;
  /** The ResourceFlavor. */
  public readonly flavor: ApiObject;
  private readonly queues = new Map<string, TenantQueue>();
  private readonly clusterQueueNames = new Set<string>();

  constructor(scope: Construct, id: string, props: KueueQueuesProps = {}) {
    super(scope, id);
    const where = 'KueueQueues';
    checkProps('KueueQueuesProps', props, where);
    this.cohort = props.cohort ?? 'spark-platform';
    this.flavorName = props.flavorName ?? 'default-flavor';
    assertName(this.cohort, NameRule.DNS1123_SUBDOMAIN, 'cohort', where);
    assertName(this.flavorName, NameRule.DNS1123_SUBDOMAIN, 'flavorName', where);
    this.flavor = new ApiObject(this, 'ResourceFlavor', {
      apiVersion: KUEUE_API_VERSION,
      kind: 'ResourceFlavor',
      metadata: { name: this.flavorName, labels: platformLabels() },
      spec: {},
    });
  }

  /** Every tenant queue, by namespace. */
  public get tenantQueues(): ReadonlyMap<string, TenantQueue> {
    return this.queues;
  }

  /** Gives `tenant` a ClusterQueue and a LocalQueue; one queue per tenant. */
  public addTenant(tenant: IKueueTenant, options: TenantQueueOptions = {}): TenantQueue {
    const ns = tenant.name;
    const where = `KueueQueues tenant ${show(ns)}`;
    const fail = (field: string, problem: string, fix: string): never => {
      throw new SparkPlatformError(field, problem, fix, where);
    };
    if (this.queues.has(ns)) fail('namespace', `${show(ns)} already has a queue`, 'add each tenant once');
    const localQueueName = options.localQueueName ?? DEFAULT_LOCAL_QUEUE;
    const clusterQueueName = options.clusterQueueName ?? ns;
    assertName(localQueueName, NameRule.DNS1123_SUBDOMAIN, 'localQueueName', where);
    assertName(clusterQueueName, NameRule.DNS1123_SUBDOMAIN, 'clusterQueueName', where);
    if (this.clusterQueueNames.has(clusterQueueName)) fail('clusterQueueName', `${show(clusterQueueName)} is another tenant's ClusterQueue`, 'give each tenant its own ClusterQueue name');

    const rq = tenant.quota;
    const given = options.quota ?? {};
    const quota: Required<KueueQuota> = {
      cpu: given.cpu ?? rq?.cpu ?? fail('quota.cpu', 'is not given and the namespace\'s ResourceQuota is unknown', 'set quota.cpu, or pass the SparkNamespace itself'),
      memory: given.memory ?? rq?.memory ?? fail('quota.memory', 'is not given and the namespace\'s ResourceQuota is unknown', 'set quota.memory, or pass the SparkNamespace itself'),
      pods: given.pods ?? rq?.pods ?? fail('quota.pods', 'is not given and the namespace\'s ResourceQuota is unknown', 'set quota.pods, or pass the SparkNamespace itself'),
    };
    for (const field of ['borrowingLimit', 'lendingLimit'] as const) {
      const p = options[field]?.pods;
      if (p !== undefined && (!Number.isInteger(p) || p < 0)) fail(`${field}.pods`, `${show(p)} is not a whole number >= 0`, 'give a pod count');
    }
    if (!Number.isInteger(quota.pods) || quota.pods < 1) fail('quota.pods', `${show(quota.pods)} is not a whole number >= 1`, 'admit at least one pod (a driver)');
    const borrowing = this.borrowingOf(quota, rq, options.borrowingLimit, fail);
    const lending = options.lendingLimit ?? {};
    for (const r of COVERED) {
      const lend = lending[r];
      if (lend !== undefined && amount(r, lend) > amount(r, quota[r])) {
        fail(`lendingLimit.${r}`, `${lend} is above the tenant's quota.${r} ${quota[r]}: a queue lends only its own quota`, `lend at most ${quota[r]}`);
      }
    }

    const labels = platformLabels({ [TENANT_LABEL]: ns });
    const resources = COVERED.map((r) => ({
      name: r,
      nominalQuota: text(r, quota[r]),
      ...(borrowing[r] !== undefined ? { borrowingLimit: text(r, borrowing[r]!) } : {}),
      ...(lending[r] !== undefined ? { lendingLimit: text(r, lending[r]!) } : {}),
    }));
    const clusterQueue = new ApiObject(this, `ClusterQueue-${ns}`, {
      apiVersion: KUEUE_API_VERSION,
      kind: 'ClusterQueue',
      metadata: { name: clusterQueueName, labels },
      spec: {
        cohort: this.cohort,
        // Only the tenant's workloads: another namespace's LocalQueue cannot point here.
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
        queueingStrategy: 'BestEffortFIFO',
        resourceGroups: [{ coveredResources: [...COVERED], flavors: [{ name: this.flavorName, resources }] }],
      },
    });
    const localQueue = new ApiObject(this, `LocalQueue-${ns}`, {
      apiVersion: KUEUE_API_VERSION,
      kind: 'LocalQueue',
      metadata: { name: localQueueName, namespace: ns, labels },
      spec: { clusterQueue: clusterQueueName },
    });
    const queue: TenantQueue = { namespace: ns, localQueueName, clusterQueueName, quota, localQueue, clusterQueue };
    this.queues.set(ns, queue);
    this.clusterQueueNames.add(clusterQueueName);
    return queue;
  }

  /** The borrowing limit per resource: given, else what the ResourceQuota leaves; checked against it. */
  private borrowingOf(quota: Required<KueueQuota>, rq: ResolvedQuota | undefined, given: KueueQuota | undefined, fail: (f: string, p: string, x: string) => never): KueueQuota {
    if (!rq) return given ?? {};
    const ceiling: Required<KueueQuota> = { cpu: rq.cpu, memory: rq.memory, pods: rq.pods };
    const out: Record<string, Cpu | Memory | number> = {};
    for (const r of COVERED) {
      const room = amount(r, ceiling[r]) - amount(r, quota[r]);
      if (room < 0) {
        fail(`quota.${r}`, `${quota[r]} is above the namespace's ResourceQuota (${ceiling[r]}): Kueue would admit jobs whose pods the API server then refuses`, `set quota.${r} to at most ${ceiling[r]}, or raise the namespace's quota`);
      }
      const b = given?.[r];
      if (b !== undefined && amount(r, b) > room) {
        fail(`borrowingLimit.${r}`, `quota.${r} ${quota[r]} plus ${b} borrowed is above the namespace's ResourceQuota (${ceiling[r]}): an admitted job's pods would be refused`, `borrow at most ${fromAmount(r, room)}, or raise the namespace's quota`);
      }
      out[r] = b ?? fromAmount(r, room);
    }
    return out as KueueQuota;
  }
}

/** A resource amount as a number (millicores, bytes, pods), for arithmetic. */
function amount(r: (typeof COVERED)[number], v: Cpu | Memory | number): number {
  if (r === 'cpu') return (v as Cpu).millicores;
  if (r === 'memory') return (v as Memory).bytes;
  return v as number;
}

function fromAmount(r: (typeof COVERED)[number], n: number): Cpu | Memory | number {
  if (r === 'cpu') return Cpu.millis(n);
  if (r === 'memory') return Memory.bytes(n);
  return n;
}

/** A resource amount as Kueue writes it (a quantity; pods as an integer). */
function text(r: (typeof COVERED)[number], v: Cpu | Memory | number): string | number {
  return r === 'pods' ? (v as number) : (v as Cpu | Memory).toKubernetes();
}
