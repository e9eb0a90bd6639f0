import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { renderOperatorMode } from './operator-mode';
import { PodTemplate, podTemplate } from './pod-templates';
import { ResolvedSparkJob } from './resolved-job';
import { checkUserConf, typedSparkConf } from './spark-conf';
import { SparkJobMode, SparkJobProps } from './spark-job-options';
import { renderSubmitMode } from './submit-mode';
import { resolveSparkJob } from './validate-spark-job';

/**
 * A Spark application described once and run one of two ways:
 * - operator mode: a `SparkApplication` (a `ScheduledSparkApplication` with a schedule);
 * - submit mode: a `batch/v1` Job (a CronJob with a schedule) running `spark-submit
 *   --deploy-mode cluster` in the namespace, with its own account and no operator.
 *
 * Both read one resolved spec, one Spark conf and the same two pod templates, so the driver and
 * executor pods are the same either way. Every rule that can be checked before run time is
 * checked in the constructor, and the message names the prop and the fix.
 */
export class SparkJob extends Construct {
  /** The application name. */
  public readonly name: string;
  /** The namespace it runs in. */
  public readonly namespace: string;
  /** How it runs. */
  public readonly mode: SparkJobMode;
  /** The spec with every default applied. */
  public readonly spec: ResolvedSparkJob;
  /** The SparkApplication, ScheduledSparkApplication, Job or CronJob. */
  public readonly resource: ApiObject;
  private readonly addedConf: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: SparkJobProps) {
    super(scope, id);
    if (!props?.namespace?.name) {
      throw new SparkPlatformError('namespace', 'is not set', 'pass the tenant namespace (a SparkNamespace, or SparkNamespace.fromName("..."))', `SparkJob ${show(props?.name)}`);
    }
    this.spec = resolveSparkJob(props);
    this.name = this.spec.name;
    this.namespace = this.spec.namespace.name;
    this.mode = this.spec.mode;
    this.resource = this.mode === SparkJobMode.OPERATOR
      ? renderOperatorMode(this, this.spec, () => ({ job: this.spec, templates: this.templates(), sparkConf: this.operatorConf() }))
      : renderSubmitMode(this, this.spec, () => ({ job: this.spec, templates: this.templates(), conf: this.submitConf() }));
  }

  /**
   * Adds Spark conf after construction (e.g. object-store wiring). The same rules as `sparkConf`
   * apply, and a key already set to another value is an error, not an override.
   */
  public addSparkConf(conf: Readonly<Record<string, string>>, source = 'addSparkConf'): void {
    const where = `SparkJob ${show(this.name)}`;
    checkUserConf(conf, {}, where, source);
    for (const [key, value] of Object.entries(conf)) {
      const existing = this.spec.sparkConf[key] ?? this.addedConf[key];
      if (existing !== undefined && existing !== value) {
        throw new SparkPlatformError(`${source}[${show(key)}]`, `${show(value)} contradicts ${show(existing)}, set before`, 'set each key once', where);
      }
      this.addedConf[key] = value;
    }
  }

  /** The driver and executor pod templates. */
  public templates(): { driver: PodTemplate; executor: PodTemplate } {
    return { driver: podTemplate(this.spec, this.spec.driver), executor: podTemplate(this.spec, this.spec.executor) };
  }

  /** The complete Spark conf of the application except what the mode itself sets (master, names, template files). */
  public sparkConf(): Record<string, string> {
    const typed = typedSparkConf(this.spec);
    return { ...typed.fromFields, ...this.operatorConf(), ...this.hadoopConf() };
  }

  private operatorConf(): Record<string, string> {
    return { ...typedSparkConf(this.spec).extra, ...this.spec.sparkConf, ...this.addedConf };
  }

  private submitConf(): Record<string, string> {
    return this.sparkConf();
  }

  private hadoopConf(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.spec.hadoopConf).map(([k, v]) => [`spark.hadoop.${k}`, v]));
  }
}
