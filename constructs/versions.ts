/**
 * The one version matrix of the platform. Every image tag, API level and library version the
 * constructs emit comes from here, so an upgrade is a one-line change reviewed in one place.
 *
 * Rules: pin explicit versions (never `latest`); record where a value comes from.
 */

/**
 * The Kubernetes minor version the manifests target. It matches `cdk8s-plus-28` (the typed
 * classes the constructs build with) and the `kubectl` 1.28 the tests render kustomizations with.
 */
export const KUBERNETES_MINOR = '1.28';

/**
 * The Pod Security Standards version pinned in namespace labels
 * (`pod-security.kubernetes.io/enforce-version`). Pinning it keeps the meaning of `restricted`
 * from changing under a namespace when the cluster is upgraded.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
 */
export const POD_SECURITY_VERSION = `v${KUBERNETES_MINOR}`;

/**
 * The Kubeflow Spark operator (API `sparkoperator.k8s.io/v1beta2`). One image serves the
 * controller and the webhook; its tag is the chart's appVersion, without a `v`.
 * @see https://github.com/kubeflow/spark-operator/releases/tag/v2.5.2
 */
export const SPARK_OPERATOR = {
  version: '2.5.2',
  image: 'ghcr.io/kubeflow/spark-operator/controller:2.5.2',
  /** uid/gid of the `spark` user in the image (its base is apache/spark). */
  uid: 185,
} as const;

/** One supported Spark release line and the versions that must match it. */
export interface SparkLine {
  /** The Spark release (x.y.z) the line defaults to. */
  readonly version: string;
  /** Scala binary version of the official build. */
  readonly scala: string;
  /** Java major version of the default image. */
  readonly java: string;
  /** Python major.minor of the default image (Ubuntu jammy's python3). */
  readonly python: string;
  /** The official image with Python, pinned by full tag. */
  readonly image: string;
  /** `org.apache.hadoop:hadoop-aws` version: must equal the Hadoop Spark bundles. */
  readonly hadoopAws: string;
  /** The AWS SDK bundle `hadoop-aws` was built against (Maven coordinates with version). */
  readonly awsSdkBundle: string;
}

/**
 * The Spark lines the platform supports. Images: the official `apache/spark` tags
 * `<ver>-scala<s>-java<j>-python3-ubuntu` (base eclipse-temurin jammy, so Python 3.10, uid 185).
 * hadoop-aws equals the Hadoop each Spark release bundles (`jars/hadoop-client-api-*.jar`), and
 * the SDK is the one that hadoop-aws release was built against: a mismatched pair is the
 * classic `ClassNotFoundException: ...S3AFileSystem`.
 * @see ../shared/reference/client-mode-and-storage.md sections 2 and 5
 */
export const SPARK_LINES = {
  '3.5': {
    version: '3.5.8', scala: '2.12', java: '17', python: '3.10',
    image: 'docker.io/apache/spark:3.5.8-scala2.12-java17-python3-ubuntu',
    hadoopAws: '3.3.4', awsSdkBundle: 'com.amazonaws:aws-java-sdk-bundle:1.12.262',
  },
  '4.0': {
    version: '4.0.3', scala: '2.13', java: '17', python: '3.10',
    image: 'docker.io/apache/spark:4.0.3-scala2.13-java17-python3-ubuntu',
    hadoopAws: '3.4.1', awsSdkBundle: 'software.amazon.awssdk:bundle:2.24.6',
  },
  '4.1': {
    version: '4.1.2', scala: '2.13', java: '21', python: '3.10',
    image: 'docker.io/apache/spark:4.1.2-scala2.13-java21-python3-ubuntu',
    hadoopAws: '3.4.2', awsSdkBundle: 'software.amazon.awssdk:bundle:2.29.52',
  },
} as const satisfies Record<string, SparkLine>;

/** A supported Spark line ("3.5", "4.0", "4.1"). */
export type SparkLineName = keyof typeof SPARK_LINES;

/** The line new jobs use unless they say otherwise (what operator 2.5 is built and tested with). */
export const DEFAULT_SPARK_LINE: SparkLineName = '4.0';

/** uid/gid of the `spark` user in the official apache/spark images. */
export const SPARK_IMAGE_UID = 185;

/**
 * The layout of the official `apache/spark` images (apache/spark-docker, every 3.5.x, 4.0.x and
 * 4.1.x Dockerfile): what Spark's processes inherit and where they write. The user is created
 * with `useradd --system --uid=185 --gid=spark -d /nonexistent spark`, so Java's `user.home`
 * (read from the passwd entry, not `$HOME`) is `/nonexistent`; `WORKDIR /opt/spark/work-dir`
 * is on the image's root filesystem.
 */
export const OFFICIAL_SPARK_IMAGE_LAYOUT = {
  user: 'spark',
  uid: SPARK_IMAGE_UID,
  gid: SPARK_IMAGE_UID,
  homeDirectory: '/nonexistent',
  sparkHome: '/opt/spark',
  workingDirectory: '/opt/spark/work-dir',
} as const;

/** The line of a Spark version ("4.0.3" -> the 4.0 line), or undefined when unsupported. */
export function sparkLineOf(version: string): SparkLine | undefined {
  const m = /^(\d+)\.(\d+)\.\d+$/.exec(version);
  if (!m) return undefined;
  return (SPARK_LINES as Record<string, SparkLine>)[`${m[1]}.${m[2]}`];
}

/**
 * MinIO server and client. Upstream went source-only in October 2025 and its Docker Hub images
 * were deleted in 2026; these are the last tags still served from quay.io, frozen: they will get
 * no security fixes (they lack the CVE-2025-62506 fix). Point `MinIOProps.image`/`clientImage`
 * at your own build or a maintained fork, or use another S3 store (docs/storage.md).
 * @see ../shared/reference/client-mode-and-storage.md section 3
 */
export const MINIO = {
  image: 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z',
  clientImage: 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z',
  /** The images have no USER; run as this non-root uid/gid. */
  uid: 1000,
} as const;

/**
 * JupyterLab, installed into the unified notebook image (images/spark-notebook/Dockerfile, whose
 * build arguments `unifiedImageBuildArgs()` derives from this matrix). JupyterLab releases its
 * Python package and its npm packages (`@jupyterlab/application`) with the same version.
 */
export const JUPYTERLAB = {
  version: '4.6.6',
} as const;

/**
 * The Prometheus JMX exporter's Java agent (`monitoring.jmxExporter`): a jar an image ships
 * (`SparkImage.jmxExporterJar`); the end-to-end suite's Spark image carries this release, from
 * Maven Central, at `jarPath`. Its agent argument is `<port>:<config file>`.
 * @see https://github.com/prometheus/jmx_exporter/releases/tag/1.0.1
 */
export const JMX_EXPORTER = {
  maven: 'io.prometheus.jmx:jmx_prometheus_javaagent:1.0.1',
  version: '1.0.1',
  /** Where the end-to-end suite's image puts it. */
  jarPath: '/opt/spark-e2e/jmx_prometheus_javaagent-1.0.1.jar',
} as const;

/**
 * Apache Spark's own Kubernetes operator (API `spark.apache.org/v1`, kinds SparkApplication and
 * SparkCluster), the third way to run a SparkJob. The image and tag are the ones its Helm chart's
 * values name (`image.repository`, `image.tag`); it runs as the image's `spark` user.
 * @see https://github.com/apache/spark-kubernetes-operator/releases/tag/v1.0.0
 */
export const APACHE_SPARK_OPERATOR = {
  version: '1.0.0',
  image: 'apache/spark-kubernetes-operator:1.0.0',
  /** uid/gid of the `spark` user in the image (build-tools/docker/Dockerfile: SPARK_UID). */
  uid: 185,
} as const;
