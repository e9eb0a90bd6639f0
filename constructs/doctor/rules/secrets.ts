import { parseAllDocuments } from 'yaml';
import { Json, isRecord } from '../evaluators/k8s-json';
import { DoctorRule, Severity } from '../types';
import { objectTarget } from './common';

/** s3a key assignments: reported by s3a-credentials-in-conf, with a Spark-specific fix. */
const S3A_KEY_ASSIGNMENT = /fs\.s3a\.(bucket\.[^.\s]+\.)?(access|secret|session)\.key\s*[=:\s]/i;
const ASSIGNMENT = /(^|[^A-Za-z])(password|passwd|secret[_.-]?key|access[_.-]?key|api[_-]?key|token)\s*[=:]\s*[^\s$]/i;
const REFERENCE = /\$\(|\$\{/;
const SECRET_ENV_NAME = /PASSWORD|SECRET|TOKEN|ACCESS_KEY|CREDENTIAL/i;
/** Every string a finding needs contains one of these: one cheap test per string first. */
const MAYBE = /AKIA|PRIVATE KEY|passw|secret|access|api[_-]?key|token/i;

function parseYaml(text: string): readonly unknown[] | undefined {
  try {
    return parseAllDocuments(text).map((d) => d.toJSON() as unknown);
  } catch {
    return undefined;
  }
}

/**
 * Where a manifest carries something that looks like a credential: AWS access key ids, private
 * keys, `password=...`-style assignments, env variables with credential-looking names and
 * literal values; files (`*.yaml`) carried in ConfigMaps are scanned as manifests too. Values
 * are never returned, only where they are and what they look like.
 */
export function credentialFindings(obj: unknown, yaml: (text: string) => readonly unknown[] | undefined = parseYaml): Array<{ readonly field: string; readonly what: string }> {
  const out: Array<{ field: string; what: string }> = [];
  const secret = isRecord(obj) && obj.kind === 'Secret';
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, `${path}[${i}]`));
      return;
    }
    if (typeof node === 'string') {
      if (MAYBE.test(node)) {
        if (/AKIA[0-9A-Z]{16}/.test(node)) out.push({ field: path, what: 'an AWS access key id' });
        if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(node)) out.push({ field: path, what: 'a private key' });
        if (ASSIGNMENT.test(node) && !REFERENCE.test(node) && !S3A_KEY_ASSIGNMENT.test(node)) out.push({ field: path, what: 'a credential-looking assignment' });
      }
      // Files carried in ConfigMaps (pod templates) are manifests too; not YAML: scanned as text above.
      if (/\.ya?ml$/.test(path)) for (const doc of yaml(node) ?? []) walk(doc, `${path}#`);
      return;
    }
    if (!isRecord(node)) return;
    if (typeof node.name === 'string' && typeof node.value === 'string' && node.value !== '' && SECRET_ENV_NAME.test(node.name) && !REFERENCE.test(node.value)) {
      out.push({ field: `${path}[${node.name}]`, what: `env ${node.name} with a literal value` });
    }
    for (const [k, v] of Object.entries(node)) {
      if (secret && path === '' && (k === 'data' || k === 'stringData')) continue; // secret-with-data
      walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(obj, '');
  return out;
}

/**
 * `secret-with-data`: a Secret with `data` or `stringData` in the manifests puts its values in
 * Git (base64 is not encryption). Use SecretSource.existing / sealedSecret / externalSecret.
 */
export const secretWithData: DoctorRule = {
  id: 'secret-with-data',
  severity: Severity.ERROR,
  summary: 'Secrets in Git: a Secret with data or stringData in the manifests',
  check(view, report) {
    for (const o of view.ofKind('Secret')) {
      if (o.apiVersion !== 'v1') continue;
      const has = (v: unknown) => isRecord(v) && Object.keys(v).length > 0;
      if (!has(o.json.data) && !has(o.json.stringData)) continue;
      report(objectTarget(o), `carries ${[has(o.json.data) ? 'data' : '', has(o.json.stringData) ? 'stringData' : ''].filter(Boolean).join(' and ')}, which lands in Git in plain text (base64 is not encryption). Fix: create it out of band and reference it (SecretSource.existing), or commit a SealedSecret or an ExternalSecret instead`);
    }
  },
};

/** `credential-literal`: a credential-looking literal anywhere in the manifests (see credentialFindings). */
export const credentialLiteral: DoctorRule = {
  id: 'credential-literal',
  severity: Severity.ERROR,
  summary: 'Secrets in Git: a credential-looking literal (access key, private key, password=, secret env value) in the manifests',
  check(view, report) {
    for (const o of view.objects) {
      for (const f of credentialFindings(o.json as Json, (text) => view.yamlDocuments(text))) {
        report(objectTarget(o), `${f.field}: ${f.what}, which lands in Git. Fix: move the value into a Secret made out of band (or a SealedSecret/ExternalSecret) and reference it (secretKeyRef, SparkEnvValue.fromSecret)`);
      }
    }
  },
};
