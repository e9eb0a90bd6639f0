import { KUEUE_QUEUE_LABEL } from '../../tenancy/kueue';
import { Cpu, Memory } from '../../units';
import { Json, isRecord } from '../evaluators/k8s-json';
import { SparkAppView } from '../spark-apps';
import { DoctorView, IndexedObject } from '../view';

/** The Kueue LocalQueue an application names (`kueue.x-k8s.io/queue-name` on it, or on a CronJob's job template). */
export function kueueQueueOf(view: DoctorView, app: SparkAppView): string | undefined {
  const json = view.jsonByConstruct().get(app.construct);
  if (!json) return undefined;
  const label = (meta: unknown): string | undefined => {
    const labels = isRecord(meta) && isRecord(meta.labels) ? meta.labels : {};
    const v = labels[KUEUE_QUEUE_LABEL];
    return typeof v === 'string' ? v : undefined;
  };
  const spec = isRecord(json.spec) ? json.spec : {};
  const jobTemplate = isRecord(spec.jobTemplate) ? spec.jobTemplate : {};
  return label(json.metadata) ?? label(jobTemplate.metadata);
}

/** The resources the platform's Kueue quotas cover. */
export type KueueResource = 'cpu' | 'memory' | 'pods';

/** What one resource of a ClusterQueue admits a single workload up to, in its best flavor. */
export interface KueueCapacity {
  /** Nominal quota plus what it may borrow from its cohort; undefined when the resource is not covered. */
  readonly total?: number;
  /** How `total` was made, for messages. */
  readonly text: string;
}

/** A quota value as a number: millicores, bytes or a count. */
function amountOf(r: KueueResource, v: unknown): number | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    if (r === 'cpu') return Cpu.parse(v).millicores;
    if (r === 'memory') return Memory.parse(v).bytes;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** An amount back as a quantity, for messages. */
export function showAmount(r: KueueResource, n: number): string {
  if (r === 'cpu') return Cpu.millis(n).toKubernetes();
  if (r === 'memory') return Memory.bytes(n).toKubernetes();
  return String(n);
}

interface FlavorQuota { nominal: number; borrowingLimit?: number; lendingLimit?: number }

/** `flavor -> quota` of one resource of a ClusterQueue. */
function flavorQuotas(cq: Json, r: KueueResource): Map<string, FlavorQuota> {
  const out = new Map<string, FlavorQuota>();
  const spec = isRecord(cq.spec) ? cq.spec : {};
  for (const group of Array.isArray(spec.resourceGroups) ? spec.resourceGroups : []) {
    if (!isRecord(group)) continue;
    for (const flavor of Array.isArray(group.flavors) ? group.flavors : []) {
      if (!isRecord(flavor) || typeof flavor.name !== 'string') continue;
      for (const res of Array.isArray(flavor.resources) ? flavor.resources : []) {
        if (!isRecord(res) || res.name !== r) continue;
        const nominal = amountOf(r, res.nominalQuota);
        if (nominal === undefined) continue;
        out.set(flavor.name, { nominal, borrowingLimit: amountOf(r, res.borrowingLimit), lendingLimit: amountOf(r, res.lendingLimit) });
      }
    }
  }
  return out;
}

/**
 * The most of resource `r` a workload in ClusterQueue `cq` can be admitted with: in its best
 * flavor, the nominal quota plus what the other queues of its cohort lend (their lendingLimit,
 * else their whole nominal quota), capped by its own borrowingLimit.
 */
export function kueueCapacity(view: DoctorView, cq: IndexedObject, r: KueueResource): KueueCapacity {
  const spec = isRecord(cq.json.spec) ? cq.json.spec : {};
  const cohort = typeof spec.cohort === 'string' && spec.cohort !== '' ? spec.cohort : undefined;
  const peers = cohort === undefined ? [] : view.ofKind('ClusterQueue').filter((o) => o !== cq && isRecord(o.json.spec) && o.json.spec.cohort === cohort);
  let best: KueueCapacity | undefined;
  for (const [flavor, own] of flavorQuotas(cq.json, r)) {
    let lendable = 0;
    for (const peer of peers) {
      const q = flavorQuotas(peer.json, r).get(flavor);
      if (q) lendable += Math.min(q.lendingLimit ?? q.nominal, q.nominal);
    }
    const borrow = Math.min(lendable, own.borrowingLimit ?? Infinity);
    const total = own.nominal + borrow;
    if (best?.total === undefined || total > best.total) {
      const text = cohort === undefined
        ? `nominalQuota ${showAmount(r, own.nominal)} in flavor ${JSON.stringify(flavor)}, no cohort to borrow from`
        : `nominalQuota ${showAmount(r, own.nominal)} + ${showAmount(r, borrow)} the cohort ${JSON.stringify(cohort)} can lend${own.borrowingLimit !== undefined ? ` (borrowingLimit ${showAmount(r, own.borrowingLimit)})` : ''} in flavor ${JSON.stringify(flavor)}`;
      best = { total, text };
    }
  }
  return best ?? { text: `${r} is not among the ClusterQueue's covered resources` };
}
