import { show } from '../../errors';
import { Json, isRecord } from '../evaluators/k8s-json';
import { containersOf, stringMap } from '../pods';
import { SparkAppView, confKeysWithPrefix } from '../spark-apps';
import { DoctorRule, Reporter, RuleTarget, Severity } from '../types';
import { DoctorView } from '../view';
import { appTarget, objectTarget } from './common';
import { operatorRole } from './operator-spec';

/** AppArmor per container, by annotation (before the `appArmorProfile` field, Kubernetes 1.30). */
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
/** Seccomp for the whole pod, by the annotation that preceded the `seccompProfile` field (1.19). */
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
/** Seccomp per container, by annotation. */
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';

/** The annotations that turn confinement off, as `annotation <key>: <value>` findings. */
function unconfinedAnnotations(annotations: Readonly<Record<string, string>>, where: string): string[] {
  const found: string[] = [];
  for (const [k, v] of Object.entries(annotations)) {
    const value = v.trim().toLowerCase();
    if (value !== 'unconfined') continue;
    if (k.startsWith(APPARMOR_ANNOTATION) || k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_ANNOTATION)) {
      found.push(`${where}annotation ${k}: ${v}`);
    }
  }
  return found;
}

/**
 * Annotations Spark puts on an application's driver or executor pods: the conf's
 * `spark.kubernetes.<role>.annotation.*`, for Kubeflow's operator the typed `annotations` and the
 * template's metadata, for Apache's the podTemplateSpec's metadata; each list with where it was written.
 */
function sparkPodAnnotations(view: DoctorView, app: SparkAppView, role: 'driver' | 'executor'): Array<{ annotations: Record<string, string>; where: string }> {
  const out: Array<{ annotations: Record<string, string>; where: string }> = [];
  const prefix = `spark.kubernetes.${role}.annotation.`;
  for (const k of confKeysWithPrefix(app.conf, prefix)) out.push({ annotations: { [k.slice(prefix.length)]: app.conf[k] }, where: `${app.confField(k)} ` });
  // Apache's podTemplateSpec metadata (Kubeflow's typed fields are read below).
  const pod = role === 'driver' ? app.driver : app.executor;
  if (pod?.templateAnnotations) out.push({ annotations: { ...pod.templateAnnotations }, where: `${pod.templateField ?? `${role} template`}.metadata.annotations ` });
  const typed = operatorRole(view, app, role);
  if (typed) {
    out.push({ annotations: stringMap(typed.json.annotations), where: `${typed.field}.annotations ` });
    const meta = isRecord(typed.json.template) && isRecord(typed.json.template.metadata) ? typed.json.template.metadata : {};
    out.push({ annotations: stringMap(meta.annotations), where: `${typed.field}.template.metadata.annotations ` });
  }
  return out;
}

/**
 * `unconfined-pod`: a pod (or a Spark driver/executor) that turns off the kernel's confinement:
 * a seccomp or AppArmor profile `Unconfined`, by field (`seccompProfile.type`,
 * `appArmorProfile.type`, pod or container) or by annotation
 * (`seccomp.security.alpha.kubernetes.io/pod`, `container.seccomp.security.alpha.kubernetes.io/*`,
 * `container.apparmor.security.beta.kubernetes.io/*` set to `unconfined`), on workloads' pods and
 * Spark pods alike (templates, typed operator annotations, `spark.kubernetes.*.annotation.*`).
 * The baseline and restricted Pod Security levels refuse it in tenant namespaces (the pods fail
 * to be created, for Spark pods only when the driver asks for them); elsewhere it silently
 * weakens the platform.
 */
export const unconfinedPod: DoctorRule = {
  id: 'unconfined-pod',
  severity: Severity.ERROR,
  summary: 'Pods refused by Pod Security, or running unconfined: seccomp or AppArmor profile Unconfined (field or annotation)',
  check(view, report) {
    for (const w of view.workloads) {
      checkPod(w.pod.spec, unconfinedAnnotations(w.pod.annotations ?? {}, `${w.pod.field ? `${w.pod.field}.` : ''}metadata `), `${w.pod.field ? `${w.pod.field}.` : ''}spec`, objectTarget(w.object), report);
    }
    for (const app of view.apps) {
      for (const role of ['driver', 'executor'] as const) {
        const pod = role === 'driver' ? app.driver : app.executor;
        if (!pod) continue; // a client-mode driver is a workload of its own, checked above
        const annotations = sparkPodAnnotations(view, app, role).flatMap((a) => unconfinedAnnotations(a.annotations, a.where));
        checkPod(pod.template ?? {}, annotations, pod.templateField ?? `${role} template`, appTarget(app), report, `the ${role} pods`);
      }
    }
  },
};

function checkPod(spec: Json, annotations: readonly string[], field: string, target: RuleTarget, report: Reporter, what = 'the pod'): void {
  const found: string[] = [...annotations];
  const profile = (ctx: unknown, at: string) => {
    if (!isRecord(ctx)) return;
    for (const key of ['seccompProfile', 'appArmorProfile'] as const) {
      const p = ctx[key];
      if (isRecord(p) && p.type === 'Unconfined') found.push(`${at}.${key}.type: Unconfined`);
    }
  };
  profile(spec.securityContext, `${field}.securityContext`);
  for (const c of containersOf(spec)) profile(c.container.securityContext, `${field}.${c.field}.securityContext`);
  if (found.length === 0) return;
  report(target, `${found.join('; ')}: ${what} run${what === 'the pod' ? 's' : ''} without the kernel's syscall/AppArmor confinement, which the restricted Pod Security level forbids, as baseline does (tenant namespaces refuse such pods). Fix: use RuntimeDefault (or a Localhost profile) in the securityContext field, as the platform's own pods do, and drop ${show('unconfined')} annotations`);
}
