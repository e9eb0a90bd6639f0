import * as fs from 'fs';
import * as path from 'path';

/**
 * A directory tree written file by file into a sibling temporary directory of `outdir`, then
 * swapped into place whole by {@link StagedTree.commit}, or removed by {@link StagedTree.abort}:
 * a synth that fails half way leaves `outdir` as it was. Files can be written as they are made
 * (one chart at a time), so no one needs to hold the whole output in memory.
 */
export class StagedTree {
  /** The directory the tree replaces on commit. */
  public readonly target: string;
  private readonly next: string;
  private state: 'open' | 'committed' | 'aborted' = 'open';
  /** The file `append` writes to, open. */
  private current?: { readonly file: string; readonly fd: number };
  /** Files written so far: appending to one of them again continues it. */
  private readonly seen = new Set<string>();

  constructor(outdir: string) {
    this.target = path.resolve(outdir);
    const parent = path.dirname(this.target);
    fs.mkdirSync(parent, { recursive: true });
    this.next = fs.mkdtempSync(path.join(parent, `.${path.basename(this.target)}.next-`));
    // mkdtemp makes the directory 0700: the output is for a GitOps repository and its readers.
    fs.chmodSync(this.next, 0o755);
  }

  /** Writes `file` whole (a relative path; directories are created 0755, files 0644). */
  public write(file: string, content: string): void {
    this.closeCurrent();
    fs.writeFileSync(this.destination(file), content, { mode: 0o644 });
    this.seen.add(file);
  }

  /**
   * Appends `chunk` to `file`, creating it on its first chunk (an empty chunk creates it empty).
   * The file stays open while the chunks go to it, so writing a file object by object costs one
   * open, not one per chunk.
   */
  public append(file: string, chunk: string): void {
    if (this.current?.file !== file) {
      this.closeCurrent();
      const fd = fs.openSync(this.destination(file), this.seen.has(file) ? 'a' : 'w', 0o644);
      this.current = { file, fd };
      this.seen.add(file);
    }
    if (chunk !== '') fs.writeSync(this.current.fd, chunk);
  }

  private destination(file: string): string {
    if (this.state !== 'open') throw new Error(`the staged tree for ${this.target} is ${this.state}`);
    const dest = path.join(this.next, file);
    if (path.relative(this.next, dest).startsWith('..') || path.isAbsolute(file)) throw new Error(`${JSON.stringify(file)} is outside the tree`);
    fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
    return dest;
  }

  private closeCurrent(): void {
    if (this.current) fs.closeSync(this.current.fd);
    this.current = undefined;
  }

  /** Replaces `outdir` with what was written; the previous tree is removed only after the swap. */
  public commit(): void {
    if (this.state !== 'open') throw new Error(`the staged tree for ${this.target} is ${this.state}`);
    this.closeCurrent();
    const parent = path.dirname(this.target);
    const previous = fs.existsSync(this.target) ? path.join(parent, path.basename(this.next).replace('.next-', '.previous-')) : undefined;
    if (previous) fs.renameSync(this.target, previous);
    fs.renameSync(this.next, this.target);
    this.state = 'committed';
    if (previous) fs.rmSync(previous, { recursive: true, force: true });
  }

  /** Removes what was written; `outdir` stays as it was. Does nothing once committed or aborted. */
  public abort(): void {
    if (this.state !== 'open') return;
    this.closeCurrent();
    this.state = 'aborted';
    fs.rmSync(this.next, { recursive: true, force: true });
  }
}

/**
 * Replaces `outdir` with exactly `files`, as close to atomically as a file system allows: the
 * new tree is written to a sibling temporary directory, then renamed into place, and the old
 * tree is removed only after that. A failure while writing leaves `outdir` as it was.
 */
export function writeTreeAtomically(files: ReadonlyMap<string, string>, outdir: string): void {
  const tree = new StagedTree(outdir);
  try {
    for (const [file, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) tree.write(file, content);
  } catch (e) {
    tree.abort();
    throw e;
  }
  tree.commit();
}
