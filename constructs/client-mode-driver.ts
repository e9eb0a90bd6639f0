/**
 * The contract between client-mode drivers (constructs/notebook) and the doctor, which reads them:
 * both depend on this module, so the constructs never import the doctor.
 */
import type { SparkImage } from './spark-image';

/**
 * Marks a construct as an {@link IClientModeDriver}. A registered symbol (`Symbol.for`), so two
 * copies of the library in one program still recognise each other's drivers.
 */
export const CLIENT_MODE_DRIVER: unique symbol = Symbol.for('spark-platform.client-mode-driver');

/**
 * A Spark driver that runs in its own pod in client mode (a notebook, a Spark Connect server) and
 * starts executors in a namespace. The doctor checks what only breaks at run time: executors
 * that cannot reach the driver (address, fixed ports, NetworkPolicies), a driver account without
 * the verbs Spark needs, and driver/executor images with different Spark, Scala or Python.
 *
 * Implement it on the construct (the doctor finds it in the tree):
 * ```ts
 * class SparkNotebook extends Construct implements IClientModeDriver {
 *   public readonly [CLIENT_MODE_DRIVER] = true as const;
 *   ...
 * }
 * ```
 */
export interface IClientModeDriver {
  /** The marker: `true`. */
  readonly [CLIENT_MODE_DRIVER]: true;
  /** Name for messages, e.g. `SparkNotebook "alice"`. */
  readonly workloadName: string;
  /** The namespace executors are created in (`spark.kubernetes.namespace`). */
  readonly namespace: string;
  /** The image the driver (the notebook kernel) runs in. */
  readonly driverImage: SparkImage;
  /** The executors' image (`spark.kubernetes.executor.container.image`). */
  readonly executorImage: SparkImage;
  /** The ServiceAccount of the driver pod: it creates and watches the executors. */
  readonly serviceAccountName: string;
  /** Labels of the driver pod (NetworkPolicies select it by them). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Labels of the executor pods besides `spark-role: executor` (`spark.kubernetes.executor.label.*`). */
  readonly executorPodLabels: Readonly<Record<string, string>>;
  /** The driver's Spark conf: `spark.driver.host`, the fixed ports, executor sizes, s3a, ... */
  sparkConf(): Readonly<Record<string, string>>;
}

/** Whether `x` declares itself a client-mode driver (see {@link IClientModeDriver}). */
export function isClientModeDriver(x: unknown): x is IClientModeDriver {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[CLIENT_MODE_DRIVER] === true;
}
