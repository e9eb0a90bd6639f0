import {
  ApacheSparkOperator, Cpu, Memory, SparkJob, SparkJobMode, SparkJobProps, SparkNamespace, SparkOperator, SparkOperatorCrds, SparkOperatorProps,
} from '../../constructs';
import { Obj, expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';
import { RbacEvaluator } from '../helpers/rbac';
import { SPARK_PI_JOB } from '../helpers/jobs';

/**
 * Batch scheduling (issue 18): the operator started with it (flags and PodGroup rights, compared
 * with the chart in chart-conformance.test.ts), SparkJob's batchScheduler in each mode, and the
 * combination the controller would silently ignore refused.
 */

const SPARK_PI = SPARK_PI_JOB;

function build(job: Partial<SparkJobProps>, operator: Partial<SparkOperatorProps> = {}): Obj[] {
  const chart = testChart();
  new SparkOperatorCrds(chart, 'Crds');
  const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
  new SparkNamespace(chart, 'Other', { name: 'elsewhere' });
  const op = new SparkOperator(chart, 'Operator', { jobNamespaces: [tenant], ...operator });
  new SparkJob(chart, 'Job', { namespace: tenant, operator: op, ...SPARK_PI, ...job });
  return synth(chart);
}

const controller = { kind: 'ServiceAccount' as const, namespace: 'spark-operator', name: 'spark-operator-controller' };

describe('the operator with batch scheduling', () => {
  test('flags as the chart passes them; PodGroup rights in the job namespaces only', () => {
    const objects = build({}, { batchScheduler: { default: 'volcano', kubeSchedulerNames: ['gang-scheduler'] } });
    const args: string[] = findObject(objects, 'Deployment', 'spark-operator-controller').spec.template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['--enable-batch-scheduler=true', '--kube-scheduler-names=gang-scheduler', '--default-batch-scheduler=volcano']));
    const rbac = new RbacEvaluator(objects);
    expect(rbac.can(controller, { verb: 'create', group: 'scheduling.volcano.sh', resource: 'podgroups', namespace: 'spark-jobs' })).toBe(true);
    expect(rbac.can(controller, { verb: 'create', group: 'scheduling.volcano.sh', resource: 'podgroups', namespace: 'elsewhere' })).toBe(false);
    // without it: no flag, no PodGroup rights
    const plain = build({});
    expect(findObject(plain, 'Deployment', 'spark-operator-controller').spec.template.spec.containers[0].args.filter((a: string) => a.includes('batch'))).toEqual([]);
    expect(new RbacEvaluator(plain).can(controller, { verb: 'create', group: 'scheduling.volcano.sh', resource: 'podgroups', namespace: 'spark-jobs' })).toBe(false);
  });

  test('a default the controller does not know is refused (it would not start)', () => {
    expect(() => build({}, { batchScheduler: { default: 'kueue' as 'volcano' } })).toThrow(/SparkOperator batchScheduler\.default: "kueue" is not one of "volcano", "yunikorn"/);
  });
});

describe('SparkJob.batchScheduler', () => {
  test('operator mode: spec.batchScheduler and its options (queue, priority, gang minimum); valid against the CRD', () => {
    const objects = build({ batchScheduler: { name: 'volcano', queue: 'spark', priorityClassName: 'batch-high', minResources: { cpu: Cpu.cores(4), memory: Memory.gibibytes(16) } } }, { batchScheduler: {} });
    expectValidManifests(objects);
    const app = findObject(objects, 'SparkApplication', 'spark-pi', 'spark-jobs');
    expect(app.spec.batchScheduler).toBe('volcano');
    expect(app.spec.batchSchedulerOptions).toEqual({ queue: 'spark', priorityClassName: 'batch-high', resources: { cpu: '4', memory: '16Gi' } });
    expect(Object.keys(app.spec.sparkConf ?? {}).filter((k) => k.startsWith('spark.kubernetes.scheduler'))).toEqual([]);
  });

  test('the pods name the scheduler themselves (the controller only annotates them for Volcano; its webhook would set it), in every mode', () => {
    const operatorMode = findObject(build({ batchScheduler: { name: 'volcano' } }, { batchScheduler: {} }), 'SparkApplication', 'spark-pi', 'spark-jobs');
    expect([operatorMode.spec.driver.template.spec.schedulerName, operatorMode.spec.executor.template.spec.schedulerName]).toEqual(['volcano', 'volcano']);
    const submit = build({ mode: SparkJobMode.SUBMIT, batchScheduler: { name: 'yunikorn' } });
    const templates = findObject(submit, 'ConfigMap', 'spark-pi-spark-submit', 'spark-jobs').data as Record<string, string>;
    expect(Object.keys(templates).filter((k) => /^  schedulerName: yunikorn$/m.test(templates[k]))).toEqual(['driver-template.yaml', 'executor-template.yaml']);
    // without a batch scheduler: the cluster's default scheduler, no schedulerName
    expect(findObject(build({}), 'SparkApplication', 'spark-pi', 'spark-jobs').spec.driver.template.spec.schedulerName).toBeUndefined();
  });

  test('operator mode: the gang minimum counts extended resources (GPUs); bad names and counts are refused', () => {
    const gpus = build({ batchScheduler: { name: 'volcano', minResources: { cpu: Cpu.cores(8), extended: { 'nvidia.com/gpu': 4 } } } }, { batchScheduler: {} });
    expectValidManifests(gpus);
    expect(findObject(gpus, 'SparkApplication', 'spark-pi', 'spark-jobs').spec.batchSchedulerOptions.resources).toEqual({ cpu: '8', 'nvidia.com/gpu': '4' });
    const volcano = (extended: Record<string, number>) => () => build({ batchScheduler: { name: 'volcano', minResources: { extended } } }, { batchScheduler: {} });
    expect(volcano({ gpu: 1 })).toThrow(/batchScheduler\.minResources\.extended\["gpu"\]: is not an extended resource name\. Fix: write <vendor domain>\/<resource>/);
    expect(volcano({ 'kubernetes.io/gpu': 1 })).toThrow(/extended\["kubernetes\.io\/gpu"\]: is not an extended resource name/);
    expect(volcano({ 'nvidia.com/gpu': 0 })).toThrow(/extended\["nvidia\.com\/gpu"\]: 0 is not a whole number >= 1/);
    expect(volcano({ 'nvidia.com/gpu': 1.5 })).toThrow(/1\.5 is not a whole number >= 1/);
  });

  test('operator mode: an operator without batch scheduling would ignore it: refused, naming the fix', () => {
    expect(() => build({ batchScheduler: { name: 'volcano' } })).toThrow(/batchScheduler: is set, but the operator is not started with --enable-batch-scheduler, so its controller ignores spec\.batchScheduler.*Fix: set batchScheduler on the SparkOperator/);
    expect(() => build({ batchScheduler: { name: 'my-scheduler' } }, { batchScheduler: {} })).toThrow(/batchScheduler\.name: "my-scheduler" is not a scheduler the operator hands applications to \(volcano, yunikorn\)/);
    expect(findObject(build({ batchScheduler: { name: 'my-scheduler' } }, { batchScheduler: { kubeSchedulerNames: ['my-scheduler'] } }), 'SparkApplication', 'spark-pi').spec.batchScheduler).toBe('my-scheduler');
  });

  test('submit mode: Spark\'s own YuniKorn settings (scheduler name, queue label, app-id annotation)', () => {
    const objects = build({ mode: SparkJobMode.SUBMIT, batchScheduler: { name: 'yunikorn', queue: 'root.spark' } });
    const args: string[] = findObject(objects, 'Job', 'spark-pi', 'spark-jobs').spec.template.spec.containers[0].args;
    for (const conf of [
      'spark.kubernetes.scheduler.name=yunikorn',
      'spark.kubernetes.driver.label.queue=root.spark',
      'spark.kubernetes.executor.label.queue=root.spark',
      'spark.kubernetes.driver.annotation.yunikorn.apache.org/app-id={{APP_ID}}',
      'spark.kubernetes.executor.annotation.yunikorn.apache.org/app-id={{APP_ID}}',
    ]) expect(args).toContain(conf);
  });

  test('Apache-operator mode: the same settings in sparkConf', () => {
    const chart = testChart();
    const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    const op = new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [tenant] });
    new SparkJob(chart, 'Job', { namespace: tenant, operator: op, ...SPARK_PI, batchScheduler: { name: 'yunikorn', queue: 'root.spark' } });
    const app = findObject(synth(chart), 'SparkApplication', 'spark-pi', 'spark-jobs');
    expect(app.spec.sparkConf).toMatchObject({ 'spark.kubernetes.scheduler.name': 'yunikorn', 'spark.kubernetes.driver.label.queue': 'root.spark' });
  });

  test('outside operator mode, what Spark cannot pass is refused with the alternative', () => {
    expect(() => build({ mode: SparkJobMode.SUBMIT, batchScheduler: { name: 'volcano' } })).toThrow(/batchScheduler\.name: "volcano" in submit mode needs Spark's VolcanoFeatureStep.*Fix: use operator mode/);
    expect(() => build({ mode: SparkJobMode.SUBMIT, batchScheduler: { name: 'yunikorn', minResources: { cpu: Cpu.cores(2) } } })).toThrow(/batchScheduler\.minResources: is an operator-mode pod-group option/);
    expect(() => build({ mode: SparkJobMode.SUBMIT, batchScheduler: { name: 'my-scheduler', queue: 'q' } })).toThrow(/batchScheduler\.queue: is set for "my-scheduler", which takes no queue from Spark/);
    expect(() => build({ mode: SparkJobMode.SUBMIT, batchScheduler: { name: 'Bad_Name' } })).toThrow(/batchScheduler\.name: /);
  });
});
