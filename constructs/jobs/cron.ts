/**
 * Synth-time checks for Spark job schedules, so a typo fails `cdk8s synth` with a clear message
 * instead of an API-server rejection or a ScheduledSparkApplication that silently never runs.
 *
 * Both consumers parse with robfig/cron v3 `ParseStandard`; the dialects differ only in what each
 * API adds (`@every`, a zone prefix) or forbids on top of it.
 */

/** Which consumer will parse the schedule. */
export enum CronDialect {
  /** batch/v1 CronJob `spec.schedule`: 5 fields or a descriptor; no `@every`, no `TZ=` prefix. */
  KUBERNETES = 'kubernetes',
  /** spark-operator ScheduledSparkApplication `spec.schedule`: also `@every <duration>` and `CRON_TZ=`/`TZ=`. */
  OPERATOR = 'operator',
}

/** `names` are lower case, the first worth `min` (robfig matches them case-insensitively); `question` allows `?`. */
interface Field { readonly name: string; readonly min: number; readonly max: number; readonly names?: readonly string[]; readonly question?: boolean }

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  // robfig's standard parser stops at 6: unlike Vixie cron, 7 is not a second Sunday.
  { name: 'day-of-week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], question: true },
];

const LAYOUT = 'minute hour day-of-month month day-of-week';
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
/** Go `time.ParseDuration` syntax; a bare `0` is also Go-valid but is caught as not positive. */
const GO_DURATION = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
/** robfig cuts the zone at the first plain space, so a tab stays part of the (then invalid) zone name. */
const TZ_PREFIX = /^(?:CRON_TZ|TZ)=([^ ]*)/;

const q = (s: string): string => JSON.stringify(s);

/**
 * Why `schedule` is not a valid schedule in `dialect`, or undefined when it is.
 *
 * The text names the bad part, e.g. `field 2 (hour) "25" is above 23`; it has no fix, the caller adds one.
 * Surrounding whitespace is ignored and fields may be separated by any run of whitespace.
 */
export function cronProblem(schedule: string, dialect: CronDialect): string | undefined {
  let spec = schedule.trim();
  if (spec === '') return 'is empty';
  const tz = TZ_PREFIX.exec(spec);
  if (tz) {
    // Kubernetes >= 1.27 refuses zone prefixes because the `timeZone` field replaced them.
    if (dialect === CronDialect.KUBERNETES) return `${q(tz[0])} prefix is rejected by Kubernetes >= 1.27`;
    const zone = timeZoneProblem(tz[1]);
    if (zone) return `${q(tz[0])} prefix: ${zone}`;
    spec = spec.slice(tz[0].length).trim();
    if (spec === '') return `${q(tz[0])} prefix is not followed by a schedule`;
  }
  if (spec.startsWith('@')) return descriptorProblem(spec, dialect);
  const fields = spec.split(/\s+/);
  if (fields.length !== FIELDS.length) {
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'} (${q(spec)}); a schedule has 5: ${LAYOUT}`;
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const where = `field ${i + 1} (${FIELDS[i].name})`;
    for (const item of fields[i].split(',')) {
      if (item === '') return `${where} ${q(fields[i])} has an empty list item`;
      const problem = itemProblem(item, FIELDS[i]);
      if (problem) return `${where} ${problem}`;
    }
  }
  return undefined;
}

/** One comma-separated item: `*`, `?`, `N`, `N-M`, each optionally followed by `/step`. */
function itemProblem(item: string, field: Field): string | undefined {
  const [range, step, ...more] = item.split('/');
  if (more.length > 0) return `${q(item)} has more than one "/"`;
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) return `step ${q(step)} in ${q(item)} is not a number`;
    if (Number(step) === 0) return `step ${q(step)} in ${q(item)} is not positive`;
  }
  if (range === '*') return undefined;
  if (range === '?') return field.question ? undefined : '"?" is only allowed in day-of-month and day-of-week';
  const bounds = range.split('-');
  if (bounds.length > 2) return `${q(item)} has more than one "-"`;
  const values: number[] = [];
  for (const bound of bounds) {
    const value = parseValue(bound, field);
    if (typeof value === 'string') return value;
    values.push(value);
  }
  // robfig rejects a backwards range rather than wrapping it around (no "22-2" for overnight hours).
  if (values.length === 2 && values[0] > values[1]) return `range ${q(range)} starts after it ends`;
  return undefined;
}

/** A number or (month, day-of-week) a name; returns the problem text when it is neither or out of bounds. */
function parseValue(text: string, field: Field): number | string {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return field.min + named;
  if (!/^\d+$/.test(text)) {
    const names = field.names ? ` or a name (${field.names[0].toUpperCase()}-${field.names[field.names.length - 1].toUpperCase()})` : '';
    return `${q(text)} is not a number${names}`;
  }
  const value = Number(text);
  if (value < field.min) return `${q(text)} is below ${field.min}`;
  if (value > field.max) return `${q(text)} is above ${field.max}`;
  return value;
}

/** `@daily` and friends (matched case-sensitively, as robfig does), plus `@every` for the operator. */
function descriptorProblem(spec: string, dialect: CronDialect): string | undefined {
  if (DESCRIPTORS.includes(spec)) return undefined;
  if (/^@every(\s|$)/.test(spec)) {
    if (dialect === CronDialect.KUBERNETES) {
      return `${q(spec)} is not supported by Kubernetes CronJobs (they accept 5 fields or @hourly/@daily/@weekly/@monthly/@yearly)`;
    }
    // robfig takes everything after "@every " verbatim, so a second space makes the duration invalid.
    const duration = spec.slice('@every '.length);
    if (duration === '') return `${q(spec)} has no duration`;
    if (duration !== '0' && !GO_DURATION.test(duration)) return `${q(duration)} in ${q(spec)} is not a Go duration (units ns, us, ms, s, m, h)`;
    // Digits only occur in the numbers, so no non-zero digit means a zero duration.
    if (duration.startsWith('-') || !/[1-9]/.test(duration)) return `${q(duration)} in ${q(spec)} is not positive`;
    return undefined;
  }
  const known = dialect === CronDialect.OPERATOR ? [...DESCRIPTORS, '@every <duration>'] : DESCRIPTORS;
  return `${q(spec)} is not a known descriptor (${known.join(', ')})`;
}

/**
 * Why `zone` is not an IANA time zone name usable as `timeZone` (or a `CRON_TZ=` prefix), or undefined.
 *
 * Checked with Intl, which knows the same tz database the controllers' Go runtime loads.
 * Refuses `Local` (it means the controller's own zone, so the schedule would depend on where it runs)
 * and the empty string; accepts e.g. `UTC`, `Etc/UTC`, `Europe/Berlin`.
 */
export function timeZoneProblem(zone: string): string | undefined {
  if (zone === '') return 'is empty';
  if (zone.toLowerCase() === 'local') return `${q(zone)} means the controller's own time zone, not a fixed one`;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return `${q(zone)} is not an IANA time zone name`;
  }
  // Intl ignores case, but Go's time.LoadLocation opens zoneinfo files by name, which is case-sensitive on Linux.
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) {
    return `${q(zone)} is spelled ${q(resolved)} in the tz database (names are case-sensitive)`;
  }
  if (zone.split('/').some((part) => !/^[A-Z]/.test(part))) {
    return `${q(zone)} is not capitalized as in the tz database (names are case-sensitive)`;
  }
  return undefined;
}
