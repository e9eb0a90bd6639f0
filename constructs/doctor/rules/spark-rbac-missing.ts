import { show } from '../../errors';
import { SUBMITTER_RULES } from '../../jobs/submit-mode';
import { RbacEvaluator, Subject } from '../evaluators/rbac';
import { confKeysWithPrefix } from '../spark-apps';
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
/** A driver whose executors use on-demand claims. */
const SPARK_DRIVER_NEEDS_WITH_CLAIMS = [...SPARK_DRIVER_NEEDS, PVC_NEEDS];
/** Where executors' claim volumes are configured (`...persistentVolumeClaim.<name>.options.claimName`). */
const EXECUTOR_CLAIMS = 'spark.kubernetes.executor.volumes.persistentVolumeClaim.';

/** What an API need names: resources of a group ('' = core) and verbs. */
type Need = { readonly group?: string; readonly resources: readonly string[]; readonly verbs: readonly string[] };

/** `group/resource`, or the resource alone for the core group. */
function qualified(need: Need, resource: string): string {
  return need.group ? `${need.group}/${resource}` : resource;
}

const DRIVER_ACCOUNT_KEY = 'spark.kubernetes.authenticate.driver.serviceAccountName';

/**
 * What Apache Spark's Kubernetes operator does in the namespace of an application it runs, and so
 * the verbs it cannot do without: read the SparkApplications, create (server-side apply) and
 * delete the driver pod, its Service and ConfigMaps, and the NetworkPolicy Spark 4.2's driver
 * builder always adds. It watches pods to follow the driver.
 * @see apache/spark-kubernetes-operator 1.0.0: AppInitStep, SparkAppResourceSpec, and the chart's templates/operator-rbac.yaml
 */
export const APACHE_OPERATOR_NEEDS: readonly Need[] = [
  { group: 'spark.apache.org', resources: ['sparkapplications'], verbs: ['get', 'list', 'watch'] },
  { resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'patch', 'delete'] },
  { resources: ['services', 'configmaps'], verbs: ['create', 'get', 'patch', 'delete'] },
  { group: 'networking.k8s.io', resources: ['networkpolicies'], verbs: ['create', 'get', 'patch', 'delete'] },
];

/**
 * What an account may not do of `needs` in `namespace`, as `verbs resource` texts (empty when it
 * may do all). The answer depends on these alone, and a tenant's applications share its
 * drivers' account: `memo` (one per run, over one evaluator) keeps it per account, namespace and
 * needs.
 */
function missingVerbs(rbac: RbacEvaluator, subject: Subject & { kind: 'ServiceAccount' }, needs: readonly Need[], namespace: string, memo: Map<readonly Need[], Map<string, readonly string[]>>): readonly string[] {
  let byAccount = memo.get(needs);
  if (!byAccount) memo.set(needs, byAccount = new Map());
  const key = `${subject.namespace}\u0000${subject.name}\u0000${namespace}`;
  let missing = byAccount.get(key);
  if (!missing) {
    const out: string[] = [];
    const can = rbac.canIn(subject, namespace);
    for (const need of needs) {
      for (const resource of need.resources) {
        const verbs = need.verbs.filter((verb) => !can({ verb, group: need.group ?? '', resource }));
        if (verbs.length > 0) out.push(`${verbs.join(' ')} ${qualified(need, resource)}`);
      }
    }
    byAccount.set(key, missing = out);
  }
  return missing;
}

/**
 * `spark-rbac-missing`: the driver's ServiceAccount (and, in submit mode, the submitter's) must
 * hold the verbs Spark uses in the namespace its executors run in, or the API answers 403
 * Forbidden and no executor starts. For an Apache SparkApplication the driver's account is
 * `spark.kubernetes.authenticate.driver.serviceAccountName` (the operator sets none), and the
 * Apache operators of the tree that watch its namespace play the submitter: their account must
 * hold APACHE_OPERATOR_NEEDS there. Evaluated with Kubernetes' RBAC semantics over the tree's
 * Roles, ClusterRoles and bindings, for namespaces the tree declares.
 */
export const sparkRbacMissing: DoctorRule = {
  id: 'spark-rbac-missing',
  severity: Severity.ERROR,
  summary: 'The driver cannot create executors (403 Forbidden): its ServiceAccount lacks a verb Spark needs in the namespace',
  check(view, report) {
    const memo = new Map<readonly Need[], Map<string, readonly string[]>>();
    for (const app of view.apps) {
      if (!view.declaresNamespace(app.namespace)) continue;
      const rbac = view.rbac;
      if (rbac instanceof Error) {
        report(appTarget(app), `the RBAC objects cannot be evaluated: ${rbac.message}. Fix: correct them (the API server would reject them too)`);
        continue;
      }
      const onDemand = confKeysWithPrefix(app.conf, EXECUTOR_CLAIMS).some((k) => /^spark\.kubernetes\.executor\.volumes\.persistentVolumeClaim\.[^.]+\.options\.claimName$/.test(k) && app.conf[k] === 'OnDemand');
      /** One account to judge: who runs as it, what it needs, what breaks, and the first fix. */
      const accounts: Array<{ who: string; subject: Subject; needs: readonly Need[]; breaks: string; fix: string }> = [];
      const driverAccount = app.clientDriver?.serviceAccountName ?? app.driver?.serviceAccount;
      const driverNamespace = app.clientDriver?.namespace ?? app.namespace;
      const apache = app.mode === 'apache-operator';
      // A driver that creates no executor pods (a server without SparkContext, executors in a
      // standalone cluster) needs no rights; the operator's own account is still checked below.
      if (driverAccount && app.executorPods !== false) {
        accounts.push({
          who: 'the driver', subject: { kind: 'ServiceAccount', namespace: driverNamespace, name: driverAccount }, needs: onDemand ? SPARK_DRIVER_NEEDS_WITH_CLAIMS : SPARK_DRIVER_NEEDS,
          breaks: 'no executor starts',
          fix: apache
            ? `set spec.sparkConf[${show(DRIVER_ACCOUNT_KEY)}] to the drivers' account the ApacheSparkOperator creates in each job namespace (workloadServiceAccountName, "spark")`
            : 'run it as the tenant\'s driver account (spark-driver)',
        });
      }
      if (app.submitter && app.mode === 'submit') {
        accounts.push({
          who: 'spark-submit (the submitter pod)', subject: { kind: 'ServiceAccount', namespace: app.submitter.namespace, name: app.submitter.serviceAccount }, needs: SUBMITTER_RULES,
          breaks: 'no executor starts', fix: 'run it as the tenant\'s driver account (spark-driver)',
        });
      }
      if (apache) {
        for (const w of view.operatorWatchesOf('apache')) {
          if (w.namespaces !== undefined && !w.namespaces.has(app.namespace)) continue;
          accounts.push({
            who: `the Apache operator (${w.object.label}), which creates the driver pod, its Service, ConfigMaps and NetworkPolicy,`,
            subject: { kind: 'ServiceAccount', namespace: w.namespace, name: w.serviceAccount }, needs: APACHE_OPERATOR_NEEDS,
            breaks: 'the driver is never created', fix: `list ${app.namespace} in the ApacheSparkOperator's jobNamespaces (it binds the operator's Role there)`,
          });
        }
      }
      for (const { who, subject, needs, breaks, fix } of accounts) {
        if (subject.kind !== 'ServiceAccount') continue;
        const missing = missingVerbs(rbac, subject, needs, app.namespace, memo);
        const exists = subject.name === 'default' || view.find('ServiceAccount', subject.namespace, subject.name) !== undefined;
        if (missing.length === 0 && exists) continue;
        const account = `ServiceAccount ${subject.namespace}/${subject.name}`;
        const problems = [
          ...(exists ? [] : [`${account} is not among the manifests (pods running as it are refused)`]),
          ...(missing.length > 0 ? [`${account} may not ${missing.join('; ')} in namespace ${app.namespace}`] : []),
        ];
        const grant = needs.map((n) => `${n.resources.map((r) => qualified(n, r)).join(', ')}: ${n.verbs.join(' ')}`).join('; ');
        report(appTarget(app), `${who} runs as ${account}: ${problems.join(', and ')}. The API answers 403 Forbidden and ${breaks}. Fix: ${fix}, or bind it a Role granting ${grant} in ${app.namespace}`);
      }
    }
  },
};
