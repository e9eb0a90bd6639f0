import {
  ApacheSparkOperator, ApacheSparkOperatorCrds, Memory, RestartPolicy, SparkJob, SparkJobMode, SparkJobProps, SparkJobType, SparkNamespace,
  SparkOperator,
} from '../../constructs';
import { Obj, expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';
import { SPARK_PI_JOB } from '../helpers/jobs';

/**
 * SparkJob's third mode (issue 19): the same props render a `spark.apache.org/v1` SparkApplication
 * for Apache Spark's Kubernetes operator. The pods' equality with the other modes is in
 * same-pods.test.ts; here: the spec fields, the operator pairing, and what the mode refuses.
 */

const SPARK_PI: Omit<SparkJobProps, 'namespace'> = { ...SPARK_PI_JOB, arguments: ['1000'] };

function build(props: Omit<SparkJobProps, 'namespace'>, operatorProps: { defaultTimeToLiveSeconds?: number; watched?: boolean } = {}): { objects: Obj[]; job: SparkJob } {
  const chart = testChart();
  new ApacheSparkOperatorCrds(chart, 'Crds');
  const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
  const other = new SparkNamespace(chart, 'Other', { name: 'elsewhere' });
  const operator = new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [operatorProps.watched === false ? other : tenant], defaultTimeToLiveSeconds: operatorProps.defaultTimeToLiveSeconds });
  const job = new SparkJob(chart, 'Job', { namespace: tenant, operator, ...props });
  return { objects: synth(chart), job };
}

const appOf = (objects: readonly Obj[], name = 'spark-pi') => findObject(objects, 'SparkApplication', name, 'spark-jobs');

describe('SparkJob on the Apache Spark Kubernetes Operator', () => {
  test('an ApacheSparkOperator makes it the default mode; the object validates against the CRD; snapshot', () => {
    const { objects, job } = build(SPARK_PI);
    expect(job.mode).toBe(SparkJobMode.APACHE_OPERATOR);
    expectValidManifests(objects);
    const app = appOf(objects);
    expect(app.apiVersion).toBe('spark.apache.org/v1');
    expect(app.spec).toMatchObject({
      mainClass: 'org.apache.spark.examples.SparkPi',
      jars: 'local:///opt/spark/examples/jars/spark-examples.jar',
      driverArgs: ['1000'],
      deploymentMode: 'ClusterMode',
      runtimeVersions: { sparkVersion: '4.0.3', scalaVersion: '2.13' },
    });
    expect(app.spec.sparkConf['spark.app.name']).toBe('spark-pi');
    expect(app.spec.sparkConf['spark.kubernetes.container.image']).toMatch(/^docker\.io\/apache\/spark:4\.0\.3/);
    expect(app.spec.driverSpec.podTemplateSpec.spec.securityContext.runAsNonRoot).toBe(true);
    expect(app).toMatchSnapshot();
  });

  test.each([
    ['Python', { type: SparkJobType.PYTHON, mainClass: undefined, mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py' }, { mainClass: 'org.apache.spark.deploy.PythonRunner', pyFiles: 'local:///opt/spark/examples/src/main/python/pi.py' }],
    ['R', { type: SparkJobType.R, mainClass: undefined, mainApplicationFile: 'local:///opt/spark/examples/src/main/r/dataframe.R', image: undefined }, { mainClass: 'org.apache.spark.deploy.RRunner', sparkRFiles: 'local:///opt/spark/examples/src/main/r/dataframe.R' }],
  ])('%s: the main file where the operator looks for it, with spark-submit\'s runner class', (_lang, props, expected) => {
    const app = appOf(build({ ...SPARK_PI, ...props }).objects);
    expect(app.spec).toMatchObject(expected);
    expect(app.spec.jars).toBeUndefined();
  });

  test('retries and clean-up: restartConfig from the RestartPolicy, the driver kept and released with the application after the time to live', () => {
    const tolerations = (props: Partial<SparkJobProps>, op = {}) => appOf(build({ ...SPARK_PI, ...props }, op).objects).spec.applicationTolerations;
    expect(tolerations({})).toEqual({
      restartConfig: { restartPolicy: 'Never' },
      instanceConfig: { initExecutors: 2, minExecutors: 2, maxExecutors: 2 },
      resourceRetainPolicy: 'Always',
      ttlAfterStopMillis: 86_400_000,
    });
    expect(tolerations({ restartPolicy: RestartPolicy.onFailure({ retries: 3, retryIntervalSeconds: 10 }) }).restartConfig).toEqual({ restartPolicy: 'OnFailure', maxRestartAttempts: 3, restartBackoffMillis: 10_000 });
    expect(tolerations({ restartPolicy: RestartPolicy.always() }).restartConfig).toEqual({ restartPolicy: 'Always', maxRestartAttempts: 2_147_483_647, restartBackoffMillis: 30_000 });
    expect(tolerations({ timeToLiveSeconds: 600 }).ttlAfterStopMillis).toBe(600_000);
    expect(tolerations({}, { defaultTimeToLiveSeconds: 3600 }).ttlAfterStopMillis).toBe(3_600_000);
    expect(tolerations({ dynamicAllocation: { minExecutors: 1, initialExecutors: 2, maxExecutors: 8 } }).instanceConfig).toEqual({ initExecutors: 2, minExecutors: 1, maxExecutors: 8 });
  });

  test('conf added after construction (storage wiring) reaches sparkConf', () => {
    const chart = testChart();
    const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    const operator = new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [tenant] });
    const job = new SparkJob(chart, 'Job', { namespace: tenant, operator, ...SPARK_PI, executor: { memory: Memory.gibibytes(2) } });
    job.addSparkConf({ 'spark.eventLog.enabled': 'true' });
    const app = appOf(synth(chart));
    expect(app.spec.sparkConf).toMatchObject({ 'spark.eventLog.enabled': 'true', 'spark.executor.memory': '2g' });
  });

  test('the mode and the operator must match; the namespace must be watched; each error names the fix', () => {
    expect(() => build({ ...SPARK_PI, mode: SparkJobMode.OPERATOR })).toThrow(/SparkJob "spark-pi" mode: operator mode needs a SparkOperator \(the Kubeflow operator\), but the operator given runs apache-operator mode\. Fix: pass a SparkOperator/);
    expect(() => build(SPARK_PI, { watched: false })).toThrow(/namespace: "spark-jobs" is not watched by the operator.*Fix: add the namespace to the operator's jobNamespaces/);
    const chart = testChart();
    const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    const kubeflow = new SparkOperator(chart, 'Kubeflow', { jobNamespaces: [tenant] });
    expect(() => new SparkJob(chart, 'Job', { namespace: tenant, operator: kubeflow, mode: SparkJobMode.APACHE_OPERATOR, ...SPARK_PI }))
      .toThrow(/mode: apache-operator mode needs an ApacheSparkOperator, but the operator given runs operator mode\. Fix: pass an ApacheSparkOperator as operator, or use mode SparkJobMode\.OPERATOR/);
    // submit mode needs no operator, and one given does not matter
    expect(build({ ...SPARK_PI, mode: SparkJobMode.SUBMIT }).job.mode).toBe(SparkJobMode.SUBMIT);
  });
});
