import { SparkPlatformError, show } from './errors';

/**
 * Kubernetes name rules, as the API server applies them.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The kinds of name Kubernetes validates. */
export enum NameRule {
  /** Namespaces, Services' ports names, most labels: lower-case alphanumerics and '-', at most 63. */
  DNS1123_LABEL = 'DNS-1123 label',
  /** Services and the Spark operator's application names: a DNS-1123 label that starts with a letter. */
  DNS1035_LABEL = 'DNS-1035 label',
  /** Most object names (ConfigMaps, ServiceAccounts, Roles): dot-separated labels, at most 253. */
  DNS1123_SUBDOMAIN = 'DNS-1123 subdomain',
}

const RULES: Record<NameRule, { pattern: RegExp; max: number; shape: string }> = {
  [NameRule.DNS1123_LABEL]: { pattern: DNS1123_LABEL, max: 63, shape: "lower-case letters, digits and '-', starting and ending with a letter or digit" },
  [NameRule.DNS1035_LABEL]: { pattern: DNS1035_LABEL, max: 63, shape: "lower-case letters, digits and '-', starting with a letter and ending with a letter or digit" },
  [NameRule.DNS1123_SUBDOMAIN]: { pattern: DNS1123_SUBDOMAIN, max: 253, shape: "lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit" },
};

/** Why `name` breaks `rule`, or undefined when it is a valid name. */
export function nameProblem(name: string, rule: NameRule): string | undefined {
  const { pattern, max, shape } = RULES[rule];
  if (name.length === 0) return `must not be empty (a ${rule})`;
  if (name.length > max) return `${show(name)} is ${name.length} characters; a ${rule} has at most ${max}`;
  if (!pattern.test(name)) return `${show(name)} is not a valid ${rule} (${shape})`;
  return undefined;
}

/** Throws a SparkPlatformError naming `field` when `name` breaks `rule`. */
export function assertName(name: string, rule: NameRule, field: string, where?: string): void {
  const problem = nameProblem(name, rule);
  if (problem) {
    throw new SparkPlatformError(field, problem, `use a name such as ${show(suggestName(name, RULES[rule].max))}`, where);
  }
}

/** A valid DNS-1123 label close to `name`, for error messages: lower-cased, invalid characters replaced by '-'. */
export function suggestName(name: string, max = 63): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s.length > 0 ? s : 'spark';
}
