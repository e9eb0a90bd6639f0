import {
  ApacheSparkOperator, ApacheSparkOperatorCrds, SparkJob, SparkJobMode, SparkJobProps, SparkJobType, SparkNamespace, SparkNamespaceProps, SparkOperator,
  SparkOperatorCrds,
} from '../../constructs';
import { Construct } from 'constructs';
import { Obj, synth, testChart } from './manifests';

/** The plain Scala SparkPi job the job tests start from (no namespace, no arguments). */
export const SPARK_PI_JOB: Omit<SparkJobProps, 'namespace'> = {
  name: 'spark-pi',
  type: SparkJobType.SCALA,
  mainClass: 'org.apache.spark.examples.SparkPi',
  mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
};

/** The operator of `mode`'s kind watching `ns`: an ApacheSparkOperator in that mode, else a SparkOperator. */
export function operatorForMode(scope: Construct, mode: SparkJobMode, ns: SparkNamespace): SparkOperator | ApacheSparkOperator {
  return mode === SparkJobMode.APACHE_OPERATOR
    ? new ApacheSparkOperator(scope, 'Operator', { jobNamespaces: [ns] })
    : new SparkOperator(scope, 'Operator', { jobNamespaces: [ns] });
}

/**
 * Synthesizes `job` in a fresh chart with what its mode needs: the CRDs, a tenant `spark-jobs`
 * (with `tenant` props), and the operator of the mode's kind watching it.
 */
export function renderJobInMode(mode: SparkJobMode, job: Omit<SparkJobProps, 'namespace' | 'operator' | 'mode'>, tenant: Partial<SparkNamespaceProps> = {}): Obj[] {
  const chart = testChart();
  if (mode === SparkJobMode.APACHE_OPERATOR) new ApacheSparkOperatorCrds(chart, 'Crds');
  else new SparkOperatorCrds(chart, 'Crds');
  const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs', ...tenant });
  new SparkJob(chart, 'Job', { ...job, namespace: ns, operator: operatorForMode(chart, mode, ns), mode });
  return synth(chart);
}
