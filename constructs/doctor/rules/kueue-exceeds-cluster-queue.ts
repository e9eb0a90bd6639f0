import { isRecord } from '../evaluators/k8s-json';
import { DoctorRule, Severity } from '../types';
import { appTarget, q } from './common';
import { appTotals, startingExecutors } from './job-exceeds-quota';
import { KueueResource, kueueCapacity, kueueQueueOf, showAmount } from './kueue-common';

/**
 * `kueue-exceeds-cluster-queue`: Kueue admits a SparkApplication (operator mode) whole, its
 * driver and executors together; if they need more than its ClusterQueue's nominal quota plus
 * what the cohort could lend it, the Workload is inadmissible and the application stays
 * suspended forever. (A submit-mode Job is admitted by its submitter pod alone, so only
 * job-exceeds-quota judges its Spark pods.)
 */
export const kueueExceedsClusterQueue: DoctorRule = {
  id: 'kueue-exceeds-cluster-queue',
  severity: Severity.ERROR,
  summary: 'The job stays suspended forever: its driver + executors above its Kueue ClusterQueue\'s quota plus what the cohort can lend',
  check(view, report) {
    for (const app of view.apps) {
      if (app.mode !== 'operator') continue;
      const queue = kueueQueueOf(view, app);
      if (queue === undefined) continue;
      const lq = view.find('LocalQueue', app.namespace, queue);
      const cqName = lq && isRecord(lq.json.spec) ? lq.json.spec.clusterQueue : undefined;
      const cq = typeof cqName === 'string' ? view.find('ClusterQueue', '', cqName) : undefined;
      if (!cq) continue;
      const totals = appTotals(view, app, startingExecutors(app));
      const needs: Record<KueueResource, number> = { cpu: totals.cpu.millicores, memory: totals.memory.bytes, pods: totals.pods };
      const excess: string[] = [];
      for (const r of ['cpu', 'memory', 'pods'] as const) {
        const cap = kueueCapacity(view, cq, r);
        if (r === 'pods' && cap.total === undefined) continue; // pods are counted only when covered
        if (cap.total === undefined || needs[r] > cap.total) excess.push(`${r} needs ${showAmount(r, needs[r])}, at most ${cap.total === undefined ? 0 : showAmount(r, cap.total)} (${cap.text})`);
      }
      if (excess.length === 0) continue;
      report(appTarget(app), `${totals.text} are admitted by Kueue together through LocalQueue ${q(queue)} -> ClusterQueue ${q(cq.name)}, which can never give them that much: ${excess.join('; ')}. The Workload stays inadmissible and the application suspended forever. Fix: run fewer or smaller executors, or raise the ClusterQueue's quota (KueueQueues quota/borrowingLimit)`);
    }
  },
};
