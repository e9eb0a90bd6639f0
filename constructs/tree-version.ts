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
