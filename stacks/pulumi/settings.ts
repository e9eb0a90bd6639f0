import * as pulumi from '@pulumi/pulumi';
import { SparkPlatformError, show } from '../../constructs/errors';
import { PlatformConfig, parsePlatformConfig } from '../config';
import { CONFIG_WHERE, SECRETS_CONFIG_KEY } from './secrets';

export { CONFIG_WHERE };

/** The stack configuration keys the program reads (in the project's namespace, e.g. `spark-platform:environment`). */
export const CONFIG_KEYS = {
  /** Which environment of stacks/environments to provision (required). */
  environment: 'environment',
  /** An object merged onto the environment's PlatformConfig (optional). */
  overrides: 'overrides',
  /** Kubeconfig contents or path (optional; default: the ambient kubeconfig). */
  kubeconfig: 'kubeconfig',
  /** Kubeconfig context (optional; default: its current context). */
  context: 'context',
  /** Values of the Secrets the platform reads, by Secret name and key (secret). */
  secrets: SECRETS_CONFIG_KEY,
} as const;


/** What the stack configuration selects. */
export interface StackSettings {
  /** The environment with the overrides applied, checked by parsePlatformConfig. */
  readonly platform: PlatformConfig;
  /** Names the input in error messages, e.g. `environment "dev" + config overrides`. */
  readonly source: string;
  /** Kubeconfig contents or path, a Pulumi secret. @default - the ambient kubeconfig */
  readonly kubeconfig?: pulumi.Output<string>;
  /** Kubeconfig context. @default - the kubeconfig's current context */
  readonly context?: string;
}

/**
 * Reads the stack configuration: the environment (one of `environments`, by name) with the
 * `overrides` object merged onto it, checked by the same parsePlatformConfig buildPlatform uses,
 * and the cluster to talk to. Errors name the key and the `pulumi config set` command.
 */
export function readStackSettings(config: pulumi.Config, environments: readonly PlatformConfig[]): StackSettings {
  const names = environments.map((e) => e.name);
  const envKey = CONFIG_KEYS.environment;
  const name = config.get(envKey);
  if (name === undefined || name === '') {
    throw new SparkPlatformError(`${config.name}:${envKey}`, `is not set: it selects the environment to provision (${names.join(', ')})`, `pulumi config set ${envKey} ${names[0] ?? '<environment>'}`, CONFIG_WHERE);
  }
  const base = environments.find((e) => e.name === name);
  if (!base) {
    throw new SparkPlatformError(
      `${config.name}:${envKey}`,
      `${show(name)} is not an environment; the known ones are ${names.join(', ')}`,
      `pulumi config set ${envKey} ${names[0] ?? '<environment>'} (or another known one), or add stacks/environments/${name}.ts (or ${name}.yaml)`,
      CONFIG_WHERE,
    );
  }
  const overrides = config.getObject<unknown>(CONFIG_KEYS.overrides);
  let platform: PlatformConfig = base;
  let source = `environment ${show(name)}`;
  if (overrides !== undefined) {
    platform = applyOverrides(base, overrides, `${config.name}:${CONFIG_KEYS.overrides}`);
    source = `environment ${show(name)} + config ${CONFIG_KEYS.overrides}`;
  }
  parsePlatformConfig(platform, source);
  const context = config.get(CONFIG_KEYS.context);
  return { platform, source, kubeconfig: config.getSecret(CONFIG_KEYS.kubeconfig), context: context === '' ? undefined : context };
}

/**
 * `base` with `overrides` merged onto it: objects field by field (recursively), anything else
 * (numbers, strings, arrays) replaces the value, `null` removes the field. The result still has
 * to pass parsePlatformConfig. `field` names the overrides in errors.
 */
export function applyOverrides(base: PlatformConfig, overrides: unknown, field = CONFIG_KEYS.overrides as string): PlatformConfig {
  if (!isPlainObject(overrides)) {
    throw new SparkPlatformError(field, `${show(overrides)} is not an object`, `set an object of PlatformConfig fields, e.g. pulumi config set --path '${CONFIG_KEYS.overrides}.operator.replicas' 2`, CONFIG_WHERE);
  }
  if (Object.prototype.hasOwnProperty.call(overrides, 'name') && overrides.name !== base.name) {
    throw new SparkPlatformError(`${field}.name`, 'renames the environment', `leave name out of ${CONFIG_KEYS.overrides}: the environment is chosen by ${CONFIG_KEYS.environment}`, CONFIG_WHERE);
  }
  return merge(base, overrides) as unknown as PlatformConfig;
}

function merge(base: unknown, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isPlainObject(v)) out[k] = merge(out[k], v);
    else out[k] = v;
  }
  return out;
}

/** A JSON-like object: not an array, not a class instance (Memory, SparkImage, ... are replaced, never merged into). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
