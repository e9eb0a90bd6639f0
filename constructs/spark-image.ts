import { SparkPlatformError, show } from './errors';
import { assertPinnedImage } from './images';
import { DEFAULT_SPARK_LINE, SPARK_IMAGE_UID, SPARK_LINES, SparkLine, SparkLineName, sparkLineOf } from './versions';

/** What a Spark image contains, for images other than the official ones. */
export interface SparkImageProps {
  /** The image reference, pinned by tag or digest. */
  readonly image: string;
  /** The Spark release inside (x.y.z). */
  readonly sparkVersion: string;
  /** Scala binary version. @default - the Spark line's (2.12 for 3.5, 2.13 for 4.x) */
  readonly scalaVersion?: string;
  /** Python major.minor of the image's `python3`, or undefined when it has no Python. @default - no Python */
  readonly pythonVersion?: string;
  /** Java major version. @default - unknown */
  readonly javaVersion?: string;
  /** uid the image runs as (must be non-zero for the restricted Pod Security Standard). @default 185 */
  readonly uid?: number;
  /** gid of that user. @default - the uid */
  readonly gid?: number;
  /** Where Spark is installed. @default "/opt/spark" */
  readonly sparkHome?: string;
  /**
   * The `hadoop-aws` version baked into the image's `jars/` (with its AWS SDK), when it has one:
   * s3a then needs no `--packages`. The platform doctor checks it against the Spark line.
   * @default - none (the official images have no hadoop-aws)
   */
  readonly hadoopAwsVersion?: string;
}

/**
 * A Spark container image and the versions inside it. Driver, executors and notebooks compare
 * these to refuse, at synth, pairs that fail at run time (Python or Spark mismatch).
 */
export class SparkImage {
  /**
   * The official `apache/spark` image of a supported line, with Python, pinned by full tag.
   * @default line - DEFAULT_SPARK_LINE (versions.ts)
   */
  public static official(line: SparkLineName = DEFAULT_SPARK_LINE): SparkImage {
    const l: SparkLine | undefined = SPARK_LINES[line];
    if (!l) {
      throw new SparkPlatformError('SparkImage.official(line)', `${show(line)} is not a supported Spark line`, `use one of ${Object.keys(SPARK_LINES).join(', ')}`);
    }
    return new SparkImage({ image: l.image, sparkVersion: l.version, scalaVersion: l.scala, pythonVersion: l.python, javaVersion: l.java });
  }

  /** Any other image: say what is inside, so mismatches can be found before run time. */
  public static custom(props: SparkImageProps): SparkImage {
    return new SparkImage(props);
  }

  /** The image reference. */
  public readonly image: string;
  /** Spark x.y.z. */
  public readonly sparkVersion: string;
  /** Scala binary version. */
  public readonly scalaVersion: string;
  /** Python major.minor, or undefined without Python. */
  public readonly pythonVersion?: string;
  /** Java major version, when known. */
  public readonly javaVersion?: string;
  /** uid the image runs as. */
  public readonly uid: number;
  /** gid of that user. */
  public readonly gid: number;
  /** Where Spark is installed. */
  public readonly sparkHome: string;
  /** hadoop-aws baked into the image, when declared. */
  public readonly hadoopAwsVersion?: string;

  private constructor(props: SparkImageProps) {
    const where = `SparkImage ${show(props.image)}`;
    assertPinnedImage(props.image, 'image', where);
    if (!/^\d+\.\d+\.\d+$/.test(props.sparkVersion)) {
      throw new SparkPlatformError('sparkVersion', `${show(props.sparkVersion)} is not a Spark release (x.y.z)`, 'give the exact release inside the image, e.g. "4.0.3"', where);
    }
    const line = sparkLineOf(props.sparkVersion);
    const scala = props.scalaVersion ?? line?.scala;
    if (!scala) {
      throw new SparkPlatformError('scalaVersion', `is not set and Spark ${props.sparkVersion} is not a line the platform knows`, 'set scalaVersion (e.g. "2.13")', where);
    }
    if (!/^2\.1[23]$/.test(scala)) {
      throw new SparkPlatformError('scalaVersion', `${show(scala)} is not a Scala binary version Spark is built for`, 'use "2.12" or "2.13"', where);
    }
    if (props.pythonVersion !== undefined && !/^3\.\d+(\.\d+)?$/.test(props.pythonVersion)) {
      throw new SparkPlatformError('pythonVersion', `${show(props.pythonVersion)} is not a Python 3 version`, 'give major.minor, e.g. "3.10"', where);
    }
    if (props.hadoopAwsVersion !== undefined && !/^\d+\.\d+\.\d+$/.test(props.hadoopAwsVersion)) {
      throw new SparkPlatformError('hadoopAwsVersion', `${show(props.hadoopAwsVersion)} is not a hadoop-aws release (x.y.z)`, 'give the version of the hadoop-aws jar in the image, e.g. "3.4.1"', where);
    }
    const uid = props.uid ?? SPARK_IMAGE_UID;
    const gid = props.gid ?? uid;
    for (const [field, id] of [['uid', uid], ['gid', gid]] as const) {
      if (!Number.isInteger(id) || id <= 0) {
        throw new SparkPlatformError(field, `${show(id)} is not a non-root id`, 'run the image as a non-zero uid/gid (the official images use 185)', where);
      }
    }
    this.image = props.image;
    this.sparkVersion = props.sparkVersion;
    this.scalaVersion = scala;
    this.pythonVersion = props.pythonVersion;
    this.javaVersion = props.javaVersion;
    this.uid = uid;
    this.gid = gid;
    this.sparkHome = props.sparkHome ?? '/opt/spark';
    this.hadoopAwsVersion = props.hadoopAwsVersion;
  }

  /** Python major.minor (the part that must match between driver and executors). */
  public get pythonMinor(): string | undefined {
    return this.pythonVersion?.split('.').slice(0, 2).join('.');
  }

  /** The supported line of this image's Spark, or undefined. */
  public get line(): SparkLine | undefined {
    return sparkLineOf(this.sparkVersion);
  }

  /**
   * Why a driver on this image and executors on `other` fail at run time, or undefined when they
   * match: Spark release and Scala must be equal (serialized classes and RPC), and, for Python
   * jobs, the Python minor (PySpark refuses "Python in worker has different version").
   */
  public mismatchWith(other: SparkImage, python: boolean): string | undefined {
    const pairs: Array<[string, string | undefined, string | undefined]> = [
      ['Spark', this.sparkVersion, other.sparkVersion],
      ['Scala', this.scalaVersion, other.scalaVersion],
    ];
    if (python) pairs.push(['Python', this.pythonMinor, other.pythonMinor]);
    const diff = pairs.filter(([, a, b]) => a !== b);
    if (diff.length === 0) return undefined;
    return diff.map(([what, a, b]) => `${what} ${a ?? 'none'} in ${show(this.image)} vs ${b ?? 'none'} in ${show(other.image)}`).join('; ');
  }
}
