import {
  ApacheSparkOperator, ApacheSparkOperatorCrds, SparkJob, SparkJobMode, SparkJobProps, SparkJobType, SparkNamespace, SparkOperator, SparkOperatorCrds,
} from '../../constructs';
import { Obj, synth, testChart } from './manifests';

/** The plain Scala SparkPi job the job tests start from (no namespace, no arguments). */
export const SPARK_PI_JOB: Omit<SparkJobProps, 'namespace'> = {
  name: 'spark-pi',
  type: SparkJobType.SCALA,
  mainClass: 'org.apache.spark.examples.SparkPi',
  mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
};

/**
 * Synthesizes `job` in a fresh chart with what its mode needs: the CRDs, a tenant `spark-jobs`,
 * and an operator of the mode's kind (a SparkOperator, or an ApacheSparkOperator) watching it.
 */
export function renderJobInMode(mode: SparkJobMode, job: Omit<SparkJobProps, 'namespace' | 'operator' | 'mode'>): Obj[] {
  const chart = testChart();
  if (mode === SparkJobMode.APACHE_OPERATOR) new ApacheSparkOperatorCrds(chart, 'Crds');
  else new SparkOperatorCrds(chart, 'Crds');
  const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
  const operator = mode === SparkJobMode.APACHE_OPERATOR
    ? new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [ns] })
    : new SparkOperator(chart, 'Operator', { jobNamespaces: [ns] });
  new SparkJob(chart, 'Job', { ...job, namespace: ns, operator, mode });
  return synth(chart);
}
