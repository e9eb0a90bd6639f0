/**
 * `npm run doctor [-- --json] [--env <name>]... [--rules]`: builds every environment of
 * stacks/environments (or the ones named), runs the platform doctor over each and prints a table
 * per environment (or, with --json, one JSON document for CI). Exits 1 when an environment has an
 * error (a doctor error, another construct validation, or a build failure), 2 on a usage error.
 *
 * The doctor's options come from the environment config's `doctor` field when it has one; an
 * app that buildPlatform already attached a doctor to is checked with that doctor.
 */
import { App } from 'cdk8s';
import { Doctor, DoctorOptions, DoctorReport, DOCTOR_RULES, attachDoctor, formatReportTable, reportToJson } from '../constructs/doctor';
import { DoctorJsonEnvironment } from '../constructs/doctor/format';
import type { PlatformConfig } from '../stacks/config';
import { ENVIRONMENTS } from '../stacks/environments';
import { buildPlatform } from '../stacks/platform';

/** One environment checked. */
export interface EnvironmentCheck {
  readonly name: string;
  /** The doctor's report, when the environment could be built. */
  readonly report?: DoctorReport;
  /** Other construct validations that fail the synth (`[path] message`). */
  readonly validationErrors: readonly string[];
  /** Why the environment could not be built at all. */
  readonly buildError?: string;
  /** Whether node shapes were declared (without them the capacity rule is skipped). */
  readonly nodesDeclared: boolean;
}

/** The doctor options an environment config declares (`doctor`), if any. */
export function doctorOptionsOf(config: PlatformConfig): DoctorOptions {
  return (config as PlatformConfig & { readonly doctor?: DoctorOptions }).doctor ?? {};
}

/**
 * Builds one environment and runs the doctor (and every other construct validation) over it:
 * the doctor buildPlatform attached (else one with the config's options), or, when `options` is
 * given, one with `options(config)` instead.
 */
export function checkEnvironment(config: PlatformConfig, options?: (config: PlatformConfig) => DoctorOptions): EnvironmentCheck {
  const app = new App();
  try {
    buildPlatform(app, config);
  } catch (e) {
    return { name: config.name, validationErrors: [], buildError: e instanceof Error ? e.message : String(e), nodesDeclared: false };
  }
  try {
    const attached = Doctor.of(app);
    if (attached && options) app.node.tryRemoveChild(attached.node.id);
    const doctor = (options ? undefined : attached) ?? attachDoctor(app, (options ?? doctorOptionsOf)(config));
    const report = doctor.report();
    const validationErrors: string[] = [];
    for (const c of app.node.findAll()) {
      if (c === doctor) continue;
      for (const message of c.node.validate()) validationErrors.push(`[${c.node.path}] ${message}`);
    }
    return { name: config.name, report, validationErrors, nodesDeclared: doctor.options.nodes.length > 0 };
  } catch (e) {
    return { name: config.name, validationErrors: [], buildError: e instanceof Error ? e.message : String(e), nodesDeclared: false };
  }
}

/** Whether a check fails the run. */
export function failed(check: EnvironmentCheck): boolean {
  return check.buildError !== undefined || check.validationErrors.length > 0 || (check.report?.errors.length ?? 0) > 0;
}

/** The JSON `--json` prints: one entry per environment, and whether all passed. */
export interface DoctorJson {
  readonly ok: boolean;
  readonly environments: ReadonlyArray<Partial<DoctorJsonEnvironment> & { readonly name: string; readonly validationErrors: readonly string[]; readonly buildError?: string }>;
}

/** The `--json` document of some checks. */
export function toJson(checks: readonly EnvironmentCheck[]): DoctorJson {
  return {
    ok: !checks.some(failed),
    environments: checks.map((c) => ({
      ...(c.report ? reportToJson(c.name, c.report) : { name: c.name }),
      validationErrors: [...c.validationErrors],
      ...(c.buildError !== undefined ? { buildError: c.buildError } : {}),
    })),
  };
}

/** The text report of some checks: a table per environment. */
export function toText(checks: readonly EnvironmentCheck[]): string {
  const out: string[] = [];
  for (const c of checks) {
    if (c.buildError !== undefined) {
      out.push(`${c.name}: cannot be built\n  ${c.buildError}`);
      continue;
    }
    out.push(formatReportTable(c.name, c.report!));
    if (!c.nodesDeclared) out.push(`note: ${c.name} declares no node shapes (doctor.nodes): pod sizes were not checked against nodes`);
    for (const v of c.validationErrors) out.push(`error (construct validation) ${v}`);
  }
  return out.join('\n\n');
}

/** The rule list `--rules` prints. */
export function rulesText(): string {
  const width = Math.max(...DOCTOR_RULES.map((r) => r.id.length));
  return DOCTOR_RULES.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}`).join('\n');
}

/** The command: returns the exit code. `options`, when given, overrides the doctor options of each environment. */
export function main(
  args: readonly string[],
  environments: readonly PlatformConfig[] = ENVIRONMENTS,
  write: (text: string) => void = (t) => process.stdout.write(`${t}\n`),
  options?: (config: PlatformConfig) => DoctorOptions,
): number {
  let json = false;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--rules') {
      write(rulesText());
      return 0;
    } else if (a === '--env' && args[i + 1] !== undefined) names.push(args[++i]);
    else if (a.startsWith('--env=')) names.push(a.slice('--env='.length));
    else {
      write(`unknown argument ${JSON.stringify(a)}. Usage: npm run doctor [-- --json] [--env <name>]... [--rules]`);
      return 2;
    }
  }
  const unknown = names.filter((n) => !environments.some((e) => e.name === n));
  if (unknown.length > 0) {
    write(`unknown environment ${unknown.map((n) => JSON.stringify(n)).join(', ')}; known: ${environments.map((e) => e.name).join(', ')}`);
    return 2;
  }
  const selected = names.length > 0 ? environments.filter((e) => names.includes(e.name)) : environments;
  const checks = selected.map((c) => checkEnvironment(c, options));
  write(json ? JSON.stringify(toJson(checks), null, 2) : toText(checks));
  return checks.some(failed) ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
