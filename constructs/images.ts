import { SparkPlatformError, show } from './errors';

/** Why `image` is not pinned (no tag or digest, or `latest`), or undefined when it is. */
export function imagePinProblem(image: string): string | undefined {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  if (image.includes('@sha256:')) return undefined;
  if (!lastSegment.includes(':')) return `${show(image)} has no tag, so it means :latest and changes under you`;
  if (lastSegment.endsWith(':latest')) return `${show(image)} uses the mutable tag latest`;
  return undefined;
}

/** Throws naming `field` when `image` is not pinned to an explicit version. */
export function assertPinnedImage(image: string, field: string, where?: string): void {
  const problem = imagePinProblem(image);
  if (problem) throw new SparkPlatformError(field, problem, 'pin an explicit version tag (e.g. ":2.5.2") or a digest ("@sha256:...")', where);
}
