import { SUBMITTER_RULES } from '../../jobs/submit-mode';
import { Subject } from '../evaluators/rbac';
import { DoctorRule, Severity } from '../types';
import { appTarget } from './common';

/**
 * What a Spark driver does with the API in its executors' namespace, and so the verbs it cannot
 * do without: create, watch, list, get (its own pod too, in client mode) and delete executor
 * pods; create, get and delete the executors' ConfigMap; PersistentVolumeClaims when executors
 * use on-demand claims. (Upstream's Spark role grants more; these are the ones whose absence
 * stops executors from starting.)
 * @see ../../../shared/reference/spark-operator.md section 2, client-mode-and-storage.md section 1
 */
export const SPARK_DRIVER_NEEDS: ReadonlyArray<{ readonly resources: readonly string[]; readonly verbs: readonly string[] }> = [
  { resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
  { resources: ['configmaps'], verbs: ['create', 'get', 'delete'] },
];
const PVC_NEEDS = { resources: ['persistentvolumeclaims'], verbs: ['create', 'get', 'list', 'delete'] };

/**
 * `spark-rbac-missing`: the driver's ServiceAccount (and, in submit mode, the submitter's) must
 * hold the verbs Spark uses in the namespace its executors run in, or the API answers 403
 * Forbidden and no executor starts. Evaluated with Kubernetes' RBAC semantics over the tree's
 * Roles, ClusterRoles and bindings, for namespaces the tree declares.
 */
export const sparkRbacMissing: DoctorRule = {
  id: 'spark-rbac-missing',
  severity: Severity.ERROR,
  summary: 'The driver cannot create executors (403 Forbidden): its ServiceAccount lacks a verb Spark needs in the namespace',
  check(view, report) {
    for (const app of view.apps) {
      if (!view.declaresNamespace(app.namespace)) continue;
      const rbac = view.rbac;
      if (rbac instanceof Error) {
        report(appTarget(app), `the RBAC objects cannot be evaluated: ${rbac.message}. Fix: correct them (the API server would reject them too)`);
        continue;
      }
      const onDemand = Object.entries(app.conf).some(([k, v]) => /^spark\.kubernetes\.executor\.volumes\.persistentVolumeClaim\.[^.]+\.options\.claimName$/.test(k) && v === 'OnDemand');
      const accounts: Array<{ who: string; subject: Subject; needs: ReadonlyArray<{ resources: readonly string[]; verbs: readonly string[] }> }> = [];
      const driverAccount = app.clientDriver?.serviceAccountName ?? app.driver?.serviceAccount;
      const driverNamespace = app.clientDriver?.namespace ?? app.namespace;
      if (driverAccount) {
        accounts.push({ who: 'the driver', subject: { kind: 'ServiceAccount', namespace: driverNamespace, name: driverAccount }, needs: onDemand ? [...SPARK_DRIVER_NEEDS, PVC_NEEDS] : SPARK_DRIVER_NEEDS });
      }
      if (app.submitter && app.mode === 'submit') {
        accounts.push({ who: 'spark-submit (the submitter pod)', subject: { kind: 'ServiceAccount', namespace: app.submitter.namespace, name: app.submitter.serviceAccount }, needs: SUBMITTER_RULES });
      }
      for (const { who, subject, needs } of accounts) {
        if (subject.kind !== 'ServiceAccount') continue;
        const missing: string[] = [];
        for (const need of needs) {
          for (const resource of need.resources) {
            const verbs = need.verbs.filter((verb) => !rbac.can(subject, { verb, resource, namespace: app.namespace }));
            if (verbs.length > 0) missing.push(`${verbs.join(' ')} ${resource}`);
          }
        }
        const exists = subject.name === 'default' || view.find('ServiceAccount', subject.namespace, subject.name) !== undefined;
        if (missing.length === 0 && exists) continue;
        const account = `ServiceAccount ${subject.namespace}/${subject.name}`;
        const problems = [
          ...(exists ? [] : [`${account} is not among the manifests (pods running as it are refused)`]),
          ...(missing.length > 0 ? [`${account} may not ${missing.join('; ')} in namespace ${app.namespace}`] : []),
        ];
        report(appTarget(app), `${who} runs as ${account}: ${problems.join(', and ')}. The API answers 403 Forbidden and no executor starts. Fix: run it as the tenant's driver account (spark-driver), or bind it a Role granting ${needs.map((n) => `${n.resources.join(', ')}: ${n.verbs.join(' ')}`).join('; ')} in ${app.namespace}`);
      }
    }
  },
};
