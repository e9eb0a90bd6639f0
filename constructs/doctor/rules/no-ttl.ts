import { DoctorRule, Severity } from '../types';
import { appTarget } from './common';

/**
 * `no-ttl`: a finished SparkApplication keeps its driver pod, UI Service and ConfigMaps until
 * someone deletes it; a finished spark-submit Job keeps its pod and (through it) the driver.
 * They pile up in etcd, in `kubectl get`, and in the operator's work. Scheduled applications and
 * CronJobs are pruned by their history limits instead. An Apache SparkApplication releases its
 * driver pod when it stops (unless resourceRetainPolicy keeps it), but the object itself stays
 * unless `applicationTolerations.ttlAfterStopMillis` is 0 or more.
 */
export const noTtl: DoctorRule = {
  id: 'no-ttl',
  severity: Severity.WARNING,
  summary: 'Finished apps pile up: no time to live on finished applications (timeToLiveSeconds, ttlSecondsAfterFinished, ttlAfterStopMillis)',
  check(view, report) {
    for (const app of view.apps) {
      if (!app.ttlRequired || app.ttlSeconds !== undefined) continue;
      // An explicit choice (SparkJob's disableTimeToLive, with its reason) is not a finding.
      if (view.sparkJobOf(app.construct)?.spec.timeToLiveDisabled !== undefined) continue;
      if (app.mode === 'apache-operator') {
        report(appTarget(app), `${app.ttlField} is not set (or negative): the Apache operator keeps the finished SparkApplication for ever (and its driver pod too, with resourceRetainPolicy Always or OnFailure). Fix: set it, in milliseconds (e.g. 86400000, one day)`);
        continue;
      }
      report(appTarget(app), `${app.ttlField} is not set: the finished application, its driver pod and what the driver owns stay until deleted by hand. Fix: set it (SparkJob sets timeToLiveSeconds, by default the operator's defaultTimeToLiveSeconds, one day)`);
    }
  },
};
