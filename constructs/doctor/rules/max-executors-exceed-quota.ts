import { DoctorRule, Severity } from '../types';
import { appTarget } from './common';
import { appTotals, quotaExcess, startingExecutors } from './job-exceeds-quota';

/**
 * `max-executors-exceed-quota`: with dynamic allocation, the executors Spark may ask for
 * (`maxExecutors`, unbounded when unset) must fit the quota too, or the application never
 * reaches its maximum and keeps requesting pods the API server refuses.
 */
export const maxExecutorsExceedQuota: DoctorRule = {
  id: 'max-executors-exceed-quota',
  severity: Severity.WARNING,
  summary: 'Executors never scale to the maximum: dynamic allocation maxExecutors (or none) above the namespace quota\'s pods, CPU or memory',
  check(view, report) {
    for (const app of view.apps) {
      const da = app.dynamicAllocation;
      const quotas = view.quotasIn(app.namespace);
      if (!da || quotas.length === 0) continue;
      const start = appTotals(view, app, startingExecutors(app));
      if (quotas.some((q) => quotaExcess(start, q).length > 0)) continue; // job-exceeds-quota reports it
      if (!Number.isFinite(da.max)) {
        report(appTarget(app), `dynamic allocation sets no maxExecutors (${da.field}), so Spark asks for executors without bound, and the namespace quota (${quotas.map((q) => q.object.label).join(', ')}) refuses them. Fix: set maxExecutors to what the quota holds`);
        continue;
      }
      const max = appTotals(view, app, da.max);
      for (const q of quotas) {
        const excess = quotaExcess(max, q);
        if (excess.length === 0) continue;
        report(appTarget(app), `at maxExecutors ${da.max} (${da.field}), ${max.text} would need ${max.cpu} CPU, ${max.memory} memory and ${max.pods} pods, above ${q.object.label}: ${excess.join(', ')}; the job never scales that far. Fix: lower maxExecutors, or raise the namespace's quota`);
      }
    }
  },
};
