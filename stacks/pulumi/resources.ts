import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { SparkPlatformError } from '../../constructs/errors';
import type { KubeObject } from '../gitops';

/** Creates the Pulumi resource of one Kubernetes object. */
export type ResourceFactory = (name: string, object: KubeObject, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** A typed @pulumi/kubernetes class, e.g. `k8s.apps.v1.Deployment`. */
type TypedResourceClass<A> = new (name: string, args?: A, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * One table row: the object goes to the typed class as its args. The cast is the adapter's trust
 * boundary: every object has passed the Kubernetes schema validation `cdk8s synth` runs.
 */
function typed<A>(apiVersion: string, kind: string, cls: TypedResourceClass<A>): [string, ResourceFactory] {
  return [`${apiVersion}/${kind}`, (name, object, opts) => new cls(name, object as unknown as A, opts)];
}

/**
 * The built-in kinds the platform emits (and their close relatives), keyed by
 * `<apiVersion>/<kind>`, with the typed @pulumi/kubernetes class each becomes. A built-in kind
 * missing here fails the program with the row to add.
 */
export const BUILTIN_RESOURCES: ReadonlyMap<string, ResourceFactory> = new Map([
  typed('v1', 'Namespace', k8s.core.v1.Namespace),
  typed('v1', 'ServiceAccount', k8s.core.v1.ServiceAccount),
  typed('v1', 'Secret', k8s.core.v1.Secret),
  typed('v1', 'ConfigMap', k8s.core.v1.ConfigMap),
  typed('v1', 'Service', k8s.core.v1.Service),
  typed('v1', 'ResourceQuota', k8s.core.v1.ResourceQuota),
  typed('v1', 'LimitRange', k8s.core.v1.LimitRange),
  typed('v1', 'PersistentVolumeClaim', k8s.core.v1.PersistentVolumeClaim),
  typed('v1', 'Pod', k8s.core.v1.Pod),
  typed('apps/v1', 'Deployment', k8s.apps.v1.Deployment),
  typed('apps/v1', 'StatefulSet', k8s.apps.v1.StatefulSet),
  typed('apps/v1', 'DaemonSet', k8s.apps.v1.DaemonSet),
  typed('batch/v1', 'Job', k8s.batch.v1.Job),
  typed('batch/v1', 'CronJob', k8s.batch.v1.CronJob),
  typed('policy/v1', 'PodDisruptionBudget', k8s.policy.v1.PodDisruptionBudget),
  typed('autoscaling/v2', 'HorizontalPodAutoscaler', k8s.autoscaling.v2.HorizontalPodAutoscaler),
  typed('rbac.authorization.k8s.io/v1', 'Role', k8s.rbac.v1.Role),
  typed('rbac.authorization.k8s.io/v1', 'RoleBinding', k8s.rbac.v1.RoleBinding),
  typed('rbac.authorization.k8s.io/v1', 'ClusterRole', k8s.rbac.v1.ClusterRole),
  typed('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', k8s.rbac.v1.ClusterRoleBinding),
  typed('networking.k8s.io/v1', 'NetworkPolicy', k8s.networking.v1.NetworkPolicy),
  typed('networking.k8s.io/v1', 'Ingress', k8s.networking.v1.Ingress),
  typed('networking.k8s.io/v1', 'IngressClass', k8s.networking.v1.IngressClass),
  typed('apiextensions.k8s.io/v1', 'CustomResourceDefinition', k8s.apiextensions.v1.CustomResourceDefinition),
  typed('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', k8s.admissionregistration.v1.MutatingWebhookConfiguration),
  typed('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', k8s.admissionregistration.v1.ValidatingWebhookConfiguration),
  typed('storage.k8s.io/v1', 'StorageClass', k8s.storage.v1.StorageClass),
  typed('scheduling.k8s.io/v1', 'PriorityClass', k8s.scheduling.v1.PriorityClass),
  typed('coordination.k8s.io/v1', 'Lease', k8s.coordination.v1.Lease),
]);

/**
 * API groups Kubernetes serves itself: a kind in one of them is built in (a typed class, from
 * BUILTIN_RESOURCES); any other group is a custom resource.
 */
export const BUILTIN_API_GROUPS: ReadonlySet<string> = new Set([
  '', 'apps', 'batch', 'policy', 'autoscaling', 'extensions',
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'authentication.k8s.io',
  'authorization.k8s.io', 'certificates.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'internal.apiserver.k8s.io', 'networking.k8s.io', 'node.k8s.io',
  'rbac.authorization.k8s.io', 'resource.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', 'storagemigration.k8s.io',
]);

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Whether objects of `apiVersion` are custom resources (their group is not one Kubernetes serves). */
export function isCustomResource(apiVersion: string): boolean {
  return !BUILTIN_API_GROUPS.has(apiGroupOf(apiVersion));
}

/**
 * The Pulumi resource name of an object: `<env>:<namespace>/<kind>/<name>`, or
 * `<env>:<kind>/<name>` when cluster-scoped. Stable (it is the URN), unique per stack for a set
 * of objects the API server accepts (kinds are unique across the platform's groups; the planner
 * rejects a clash).
 */
export function resourceName(environment: string, object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${environment}:${namespace}/${object.kind}/${name}` : `${environment}:${object.kind}/${name}`;
}

/**
 * How `object` becomes a Pulumi resource: the typed class of a built-in kind, `CustomResource`
 * for a custom resource. A built-in kind the table lacks is an error naming the row to add
 * (`name`, the resource name, says which object).
 */
export function resourceFactory(name: string, object: KubeObject): ResourceFactory {
  const factory = BUILTIN_RESOURCES.get(`${object.apiVersion}/${object.kind}`);
  if (factory) return factory;
  const group = apiGroupOf(object.apiVersion);
  if (BUILTIN_API_GROUPS.has(group)) {
    const version = object.apiVersion.slice(object.apiVersion.indexOf('/') + 1);
    const module = group === '' ? 'core' : group.split('.')[0];
    throw new SparkPlatformError(
      `${object.apiVersion} ${object.kind}`,
      `is a built-in kind the Pulumi adapter has no resource class for (object ${name})`,
      `add typed('${object.apiVersion}', '${object.kind}', k8s.${module}.${version}.${object.kind}) to BUILTIN_RESOURCES in stacks/pulumi/resources.ts`,
    );
  }
  return customResource;
}

const customResource: ResourceFactory = (name, object, opts) =>
  new k8s.apiextensions.CustomResource(name, object as unknown as k8s.apiextensions.CustomResourceArgs, opts);

/** The Pulumi resource for `object` (see resourceFactory). */
export function createResource(name: string, object: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  return resourceFactory(name, object)(name, object, opts);
}
