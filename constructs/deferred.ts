import { Construct, IConstruct } from 'constructs';
import { SparkImage } from './spark-image';

/**
 * Constructs built on demand, one batch at a time, so a synth never holds them all: a chart's
 * children grouped in batches that are built (`materialize`), rendered and checked, then removed
 * again (`release`). A platform with thousands of jobs defers them, one batch per tenant
 * namespace (buildPlatform's `deferJobs`): the tree then holds the rest of the platform (the
 * base) and one tenant's jobs at a time.
 *
 * What the batches build must stay among themselves: every object of a batch is in its
 * namespace, no construct outside depends on them, and whatever they change outside (a
 * namespace's NetworkPolicy) is idempotent, made once by `DeferredChildren.prepare` and found
 * again by every later build. The doctor judges each batch with the base (see Doctor), and the
 * renderer writes their objects at their chart's place, in the order the chart would have.
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
   * The images the batches' Spark workloads declare (SparkJob driver and executor), each image
   * once as first declared, in build order: what the doctor knows of images is taken from every
   * workload, built or not.
   */
  public readonly images: SparkImage[] = [];
  private readonly imageNames = new Set<string>();
  private prepared = false;

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

  /**
   * Builds and releases every batch once, right after the rest of the tree: construction errors
   * surface where they would without deferral, what the batches change outside is made, and
   * their declared images are recorded.
   */
  public prepare(declaredImages: (built: readonly IConstruct[]) => readonly SparkImage[]): void {
    if (this.prepared) return;
    for (const b of this.batches) {
      const built = this.materialize(b);
      try {
        // The first declaration of an image is the one that counts (as in the doctor's view).
        for (const image of declaredImages(built)) {
          if (!this.imageNames.has(image.image)) this.images.push(image);
          this.imageNames.add(image.image);
        }
      } finally {
        this.release(built);
      }
    }
    this.prepared = true;
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
