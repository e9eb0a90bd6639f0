/**
 * The Pulumi adapter's ordering as a plain function (no Pulumi runtime): the rules on small
 * hand-written manifests, the order being topological, linear size at a thousand-plus jobs, and
 * the errors.
 */
import * as pulumi from '@pulumi/pulumi';
import type { KubeObject } from '../../stacks/gitops';
import { ChartManifests, PlannedResource, planResources, serviceAccountsOf } from '../../stacks/pulumi/plan';
import { createResource, isCustomResource, resourceName } from '../../stacks/pulumi/resources';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, rest: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion, kind, metadata: namespace ? { name, namespace } : { name }, ...rest });
const crd = (group: string, kind: string, plural: string) => obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', `${plural}.${group}`, undefined, { spec: { group, names: { kind, plural } } });
const podSpec = (serviceAccountName: string) => ({ template: { spec: { serviceAccountName, containers: [{ name: 'c', image: 'i' }] } } });
const sparkApp = (name: string, ns: string) => obj('sparkoperator.k8s.io/v1beta2', 'SparkApplication', name, ns, {
  spec: { driver: { serviceAccount: 'spark-driver' }, executor: { serviceAccount: 'spark-executor' } },
});
/** A spark-submit Job with its own account, Role and binding; its drivers run as spark-driver (named in --conf). */
const submitJob = (name: string, ns: string): KubeObject[] => [
  obj('v1', 'ServiceAccount', `${name}-submitter`, ns),
  obj('rbac.authorization.k8s.io/v1', 'Role', `${name}-submitter`, ns),
  obj('rbac.authorization.k8s.io/v1', 'RoleBinding', `${name}-submitter`, ns, {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}-submitter` },
    subjects: [{ kind: 'ServiceAccount', name: `${name}-submitter`, namespace: ns }],
  }),
  obj('batch/v1', 'Job', name, ns, { spec: { template: { spec: {
    serviceAccountName: `${name}-submitter`,
    containers: [{ name: 'spark-submit', image: 'i', args: ['--conf', 'spark.kubernetes.authenticate.driver.serviceAccountName=spark-driver'] }],
  } } } }),
];

/** A small platform: CRDs, one tenant, an operator watching it, jobs. */
function charts(jobs: KubeObject[]): ChartManifests[] {
  const ns = 'spark-jobs';
  return [
    { id: 'crds', dependsOn: [], objects: [crd('sparkoperator.k8s.io', 'SparkApplication', 'sparkapplications')] },
    { id: 'tenants', dependsOn: [], objects: [
      obj('v1', 'Namespace', ns),
      obj('v1', 'ServiceAccount', 'spark-driver', ns),
      obj('v1', 'ServiceAccount', 'spark-executor', ns),
      obj('rbac.authorization.k8s.io/v1', 'Role', 'spark-driver', ns),
      obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'spark-driver', ns, {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'spark-driver' },
        subjects: [{ kind: 'ServiceAccount', name: 'spark-driver', namespace: ns }],
      }),
    ] },
    { id: 'operator', dependsOn: ['crds', 'tenants'], objects: [
      obj('apps/v1', 'Deployment', 'controller', 'spark-operator', { spec: podSpec('controller') }),
      obj('v1', 'Namespace', 'spark-operator'),
      obj('v1', 'ServiceAccount', 'controller', 'spark-operator'),
      obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'controller'),
      obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'controller', undefined, {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'controller' },
        subjects: [{ kind: 'ServiceAccount', name: 'controller', namespace: 'spark-operator' }],
      }),
      // The operator's rights in the tenant namespace: a binding there for an account elsewhere.
      obj('rbac.authorization.k8s.io/v1', 'Role', 'controller', ns),
      obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'controller', ns, {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'controller' },
        subjects: [{ kind: 'ServiceAccount', name: 'controller', namespace: 'spark-operator' }],
      }),
    ] },
    { id: 'jobs', dependsOn: ['operator'], objects: jobs },
  ];
}

const secretRef = { namespace: 'spark-jobs', name: 's3-credentials', keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], purpose: 's3a credentials' };
const byName = (plan: readonly PlannedResource[]) => new Map(plan.map((p) => [p.name, p]));

describe('planResources', () => {
  const plan = planResources('t', charts([sparkApp('pi', 'spark-jobs'), ...submitJob('wc', 'spark-jobs')]), [secretRef]);
  const deps = (name: string) => byName(plan).get(name)!.dependsOn;

  test('a custom resource after its CRD, its Namespace, its accounts, their bindings and Roles, the namespace\'s Secrets, and its chart\'s upstream gates', () => {
    expect(new Set(deps('t:spark-jobs/SparkApplication/pi'))).toEqual(new Set([
      't:CustomResourceDefinition/sparkapplications.sparkoperator.k8s.io',
      't:Namespace/spark-jobs',
      't:spark-jobs/ServiceAccount/spark-driver',
      't:spark-jobs/RoleBinding/spark-driver',
      't:spark-jobs/Role/spark-driver',
      't:spark-jobs/ServiceAccount/spark-executor',
      't:spark-jobs/Secret/s3-credentials',
      't:spark-operator/Deployment/controller', // the operator chart's gate
    ]));
  });

  test('a spark-submit Job after its own account and the drivers\' account named in its --conf', () => {
    expect(deps('t:spark-jobs/Job/wc')).toEqual(expect.arrayContaining([
      't:spark-jobs/ServiceAccount/wc-submitter', 't:spark-jobs/RoleBinding/wc-submitter', 't:spark-jobs/Role/wc-submitter',
      't:spark-jobs/ServiceAccount/spark-driver', 't:spark-jobs/Secret/s3-credentials',
    ]));
  });

  test('the operator after its cluster and cross-namespace RBAC, and the CRDs; a Secret after its Namespace', () => {
    expect(deps('t:spark-operator/Deployment/controller')).toEqual(expect.arrayContaining([
      't:Namespace/spark-operator', 't:spark-operator/ServiceAccount/controller',
      't:ClusterRoleBinding/controller', 't:ClusterRole/controller',
      't:spark-jobs/RoleBinding/controller', 't:spark-jobs/Role/controller',
      't:CustomResourceDefinition/sparkapplications.sparkoperator.k8s.io',
    ]));
    expect(deps('t:spark-jobs/Secret/s3-credentials')).toEqual(['t:Namespace/spark-jobs']);
  });

  test('the order is topological, and otherwise by chart and kind (the Namespace before the Deployment listed first)', () => {
    const position = new Map(plan.map((p, i) => [p.name, i]));
    for (const p of plan) for (const d of p.dependsOn) expect(position.get(d)!).toBeLessThan(position.get(p.name)!);
    expect(position.get('t:Namespace/spark-operator')!).toBeLessThan(position.get('t:spark-operator/Deployment/controller')!);
  });

  test('fails on a Secret that is both emitted and declared as created by the target', () => {
    const c = charts([obj('v1', 'Secret', 's3-credentials', 'spark-jobs')]);
    expect(() => planResources('t', c, [secretRef])).toThrow(/t:spark-jobs\/Secret\/s3-credentials: .*Fix: a Secret the platform emits is not also a secret reference/);
  });

  test('fails on two objects with one resource name', () => {
    const c = charts([obj('v1', 'ConfigMap', 'x', 'spark-jobs'), obj('v1', 'ConfigMap', 'x', 'spark-jobs')]);
    expect(() => planResources('t', c)).toThrow(/t:spark-jobs\/ConfigMap\/x: .* has the same Pulumi resource name/);
  });
});

describe('scale', () => {
  test('1,200 jobs (600 SparkApplications, 600 spark-submit Jobs) plan in linear size and well under a second', () => {
    // GIVEN a thousand-plus jobs in one tenant namespace, each submit job with its own account
    const jobs: KubeObject[] = [];
    for (let i = 0; i < 600; i++) jobs.push(sparkApp(`app-${i}`, 'spark-jobs'), ...submitJob(`submit-${i}`, 'spark-jobs'));
    // WHEN planned
    const start = Date.now();
    const plan = planResources('t', charts(jobs), [secretRef]);
    const elapsed = Date.now() - start;
    // THEN every object is there, the dependencies grow with the objects (not their square) ...
    expect(plan).toHaveLength(jobs.length + 13 + 1); // + the platform objects + the Secret
    const edges = plan.reduce((n, p) => n + p.dependsOn.length, 0);
    expect(edges).toBeLessThan(8 * plan.length);
    // ... no job waits on another job's objects
    const job = byName(plan).get('t:spark-jobs/Job/submit-599')!;
    expect(job.dependsOn.filter((d) => d.includes('submit-') && !d.includes('submit-599'))).toEqual([]);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('serviceAccountsOf', () => {
  test('reads pod specs, SparkApplication accounts, Spark conf maps and --conf arguments, not metadata', () => {
    expect(serviceAccountsOf(obj('batch/v1', 'CronJob', 'c', 'n', {
      metadata: { name: 'c', namespace: 'n', annotations: { serviceAccountName: 'not-this' } },
      spec: { jobTemplate: { spec: podSpec('submitter') } },
    })).sort()).toEqual(['submitter']);
    expect(serviceAccountsOf(obj('x.io/v1', 'App', 'a', 'n', { spec: { sparkConf: { 'spark.kubernetes.authenticate.executor.serviceAccountName': 'exec' }, args: ['spark.kubernetes.authenticate.driver.serviceAccountName=drv'] } })).sort()).toEqual(['drv', 'exec']);
  });
});

describe('resources', () => {
  test('custom resources are told from built-in kinds by their API group', () => {
    expect(isCustomResource('sparkoperator.k8s.io/v1beta2')).toBe(true);
    expect(isCustomResource('cert-manager.io/v1')).toBe(true);
    expect(isCustomResource('v1')).toBe(false);
    expect(isCustomResource('rbac.authorization.k8s.io/v1')).toBe(false);
  });

  test('names: <env>:<namespace>/<kind>/<name>, cluster-scoped <env>:<kind>/<name>', () => {
    expect(resourceName('dev', obj('v1', 'ConfigMap', 'c', 'ns'))).toBe('dev:ns/ConfigMap/c');
    expect(resourceName('dev', obj('v1', 'Namespace', 'ns'))).toBe('dev:Namespace/ns');
  });

  test('fails on a built-in kind without a resource class, naming the kind and the row to add', () => {
    const opts: pulumi.CustomResourceOptions = {};
    expect(() => createResource('dev:ns/Endpoints/e', obj('v1', 'Endpoints', 'e', 'ns'), opts))
      .toThrow("v1 Endpoints: is a built-in kind the Pulumi adapter has no resource class for (object dev:ns/Endpoints/e). Fix: add typed('v1', 'Endpoints', k8s.core.v1.Endpoints) to BUILTIN_RESOURCES in stacks/pulumi/resources.ts");
    expect(() => createResource('dev:x', obj('networking.k8s.io/v1', 'IPAddress', 'x'), opts)).toThrow(/k8s\.networking\.v1\.IPAddress/);
  });
});
