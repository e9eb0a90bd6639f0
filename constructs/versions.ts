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
