import { App, Chart } from 'cdk8s';
import { SparkJob } from '../constructs/jobs';
import { SparkOperator, SparkOperatorCrds } from '../constructs/operator';
import { SparkNamespace } from '../constructs/tenancy';
import { PlatformConfig, operatorProps, parsePlatformConfig, tenantProps } from './config';

/** The charts of one environment, one per deploy layer, in apply order. */
export interface PlatformCharts {
  /** The CRDs (SparkApplication, ScheduledSparkApplication): applied before anything uses them. */
  readonly crds: Chart;
  /** Tenant namespaces: Namespace, quota, limits, driver RBAC, NetworkPolicies. */
  readonly tenants: Chart;
  /** The tenant constructs, by namespace name. */
  readonly tenantNamespaces: ReadonlyMap<string, SparkNamespace>;
  /** The Spark operator: controller(s), RBAC in the tenant namespaces, optional webhook. */
  readonly operator: Chart;
  /** The operator construct. */
  readonly sparkOperator: SparkOperator;
  /** The environment's Spark jobs (SparkApplications, Jobs, ...), when it has any. */
  readonly jobs?: Chart;
  /** The job constructs, by `<tenant>/<name>`. */
  readonly sparkJobs: ReadonlyMap<string, SparkJob>;
}

/**
 * Builds the platform of one environment into `app`: the only description of the platform,
 * which `cdk8s synth` writes to `dist/<env>/` and the Pulumi program provisions.
 *
 * `config` is checked first (it may come from a transpile-only TypeScript file, YAML or Pulumi
 * config); `source` (e.g. a file name) prefixes its error messages.
 */
export function buildPlatform(app: App, config: PlatformConfig, source?: string): PlatformCharts {
  const checked = parsePlatformConfig(config, source);
  const crds = new Chart(app, 'crds');
  new SparkOperatorCrds(crds, 'SparkOperatorCrds');
  const tenants = new Chart(app, 'tenants');
  const tenantNamespaces = new Map<string, SparkNamespace>();
  checked.tenants.forEach((t, i) => {
    tenantNamespaces.set(t.name, new SparkNamespace(tenants, t.name, tenantProps(checked, i)));
  });
  const operator = new Chart(app, 'operator');
  // The operator's Roles live in the tenant namespaces, which must exist first.
  operator.addDependency(crds, tenants);
  const sparkOperator = new SparkOperator(operator, 'SparkOperator', operatorProps(checked, [...tenantNamespaces.values()]));

  const sparkJobs = new Map<string, SparkJob>();
  let jobs: Chart | undefined;
  if ((checked.jobs ?? []).length > 0) {
    jobs = new Chart(app, 'jobs');
    // SparkApplications need the operator (and its CRDs) first; Jobs need their namespace.
    jobs.addDependency(operator);
    for (const { tenant, ...props } of checked.jobs ?? []) {
      const namespace = tenantNamespaces.get(tenant)!;
      sparkJobs.set(`${tenant}/${props.name}`, new SparkJob(jobs, `${tenant}-${props.name}`, { ...props, namespace, operator: sparkOperator }));
    }
  }
  return { crds, tenants, tenantNamespaces, operator, sparkOperator, jobs, sparkJobs };
}
