import { App, Chart } from 'cdk8s';
import { SparkNamespace } from '../constructs/tenancy';
import { PlatformConfig, parsePlatformConfig, tenantProps } from './config';

/** The charts of one environment, one per deploy layer, in apply order. */
export interface PlatformCharts {
  /** Tenant namespaces: Namespace, quota, limits, driver RBAC, NetworkPolicies. */
  readonly tenants: Chart;
  /** The tenant constructs, by namespace name. */
  readonly tenantNamespaces: ReadonlyMap<string, SparkNamespace>;
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
  const tenants = new Chart(app, 'tenants');
  const tenantNamespaces = new Map<string, SparkNamespace>();
  checked.tenants.forEach((t, i) => {
    tenantNamespaces.set(t.name, new SparkNamespace(tenants, t.name, tenantProps(checked, i)));
  });
  return { tenants, tenantNamespaces };
}
