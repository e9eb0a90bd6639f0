/**
 * Finds the environments `npm run synth` and the Pulumi program build: every TypeScript file of
 * this directory (its `PlatformConfig` export) and every YAML file (`*.yaml`, `*.yml`, one
 * environment each, written against schema/platform-config.schema.json).
 *
 * Files are loaded one by one, so an error raised while one is imported (an unpinned image in
 * `SparkImage.custom(...)`, a YAML syntax error) names the file and goes through the synth's
 * error handler like any other input error: no stack trace, `dist/` left as it was.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { SparkPlatformError } from '../../constructs/errors';
import type { PlatformConfig } from '../config';

/** The file an environment was loaded from (a non-enumerable property: not part of the config). */
const SOURCE = Symbol.for('spark-platform.environment-source');

/** The file `config` was loaded from by loadEnvironments, if it was. */
export function environmentSource(config: PlatformConfig): string | undefined {
  return (config as unknown as Record<symbol, string | undefined>)[SOURCE];
}

/** Files of the directory that are not environments. */
const NOT_ENVIRONMENTS = new Set(['index.ts', 'load.ts']);

/** An environment file that could not be loaded: the file, and what went wrong in it. */
export class EnvironmentFileError extends Error {
  constructor(
    /** The file, relative to the working directory. */
    public readonly file: string,
    /** The underlying error (a SparkPlatformError when the input is at fault). */
    public readonly cause: Error,
  ) {
    super(`environment file ${file}: ${cause.message}`);
    this.name = 'EnvironmentFileError';
  }
}

/** The environment files of `dir`, in name order (TypeScript and YAML). */
export function environmentFiles(dir: string): string[] {
  return fs.readdirSync(dir)
    .filter((f) => !NOT_ENVIRONMENTS.has(f) && !f.endsWith('.d.ts') && /\.(ts|ya?ml)$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Loads every environment of `dir` (default: this directory), in file name order. A TypeScript
 * file exports its environment as `default` or under the file's name in camelCase
 * (`prod-eu.ts` -> `prodEu`); a YAML file is one environment. Throws EnvironmentFileError.
 */
export function loadEnvironments(dir: string = __dirname): PlatformConfig[] {
  return environmentFiles(dir).map(loadEnvironmentFile);
}

/** Loads one environment file (see loadEnvironments). */
export function loadEnvironmentFile(file: string): PlatformConfig {
  const shown = path.relative(process.cwd(), file) || file;
  const env = readEnvironmentFile(file, shown);
  if (typeof env === 'object' && env !== null && !Object.isFrozen(env)) Object.defineProperty(env, SOURCE, { value: shown, enumerable: false });
  return env;
}

function readEnvironmentFile(file: string, shown: string): PlatformConfig {
  try {
    if (/\.ya?ml$/.test(file)) return parseYamlEnvironment(fs.readFileSync(file, 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as Record<string, unknown>;
    const exportName = path.basename(file, '.ts').replace(/[-_.]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
    const env = mod.default ?? mod[exportName];
    if (env === undefined) {
      throw new SparkPlatformError('export', `has neither a default export nor one named ${JSON.stringify(exportName)}`, `export the environment: export const ${exportName}: PlatformConfig = { ... }`);
    }
    return env as PlatformConfig;
  } catch (e) {
    throw new EnvironmentFileError(shown, e instanceof Error ? e : new Error(String(e)));
  }
}

function parseYamlEnvironment(text: string): PlatformConfig {
  let value: unknown;
  try {
    value = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new SparkPlatformError('(YAML)', message, 'fix the YAML syntax at that line');
  }
  // Checked against the environment schema by the synth (parsePlatformConfig), like a TypeScript one.
  return value as PlatformConfig;
}
