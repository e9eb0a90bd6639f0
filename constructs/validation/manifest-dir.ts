/**
 * Reading synthesized output (`dist/<environment>/*.yaml`) for validation; the logic behind
 * `npm run validate`, kept here so that it is tested and scripts/validate.ts stays a thin wrapper.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { ManifestIssue, ManifestValidator } from './manifest-validator';

/** The objects of one manifest file. */
export interface ManifestFile {
  /** Path of the file (`dir` joined with its name). */
  readonly file: string;
  /** Its documents, in order, empty documents left out. */
  readonly objects: readonly unknown[];
}

/** The validation outcome of one environment directory. */
export interface EnvironmentReport {
  /** The directory's name, e.g. `dev`. */
  readonly environment: string;
  /** How many objects its manifests hold. */
  readonly objectCount: number;
  /** Every issue found; empty when the environment is valid. */
  readonly issues: readonly ManifestIssue[];
}

/** Kustomize's own file is not a Kubernetes object. */
const SKIPPED = new Set(['kustomization.yaml']);

/**
 * Every `*.yaml` file of `dir` (not recursive, `kustomization.yaml` excepted), sorted by name.
 * @throws Error naming file and position when a file is not valid YAML
 */
export function readManifestDir(dir: string): ManifestFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') && !SKIPPED.has(name))
    .sort()
    .map((name) => readManifestFile(join(dir, name)));
}

/**
 * Validates each environment subdirectory of `rootDir` (each `dist/<env>/`) on its own: the CRDs of
 * an environment validate that environment's custom resources only.
 * @throws Error telling to run `npm run synth` when `rootDir` is missing or holds no environment
 */
export function validateEnvironments(rootDir: string): EnvironmentReport[] {
  const environments = existsSync(rootDir) ? readdirSync(rootDir).filter((name) => statSync(join(rootDir, name)).isDirectory()).sort() : [];
  if (environments.length === 0) {
    throw new Error(`${rootDir} ${existsSync(rootDir) ? 'holds no environment directories' : 'does not exist'}: run \`npm run synth\` first`);
  }
  return environments.map((environment) => validateEnvironment(environment, join(rootDir, environment)));
}

function validateEnvironment(environment: string, dir: string): EnvironmentReport {
  const objects = readManifestDir(dir).flatMap((f) => f.objects);
  const issues = objects.length === 0
    ? [{ object: environment, path: '', message: `no manifests in ${dir}: run \`npm run synth\` first` }]
    : new ManifestValidator().validateAll(objects);
  return { environment, objectCount: objects.length, issues };
}

function readManifestFile(file: string): ManifestFile {
  const objects: unknown[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const [error] = doc.errors;
    if (error) throw new Error(`${file}: ${error.message}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value); // `---` separators leave empty documents
  }
  return { file, objects };
}
