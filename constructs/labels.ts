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
