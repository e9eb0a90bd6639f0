import { scanForSecrets } from '../../validation/secret-scan';
import { Json, isRecord } from '../evaluators/k8s-json';
import { DoctorRule, Severity } from '../types';
import { objectTarget } from './common';

/**
 * Where a manifest carries a secret, as `{ field, what }` (see `scanForSecrets`, which also
 * names the fix). Values are never returned, only where they are and what they look like.
 * @deprecated use scanForSecrets (constructs/validation/secret-scan), which the doctor runs
 */
export function credentialFindings(obj: unknown, yaml?: (text: string) => readonly unknown[] | undefined): Array<{ readonly field: string; readonly what: string }> {
  return scanForSecrets(obj, { yaml }).map((f) => ({ field: f.path, what: f.what }));
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

/**
 * `secret-in-output`: a secret anywhere in a rendered object (every string of every object:
 * conf, args, env, annotations, labels, URLs, ConfigMap files, SparkApplication fields,
 * SealedSecret ciphertext, Secret data), found by `scanForSecrets`. What `npm run synth` writes
 * is committed to Git and what the Pulumi program registers is kept in its state, both in
 * plain text; the message names the field, the kind of secret and the construct to use
 * instead, never the value.
 */
export const secretInOutput: DoctorRule = {
  id: 'secret-in-output',
  severity: Severity.ERROR,
  summary: 'Secrets in Git and in Pulumi state: a password, token, key or credential-named literal in any rendered object',
  check(view, report) {
    for (const o of view.objects) {
      for (const f of scanForSecrets(o.json as Json, { yaml: (text) => view.yamlDocuments(text) })) {
        report(objectTarget(o), `${f.path}: ${f.what}, which lands in Git (dist/) and in the Pulumi state in plain text. Fix: ${f.fix}`);
      }
    }
  },
};
