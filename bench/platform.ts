/**
 * Synthetic platforms for the benchmark: `jobs` SparkJobs spread over tenants of 100 jobs each,
 * half through the operator and half through spark-submit, a quarter of them PySpark, with
 * storage (MinIO, s3a for every job, the History Server), one notebook per ten tenants and the
 * platform doctor with a node shape.
 */
import { SparkJobMode, SparkJobType } from '../constructs/jobs';
import { SparkNotebookImage } from '../constructs/notebook';
import { Memory } from '../constructs/units';
import type { JobConfig, NotebookConfig, PlatformConfig } from '../stacks/config';

/** Jobs per tenant namespace. */
export const JOBS_PER_TENANT = 100;

/** A platform with `jobs` SparkJobs. */
export function benchPlatform(jobs: number): PlatformConfig {
  const tenantCount = Math.max(1, Math.ceil(jobs / JOBS_PER_TENANT));
  const tenants = Array.from({ length: tenantCount }, (_, i) => ({ name: `team-${String(i).padStart(4, '0')}` }));
  const jobConfigs: JobConfig[] = Array.from({ length: jobs }, (_, i) => {
    const tenant = tenants[Math.floor(i / JOBS_PER_TENANT)].name;
    const python = i % 4 === 3;
    return {
      tenant,
      name: `job-${String(i).padStart(5, '0')}`,
      mode: i % 2 === 0 ? SparkJobMode.OPERATOR : SparkJobMode.SUBMIT,
      type: python ? SparkJobType.PYTHON : SparkJobType.SCALA,
      mainClass: python ? undefined : 'org.apache.spark.examples.SparkPi',
      mainApplicationFile: python ? 'local:///opt/spark/examples/src/main/python/pi.py' : 'local:///opt/spark/examples/jars/spark-examples.jar',
      arguments: ['100'],
      driver: { memory: Memory.mebibytes(512) },
      executor: { instances: 1, memory: Memory.mebibytes(512) },
    };
  });
  const notebooks: NotebookConfig[] = tenants.filter((_, i) => i % 10 === 0).map((t) => ({
    tenant: t.name,
    name: 'lab',
    image: SparkNotebookImage.unified({ image: 'registry.example.com/spark-notebook:4.0.3-jupyterlab4.6.6' }),
    memory: Memory.gibibytes(4),
    imagePullSecrets: ['registry-credentials'],
    executors: { instances: 2, memory: Memory.mebibytes(512) },
  }));
  return {
    name: `bench-${jobs}`,
    network: {
      apiServerCidrs: ['10.0.0.0/28'],
      objectStore: { namespace: 'spark-platform', podLabels: { 'app.kubernetes.io/name': 'minio' }, ports: [9000] },
      packageRepository: { cidrs: ['0.0.0.0/0'], ports: [443] },
    },
    storage: { minio: { mode: 'standalone', size: '20Gi' } },
    tenantDefaults: { quota: { cpu: '64', memory: '256Gi', pods: 400, configMaps: 500, services: 200, secrets: 20 } },
    tenants,
    jobs: jobConfigs,
    notebooks,
    // The doctor runs every rule, the node-shape ones included.
    doctor: { nodes: [{ name: 'general', cpu: '15', memory: '56Gi' }] },
  };
}
