import { Cpu, Memory } from '../../units';
import { ResolvedNodeShape } from '../options';
import { podRequests } from '../pods';
import { DoctorRule, Severity } from '../types';
import { appTarget, objectTarget } from './common';

/** A pod's requests as the capacity check compares them. */
interface Ask {
  readonly cpu: Cpu;
  readonly memory: Memory;
  readonly extended: Readonly<Record<string, number>>;
  readonly nodeSelector: Readonly<Record<string, string>>;
}

/** The node shapes a pod may land on: those whose declared labels satisfy its nodeSelector. */
function candidates(nodes: readonly ResolvedNodeShape[], selector: Readonly<Record<string, string>>): ResolvedNodeShape[] {
  const declared = new Set(nodes.flatMap((n) => Object.keys(n.labels)));
  const checked = Object.entries(selector).filter(([k]) => declared.has(k));
  return nodes.filter((n) => checked.every(([k, v]) => n.labels[k] === v));
}

/** Why `ask` fits no candidate node, or undefined when one fits. */
export function unschedulable(nodes: readonly ResolvedNodeShape[], ask: Ask): string | undefined {
  const pool = candidates(nodes, ask.nodeSelector);
  const shapes = nodes.map((n) => `${n.name} (${n.cpu} CPU, ${n.memory}${n.gpus ? `, ${n.gpus} ${n.gpuResource}` : ''})`).join(', ');
  if (pool.length === 0) {
    return `its nodeSelector ${JSON.stringify(ask.nodeSelector)} matches none of the declared node shapes: ${shapes}`;
  }
  const fits = (n: ResolvedNodeShape) => ask.cpu.compare(n.cpu) <= 0 && ask.memory.compare(n.memory) <= 0
    && Object.entries(ask.extended).every(([resource, amount]) => resource !== n.gpuResource || amount <= n.gpus);
  if (pool.some(fits)) return undefined;
  return `no node it may land on is that large: ${pool.length === nodes.length ? shapes : `${shapes}; candidates by nodeSelector: ${pool.map((n) => n.name).join(', ')}`}`;
}

/**
 * `pod-exceeds-node`: a pod that asks for more than any node allocates is Pending forever. For
 * Spark pods the size is Spark's: cores (or coreRequest), heap + memory overhead (+ PySpark
 * memory), GPUs; for other workloads the scheduler's: container requests (limits, LimitRange
 * defaults), init containers included. Needs `nodes` in the doctor options.
 */
export const podExceedsNode: DoctorRule = {
  id: 'pod-exceeds-node',
  severity: Severity.ERROR,
  summary: 'Pods Pending forever: a pod (Spark: requests + memory overhead) larger than every node shape it may land on',
  check(view, report) {
    const nodes = view.options.nodes;
    if (nodes.length === 0) return;
    // The verdict depends on the ask alone (the nodes are the run's): pods of one shape are judged once.
    const verdicts = new Map<string, string | undefined>();
    const judge = (ask: Ask): string | undefined => {
      const key = `${ask.cpu.millicores}\u0000${ask.memory.bytes}\u0000${JSON.stringify(ask.extended)}\u0000${JSON.stringify(ask.nodeSelector)}`;
      if (verdicts.has(key)) return verdicts.get(key);
      const why = unschedulable(nodes, ask);
      verdicts.set(key, why);
      return why;
    };
    for (const app of view.apps) {
      for (const pod of [app.driver, app.executor]) {
        if (!pod) continue;
        const extended = pod.gpus ? { [pod.gpus.resource]: pod.gpus.amount } : {};
        const why = judge({ cpu: pod.cpu, memory: pod.memory, extended, nodeSelector: pod.nodeSelector });
        if (!why) continue;
        report(appTarget(app), `the ${pod.role} pod asks for ${pod.cpu} CPU and ${pod.memory} memory (${pod.memoryText})${pod.gpus ? ` and ${pod.gpus.amount} ${pod.gpus.resource}` : ''}, but ${why}: it would stay Pending forever. Fix: lower the ${pod.role}'s cores/memory (or memoryOverhead), or declare the node shape that runs it in the doctor options (nodes)`);
      }
    }
    for (const w of view.workloads) {
      const r = podRequests(w.pod.spec, view.containerDefaults(w.namespace));
      const selector: Record<string, string> = {};
      const ns = w.pod.spec.nodeSelector;
      if (ns && typeof ns === 'object') for (const [k, v] of Object.entries(ns)) if (typeof v === 'string') selector[k] = v;
      const why = judge({ cpu: r.cpu, memory: r.memory, extended: r.extended, nodeSelector: selector });
      if (!why) continue;
      report(objectTarget(w.object), `its pod requests ${r.cpu} CPU and ${r.memory} memory${Object.keys(r.extended).length ? ` and ${JSON.stringify(r.extended)}` : ''}, but ${why}: it would stay Pending forever. Fix: lower the containers' requests, or declare the node shape that runs it in the doctor options (nodes)`);
    }
  },
};
