import type { Rule } from '../operator/operator-rbac';

/**
 * RBAC of Apache Spark's Kubernetes operator (1.0.0) and of the Spark drivers it launches. The
 * resources and verbs are the ones the operator's Helm chart grants (templates/operator-rbac.yaml
 * and workload-rbac.yaml); where this project grants less, the comment says why and the
 * conformance test (test/apache-operator) lists the difference.
 */

/** Every verb the chart grants on the resources the operator manages. */
const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;

/** The operator's API group. */
export const APACHE_SPARK_GROUP = 'spark.apache.org';

/**
 * The operator's own kinds and the subresources it writes: status (reconciliation results) and
 * finalizers (owner references with blockOwnerDeletion on the pods it creates). The chart grants
 * `spark.apache.org/*`; naming them keeps a later CRD in the group out of the grant.
 */
export const APACHE_SPARK_RESOURCES: readonly string[] = ['sparkapplications', 'sparkclusters'].flatMap((k) => [k, `${k}/status`, `${k}/finalizers`]);

/**
 * What the operator does in a namespace it watches: the driver, executors' Services and
 * ConfigMaps, on-demand PVCs, SparkCluster StatefulSets and autoscalers, the UI's Ingress or
 * Gateway routes, NetworkPolicies and PDBs it may create, events, and its own custom resources.
 */
export const APACHE_OPERATOR_JOB_RULES: readonly Rule[] = [
  { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims', 'events'], verbs: MANAGE },
  { apiGroups: ['apps'], resources: ['statefulsets'], verbs: MANAGE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: MANAGE },
  { apiGroups: [APACHE_SPARK_GROUP], resources: APACHE_SPARK_RESOURCES, verbs: MANAGE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: MANAGE },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'grpcroutes'], verbs: MANAGE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: MANAGE },
];

/**
 * Leader election (replicas > 1), in the operator's namespace where the lease lives
 * (`spark.kubernetes.operator.namespace`). One rule with get, create and update: the operator
 * SDK checks, before electing, that a single rule of a SelfSubjectRulesReview holds all three,
 * and its lease lock uses nothing else. `create` cannot be limited to a name, so neither is the rule.
 */
export const APACHE_OPERATOR_LEASE_RULES: readonly Rule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];

/**
 * What a Spark driver does in its namespace (the chart's workload role): executor pods, their
 * Service and ConfigMaps, on-demand PVCs; StatefulSets for SparkCluster workers.
 */
export const APACHE_WORKLOAD_RULES: readonly Rule[] = [
  { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'], verbs: MANAGE },
  { apiGroups: ['apps'], resources: ['statefulsets'], verbs: MANAGE },
];
