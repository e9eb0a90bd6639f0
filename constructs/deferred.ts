import { Construct, IConstruct } from 'constructs';

/**
 * Constructs built on demand, one batch at a time, so a synth never holds them all: a chart's
 * children grouped in batches that are built (`materialize`), judged, rendered and checked, then
 * removed again (`release`). A platform with thousands of jobs defers them, one batch per tenant
 * namespace (buildPlatform's `deferJobs`): the tree then holds the rest of the platform (the
 * base) and one tenant's jobs at a time.
 *
 * What a batch builds must stay in its namespace: every object of it is there, no construct
 * outside depends on it, and what it adds outside is new constructs in its own namespace (a
 * NetworkPolicy its namespace gets for the jobs), made again, identically, by each build. The
 * synth builds every batch before it renders the rest (see prepareCharts), so the rest is
 * rendered as it would be with the batches built at once.
 */
export interface DeferredBatch {
  /** The namespace every object of the batch is in. */
  readonly namespace: string;
  /** Builds the batch's constructs under the chart and returns them (its top-level children). */
  build(): readonly IConstruct[];
}

/** The deferred children of one chart (see {@link DeferredBatch}). */
export class DeferredChildren {
  /** The deferred children of `chart`, if it has some. */
  public static of(chart: IConstruct): DeferredChildren | undefined {
    return REGISTRY.get(chart);
  }

  /** The chart with deferred children under `root` (at most one), if any. */
  public static under(root: IConstruct): DeferredChildren | undefined {
    for (const c of root.node.children) {
      const d = REGISTRY.get(c);
      if (d) return d;
    }
    return undefined;
  }

  /**
   * @param chart the chart the batches build into (empty otherwise)
   * @param batches the batches, in the order their constructs come in the chart
   */
  constructor(public readonly chart: Construct, public readonly batches: readonly DeferredBatch[]) {
    if (REGISTRY.has(chart)) throw new Error(`${chart.node.path} has deferred children already`);
    const namespaces = new Set<string>();
    for (const b of batches) {
      if (namespaces.has(b.namespace)) throw new Error(`two deferred batches of ${chart.node.path} are in namespace ${b.namespace}: one batch per namespace`);
      namespaces.add(b.namespace);
    }
    REGISTRY.set(chart, this);
  }

  /** Builds a batch under the chart. */
  public materialize(batch: DeferredBatch): readonly IConstruct[] {
    try {
      return batch.build();
    } catch (e) {
      this.clear();
      throw e;
    }
  }

  /** Removes a built batch's constructs from the chart. */
  public release(built: readonly IConstruct[]): void {
    for (const c of built) this.chart.node.tryRemoveChild(c.node.id);
  }

  /** Whether `c` is one of the deferred constructs (or under one), built now. */
  public owns(c: IConstruct): boolean {
    for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
      if (s.node.scope === this.chart) return true;
    }
    return false;
  }

  private clear(): void {
    for (const c of [...this.chart.node.children]) this.chart.node.tryRemoveChild(c.node.id);
  }
}

const REGISTRY = new WeakMap<IConstruct, DeferredChildren>();
