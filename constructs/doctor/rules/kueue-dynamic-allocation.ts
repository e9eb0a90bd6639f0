import { DoctorRule, Severity } from '../types';
import { appTarget, q } from './common';
import { kueueQueueOf } from './kueue-common';

/**
 * `kueue-dynamic-allocation`: Kueue admits a workload by what it requests at creation; executors
 * Spark adds later under dynamic allocation are outside its accounting (its SparkApplication
 * webhook refuses such applications), so a queued job must run a fixed number of executors.
 */
export const kueueDynamicAllocation: DoctorRule = {
  id: 'kueue-dynamic-allocation',
  severity: Severity.ERROR,
  summary: 'Kueue refuses or mis-accounts the job: dynamic allocation on a job in a Kueue queue',
  check(view, report) {
    for (const app of view.apps) {
      if (!app.dynamicAllocation) continue;
      const queue = kueueQueueOf(view, app);
      if (queue === undefined) continue;
      report(appTarget(app), `is queued in Kueue LocalQueue ${q(queue)} with dynamic allocation on (${app.dynamicAllocation.field}): Kueue admits by the pods requested at creation and cannot account executors Spark adds later (its SparkApplication webhook refuses the application). Fix: run a fixed number of executors (executor.instances) on a queued job, or take the job out of the queue`);
    }
  },
};
