import { SparkImage } from '../../spark-image';
import { SPARK_LINES, SparkLine } from '../../versions';
import { SparkAppView } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { DoctorView } from '../view';
import { appTarget, q, s3aUses } from './common';
import { s3SchemeUses } from './s3-scheme-not-s3a';

const HADOOP_AWS_PACKAGE = /^org\.apache\.hadoop:hadoop-aws:(.+)$/;
const HADOOP_AWS_JAR = /(?:^|\/)hadoop-aws-(\d+\.\d+\.\d+)\.jar$/;

/** The two AWS SDK bundles hadoop-aws is built against: v1 before Hadoop 3.4, v2 from 3.4 on. */
const SDK = {
  v1: { artifact: 'com.amazonaws:aws-java-sdk-bundle', jar: /(?:^|\/)aws-java-sdk-bundle-[^/]*\.jar$/, probe: 'com.amazonaws.auth.AWSCredentialsProvider' },
  v2: { artifact: 'software.amazon.awssdk:bundle', jar: /(?:^|\/)bundle-\d[^/]*\.jar$/, probe: 'software.amazon.awssdk.core.exception.SdkException' },
} as const;
type SdkKind = keyof typeof SDK;

/** The SDK a hadoop-aws version needs, with the exact bundle when versions.ts pairs them. */
function sdkFor(hadoopAws: string): { kind: SdkKind; coordinates?: string } | undefined {
  const m = /^(\d+)\.(\d+)\./.exec(hadoopAws);
  if (!m) return undefined;
  const kind: SdkKind = Number(m[1]) > 3 || (Number(m[1]) === 3 && Number(m[2]) >= 4) ? 'v2' : 'v1';
  const line = (Object.values(SPARK_LINES) as SparkLine[]).find((l) => l.hadoopAws === hadoopAws);
  return { kind, coordinates: line?.awsSdkBundle };
}

/** The SparkImages an application's pods run, when declared (construct, or the doctor's `images`). */
function declaredImages(view: DoctorView, app: SparkAppView): Array<{ role: string; image: SparkImage }> {
  if (app.clientDriver) return [{ role: 'driver', image: app.clientDriver.driverImage }, { role: 'executor', image: app.clientDriver.executorImage }];
  const job = view.sparkJobOf(app.construct);
  if (job) return [{ role: 'driver', image: job.spec.driver.image }, { role: 'executor', image: job.spec.executor.image }];
  const out: Array<{ role: string; image: SparkImage }> = [];
  for (const pod of [app.driver, app.executor]) {
    const img = pod?.image ? view.options.images.find((i) => i.image === pod.image) : undefined;
    if (img) out.push({ role: pod!.role, image: img });
  }
  return out;
}

/**
 * `aws-sdk-bundle-missing`: S3AFileSystem (hadoop-aws) calls the AWS SDK it was built against,
 * which is a separate jar: `com.amazonaws:aws-java-sdk-bundle` up to Hadoop 3.3,
 * `software.amazon.awssdk:bundle` from 3.4 (versions.ts `awsSdkBundle` per Spark line). Maven
 * resolution (`--packages`) brings it along with hadoop-aws unless `spark.jars.excludes` drops
 * it; plain jars (`spark.jars`, `deps.jars`) and images that declare hadoop-aws in their `jars`
 * bring only what they list. Without the bundle, or with the other SDK's, the first s3a access
 * fails with `ClassNotFoundException`/`NoClassDefFoundError` for an SDK class. Checked where the
 * application uses S3A (an `s3a://` path, or `s3://` mapped to S3A).
 */
export const awsSdkBundleMissing: DoctorRule = {
  id: 'aws-sdk-bundle-missing',
  severity: Severity.ERROR,
  summary: 'ClassNotFoundException for an AWS SDK class at first s3a access: hadoop-aws without the AWS SDK bundle it was built against',
  check(view, report) {
    for (const app of view.apps) {
      const use = s3aUses(app)[0] ?? s3SchemeUses(app).find((u) => u.mapped);
      if (!use) continue;
      const excludes = new Set((app.conf['spark.jars.excludes'] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
      const images = declaredImages(view, app);
      // Where hadoop-aws comes from: packages resolve their dependencies, jars and images do not.
      const imageRoles = new Map<string, { image: SparkImage; roles: string[] }>();
      for (const { role, image } of images) {
        const e = imageRoles.get(image.image);
        if (e) e.roles.push(role);
        else imageRoles.set(image.image, { image, roles: [role] });
      }
      const sources: Array<{ version: string; where: string; from: 'package' | 'jar' | 'image' }> = [
        ...app.packages.flatMap((p) => { const m = HADOOP_AWS_PACKAGE.exec(p); return m ? [{ version: m[1], where: `package ${p}`, from: 'package' as const }] : []; }),
        ...app.jars.flatMap((j) => { const m = HADOOP_AWS_JAR.exec(j); return m ? [{ version: m[1], where: `jar ${j}`, from: 'jar' as const }] : []; }),
        ...[...imageRoles.values()].flatMap(({ image, roles }) => (image.hadoopAwsVersion ? [{ version: image.hadoopAwsVersion, where: `the ${roles.join(' and ')} image ${image.image}`, from: 'image' as const }] : [])),
      ];
      const seen = new Set<string>();
      for (const src of sources) {
        const sdk = sdkFor(src.version);
        if (!sdk || seen.has(src.where)) continue;
        seen.add(src.where);
        const want = SDK[sdk.kind];
        const wanted = sdk.coordinates ?? `${want.artifact}:<the version hadoop-aws ${src.version} was built against>`;
        const has = (kind: SdkKind) => {
          const s = SDK[kind];
          return app.packages.some((p) => p.startsWith(`${s.artifact}:`))
            || app.jars.some((j) => s.jar.test(j))
            || images.some(({ image }) => image.jarVersion(s.artifact) !== undefined)
            || (src.from === 'package' && kind === sdk.kind && !excludes.has(s.artifact));
        };
        if (has(sdk.kind)) continue;
        const other: SdkKind = sdk.kind === 'v1' ? 'v2' : 'v1';
        const none = `no package, jar or declared image jar is ${want.artifact}`;
        const why = src.from === 'package'
          ? `spark.jars.excludes (${app.confField('spark.jars.excludes')}) drops ${want.artifact}, which ${src.where} would bring`
          : src.from === 'jar'
            ? `${src.where} is a plain jar (nothing resolves its dependencies) and ${none}`
            : `${src.where} declares hadoop-aws in its jars, not the SDK, and ${none}`;
        const wrong = has(other) ? ` (${SDK[other].artifact} is there, the SDK of the other Hadoop line)` : '';
        report(appTarget(app), `hadoop-aws ${src.version} needs ${want.artifact}${wrong}, but ${why}: the first s3a access (${use.field}: ${q(use.value)}) fails with ClassNotFoundException (or NoClassDefFoundError) for an SDK class, e.g. ${want.probe}. Fix: add ${wanted} next to hadoop-aws (the object-store connection adds both from the version matrix, SPARK_LINES), or bake it into the image and list it in SparkImage jars`);
      }
    }
  },
};
