import { SparkPlatformError, show } from '../constructs/errors';
import { Cpu, Memory } from '../constructs/units';

/**
 * A small structural checker for configuration read at run time (TypeScript environment files
 * compiled transpile-only, YAML, Pulumi stack config): each check throws a SparkPlatformError
 * naming the field path and the fix. Field tables are typed `Fields<T>`, so adding a field to a
 * config interface without a check does not compile.
 */
export type Check = (value: unknown, path: string) => void;

/** One check per field of T, required or optional. */
export type Fields<T> = { readonly [K in keyof Required<T>]: Check };

function fail(path: string, problem: string, fix: string): never {
  throw new SparkPlatformError(path, problem, fix);
}

/** A string, optionally matching a rule that returns a problem text. */
export function str(rule?: (v: string) => string | undefined, fix = 'write a valid value'): Check {
  return (v, path) => {
    if (typeof v !== 'string') fail(path, `${show(v)} is not a string`, 'write a string');
    const problem = rule?.(v);
    if (problem) fail(path, problem, fix);
  };
}

/** An instance of `type` (a typed value such as a SparkImage), named `what` in the message. */
export function instanceOf(type: { prototype: object }, what: string, fix: string): Check {
  return (v, path) => {
    if (!(typeof v === 'object' && v !== null && type.prototype.isPrototypeOf(v))) fail(path, `${show(v)} is not a ${what}`, fix);
  };
}

/** true or false. */
export function bool(): Check {
  return (v, path) => {
    if (typeof v !== 'boolean') fail(path, `${show(v)} is not true or false`, 'write true or false');
  };
}

/** A whole number at least `min`. */
export function int(min = 0): Check {
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(path, `${show(v)} is not a whole number >= ${min}`, `write a whole number, ${min} or more`);
  };
}

/** A number at least `min`. */
export function num(min = 0): Check {
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(path, `${show(v)} is not a number >= ${min}`, `write a number, ${min} or more`);
  };
}

/** One of the given literal values. */
export function oneOf(...values: readonly string[]): Check {
  return (v, path) => {
    if (typeof v !== 'string' || !values.includes(v)) fail(path, `${show(v)} is not one of ${values.map((x) => show(x)).join(', ')}`, `use one of ${values.join(', ')}`);
  };
}

/** A Kubernetes CPU quantity string ("500m", "2"). */
export const cpu: Check = (v, path) => {
  if (typeof v !== 'string' && typeof v !== 'number') fail(path, `${show(v)} is not a CPU quantity`, 'write a quantity such as "500m" or "2"');
  Cpu.parse(v, path);
};

/** A Kubernetes memory quantity string ("512Mi", "4Gi"). */
export const memory: Check = (v, path) => {
  if (typeof v !== 'string' && typeof v !== 'number') fail(path, `${show(v)} is not a memory quantity`, 'write a quantity such as "512Mi" or "4Gi"');
  Memory.parse(v, path);
};

/** A map whose values pass `value`. */
export function mapOf(value: Check): Check {
  return (v, path) => {
    if (!isPlainObject(v)) fail(path, `${show(v)} is not a map`, 'write key: value pairs');
    for (const [k, x] of Object.entries(v)) value(x, `${path}.${k}`);
  };
}

/** A map of string to string (labels, annotations). */
export const stringMap: Check = mapOf((v, path) => {
  if (typeof v !== 'string') fail(path, `${show(v)} is not a string`, 'quote the value');
});

/** An array whose items pass `item`. */
export function arrayOf(item: Check, minItems = 0): Check {
  return (v, path) => {
    if (!Array.isArray(v)) fail(path, `${show(v)} is not a list`, 'write a list');
    if (v.length < minItems) fail(path, `has ${v.length} item(s)`, `list at least ${minItems}`);
    v.forEach((x, i) => item(x, `${path}[${i}]`));
  };
}

/** An object with exactly the given fields (unknown ones are refused, with a suggestion). */
export function object<T>(fields: Fields<T>, required: readonly (keyof T & string)[] = []): Check {
  return (v, path) => {
    if (!isPlainObject(v)) fail(path, `${show(v)} is not an object`, 'write an object with the documented fields');
    const known = Object.keys(fields);
    for (const key of Object.keys(v)) {
      if (!known.includes(key)) {
        const near = closest(key, known);
        fail(join(path, key), 'is not a known field', near ? `did you mean ${show(near)}? Known fields: ${known.join(', ')}` : `remove it; known fields: ${known.join(', ')}`);
      }
    }
    for (const key of required) {
      if (v[key] === undefined) fail(join(path, key), 'is required', `set ${key}`);
    }
    for (const [key, check] of Object.entries(fields) as Array<[string, Check]>) {
      if (v[key] !== undefined) check(v[key], join(path, key));
    }
  };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The known name nearest to `key` by edit distance, if it is close enough to be a typo. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
