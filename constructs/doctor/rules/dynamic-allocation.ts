import { DoctorRule, Severity } from '../types';
import { appImageFacts, appTarget } from './common';

/** Negative, zero or positive as version a is below, equal to or above b (x.y.z). */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The ShuffleDataIO Spark uses unless told otherwise. */
const DEFAULT_SHUFFLE_IO = 'org.apache.spark.shuffle.sort.io.LocalDiskShuffleDataIO';

/**
 * `dynamic-allocation-no-shuffle`: dynamic allocation must know what to do with executors that
 * hold shuffle data. Kubernetes has no external shuffle service, so Spark needs shuffle tracking
 * (the default since 3.4, unless turned off), shuffle-block migration on decommission, or a
 * remote shuffle plugin; otherwise SparkContext refuses to start ("Dynamic allocation of
 * executors requires ...").
 */
export const dynamicAllocationNoShuffle: DoctorRule = {
  id: 'dynamic-allocation-no-shuffle',
  severity: Severity.ERROR,
  summary: 'Dynamic allocation never scales (or the app does not start): no shuffle tracking and no shuffle service',
  check(view, report) {
    for (const app of view.apps) {
      const da = app.dynamicAllocation;
      if (!da || da.shuffleService) continue;
      const plugin = app.conf['spark.shuffle.sort.io.plugin.class'];
      if (plugin && plugin !== DEFAULT_SHUFFLE_IO) continue;
      const version = appImageFacts(view, app).driver?.sparkVersion ?? app.sparkVersion;
      const trackingByDefault = version === undefined || compareVersions(version, '3.4.0') >= 0;
      const tracking = da.shuffleTracking ?? trackingByDefault;
      if (tracking) continue;
      const why = da.shuffleTracking === false ? 'shuffle tracking is turned off' : `shuffle tracking is off by default before Spark 3.4 (this is ${version})`;
      report(appTarget(app), `dynamic allocation is on (${da.field}), but ${why} and there is no shuffle service on Kubernetes: SparkContext refuses to start ("Dynamic allocation of executors requires ..."). Fix: enable shuffle tracking (spark.dynamicAllocation.shuffleTracking.enabled=true, with shuffleTracking.timeout so idle executors holding shuffle data are released), or turn dynamic allocation off`);
    }
  },
};

/**
 * `dynamic-allocation-bounds`: Spark refuses to start with `minExecutors > maxExecutors` or
 * `maxExecutors = 0`.
 */
export const dynamicAllocationBounds: DoctorRule = {
  id: 'dynamic-allocation-bounds',
  severity: Severity.ERROR,
  summary: 'The app does not start: dynamic allocation with minExecutors > maxExecutors, or maxExecutors 0',
  check(view, report) {
    for (const app of view.apps) {
      const da = app.dynamicAllocation;
      if (!da) continue;
      if (da.max === 0) {
        report(appTarget(app), `dynamic allocation has maxExecutors 0 (${da.field}): Spark refuses to start. Fix: set maxExecutors to at least 1 (and at least minExecutors)`);
      } else if (da.min > da.max) {
        report(appTarget(app), `dynamic allocation has minExecutors ${da.min} above maxExecutors ${da.max} (${da.field}): Spark refuses to start. Fix: make minExecutors <= initialExecutors <= maxExecutors`);
      }
    }
  },
};
