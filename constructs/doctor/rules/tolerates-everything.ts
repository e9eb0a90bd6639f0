import { isRecord } from '../evaluators/k8s-json';
import { DoctorRule, RuleTarget, Severity } from '../types';
import { appTarget, objectTarget } from './common';
import { operatorRole } from './operator-spec';

/** Keyless `operator: Exists` tolerations of a list, as `field (effect)` texts. */
function wildcards(tolerations: unknown, field: string): string[] {
  if (!Array.isArray(tolerations)) return [];
  const out: string[] = [];
  tolerations.forEach((t, i) => {
    if (!isRecord(t) || t.operator !== 'Exists') return;
    if (typeof t.key === 'string' && t.key !== '') return;
    const effect = typeof t.effect === 'string' && t.effect !== '' ? t.effect : undefined;
    out.push(`${field}[${i}] (operator: Exists, no key, ${effect ? `effect ${effect}: every ${effect} taint` : 'no effect: every taint'})`);
  });
  return out;
}

/**
 * `tolerates-everything`: a toleration with `operator: Exists` and no key tolerates every taint
 * (of its effect, or of all effects): the control plane's `node-role.kubernetes.io/control-plane`
 * NoSchedule taint, so tenant code may land on control-plane nodes, and the NoExecute taints the
 * node lifecycle controller puts on not-ready and unreachable nodes, so the pod is never evicted
 * from a dead node (its executors or driver hang there instead of being replaced). DaemonSets,
 * whose job is to run on every node, are exempt; every other pod and every Spark pod template
 * (and the operator's typed `tolerations`) is checked.
 */
export const toleratesEverything: DoctorRule = {
  id: 'tolerates-everything',
  severity: Severity.ERROR,
  summary: 'Pods on control-plane nodes, never evicted from dead nodes: a toleration with operator Exists and no key',
  check(view, report) {
    const flag = (target: RuleTarget, found: string[], what: string) => {
      if (found.length === 0) return;
      report(target, `${found.join('; ')}: ${what} tolerate${what === 'the pod' ? 's' : ''} every taint, the control plane's NoSchedule taint (tenant code on control-plane nodes) and the NoExecute taints of not-ready and unreachable nodes (never evicted from a dead node, it hangs there instead of being rescheduled). Fix: name the taint (key, and value or operator Exists) and its effect, e.g. { key: "dedicated", operator: "Equal", value: "spark", effect: "NoSchedule" }, and bound NoExecute tolerations with tolerationSeconds`);
    };
    for (const w of view.workloads) {
      if (w.object.kind === 'DaemonSet') continue;
      flag(objectTarget(w.object), wildcards(w.pod.spec.tolerations, `${w.pod.field ? `${w.pod.field}.` : ''}spec.tolerations`), 'the pod');
    }
    for (const app of view.apps) {
      for (const pod of [app.driver, app.executor]) {
        if (!pod) continue;
        const found = wildcards(pod.template?.tolerations, `${pod.templateField ?? `${pod.role} template`}.spec.tolerations`);
        // Kubeflow's typed tolerations (webhook-applied); Apache applications have none (their
        // applicationTolerations are restart and timeout settings, not pod tolerations).
        const typed = operatorRole(view, app, pod.role);
        if (typed) found.push(...wildcards(typed.json.tolerations, `${typed.field}.tolerations`));
        flag(appTarget(app), found, `the ${pod.role} pods`);
      }
    }
  },
};
