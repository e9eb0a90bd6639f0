/**
 * Value formats of configuration written as data (environment files, YAML): string and number
 * types whose rules the JSON Schema carries as `format` / `minimum`, checked at run time by the
 * props checker (constructs/validation/props.ts) with the same messages as the constructs' own.
 * In TypeScript they are plain `string` / `number`, so they cost a caller nothing.
 */
import { SparkPlatformError } from '../errors';
import { NameRule, nameProblem } from '../names';
import { Cpu, Memory } from '../units';

/**
 * A DNS-1123 label (namespace and most object names): lower-case letters, digits and "-", at most 63.
 * @format dns-label
 */
export type DnsLabel = string;

/**
 * A DNS-1123 subdomain (Secret, StorageClass and other object names): lower-case letters, digits, "-" and ".".
 * @format dns-subdomain
 */
export type DnsSubdomain = string;

/**
 * A Kubernetes CPU quantity, e.g. "500m" or "2".
 * @format cpu-quantity
 */
export type CpuQuantity = string;

/**
 * A Kubernetes memory quantity, e.g. "512Mi" or "4Gi".
 * @format memory-quantity
 */
export type MemoryQuantity = string;

/**
 * A TCP or UDP port.
 * @asType integer
 * @minimum 1
 * @maximum 65535
 */
export type PortNumber = number;

/**
 * A whole number, 0 or more.
 * @asType integer
 * @minimum 0
 */
export type Count = number;

/**
 * A whole number, 1 or more.
 * @asType integer
 * @minimum 1
 */
export type PositiveCount = number;

/** What is wrong with a value of a format, and the fix. */
export interface FormatProblem {
  readonly problem: string;
  readonly fix: string;
}

/** A format's rule: the problem with a value, undefined when it is fine. */
export type FormatRule = (value: string) => FormatProblem | undefined;

function nameRule(rule: NameRule, fix: string): FormatRule {
  return (value) => {
    const problem = nameProblem(value, rule);
    return problem ? { problem, fix } : undefined;
  };
}

function parseRule(parse: (v: string) => unknown): FormatRule {
  return (value) => {
    try {
      parse(value);
      return undefined;
    } catch (e) {
      if (e instanceof SparkPlatformError) return { problem: e.problem, fix: e.fix };
      throw e;
    }
  };
}

/** Every format the generated schemas use, by name. */
export const FORMATS: Readonly<Record<string, FormatRule>> = {
  'dns-label': nameRule(NameRule.DNS1123_LABEL, 'use lower-case letters, digits and "-", at most 63 characters'),
  'dns-subdomain': nameRule(NameRule.DNS1123_SUBDOMAIN, 'use lower-case letters, digits, "-" and "."'),
  'cpu-quantity': parseRule((v) => Cpu.parse(v)),
  'memory-quantity': parseRule((v) => Memory.parse(v)),
};
