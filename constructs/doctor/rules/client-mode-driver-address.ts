import { DoctorRule, Severity } from '../types';
import { appTarget } from './common';

/** Whether a port conf value is missing or 0 (random). */
function notFixed(value: string | undefined): boolean {
  return value === undefined || value.trim() === '' || value.trim() === '0';
}

/**
 * `client-mode-driver-address`: in client mode the executors dial the driver, so they need an
 * address they can resolve (`spark.driver.host`: the pod IP or a headless Service; the default
 * pod hostname does not resolve) and fixed ports a NetworkPolicy can admit
 * (`spark.driver.port`, `spark.driver.blockManager.port`; unset, they are random).
 */
export const clientModeDriverAddress: DoctorRule = {
  id: 'client-mode-driver-address',
  severity: Severity.ERROR,
  summary: 'Executors cannot reach the driver (client mode): no spark.driver.host, or random driver ports',
  check(view, report) {
    for (const app of view.apps) {
      if (app.mode !== 'client') continue;
      const c = app.conf;
      const problems: string[] = [];
      if (!c['spark.driver.host']?.trim()) problems.push('spark.driver.host is not set, so executors are given the pod\'s hostname, which does not resolve (UnknownHostException)');
      if (notFixed(c['spark.driver.port'])) problems.push('spark.driver.port is not fixed, so the driver listens on a random port no NetworkPolicy admits');
      if (notFixed(c['spark.driver.blockManager.port'] ?? c['spark.blockManager.port'])) problems.push('spark.driver.blockManager.port is not fixed (random)');
      if (problems.length === 0) continue;
      report(appTarget(app), `${problems.join('; ')}: executors start, then die unable to reach the driver. Fix: set spark.driver.host to the pod IP (\${env:POD_IP} from status.podIP) or a headless Service's name, spark.driver.port=7078 and spark.driver.blockManager.port=7079, and admit those ports from the executor pods`);
    }
  },
};
