import { SparkImage } from '../spark-image';
import { OFFICIAL_SPARK_IMAGE_LAYOUT, sparkLineOf } from '../versions';

/** An image reference split the way container runtimes read it. */
export interface ImageRef {
  /** Registry host (`docker.io` when the reference names none). */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `apache/spark`. */
  readonly repository: string;
  /** The tag, when there is one. */
  readonly tag?: string;
  /** The digest (`sha256:...`), when there is one. */
  readonly digest?: string;
}

/**
 * Splits an image reference. As in Docker's reference grammar, the first path component is a
 * registry only when it contains a `.` or a `:` or is `localhost`; otherwise the image is on
 * Docker Hub.
 */
export function parseImageRef(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first.toLowerCase() : 'docker.io';
  let path = hasRegistry ? rest.slice(slash + 1) : rest;
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon > path.lastIndexOf('/')) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  const repository = registry === 'docker.io' && !path.includes('/') ? `library/${path}` : path;
  return { registry: registry === 'index.docker.io' ? 'docker.io' : registry, repository, tag, digest };
}

/**
 * What the doctor knows is inside an image. A field that is undefined is unknown (never compared);
 * `pythonMinor: null` means the image declares no Python.
 */
export interface ImageFacts {
  readonly image: string;
  readonly sparkVersion?: string;
  readonly scalaVersion?: string;
  readonly pythonMinor?: string | null;
  /** hadoop-aws baked into the image's jars (null: declared without). */
  readonly hadoopAws?: string | null;
  /** The image's working directory, when known. */
  readonly workingDirectory?: string;
  /** The passwd home of its user (Java's `user.home`), when known. */
  readonly homeDirectory?: string;
  /** Declared by a SparkImage (true) or inferred from an official tag (false). */
  readonly declared: boolean;
}

/** The facts a SparkImage declares. */
export function factsOf(image: SparkImage): ImageFacts {
  return {
    image: image.image,
    sparkVersion: image.sparkVersion,
    scalaVersion: image.scalaVersion,
    pythonMinor: image.pythonMinor ?? null,
    hadoopAws: image.hadoopAwsVersion ?? null,
    workingDirectory: image.workingDirectory,
    homeDirectory: image.homeDirectory,
    declared: true,
  };
}

/**
 * Official apache/spark tags: `<x.y.z>[-scala[<2.1x>]][-java<n>][-python3][-r][-ubuntu]` (`-scala`
 * alone, as Apache's operator examples use, is the line's Scala).
 */
const OFFICIAL_TAG = /^(\d+\.\d+\.\d+)(?:-scala(2\.1[23])?)?(?:-java\d+)?(?:-python3)?(?:-r)?(?:-ubuntu)?$/;

/**
 * The Spark and Scala versions of an official `apache/spark` image, read from its tag (and no
 * hadoop-aws: the images hold Spark's binary distribution); undefined for any other image. Python
 * is left unknown: the same tag family ships 3.8 or 3.10 depending on
 * the base image, so only a declared SparkImage says which.
 */
export function inferOfficialFacts(image: string): ImageFacts | undefined {
  const ref = parseImageRef(image);
  if (ref.registry !== 'docker.io' || (ref.repository !== 'apache/spark' && ref.repository !== 'library/spark') || !ref.tag) return undefined;
  const m = OFFICIAL_TAG.exec(ref.tag);
  if (!m) return undefined;
  const scala = m[2] ?? sparkLineOf(m[1])?.scala ?? (m[1].startsWith('3.') ? '2.12' : '2.13');
  // The official images are Spark's binary distribution: no hadoop-aws in jars/.
  const { workingDirectory, homeDirectory } = OFFICIAL_SPARK_IMAGE_LAYOUT;
  return { image, sparkVersion: m[1], scalaVersion: scala, hadoopAws: null, workingDirectory, homeDirectory, declared: false };
}

/**
 * Why two images cannot be a driver and its executors, or undefined when nothing known differs:
 * Spark release and Scala (serialized classes, RPC) and, with `python`, the Python minor
 * ("Python in worker has different version"). Unknown fields are not compared.
 */
export function factsMismatch(driver: ImageFacts, executor: ImageFacts, python: boolean): string | undefined {
  const pairs: Array<[string, string | null | undefined, string | null | undefined]> = [
    ['Spark', driver.sparkVersion, executor.sparkVersion],
    ['Scala', driver.scalaVersion, executor.scalaVersion],
  ];
  if (python) pairs.push(['Python', driver.pythonMinor, executor.pythonMinor]);
  const diff = pairs.filter(([, a, b]) => a !== undefined && b !== undefined && a !== b);
  if (diff.length === 0) return undefined;
  return diff.map(([what, a, b]) => `${what} ${a ?? 'none'} in ${JSON.stringify(driver.image)} vs ${b ?? 'none'} in ${JSON.stringify(executor.image)}`).join('; ');
}
