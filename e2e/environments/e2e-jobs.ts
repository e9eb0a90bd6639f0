import { SparkJobMode, SparkJobType } from '../../constructs/jobs';
import { SparkNotebookImage } from '../../constructs/notebook';
import { Memory } from '../../constructs/units';
import type { JobConfig, PlatformConfig } from '../../stacks/config';

/** One SparkPi, described once, run in both modes: the same SparkJob props apart from the mode. */
const sparkPi: Omit<JobConfig, 'name'> = {
  tenant: 'spark-e2e',
  type: SparkJobType.SCALA,
  mainClass: 'org.apache.spark.examples.SparkPi',
  mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
  arguments: ['10', '$(POD_UID)'],
  driver: { memory: Memory.mebibytes(512) },
  executor: { instances: 1, memory: Memory.mebibytes(512) },
  // Short, so the suite sees the operator and the Job controller remove finished runs.
  timeToLiveSeconds: 20,
};

/**
 * The environment the e2e suite submits jobs from, to a cluster of its own: the same SparkPi in
 * operator mode and in submit mode, a notebook whose client-mode driver starts executors, and
 * no object store. dev's jobs resolve the s3a jars with
 * `--packages`, and the Maven repository reachable here does not serve
 * `org.apache.spark:spark-hadoop-cloud_2.13:4.0.3`, so spark-submit could not resolve them
 * offline at test time; dev itself is applied, admitted and RBAC-checked by the suite.
 */
export const e2eJobs: PlatformConfig = {
  name: 'e2e-jobs',
  description: 'End-to-end suite: one SparkPi in both modes, no storage.',
  network: { apiServerCidrs: ['127.0.0.0/8'] },
  operator: { namespace: 'spark-operator', workers: 2 },
  tenantDefaults: { quota: { cpu: '8', memory: '16Gi', pods: 20 } },
  tenants: [{ name: 'spark-e2e' }],
  jobs: [
    { ...sparkPi, name: 'spark-pi' },
    { ...sparkPi, name: 'spark-pi-submit', mode: SparkJobMode.SUBMIT },
  ],
  notebooks: [{
    tenant: 'spark-e2e',
    name: 'lab',
    image: SparkNotebookImage.unified({ image: 'localhost:5001/spark-notebook:4.0.3-jupyterlab4.6.6' }),
    memory: Memory.gibibytes(4),
    sessions: 2,
    executors: { instances: 1, memory: Memory.mebibytes(512) },
  }],
  doctor: { nodes: [{ name: 'e2e', cpu: '4', memory: '8Gi' }] },
};
