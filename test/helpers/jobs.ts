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

/**
 * How SparkJob's JMX exporter differs from the Kubeflow operator's `spec.monitoring.prometheus`
 * for the application `app`, as the re-expression tests (upstream examples, production apps)
 * list it: the conf keys that differ and the operator's pod parts SparkJob has not.
 */
export function operatorPrometheusDifferences(app: string): {
  readonly differs: Readonly<Record<string, string>>;
  readonly theirPodParts: ReadonlyArray<readonly [RegExp, string]>;
} {
  return {
    differs: {
      'spark.metrics.conf': 'metrics.properties of SparkJob\'s own ConfigMap <name>-jmx-exporter (mounted by the pod templates at /etc/spark-platform/metrics) instead of the operator\'s <app>-prom-conf at /etc/metrics/conf: the same sinks and sources, JmxSink and JvmSource',
      'spark.driver.extraJavaOptions': 'the same agent jar and port (after any options of the application\'s own); the rules file is the platform\'s (constructs/monitoring/jmx-rules.ts, which the platform dashboard reads) in SparkJob\'s ConfigMap, not the operator\'s default prometheus.yaml',
      'spark.executor.extraJavaOptions': 'likewise',
    },
    theirPodParts: [
      [new RegExp(`^\\.(driver|executor)Pod\\.spec\\.volumes\\[name=${app}-prom-conf-vol\\]: missing`), 'the operator\'s exporter ConfigMap, mounted by its webhook; SparkJob mounts its own (spark-platform-metrics) through the template'],
      [new RegExp(`^\\.(driver|executor)Pod\\.spec\\.containers\\[name=spark-kubernetes-(driver|executor)\\]\\.volumeMounts\\[name=${app}-prom-conf-vol\\]: missing`), 'likewise, mounted at /etc/spark-platform/metrics'],
    ],
  };
}
