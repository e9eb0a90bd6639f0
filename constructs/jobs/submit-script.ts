/** Where the submit ConfigMap (script and pod templates) is mounted in the submitter pod. */
export const SUBMIT_DIR = '/opt/spark-platform/submit';

/** The driver pod template the script writes, with the owner filled in. */
export const DRIVER_TEMPLATE_PATH = '/tmp/driver-template.yaml';

/** Placeholders in the driver template that the script replaces with the submitter pod's identity. */
export const OWNER_PLACEHOLDERS = { name: '__SUBMITTER_POD_NAME__', uid: '__SUBMITTER_POD_UID__' } as const;

/**
 * The submitter's entrypoint (bash, in the Spark image), run with spark-submit's arguments.
 *
 * 1. Makes the submitter pod the driver's owner: the driver template gets an ownerReference to
 *    this pod (its name and uid come from the downward API), so deleting the Job (by hand, by
 *    `ttlSecondsAfterFinished` or by a CronJob's history limit) garbage-collects the driver, and
 *    with it the executors, Services and ConfigMaps the driver owns. A killed submitter takes
 *    its driver with it: a rerun never finds a second driver running.
 * 2. Runs spark-submit with `spark.kubernetes.submission.waitAppCompletion=true`, logging to
 *    stdout and a file.
 * 3. spark-submit exits 0 even when the driver fails (SPARK-26365), so the script reads the
 *    driver's final "exit code: N" that spark-submit logs and exits with it (1 if absent), making
 *    the Job's status the application's status.
 *
 * Overridable for tests: SPARK_HOME, SPARK_PLATFORM_SUBMIT_DIR, SPARK_PLATFORM_WORK_DIR.
 */
export const SUBMIT_SCRIPT = `#!/bin/bash
# spark-platform: run spark-submit for a SparkJob in submit mode (see constructs/jobs/submit-script.ts).
set -euo pipefail
submit_dir="\${SPARK_PLATFORM_SUBMIT_DIR:-${SUBMIT_DIR}}"
work_dir="\${SPARK_PLATFORM_WORK_DIR:-/tmp}"
: "\${POD_NAME:?POD_NAME must be set from metadata.name}"
: "\${POD_UID:?POD_UID must be set from metadata.uid}"

sed -e "s|${OWNER_PLACEHOLDERS.name}|\${POD_NAME}|g" -e "s|${OWNER_PLACEHOLDERS.uid}|\${POD_UID}|g" \\
  "\${submit_dir}/driver-template.yaml" > "\${work_dir}/driver-template.yaml"

log="\${work_dir}/spark-submit.log"
"\${SPARK_HOME:-/opt/spark}/bin/spark-submit" "$@" 2>&1 | tee "\${log}"

if [ "\${FAIL_ON_DRIVER_ERROR:-true}" != "true" ]; then
  exit 0
fi
code="$(sed -n 's/.*exit code: \\([0-9][0-9]*\\).*/\\1/p' "\${log}" | tail -n 1)"
if [ -z "\${code}" ]; then
  echo "spark-platform: spark-submit did not report the driver's exit code; failing the Job" >&2
  exit 1
fi
if [ "\${code}" != "0" ]; then
  echo "spark-platform: the driver exited with code \${code}; failing the Job" >&2
  if [ "\${code}" -gt 255 ]; then exit 1; fi
  exit "\${code}"
fi
`;
