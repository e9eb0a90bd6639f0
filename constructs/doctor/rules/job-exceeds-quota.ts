import { Cpu, Memory } from '../../units';
import { podRequests } from '../pods';
import { SparkAppView } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { DoctorView, QuotaView } from '../view';
import { appTarget } from './common';
import { appScratchStorage, scratchExcess } from './unbounded-scratch';
import type { SparkScratchStorage } from '../../spark-sizing';

/** What an application's pods add up to with `executors` executors. */
export interface AppTotals {
  readonly cpu: Cpu;
  readonly memory: Memory;
  readonly pods: number;
  readonly extended: Readonly<Record<string, number>>;
  /** Scratch space: claims and ephemeral-storage requests of the local-dir volumes. */
  readonly scratch: SparkScratchStorage;
  /** "the submitter, the driver and 4 executors". */
  readonly text: string;
}

/** The requests of an application's pods in its namespace with `executors` executors. */
export function appTotals(view: DoctorView, app: SparkAppView, executors: number): AppTotals {
  let cpu = app.executor.cpu.times(executors);
  let memory = app.executor.memory.times(executors);
  let pods = executors;
  const extended: Record<string, number> = {};
  const addGpu = (g: { resource: string; amount: number } | undefined, n: number) => {
    if (g) extended[g.resource] = (extended[g.resource] ?? 0) + g.amount * n;
  };
  addGpu(app.executor.gpus, executors);
  const parts: string[] = [];
  if (app.submitter && app.submitter.namespace === app.namespace) {
    const r = podRequests(app.submitter.pod.spec, view.containerDefaults(app.namespace));
    cpu = cpu.plus(r.cpu);
    memory = memory.plus(r.memory);
    pods += 1;
    parts.push('the submitter');
  }
  if (app.driver) {
    cpu = cpu.plus(app.driver.cpu);
    memory = memory.plus(app.driver.memory);
    pods += 1;
    addGpu(app.driver.gpus, 1);
    parts.push('the driver');
  }
  const text = `${parts.length > 0 ? `${parts.join(', ')} and ` : ''}${executors} executor${executors === 1 ? '' : 's'} (${app.executor.cpu} CPU, ${app.executor.memory} each)`;
  return { cpu, memory, pods, extended, text, scratch: appScratchStorage(app, executors) };
}

/** Which hard limits of `q` the totals exceed, as text; empty when they fit. */
export function quotaExcess(t: AppTotals, q: QuotaView): string[] {
  const out: string[] = [];
  if (q.cpu && t.cpu.compare(q.cpu) > 0) out.push(`requests.cpu ${q.cpu} (needs ${t.cpu})`);
  if (q.memory && t.memory.compare(q.memory) > 0) out.push(`requests.memory ${q.memory} (needs ${t.memory})`);
  if (q.limitsMemory && t.memory.compare(q.limitsMemory) > 0) out.push(`limits.memory ${q.limitsMemory} (Spark sets memory limit = request; needs ${t.memory})`);
  if (q.pods !== undefined && t.pods > q.pods) out.push(`pods ${q.pods} (needs ${t.pods})`);
  for (const [resource, amount] of Object.entries(t.extended)) {
    const limit = q.extended[resource];
    if (limit !== undefined && amount > limit) out.push(`requests.${resource} ${limit} (needs ${amount})`);
  }
  out.push(...scratchExcess(t.scratch, q)); // scratch space
  return out;
}

/** Executors an application starts with. */
export function startingExecutors(app: SparkAppView): number {
  return app.dynamicAllocation ? app.dynamicAllocation.initial : app.instances;
}

/**
 * `job-exceeds-quota`: the pods a Spark application starts with (submitter, driver and its
 * starting executors) must fit its namespace's ResourceQuota; past it the API server refuses
 * pods and the application waits forever for executors it never gets.
 */
export const jobExceedsQuota: DoctorRule = {
  id: 'job-exceeds-quota',
  severity: Severity.ERROR,
  summary: 'Pods Pending forever: the pods a job starts with (driver + executors, + submitter) above the namespace ResourceQuota (CPU, memory, pod count)',
  check(view, report) {
    for (const app of view.apps) {
      const quotas = view.quotasIn(app.namespace);
      if (quotas.length === 0) continue;
      const totals = appTotals(view, app, startingExecutors(app));
      for (const q of quotas) {
        const excess = quotaExcess(totals, q);
        if (excess.length === 0) continue;
        report(appTarget(app), `${totals.text} need ${totals.cpu} CPU, ${totals.memory} memory and ${totals.pods} pods at start, above ${q.object.label}: ${excess.join(', ')}. The API server refuses the pods beyond it and the job waits forever. Fix: run fewer or smaller executors, or raise the namespace's quota`);
      }
    }
  },
};
