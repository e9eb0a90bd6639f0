/**
 * 2. RBAC: for every account the platform binds rights to (Spark drivers, the spark-submit
 *    submitter, the notebook, the operator, an orchestrator's existing account (Airflow), the
 *    webhook when an environment has one), the real
 *    RBAC authorizer's answers (SubjectAccessReview) over verbs x resources x namespaces equal
 *    what the project's RbacEvaluator says from the manifests. A difference names the request.
 */
import * as path from 'path';
import { RbacEvaluator, ResourceRequest } from '../../constructs/doctor/evaluators/rbac';
import { api, describeE2e, kustomized } from '../lib/kube';
import { applyEnvironment } from '../lib/platform';

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
/** group, resource, subresource, and whether it is cluster-scoped. */
const RESOURCES: ReadonlyArray<[string, string, string | undefined, boolean]> = [
  ['', 'pods', undefined, false], ['', 'pods', 'log', false], ['', 'pods', 'exec', false], ['', 'services', undefined, false],
  ['', 'configmaps', undefined, false], ['', 'secrets', undefined, false], ['', 'persistentvolumeclaims', undefined, false],
  ['', 'events', undefined, false], ['', 'serviceaccounts', undefined, false], ['apps', 'deployments', undefined, false],
  ['batch', 'jobs', undefined, false], ['sparkoperator.k8s.io', 'sparkapplications', undefined, false],
  ['sparkoperator.k8s.io', 'sparkapplications', 'status', false], ['sparkoperator.k8s.io', 'scheduledsparkapplications', undefined, false],
  ['coordination.k8s.io', 'leases', undefined, false], ['rbac.authorization.k8s.io', 'roles', undefined, false],
  ['', 'nodes', undefined, true], ['', 'namespaces', undefined, true], ['apiextensions.k8s.io', 'customresourcedefinitions', undefined, true],
];

interface Question { sa: { namespace: string; name: string }; request: ResourceRequest }

describeE2e('RBAC: the real authorizer agrees with the RbacEvaluator', (env) => {
  let objects: any[];
  let evaluator: RbacEvaluator;
  let accounts: Array<{ namespace: string; name: string; role: string }>;

  beforeAll(async () => {
    await applyEnvironment(env, 'dev');
    objects = await kustomized(env.kubeconfig, path.join(env.dist, 'dev'));
    evaluator = new RbacEvaluator(objects);
    accounts = boundAccounts(objects);
  });

  test('the accounts under test: drivers, the submitter, the notebook, the operator, the orchestrator', () => {
    const roles = accounts.map((a) => a.role);
    for (const r of ['driver', 'submitter', 'notebook', 'operator', 'orchestrator']) expect(roles).toContain(r);
    if (!roles.includes('webhook')) console.warn('note: no environment of dist/ enables the operator webhook, so no webhook account is in the matrix');
  });

  test('verbs x resources x namespaces (own, others, cluster-wide), secrets included: equal answers', async () => {
    // The accounts' own namespaces too: an orchestrator's (airflow) is not one the platform makes.
    const namespaces = [...new Set([...objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name), 'default', ...accounts.map((a) => a.namespace)])];
    const questions: Question[] = [];
    for (const sa of accounts) {
      for (const [group, resource, subresource, cluster] of RESOURCES) {
        for (const verb of VERBS) {
          for (const namespace of cluster ? [undefined] : [...namespaces, undefined]) {
            questions.push({ sa, request: { verb, group, resource, subresource, namespace } });
          }
        }
      }
    }
    const answers = await inBatches(questions, 24, (q) => authorizerSays(env.kubeconfig, q));
    const differences = questions
      .map((q, i) => ({ q, real: answers[i], model: evaluator.can({ kind: 'ServiceAccount', namespace: q.sa.namespace, name: q.sa.name }, q.request) }))
      .filter((x) => x.real !== x.model)
      .map((x) => `${x.q.sa.namespace}/${x.q.sa.name} ${x.q.request.verb} ${x.q.request.group || 'core'}/${x.q.request.resource}${x.q.request.subresource ? `/${x.q.request.subresource}` : ''} in ${x.q.request.namespace ?? '(all namespaces)'}: authorizer ${x.real ? 'allows' : 'denies'}, evaluator ${x.model ? 'allows' : 'denies'}`);
    expect(differences).toEqual([]);
    // Not vacuous: some requests are allowed, and Secrets are never readable by these accounts.
    expect(answers.filter((a) => a).length).toBeGreaterThan(50);
    const secretReads = questions.filter((q, i) => answers[i] && q.request.resource === 'secrets' && ['get', 'list', 'watch'].includes(q.request.verb));
    expect(secretReads.map((q) => `${q.sa.namespace}/${q.sa.name} ${q.request.verb} secrets in ${q.request.namespace}`)).toEqual([]);
    console.log(`RBAC matrix: ${questions.length} SubjectAccessReviews for ${accounts.length} accounts (${accounts.map((a) => `${a.role} ${a.namespace}/${a.name}`).join(', ')}), ${answers.filter((a) => a).length} allowed, 0 differences`);
  });
});

/** ServiceAccounts that some RoleBinding or ClusterRoleBinding of the manifests names, with what they are for. */
function boundAccounts(objects: any[]): Array<{ namespace: string; name: string; role: string }> {
  const seen = new Map<string, { namespace: string; name: string; role: string }>();
  for (const b of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    for (const s of b.subjects ?? []) {
      if (s.kind !== 'ServiceAccount') continue;
      const namespace = s.namespace ?? b.metadata.namespace;
      const key = `${namespace}/${s.name}`;
      if (seen.has(key)) continue;
      seen.set(key, { namespace, name: s.name, role: roleOf(namespace, s.name, objects) });
    }
  }
  return [...seen.values()].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
}

function roleOf(namespace: string, name: string, objects: any[]): string {
  // An orchestrator's account (OrchestratorAccess) runs no workload of ours: its bindings say what it is.
  const orchestrator = objects.some((o) => o.kind === 'RoleBinding' && o.metadata?.labels?.['app.kubernetes.io/component'] === 'orchestrator'
    && (o.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === name && (s.namespace ?? o.metadata.namespace) === namespace));
  if (orchestrator) return 'orchestrator';
  if (name === 'spark-driver') return 'driver';
  if (name.endsWith('-submitter')) return 'submitter';
  const user = objects.find((o) => o.metadata?.namespace === namespace && (o.spec?.template?.spec?.serviceAccountName === name));
  const component = user?.metadata?.labels?.['app.kubernetes.io/component'];
  if (component === 'controller') return 'operator';
  if (component === 'webhook') return 'webhook';
  if (user?.kind === 'StatefulSet') return 'notebook';
  return 'other';
}

async function authorizerSays(kubeconfig: string, q: Question): Promise<boolean> {
  const r = await api(kubeconfig, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: `system:serviceaccount:${q.sa.namespace}:${q.sa.name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${q.sa.namespace}`, 'system:authenticated'],
      resourceAttributes: {
        verb: q.request.verb, group: q.request.group ?? '', resource: q.request.resource,
        ...(q.request.subresource ? { subresource: q.request.subresource } : {}),
        ...(q.request.namespace ? { namespace: q.request.namespace } : {}),
      },
    },
  });
  if (r.status !== 201) throw new Error(`SubjectAccessReview: HTTP ${r.status} ${r.body}`);
  return r.json().status.allowed === true;
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: size }, worker));
  return out;
}
