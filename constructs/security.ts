import { k8s } from 'cdk8s-plus-28';

/**
 * Security contexts that meet the Kubernetes "restricted" Pod Security Standard: non-root,
 * no privilege escalation, every capability dropped, RuntimeDefault seccomp, read-only root
 * filesystem (writable paths come from emptyDir volumes).
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export function restrictedPodSecurityContext(uid: number, gid = uid): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The container half of the restricted profile. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
