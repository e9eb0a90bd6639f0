import { SparkPlatformError, show } from './errors';

/**
 * Kubernetes quantity syntax: a decimal number and an optional suffix.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
const QUANTITY = /^([+]?[0-9]+(?:\.[0-9]*)?|[+]?\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Spark's memory strings (`spark.executor.memory=4g`): binary units, lower or upper case. */
const SPARK_MEMORY = /^([0-9]+)([kKmMgGtTpP])?[bB]?$/;
const SPARK_UNIT: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

const MIB = 2 ** 20;

function parseQuantity(value: string | number, field: string, fixExample: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new SparkPlatformError(field, `${show(value)} is not a non-negative number`, `use a quantity such as ${fixExample}`);
    }
    return value;
  }
  const m = QUANTITY.exec(value.trim());
  if (!m) {
    throw new SparkPlatformError(field, `${show(value)} is not a Kubernetes quantity`, `use a quantity such as ${fixExample}`);
  }
  const [, num, suffix = ''] = m;
  const n = Number(num);
  if (suffix in BINARY) return n * BINARY[suffix];
  if (suffix in DECIMAL) return n * DECIMAL[suffix];
  return n * 10 ** Number(suffix.slice(1)); // decimal exponent, e.g. 1e3
}

/**
 * A CPU amount, exact to the millicore.
 *
 * Kubernetes writes it as `500m` or `2`; Spark's `spark.{driver,executor}.cores` take whole cores.
 */
export class Cpu {
  /** Whole or fractional cores, e.g. `Cpu.cores(2)` or `Cpu.cores(0.5)`. */
  public static cores(n: number): Cpu {
    return Cpu.millis(n * 1000);
  }

  /** Millicores, e.g. `Cpu.millis(250)`. */
  public static millis(n: number): Cpu {
    if (!Number.isFinite(n) || n < 0) {
      throw new SparkPlatformError('cpu', `${show(n)} millicores is not a non-negative number`, 'use Cpu.cores(1) or Cpu.millis(500)');
    }
    return new Cpu(Math.round(n));
  }

  /** Parses a Kubernetes CPU quantity (`"500m"`, `"2"`, `1.5`); `field` names the input in errors. */
  public static parse(value: string | number, field = 'cpu'): Cpu {
    const cores = parseQuantity(value, field, '"500m" or "2"');
    const millis = cores * 1000;
    if (Math.abs(millis - Math.round(millis)) > 1e-6) {
      throw new SparkPlatformError(field, `${show(value)} is finer than one millicore`, 'round it to whole millicores, e.g. "1500m"');
    }
    return new Cpu(Math.round(millis));
  }

  /** Zero cores. */
  public static readonly ZERO = new Cpu(0);

  private constructor(
    /** The amount in millicores. */
    public readonly millicores: number,
  ) {}

  /** The amount in (possibly fractional) cores. */
  public get cores(): number {
    return this.millicores / 1000;
  }

  /** Kubernetes quantity: whole cores as `"2"`, anything else as `"1500m"`. */
  public toKubernetes(): string {
    return this.millicores % 1000 === 0 ? String(this.millicores / 1000) : `${this.millicores}m`;
  }

  /** This plus `other`. */
  public plus(other: Cpu): Cpu {
    return new Cpu(this.millicores + other.millicores);
  }

  /** This times a whole factor (e.g. per-executor cores times executors). */
  public times(factor: number): Cpu {
    return new Cpu(Math.round(this.millicores * factor));
  }

  /** Negative, zero or positive as this is less than, equal to or more than `other`. */
  public compare(other: Cpu): number {
    return this.millicores - other.millicores;
  }

  /** The Kubernetes quantity. */
  public toString(): string {
    return this.toKubernetes();
  }
}

/**
 * An amount of memory, in bytes.
 *
 * Kubernetes writes `4Gi`/`1408Mi`; Spark writes `4g`/`1408m` for the same binary units. Mixing
 * them up (`4G` is 4·10⁹ bytes to Kubernetes, `4g` is 4·2³⁰ to Spark) is a classic source of pods
 * that do not fit; this class converts in one place.
 */
export class Memory {
  /** Whole mebibytes (2²⁰ bytes): Spark's `m`, Kubernetes' `Mi`. */
  public static mebibytes(n: number): Memory {
    return Memory.bytes(n * MIB);
  }

  /** Gibibytes (2³⁰ bytes): Spark's `g`, Kubernetes' `Gi`. */
  public static gibibytes(n: number): Memory {
    return Memory.bytes(n * 2 ** 30);
  }

  /** Bytes. */
  public static bytes(n: number): Memory {
    if (!Number.isFinite(n) || n < 0) {
      throw new SparkPlatformError('memory', `${show(n)} bytes is not a non-negative number`, 'use Memory.gibibytes(4) or Memory.mebibytes(512)');
    }
    return new Memory(Math.round(n));
  }

  /** Parses a Kubernetes memory quantity (`"4Gi"`, `"512Mi"`, `"1G"`); `field` names the input in errors. */
  public static parse(value: string | number, field = 'memory'): Memory {
    if (typeof value === 'string' && /^[0-9]+[mgtp]$/.test(value.trim())) {
      // "512m" or "4g" is Spark syntax: to Kubernetes "512m" means 0.512 bytes. Refuse instead of guessing.
      const spark = Memory.parseSpark(value, field);
      throw new SparkPlatformError(field, `${show(value)} is Spark memory syntax, not a Kubernetes quantity`, `write ${show(spark.toKubernetes())}`);
    }
    const bytes = parseQuantity(value, field, '"512Mi" or "4Gi"');
    if (Math.abs(bytes - Math.round(bytes)) > 1e-6) {
      throw new SparkPlatformError(field, `${show(value)} is not a whole number of bytes`, 'use binary units such as "512Mi" or "4Gi"');
    }
    return new Memory(Math.round(bytes));
  }

  /** Parses Spark's memory syntax (`"512m"`, `"4g"`, `"1024k"`; no suffix means bytes). */
  public static parseSpark(value: string, field = 'memory'): Memory {
    const m = SPARK_MEMORY.exec(value.trim());
    if (!m) {
      throw new SparkPlatformError(field, `${show(value)} is not a Spark memory size`, 'use Spark syntax such as "512m" or "4g"');
    }
    return new Memory(Number(m[1]) * SPARK_UNIT[(m[2] ?? '').toLowerCase()]);
  }

  /** Zero bytes. */
  public static readonly ZERO = new Memory(0);

  private constructor(
    /** The amount in bytes. */
    public readonly bytes: number,
  ) {}

  /** The amount in mebibytes, possibly fractional. */
  public get mebibytes(): number {
    return this.bytes / MIB;
  }

  /** Kubernetes quantity in the largest binary unit that is exact: `"4Gi"`, `"1408Mi"`, else bytes. */
  public toKubernetes(): string {
    for (const [suffix, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', MIB], ['Ki', 2 ** 10]] as const) {
      if (this.bytes !== 0 && this.bytes % size === 0) return `${this.bytes / size}${suffix}`;
    }
    return String(this.bytes);
  }

  /** Spark memory string in the largest exact unit: `"4g"`, `"1408m"`, `"1536k"`. */
  public toSpark(): string {
    for (const [suffix, size] of [['t', 2 ** 40], ['g', 2 ** 30], ['m', MIB], ['k', 2 ** 10]] as const) {
      if (this.bytes !== 0 && this.bytes % size === 0) return `${this.bytes / size}${suffix}`;
    }
    return String(this.bytes);
  }

  /** This plus `other`. */
  public plus(other: Memory): Memory {
    return new Memory(this.bytes + other.bytes);
  }

  /** This times a factor, rounded to whole bytes. */
  public times(factor: number): Memory {
    return new Memory(Math.round(this.bytes * factor));
  }

  /** The larger of this and `other`. */
  public max(other: Memory): Memory {
    return this.bytes >= other.bytes ? this : other;
  }

  /** Negative, zero or positive as this is less than, equal to or more than `other`. */
  public compare(other: Memory): number {
    return this.bytes - other.bytes;
  }

  /** The Kubernetes quantity. */
  public toString(): string {
    return this.toKubernetes();
  }
}
