/**
 * The examples of the secret-leak issue as one environment, shared by the synth and Pulumi
 * tests of the `secret-in-output` doctor rule. Values are assembled at run time, so no literal
 * token is in the repository.
 */
import { createHash } from 'crypto';
import { SparkEnvValue } from '../../constructs/spark-env';
import { SecretSource } from '../../constructs/storage/credentials';
import type { PlatformConfig } from '../../stacks/config';
import { dev } from '../../stacks/environments/dev';

/** The doctor rule that finds secrets in the output. */
export const SECRET_RULE = 'secret-in-output';

/** `n` characters from `alphabet` (letters and digits by default), deterministic for `seed`. */
export function chars(n: number, seed: string, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let out = '';
  for (let i = 0; out.length < n; i++) {
    for (const byte of createHash('sha256').update(`${seed}:${i}`).digest()) if (out.length < n) out += alphabet[byte % alphabet.length];
  }
  return out;
}

/** Base64 of a UTF-8 string. */
export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** The secrets the leaky environment carries. */
export const LEAKS = { token: `ghp_${chars(36, 'leaky')}`, password: `Pw-${chars(12, 'leaky')}`, plain: `jupyter-token-${chars(20, 'leaky')}` } as const;

/**
 * dev with every example of the issue: user:password in a job's `deps.repositories` and in
 * `storage.external.endpoint`, `SparkEnvValue.fromValue` for `API_KEY`,
 * `spark.ssl.keyStorePassword` in `sparkConf`, a token in a job annotation, and base64
 * plaintext as SealedSecret data (the notebook's token).
 */
export function leakyEnvironment(values: { readonly token: string; readonly password: string; readonly plain: string } = LEAKS): PlatformConfig {
  const [job] = dev.jobs!;
  const [notebook] = dev.notebooks!;
  return {
    ...dev,
    name: 'leaky',
    network: { ...dev.network, objectStore: { cidrs: ['192.0.2.20/32'], ports: [443] } },
    storage: { external: { endpoint: `https://deploy:${values.password}@s3.example.com` } },
    jobs: [{
      ...job,
      deps: { repositories: [`https://deploy:${values.password}@repo.example.com/maven`] },
      pods: { env: { API_KEY: SparkEnvValue.fromValue(values.password) } },
      sparkConf: { 'spark.ssl.keyStorePassword': values.password },
      annotations: { 'example.com/deploy-token': values.token },
    }],
    notebooks: [{ ...notebook, token: SecretSource.sealedSecret('lab-token', { token: b64(values.plain) }) }],
  };
}

/** The doctor lines (`secret-in-output <path> (<object>): ...`) of the error a render failed with. */
export function secretRuleLines(error: unknown): string[] {
  return String(error instanceof Error ? error.message : error).split('\n').map((l) => l.trim()).filter((l) => new RegExp(`(^|\\s)${SECRET_RULE} `).test(l));
}

/** That `text` holds neither `value` nor any 6-character piece of it after a known `prefix`. */
export function expectNoValue(text: string, value: string, prefix = ''): void {
  const body = value.slice(prefix.length);
  expect(text).not.toContain(value);
  for (let i = 0; i + 6 <= body.length; i += 3) expect(text).not.toContain(body.slice(i, i + 6));
}
