import { DEFAULT_VERBS, RbacEvaluator, Subject } from './rbac';

// --- tiny manifest builders: plain objects, shaped as `cdk8s synth` emits them ---------------

const RBAC = 'rbac.authorization.k8s.io/v1';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

function role(namespace: string, name: string, rules: Rule[]): object {
  return { apiVersion: RBAC, kind: 'Role', metadata: { namespace, name }, rules };
}

function clusterRole(name: string, rules: Rule[], extra: Record<string, unknown> = {}): object {
  const { labels, aggregationRule } = extra;
  return {
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name, ...(labels ? { labels } : {}) },
    rules,
    ...(aggregationRule ? { aggregationRule } : {}),
  };
}

function roleBinding(namespace: string, name: string, roleRef: [string, string], subjects: object[]): object {
  return {
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { namespace, name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleRef[0], name: roleRef[1] },
    subjects,
  };
}

function clusterRoleBinding(name: string, roleName: string, subjects: object[]): object {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects,
  };
}

const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', namespace, name });
const saRef = (name: string, namespace?: string): object => ({
  kind: 'ServiceAccount',
  name,
  ...(namespace ? { namespace } : {}),
});

const POD_ADMIN: Rule = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] };
const driver = sa('team-a', 'spark-driver');

describe('RbacEvaluator: the spark driver scenario', () => {
  const rbac = new RbacEvaluator([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'team-a', name: 'spark-driver' } },
    role('team-a', 'spark-driver', [POD_ADMIN, { apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }]),
    roleBinding('team-a', 'spark-driver', ['Role', 'spark-driver'], [saRef('spark-driver')]),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }, // other kinds: ignored
  ]);

  it('can create/delete pods in its namespace only', () => {
    expect(rbac.can(driver, { verb: 'create', resource: 'pods', namespace: 'team-a' })).toBe(true);
    expect(rbac.can(driver, { verb: 'delete', resource: 'pods', namespace: 'team-a', name: 'x' })).toBe(true);
    expect(rbac.can(driver, { verb: 'create', resource: 'pods', namespace: 'team-b' })).toBe(false);
    expect(rbac.can(driver, { verb: 'list', resource: 'pods' })).toBe(false); // all namespaces
  });

  it('cannot read secrets anywhere', () => {
    for (const namespace of ['team-a', 'team-b', undefined]) {
      expect(rbac.allowedVerbs(driver, { resource: 'secrets', namespace })).toEqual([]);
    }
  });

  it('lists allowed verbs in candidate order', () => {
    expect(rbac.allowedVerbs(driver, { resource: 'pods', namespace: 'team-a' })).toEqual([
      'get', 'list', 'watch', 'create', 'delete',
    ]);
    expect(rbac.allowedVerbs(driver, { resource: 'configmaps', namespace: 'team-a' })).toEqual(DEFAULT_VERBS);
    expect(rbac.allowedVerbs(driver, { resource: 'pods', namespace: 'team-a' }, ['patch', 'get'])).toEqual(['get']);
  });

  it('flattens grants, sorted, for exact-equality assertions', () => {
    expect(rbac.grants(driver)).toEqual([
      { namespace: 'team-a', apiGroup: '', resource: 'configmaps', verb: '*' },
      ...['create', 'delete', 'get', 'list', 'watch'].map((verb) => ({
        namespace: 'team-a', apiGroup: '', resource: 'pods', verb,
      })),
    ]);
    expect(rbac.grants(sa('team-b', 'spark-driver'))).toEqual([]);
  });

  it('reports the declared ServiceAccounts', () => {
    expect(rbac.serviceAccounts()).toEqual([{ namespace: 'team-a', name: 'spark-driver' }]);
  });
});

describe('RbacEvaluator: binding scope', () => {
  const reader = clusterRole('pod-reader', [{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get'] }]);

  it('RoleBinding -> ClusterRole applies only inside the binding namespace', () => {
    const rbac = new RbacEvaluator([reader, roleBinding('team-a', 'rb', ['ClusterRole', 'pod-reader'], [saRef('x')])]);
    const x = sa('team-a', 'x');
    expect(rbac.can(x, { verb: 'get', resource: 'pods', namespace: 'team-a' })).toBe(true);
    expect(rbac.can(x, { verb: 'get', resource: 'pods', namespace: 'team-b' })).toBe(false);
    expect(rbac.can(x, { verb: 'get', resource: 'pods' })).toBe(false);
    expect(rbac.can(x, { verb: 'get', resource: 'nodes' })).toBe(false); // cluster-scoped: never via a RoleBinding
    expect(rbac.grants(x).map((g) => g.namespace)).toEqual(['team-a', 'team-a']);
  });

  it('ClusterRoleBinding -> ClusterRole applies everywhere, cluster-scoped requests included', () => {
    const rbac = new RbacEvaluator([reader, clusterRoleBinding('crb', 'pod-reader', [saRef('x', 'team-a')])]);
    const x = sa('team-a', 'x');
    expect(rbac.can(x, { verb: 'get', resource: 'pods', namespace: 'team-b' })).toBe(true);
    expect(rbac.can(x, { verb: 'get', resource: 'pods' })).toBe(true);
    expect(rbac.can(x, { verb: 'get', resource: 'nodes' })).toBe(true);
    expect(rbac.grants(x)).toEqual([
      { namespace: '*', apiGroup: '', resource: 'nodes', verb: 'get' },
      { namespace: '*', apiGroup: '', resource: 'pods', verb: 'get' },
    ]);
  });

  it('a RoleBinding resolves a Role in its own namespace only', () => {
    const rbac = new RbacEvaluator([
      role('team-b', 'r', [POD_ADMIN]),
      roleBinding('team-a', 'rb', ['Role', 'r'], [saRef('x')]),
    ]);
    expect(rbac.grants(sa('team-a', 'x'))).toEqual([]);
  });

  it('a roleRef to a missing Role or ClusterRole grants nothing', () => {
    const rbac = new RbacEvaluator([
      roleBinding('team-a', 'rb1', ['Role', 'missing'], [saRef('x')]),
      roleBinding('team-a', 'rb2', ['ClusterRole', 'missing'], [saRef('x')]),
      clusterRoleBinding('crb', 'missing', [saRef('x', 'team-a')]),
    ]);
    expect(rbac.grants(sa('team-a', 'x'))).toEqual([]);
  });

  it('rejects bindings the API server would reject', () => {
    const bad = (o: object) => () => new RbacEvaluator([o]);
    const crbToRole = { ...(clusterRoleBinding('c', 'r', []) as Record<string, unknown>) };
    crbToRole.roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' };
    expect(bad(crbToRole)).toThrow(/roleRef.kind must be ClusterRole/);
    expect(bad(clusterRoleBinding('c', 'r', [saRef('x')]))).toThrow(/needs a namespace/);
    expect(bad(roleBinding('a', 'b', ['Role', 'r'], [{ kind: 'Robot', name: 'r2' }]))).toThrow(/must be User, Group/);
  });
});

describe('RbacEvaluator: subjects', () => {
  const objects = [
    clusterRole('r', [POD_ADMIN]),
    roleBinding('ns-user', 'b', ['ClusterRole', 'r'], [{ kind: 'User', name: 'alice' }]),
    roleBinding('ns-group', 'b', ['ClusterRole', 'r'], [{ kind: 'Group', name: 'devs' }]),
    roleBinding('ns-sa-default', 'b', ['ClusterRole', 'r'], [saRef('x')]), // namespace = ns-sa-default
    roleBinding('ns-sa-explicit', 'b', ['ClusterRole', 'r'], [saRef('x', 'team-a')]),
    roleBinding('ns-sa-user', 'b', ['ClusterRole', 'r'], [{ kind: 'User', name: 'system:serviceaccount:team-a:x' }]),
    roleBinding('ns-all-sa', 'b', ['ClusterRole', 'r'], [{ kind: 'Group', name: 'system:serviceaccounts' }]),
    roleBinding('ns-sa-of-a', 'b', ['ClusterRole', 'r'], [{ kind: 'Group', name: 'system:serviceaccounts:team-a' }]),
    roleBinding('ns-authn', 'b', ['ClusterRole', 'r'], [{ kind: 'Group', name: 'system:authenticated' }]),
  ];
  const rbac = new RbacEvaluator(objects);
  const namespacesOf = (s: Subject) => [...new Set(rbac.grants(s).map((g) => g.namespace))];

  it('a ServiceAccount matches its SA subjects, its user name and its implicit groups', () => {
    expect(namespacesOf(sa('team-a', 'x'))).toEqual([
      'ns-all-sa', 'ns-authn', 'ns-sa-explicit', 'ns-sa-of-a', 'ns-sa-user',
    ]);
    expect(namespacesOf(sa('ns-sa-default', 'x'))).toEqual(['ns-all-sa', 'ns-authn', 'ns-sa-default']);
    expect(namespacesOf(sa('team-b', 'x'))).toEqual(['ns-all-sa', 'ns-authn']);
    expect(namespacesOf(sa('team-a', 'y'))).toEqual(['ns-all-sa', 'ns-authn', 'ns-sa-of-a']);
  });

  it('a User matches by name, and is system:authenticated unless anonymous', () => {
    expect(namespacesOf({ kind: 'User', name: 'alice' })).toEqual(['ns-authn', 'ns-user']);
    expect(namespacesOf({ kind: 'User', name: 'bob', groups: ['devs'] })).toEqual(['ns-authn', 'ns-group']);
    expect(namespacesOf({ kind: 'User', name: 'system:anonymous' })).toEqual([]);
    // a User named like a ServiceAccount *is* that ServiceAccount to the authorizer
    expect(namespacesOf({ kind: 'User', name: 'system:serviceaccount:team-a:x' })).toContain('ns-sa-explicit');
  });

  it('a Group gets only what is bound to that group', () => {
    expect(namespacesOf({ kind: 'Group', name: 'devs' })).toEqual(['ns-group']);
    expect(namespacesOf({ kind: 'Group', name: 'alice' })).toEqual([]);
  });
});

describe('RbacEvaluator: rule matching', () => {
  const evaluatorFor = (...rules: Rule[]) =>
    new RbacEvaluator([role('ns', 'r', rules), roleBinding('ns', 'b', ['Role', 'r'], [saRef('x')])]);
  const x = sa('ns', 'x');
  const can = (rbac: RbacEvaluator, verb: string, resource: string, more: Record<string, string> = {}) =>
    rbac.can(x, { verb, resource, namespace: 'ns', ...more });

  it('matches apiGroups exactly or by "*", the core group being ""', () => {
    const rbac = evaluatorFor({ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] });
    expect(can(rbac, 'get', 'deployments', { group: 'apps' })).toBe(true);
    expect(can(rbac, 'get', 'deployments')).toBe(false);
    expect(can(rbac, 'get', 'deployments', { group: 'extensions' })).toBe(false);
    const any = evaluatorFor({ apiGroups: ['*'], resources: ['deployments'], verbs: ['get'] });
    expect(can(any, 'get', 'deployments', { group: 'extensions' })).toBe(true);
    expect(can(any, 'get', 'deployments')).toBe(true);
  });

  it('matches verbs exactly or by "*"', () => {
    expect(can(evaluatorFor(POD_ADMIN), 'patch', 'pods')).toBe(false);
    const any = evaluatorFor({ apiGroups: [''], resources: ['pods'], verbs: ['*'] });
    expect(can(any, 'patch', 'pods')).toBe(true);
    expect(can(any, 'escalate', 'pods')).toBe(true);
  });

  it('keeps subresources apart from their resource', () => {
    const rbac = evaluatorFor({ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get'] });
    expect(can(rbac, 'get', 'pods', { subresource: 'log' })).toBe(true);
    expect(can(rbac, 'get', 'pods/log')).toBe(true); // shorthand
    expect(can(rbac, 'get', 'pods', { subresource: 'exec' })).toBe(false);
    const podsOnly = evaluatorFor({ apiGroups: [''], resources: ['pods'], verbs: ['get'] });
    expect(can(podsOnly, 'get', 'pods', { subresource: 'log' })).toBe(false);
    const logOnly = evaluatorFor({ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] });
    expect(can(logOnly, 'get', 'pods')).toBe(false);
  });

  it('"*" matches every resource and subresource', () => {
    const rbac = evaluatorFor({ apiGroups: [''], resources: ['*'], verbs: ['get'] });
    expect(can(rbac, 'get', 'secrets')).toBe(true);
    expect(can(rbac, 'get', 'pods', { subresource: 'log' })).toBe(true);
  });

  it('"*/scale" matches that subresource of any resource, and nothing else', () => {
    const rbac = evaluatorFor({ apiGroups: ['apps'], resources: ['*/scale'], verbs: ['update'] });
    expect(can(rbac, 'update', 'deployments', { group: 'apps', subresource: 'scale' })).toBe(true);
    expect(can(rbac, 'update', 'statefulsets/scale', { group: 'apps' })).toBe(true);
    expect(can(rbac, 'update', 'deployments', { group: 'apps' })).toBe(false);
    expect(can(rbac, 'update', 'deployments', { group: 'apps', subresource: 'status' })).toBe(false);
  });

  it('"pods/*" is NOT a wildcard: the API server compares it literally', () => {
    const rbac = evaluatorFor({ apiGroups: [''], resources: ['pods/*'], verbs: ['get'] });
    expect(can(rbac, 'get', 'pods', { subresource: 'log' })).toBe(false);
    expect(can(rbac, 'get', 'pods')).toBe(false);
  });

  it('resourceNames restrict to named requests; list/watch/create without a name never match', () => {
    const rbac = evaluatorFor({
      apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'update', 'list', 'watch', 'create'],
      resourceNames: ['spark-conf'],
    });
    expect(can(rbac, 'get', 'configmaps', { name: 'spark-conf' })).toBe(true);
    expect(can(rbac, 'update', 'configmaps', { name: 'spark-conf' })).toBe(true);
    expect(can(rbac, 'get', 'configmaps', { name: 'other' })).toBe(false);
    expect(can(rbac, 'get', 'configmaps')).toBe(false);
    expect(can(rbac, 'list', 'configmaps')).toBe(false);
    expect(can(rbac, 'watch', 'configmaps')).toBe(false);
    expect(can(rbac, 'create', 'configmaps')).toBe(false);
    expect(rbac.grants(x).filter((g) => g.verb === 'get')).toEqual([
      { namespace: 'ns', apiGroup: '', resource: 'configmaps', verb: 'get', resourceName: 'spark-conf' },
    ]);
  });

  it('ignores nonResourceURLs rules', () => {
    const rbac = evaluatorFor({ nonResourceURLs: ['/metrics', '*'], verbs: ['get'] });
    expect(can(rbac, 'get', 'pods')).toBe(false);
    expect(rbac.grants(x)).toEqual([]);
  });

  it('rejects malformed requests', () => {
    expect(() => evaluatorFor(POD_ADMIN).can(x, { verb: '', resource: 'pods' })).toThrow(/verb/);
    expect(() => can(evaluatorFor(POD_ADMIN), 'get', 'pods/log', { subresource: 'log' })).toThrow(/subresource/);
  });
});

describe('RbacEvaluator: ClusterRole aggregation', () => {
  const bindTo = (roleName: string) => clusterRoleBinding(`to-${roleName}`, roleName, [saRef('x', 'ns')]);
  const x = sa('ns', 'x');
  const rule = (resource: string): Rule => ({ apiGroups: [''], resources: [resource], verbs: ['get'] });
  const resourcesOf = (rbac: RbacEvaluator) => rbac.grants(x).map((g) => g.resource);
  const parts = [
    clusterRole('a', [rule('pods')], { labels: { agg: 'spark', tier: 'a' } }),
    clusterRole('b', [rule('services')], { labels: { agg: 'spark', tier: 'b' } }),
    clusterRole('c', [rule('secrets')], { labels: { agg: 'other' } }),
    clusterRole('d', [rule('nodes')]),
  ];
  const aggregator = (selectors: object[], ownRules: Rule[] = []) =>
    clusterRole('agg', ownRules, { aggregationRule: { clusterRoleSelectors: selectors } });

  it('unions the rules of ClusterRoles matched by matchLabels, replacing its own rules', () => {
    const rbac = new RbacEvaluator([...parts, aggregator([{ matchLabels: { agg: 'spark' } }], [rule('configmaps')]), bindTo('agg')]);
    expect(resourcesOf(rbac)).toEqual(['pods', 'services']);
  });

  it('ORs selectors and ANDs the terms inside one selector', () => {
    const rbac = new RbacEvaluator([
      ...parts,
      aggregator([{ matchLabels: { agg: 'spark', tier: 'b' } }, { matchLabels: { agg: 'other' } }]),
      bindTo('agg'),
    ]);
    expect(resourcesOf(rbac)).toEqual(['secrets', 'services']);
  });

  it.each([
    [{ key: 'tier', operator: 'In', values: ['a', 'z'] }, ['pods']],
    [{ key: 'tier', operator: 'NotIn', values: ['a'] }, ['nodes', 'secrets', 'services']], // missing label = not in
    [{ key: 'tier', operator: 'Exists' }, ['pods', 'services']],
    [{ key: 'agg', operator: 'DoesNotExist' }, ['nodes']],
  ])('supports matchExpressions %j', (expression, expected) => {
    const rbac = new RbacEvaluator([...parts, aggregator([{ matchExpressions: [expression] }]), bindTo('agg')]);
    expect(resourcesOf(rbac)).toEqual(expected);
  });

  it('an empty selector matches every other ClusterRole; no selectors match nothing', () => {
    const all = new RbacEvaluator([...parts, aggregator([{}]), bindTo('agg')]);
    expect(resourcesOf(all)).toEqual(['nodes', 'pods', 'secrets', 'services']);
    const none = new RbacEvaluator([...parts, aggregator([], [rule('configmaps')]), bindTo('agg')]);
    expect(resourcesOf(none)).toEqual([]);
  });

  it('aggregates transitively (an aggregated role can itself be aggregated)', () => {
    const rbac = new RbacEvaluator([
      ...parts,
      clusterRole('middle', [], { labels: { top: 'yes' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'spark' } }] } }),
      clusterRole('top', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { top: 'yes' } }] } }),
      bindTo('top'),
    ]);
    expect(resourcesOf(rbac)).toEqual(['pods', 'services']);
  });

  it('rejects selectors the API server would reject', () => {
    const build = (e: object) => () => new RbacEvaluator([aggregator([{ matchExpressions: [e] }])]);
    expect(build({ key: 'k', operator: 'In', values: [] })).toThrow(/In requires values/);
    expect(build({ key: 'k', operator: 'Exists', values: ['v'] })).toThrow(/Exists forbids values/);
    expect(build({ key: 'k', operator: 'Gt', values: ['1'] })).toThrow(/not supported/);
  });
});

describe('RbacEvaluator: input handling', () => {
  it('flattens kind: List and ignores non-RBAC objects and same-named kinds of other groups', () => {
    const rbac = new RbacEvaluator([
      { apiVersion: 'v1', kind: 'List', items: [role('ns', 'r', [POD_ADMIN])] },
      roleBinding('ns', 'b', ['Role', 'r'], [saRef('x')]),
      { apiVersion: 'example.com/v1', kind: 'ClusterRole', metadata: { name: 'fake' }, rules: [{ verbs: ['*'] }] },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } },
      'not an object',
      null,
    ]);
    expect(rbac.can(sa('ns', 'x'), { verb: 'get', resource: 'pods', namespace: 'ns' })).toBe(true);
  });

  it('rejects duplicates, whose outcome would depend on apply order', () => {
    expect(() => new RbacEvaluator([role('ns', 'r', []), role('ns', 'r', [POD_ADMIN])])).toThrow(/duplicate object Role ns\/r/);
  });

  it('requires namespaces on namespaced objects unless a default is given', () => {
    const noNs = { apiVersion: RBAC, kind: 'Role', metadata: { name: 'r' }, rules: [POD_ADMIN] };
    const binding = {
      apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: 'b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [saRef('x')],
    };
    expect(() => new RbacEvaluator([noNs])).toThrow(/no metadata.namespace/);
    const rbac = new RbacEvaluator([noNs, binding], { defaultNamespace: 'dflt' });
    expect(rbac.can(sa('dflt', 'x'), { verb: 'get', resource: 'pods', namespace: 'dflt' })).toBe(true);
  });

  it('rejects malformed RBAC objects with the offending field', () => {
    expect(() => new RbacEvaluator([{ ...(role('ns', 'r', []) as object), rules: {} }])).toThrow(/Role ns\/r rules must be an array/);
    const badRef = { ...(roleBinding('ns', 'b', ['Role', 'r'], []) as Record<string, unknown>), roleRef: { kind: 'Role', name: 'r' } };
    expect(() => new RbacEvaluator([badRef])).toThrow(/roleRef.apiGroup must be rbac.authorization.k8s.io/);
  });
});
