import { SparkPlatformError, show } from './errors';
import { checkProps } from './validation/props';
import { assertPinnedImage } from './images';
import { DEFAULT_SPARK_LINE, OFFICIAL_SPARK_IMAGE_LAYOUT, SPARK_LINES, SparkLine, SparkLineName, sparkLineOf } from './versions';

/** Maven coordinates of a jar: `group:artifact:version`. */
const JAR_COORDINATES = /^([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+):([A-Za-z0-9_.+-]+)$/;

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
  /** Name of that user (for messages). @default "spark" */
  readonly user?: string;
  /**
   * The user's home directory in the image's passwd entry: Java's `user.home`, where Ivy and
   * other tools write unless told otherwise. Setting `$HOME` does not change it.
   * @default "/nonexistent" (the official images' `spark` user)
   */
  readonly homeDirectory?: string;
  /** Where Spark is installed (`SPARK_HOME`). @default "/opt/spark" */
  readonly sparkHome?: string;
  /**
   * The image's working directory (`WORKDIR`): cluster-mode drivers download added jars and
   * files there, executors fetch them there, and `spark.sql.warehouse.dir` defaults below it.
   * @default "/opt/spark/work-dir" (the official images')
   */
  readonly workingDirectory?: string;
  /**
   * Jars the image adds to Spark's distribution (in `$SPARK_HOME/jars`), as Maven coordinates
   * `group:artifact:version`. The platform does not resolve these again as packages, and the
   * doctor checks hadoop-aws among them against the Spark line.
   * @default - none (the official images hold Spark's binary distribution only)
   */
  readonly jars?: readonly string[];
  /**
   * The Prometheus JMX exporter's Java agent jar in the image, as `local:///absolute/path.jar`:
   * SparkJob's `monitoring.jmxExporter` loads it with `-javaagent` when the job names no jar.
   * @default - none (the official images have no JMX exporter)
   */
  readonly jmxExporterJar?: string;
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
  /** Name of the user it runs as. */
  public readonly user: string;
  /** The user's passwd home: Java's `user.home`. */
  public readonly homeDirectory: string;
  /** Where Spark is installed. */
  public readonly sparkHome: string;
  /** The working directory its processes start in. */
  public readonly workingDirectory: string;
  /** Jars the image adds to Spark's distribution, as Maven coordinates. */
  public readonly jars: readonly string[];
  /** The JMX exporter agent jar in the image (`local:///...`), when it ships one. */
  public readonly jmxExporterJar?: string;

  private constructor(props: SparkImageProps) {
    checkProps('SparkImageProps', props, `SparkImage ${show(props?.image)}`);
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
    const jars = [...(props.jars ?? [])];
    jars.forEach((j, i) => {
      if (typeof j !== 'string' || !JAR_COORDINATES.test(j)) {
        throw new SparkPlatformError(`jars[${i}]`, `${show(j)} is not Maven coordinates`, 'write group:artifact:version, e.g. "org.apache.hadoop:hadoop-aws:3.4.1"', where);
      }
    });
    const artifacts = jars.map((j) => j.split(':').slice(0, 2).join(':'));
    const twice = artifacts.find((a, i) => artifacts.indexOf(a) !== i);
    if (twice) throw new SparkPlatformError('jars', `list ${show(twice)} twice`, 'list each artifact once, at the version in the image', where);
    const paths: Array<[string, string | undefined]> = [['homeDirectory', props.homeDirectory], ['sparkHome', props.sparkHome], ['workingDirectory', props.workingDirectory]];
    for (const [field, value] of paths) {
      if (value !== undefined && !/^\/[^\s]*$/.test(value)) {
        throw new SparkPlatformError(field, `${show(value)} is not an absolute path`, 'give the absolute path inside the image', where);
      }
    }
    if (props.jmxExporterJar !== undefined && !/^local:\/\/\/[^\s]+\.jar$/.test(props.jmxExporterJar)) {
      throw new SparkPlatformError('jmxExporterJar', `${show(props.jmxExporterJar)} is not a jar in the image`, 'write local:///absolute/path/to/jmx_prometheus_javaagent.jar', where);
    }
    const layout = OFFICIAL_SPARK_IMAGE_LAYOUT;
    const uid = props.uid ?? layout.uid;
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
    this.user = props.user ?? layout.user;
    this.homeDirectory = props.homeDirectory ?? layout.homeDirectory;
    this.sparkHome = props.sparkHome ?? layout.sparkHome;
    this.workingDirectory = props.workingDirectory ?? layout.workingDirectory;
    this.jars = jars;
    this.jmxExporterJar = props.jmxExporterJar;
  }

  /** The version of an artifact (`group:artifact`) the image carries in its jars, or undefined. */
  public jarVersion(artifact: string): string | undefined {
    const found = this.jars.find((j) => j.startsWith(`${artifact}:`) && j.split(':').length === 3);
    return found?.split(':')[2];
  }

  /** Whether the image carries exactly these Maven coordinates (`group:artifact:version`). */
  public hasJar(coordinates: string): boolean {
    return this.jars.includes(coordinates);
  }

  /** The hadoop-aws version baked into the image, when it declares one. */
  public get hadoopAwsVersion(): string | undefined {
    return this.jarVersion('org.apache.hadoop:hadoop-aws');
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
