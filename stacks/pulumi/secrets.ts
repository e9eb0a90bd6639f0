import * as pulumi from '@pulumi/pulumi';
import { SparkPlatformError, show } from '../../constructs/errors';
import type { SecretRef } from '../../constructs/secret-refs';

/** The stack config key holding the values of the Secrets the platform reads (a secret object). */
export const SECRETS_CONFIG_KEY = 'secrets';

/** Where a stack config error is: the prefix of its message. */
export const CONFIG_WHERE = 'Pulumi stack config:';

/** Secret values as the `secrets` config key holds them: Secret name → key → value. */
export type SecretValues = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * The `--path` of one value in the `secrets` config object, e.g. `secrets["minio-root"].rootUser`
 * (or of one Secret's values, without `key`): names that are not identifiers are bracketed,
 * which every Pulumi path parser reads.
 */
export function secretConfigPath(secretName: string, key?: string): string {
  const segment = (s: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`);
  return `${SECRETS_CONFIG_KEY}${segment(secretName)}${key === undefined ? '' : segment(key)}`;
}

/** The command that sets one value, as a user would type it. */
export function secretConfigCommand(secretName: string, key: string): string {
  return `pulumi config set --secret --path '${secretConfigPath(secretName, key)}' <value>`;
}

/**
 * The `data` of each Secret in `refs` (keyed `<namespace>/<name>`), base64-encoded, from the
 * `secrets` config object: a value is keyed by Secret name and key, so a Secret declared in
 * several namespaces (the s3a credentials in every tenant) holds the same values in each.
 *
 * The values come from `config.requireSecretObject` and stay Pulumi secrets. Throws, before any
 * resource is registered, on a missing value (naming each one and its `pulumi config set`
 * command) and on a value for a Secret or key the platform does not read (a typo).
 */
export function resolveSecretData(config: pulumi.Config, refs: readonly SecretRef[]): Map<string, pulumi.Output<Record<string, string>>> {
  const data = new Map<string, pulumi.Output<Record<string, string>>>();
  // The plaintext is read here only to check which values exist; what the Secrets get is the secret Output below.
  const present = config.getObject<unknown>(SECRETS_CONFIG_KEY);
  const field = `${config.name}:${SECRETS_CONFIG_KEY}`;
  if (present !== undefined && !isRecord(present)) {
    throw new SparkPlatformError(field, 'is not an object of Secret name → key → value', `set each value with ${secretConfigCommand('<secret>', '<key>')}`, CONFIG_WHERE);
  }
  const given = (present ?? {}) as Record<string, unknown>;
  const wanted = new Map<string, Set<string>>();
  const missing = new Map<string, { readonly line: string; readonly command: string }>();
  for (const ref of refs) {
    const keys = wanted.get(ref.name) ?? new Set<string>();
    wanted.set(ref.name, keys);
    const entry = given[ref.name];
    for (const key of ref.keys) {
      keys.add(key);
      const value = isRecord(entry) ? entry[key] : undefined;
      const path = secretConfigPath(ref.name, key);
      if ((typeof value !== 'string' || value === '') && !missing.has(path)) {
        missing.set(path, {
          line: `${path} (Secret ${show(ref.name)} in namespace ${show(ref.namespace)}, read by ${ref.purpose})`,
          command: secretConfigCommand(ref.name, key),
        });
      }
    }
  }
  if (missing.size > 0) {
    const all = [...missing.values()];
    throw new SparkPlatformError(
      field,
      `misses ${all.length === 1 ? 'a value' : `${all.length} values`} the platform's Secrets need: ${all.map((m) => m.line).join('; ')}`,
      `set ${all.length === 1 ? 'it' : 'each'} as a secret: ${all.map((m) => m.command).join(' ; ')}`,
      CONFIG_WHERE,
    );
  }
  for (const [name, entry] of Object.entries(given)) {
    const keys = wanted.get(name);
    if (!keys) {
      throw new SparkPlatformError(`${config.name}:${secretConfigPath(name)}`, `is not a Secret this environment reads (it reads ${[...wanted.keys()].join(', ') || 'none'})`, `remove it: pulumi config rm --path '${secretConfigPath(name)}'`, CONFIG_WHERE);
    }
    for (const key of Object.keys(isRecord(entry) ? entry : {})) {
      if (!keys.has(key)) {
        throw new SparkPlatformError(`${config.name}:${secretConfigPath(name, key)}`, `is not a key Secret ${show(name)} needs (${[...keys].join(', ')})`, `remove it: pulumi config rm --path '${secretConfigPath(name, key)}'`, CONFIG_WHERE);
      }
    }
  }
  if (refs.length === 0) return data;
  const values = config.requireSecretObject<SecretValues>(SECRETS_CONFIG_KEY);
  for (const ref of refs) {
    const encoded = values.apply((v) => Object.fromEntries(ref.keys.map((k) => [k, Buffer.from(v[ref.name][k], 'utf8').toString('base64')])));
    data.set(`${ref.namespace}/${ref.name}`, pulumi.secret(encoded));
  }
  return data;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
