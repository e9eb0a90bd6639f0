import { SparkPlatformError, show } from '../errors';

/** One controller shard: its Deployment and the namespaces it watches. */
export interface OperatorShard {
  /** 0-based shard index. */
  readonly index: number;
  /** Name of its Deployment, ServiceAccount and lease prefix. */
  readonly name: string;
  /** The job namespaces it watches; empty = all namespaces. */
  readonly namespaces: readonly string[];
}

/** Deals job namespaces to shards: explicit assignments first, the rest round-robin. */
export function assignShards(name: string, namespaces: readonly string[], count: number, explicit: Readonly<Record<string, number>>, where = 'SparkOperator'): OperatorShard[] {
  positiveInt(count, 'shards', where);
  if (count > 1 && namespaces.length === 0) {
    throw new SparkPlatformError('shards', `is ${count}, but no jobNamespaces are listed (the operator watches every namespace)`, 'list the job namespaces to shard, or use 1 shard', where);
  }
  if (count > Math.max(1, namespaces.length)) {
    throw new SparkPlatformError('shards', `is ${count}, more than the ${namespaces.length} job namespaces`, `use at most ${namespaces.length} shards: a shard without namespaces would watch every namespace`, where);
  }
  for (const [ns, shard] of Object.entries(explicit)) {
    if (!namespaces.includes(ns)) throw new SparkPlatformError(`shardAssignment.${ns}`, `${show(ns)} is not a job namespace`, 'assign only namespaces listed in jobNamespaces', where);
    if (!Number.isInteger(shard) || shard < 0 || shard >= count) throw new SparkPlatformError(`shardAssignment.${ns}`, `${show(shard)} is not a shard from 0 to ${count - 1}`, `assign a shard from 0 to ${count - 1}`, where);
  }
  const buckets: string[][] = Array.from({ length: count }, () => []);
  for (const ns of namespaces) if (ns in explicit) buckets[explicit[ns]].push(ns);
  let next = 0;
  for (const ns of namespaces.filter((n) => !(n in explicit))) {
    buckets[next % count].push(ns);
    next++;
  }
  const empty = buckets.findIndex((b) => b.length === 0);
  if (namespaces.length > 0 && empty >= 0) {
    throw new SparkPlatformError('shardAssignment', `leaves shard ${empty} without namespaces (it would watch every namespace, overlapping the others)`, 'give every shard at least one namespace', where);
  }
  return buckets.map((b, index) => ({ index, name: count > 1 ? `${name}-controller-${index}` : `${name}-controller`, namespaces: b }));
}

/** `value`, or a SparkPlatformError naming `field` when it is not a whole number >= 1. */
export function positiveInt(value: number, field: string, where: string): number {
  if (!Number.isInteger(value) || value < 1) throw new SparkPlatformError(field, `${show(value)} is not a whole number >= 1`, `set ${field} to 1 or more`, where);
  return value;
}
