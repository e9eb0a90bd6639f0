/**
 * An input the platform cannot build from: names the field, what is wrong with it and how to fix it.
 *
 * Thrown by constructors (props alone break a rule) and by the configuration loader, so the
 * message a user sees at synth time is always `<where> <field>: <problem>. Fix: <fix>`.
 */
export class SparkPlatformError extends Error {
  /** The prop or configuration field at fault, e.g. `quota.cpu` or `dev.tenants[1].name`. */
  public readonly field: string;
  /** What is wrong with the value. */
  public readonly problem: string;
  /** What to change to make it right. */
  public readonly fix: string;

  constructor(field: string, problem: string, fix: string, where?: string) {
    super(`${where ? `${where} ` : ''}${field}: ${problem}. Fix: ${fix}`);
    this.name = 'SparkPlatformError';
    this.field = field;
    this.problem = problem;
    this.fix = fix;
  }
}

/** Renders a received value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
