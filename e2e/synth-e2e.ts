/**
 * Writes the e2e suite's own environments (e2e/environments/) to `<outdir>/<name>/`, with the same
 * synth as `npm run synth` (validation, doctor, atomic write). Usage: synth-e2e.ts <outdir>
 */
import { runSynth } from '../stacks/synth';
import { e2eJobs } from './environments/e2e-jobs';
import { e2eReal } from './environments/e2e-real';
import { e2eWebhook } from './environments/e2e-webhook';

export const E2E_ENVIRONMENTS = [e2eJobs, e2eWebhook, e2eReal];

if (require.main === module) {
  const outdir = process.argv[2];
  if (!outdir) {
    process.stderr.write('usage: synth-e2e.ts <outdir>\n');
    process.exitCode = 2;
  } else {
    process.exitCode = runSynth({ environments: E2E_ENVIRONMENTS, outdir }, { log: (m) => process.stderr.write(`${m}\n`), error: (m) => process.stderr.write(`${m}\n`) });
  }
}
