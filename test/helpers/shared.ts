/**
 * `../shared` (next to the project: upstream CRDs, examples, ...) is checked out here and in CI but
 * not in a user's clone. Tests that read it are skipped, visibly, when it is missing.
 */
import { existsSync } from 'fs';
import * as path from 'path';

const candidate = path.resolve(__dirname, '../..', '../shared');

/** Absolute path of `../shared` when its `upstream/` folder is present, else undefined. */
export const sharedDir: string | undefined = existsSync(path.join(candidate, 'upstream')) ? candidate : undefined;

/** `describe(name, () => fn(sharedDir))`, or a skipped suite plus a console warning when `../shared/upstream` is missing. */
export function describeWithShared(name: string, fn: (shared: string) => void): void {
  if (sharedDir !== undefined) {
    const dir = sharedDir;
    describe(name, () => fn(dir));
    return;
  }
  console.warn(`skipped: ../shared/upstream not found (looked for ${path.join(candidate, 'upstream')}); "${name}" runs where it is checked out, e.g. in CI`);
  // The body is not `fn`: it would read the missing files while jest collects the tests.
  describe.skip(name, () => {
    it('needs ../shared/upstream', () => undefined);
  });
}
