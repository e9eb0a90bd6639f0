import { k8s } from 'cdk8s-plus-28';

/** An environment variable value for Spark containers (driver, executors, notebooks, servers). */
export class SparkEnvValue {
  /** A literal value. Never put credentials here: use `fromSecret`. */
  public static fromValue(value: string): SparkEnvValue {
    return new SparkEnvValue({ value });
  }

  /** A key of a Secret in the job's namespace. */
  public static fromSecret(secretName: string, key: string, options: { optional?: boolean } = {}): SparkEnvValue {
    return new SparkEnvValue({ valueFrom: { secretKeyRef: { name: secretName, key, optional: options.optional } } });
  }

  /** A key of a ConfigMap in the job's namespace. */
  public static fromConfigMap(configMapName: string, key: string, options: { optional?: boolean } = {}): SparkEnvValue {
    return new SparkEnvValue({ valueFrom: { configMapKeyRef: { name: configMapName, key, optional: options.optional } } });
  }

  /** A field of the pod (downward API), e.g. `status.podIP`. */
  public static fromField(fieldPath: string): SparkEnvValue {
    return new SparkEnvValue({ valueFrom: { fieldRef: { fieldPath } } });
  }

  private constructor(private readonly source: Omit<k8s.EnvVar, 'name'>) {}

  /** The Kubernetes EnvVar (plain JSON). */
  public toEnvVar(name: string): Record<string, unknown> {
    return JSON.parse(JSON.stringify({ name, ...this.source })) as Record<string, unknown>;
  }

  /** The Secret this value reads, if any. */
  public get secretName(): string | undefined {
    return this.source.valueFrom?.secretKeyRef?.name;
  }
}
