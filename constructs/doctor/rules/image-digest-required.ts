import { imagePinProblem } from '../../images';
import { parseImageRef } from '../image-refs';
import { DoctorRule, Severity } from '../types';
import { imageUses } from './common';

/**
 * `image-digest-required`: where the environment demands digests (`requireDigests`, for
 * production), a tag is not enough: tags can be moved, digests cannot.
 */
export const imageDigestRequired: DoctorRule = {
  id: 'image-digest-required',
  severity: Severity.ERROR,
  summary: 'A different image than the one reviewed: a mutable tag where the environment demands digests (requireDigests)',
  check(view, report) {
    if (!view.options.requireDigests) return;
    for (const use of imageUses(view)) {
      if (imagePinProblem(use.image)) continue; // image-not-pinned reports it
      if (parseImageRef(use.image).digest) continue;
      report(use.target, `${use.field}: ${JSON.stringify(use.image)} is pinned by tag only, and this environment requires digests (a tag can be moved to another image). Fix: append the digest, e.g. "${use.image}@sha256:<digest>" (crane digest ${use.image})`);
    }
  },
};
