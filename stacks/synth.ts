import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { SparkPlatformError } from '../constructs/errors';
import { Doctor, DoctorReport, formatFinding } from '../constructs/doctor';
import { ManifestValidationError, assertValidManifests } from '../constructs/validation';
import { PlatformConfig } from './config';
import { KubeObject, RenderedChart, kustomization, renderCharts, toYaml } from './gitops';
import { EnvironmentFileError, environmentSource } from './environments/load';
import { buildPlatform } from './platform';

/** One environment rendered: its files (relative to `dist/`) and objects. */
export interface RenderedEnvironment {
  /** The environment name, the directory under `dist/`. */
  readonly name: string;
  /** Its charts as files, in apply order. */
  readonly charts: readonly RenderedChart[];
  /** Every object, in apply order. */
  readonly objects: readonly KubeObject[];
  /** File path (relative to the output directory) to content. */
  readonly files: ReadonlyMap<string, string>;
  /** The platform doctor's report: its warnings and suppressed findings (errors fail the render). */
  readonly doctor?: DoctorReport;
}

/**
 * Builds, validates and renders one environment in memory: cdk8s validations run during
 * `toJson()`, then every object is checked against the Kubernetes and CRD schemas. Nothing is
 * written.
 */
export function renderEnvironment(config: PlatformConfig): RenderedEnvironment {
  const app = new App();
  buildPlatform(app, config, environmentSource(config));
  const charts = renderCharts(app);
  const objects = charts.flatMap((c) => c.objects);
  assertValidManifests(objects);
  const files = new Map<string, string>();
  for (const c of charts) files.set(`${config.name}/${c.file}`, toYaml(c.objects));
  files.set(`${config.name}/kustomization.yaml`, kustomization(charts.map((c) => c.file)));
  return { name: config.name, charts, objects, files, doctor: Doctor.of(app)?.report() };
}

/** Renders every environment; throws on the first one that fails, before anything is written. */
export function renderAll(environments: readonly PlatformConfig[], onRendered?: (env: RenderedEnvironment) => void): Map<string, string> {
  const seen = new Set<string>();
  const files = new Map<string, string>();
  for (const env of environments) {
    if (seen.has(env.name)) {
      throw new SparkPlatformError('name', `two environments are named ${JSON.stringify(env.name)}`, 'give each environment its own name: it is its directory under dist/');
    }
    seen.add(env.name);
    let rendered: RenderedEnvironment;
    try {
      rendered = renderEnvironment(env);
    } catch (e) {
      throw isUserError(e) ? new SynthError(env.name, e) : e;
    }
    onRendered?.(rendered);
    for (const [file, content] of rendered.files) files.set(file, content);
  }
  return files;
}

/** A synth that failed on its input (config, props, schema validation), with the environment named. */
export class SynthError extends Error {
  constructor(
    /** The environment that failed. */
    public readonly environment: string,
    /** The underlying error. */
    public readonly cause: Error,
  ) {
    super(`environment ${JSON.stringify(environment)}: ${cause.message}`);
    this.name = 'SynthError';
  }
}

/** Errors that mean "the input is wrong", as opposed to a bug: reported, never a stack trace. */
export function isUserError(e: unknown): e is Error {
  return (e instanceof EnvironmentFileError && isUserError(e.cause))
    || e instanceof SparkPlatformError
    || e instanceof ManifestValidationError
    // cdk8s' deferred construct validations (node.addValidation), one line per construct path
    || (e instanceof Error && e.message.startsWith('Validation failed with the following errors'));
}

/**
 * Replaces `outdir` with exactly `files`, as close to atomically as a file system allows: the
 * new tree is written to a sibling temporary directory, then renamed into place, and the old
 * tree is removed only after that. A failure while writing leaves `outdir` as it was.
 */
export function writeTreeAtomically(files: ReadonlyMap<string, string>, outdir: string): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const next = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.next-`));
  try {
    // mkdtemp makes the directory 0700: the output is for a GitOps repository and its readers.
    fs.chmodSync(next, 0o755);
    for (const [file, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      const dest = path.join(next, file);
      fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
      fs.writeFileSync(dest, content, { mode: 0o644 });
    }
  } catch (e) {
    fs.rmSync(next, { recursive: true, force: true });
    throw e;
  }
  const previous = fs.existsSync(target) ? path.join(parent, path.basename(next).replace('.next-', '.previous-')) : undefined;
  if (previous) fs.renameSync(target, previous);
  fs.renameSync(next, target);
  if (previous) fs.rmSync(previous, { recursive: true, force: true });
}

/** Options of `synthesize`. */
export interface SynthesizeOptions {
  /**
   * The environments to render, or a function that loads them (`loadEnvironments`): errors it
   * raises are reported like any other input error.
   */
  readonly environments: readonly PlatformConfig[] | (() => readonly PlatformConfig[]);
  /** Where the GitOps output goes. @default "dist" */
  readonly outdir?: string;
  /** A directory `cdk8s synth` reads the manifests back from (its CDK8S_OUTDIR); also written. @default - none */
  readonly stagingDir?: string;
  /** Called with each environment once rendered and valid (e.g. to print the doctor's warnings). @default - none */
  readonly onRendered?: (env: RenderedEnvironment) => void;
}

/** Renders and validates every environment, then swaps the result into `outdir`. */
export function synthesize(options: SynthesizeOptions): Map<string, string> {
  const files = renderAll(environmentsOf(options), options.onRendered);
  const outdir = options.outdir ?? 'dist';
  if (options.stagingDir && path.resolve(options.stagingDir) !== path.resolve(outdir)) {
    writeTreeAtomically(files, options.stagingDir);
  }
  writeTreeAtomically(files, outdir);
  return files;
}

function environmentsOf(options: Pick<SynthesizeOptions, 'environments'>): readonly PlatformConfig[] {
  return typeof options.environments === 'function' ? options.environments() : options.environments;
}

/**
 * The command-line entry (main.ts): synthesizes and reports. Returns the process exit code: 0,
 * or 1 with the failing field and its fix on stderr, the previous output untouched.
 */
export function runSynth(options: SynthesizeOptions, log: Pick<Console, 'log' | 'error'> = console): number {
  try {
    const notes: string[] = [];
    const environments = environmentsOf(options);
    const files = synthesize({
      ...options,
      environments,
      onRendered: (env) => {
        options.onRendered?.(env);
        const r = env.doctor;
        if (!r) return;
        for (const f of r.warnings) notes.push(`${env.name}: warning ${formatFinding(f)}`);
        if (r.suppressed.length > 0) notes.push(`${env.name}: ${r.suppressed.length} doctor finding(s) suppressed (npm run doctor lists them with their reasons)`);
      },
    });
    const outdir = options.outdir ?? 'dist';
    for (const env of environments) {
      const count = [...files.keys()].filter((f) => f.startsWith(`${env.name}/`)).length;
      log.log(`${env.name}: ${count} files in ${path.join(outdir, env.name)}/`);
    }
    for (const note of notes) log.log(note);
    return 0;
  } catch (e) {
    if (e instanceof SynthError || isUserError(e)) {
      log.error(`synth failed; ${options.outdir ?? 'dist'}/ is left as it was.\n${e.message}`);
      return 1;
    }
    throw e;
  }
}
