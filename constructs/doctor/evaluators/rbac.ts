/**
 * A Kubernetes RBAC authorizer: evaluates synthesized Role / ClusterRole / RoleBinding /
 * ClusterRoleBinding manifests the way the API server does, so the platform doctor can find a
 * Spark driver that lacks a verb it needs, and tests can prove least privilege ("the driver can
 * create pods in team-a, not in team-b, and cannot read Secrets anywhere") instead of
 * snapshotting rule lists.
 *
 * Bindings are indexed once by namespace and by the identity they name, so `can` costs the
 * bindings naming the asker in the request's namespace and cluster-wide, not every binding.
 *
 * Semantics mirror the Go sources rather than the prose docs where they differ:
 * - rule matching: k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go
 * - subject matching and which bindings apply: pkg/registry/rbac/validation/rule.go
 * - aggregation: pkg/controller/clusterroleaggregation
 * Notably, "pods/*" is NOT a wildcard there (resources match literally; only "*" and "*\/sub" are
 * special), and an aggregated ClusterRole's own `rules` are replaced by the aggregate.
 */

import { Json, LabelSelector, isRecord, jsonReader, selectorMatches } from './k8s-json';

/** Who is asking: a ServiceAccount, a User (with its extra groups) or a member of one Group. */
export type Subject =
  | { kind: 'ServiceAccount'; namespace: string; name: string }
  | { kind: 'User'; name: string; groups?: readonly string[] }
  | { kind: 'Group'; name: string };

/** One API request, as the API server's authorizer sees it. */
export interface ResourceRequest {
  /** get, list, watch, create, update, patch, delete, deletecollection, escalate, ... */
  verb: string;
  /** API group; '' (core) by default. */
  group?: string;
  /** Plural resource, e.g. 'pods'; 'pods/log' is accepted as shorthand for subresource 'log'. */
  resource: string;
  /** Subresource, e.g. 'log', 'status', 'scale'. */
  subresource?: string;
  /** Request namespace; undefined (or '') = cluster-scoped request (all-namespaces list, nodes, ...). */
  namespace?: string;
  /** Object name (resourceName); undefined for list/watch/create-without-name. */
  name?: string;
}

/** One flattened permission, as returned by {@link RbacEvaluator.grants}; wildcards kept literally. */
export interface Grant {
  /** Namespace the grant is confined to, or '*' when it comes from a ClusterRoleBinding. */
  namespace: string;
  apiGroup: string;
  resource: string;
  verb: string;
  /** Present only when the rule is restricted to names. */
  resourceName?: string;
}

/** Options for {@link RbacEvaluator}. */
export interface RbacEvaluatorOptions {
  /**
   * Namespace assumed for a Role/RoleBinding without metadata.namespace (kubectl would use its
   * context's namespace). Unset = such objects are rejected, because the answer would depend on
   * how the manifests are applied.
   */
  defaultNamespace?: string;
}

/** The verbs {@link RbacEvaluator.allowedVerbs} tries by default. */
export const DEFAULT_VERBS: readonly string[] = [
  'get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection',
  'escalate', 'bind', 'impersonate',
];

const RBAC_API_GROUP = 'rbac.authorization.k8s.io';

const { metadata, listOf, stringList, requiredString, parseSelector, parseObjects } = jsonReader('RbacEvaluator');

interface PolicyRule {
  apiGroups: readonly string[];
  resources: readonly string[];
  verbs: readonly string[];
  resourceNames: readonly string[];
}

interface BindingSubject {
  kind: string;
  name: string;
  namespace?: string;
}

interface Binding {
  /** undefined for a ClusterRoleBinding. */
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: readonly BindingSubject[];
}

interface ClusterRoleDef {
  name: string;
  labels: Readonly<Record<string, string>>;
  rules: readonly PolicyRule[];
  /** Present iff the ClusterRole has an aggregationRule (even an empty one). */
  selectors?: readonly LabelSelector[];
}

/** The authenticated identity: the API server authorizes a user name plus groups, never a "kind". */
interface UserInfo {
  /** undefined when asking about a Group alone: then no User/ServiceAccount subject can match. */
  name?: string;
  groups: readonly string[];
}

/** A rule plus where it applies: a namespace, or '*' for cluster-wide. */
interface ScopedRule {
  scope: string;
  rule: PolicyRule;
}

/** Evaluates RBAC manifests like the Kubernetes API server's RBAC authorizer. */
export class RbacEvaluator {
  private readonly roles = new Map<string, readonly PolicyRule[]>();
  private readonly clusterRoles = new Map<string, readonly PolicyRule[]>();
  private readonly bindings: Binding[] = [];
  /**
   * Bindings by scope and identity (`<namespace or ''>\0user:<name>` or `...\0group:<name>`):
   * a question only looks at bindings that name the asker, in the request's namespace or
   * cluster-wide.
   */
  private readonly bindingIndex = new Map<string, Binding[]>();
  private readonly serviceAccountList: Array<{ namespace: string; name: string }> = [];
  /**
   * The rules reaching an identity through the bindings that apply in a namespace, by identity
   * and namespace: the evaluator never changes once built, and the doctor asks about the same
   * account a dozen times (one question per verb and resource).
   */
  private readonly rulesByAsker = new Map<string, readonly ScopedRule[]>();

  /** Indexes the RBAC objects among `objects` (a `kind: List` is flattened; other kinds are ignored). */
  constructor(objects: readonly unknown[], options: RbacEvaluatorOptions = {}) {
    const parser = new ManifestParser(options.defaultNamespace);
    const clusterRoleDefs: ClusterRoleDef[] = [];
    for (const parsed of parseObjects(objects, (obj) => parser.parse(obj))) this.index(parsed, clusterRoleDefs);
    for (const [name, rules] of aggregateClusterRoles(clusterRoleDefs)) this.clusterRoles.set(name, rules);
  }

  /** Whether `subject` may perform `request` (an RBAC allow; RBAC has no deny rules). */
  can(subject: Subject, request: ResourceRequest): boolean {
    const req = normalizeRequest(request);
    return this.rulesFor(toUserInfo(subject), req.namespace).some(
      ({ scope, rule }) => scopeCovers(scope, req.namespace) && ruleAllows(rule, req),
    );
  }

  /**
   * Many questions by one subject in one namespace: `can` with the bindings looked up once.
   * Returns whether the subject may perform a request in `namespace` (undefined or '' =
   * cluster-scoped requests).
   */
  canIn(subject: Subject, namespace?: string): (request: Omit<ResourceRequest, 'namespace'>) => boolean {
    const rules = this.rulesFor(toUserInfo(subject), namespace ?? '');
    return (request) => {
      const req = normalizeRequest(request, namespace ?? '');
      return rules.some(({ scope, rule }) => scopeCovers(scope, req.namespace) && ruleAllows(rule, req));
    };
  }

  /** The rules reaching `user` through bindings that name it, cluster-wide or in `namespace` ('' = cluster-scoped request). */
  private rulesFor(user: UserInfo, namespace: string): readonly ScopedRule[] {
    // NUL never occurs in names, so the key is unambiguous.
    const key = `${user.name ?? ''}\u0000${user.name === undefined ? 'g' : 'u'}\u0000${namespace}\u0000${user.groups.join('\u0000')}`;
    let rules = this.rulesByAsker.get(key);
    if (!rules) {
      const identities = [...(user.name !== undefined ? [`user:${user.name}`] : []), ...user.groups.map((g) => `group:${g}`)];
      const relevant = new Set<Binding>();
      for (const scope of namespace ? ['', namespace] : ['']) {
        for (const id of identities) for (const b of this.bindingIndex.get(`${scope}\u0000${id}`) ?? []) relevant.add(b);
      }
      rules = this.scopedRules(user, [...relevant]);
      this.rulesByAsker.set(key, rules);
    }
    return rules;
  }

  /** The verbs among `candidates` (default {@link DEFAULT_VERBS}) the subject has on a resource, in candidate order. */
  allowedVerbs(
    subject: Subject,
    request: Omit<ResourceRequest, 'verb'>,
    candidates: readonly string[] = DEFAULT_VERBS,
  ): string[] {
    return candidates.filter((verb) => this.can(subject, { ...request, verb }));
  }

  /** All grants of a subject, one per (namespace, apiGroup, resource, verb[, resourceName]), deduplicated and sorted. */
  grants(subject: Subject): Grant[] {
    const byKey = new Map<string, Grant>();
    for (const { scope, rule } of this.scopedRules(toUserInfo(subject))) {
      for (const grant of flattenRule(scope, rule)) byKey.set(grantKey(grant), grant);
    }
    return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  }

  /** The ServiceAccounts declared in the input, sorted by namespace then name. */
  serviceAccounts(): Array<{ namespace: string; name: string }> {
    return [...this.serviceAccountList].sort((a, b) =>
      a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace),
    );
  }

  private index(parsed: ParsedObject, clusterRoleDefs: ClusterRoleDef[]): void {
    switch (parsed.kind) {
      case 'Role':
        this.roles.set(`${parsed.namespace}/${parsed.name}`, parsed.rules);
        break;
      case 'ClusterRole':
        clusterRoleDefs.push(parsed.def);
        break;
      case 'Binding': {
        const binding = parsed.binding;
        this.bindings.push(binding);
        for (const subject of binding.subjects) {
          const id = subjectIdentity(subject, binding.namespace);
          if (id === undefined) continue;
          const key = `${binding.namespace ?? ''}\u0000${id}`;
          const list = this.bindingIndex.get(key);
          if (!list) this.bindingIndex.set(key, [binding]);
          else if (list[list.length - 1] !== binding) list.push(binding);
        }
        break;
      }
      case 'ServiceAccount':
        this.serviceAccountList.push({ namespace: parsed.namespace, name: parsed.name });
        break;
    }
  }

  /** Every rule reaching `user` through a binding, tagged with the namespace the binding confines it to. */
  private scopedRules(user: UserInfo, bindings: readonly Binding[] = this.bindings): ScopedRule[] {
    const out: ScopedRule[] = [];
    for (const binding of bindings) {
      if (!binding.subjects.some((s) => subjectMatches(s, user, binding.namespace))) continue;
      for (const rule of this.roleRefRules(binding)) out.push({ scope: binding.namespace ?? '*', rule });
    }
    return out;
  }

  /** Rules behind a roleRef; a missing role grants nothing (the API server accepts dangling roleRefs). */
  private roleRefRules(binding: Binding): readonly PolicyRule[] {
    const { kind, name } = binding.roleRef;
    if (kind === 'ClusterRole') return this.clusterRoles.get(name) ?? [];
    if (kind === 'Role' && binding.namespace !== undefined) {
      return this.roles.get(`${binding.namespace}/${name}`) ?? [];
    }
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Request and subject matching

interface NormalizedRequest {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** `request` as the authorizer compares it; `namespace` (when given) in place of the request's own. */
function normalizeRequest(request: Omit<ResourceRequest, 'namespace'> & { namespace?: string }, namespace = request.namespace): NormalizedRequest {
  if (!request.verb) throw new Error('RbacEvaluator: request.verb is required');
  let { resource, subresource } = request;
  const slash = resource.indexOf('/');
  if (slash >= 0) {
    if (subresource !== undefined) {
      throw new Error(`RbacEvaluator: resource ${JSON.stringify(resource)} already names a subresource`);
    }
    subresource = resource.slice(slash + 1);
    resource = resource.slice(0, slash);
  }
  return {
    verb: request.verb,
    group: request.group ?? '',
    resource,
    subresource: subresource ?? '',
    namespace: namespace ?? '',
    name: request.name ?? '',
  };
}

/** A RoleBinding's rules apply only to requests in its namespace; never to cluster-scoped ones. */
function scopeCovers(scope: string, requestNamespace: string): boolean {
  return scope === '*' || (requestNamespace !== '' && scope === requestNamespace);
}

/** RuleAllows from evaluation_helpers.go, for resource requests. */
function ruleAllows(rule: PolicyRule, req: NormalizedRequest): boolean {
  const combined = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  return (
    rule.verbs.some((v) => v === '*' || v === req.verb) &&
    rule.apiGroups.some((g) => g === '*' || g === req.group) &&
    rule.resources.some((r) => resourceMatches(r, combined, req.subresource)) &&
    (rule.resourceNames.length === 0 || rule.resourceNames.includes(req.name))
  );
}

/** "*" matches every resource and subresource; "*\/x" matches subresource x of any resource; else literal. */
function resourceMatches(ruleResource: string, combined: string, subresource: string): boolean {
  if (ruleResource === '*' || ruleResource === combined) return true;
  return subresource !== '' && ruleResource === `*/${subresource}`;
}

/**
 * The identity the API server would authorize. ServiceAccount tokens authenticate as
 * system:serviceaccount:<ns>:<name> with the three groups below; every non-anonymous user also
 * gets system:authenticated (the authenticator adds it), anonymous gets system:unauthenticated.
 */
function toUserInfo(subject: Subject): UserInfo {
  switch (subject.kind) {
    case 'ServiceAccount':
      return {
        name: `system:serviceaccount:${subject.namespace}:${subject.name}`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${subject.namespace}`, 'system:authenticated'],
      };
    case 'User': {
      const implicit = subject.name === 'system:anonymous' ? 'system:unauthenticated' : 'system:authenticated';
      return { name: subject.name, groups: [...(subject.groups ?? []), implicit] };
    }
    case 'Group':
      return { groups: [subject.name] };
  }
}

/** The identity a subject names (`user:<name>` or `group:<name>`), as subjectMatches compares it. */
function subjectIdentity(subject: BindingSubject, bindingNamespace: string | undefined): string | undefined {
  switch (subject.kind) {
    case 'User':
      return `user:${subject.name}`;
    case 'Group':
      return `group:${subject.name}`;
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return ns ? `user:system:serviceaccount:${ns}:${subject.name}` : undefined;
    }
    default:
      return undefined;
  }
}

/** appliesToUser from rule.go: an SA subject's namespace defaults to the RoleBinding's namespace. */
function subjectMatches(subject: BindingSubject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name !== undefined && user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return !!ns && user.name === `system:serviceaccount:${ns}:${subject.name}`;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Grants flattening

function flattenRule(scope: string, rule: PolicyRule): Grant[] {
  const out: Grant[] = [];
  for (const apiGroup of rule.apiGroups) {
    for (const resource of rule.resources) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames.length === 0) out.push({ namespace: scope, apiGroup, resource, verb });
        for (const resourceName of rule.resourceNames) {
          out.push({ namespace: scope, apiGroup, resource, verb, resourceName });
        }
      }
    }
  }
  return out;
}

/** A sort key ordering by namespace, apiGroup, resource, verb, resourceName (NUL never occurs in names). */
function grantKey(g: Grant): string {
  return [g.namespace, g.apiGroup, g.resource, g.verb, g.resourceName ?? ''].join('\u0000');
}

// ---------------------------------------------------------------------------------------------
// Aggregation

/**
 * Effective rules of every ClusterRole. An aggregating role's rules are the union of the rules of
 * the other ClusterRoles its selectors match (its own `rules` are overwritten by the controller).
 * Aggregated roles can themselves be aggregated; the controller converges by re-syncing, which
 * here is a fixpoint iteration (monotone, so it terminates, cycles included).
 */
function aggregateClusterRoles(defs: readonly ClusterRoleDef[]): Map<string, readonly PolicyRule[]> {
  const effective = new Map<string, PolicyRule[]>();
  for (const def of defs) effective.set(def.name, def.selectors ? [] : [...def.rules]);
  let changed = true;
  while (changed) {
    changed = false;
    for (const def of defs) {
      if (!def.selectors) continue;
      const current = effective.get(def.name) ?? [];
      for (const rule of aggregatedRules(def, defs, effective)) {
        if (!current.some((r) => sameRule(r, rule))) {
          current.push(rule);
          changed = true;
        }
      }
      effective.set(def.name, current);
    }
  }
  return effective;
}

function aggregatedRules(
  target: ClusterRoleDef,
  defs: readonly ClusterRoleDef[],
  effective: ReadonlyMap<string, readonly PolicyRule[]>,
): PolicyRule[] {
  const matched = defs.filter(
    (d) => d.name !== target.name && (target.selectors ?? []).some((s) => selectorMatches(s, d.labels)),
  );
  return matched.flatMap((d) => [...(effective.get(d.name) ?? [])]);
}

function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---------------------------------------------------------------------------------------------
// Parsing untyped manifests

type ParsedObject =
  | { kind: 'Role'; key: string; namespace: string; name: string; rules: PolicyRule[] }
  | { kind: 'ClusterRole'; key: string; def: ClusterRoleDef }
  | { kind: 'Binding'; key: string; binding: Binding }
  | { kind: 'ServiceAccount'; key: string; namespace: string; name: string };

/** Turns one manifest into an indexed form, rejecting malformed RBAC objects loudly. */
class ManifestParser {
  constructor(private readonly defaultNamespace: string | undefined) {}

  parse(obj: unknown): ParsedObject | undefined {
    if (!isRecord(obj) || typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') return undefined;
    const { kind, apiVersion } = obj;
    if (kind === 'ServiceAccount' && apiVersion === 'v1') return this.serviceAccount(obj);
    // Same kind names may exist in other API groups (CRDs): only rbac.authorization.k8s.io counts.
    if (!apiVersion.startsWith(`${RBAC_API_GROUP}/`)) return undefined;
    switch (kind) {
      case 'Role':
        return this.role(obj);
      case 'ClusterRole':
        return this.clusterRole(obj);
      case 'RoleBinding':
      case 'ClusterRoleBinding':
        return this.binding(obj, kind);
      default:
        return undefined;
    }
  }

  private serviceAccount(obj: Json): ParsedObject {
    const { name, namespace } = this.namespacedMeta(obj, 'ServiceAccount');
    return { kind: 'ServiceAccount', key: `ServiceAccount ${namespace}/${name}`, namespace, name };
  }

  private role(obj: Json): ParsedObject {
    const { name, namespace } = this.namespacedMeta(obj, 'Role');
    const where = `Role ${namespace}/${name}`;
    return { kind: 'Role', key: where, namespace, name, rules: parseRules(obj.rules, where) };
  }

  private clusterRole(obj: Json): ParsedObject {
    const meta = metadata(obj, 'ClusterRole');
    const where = `ClusterRole ${meta.name}`;
    const def: ClusterRoleDef = {
      name: meta.name,
      labels: meta.labels,
      rules: parseRules(obj.rules, where),
      ...(obj.aggregationRule !== undefined && obj.aggregationRule !== null
        ? { selectors: parseAggregationRule(obj.aggregationRule, where) }
        : {}),
    };
    return { kind: 'ClusterRole', key: where, def };
  }

  private binding(obj: Json, kind: 'RoleBinding' | 'ClusterRoleBinding'): ParsedObject {
    const namespaced = kind === 'RoleBinding';
    const meta = namespaced ? this.namespacedMeta(obj, kind) : metadata(obj, kind);
    const where = namespaced ? `${kind} ${meta.namespace}/${meta.name}` : `${kind} ${meta.name}`;
    const binding: Binding = {
      ...(namespaced ? { namespace: meta.namespace } : {}),
      roleRef: parseRoleRef(obj.roleRef, where, !namespaced),
      subjects: listOf(obj.subjects, `${where} subjects`).map((s, i) =>
        parseSubject(s, `${where} subjects[${i}]`, !namespaced),
      ),
    };
    return { kind: 'Binding', key: where, binding };
  }

  private namespacedMeta(obj: Json, kind: string): { name: string; namespace: string } {
    const meta = metadata(obj, kind);
    const namespace = meta.namespace ?? this.defaultNamespace;
    if (!namespace) {
      throw new Error(
        `RbacEvaluator: ${kind} ${meta.name} has no metadata.namespace; set it, or pass options.defaultNamespace`,
      );
    }
    return { name: meta.name, namespace };
  }
}

/** nonResourceURLs are dropped: a rule with only those has no resources, so it matches no resource request. */
function parseRules(value: unknown, where: string): PolicyRule[] {
  return listOf(value, `${where} rules`).map((r, i) => {
    const at = `${where} rules[${i}]`;
    if (!isRecord(r)) throw new Error(`RbacEvaluator: ${at} must be an object`);
    return {
      apiGroups: stringList(r.apiGroups, `${at}.apiGroups`),
      resources: stringList(r.resources, `${at}.resources`),
      verbs: stringList(r.verbs, `${at}.verbs`),
      resourceNames: stringList(r.resourceNames, `${at}.resourceNames`),
    };
  });
}

/** Validation the API server applies on create: a bad roleRef never reaches the cluster, so fail loudly. */
function parseRoleRef(value: unknown, where: string, clusterBinding: boolean): { kind: string; name: string } {
  if (!isRecord(value)) throw new Error(`RbacEvaluator: ${where} has no roleRef`);
  if (value.apiGroup !== RBAC_API_GROUP) {
    throw new Error(`RbacEvaluator: ${where} roleRef.apiGroup must be ${RBAC_API_GROUP}`);
  }
  const kind = requiredString(value, 'kind', `${where} roleRef`);
  const allowed = clusterBinding ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  if (!allowed.includes(kind)) {
    throw new Error(`RbacEvaluator: ${where} roleRef.kind must be ${allowed.join(' or ')}, got ${JSON.stringify(kind)}`);
  }
  return { kind, name: requiredString(value, 'name', `${where} roleRef`) };
}

/** Subject validation as on the API server: known kinds only, and a cluster binding must name the SA's namespace. */
function parseSubject(value: unknown, where: string, clusterBinding: boolean): BindingSubject {
  if (!isRecord(value)) throw new Error(`RbacEvaluator: ${where} must be an object`);
  const kind = requiredString(value, 'kind', where);
  if (!['User', 'Group', 'ServiceAccount'].includes(kind)) {
    throw new Error(`RbacEvaluator: ${where}.kind ${JSON.stringify(kind)} must be User, Group or ServiceAccount`);
  }
  const namespace = typeof value.namespace === 'string' && value.namespace !== '' ? value.namespace : undefined;
  if (kind === 'ServiceAccount' && clusterBinding && !namespace) {
    throw new Error(`RbacEvaluator: ${where}: a ServiceAccount subject of a ClusterRoleBinding needs a namespace`);
  }
  return { kind, name: requiredString(value, 'name', where), ...(namespace ? { namespace } : {}) };
}

function parseAggregationRule(value: unknown, where: string): LabelSelector[] {
  if (!isRecord(value)) throw new Error(`RbacEvaluator: ${where} aggregationRule must be an object`);
  const at = `${where} aggregationRule.clusterRoleSelectors`;
  return listOf(value.clusterRoleSelectors, at).map((s, i) => parseSelector(s, `${at}[${i}]`));
}
