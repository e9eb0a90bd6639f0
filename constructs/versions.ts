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
