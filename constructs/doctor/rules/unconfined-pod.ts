import { Json, isRecord } from '../evaluators/k8s-json';
import { containersOf } from '../pods';
import { DoctorRule, Reporter, RuleTarget, Severity } from '../types';
import { appTarget, objectTarget } from './common';

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/**
 * `unconfined-pod`: a pod (or a Spark driver/executor template) that turns off the kernel's
 * confinement: a seccomp or AppArmor profile `Unconfined` (field or the AppArmor annotation).
 * The restricted Pod Security level refuses it in tenant namespaces (the pods fail to be created,
 * for Spark pods only when spark-submit runs); elsewhere it silently weakens the platform.
 */
export const unconfinedPod: DoctorRule = {
  id: 'unconfined-pod',
  severity: Severity.ERROR,
  summary: 'Pods refused by Pod Security, or running unconfined: seccomp or AppArmor profile Unconfined',
  check(view, report) {
    for (const w of view.workloads) {
      checkPod(w.pod.spec, w.pod.annotations ?? {}, `${w.pod.field ? `${w.pod.field}.` : ''}spec`, objectTarget(w.object), report);
    }
    for (const app of view.apps) {
      for (const pod of [app.driver, app.executor]) {
        if (pod?.template) checkPod(pod.template, {}, pod.templateField ?? `${pod.role} template`, appTarget(app), report);
      }
    }
  },
};

function checkPod(spec: Json, annotations: Readonly<Record<string, string>>, field: string, target: RuleTarget, report: Reporter): void {
  const found: string[] = [];
  const profile = (ctx: unknown, at: string) => {
    if (!isRecord(ctx)) return;
    for (const key of ['seccompProfile', 'appArmorProfile'] as const) {
      const p = ctx[key];
      if (isRecord(p) && p.type === 'Unconfined') found.push(`${at}.${key}.type: Unconfined`);
    }
  };
  profile(spec.securityContext, `${field}.securityContext`);
  for (const c of containersOf(spec)) profile(c.container.securityContext, `${field}.${c.field}.securityContext`);
  for (const [k, v] of Object.entries(annotations)) {
    if (k.startsWith(APPARMOR_ANNOTATION) && v === 'unconfined') found.push(`annotation ${k}: unconfined`);
  }
  if (found.length === 0) return;
  report(target, `${found.join('; ')}: the pod runs without the kernel's syscall/AppArmor confinement, which the restricted Pod Security level forbids (tenant namespaces refuse such pods). Fix: use RuntimeDefault (or a Localhost profile), as the platform's own pods do`);
}
