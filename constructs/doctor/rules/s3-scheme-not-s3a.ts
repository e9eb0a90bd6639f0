import { SparkAppView } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { appTarget, q } from './common';

/** An `s3://` or `s3n://` URI in a value (at its start, or after a space, comma or `=`). */
const S3_SCHEME = /(?:^|[\s,=])(s3n?):\/\//;

/** Where an application reads an `s3://`/`s3n://` URI, and whether the user mapped that scheme to a FileSystem. */
export function s3SchemeUses(app: SparkAppView): Array<{ field: string; value: string; scheme: string; mapped: boolean }> {
  const out: Array<{ field: string; value: string; scheme: string; mapped: boolean }> = [];
  for (const u of app.uris) {
    const m = S3_SCHEME.exec(u.value);
    if (!m) continue;
    const impl = app.conf[`spark.hadoop.fs.${m[1]}.impl`];
    out.push({ ...u, scheme: m[1], mapped: impl !== undefined && impl.trim() !== '' });
  }
  return out;
}

/**
 * `s3-scheme-not-s3a`: Hadoop (and so Spark) maps no FileSystem to `s3://` (that is EMR's EMRFS)
 * and dropped `s3n://` in Hadoop 3; only `s3a://` is S3AFileSystem. A main file, argument,
 * dependency or conf value (event log directory, warehouse, checkpoint) on `s3://` or `s3n://`
 * fails at first use with `UnsupportedFileSystemException: No FileSystem for scheme "s3"`.
 * Quiet when the user maps the scheme (`spark.hadoop.fs.s3.impl`, e.g. to
 * org.apache.hadoop.fs.s3a.S3AFileSystem).
 */
export const s3SchemeNotS3a: DoctorRule = {
  id: 's3-scheme-not-s3a',
  severity: Severity.ERROR,
  summary: 'No FileSystem for scheme "s3": s3:// or s3n:// paths where Spark uses Hadoop\'s FileSystem (only s3a:// is mapped)',
  check(view, report) {
    for (const app of view.apps) {
      const uses = s3SchemeUses(app).filter((u) => !u.mapped);
      if (uses.length === 0) continue;
      const schemes = [...new Set(uses.map((u) => u.scheme))];
      const list = uses.map((u) => `${u.field}: ${q(u.value)}`).join('; ');
      report(appTarget(app), `${list}: Hadoop maps no FileSystem to ${schemes.map((s) => `${s}://`).join(' or ')} (s3:// is EMR's, s3n:// left with Hadoop 3), so the first access fails with "No FileSystem for scheme "${schemes[0]}"". Fix: write s3a:// instead (same bucket and key), or map the scheme on purpose with ${schemes.map((s) => `spark.hadoop.fs.${s}.impl`).join(' / ')} = org.apache.hadoop.fs.s3a.S3AFileSystem`);
    }
  },
};
