import { imagePinProblem } from '../../images';
import { DoctorRule, Severity } from '../types';
import { imageUses } from './common';

/**
 * `image-not-pinned`: an image without a tag (or with `latest`) changes under a running platform
 * and, with `imagePullPolicy: Always` or on a new node, pulls something else or fails to pull.
 */
export const imageNotPinned: DoctorRule = {
  id: 'image-not-pinned',
  severity: Severity.ERROR,
  summary: 'ImagePullBackOff or a different image per node: an image without a tag, with latest, or a malformed reference',
  check(view, report) {
    for (const use of imageUses(view)) {
      const problem = imagePinProblem(use.image);
      if (problem) report(use.target, `${use.field}: ${problem}. Fix: pin an explicit version tag (e.g. ":4.0.3-scala2.13-java17-python3-ubuntu") or a digest ("@sha256:...")`);
    }
  },
};
