import { DoctorRule, Severity } from '../types';
import { appTarget, q } from './common';
import { kueueQueueOf } from './kueue-common';

/**
 * `kueue-queue-missing`: when the tree declares Kueue LocalQueues, a job must name one of its own
 * namespace; Kueue leaves a job whose queue does not exist suspended forever (the Workload stays
 * inadmissible). Trees without LocalQueues are not judged: the queues may come from elsewhere.
 */
export const kueueQueueMissing: DoctorRule = {
  id: 'kueue-queue-missing',
  severity: Severity.ERROR,
  summary: 'The job stays suspended forever: its Kueue queue names no LocalQueue of its namespace',
  check(view, report) {
    const queues = view.ofKind('LocalQueue');
    if (queues.length === 0) return;
    for (const app of view.apps) {
      const queue = kueueQueueOf(view, app);
      if (queue === undefined || view.find('LocalQueue', app.namespace, queue)) continue;
      const here = queues.filter((o) => o.namespace === app.namespace).map((o) => q(o.name));
      report(appTarget(app), `names Kueue LocalQueue ${q(queue)}, but namespace ${q(app.namespace)} has no LocalQueue of that name${here.length > 0 ? ` (it has ${here.join(', ')})` : ' (it has none)'}: Kueue never admits the job and it stays suspended. Fix: set queue to a LocalQueue of the namespace, or give the tenant a queue (KueueQueues.addTenant)`);
    }
  },
};
