import { DoctorRule, Severity } from '../types';
import { DoctorView } from '../view';
import { appTarget, objectTarget } from './common';

/** The Services a namespace will hold: the ones the tree renders, plus a driver Service per cluster-mode application. */
export interface NamespaceServices {
  /** Service objects the tree renders in the namespace. */
  readonly rendered: number;
  /** Driver Services Spark creates at run time (one per operator or spark-submit application). */
  readonly drivers: number;
  /** Spark applications whose executors run in the namespace (client mode included). */
  readonly apps: number;
}

/** Services per namespace, for every namespace that has Services or Spark applications. */
export function servicesByNamespace(view: DoctorView): ReadonlyMap<string, NamespaceServices> {
  return view.derived('servicesByNamespace', () => {
    const out = new Map<string, { rendered: number; drivers: number; apps: number }>();
    const entry = (ns: string) => {
      let e = out.get(ns);
      if (!e) {
        e = { rendered: 0, drivers: 0, apps: 0 };
        out.set(ns, e);
      }
      return e;
    };
    for (const s of view.ofKind('Service')) {
      if (s.apiVersion === 'v1') entry(s.namespace ?? 'default').rendered++;
    }
    for (const app of view.apps) {
      const e = entry(app.namespace);
      e.apps++;
      // Spark gives every cluster-mode driver a headless Service (spark.driver.host); a
      // client-mode driver is reached at an address its own workload provides (rendered).
      if (app.driver) e.drivers++;
    }
    return out;
  });
}

/**
 * `service-links-enabled`: Kubernetes gives every pod that keeps `enableServiceLinks` on about
 * seven environment variables per Service of its namespace (`<NAME>_SERVICE_HOST`, `_PORT`, and
 * the Docker-link style `_PORT_<n>_TCP*` ones per port). What counts is the number of Services,
 * not of applications: those the tree renders there, plus the headless Service Spark creates for
 * each cluster-mode driver while it runs. With enough of them the environment outgrows what a
 * process may be given and pods fail with "argument list too long". From
 * `serviceLinksServiceThreshold` Services in a namespace, every Spark pod template and every pod
 * there must turn service links off.
 */
export const serviceLinksEnabled: DoctorRule = {
  id: 'service-links-enabled',
  severity: Severity.WARNING,
  summary: 'argument list too long: enableServiceLinks not disabled in a namespace with many Services (rendered + one per Spark driver)',
  check(view, report) {
    const threshold = view.options.serviceLinksServiceThreshold;
    for (const [ns, count] of servicesByNamespace(view)) {
      const total = count.rendered + count.drivers;
      if (total < threshold) continue;
      const context = `namespace ${ns} will hold ${total} Services (${count.rendered} rendered + ${count.drivers} driver Services Spark creates at run time; ${count.apps} Spark applications run in namespace ${ns}), at or above the threshold of ${threshold} (serviceLinksServiceThreshold), and every Service adds ~7 environment variables to every pod with service links on`;
      for (const app of view.appsIn(ns)) {
        const on = [app.driver, app.executor]
          .filter((p) => p !== undefined && !(app.mode === 'client' && p.role === 'executor' && !p.template))
          .filter((p) => p!.template?.enableServiceLinks !== false)
          .map((p) => p!.role);
        if (on.length === 0) continue;
        report(appTarget(app), `${context}; its ${on.join(' and ')} pods keep service links on: as Services accumulate they fail with "argument list too long". Fix: set enableServiceLinks: false in the ${on.join(' and ')} pod templates (SparkJob does)`);
      }
      for (const w of view.workloadsIn(ns)) {
        if (w.pod.spec.enableServiceLinks === false) continue;
        report(objectTarget(w.object), `${context}; this pod keeps service links on: as Services accumulate it fails with "argument list too long". Fix: set enableServiceLinks: false in its pod spec (${w.pod.field ? `${w.pod.field}.` : ''}spec.enableServiceLinks)`);
      }
    }
  },
};
