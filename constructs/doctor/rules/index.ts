import { DoctorRule } from '../types';
import { clientModeDriverAddress } from './client-mode-driver-address';
import { driverUnreachable } from './driver-unreachable';
import { dynamicAllocationBounds, dynamicAllocationNoShuffle } from './dynamic-allocation';
import { hadoopAwsMismatch } from './hadoop-aws-mismatch';
import { imageDigestRequired } from './image-digest-required';
import { imageNotPinned } from './image-not-pinned';
import { imagePullSecretMissing } from './image-pull-secret-missing';
import { imageVersionMismatch } from './image-version-mismatch';
import { jobExceedsQuota } from './job-exceeds-quota';
import { maxExecutorsExceedQuota } from './max-executors-exceed-quota';
import { namespaceNotWatched } from './namespace-not-watched';
import { noTtl } from './no-ttl';
import { podExceedsNode } from './pod-exceeds-node';
import { s3aNotWired } from './s3a-not-wired';
import { secretInOutput, secretWithData } from './secrets';
import { serviceLinksEnabled } from './service-links-enabled';
import { sparkRbacMissing } from './spark-rbac-missing';
import { unwritablePath } from './unwritable-path';
import { unconfinedPod } from './unconfined-pod';
import { apiServerPortUnconfirmed } from './api-server-port-unconfirmed';
import { awsSdkBundleMissing } from './aws-sdk-bundle-missing';
import { driverApiEgressBlocked } from './driver-api-egress-blocked';
import { jobsExceedQuotaTogether } from './jobs-exceed-quota-together';
import { pysparkPythonMismatch } from './pyspark-python-mismatch';
import { s3SchemeNotS3a } from './s3-scheme-not-s3a';
import { toleratesEverything } from './tolerates-everything';
import { kueueDynamicAllocation } from './kueue-dynamic-allocation';
import { kueueExceedsClusterQueue } from './kueue-exceeds-cluster-queue';
import { kueueQueueMissing } from './kueue-queue-missing';
import { metricsScrapeDropped } from './metrics-scrape-dropped';
import { unboundedScratch } from './unbounded-scratch';

/** Every rule the doctor runs, grouped by the run-time symptom they prevent. */
export const DOCTOR_RULES: readonly DoctorRule[] = [
  // Pods Pending forever
  podExceedsNode, jobExceedsQuota, maxExecutorsExceedQuota, jobsExceedQuotaTogether,
  // ImagePullBackOff
  imageNotPinned, imagePullSecretMissing, imageDigestRequired,
  // Python / Spark version mismatch
  imageVersionMismatch, pysparkPythonMismatch,
  // fails at start inside the container, or is refused by Pod Security
  unwritablePath, unconfinedPod, toleratesEverything,
  // s3a
  s3aNotWired, hadoopAwsMismatch, awsSdkBundleMissing, s3SchemeNotS3a,
  // executors <-> driver, the driver's API rights, the operator
  clientModeDriverAddress, driverUnreachable, sparkRbacMissing, namespaceNotWatched, driverApiEgressBlocked, apiServerPortUnconfirmed,
  // scale and hygiene
  serviceLinksEnabled, noTtl, dynamicAllocationNoShuffle, dynamicAllocationBounds, unboundedScratch,
  // Kueue: never admitted, or refused
  kueueQueueMissing, kueueExceedsClusterQueue, kueueDynamicAllocation,
  // monitoring: metrics that never reach Prometheus
  metricsScrapeDropped,
  // secrets in Git and in Pulumi state (s3a keys in the conf included)
  secretWithData, secretInOutput,
];

export * from './common';
export { credentialFindings } from './secrets';
export { SPARK_DRIVER_NEEDS } from './spark-rbac-missing';
export { unschedulable } from './pod-exceeds-node';
