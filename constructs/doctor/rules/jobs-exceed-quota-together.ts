import { plusScratch } from '../../spark-sizing';
import { Cpu, Memory } from '../../units';
import { SparkAppView } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { DoctorView, QuotaView } from '../view';
import { objectTarget } from './common';
import { AppTotals, appTotals, quotaExcess, startingExecutors } from './job-exceeds-quota';

/** An application at the size it may reach, when that size fits the namespace's quotas alone. */
interface SizedApp {
  readonly app: SparkAppView;
  readonly totals: AppTotals;
  readonly executors: number;
  /** Whether `executors` is dynamic allocation's maxExecutors. */
  readonly atMax: boolean;
}

/**
 * The size an application may reach: dynamic allocation's maxExecutors when bounded and it fits
 * the quotas alone (else its starting executors: max-executors-exceed-quota reports the rest),
 * or its fixed executors; undefined when even that does not fit alone (job-exceeds-quota).
 */
function sizeOf(view: DoctorView, app: SparkAppView, quotas: readonly QuotaView[]): SizedApp | undefined {
  const fits = (t: AppTotals) => quotas.every((q) => quotaExcess(t, q).length === 0);
  const da = app.dynamicAllocation;
  if (da && Number.isFinite(da.max)) {
    const totals = appTotals(view, app, da.max);
    if (fits(totals)) return { app, totals, executors: da.max, atMax: true };
  }
  const executors = startingExecutors(app);
  const totals = appTotals(view, app, executors);
  return fits(totals) ? { app, totals, executors, atMax: false } : undefined;
}

function sum(apps: readonly SizedApp[]): AppTotals {
  let cpu = Cpu.ZERO;
  let memory = Memory.ZERO;
  let limitsMemory = Memory.ZERO;
  const limitTexts = new Set<string>();
  let pods = 0;
  const extended: Record<string, number> = {};
  for (const { totals } of apps) {
    cpu = cpu.plus(totals.cpu);
    memory = memory.plus(totals.memory);
    limitsMemory = limitsMemory.plus(totals.limitsMemory);
    limitTexts.add(totals.limitsText);
    pods += totals.pods;
    for (const [k, v] of Object.entries(totals.extended)) extended[k] = (extended[k] ?? 0) + v;
  }
  return { cpu, memory, limitsMemory, limitsText: [...limitTexts].join('; '), pods, extended, text: `${apps.length} applications`, scratch: plusScratch(...apps.map((a) => a.totals.scratch)) };
}

/**
 * `jobs-exceed-quota-together`: every Spark application of a namespace fits its ResourceQuota
 * alone (job-exceeds-quota checks that), but not all of them at once: scheduled and on-demand
 * jobs and notebooks' executors share one quota. Whichever starts last gets its pods refused by
 * the API server and waits (a driver without executors, or a submitter retrying), so the jobs
 * run one after another instead of side by side. Applications are counted at the size they may
 * reach: submitter, driver and executors, dynamic allocation at its bounded maxExecutors.
 */
export const jobsExceedQuotaTogether: DoctorRule = {
  id: 'jobs-exceed-quota-together',
  severity: Severity.WARNING,
  summary: 'Jobs wait for each other: the Spark applications of a namespace each fit its ResourceQuota, but not together',
  check(view, report) {
    const namespaces = new Set(view.apps.map((a) => a.namespace));
    for (const ns of namespaces) {
      const quotas = view.quotasIn(ns);
      if (quotas.length === 0) continue;
      const sized = view.appsIn(ns).flatMap((app) => sizeOf(view, app, quotas) ?? []);
      if (sized.length < 2) continue;
      const together = sum(sized);
      for (const q of quotas) {
        const excess = quotaExcess(together, q);
        if (excess.length === 0) continue;
        const each = sized.map((s) => `${s.app.label}: ${s.totals.cpu} CPU, ${s.totals.memory}${s.totals.limitsMemory.compare(s.totals.memory) > 0 ? ` (limits ${s.totals.limitsMemory})` : ''}, ${s.totals.pods} pods${s.atMax ? ` at maxExecutors ${s.executors}` : ''}`);
        report(objectTarget(q.object), `${sized.length} Spark applications in namespace ${ns} need ${together.cpu} CPU, ${together.memory} memory and ${together.pods} pods together (${each.join('; ')}); ${q.object.label} allows ${excess.join(', ')}. Each fits alone, so they run one after another: whichever starts last has its pods refused and waits Pending. Fix: raise the quota to the sum, make the jobs smaller (or cap maxExecutors), or schedule them apart and accept the wait (suppress with the reason)`);
      }
    }
  },
};
