import type { IConstruct } from 'constructs';

/**
 * A counter bumped whenever a construct changes what it will render after construction
 * (`addSparkConf`, `addEnv`, `addPackages`, ...). Whatever caches results computed from the tree
 * (the doctor's report) keys them with it, so a change is never hidden by a cached result.
 */
let version = 0;

/** Records that some construct's output changed. */
export function treeChanged(): void {
  version++;
}

/** The current version: equal values mean no recorded change in between. */
export function treeVersion(): number {
  return version;
}

/** JSON of a tree's ApiObjects, published by whoever rendered them all, with the tree state it holds for. */
interface RenderedSnapshot {
  readonly state: string;
  readonly json: () => ReadonlyMap<IConstruct, unknown>;
}

const snapshots = new WeakMap<IConstruct, RenderedSnapshot>();

/**
 * The state of the tree under `root` that rendered JSON depends on: its constructs and the
 * recorded changes (see treeChanged). O(size of the tree): take it once per pass, not per object.
 */
export function treeState(root: IConstruct): string {
  return `${root.node.findAll().length}/${version}`;
}

/**
 * Publishes the JSON of every ApiObject under `root` as rendered at `state`, for checks that
 * would otherwise render the objects again: the renderer publishes the doctor's JSON for the
 * validations of one render, and withdraws it after. It holds while the tree has the same
 * constructs and no recorded change, the rule the renderer's own reuse of that JSON follows.
 * Changes no construct records (a JSON patch added after a render) cannot be missed: the JSON
 * comes from a doctor run made for the same synth (Doctor.invalidate).
 */
export function publishRenderedJson(root: IConstruct, state: string, json: () => ReadonlyMap<IConstruct, unknown>): void {
  snapshots.set(root, { state, json });
}

/** Withdraws what publishRenderedJson published for `root`. */
export function withdrawRenderedJson(root: IConstruct): void {
  snapshots.delete(root);
}

/** The published JSON of the tree under `root`, if the tree is still in the state it was rendered at. */
export function publishedRenderedJson(root: IConstruct): ReadonlyMap<IConstruct, unknown> | undefined {
  const s = snapshots.get(root);
  return s && s.state === treeState(root) ? s.json() : undefined;
}
