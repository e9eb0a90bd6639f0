import { SparkPlatformError } from '../../constructs/errors';
import { platformLabels } from '../../constructs/labels';
import type { SecretRef } from '../../constructs/secret-refs';
import { KIND_ORDER, KubeObject } from '../gitops';
import { apiGroupOf, isCustomResource, resourceName } from './resources';

/** One chart's objects as `Chart.toJson()` returns them, and the charts it depends on. */
export interface ChartManifests {
  /** The chart's construct id, e.g. `operator`. */
  readonly id: string;
  /** Ids of the charts it depends on (cdk8s chart dependencies). */
  readonly dependsOn: readonly string[];
  /** Its objects. */
  readonly objects: readonly KubeObject[];
}

/** One Pulumi resource to register, in registration order. */
export interface PlannedResource {
  /** The Pulumi resource name (see resourceName). */
  readonly name: string;
  /** The object, exactly as synthesized (a Secret the target creates has no data yet). */
  readonly object: KubeObject;
  /** The chart it comes from; undefined for a Secret created from a SecretRef. */
  readonly chart?: string;
  /** The declaration a target-created Secret comes from. */
  readonly secretRef?: SecretRef;
  /** Names of the resources it must come after (each planned earlier). */
  readonly dependsOn: readonly string[];
}

/** Annotation on a target-created Secret: who reads it. */
export const SECRET_PURPOSE_ANNOTATION = 'spark-platform.io/read-by';

/** Built-in kinds that run pods: they wait for their ServiceAccounts, RBAC and Secrets. */
const POD_KINDS: ReadonlySet<string> = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);
/** Kinds whose pods keep running (a webhook's server). */
const SERVER_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
/** Kinds that make a chart "up" for the charts depending on it: schemas, running servers, finished setup Jobs, admission. */
const GATE_KINDS: ReadonlySet<string> = new Set([
  'CustomResourceDefinition', 'APIService', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
]);
const WEBHOOK_KINDS: ReadonlySet<string> = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
/** Spark conf keys naming the ServiceAccount of the pods spark-submit creates. */
const SPARK_ACCOUNT_CONF = /^spark\.kubernetes\.authenticate\.(driver|executor)\.serviceAccountName$/;
const KIND_RANK = new Map(KIND_ORDER.map((k, i) => [k, i]));

interface Node {
  readonly name: string;
  readonly object: KubeObject;
  readonly chart?: string;
  readonly secretRef?: SecretRef;
  readonly deps: Set<string>;
}

/**
 * Orders the objects of the charts plus the Secrets the target creates (`secrets`) as Pulumi
 * resources with explicit dependencies, linear in the number of objects (every lookup goes
 * through an index):
 *
 * - a namespaced object comes after its Namespace, when the platform has it;
 * - a custom resource after the CRD of its group and kind, when the platform has it;
 * - an object that runs pods (built-in workloads; custom resources naming a ServiceAccount, such
 *   as SparkApplication) after the ServiceAccounts it names, the (Cluster)RoleBindings binding
 *   them and their (Cluster)Roles, and after the target-created Secrets of its namespace;
 * - a target-created Secret after its Namespace;
 * - a webhook configuration after its Service and the servers in that Service's namespace;
 * - every object of a chart after the "gates" of the charts it depends on: their CRDs, servers
 *   (Deployment, StatefulSet, DaemonSet), Jobs and webhook configurations, which Pulumi awaits.
 *
 * The result is topologically sorted (charts in order, kinds in KIND_ORDER within a chart, each
 * resource after its dependencies). Throws on two objects with one resource name and on a Secret
 * that is both emitted and declared as created by the target.
 */
export function planResources(environment: string, charts: readonly ChartManifests[], secrets: readonly SecretRef[] = []): PlannedResource[] {
  const nodes: Node[] = [];
  const byName = new Map<string, Node>();
  const add = (node: Node): void => {
    const clash = byName.get(node.name);
    if (clash) {
      const from = (n: Node) => (n.chart ? `chart ${n.chart}` : `a secret reference (${n.secretRef?.purpose})`);
      throw new SparkPlatformError(
        node.name,
        `${node.object.apiVersion} ${node.object.kind} from ${from(node)} has the same Pulumi resource name as ${clash.object.apiVersion} ${clash.object.kind} from ${from(clash)}`,
        node.secretRef ? 'a Secret the platform emits is not also a secret reference: drop the declareSecretRef (or SecretSource.existing) for it' : 'give the objects different names, or the kinds different names',
      );
    }
    byName.set(node.name, node);
    nodes.push(node);
  };
  for (const chart of charts) {
    const ranked = chart.objects.map((object, i) => ({ object, i, rank: KIND_RANK.get(object.kind) ?? KIND_ORDER.length }));
    ranked.sort((a, b) => a.rank - b.rank || a.i - b.i);
    for (const { object } of ranked) add({ name: resourceName(environment, object), object, chart: chart.id, deps: new Set() });
  }
  for (const ref of secrets) {
    const object = secretObject(ref);
    add({ name: resourceName(environment, object), object, secretRef: ref, deps: new Set() });
  }

  // Indexes: one pass.
  const namespaces = new Map<string, string>();
  const crds = new Map<string, string>();
  const accounts = new Map<string, string>();
  const roles = new Map<string, string>();
  const services = new Map<string, string>();
  const bindingsBySubject = new Map<string, Node[]>();
  const serversByNamespace = new Map<string, string[]>();
  const secretsByNamespace = new Map<string, string[]>();
  const gatesByChart = new Map<string, string[]>();
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const node of nodes) {
    const o = node.object;
    const ns = o.metadata.namespace ?? '';
    const key = `${ns}/${o.metadata.name}`;
    switch (o.kind) {
      case 'Namespace': namespaces.set(o.metadata.name ?? '', node.name); break;
      case 'CustomResourceDefinition': {
        const spec = o.spec as { group?: string; names?: { kind?: string } } | undefined;
        crds.set(`${spec?.group}/${spec?.names?.kind}`, node.name);
        break;
      }
      case 'ServiceAccount': accounts.set(key, node.name); break;
      case 'Role': case 'ClusterRole': roles.set(`${o.kind}:${key}`, node.name); break;
      case 'Service': services.set(key, node.name); break;
      case 'RoleBinding': case 'ClusterRoleBinding':
        for (const s of asArray<{ kind?: string; name?: string; namespace?: string }>(o.subjects)) {
          if (s.kind === 'ServiceAccount') push(bindingsBySubject, `${s.namespace ?? ns}/${s.name}`, node);
        }
        break;
      default: break;
    }
    if (SERVER_KINDS.has(o.kind) && apiGroupOf(o.apiVersion) === 'apps') push(serversByNamespace, ns, node.name);
    if (node.secretRef) push(secretsByNamespace, ns, node.name);
    if (node.chart && GATE_KINDS.has(o.kind) && !isCustomResource(o.apiVersion)) push(gatesByChart, node.chart, node.name);
  }
  const chartDeps = new Map(charts.map((c) => [c.id, c.dependsOn]));

  for (const node of nodes) {
    const o = node.object;
    const ns = o.metadata.namespace;
    const dep = (name: string | undefined) => {
      if (name !== undefined && name !== node.name) node.deps.add(name);
    };
    if (ns !== undefined) dep(namespaces.get(ns));
    const custom = isCustomResource(o.apiVersion);
    if (custom) dep(crds.get(`${apiGroupOf(o.apiVersion)}/${o.kind}`));
    const named = POD_KINDS.has(o.kind) || custom ? serviceAccountsOf(o) : [];
    if (ns !== undefined && (POD_KINDS.has(o.kind) || named.length > 0)) {
      for (const account of named) {
        const key = `${ns}/${account}`;
        dep(accounts.get(key));
        for (const binding of bindingsBySubject.get(key) ?? []) {
          dep(binding.name);
          const ref = binding.object.roleRef as { kind?: string; name?: string } | undefined;
          const roleNs = ref?.kind === 'Role' ? binding.object.metadata.namespace ?? '' : '';
          dep(roles.get(`${ref?.kind}:${roleNs}/${ref?.name}`));
        }
      }
      for (const secret of secretsByNamespace.get(ns) ?? []) dep(secret);
    }
    if (WEBHOOK_KINDS.has(o.kind)) {
      for (const w of asArray<{ clientConfig?: { service?: { namespace?: string; name?: string } } }>(o.webhooks)) {
        const svc = w.clientConfig?.service;
        if (!svc?.namespace) continue;
        dep(services.get(`${svc.namespace}/${svc.name}`));
        for (const server of serversByNamespace.get(svc.namespace) ?? []) dep(server);
      }
    }
    for (const upstream of node.chart ? chartDeps.get(node.chart) ?? [] : []) {
      for (const gate of gatesByChart.get(upstream) ?? []) dep(gate);
    }
  }
  return topologicalOrder(nodes, byName);
}

/** The Secret object a target creates for `ref` (no data: the target adds it). */
export function secretObject(ref: SecretRef): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: ref.name, namespace: ref.namespace, labels: platformLabels(), annotations: { [SECRET_PURPOSE_ANNOTATION]: ref.purpose } },
    type: 'Opaque',
  };
}

/**
 * The ServiceAccounts an object's pods run as, by name (in its namespace): pod specs'
 * `serviceAccountName`/`serviceAccount` (SparkApplication's driver and executor too), and Spark's
 * `spark.kubernetes.authenticate.{driver,executor}.serviceAccountName`, as a conf map key or a
 * `--conf key=value` argument (a spark-submit Job's drivers). Linear in the object's size.
 */
export function serviceAccountsOf(object: KubeObject): string[] {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const eq = v.indexOf('=');
      if (eq > 0 && SPARK_ACCOUNT_CONF.test(v.slice(0, eq)) && eq < v.length - 1) found.add(v.slice(eq + 1));
      return;
    }
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    for (const [k, child] of Object.entries(v)) {
      if (typeof child === 'string' && (k === 'serviceAccountName' || k === 'serviceAccount' || SPARK_ACCOUNT_CONF.test(k))) found.add(child);
      else walk(child);
    }
  };
  for (const [k, v] of Object.entries(object)) if (k !== 'metadata') walk(v);
  return [...found];
}

function asArray<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** Depth-first: each node after its dependencies, otherwise in `nodes` order. Throws on a cycle. */
function topologicalOrder(nodes: readonly Node[], byName: ReadonlyMap<string, Node>): PlannedResource[] {
  const state = new Map<string, 'open' | 'done'>();
  const out: PlannedResource[] = [];
  for (const root of nodes) {
    if (state.has(root.name)) continue;
    // Iterative DFS: a deep chain must not overflow the stack.
    const stack: Array<{ node: Node; deps: string[]; next: number }> = [{ node: root, deps: [...root.deps], next: 0 }];
    state.set(root.name, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.deps.length) {
        const name = top.deps[top.next++];
        const s = state.get(name);
        if (s === 'done') continue;
        if (s === 'open') {
          const cycle = [...stack.slice(stack.findIndex((f) => f.node.name === name)).map((f) => f.node.name), name];
          throw new Error(`Pulumi adapter: dependency cycle ${cycle.join(' -> ')}`);
        }
        const node = byName.get(name)!;
        state.set(name, 'open');
        stack.push({ node, deps: [...node.deps], next: 0 });
        continue;
      }
      stack.pop();
      state.set(top.node.name, 'done');
      const n = top.node;
      out.push({ name: n.name, object: n.object, chart: n.chart, secretRef: n.secretRef, dependsOn: [...n.deps] });
    }
  }
  return out;
}
