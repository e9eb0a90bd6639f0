import { SparkPlatformError, show } from './errors';

/*
 * The image reference grammar of the distribution project (what containerd, CRI-O and Docker
 * parse), written out as regular expressions:
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path-component ( "/" path-component )*
 *   domain     := host [ ":" port ]          host: DNS name, IPv4, or [IPv6]
 *   path-comp. := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex          algorithm: [a-z0-9]+ ( [+._-] [a-z0-9]+ )*, hex >= 32
 * and the name is at most 255 characters.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = '[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** A parsed image reference: the name, and the tag and digest when it has them. */
export interface ParsedImageReference {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Why `image` is not a valid image reference, or undefined (then `parseImageReference` succeeds). */
export function imageReferenceProblem(image: string): string | undefined {
  if (typeof image !== 'string' || image.length === 0) return `${show(image)} is not an image reference`;
  if (/\s/.test(image)) return `${show(image)} contains white space`;
  if (/:$/.test(image) || /:@/.test(image)) return `${show(image)} has an empty tag`;
  if (/@$/.test(image)) return `${show(image)} has an empty digest`;
  const m = REFERENCE.exec(image);
  if (!m) {
    if (/@/.test(image) && !new RegExp(`@${DIGEST}$`).test(image)) return `${show(image)} has a malformed digest (algorithm:hex, e.g. sha256: and 64 hex digits)`;
    if (/[A-Z]/.test(image.split('@')[0].replace(/^[^/]*\//, '').replace(/:[^/]*$/, ''))) return `${show(image)} has upper-case letters in its repository path, which registries refuse`;
    return `${show(image)} is not a valid image reference ([registry[:port]/]path[:tag][@digest])`;
  }
  if (m[1].length > 255) return `${show(image)} has a name longer than 255 characters`;
  return undefined;
}

/** Parses an image reference; throws with the problem when it is not one. */
export function parseImageReference(image: string): ParsedImageReference {
  const problem = imageReferenceProblem(image);
  if (problem) throw new Error(problem);
  const m = REFERENCE.exec(image)!;
  return { name: m[1], tag: m[2], digest: m[3] };
}

/** Why `image` is not a pinned, valid reference (malformed, no tag or digest, or `latest`), or undefined. */
export function imagePinProblem(image: string): string | undefined {
  const invalid = imageReferenceProblem(image);
  if (invalid) return invalid;
  const ref = parseImageReference(image);
  if (ref.digest) return undefined;
  if (!ref.tag) return `${show(image)} has no tag, so it means :latest and changes under you`;
  if (ref.tag === 'latest') return `${show(image)} uses the mutable tag latest`;
  return undefined;
}

/** Throws naming `field` when `image` is not a valid reference pinned to an explicit version. */
export function assertPinnedImage(image: string, field: string, where?: string): void {
  const problem = imagePinProblem(image);
  if (problem) throw new SparkPlatformError(field, problem, 'pin an explicit version tag (e.g. ":2.5.2") or a digest ("@sha256:...")', where);
}
