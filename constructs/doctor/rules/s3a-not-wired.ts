import { SparkPodView } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { appTarget, q, s3aUses } from './common';

const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

/** The key variables a pod lacks (none when it takes a whole Secret as env: it may hold them). */
function missingEnv(pod: SparkPodView): string[] {
  if (pod.envFromSecret) return [];
  return ENV_KEYS.filter((k) => !pod.env.has(k));
}

/**
 * `s3a-not-wired`: an `s3a://` path in an application whose conf has no s3a wiring
 * (`spark.hadoop.fs.s3a.*`: endpoint, credentials provider) fails with 403 or "no AWS
 * credentials"; so does wiring that reads the keys from the environment
 * (EnvironmentVariableCredentialsProvider) when the driver or executor pods lack
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. (The executors of a client-mode driver get their env
 * from a template file the doctor cannot read: only the conf is checked there.)
 */
export const s3aNotWired: DoctorRule = {
  id: 's3a-not-wired',
  severity: Severity.ERROR,
  summary: 's3a 403 / no credentials: an s3a:// path without the object-store wiring (conf, credentials env)',
  check(view, report) {
    for (const app of view.apps) {
      const uses = s3aUses(app);
      if (uses.length === 0) continue;
      const first = uses[0];
      const wired = Object.keys(app.conf).some((k) => k.startsWith('spark.hadoop.fs.s3a.'));
      if (!wired) {
        report(appTarget(app), `${first.field}: ${q(first.value)} is an s3a:// path, but the application has no s3a wiring (no spark.hadoop.fs.s3a.* conf, so no endpoint and no credentials): it fails with 403 or "No AWS Credentials". Fix: connect it to the object store (ObjectStoreConnection.connect(job); environments with storage connect every job)`);
        continue;
      }
      const provider = app.conf['spark.hadoop.fs.s3a.aws.credentials.provider'] ?? '';
      if (!provider.includes('EnvironmentVariableCredentialsProvider')) continue;
      for (const pod of [app.driver, app.mode === 'client' || app.executorPods === false ? undefined : app.executor]) {
        if (!pod) continue;
        const missing = missingEnv(pod);
        if (missing.length === 0) continue;
        report(appTarget(app), `s3a reads its keys from the environment (${provider.split(',')[0].trim()}), but the ${pod.role} pod has no ${missing.join(' or ')}: every s3a:// access (${first.field}) fails with "No AWS Credentials". Fix: set them from the credentials Secret (SparkEnvValue.fromSecret, or the object-store connection, which does it for driver and executors)`);
      }
    }
  },
};
