/**
 * `npm run crds`: writes the project's Spark operator CRDs (constructs/operator/crds.ts) to
 * constructs/operator/crds/*.yaml. The second half of the npm script, `cdk8s import`, reads them
 * through the `imports:` list of cdk8s.yaml and generates imports/. test/operator/crds.test.ts
 * fails when either is stale.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { crdManifestFiles } from '../constructs/operator/crds';

const dir = resolve(__dirname, '..', 'constructs', 'operator', 'crds');
mkdirSync(dir, { recursive: true });
for (const { file, text } of crdManifestFiles()) {
  writeFileSync(join(dir, file), text);
  console.log(`wrote ${relative(process.cwd(), join(dir, file))} (${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB)`);
}
