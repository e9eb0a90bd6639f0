import * as path from 'path';
import { SparkPlatformError } from '../constructs/errors';
import { DoctorReport, formatFinding } from '../constructs/doctor';
import { ManifestValidationError } from '../constructs/validation';
import { PlatformConfig } from './config';
import { KubeObject, RenderedChart, SparkPlatformApp, StagedTree } from './gitops';
import { timed } from './gitops/timings';
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
 * Builds, validates and renders one environment in memory, on a SparkPlatformApp (the library's
 * safety net): the doctor, cdk8s validations, CRDs for every custom kind, then every object
 * checked against the Kubernetes and CRD schemas. Nothing is written.
 */
export function renderEnvironment(config: PlatformConfig): RenderedEnvironment {
  const app = new SparkPlatformApp({ name: config.name });
  timed('buildMs', () => buildPlatform(app, config, environmentSource(config)));
  const rendered = app.render();
  const files = new Map([...rendered.files].map(([file, content]) => [`${config.name}/${file}`, content]));
  return { name: config.name, charts: rendered.charts, objects: rendered.objects, files, doctor: rendered.doctor };
}

/** Renders every environment; throws on the first one that fails, before anything is written. */
export function renderAll(environments: readonly PlatformConfig[], onRendered?: (env: RenderedEnvironment) => void): Map<string, string> {
  const seen = new Set<string>();
  const files = new Map<string, string>();
  for (const env of environments) {
    checkUniqueName(seen, env);
    const rendered = asSynthError(env, () => renderEnvironment(env));
    onRendered?.(rendered);
    for (const [file, content] of rendered.files) files.set(file, content);
  }
  return files;
}

function checkUniqueName(seen: Set<string>, env: PlatformConfig): void {
  if (seen.has(env.name)) {
    throw new SparkPlatformError('name', `two environments are named ${JSON.stringify(env.name)}`, 'give each environment its own name: it is its directory under dist/');
  }
  seen.add(env.name);
}

/** Runs `fn` for `env`, naming the environment in an input error (SynthError). */
function asSynthError<T>(env: PlatformConfig, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw isUserError(e) ? new SynthError(env.name, e) : e;
  }
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

/** One environment as `synthesize` wrote it. */
export interface SynthesizedEnvironment {
  /** The environment name, the directory under the output directory. */
  readonly name: string;
  /** Its files, relative to the output directory (`<name>/<file>`), in the order they were written. */
  readonly files: readonly string[];
  /** How many objects its charts hold. */
  readonly objectCount: number;
  /** The platform doctor's report: its warnings and suppressed findings (errors fail the synth). */
  readonly doctor: DoctorReport;
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
  readonly onRendered?: (env: SynthesizedEnvironment) => void;
}

/**
 * Renders and validates every environment, then swaps the result into `outdir` (and
 * `stagingDir`). Each chart's file is written as soon as it is rendered and checked, into staging
 * directories beside the targets (StagedTree), so the whole output is never held in memory; they
 * replace the targets only after the last environment passed every check, and are removed on any
 * failure, leaving the previous output as it was.
 */
export function synthesize(options: SynthesizeOptions): SynthesizedEnvironment[] {
  const environments = environmentsOf(options);
  const outdir = options.outdir ?? 'dist';
  const staged = options.stagingDir && path.resolve(options.stagingDir) !== path.resolve(outdir) ? [options.stagingDir, outdir] : [outdir];
  const trees: StagedTree[] = [];
  try {
    for (const dir of staged) trees.push(new StagedTree(dir));
    const seen = new Set<string>();
    const done: SynthesizedEnvironment[] = [];
    for (const env of environments) {
      checkUniqueName(seen, env);
      const files: string[] = [];
      const streamed = asSynthError(env, () => {
        const app = new SparkPlatformApp({ name: env.name });
        // Jobs deferred: built one tenant at a time as they are written (memory: the platform
        // and one tenant's jobs, whatever the number of jobs).
        timed('buildMs', () => buildPlatform(app, env, environmentSource(env), { deferJobs: true }));
        return app.stream((file, chunk) => {
          const where = `${env.name}/${file}`;
          if (files[files.length - 1] !== where) files.push(where);
          for (const tree of trees) tree.append(where, chunk);
        });
      });
      const synthesized = { name: env.name, files, objectCount: streamed.objectCount, doctor: streamed.doctor };
      options.onRendered?.(synthesized);
      done.push(synthesized);
    }
    timed('writeMs', () => trees.forEach((tree) => tree.commit()));
    return done;
  } finally {
    for (const tree of trees) tree.abort(); // nothing once committed
  }
}

function environmentsOf(options: Pick<SynthesizeOptions, 'environments'>): readonly PlatformConfig[] {
  const e = options.environments;
  return typeof e === 'function' ? timed('loadEnvironmentsMs', e) : e;
}

/**
 * The command-line entry (main.ts): synthesizes and reports. Returns the process exit code: 0,
 * or 1 with the failing field and its fix on stderr, the previous output untouched.
 */
export function runSynth(options: SynthesizeOptions, log: Pick<Console, 'log' | 'error'> = console): number {
  try {
    const notes: string[] = [];
    const environments = environmentsOf(options);
    const synthesized = synthesize({
      ...options,
      environments,
      onRendered: (env) => {
        options.onRendered?.(env);
        const r = env.doctor;
        for (const f of r.warnings) notes.push(`${env.name}: warning ${formatFinding(f)}`);
        if (r.suppressed.length > 0) notes.push(`${env.name}: ${r.suppressed.length} doctor finding(s) suppressed (npm run doctor lists them with their reasons)`);
      },
    });
    const outdir = options.outdir ?? 'dist';
    for (const env of synthesized) log.log(`${env.name}: ${env.files.length} files in ${path.join(outdir, env.name)}/`);
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
