import { k8s } from 'cdk8s-plus-28';
import { SparkJobMode, SparkJobType } from '../../constructs/jobs';
import { SparkImage } from '../../constructs/spark-image';
import { Cpu, Memory } from '../../constructs/units';
import { JMX_EXPORTER, SPARK_LINES } from '../../constructs/versions';
import { dev } from '../../stacks/environments/dev';
import type { JobConfig, PlatformConfig } from '../../stacks/config';

/** The tenant of the real-node suite. */
export const REAL_TENANT = 'spark-real';

const LINE = SPARK_LINES['4.0'];

/**
 * The suite's Spark image with the s3a jars (e2e/images/build.sh `spark-s3a`): the official
 * layout plus hadoop-aws, the AWS SDK bundle and spark-hadoop-cloud in /opt/spark/jars, as an
 * image built for `storage.jars: "image"` is. spark-hadoop-cloud is 4.0.2, the newest 4.0
 * release the Maven repository reachable here serves (4.0.3 answers 404); it is declared as it is.
 * Python is Debian bookworm's 3.11 (the official images: Ubuntu's 3.10).
 */
export const E2E_S3A_IMAGE = SparkImage.custom({
  image: 'localhost/spark-platform-e2e/spark-s3a:4.0.3',
  sparkVersion: LINE.version,
  scalaVersion: LINE.scala,
  pythonVersion: '3.11',
  jars: [`org.apache.hadoop:hadoop-aws:${LINE.hadoopAws}`, LINE.awsSdkBundle, `org.apache.spark:spark-hadoop-cloud_${LINE.scala}:4.0.2`],
  jmxExporterJar: `local://${JMX_EXPORTER.jarPath}`,
});

/** The namespace and labels of the suite's stand-in for Prometheus (a probe pod scraping the jobs). */
export const SCRAPER = { namespace: 'e2e-monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } } as const;

/** The job that runs the production features of SparkJob for real (e2e/real/production-features.e2e.ts). */
export const FEATURES_JOB = 'spark-pi-features';
/** Its JMX exporter port. */
export const FEATURES_JMX_PORT = 8090;

/** The Parquet round trip through s3a (e2e/images/spark-s3a/s3a_roundtrip.py, in that image). */
export const ROUNDTRIP_PATH = 's3a://spark-data/e2e/roundtrip';

/**
 * The real node has 2 cores for everything (control plane included): Spark requests a whole
 * core per driver and executor unless told otherwise, so the suite's copies of dev's jobs ask
 * for a fifth of one. Spark itself still runs with `spark.{driver,executor}.cores=1`.
 */
const SMALL = Cpu.millis(200);

const q = (v: string) => k8s.Quantity.fromString(v);

function onTheRealNode(job: JobConfig, extra: Partial<JobConfig> = {}): JobConfig {
  return {
    ...job,
    tenant: REAL_TENANT,
    image: E2E_S3A_IMAGE,
    driver: { ...job.driver, coreRequest: SMALL },
    executor: { ...job.executor, coreRequest: SMALL },
    timeToLiveSeconds: 600,
    ...extra,
  };
}

function devJob(name: string): JobConfig {
  const job = (dev.jobs ?? []).find((j) => j.name === name);
  if (!job) throw new Error(`dev has no job ${name}`);
  return job;
}

function devNotebook(name: string): NonNullable<PlatformConfig['notebooks']>[number] {
  const nb = (dev.notebooks ?? []).find((n) => n.name === name);
  if (!nb) throw new Error(`dev has no notebook ${name}`);
  return nb;
}

/**
 * What the real-node suite (e2e/real/) applies: dev's two jobs (the Scala SparkPi through the
 * operator, the PySpark Pi through spark-submit in a Job), each also in a variant that fails (a
 * non-numeric slice count), an s3a round trip, dev's notebook and dev's storage, on the images
 * setup.sh built and imported under the tags the manifests use. What differs from dev: the
 * tenant, the CPU requests (2 cores), smaller slice counts, and the jobs' and History Server's
 * image (the Spark image plus the s3a jars: storage.jars "image", since no pod reaches Maven).
 */
export const e2eReal: PlatformConfig = {
  name: 'e2e-real',
  description: 'End-to-end suite on the real node: dev jobs run for real.',
  // the API server as pods reach it: the `kubernetes` Service forwards to the host's bridge address
  network: {
    apiServerCidrs: ['10.88.0.1/32'],
  },
  // dev's storage (MinIO, s3a for every job, the History Server), with the s3a jars in the
  // images (the suite's Spark images carry them: no pod can reach Maven) and a small drive
  storage: {
    minio: { mode: 'standalone', size: '5Gi' },
    jars: 'image',
    historyServer: { image: E2E_S3A_IMAGE },
  },
  operator: { namespace: 'spark-operator', workers: 2 },
  tenantDefaults: { quota: { cpu: '4', memory: '12Gi', pods: 20 } },
  // the suite's stand-in for Prometheus scrapes the tenant's Spark pods (allow-spark-metrics)
  tenants: [{ name: REAL_TENANT, metricsAccess: [{ namespace: SCRAPER.namespace, podLabels: { ...SCRAPER.labels } }] }],
  jobs: [
    onTheRealNode(devJob('spark-pi'), { arguments: ['20'] }),
    onTheRealNode(devJob('spark-pi-python'), { arguments: ['20'] }),
    onTheRealNode(devJob('spark-pi'), { name: 'spark-pi-fails', arguments: ['not-a-number'] }),
    onTheRealNode(devJob('spark-pi-python'), { name: 'spark-pi-python-fails', arguments: ['not-a-number'] }),
    // SparkPi with production features: the JMX exporter's agent in driver and executors, bounded
    // scratch as Spark's local dir, a native sidecar on the driver (which must not hold the pod)
    ((job) => onTheRealNode(job, {
      name: FEATURES_JOB,
      arguments: ['1000'],
      monitoring: { jmxExporter: { port: FEATURES_JMX_PORT } },
      driver: {
        ...job.driver,
        coreRequest: SMALL,
        scratch: { emptyDir: { sizeLimit: Memory.gibibytes(1) } },
        sidecars: [{
          name: 'heartbeat',
          native: true,
          image: E2E_S3A_IMAGE.image,
          // exits on the kubelet's TERM once the driver has ended
          command: ['bash', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
          resources: { requests: { cpu: q('10m'), memory: q('16Mi') }, limits: { memory: q('32Mi') } },
        }],
      },
      executor: { ...job.executor, coreRequest: SMALL, scratch: { emptyDir: { sizeLimit: Memory.gibibytes(1) } } },
    }))(devJob('spark-pi')),
    // writes Parquet through s3a with the magic committer and reads it back
    onTheRealNode({
      tenant: REAL_TENANT,
      name: 's3a-roundtrip',
      mode: SparkJobMode.SUBMIT,
      type: SparkJobType.PYTHON,
      mainApplicationFile: 'local:///opt/spark-e2e/s3a_roundtrip.py',
      arguments: [ROUNDTRIP_PATH],
      driver: { memory: Memory.mebibytes(512) },
      executor: { instances: 2, memory: Memory.mebibytes(512) },
    }),
  ],
  // dev's notebook (unified image, two sessions), small requests; its home volume is the static
  // PersistentVolume the suite provides (the node has no provisioner)
  notebooks: [{
    ...devNotebook('lab'),
    tenant: REAL_TENANT,
    cpu: SMALL,
    executors: { ...devNotebook('lab').executors, instances: 1, coreRequest: SMALL },
  }],
  doctor: { nodes: [{ name: 'e2e-node', cpu: '2', memory: '16Gi' }] },
};
