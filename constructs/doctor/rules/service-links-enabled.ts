import { DoctorRule, Severity } from '../types';
import { appTarget, objectTarget } from './common';

/**
 * `service-links-enabled`: Kubernetes puts ~7 environment variables per Service of the namespace
 * into every pod that keeps `enableServiceLinks` on, and every Spark driver has a Service. In a
 * namespace with many applications the environment outgrows what a process may be given, and
 * pods fail with "argument list too long". From `serviceLinksAppThreshold` applications in a
 * namespace, every Spark pod template and every pod there must turn service links off.
 */
export const serviceLinksEnabled: DoctorRule = {
  id: 'service-links-enabled',
  severity: Severity.WARNING,
  summary: 'argument list too long: enableServiceLinks not disabled in a namespace with many Spark apps',
  check(view, report) {
    const threshold = view.options.serviceLinksAppThreshold;
    const namespaces = new Set(view.apps.map((a) => a.namespace));
    for (const ns of namespaces) {
      const apps = view.appsIn(ns);
      if (apps.length < threshold) continue;
      const context = `${apps.length} Spark applications run in namespace ${ns} (each driver adds a Service, and each Service ~7 environment variables to every pod with service links)`;
      for (const app of apps) {
        const on = [app.driver, app.executor]
          .filter((p) => p !== undefined && !(app.mode === 'client' && p.role === 'executor' && !p.template))
          .filter((p) => p!.template?.enableServiceLinks !== false)
          .map((p) => p!.role);
        if (on.length === 0) continue;
        report(appTarget(app), `${context}, and its ${on.join(' and ')} pods keep service links on: past a few hundred Services they fail with "argument list too long". Fix: set enableServiceLinks: false in the ${on.join(' and ')} pod templates (SparkJob does)`);
      }
      for (const w of view.workloadsIn(ns)) {
        if (w.pod.spec.enableServiceLinks === false) continue;
        report(objectTarget(w.object), `${context}, and this pod keeps service links on: past a few hundred Services it fails with "argument list too long". Fix: set enableServiceLinks: false in its pod spec`);
      }
    }
  },
};
