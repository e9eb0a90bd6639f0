/**
 * `npm run validate [-- <dir>]`: validates every environment of synthesized output (default `dist`)
 * offline, one summary line per environment, and exits 1 on any issue.
 */
import { resolve } from 'path';
import { formatIssues, validateEnvironments } from '../constructs/validation';

function main(args: readonly string[]): number {
  const dir = resolve(args[0] ?? 'dist');
  let failed = false;
  for (const { environment, objectCount, issues } of validateEnvironments(dir)) {
    if (issues.length === 0) {
      console.log(`${environment}: ${objectCount} objects valid`);
      continue;
    }
    failed = true;
    console.log(`${environment}: ${issues.length} issue${issues.length === 1 ? '' : 's'} in ${objectCount} objects`);
    console.log(formatIssues(issues).replace(/^/gm, '  '));
  }
  return failed ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
