import { DoctorRule, Severity } from '../types';
import { appTarget, objectTarget } from './common';

/** s3a key conf (global or per bucket), with or without the `spark.hadoop.` prefix. */
const S3A_KEY = /^(spark\.hadoop\.)?fs\.s3a\.(bucket\.[^.]+\.)?(access|secret|session)\.key$/;
/** Credentials handed to Spark pods as literal environment through the conf. */
const ENV_KEY = /^(spark\.kubernetes\.driverEnv\.|spark\.executorEnv\.|spark\.yarn\.appMasterEnv\.)(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)$/;
/** The same keys in a properties file (spark-defaults.conf) or a Hadoop XML file. */
const S3A_KEY_IN_TEXT = /(?:^|[\s"'])(?:spark\.hadoop\.)?fs\.s3a\.(?:bucket\.[^.\s]+\.)?(?:access|secret|session)\.key(?:\s*[=:]\s*|[ \t]+)(?!\$\{)[^\s<]+/m;
const S3A_KEY_IN_XML = /<name>\s*fs\.s3a\.(?:bucket\.[^.<\s]+\.)?(?:access|secret|session)\.key\s*<\/name>\s*<value>\s*(?!\$\{)[^<\s]/;

/** Whether a conf value is a reference (`${env:X}`, `${env.X}`), not a literal. */
function isReference(value: string): boolean {
  return /\$\{[^}]+\}/.test(value) || value.trim() === '';
}

/**
 * `s3a-credentials-in-conf`: access keys written into the Spark conf (sparkConf, hadoopConf,
 * `--conf`, spark-defaults.conf in a ConfigMap) land in Git and in every `kubectl get`, and
 * rotating them means a new manifest. The value is never repeated in the message.
 */
export const s3aCredentialsInConf: DoctorRule = {
  id: 's3a-credentials-in-conf',
  severity: Severity.ERROR,
  summary: 'Secrets in Git / s3a 403 after rotation: s3a access keys as literals in the Spark conf',
  check(view, report) {
    for (const app of view.apps) {
      for (const [key, value] of Object.entries(app.conf)) {
        if (!(S3A_KEY.test(key) || ENV_KEY.test(key)) || isReference(value)) continue;
        report(appTarget(app), `${app.confField(key)}: ${key} holds a literal credential, which lands in Git and in every manifest dump. Fix: remove it and take the keys from a Secret (the object-store connection sets AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from one via secretKeyRef)`);
      }
    }
    for (const o of view.ofKind('ConfigMap')) {
      const data = o.json.data;
      if (!data || typeof data !== 'object') continue;
      for (const [file, text] of Object.entries(data as Record<string, unknown>)) {
        if (typeof text !== 'string') continue;
        if (S3A_KEY_IN_TEXT.test(text) || S3A_KEY_IN_XML.test(text)) {
          report(objectTarget(o), `data[${JSON.stringify(file)}] sets an s3a access key as a literal, which lands in Git. Fix: remove it and give the pods AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from a Secret (secretKeyRef)`);
        }
      }
    }
  },
};
