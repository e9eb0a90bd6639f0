import * as fs from 'fs';
import * as path from 'path';

/**
 * Replaces `outdir` with exactly `files`, as close to atomically as a file system allows: the
 * new tree is written to a sibling temporary directory, then renamed into place, and the old
 * tree is removed only after that. A failure while writing leaves `outdir` as it was.
 */
export function writeTreeAtomically(files: ReadonlyMap<string, string>, outdir: string): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const next = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.next-`));
  try {
    // mkdtemp makes the directory 0700: the output is for a GitOps repository and its readers.
    fs.chmodSync(next, 0o755);
    for (const [file, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      const dest = path.join(next, file);
      fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
      fs.writeFileSync(dest, content, { mode: 0o644 });
    }
  } catch (e) {
    fs.rmSync(next, { recursive: true, force: true });
    throw e;
  }
  const previous = fs.existsSync(target) ? path.join(parent, path.basename(next).replace('.next-', '.previous-')) : undefined;
  if (previous) fs.renameSync(target, previous);
  fs.renameSync(next, target);
  if (previous) fs.rmSync(previous, { recursive: true, force: true });
}
