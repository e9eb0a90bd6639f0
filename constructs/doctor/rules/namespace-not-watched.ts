import { DoctorRule, Severity } from '../types';
import { appTarget } from './common';

/**
 * `namespace-not-watched`: a SparkApplication in a namespace no operator controller watches is
 * never submitted and never gets a status. Watched namespaces are read from the controllers'
 * `--namespaces` flags (none, or a namespace selector: every namespace). Skipped when the tree
 * has no operator (one installed elsewhere is not known).
 */
export const namespaceNotWatched: DoctorRule = {
  id: 'namespace-not-watched',
  severity: Severity.ERROR,
  summary: 'The operator ignores the app: its namespace is not watched by any operator shard',
  check(view, report) {
    const watches = view.operatorWatches;
    if (watches.length === 0) return;
    if (watches.some((w) => w.namespaces === undefined)) return;
    const watched = new Set(watches.flatMap((w) => [...(w.namespaces ?? [])]));
    for (const app of view.apps) {
      if (app.mode !== 'operator' || watched.has(app.namespace)) continue;
      report(appTarget(app), `namespace ${app.namespace} is not watched by any operator controller (${watches.map((w) => `${w.object.label} watches ${[...(w.namespaces ?? [])].join(', ') || 'nothing'}`).join('; ')}): the application is never submitted and never gets a status. Fix: add the namespace to the operator's jobNamespaces (make it a tenant), or run the job in submit mode`);
    }
  },
};
