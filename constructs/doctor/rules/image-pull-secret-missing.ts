import { parseImageRef } from '../image-refs';
import { DoctorRule, Severity } from '../types';
import { imageUses } from './common';

/** A registry on the node itself (kind's local registry, `localhost:5001`): anonymous by construction. */
const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/**
 * `image-pull-secret-missing`: an image from a private registry (any registry not in
 * `publicRegistries`, other than one on the node's loopback address) pulled by a pod with no
 * imagePullSecret, neither its own nor its ServiceAccount's, ends in ImagePullBackOff, unless
 * the nodes authenticate to that registry themselves (`nodeAuthenticatedRegistries`).
 */
export const imagePullSecretMissing: DoctorRule = {
  id: 'image-pull-secret-missing',
  severity: Severity.ERROR,
  summary: 'ImagePullBackOff: an image from a private registry without an imagePullSecret (pod or ServiceAccount)',
  check(view, report) {
    const { publicRegistries, nodeAuthenticatedRegistries } = view.options;
    for (const use of imageUses(view)) {
      const registry = parseImageRef(use.image).registry;
      if (publicRegistries.has(registry) || nodeAuthenticatedRegistries.has(registry) || LOOPBACK.test(registry)) continue;
      if (use.pullSecrets.length > 0) continue;
      report(use.target, `${use.field}: ${JSON.stringify(use.image)} comes from ${registry}, a private registry, and the pod has no imagePullSecrets (neither its own nor its ServiceAccount's): ImagePullBackOff. Fix: add an imagePullSecret (imagePullSecrets on the job or the ServiceAccount), or list ${registry} in the doctor's nodeAuthenticatedRegistries when the nodes pull from it with their own credentials`);
    }
  },
};
