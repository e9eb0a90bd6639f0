import { factsMismatch } from '../image-refs';
import { DoctorRule, Severity } from '../types';
import { appImageFacts, appTarget } from './common';

/**
 * `image-version-mismatch`: driver and executors (or a notebook and its executors) must run the
 * same Spark release and Scala, and for Python the same Python minor: PySpark refuses with
 * "Python in worker has different version", and Spark's RPC breaks across releases. Compared:
 * versions declared by SparkImages (SparkJob, notebooks, the doctor's `images`) and read from
 * official apache/spark tags; unknown versions are not compared.
 */
export const imageVersionMismatch: DoctorRule = {
  id: 'image-version-mismatch',
  severity: Severity.ERROR,
  summary: 'Python version mismatch / RPC errors: driver (or notebook) and executor images with different Spark, Scala or Python',
  check(view, report) {
    for (const app of view.apps) {
      const { driver, executor } = appImageFacts(view, app);
      if (!driver || !executor) continue;
      const mismatch = factsMismatch(driver, executor, app.python);
      if (!mismatch) continue;
      const who = app.mode === 'client' ? 'the driver (notebook) and its executors' : 'the driver and the executors';
      report(appTarget(app), `${who} run different versions: ${mismatch}.${app.python ? ' PySpark fails with "Python in worker has different version".' : ''} Fix: use one image for both, or build the executor image FROM the driver's Spark release with the same Python minor (and declare its versions with SparkImage.custom)`);
    }
  },
};
