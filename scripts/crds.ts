/**
 * `npm run crds`: writes the project's Spark operator CRDs (constructs/operator/crds.ts) to
 * constructs/operator/crds/*.yaml, and those of Apache Spark's operator
 * (constructs/apache-operator/crds.ts) to constructs/apache-operator/crds/*.yaml. The second half
 * of the npm script, `cdk8s import`, reads the first set (only) through the `imports:` list of
 * cdk8s.yaml and generates imports/. test/operator/crds.test.ts and
 * test/apache-operator/crds.test.ts fail when any of them is stale.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { apacheCrdManifestFiles } from '../constructs/apache-operator/crds';
import { crdManifestFiles } from '../constructs/operator/crds';

const outputs = [
  { dir: resolve(__dirname, '..', 'constructs', 'operator', 'crds'), files: crdManifestFiles() },
  { dir: resolve(__dirname, '..', 'constructs', 'apache-operator', 'crds'), files: apacheCrdManifestFiles() },
];
for (const { dir, files } of outputs) {
  mkdirSync(dir, { recursive: true });
  for (const { file, text } of files) {
    writeFileSync(join(dir, file), text);
    console.log(`wrote ${relative(process.cwd(), join(dir, file))} (${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB)`);
  }
}
