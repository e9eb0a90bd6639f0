import { SparkJobMode, SparkJobType } from '../../constructs/jobs';
import { SparkNotebookImage } from '../../constructs/notebook';
import { Memory } from '../../constructs/units';
import type { PlatformConfig } from '../config';

/**
 * `dev`: the embedded default. Small quotas and single replicas, for a laptop cluster (kind,
 * minikube) or a shared development cluster.
 */
export const dev: PlatformConfig = {
  name: 'dev',
  description: 'Small, single replicas: kind, minikube or a shared development cluster.',
  network: {
    // Laptop clusters put the API server on varying addresses; allow 443/6443 anywhere.
    apiServerCidrs: ['0.0.0.0/0'],
    // Any MinIO of the platform namespace, for jobs applied outside this environment too (the
    // environment's own jobs and notebook get the egress to the store they connect to anyway).
    objectStore: { namespace: 'spark-platform', podLabels: { 'app.kubernetes.io/name': 'minio' }, ports: [9000] },
    // Drivers resolve the s3a jars (--packages) from Maven Central at start.
    packageRepository: { cidrs: ['0.0.0.0/0'], ports: [443] },
  },
  // MinIO (one node), s3a for every job, the History Server on s3a://spark-logs/events.
  // Out of band: Secret minio-root (rootUser, rootPassword) in spark-platform, and Secret
  // s3-credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) in spark-platform and every tenant.
  storage: {
    minio: { mode: 'standalone', size: '20Gi' },
  },
  operator: {
    workers: 4,
  },
  tenantDefaults: {
    // The two example jobs and the notebook's session ask for 8250m CPU together (the doctor's
    // jobs-exceed-quota-together), plus the notebook pod itself: 12 lets them all run at once.
    quota: { cpu: '12', memory: '32Gi', pods: 40, persistentVolumeClaims: 10, storage: '50Gi' },
  },
  tenants: [
    { name: 'spark-jobs' },
  ],
  // Smoke tests of both ways to run Spark: through the operator, and spark-submit in a Job.
  jobs: [
    {
      tenant: 'spark-jobs',
      name: 'spark-pi',
      type: SparkJobType.SCALA,
      mainClass: 'org.apache.spark.examples.SparkPi',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      arguments: ['1000'],
      driver: { memory: Memory.mebibytes(512) },
      executor: { instances: 2, memory: Memory.mebibytes(512) },
    },
    {
      tenant: 'spark-jobs',
      name: 'spark-pi-python',
      mode: SparkJobMode.SUBMIT,
      type: SparkJobType.PYTHON,
      mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
      arguments: ['100'],
      driver: { memory: Memory.mebibytes(512) },
      executor: { instances: 2, memory: Memory.mebibytes(512) },
    },
    // Submitted by the airflow orchestrator (below), one SparkApplication per DAG run: written to
    // templates/spark-jobs-spark-pi-airflow.yaml, outside the kustomization (docs/jobs.md
    // "Submitted by an orchestrator"); checked like the others with its parameters' defaults.
    {
      tenant: 'spark-jobs',
      name: 'spark-pi-airflow',
      type: SparkJobType.SCALA,
      mainClass: 'org.apache.spark.examples.SparkPi',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      arguments: ['{{ slices }}'],
      sparkConf: { 'spark.sql.shuffle.partitions': '{{ shuffle_partitions }}' },
      driver: { memory: Memory.mebibytes(512) },
      executor: { instances: 1, memory: Memory.mebibytes(512) },
      template: {
        parameters: {
          slices: { description: 'SparkPi\'s number of slices', default: '100' },
          shuffle_partitions: { description: 'spark.sql.shuffle.partitions of the run', default: '8' },
        },
      },
    },
  ],
  // Airflow (its own chart, in namespace airflow) submits SparkApplications to spark-jobs with
  // SparkKubernetesOperator, as its existing account airflow-worker (docs/environments.md).
  orchestrators: [
    { name: 'airflow', namespace: 'airflow', serviceAccount: 'airflow-worker', tenants: ['spark-jobs'] },
  ],
  // The platform doctor: one kind/minikube node with what Docker is given (allocatable).
  doctor: {
    nodes: [{ name: 'kind', cpu: '4', memory: '8Gi' }],
  },
  // JupyterLab with the driver in its kernels; executors in spark-jobs. The unified image is
  // built from images/spark-notebook and pushed to kind's local registry (docs/notebooks.md).
  // Out of band: Secret lab-token (key token) in spark-jobs.
  notebooks: [
    {
      tenant: 'spark-jobs',
      name: 'lab',
      image: SparkNotebookImage.unified({ image: 'localhost:5001/spark-notebook:4.0.3-jupyterlab4.6.6' }),
      memory: Memory.gibibytes(4),
      sessions: 2,
      executors: { instances: 2, memory: Memory.mebibytes(512) },
    },
  ],
};
