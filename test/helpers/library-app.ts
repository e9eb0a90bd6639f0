import { App, Chart } from 'cdk8s';
import {
  Cpu, Memory, NetworkEndpoint, SparkJob, SparkJobType, SparkNamespace, SparkOperator, SparkOperatorCrds,
} from '../../constructs';
import { deployAfter } from '../../stacks/gitops';

/** The charts of the library example, by layer. */
export type LibraryCharts = Record<'crds' | 'tenants' | 'operator' | 'jobs', Chart>;

/**
 * The docs' library example on `app` (a SparkPlatformApp or any App): CRDs, one tenant, the
 * operator, one job, each layer in its chart, ordered with deployAfter.
 * `crds: false` leaves the CRDs out; `crdsLast` orders their chart after the jobs.
 */
export function buildLibraryExample(app: App, options: { crds?: boolean; crdsLast?: boolean } = {}): LibraryCharts {
  const crds = new Chart(app, 'crds');
  if (options.crds ?? true) new SparkOperatorCrds(crds, 'SparkOperatorCrds');
  const tenants = new Chart(app, 'tenants');
  const analytics = new SparkNamespace(tenants, 'analytics', {
    name: 'spark-analytics',
    quota: { cpu: Cpu.cores(32), memory: Memory.gibibytes(128), pods: 100 },
    apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.1/32'], [443, 6443]),
  });
  const operatorChart = new Chart(app, 'operator');
  deployAfter(operatorChart, tenants);
  if (!options.crdsLast) deployAfter(operatorChart, crds);
  const operator = new SparkOperator(operatorChart, 'SparkOperator', { jobNamespaces: [analytics] });
  const jobs = new Chart(app, 'jobs');
  deployAfter(jobs, operatorChart);
  if (options.crdsLast) deployAfter(crds, jobs);
  new SparkJob(jobs, 'spark-pi', {
    name: 'spark-pi',
    namespace: analytics,
    operator,
    type: SparkJobType.SCALA,
    mainClass: 'org.apache.spark.examples.SparkPi',
    mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
    arguments: ['1000'],
  });
  return { crds, tenants, operator: operatorChart, jobs };
}
