import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * The Spark operator's RBAC rules, as upstream v2.5.2 grants them and no more: each rule here is
 * one the operator uses at run time (a verb missing breaks it, a verb added is excess privilege).
 * @see https://github.com/kubeflow/spark-operator/tree/v2.5.2/charts/spark-operator-chart/templates
 */
export interface Rule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

const SPARK_GROUP = 'sparkoperator.k8s.io';
const SPARK_KINDS = ['sparkapplications', 'scheduledsparkapplications', 'sparkconnects'];

/** What the controller does in a namespace whose applications it runs. */
export const CONTROLLER_JOB_RULES: readonly Rule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'update', 'patch'] },
  { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'create', 'update', 'delete'] },
  { apiGroups: [SPARK_GROUP], resources: ['sparkapplications'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
  { apiGroups: [SPARK_GROUP], resources: ['scheduledsparkapplications', 'sparkconnects'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [SPARK_GROUP], resources: SPARK_KINDS.flatMap((k) => [`${k}/status`, `${k}/finalizers`]), verbs: ['update'] },
];

/**
 * What the controller needs in a job namespace when batch scheduling is on: Volcano's PodGroups
 * (under each API group Volcano has used), which it creates for every application.
 */
export const CONTROLLER_BATCH_RULES: readonly Rule[] = [
  { apiGroups: ['scheduling.incubator.k8s.io', 'scheduling.sigs.dev', 'scheduling.volcano.sh'], resources: ['podgroups'], verbs: ['*'] },
];

/** Cluster-scoped reads of the controller (it checks the CRDs it serves). */
export const CONTROLLER_CLUSTER_RULES: readonly Rule[] = [
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get'] },
];

/** What the webhook reads in a namespace whose applications and pods it admits. */
export const WEBHOOK_JOB_RULES: readonly Rule[] = [
  { apiGroups: [''], resources: ['resourcequotas'], verbs: ['list'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  { apiGroups: [SPARK_GROUP], resources: ['sparkapplications', 'scheduledsparkapplications'], verbs: ['get', 'list', 'watch'] },
];

/** The webhook keeps `caBundle` of its own two configurations up to date. */
export function webhookClusterRules(configurationName: string): Rule[] {
  const kinds = ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'];
  return [
    { apiGroups: ['admissionregistration.k8s.io'], resources: kinds, verbs: ['list', 'watch'] },
    { apiGroups: ['admissionregistration.k8s.io'], resources: kinds, verbs: ['get', 'update'], resourceNames: [configurationName] },
  ];
}

/** Leader election on a Lease, plus events, in the operator's namespace. */
export function leaderElectionRules(lockName: string): Rule[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: [lockName] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'update', 'patch'] },
  ];
}

/** The webhook writes its self-generated certificate to one Secret it creates. */
export function webhookSecretRules(secretName: string): Rule[] {
  return [
    { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'update'], resourceNames: [secretName] },
  ];
}

/** The typed L1 form of rules. */
export function toPolicyRules(rules: readonly Rule[]): k8s.PolicyRule[] {
  return rules.map((r) => ({
    apiGroups: [...r.apiGroups],
    resources: [...r.resources],
    verbs: [...r.verbs],
    resourceNames: r.resourceNames ? [...r.resourceNames] : undefined,
  }));
}

/** Options of `grantRules`. */
export interface GrantOptions {
  /** Name of the Role/ClusterRole and its binding. */
  readonly name: string;
  /** Namespace of a Role; undefined for a ClusterRole. */
  readonly namespace?: string;
  /** The rules. */
  readonly rules: readonly Rule[];
  /** The ServiceAccount granted them. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
  /** Labels of both objects. */
  readonly labels: Record<string, string>;
}

/** A Role (in `namespace`) or ClusterRole (without) holding `rules`, bound to one ServiceAccount. */
export function grantRules(scope: Construct, id: string, o: GrantOptions): void {
  const metadata = { name: o.name, namespace: o.namespace, labels: o.labels };
  const subjects = [{ kind: 'ServiceAccount', name: o.serviceAccount.name, namespace: o.serviceAccount.namespace }];
  if (o.namespace === undefined) {
    new k8s.KubeClusterRole(scope, `${id}ClusterRole`, { metadata, rules: toPolicyRules(o.rules) });
    new k8s.KubeClusterRoleBinding(scope, `${id}ClusterRoleBinding`, { metadata, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: o.name }, subjects });
  } else {
    new k8s.KubeRole(scope, `${id}Role`, { metadata, rules: toPolicyRules(o.rules) });
    new k8s.KubeRoleBinding(scope, `${id}RoleBinding`, { metadata, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: o.name }, subjects });
  }
}
