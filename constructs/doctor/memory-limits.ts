import { sparkPodMemoryLimit } from '../spark-sizing';
import { Memory } from '../units';
import type { IndexedObject, PodWorkload } from './indexed';
import { kubeflowProcesses } from './operator-watches';
import type { SparkAppView, SparkPodView } from './spark-apps';
import type { DoctorView } from './view';

/** A Kubeflow operator webhook Deployment of the tree and the namespaces it serves (undefined = every namespace). */
export interface OperatorWebhook {
  readonly object: IndexedObject;
  readonly namespaces?: ReadonlySet<string>;
}

/** Kubeflow spark-operator webhooks ({@link kubeflowProcesses} running `webhook start`) and the namespaces they serve. */
export function kubeflowWebhooks(workloads: readonly PodWorkload[]): OperatorWebhook[] {
  return kubeflowProcesses(workloads, 'webhook').map((p) => ({ object: p.workload.object, namespaces: p.namespaces }));
}

/**
 * Whether the Kubeflow operator's pod webhook mutates the Spark pods of `namespace`: `on` when a
 * webhook of the tree serves it, `off` when a Kubeflow controller of the tree watches it and no
 * webhook serves it, `unknown` when no Kubeflow operator of the tree watches it (one installed
 * outside the tree, whose webhook the doctor cannot see).
 */
export function podWebhookIn(view: DoctorView, namespace: string): 'on' | 'off' | 'unknown' {
  const webhooks = view.derived('kubeflowWebhooks', () => kubeflowWebhooks(view.workloads));
  if (webhooks.some((w) => w.namespaces === undefined || w.namespaces.has(namespace))) return 'on';
  const watched = view.operatorWatchesOf('kubeflow').some((w) => w.namespaces === undefined || w.namespaces.has(namespace));
  return watched ? 'off' : 'unknown';
}

/** A Spark pod's container memory limit, and why it is that. */
export interface PodMemoryLimit {
  readonly value: Memory;
  /** Whether it is above the request (a memoryLimit the webhook applies). */
  readonly raised: boolean;
  /** How it was decided, for messages. */
  readonly text: string;
}

/**
 * The memory limit of an application's driver or executor container: Spark's (= the request),
 * raised to `memoryLimit` when the application sets it and the operator's pod webhook applies it
 * (a webhook of the tree serves the namespace, or no Kubeflow operator of the tree watches it, so
 * the application's own setting is taken). With the webhook off the field is ignored by the
 * operator (SparkOperator refuses such applications at synth) and the limit stays the request.
 */
export function podMemoryLimit(view: DoctorView, app: SparkAppView, pod: SparkPodView): PodMemoryLimit {
  const declared = pod.memoryLimit;
  if (!declared || app.mode !== 'operator') return { value: pod.memory, raised: false, text: 'Spark sets memory limit = request' };
  const webhook = podWebhookIn(view, app.namespace);
  if (webhook === 'off') return { value: pod.memory, raised: false, text: `${declared.field} is ignored without the operator's webhook, so limit = request` };
  const value = sparkPodMemoryLimit(pod.memory, declared.value);
  return { value, raised: value.compare(pod.memory) > 0, text: `${declared.field} ${declared.value} (the operator's webhook${webhook === 'unknown' ? ', assumed: no Kubeflow operator of the manifests watches the namespace' : ''})` };
}
