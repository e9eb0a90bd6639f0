/**
 * The doctor's index entries: an object of the tree and a workload's pod template. In their own
 * module so the view and the watch finders (operator-watches.ts) both read them without importing
 * each other.
 */
import type { ApiObject } from 'cdk8s';
import type { Json } from './evaluators/k8s-json';
import type { PodOf } from './pods';

/** One synthesized Kubernetes object of the tree. */
export interface IndexedObject {
  /** The ApiObject construct. */
  readonly construct: ApiObject;
  /** Its JSON, as synthesized. */
  readonly json: Json;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  /** Its namespace, when namespaced (as written; cluster-scoped kinds have none). */
  readonly namespace?: string;
  /** `Kind/namespace/name`, or `Kind/name`. */
  readonly id: string;
  /** `Kind namespace/name`, for messages. */
  readonly label: string;
}

/** A pod-running object (Deployment, StatefulSet, Job, ...) and its pod. */
export interface PodWorkload {
  readonly object: IndexedObject;
  readonly pod: PodOf;
  /** The namespace the pods run in. */
  readonly namespace: string;
}
