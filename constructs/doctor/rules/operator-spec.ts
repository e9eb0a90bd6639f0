import { Json, isRecord } from '../evaluators/k8s-json';
import { SparkAppView } from '../spark-apps';
import { DoctorView } from '../view';

/**
 * The raw spec of a Kubeflow operator application (a ScheduledSparkApplication's template) and
 * its field path, for what the normalized application leaves out (typed env, annotations,
 * tolerations, which Kubeflow's webhook applies); undefined for other modes. An Apache
 * (`spark.apache.org`) application has no such typed fields and no webhook: its pods get env,
 * annotations and tolerations only from the conf and `podTemplateSpec`, which the normalized
 * application already carries, so the rules reading this have nothing more to check there.
 */
export function operatorSpec(view: DoctorView, app: SparkAppView): { spec: Json; base: string } | undefined {
  if (app.mode !== 'operator' || !app.object) return undefined;
  return view.derivedFor('operatorSpec', app, () => readOperatorSpec(view, app.object!));
}

function readOperatorSpec(view: DoctorView, object: string): { spec: Json; base: string } {
  const [kind, ns, name] = object.split('/');
  const json = view.find(kind, ns, name)?.json;
  const outer = json && isRecord(json.spec) ? json.spec : {};
  const scheduled = kind === 'ScheduledSparkApplication';
  return { spec: scheduled ? (isRecord(outer.template) ? outer.template : {}) : outer, base: scheduled ? 'spec.template' : 'spec' };
}

/** The typed driver or executor section of an operator application, with its field path. */
export function operatorRole(view: DoctorView, app: SparkAppView, role: 'driver' | 'executor'): { json: Json; field: string } | undefined {
  const s = operatorSpec(view, app);
  if (!s) return undefined;
  return view.derivedFor(`operatorRole:${role}`, s, () => ({ json: isRecord(s.spec[role]) ? s.spec[role] as Json : {}, field: `${s.base}.${role}` }));
}
