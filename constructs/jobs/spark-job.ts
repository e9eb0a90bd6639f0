import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { sparkLineName } from '../validation/spark-conf-keys';
import { treeChanged } from '../tree-version';
import type { NetworkEndpoint } from '../network';
import { SparkEnvValue } from '../spark-env';
import { SparkImage } from '../spark-image';
import type { ISparkWorkload } from '../storage/s3a';
import { renderApacheMode } from './apache-mode';
import { renderOperatorMode } from './operator-mode';
import { PodTemplate, podTemplate } from './pod-templates';
import { ResolvedSparkJob } from './resolved-job';
import { checkUserConf, typedSparkConf } from './spark-conf';
import { SparkJobMode, SparkJobProps } from './spark-job-options';
import { renderSubmitMode } from './submit-mode';
import { renderUiIngress, uiServiceConf } from './ui';
import { checkTemplateJob, markTemplate, prepareTemplate } from './template-mode';
import { MAVEN_COORDINATES, checkObjectStoreUse, resolveSparkJob } from './validate-spark-job';

/**
 * A Spark application described once and run one of three ways:
 * - operator mode: a `SparkApplication` (a `ScheduledSparkApplication` with a schedule) for the
 *   Kubeflow Spark operator;
 * - submit mode: a `batch/v1` Job (a CronJob with a schedule) running `spark-submit
 *   --deploy-mode cluster` in the namespace, with its own account and no operator;
 * - Apache-operator mode: a `spark.apache.org/v1` SparkApplication for Apache Spark's own
 *   Kubernetes operator (no schedules).
 *
 * All read one resolved spec, one Spark conf and the same two pod templates, so the driver and
 * executor pods are the same either way (docs/jobs.md lists what each operator adds). Every rule that can be checked before run time is
 * checked in the constructor, and the message names the prop and the fix.
 */
export class SparkJob extends Construct implements ISparkWorkload {
  /** The application name. */
  public readonly name: string;
  /** The namespace it runs in. */
  public readonly namespace: string;
  /** How it runs. */
  public readonly mode: SparkJobMode;
  /** The spec with every default applied, as given (before later additions). */
  public readonly spec: ResolvedSparkJob;
  /** The SparkApplication, ScheduledSparkApplication, Job or CronJob. */
  public readonly resource: ApiObject;
  private readonly addedConf: Record<string, string> = {};
  private readonly addedPackages: string[] = [];
  private readonly addedEnv: Array<[string, SparkEnvValue]> = [];
  /** What effective() and sparkConf() computed since the last add*(). */
  private cached?: { effective?: ResolvedSparkJob; typed?: ReturnType<typeof typedSparkConf> };

  constructor(scope: Construct, id: string, props: SparkJobProps) {
    super(scope, id);
    checkProps('SparkJobProps', props, `SparkJob ${show(props?.name)}`);
    if (!props?.namespace?.name) {
      throw new SparkPlatformError('namespace', 'is not set', 'pass the tenant namespace (a SparkNamespace, or SparkNamespace.fromName("..."))', `SparkJob ${show(props?.name)}`);
    }
    // Template mode: built and checked with every parameter at its default.
    const template = prepareTemplate(props);
    this.spec = resolveSparkJob(template?.props ?? props);
    if (template) checkTemplateJob(this.spec, `SparkJob ${show(props.name)}`);
    this.name = this.spec.name;
    this.namespace = this.spec.namespace.name;
    this.mode = this.spec.mode;
    this.resource = this.mode === SparkJobMode.OPERATOR
      ? renderOperatorMode(this, this.spec, () => ({ job: this.effective(), templates: this.templates(), sparkConf: this.operatorConf() }))
      : this.mode === SparkJobMode.APACHE_OPERATOR
        ? renderApacheMode(this, this.spec, () => ({ job: this.effective(), templates: this.templates(), conf: this.sparkConf() }))
        : renderSubmitMode(this, this.spec, () => ({ job: this.effective(), templates: this.templates(), conf: this.sparkConf() }));
    if (template) markTemplate(this.resource, template.marker);
    // Pod features: the UI's own Service, Ingress and NetworkPolicy (ui.ts);
    // a templatePatch is applied and checked now, so a bad one fails at construction (pod-templates.ts).
    renderUiIngress(this, this.spec);
    if (this.spec.driver.templatePatch.length > 0 || this.spec.executor.templatePatch.length > 0) this.templates();
    // Wiring may be added after construction (storage.connect(job)), so these run at synth.
    this.node.addValidation({ validate: () => checkObjectStoreUse(this.effective(), this.sparkConf()) });
  }

  /** Name for messages (ISparkWorkload). */
  public get workloadName(): string {
    return `SparkJob ${show(this.name)}`;
  }

  /**
   * Lets the driver and executors reach a connected object store (ISparkWorkload): the tenant
   * namespace adds the NetworkPolicy, when it restricts egress.
   */
  public allowObjectStoreEgress(endpoint: NetworkEndpoint | undefined, source: string): void {
    this.spec.namespace.allowObjectStoreEgress?.(endpoint, source);
  }

  /** The driver's image (ISparkWorkload): its Spark line selects the s3a jars. */
  public get sparkImage(): SparkImage {
    return this.spec.driver.image;
  }

  /** The executors' image (ISparkWorkload). */
  public get executorImage(): SparkImage {
    return this.spec.executor.image;
  }

  /**
   * Adds Spark conf after construction (e.g. object-store wiring). The same rules as `sparkConf`
   * apply (a `spark.*` key the image's Spark line does not have is refused unless
   * allowedSparkConfKeys lists it), and a key already set to another value is an error, not an override.
   */
  public addSparkConf(conf: Readonly<Record<string, string>>, source = 'addSparkConf'): void {
    const where = this.workloadName;
    checkUserConf(conf, {}, where, source, { line: sparkLineName(this.spec.driver.image.sparkVersion), allowed: this.spec.allowedSparkConfKeys });
    for (const [key, value] of Object.entries(conf)) {
      const existing = this.spec.sparkConf[key] ?? this.addedConf[key];
      if (existing !== undefined && existing !== value) {
        throw new SparkPlatformError(`${source}[${show(key)}]`, `${show(value)} contradicts ${show(existing)}, set before`, 'set each key once', where);
      }
      this.addedConf[key] = value;
      this.cached = undefined;
      treeChanged();
    }
  }

  /** Adds Maven packages (`deps.packages`); one already there is kept once. */
  public addPackages(packages: readonly string[], source = 'addPackages'): void {
    const have = new Set([...this.spec.deps.packages, ...this.addedPackages]);
    packages.forEach((p, i) => {
      if (!MAVEN_COORDINATES.test(p)) {
        throw new SparkPlatformError(`${source}[${i}]`, `${show(p)} is not Maven coordinates`, 'write group:artifact:version', this.workloadName);
      }
      if (!have.has(p)) {
        this.addedPackages.push(p);
        this.cached = undefined;
      treeChanged();
      }
      have.add(p);
    });
  }

  /** Adds environment variables to the driver and the executors; a name already set is an error. */
  public addEnv(env: Readonly<Record<string, SparkEnvValue>>, source = 'addEnv'): void {
    const taken = new Set([...this.spec.driver.env, ...this.spec.executor.env, ...this.addedEnv].map(([n]) => n));
    for (const [name, value] of Object.entries(env)) {
      if (taken.has(name)) {
        throw new SparkPlatformError(`${source}.env[${show(name)}]`, 'is already set on the job', 'set each variable once (e.g. drop it from the job\'s env when the object store provides it)', this.workloadName);
      }
      taken.add(name);
      this.addedEnv.push([name, value]);
      this.cached = undefined;
      treeChanged();
    }
  }

  /** The spec with everything added after construction (computed once per change: renderers ask often). */
  public effective(): ResolvedSparkJob {
    this.cached ??= {};
    return this.cached.effective ??= this.computeEffective();
  }

  private computeEffective(): ResolvedSparkJob {
    const s = this.spec;
    return {
      ...s,
      sparkConf: { ...s.sparkConf, ...this.addedConf },
      deps: { ...s.deps, packages: [...s.deps.packages, ...this.addedPackages] },
      driver: { ...s.driver, env: [...s.driver.env, ...this.addedEnv] },
      executor: { ...s.executor, env: [...s.executor.env, ...this.addedEnv] },
    };
  }

  /** The driver and executor pod templates. */
  public templates(): { driver: PodTemplate; executor: PodTemplate } {
    const job = this.effective();
    const conf = this.sparkConf();
    return { driver: podTemplate(job, job.driver, conf), executor: podTemplate(job, job.executor, conf) };
  }

  /** The complete Spark conf of the application except what the mode itself sets (master, names, template files). */
  public sparkConf(): Record<string, string> {
    return { ...this.typed().fromFields, ...this.operatorConf(), ...this.hadoopConf(), ...this.nativeBatchConf(), ...this.uiConf() };
  }

  /**
   * Submit and Apache-operator modes: the UI Service annotations and labels go on Spark's driver
   * Service (which carries the UI port); operator mode writes `sparkUIOptions` instead (ui.ts).
   */
  private uiConf(): Record<string, string> {
    return this.mode === SparkJobMode.OPERATOR ? {} : uiServiceConf(this.spec.ui);
  }

  /**
   * Spark's own batch-scheduler settings, in the modes where Spark talks to the scheduler itself
   * (submit, Apache operator): the scheduler's name and, for YuniKorn, the queue label and the
   * application id it groups the pods by. Operator mode sets `spec.batchScheduler` instead.
   * @see https://spark.apache.org/docs/latest/running-on-kubernetes.html#using-apache-yunikorn-as-customized-scheduler-for-spark-on-kubernetes
   */
  private nativeBatchConf(): Record<string, string> {
    const b = this.spec.batchScheduler;
    if (!b || this.mode === SparkJobMode.OPERATOR) return {};
    const conf: Record<string, string> = { 'spark.kubernetes.scheduler.name': b.name };
    if (b.name === 'yunikorn') {
      for (const role of ['driver', 'executor']) {
        conf[`spark.kubernetes.${role}.annotation.yunikorn.apache.org/app-id`] = '{{APP_ID}}';
        if (b.queue) conf[`spark.kubernetes.${role}.label.queue`] = b.queue;
      }
    }
    return conf;
  }

  /** What operator mode puts in `sparkConf` (typed fields and Hadoop conf have their own spec fields). */
  private operatorConf(): Record<string, string> {
    return { ...this.typed().extra, ...this.effective().sparkConf };
  }

  private typed(): ReturnType<typeof typedSparkConf> {
    this.cached ??= {};
    return this.cached.typed ??= typedSparkConf(this.effective());
  }

  private hadoopConf(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.spec.hadoopConf).map(([k, v]) => [`spark.hadoop.${k}`, v]));
  }
}
