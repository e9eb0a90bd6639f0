import { SparkPlatformError, show } from './errors';

/**
 * Label keys the platform reads and writes, in one place.
 */

/** Spark labels every pod it creates with this key: `driver` or `executor`. */
export const SPARK_ROLE_LABEL = 'spark-role';

/** The `spark-role` values Spark sets. */
export enum SparkRole {
  /** The driver pod (cluster mode), or a client-mode driver such as a notebook. */
  DRIVER = 'driver',
  /** Executor pods. */
  EXECUTOR = 'executor',
}

/** The label prefix of this project's own labels. */
export const PLATFORM_LABEL_PREFIX = 'spark-platform.io';

/** Marks objects that belong to a tenant: the value is the tenant namespace. */
export const TENANT_LABEL = `${PLATFORM_LABEL_PREFIX}/tenant`;

/** Marks a SparkJob's objects and pods: the value is the job name. */
export const JOB_LABEL = `${PLATFORM_LABEL_PREFIX}/job`;

/** Labels of every spark-submit pod (submit-mode jobs): tenant egress policies select them. */
export const SPARK_SUBMIT_POD_LABELS: Readonly<Record<string, string>> = { [`${PLATFORM_LABEL_PREFIX}/role`]: 'spark-submit' };

/** Labels on every object the platform emits. */
export const COMMON_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/managed-by': 'spark-platform',
  'app.kubernetes.io/part-of': 'spark-platform',
};

/** COMMON_LABELS plus `extra`; `extra` wins on a key clash. */
export function platformLabels(extra: Record<string, string> = {}): Record<string, string> {
  return { ...COMMON_LABELS, ...extra };
}

/**
 * Label and annotation keys users may not set: the platform's own, those Spark and the operator
 * put on pods (their selectors and the platform's policies depend on them), and Pod Security's.
 * Other `*.kubernetes.io` keys stay open (`app.kubernetes.io/name`, autoscaler and kubectl
 * annotations are the user's to set).
 */
const RESERVED_KEYS: readonly string[] = [...Object.keys(COMMON_LABELS), SPARK_ROLE_LABEL, 'spark-app-selector', 'spark-app-name', 'spark-exec-id', 'spark-exec-resourceprofile-id'];
const RESERVED_PREFIXES: readonly string[] = [`${PLATFORM_LABEL_PREFIX}/`, 'pod-security.kubernetes.io/', 'sparkoperator.k8s.io/'];

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PREFIX_PART = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label/annotation key (`[prefix/]name`), or undefined. */
export function metadataKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !PREFIX_PART.test(prefix))) return `${show(key)} has a prefix that is not a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) return `${show(key)} is not a valid key (a name of at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit, after an optional DNS prefix and /)`;
  return undefined;
}

/** Why the user may not set `key`, or undefined. */
export function reservedKeyProblem(key: string): string | undefined {
  if (RESERVED_KEYS.includes(key)) return `${show(key)} is set by the platform, Spark or the operator (their selectors and policies rely on it)`;
  const prefix = RESERVED_PREFIXES.find((p) => key.startsWith(p));
  if (prefix) return `${show(key)} is under ${show(prefix)}, which the platform, Pod Security or the operator own`;
  return undefined;
}

/**
 * Checks labels or annotations a user gives: valid keys, valid label values, and no key the
 * platform, Spark, the operator or Kubernetes own. Throws naming `field[key]`.
 */
export function assertUserMetadata(entries: Readonly<Record<string, string>> | undefined, kind: 'label' | 'annotation', field: string, where?: string): void {
  for (const [key, value] of Object.entries(entries ?? {})) {
    const at = `${field}[${show(key)}]`;
    const keyProblem = metadataKeyProblem(key);
    if (keyProblem) throw new SparkPlatformError(at, keyProblem, 'use a key such as "team" or "example.com/team"', where);
    const reserved = reservedKeyProblem(key);
    if (reserved) throw new SparkPlatformError(at, reserved, `choose a key of your own (e.g. "example.com/${key.slice(key.lastIndexOf('/') + 1)}")`, where);
    if (typeof value !== 'string') throw new SparkPlatformError(at, `${show(value)} is not a string`, `write the ${kind} value as a string`, where);
    if (kind === 'label' && (value.length > 63 || !/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value))) {
      throw new SparkPlatformError(at, `${show(value)} is not a valid label value`, 'use at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit', where);
    }
  }
}
