/**
 * No secrets in Git: scans everything `npm run synth` would write, for every environment.
 * Credentials enter only by reference (secretKeyRef, SealedSecret ciphertext, ExternalSecret).
 */
import { parseAllDocuments } from 'yaml';
import { SecretSource, SparkEnvValue, SparkJob, SparkJobMode, SparkJobType, SparkNamespace } from '../../constructs';
import { ENVIRONMENTS } from '../../stacks/environments';
import { renderAll } from '../../stacks/synth';
import { synth, testChart } from '../helpers/manifests';

/** Why `objects` leak a credential, one line per finding. */
export function secretFindings(objects: readonly unknown[]): string[] {
  const findings: string[] = [];
  const walk = (node: unknown, path: string, kind: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, `${path}[${i}]`, kind));
      return;
    }
    if (typeof node === 'string') {
      if (/AKIA[0-9A-Z]{16}/.test(node)) findings.push(`${path}: an AWS access key id`);
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(node)) findings.push(`${path}: a private key`);
      if (/(^|[^A-Za-z])(fs\.s3a\.(access|secret)\.key|password|passwd|secret[_.-]?key|access[_.-]?key|api[_-]?key|token)\s*[=:]\s*[^\s$]/i.test(node) && !/\$\(|\$\{/.test(node)) findings.push(`${path}: a credential-looking assignment`);
      // Files carried in ConfigMaps (pod templates) are manifests too.
      if (/\.ya?ml$/.test(path)) {
        for (const doc of parseAllDocuments(node)) walk(doc.toJSON(), `${path}#`, kind);
      }
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    // A literal env value under a credential-looking name.
    if (typeof o.name === 'string' && typeof o.value === 'string' && /PASSWORD|SECRET|TOKEN|ACCESS_KEY|CREDENTIAL/i.test(o.name)) findings.push(`${path}: env ${o.name} has a literal value`);
    for (const [k, v] of Object.entries(o)) {
      if (/^(fs\.s3a\.|spark\.hadoop\.fs\.s3a\.)(access|secret|session)\.key$/.test(k)) findings.push(`${path}.${k}: an s3a key in the conf`);
      walk(v, `${path}.${k}`, kind);
    }
  };
  for (const obj of objects) {
    const o = obj as { kind?: string; metadata?: { name?: string }; data?: unknown; stringData?: unknown };
    const where = `${o.kind}/${o.metadata?.name}`;
    if (o.kind === 'Secret' && (o.data !== undefined || o.stringData !== undefined)) findings.push(`${where}: a Secret with data`);
    walk(obj, where, String(o.kind));
  }
  return findings;
}

describe('no plaintext secrets in dist/', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name]))('%s: no Secret with data, no credential-looking literal', (name) => {
    const files = renderAll(ENVIRONMENTS.filter((e) => e.name === name));
    const objects = [...files.values()].flatMap((text) => parseAllDocuments(text).map((d) => d.toJSON())).filter(Boolean);
    expect(objects.length).toBeGreaterThan(10);
    expect(secretFindings(objects)).toEqual([]);
    // The credentials are there, by reference.
    expect(JSON.stringify(objects)).toContain('"secretKeyRef"');
  });

  test('the scan finds what it looks for (so it cannot pass vacuously)', () => {
    const chart = testChart();
    const ns = new SparkNamespace(chart, 'T', { name: 'spark-jobs' });
    const job = new SparkJob(chart, 'J', {
      namespace: ns, mode: SparkJobMode.SUBMIT, name: 'leaky', type: SparkJobType.SCALA, mainClass: 'a.B', mainApplicationFile: 'local:///a.jar',
      pods: { env: { DB_PASSWORD: SparkEnvValue.fromValue('hunter22') } },
      hadoopConf: { 'fs.s3a.secret.key': 'abc' },
    });
    void job;
    const leaked = [...synth(chart), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' } }, { kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'AKIAABCDEFGHIJKLMNOP' } }];
    const findings = secretFindings(leaked).join('\n');
    expect(findings).toMatch(/env DB_PASSWORD has a literal value/);
    expect(findings).toMatch(/fs\.s3a\.secret\.key=abc|a credential-looking assignment/);
    expect(findings).toMatch(/Secret\/s: a Secret with data/);
    expect(findings).toMatch(/an AWS access key id/);
    expect(SecretSource.existing('minio-root').secretName).toBe('minio-root');
  });
});
