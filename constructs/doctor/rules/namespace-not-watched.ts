import { OperatorKind, OperatorWatch } from '../operator-watches';
import { SparkAppMode } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { appTarget } from './common';

/** The operator kind that runs each operator mode, and how messages and fixes name it. */
const KINDS: Partial<Record<SparkAppMode, { kind: OperatorKind; operator: string; other: string; fix: string }>> = {
  'operator': {
    kind: 'kubeflow',
    operator: 'Kubeflow spark-operator controller',
    other: 'Apache Spark operators run only spark.apache.org applications',
    fix: 'add the namespace to the operator\'s jobNamespaces (make it a tenant), or run the job in submit mode',
  },
  'apache-operator': {
    kind: 'apache',
    operator: 'Apache Spark Kubernetes operator',
    other: 'Kubeflow controllers run only sparkoperator.k8s.io applications',
    fix: 'add the namespace to the ApacheSparkOperator\'s jobNamespaces (spark.kubernetes.operator.watchedNamespaces), or render the job for the operator that watches it',
  },
};

function describe(watches: readonly OperatorWatch[]): string {
  return watches.map((w) => `${w.object.label} watches ${[...(w.namespaces ?? [])].join(', ') || 'nothing'} (${w.source})`).join('; ');
}

/**
 * `namespace-not-watched`: a SparkApplication is run only by an operator of its own kind that
 * watches its namespace: Kubeflow's controllers (`--namespaces` flags; none, or a namespace
 * selector: every namespace) run `sparkoperator.k8s.io` applications, Apache's operators
 * (`spark.kubernetes.operator.watchedNamespaces` in their properties file; `*`: every namespace)
 * run `spark.apache.org` ones. Anywhere else the application is never submitted and never gets a
 * status. Skipped when the tree has no operator at all (one installed elsewhere is not known);
 * with operators in the tree but none of the application's kind, that is reported.
 */
export const namespaceNotWatched: DoctorRule = {
  id: 'namespace-not-watched',
  severity: Severity.ERROR,
  summary: 'The operator ignores the app: no operator of its kind (Kubeflow or Apache) watches its namespace',
  check(view, report) {
    const all = view.operatorWatches;
    if (all.length === 0) return;
    for (const app of view.apps) {
      const k = KINDS[app.mode];
      if (!k) continue;
      const watches = view.operatorWatchesOf(k.kind);
      if (watches.some((w) => w.namespaces === undefined || w.namespaces.has(app.namespace))) continue;
      const others = all.filter((w) => w.kind !== k.kind && (w.namespaces === undefined || w.namespaces.has(app.namespace)));
      const otherText = others.length > 0 ? ` ${others.map((w) => w.object.label).join(', ')} watch${others.length === 1 ? 'es' : ''} it, but ${k.other}.` : '';
      const found = watches.length > 0 ? `is not watched by any ${k.operator} (${describe(watches)})` : `has no ${k.operator} in the manifests to run it (${describe(all)})`;
      report(appTarget(app), `namespace ${app.namespace} ${found}: the application is never submitted and never gets a status.${otherText} Fix: ${k.fix}`);
    }
  },
};
