import { sparkLineOf } from '../../versions';
import { DoctorRule, Severity } from '../types';
import { appImageFacts, appTarget, s3aUses } from './common';

const PACKAGE = /^org\.apache\.hadoop:hadoop-aws:(.+)$/;
const JAR = /(?:^|\/)hadoop-aws-(\d+\.\d+\.\d+)\.jar$/;

/**
 * `hadoop-aws-mismatch`: s3a needs `hadoop-aws` on the classpath, at the version of the Hadoop
 * that Spark bundles (versions.ts): without it, `ClassNotFoundException: S3AFileSystem`; with
 * another version, `NoSuchMethodError`/`NoClassDefFoundError`. Looked for in packages, jars and
 * SparkImages that declare a baked-in hadoop-aws (`jars`); official apache/spark
 * images have none; other undeclared images are not judged.
 */
export const hadoopAwsMismatch: DoctorRule = {
  id: 'hadoop-aws-mismatch',
  severity: Severity.ERROR,
  summary: 'ClassNotFoundException: S3AFileSystem: s3a:// without a hadoop-aws matching the Spark version',
  check(view, report) {
    for (const app of view.apps) {
      const uses = s3aUses(app);
      if (uses.length === 0) continue;
      const { driver, executor } = appImageFacts(view, app);
      const sparkVersion = driver?.sparkVersion ?? executor?.sparkVersion ?? app.sparkVersion;
      const line = sparkVersion ? sparkLineOf(sparkVersion) : undefined;
      const given = [
        ...app.packages.flatMap((p) => { const m = PACKAGE.exec(p); return m ? [{ version: m[1], where: `package ${p}` }] : []; }),
        ...app.jars.flatMap((j) => { const m = JAR.exec(j); return m ? [{ version: m[1], where: `jar ${j}` }] : []; }),
      ];
      if (given.length === 0) {
        // No package or jar: the images must carry it. Judge only images whose contents are known.
        const known = [driver, executor].filter((f): f is NonNullable<typeof f> => f !== undefined && f.hadoopAws !== undefined);
        const images = known.filter((f, i) => known.findIndex((g) => g.image === f.image) === i);
        if (images.length === 0) continue;
        const without = images.filter((f) => f.hadoopAws === null);
        if (without.length > 0) {
          const want = line ? `org.apache.hadoop:hadoop-aws:${line.hadoopAws} (with ${line.awsSdkBundle})` : 'the hadoop-aws of its Hadoop';
          report(appTarget(app), `${uses[0].field} reads s3a://, but no hadoop-aws is on the classpath (no package, no jar, and ${without.map((f) => JSON.stringify(f.image)).join(', ')} declares none): ClassNotFoundException: org.apache.hadoop.fs.s3a.S3AFileSystem. Fix: add ${want}, e.g. through the object-store connection, or bake it into the images and declare it in SparkImage jars`);
          continue;
        }
        for (const f of images) given.push({ version: f.hadoopAws as string, where: `image ${f.image}` });
      }
      if (!line) continue;
      for (const g of given) {
        if (g.version === line.hadoopAws) continue;
        report(appTarget(app), `${g.where}: hadoop-aws ${g.version} does not match Spark ${sparkVersion}, which bundles Hadoop ${line.hadoopAws}: expect NoSuchMethodError or ClassNotFoundException when s3a:// is read (${uses[0].field}). Fix: use org.apache.hadoop:hadoop-aws:${line.hadoopAws} with ${line.awsSdkBundle} (the object-store connection picks them from the version matrix, SPARK_LINES)`);
      }
    }
  },
};
