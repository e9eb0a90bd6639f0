import { Cpu, Memory } from '../../units';
import { podMemoryLimit } from '../memory-limits';
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
  /** Memory limits: the requests, except where memoryLimit raises a Spark pod's (the operator's webhook). */
  readonly limitsMemory: Memory;
  /** How the Spark pods' memory limits were decided, for messages. */
  readonly limitsText: string;
  readonly pods: number;
  readonly extended: Readonly<Record<string, number>>;
  /** Scratch space: claims and ephemeral-storage requests of the local-dir volumes. */
  readonly scratch: SparkScratchStorage;
  /** "the submitter, the driver and 4 executors". */
  readonly text: string;
}

/**
 * The requests of an application's pods in its namespace with `executors` executors. Computed
 * once per application and count in a run (the quota rules and Kueue's share it).
 */
export function appTotals(view: DoctorView, app: SparkAppView, executors: number): AppTotals {
  return view.derivedFor(`appTotals:${executors}`, app, () => computeTotals(view, app, executors));
}

function computeTotals(view: DoctorView, app: SparkAppView, executors: number): AppTotals {
  let cpu = app.executor.cpu.times(executors);
  let memory = app.executor.memory.times(executors);
  const executorLimit = podMemoryLimit(view, app, app.executor);
  let limitsMemory = executorLimit.value.times(executors);
  const limitTexts = new Set([executorLimit.text]);
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
    limitsMemory = limitsMemory.plus(r.memory);
    pods += 1;
    parts.push('the submitter');
  }
  if (app.driver) {
    cpu = cpu.plus(app.driver.cpu);
    memory = memory.plus(app.driver.memory);
    const driverLimit = podMemoryLimit(view, app, app.driver);
    limitsMemory = limitsMemory.plus(driverLimit.value);
    limitTexts.add(driverLimit.text);
    pods += 1;
    addGpu(app.driver.gpus, 1);
    parts.push('the driver');
  }
  const limitEach = executorLimit.raised ? `, limit ${executorLimit.value}` : '';
  const text = `${parts.length > 0 ? `${parts.join(', ')} and ` : ''}${executors} executor${executors === 1 ? '' : 's'} (${app.executor.cpu} CPU, ${app.executor.memory}${limitEach} each)`;
  return { cpu, memory, limitsMemory, limitsText: [...limitTexts].join('; '), pods, extended, text, scratch: appScratchStorage(app, executors, view) };
}

/** Which hard limits of `q` the totals exceed, as text; empty when they fit. */
export function quotaExcess(t: AppTotals, q: QuotaView): string[] {
  const out: string[] = [];
  if (q.cpu && t.cpu.compare(q.cpu) > 0) out.push(`requests.cpu ${q.cpu} (needs ${t.cpu})`);
  if (q.memory && t.memory.compare(q.memory) > 0) out.push(`requests.memory ${q.memory} (needs ${t.memory})`);
  if (q.limitsMemory && t.limitsMemory.compare(q.limitsMemory) > 0) out.push(`limits.memory ${q.limitsMemory} (${t.limitsText}; needs ${t.limitsMemory})`);
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
        const limits = totals.limitsMemory.compare(totals.memory) > 0 ? ` (memory limits ${totals.limitsMemory})` : '';
        const lower = totals.limitsMemory.compare(totals.memory) > 0 ? ', lower memoryLimit' : '';
        report(appTarget(app), `${totals.text} need ${totals.cpu} CPU, ${totals.memory} memory${limits} and ${totals.pods} pods at start, above ${q.object.label}: ${excess.join(', ')}. The API server refuses the pods beyond it and the job waits forever. Fix: run fewer or smaller executors${lower}, or raise the namespace's quota`);
      }
    }
  },
};
