import { App, Chart, Testing } from 'cdk8s';
import { OrchestratorAccess, OrchestratorAccessProps, SparkNamespace, SparkOperator, SparkPlatformError } from '../../constructs';
import { PlatformConfig, buildPlatform, parsePlatformConfig } from '../../stacks/platform';
import { dev } from '../../stacks/environments';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { DEFAULT_VERBS, RbacEvaluator, ResourceRequest } from '../helpers/rbac';

const airflow = { kind: 'ServiceAccount' as const, namespace: 'airflow', name: 'airflow-worker' };

/** team-a, team-b and team-c, all watched by the operator; Airflow serves team-a and team-b. */
function platform(props: Partial<OrchestratorAccessProps> = {}): { chart: Chart; objects: Obj[]; access: OrchestratorAccess } {
  const chart = testChart();
  const tenants = ['team-a', 'team-b', 'team-c'].map((name) => new SparkNamespace(chart, name, { name }));
  const operator = new SparkOperator(chart, 'Operator', { jobNamespaces: tenants });
  const access = new OrchestratorAccess(chart, 'Airflow', {
    name: 'airflow', namespace: 'airflow', serviceAccountName: 'airflow-worker', tenants: tenants.slice(0, 2), operator, ...props,
  });
  return { chart, objects: synth(chart), access };
}

/**
 * What submitting and following a SparkApplication run takes, written out independently of the
 * construct: [group, resource (with subresource), verbs].
 */
const NEEDED: ReadonlyArray<[string, string, readonly string[]]> = [
  ['sparkoperator.k8s.io', 'sparkapplications', ['get', 'list', 'watch', 'create', 'delete']],
  ['sparkoperator.k8s.io', 'sparkapplications/status', ['get']],
  ['', 'pods', ['get', 'list', 'watch']],
  ['', 'pods/log', ['get']],
  ['', 'events', ['list', 'watch']],
];
const SCHEDULED: ReadonlyArray<[string, string, readonly string[]]> = [
  ['sparkoperator.k8s.io', 'scheduledsparkapplications', ['get', 'list', 'watch', 'create', 'delete']],
  ['sparkoperator.k8s.io', 'scheduledsparkapplications/status', ['get']],
];

/** Every resource the matrix asks about: the needed ones, their neighbours, and what an attacker would want. */
const RESOURCES: ReadonlyArray<[string, string]> = [
  ['', 'pods'], ['', 'pods/log'], ['', 'pods/exec'], ['', 'pods/attach'], ['', 'pods/portforward'], ['', 'pods/ephemeralcontainers'],
  ['', 'pods/status'], ['', 'events'], ['events.k8s.io', 'events'], ['', 'secrets'], ['', 'configmaps'], ['', 'services'],
  ['', 'serviceaccounts'], ['', 'serviceaccounts/token'], ['', 'persistentvolumeclaims'], ['', 'resourcequotas'], ['', 'namespaces'], ['', 'nodes'],
  ['sparkoperator.k8s.io', 'sparkapplications'], ['sparkoperator.k8s.io', 'sparkapplications/status'], ['sparkoperator.k8s.io', 'sparkapplications/finalizers'],
  ['sparkoperator.k8s.io', 'scheduledsparkapplications'], ['sparkoperator.k8s.io', 'scheduledsparkapplications/status'], ['sparkoperator.k8s.io', 'sparkconnects'],
  ['batch', 'jobs'], ['apps', 'deployments'], ['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'rolebindings'],
  ['coordination.k8s.io', 'leases'], ['apiextensions.k8s.io', 'customresourcedefinitions'],
];
/** Served, unserved tenant, the orchestrator's own, the operator's, default; undefined = cluster-wide. */
const NAMESPACES: ReadonlyArray<string | undefined> = ['team-a', 'team-b', 'team-c', 'airflow', 'spark-operator', 'default', undefined];

function key(group: string, resource: string, verb: string, namespace: string | undefined): string {
  return `${namespace ?? '(cluster)'} ${verb} ${group || 'core'}/${resource}`;
}

/** The allowed requests of the matrix, as the evaluator answers them. */
function allowedMatrix(rbac: RbacEvaluator): string[] {
  const out: string[] = [];
  for (const namespace of NAMESPACES) {
    for (const [group, resource] of RESOURCES) {
      for (const verb of DEFAULT_VERBS) {
        const request: ResourceRequest = { verb, group, resource, namespace };
        if (rbac.can(airflow, request)) out.push(key(group, resource, verb, namespace));
      }
    }
  }
  return out.sort();
}

function expectedMatrix(rules: ReadonlyArray<[string, string, readonly string[]]>, served: readonly string[]): string[] {
  return served.flatMap((ns) => rules.flatMap(([group, resource, verbs]) => verbs.map((v) => key(group, resource, v, ns)))).sort();
}

describe('OrchestratorAccess', () => {
  describe('RBAC: exactly what following a SparkApplication run takes, in the served tenants only', () => {
    const { objects } = platform();
    const rbac = new RbacEvaluator(objects);

    test('verbs x resources x namespaces: nothing missing, nothing extra', () => {
      expect(allowedMatrix(rbac)).toEqual(expectedMatrix(NEEDED, ['team-a', 'team-b']));
    });

    test('every grant of the account (wildcards included) is one of the needed ones, in a served namespace', () => {
      const grants = rbac.grants(airflow).map((g) => `${g.namespace} ${g.verb} ${g.apiGroup || 'core'}/${g.resource}${g.resourceName ? `#${g.resourceName}` : ''}`).sort();
      expect(grants).toEqual(expectedMatrix(NEEDED, ['team-a', 'team-b']));
    });

    test.each([
      ['an unserved tenant', 'team-c'], ['its own namespace', 'airflow'], ['the operator\'s namespace', 'spark-operator'], ['default', 'default'],
    ])('nothing in %s', (_what, namespace) => {
      expect(rbac.grants(airflow).filter((g) => g.namespace === namespace)).toEqual([]);
      for (const [group, resource] of RESOURCES) expect(rbac.allowedVerbs(airflow, { group, resource, namespace })).toEqual([]);
    });

    test('nothing cluster-wide: no ClusterRole or ClusterRoleBinding, no all-namespaces list', () => {
      expect(ofKind(objects, 'ClusterRoleBinding').filter((b) => JSON.stringify(b.subjects).includes('airflow-worker'))).toEqual([]);
      expect(rbac.grants(airflow).filter((g) => g.namespace === '*')).toEqual([]);
      expect(rbac.can(airflow, { verb: 'list', group: 'sparkoperator.k8s.io', resource: 'sparkapplications' })).toBe(false);
      expect(rbac.can(airflow, { verb: 'list', resource: 'pods' })).toBe(false);
    });

    test('no Secrets, no pod writes, no exec, no RBAC: in a served namespace too', () => {
      for (const verb of DEFAULT_VERBS) {
        expect(rbac.can(airflow, { verb, resource: 'secrets', namespace: 'team-a' })).toBe(false);
        expect(rbac.can(airflow, { verb, resource: 'secrets' })).toBe(false);
      }
      for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection']) {
        expect(rbac.can(airflow, { verb, resource: 'pods', namespace: 'team-a' })).toBe(false);
      }
      expect(rbac.can(airflow, { verb: 'create', resource: 'pods/exec', namespace: 'team-a' })).toBe(false);
      expect(rbac.can(airflow, { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'team-a' })).toBe(false);
    });

    test('the tenants\' own accounts keep their rights and gain nothing', () => {
      const driver = { kind: 'ServiceAccount' as const, namespace: 'team-a', name: 'spark-driver' };
      expect(rbac.grants(driver).some((g) => g.apiGroup === 'sparkoperator.k8s.io')).toBe(false);
      expect(rbac.can(driver, { verb: 'create', resource: 'pods', namespace: 'team-a' })).toBe(true);
    });
  });

  // What the Airflow provider (providers/cncf/kubernetes) calls while running a
  // SparkKubernetesOperator task, as the request the API server authorizes.
  test.each<[string, ResourceRequest, boolean]>([
    ['CustomObjectLauncher.start_spark_job: create_namespaced_custom_object', { verb: 'create', group: 'sparkoperator.k8s.io', resource: 'sparkapplications' }, true],
    ['CustomObjectLauncher.spark_job_not_running: get_namespaced_custom_object_status', { verb: 'get', group: 'sparkoperator.k8s.io', resource: 'sparkapplications/status' }, true],
    ['CustomObjectLauncher.delete_spark_job: delete_namespaced_custom_object', { verb: 'delete', group: 'sparkoperator.k8s.io', resource: 'sparkapplications' }, true],
    ['SparkKubernetesSensor.poke: KubernetesHook.get_custom_object', { verb: 'get', group: 'sparkoperator.k8s.io', resource: 'sparkapplications' }, true],
    ['find_spark_job (reattach): list_namespaced_pod spark-role=driver', { verb: 'list', resource: 'pods' }, true],
    ['PodManager.read_pod (start, completion, container states)', { verb: 'get', resource: 'pods' }, true],
    ['PodManager.read_pod_logs / _write_logs: read_namespaced_pod_log', { verb: 'get', resource: 'pods/log' }, true],
    ['PodManager.read_pod_events: list_namespaced_event', { verb: 'list', resource: 'events' }, true],
    ['AsyncPodManager.watch_pod_events (deferrable)', { verb: 'watch', resource: 'events' }, true],
    ['patch_already_checked: patch_namespaced_pod (errors suppressed; not granted, see docs)', { verb: 'patch', resource: 'pods' }, false],
    ['extract_xcom: connect_get_namespaced_pod_exec (do_xcom_push; not for Spark)', { verb: 'create', resource: 'pods/exec' }, false],
    ['no replace or patch of the application anywhere in the provider', { verb: 'patch', group: 'sparkoperator.k8s.io', resource: 'sparkapplications' }, false],
  ])('Airflow provider call %s: allowed %p', (_call, request, allowed) => {
    const rbac = new RbacEvaluator(platform().objects);
    expect(rbac.can(airflow, { ...request, namespace: 'team-b' })).toBe(allowed);
    expect(rbac.can(airflow, { ...request, namespace: 'team-c' })).toBe(false);
  });

  test('scheduled: the same rights on ScheduledSparkApplications, and nothing else more', () => {
    const rbac = new RbacEvaluator(platform({ scheduled: true }).objects);
    expect(allowedMatrix(rbac)).toEqual(expectedMatrix([...NEEDED, ...SCHEDULED], ['team-a', 'team-b']));
    // off by default
    expect(allowedMatrix(new RbacEvaluator(platform().objects)).some((k) => k.includes('scheduledsparkapplications'))).toBe(false);
  });

  test('emits only a Role and a RoleBinding per served tenant: no ServiceAccount, nothing in the orchestrator\'s namespace, no NetworkPolicy', () => {
    const chart = testChart();
    const a = new SparkNamespace(chart, 'a', { name: 'team-a' });
    const b = SparkNamespace.fromName('team-b');
    new OrchestratorAccess(chart, 'Airflow', { name: 'airflow', namespace: 'airflow', serviceAccountName: 'airflow-worker', tenants: [a, b] });
    const objects = synth(chart).filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'orchestrator');
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Role team-a/airflow-orchestrator', 'RoleBinding team-a/airflow-orchestrator',
      'Role team-b/airflow-orchestrator', 'RoleBinding team-b/airflow-orchestrator',
    ]);
    expectValidManifests(objects);
    expect(findObject(objects, 'RoleBinding', 'airflow-orchestrator', 'team-b')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'airflow-orchestrator' },
      subjects: [{ kind: 'ServiceAccount', name: 'airflow-worker', namespace: 'airflow' }],
    });
    expect(findObject(objects, 'Role', 'airflow-orchestrator', 'team-a').metadata.labels).toMatchObject({ 'spark-platform.io/tenant': 'team-a', 'app.kubernetes.io/name': 'airflow' });
  });

  describe('refuses, naming the field and the fix', () => {
    const base = (chart: Chart) => {
      const tenants = ['team-a', 'team-b'].map((name) => new SparkNamespace(chart, name, { name }));
      const operator = new SparkOperator(chart, 'Operator', { jobNamespaces: [tenants[0]] });
      return { tenants, operator };
    };
    test.each<[string, (t: ReturnType<typeof base>) => Partial<OrchestratorAccessProps>, RegExp]>([
      ['an empty tenant list', () => ({ tenants: [] }), /OrchestratorAccess "airflow" tenants: is empty, so the orchestrator could submit nowhere\. Fix: list the tenant namespaces/],
      ['its namespace among its tenants', (t) => ({ namespace: 'team-a', tenants: [t.tenants[0]] }), /OrchestratorAccess "airflow" namespace: "team-a" is also tenants\[0\].*Fix: run the orchestrator in a namespace of its own/],
      ['its namespace a tenant it does not serve', (t) => ({ namespace: 'team-b', tenants: [t.tenants[0]] }), /OrchestratorAccess "airflow" namespace: "team-b" is a tenant namespace \(.*team-b\).*Fix: run the orchestrator in a namespace of its own/],
      ['a tenant no operator watches', (t) => ({ tenants: t.tenants, operator: t.operator }), /OrchestratorAccess "airflow" tenants\[1\]: "team-b" is not watched by the Spark operator.*Fix: add the namespace to the operator's jobNamespaces/],
      ['a tenant listed twice', (t) => ({ tenants: [t.tenants[0], t.tenants[0]] }), /OrchestratorAccess "airflow" tenants\[1\]: "team-a" is listed twice\. Fix: list each tenant namespace once/],
      ['an invalid account name', () => ({ serviceAccountName: 'Airflow_Worker' }), /OrchestratorAccess "airflow" serviceAccountName: "Airflow_Worker" is not a valid DNS-1123 subdomain/],
      ['an invalid namespace', () => ({ namespace: 'Airflow' }), /OrchestratorAccess "airflow" namespace: "Airflow" is not a valid DNS-1123 label/],
      ['a misspelled prop', () => ({ schedule: true } as Partial<OrchestratorAccessProps>), /schedule.*did you mean "scheduled"/],
    ])('%s', (_name, override, message) => {
      const chart = testChart();
      const t = base(chart);
      const props = { name: 'airflow', namespace: 'airflow', serviceAccountName: 'airflow-worker', tenants: [t.tenants[0]], ...override(t) };
      let error: unknown;
      try {
        new OrchestratorAccess(chart, 'Airflow', props);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SparkPlatformError);
      expect((error as Error).message).toMatch(message);
    });

    test('a tenant onboarded in its namespace after it: the synth fails', () => {
      const chart = testChart();
      const a = new SparkNamespace(chart, 'a', { name: 'team-a' });
      new OrchestratorAccess(chart, 'Airflow', { name: 'airflow', namespace: 'airflow', serviceAccountName: 'airflow-worker', tenants: [a] });
      expect(() => Testing.synth(chart)).not.toThrow();
      new SparkNamespace(chart, 'late', { name: 'airflow' });
      expect(() => Testing.synth(chart)).toThrow(/OrchestratorAccess "airflow" namespace: "airflow" is a tenant namespace.*Fix: run the orchestrator in a namespace of its own/);
    });
  });

  describe('PlatformConfig orchestrators', () => {
    const env = (orchestrators: unknown): PlatformConfig => ({ name: 'x', tenants: [{ name: 'team-a' }, { name: 'team-b' }], orchestrators } as PlatformConfig);

    test.each<[string, unknown, RegExp]>([
      ['a tenant not of the environment', [{ name: 'airflow', namespace: 'airflow', serviceAccount: 'w', tenants: ['team-a', 'team-z'] }], /orchestrators\[0\]\.tenants\[1\]: "team-z" is not one of the tenants \(team-a, team-b\)\. Fix: list tenants of this environment by name/],
      ['its namespace a tenant', [{ name: 'airflow', namespace: 'team-b', serviceAccount: 'w', tenants: ['team-a'] }], /orchestrators\[0\]\.namespace: "team-b" is tenants\[1\].*Fix: run the orchestrator in a namespace of its own/],
      ['two with one name', [{ name: 'airflow', namespace: 'a1', serviceAccount: 'w', tenants: ['team-a'] }, { name: 'airflow', namespace: 'a2', serviceAccount: 'w', tenants: ['team-b'] }], /orchestrators\[1\]\.name: "airflow" is already orchestrators\[0\]/],
      ['a tenant listed twice', [{ name: 'airflow', namespace: 'airflow', serviceAccount: 'w', tenants: ['team-a', 'team-a'] }], /orchestrators\[0\]\.tenants\[1\]: "team-a" is listed twice/],
      ['no tenants', [{ name: 'airflow', namespace: 'airflow', serviceAccount: 'w', tenants: [] }], /orchestrators\[0\]\.tenants/],
      ['a misspelled field', [{ name: 'airflow', namespace: 'airflow', serviceAcount: 'w', tenants: ['team-a'] }], /orchestrators\[0\]\.serviceAcount.*did you mean "serviceAccount"/],
    ])('refuses %s', (_name, orchestrators, message) => {
      expect(() => parsePlatformConfig(env(orchestrators), 'env.ts')).toThrow(message);
    });

    test('built into the tenants chart, after the tenant namespaces, serving the named tenants', () => {
      const app = new App({ outdir: '/tmp/unused' });
      const charts = buildPlatform(app, env([{ name: 'airflow', namespace: 'airflow', serviceAccount: 'airflow-worker', tenants: ['team-b'], scheduled: true }]));
      const objects = charts.tenants.toJson() as Obj[];
      const names = objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(names.slice(-2)).toEqual(['Role team-b/airflow-orchestrator', 'RoleBinding team-b/airflow-orchestrator']);
      expect(names.filter((n) => n.includes('orchestrator'))).toHaveLength(2);
      expect(charts.orchestrators.get('airflow')?.scheduled).toBe(true);
      const rbac = new RbacEvaluator(objects);
      const sa = { kind: 'ServiceAccount' as const, namespace: 'airflow', name: 'airflow-worker' };
      expect(rbac.can(sa, { verb: 'create', group: 'sparkoperator.k8s.io', resource: 'scheduledsparkapplications', namespace: 'team-b' })).toBe(true);
      expect(rbac.can(sa, { verb: 'create', group: 'sparkoperator.k8s.io', resource: 'sparkapplications', namespace: 'team-a' })).toBe(false);
    });

    test('dev: Airflow in namespace airflow, account airflow-worker, serving every dev tenant', () => {
      expect(dev.orchestrators).toEqual([{ name: 'airflow', namespace: 'airflow', serviceAccount: 'airflow-worker', tenants: dev.tenants.map((t) => t.name) }]);
    });
  });
});
