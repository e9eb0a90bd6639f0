import { SparkPlatformError, show } from '../errors';
import { SparkImage } from '../spark-image';
import { DEFAULT_SPARK_LINE, JUPYTERLAB, SPARK_IMAGE_UID, SPARK_LINES, SparkLine, SparkLineName } from '../versions';

/** Where the unified image's Dockerfile is, relative to the repository root. */
export const UNIFIED_IMAGE_DOCKERFILE = 'images/spark-notebook/Dockerfile';

/** The notebook user's home and working directory in the unified image (`ENV HOME`, `WORKDIR`). */
export const UNIFIED_IMAGE_HOME = '/home/spark';

/**
 * The jars the unified image adds to Spark's distribution for a line: hadoop-aws at Spark's
 * Hadoop, the AWS SDK bundle it was built against, and spark-hadoop-cloud (the committers).
 * The Dockerfile downloads exactly these (its build arguments come from the same matrix).
 */
export function unifiedImageJars(line: SparkLineName = DEFAULT_SPARK_LINE): string[] {
  const l: SparkLine | undefined = SPARK_LINES[line];
  if (!l) throw new SparkPlatformError('line', `${show(line)} is not a supported Spark line`, `use one of ${Object.keys(SPARK_LINES).join(', ')}`, 'unifiedImageJars');
  return [`org.apache.hadoop:hadoop-aws:${l.hadoopAws}`, l.awsSdkBundle, `org.apache.spark:spark-hadoop-cloud_${l.scala}:${l.version}`];
}

/** Options of `SparkNotebookImage.unified`. */
export interface UnifiedNotebookImageOptions {
  /** The reference you pushed the image built from images/spark-notebook/Dockerfile to, pinned by tag or digest. */
  readonly image: string;
  /** The Spark line it was built for (its `SPARK_IMAGE` build argument). @default DEFAULT_SPARK_LINE */
  readonly line?: SparkLineName;
}

/** Options of `SparkNotebookImage.jupyterStack`. */
export interface JupyterStackImageOptions {
  /** A `quay.io/jupyter/pyspark-notebook` (or derived) image, pinned by a date tag or digest. */
  readonly image: string;
  /** The Spark release inside (`spark-submit --version`); the stack installs the newest one at build time. */
  readonly sparkVersion: string;
  /** The kernel's Python major.minor (3.13 in 2026 builds). */
  readonly pythonVersion: string;
  /** Scala binary version. @default - the Spark line's */
  readonly scalaVersion?: string;
  /** Java major version. @default - unknown */
  readonly javaVersion?: string;
  /** The executors' image: the same Spark release, Scala and Python minor as the notebook. */
  readonly executor: SparkImage;
}

/** Options of `SparkNotebookImage.custom`. */
export interface CustomNotebookImageOptions {
  /** The notebook's image and the Spark/Python inside (the driver runs in its kernel). */
  readonly notebook: SparkImage;
  /** The executors' image. */
  readonly executor: SparkImage;
  /** The notebook user's home, where the notebooks volume is mounted. */
  readonly homeDirectory: string;
  /**
   * The command that starts JupyterLab, given the port and base URL. It must read the login
   * token from `JUPYTER_TOKEN` (Jupyter Server does).
   */
  readonly command: (port: number, baseUrl: string, homeDirectory: string) => string[];
}

/**
 * The images of a notebook and of its executors, and what is inside them. The driver runs in the
 * notebook's kernel, so the notebook and executor images must hold the same Spark release,
 * Scala version and Python minor, or PySpark fails at the first task ("Python in worker has
 * different version"): every factory refuses a pair that does not match, naming both versions.
 */
export class SparkNotebookImage {
  /**
   * One image for both: images/spark-notebook/Dockerfile adds JupyterLab to the official
   * `apache/spark` image of `line`, so Spark, Java and Python are the same on both sides by
   * construction (the kernel IS the executors' `python3`). Build it with
   * `unifiedImageBuildArgs(line)`.
   */
  public static unified(options: UnifiedNotebookImageOptions): SparkNotebookImage {
    const lineName = options.line ?? DEFAULT_SPARK_LINE;
    const line: SparkLine | undefined = SPARK_LINES[lineName];
    if (!line) {
      throw new SparkPlatformError('line', `${show(lineName)} is not a supported Spark line`, `use one of ${Object.keys(SPARK_LINES).join(', ')}`, 'SparkNotebookImage.unified');
    }
    // What the Dockerfile does to the official image: the same `spark` user (its passwd home
    // stays /nonexistent; only $HOME changes), WORKDIR /home/spark, and the s3a jars in jars/.
    const image = SparkImage.custom({
      image: options.image,
      sparkVersion: line.version,
      scalaVersion: line.scala,
      pythonVersion: line.python,
      javaVersion: line.java,
      uid: SPARK_IMAGE_UID,
      workingDirectory: UNIFIED_IMAGE_HOME,
      jars: unifiedImageJars(lineName),
    });
    return new SparkNotebookImage(image, image, UNIFIED_IMAGE_HOME, (port, baseUrl, home) => [
      'jupyter', 'lab', '--no-browser', '--ip=0.0.0.0', `--port=${port}`,
      `--ServerApp.root_dir=${home}`, `--ServerApp.base_url=${baseUrl}`,
    ], true);
  }

  /**
   * A Jupyter Docker Stacks image (`pyspark-notebook`: user jovyan, uid 1000, gid 100, Spark in
   * /usr/local/spark) with executors on another image. Its Python (3.13) is not the official
   * Spark images' (3.10): the executor image must be built with the kernel's Python minor.
   */
  public static jupyterStack(options: JupyterStackImageOptions): SparkNotebookImage {
    const notebook = SparkImage.custom({
      image: options.image,
      sparkVersion: options.sparkVersion,
      scalaVersion: options.scalaVersion,
      pythonVersion: options.pythonVersion,
      javaVersion: options.javaVersion,
      uid: 1000,
      gid: 100,
      user: 'jovyan',
      homeDirectory: '/home/jovyan',
      workingDirectory: '/home/jovyan',
      sparkHome: '/usr/local/spark',
    });
    return new SparkNotebookImage(notebook, options.executor, '/home/jovyan', (port, baseUrl, home) => [
      'start-notebook.py', `--ServerApp.port=${port}`, '--ServerApp.ip=0.0.0.0',
      `--ServerApp.root_dir=${home}`, `--ServerApp.base_url=${baseUrl}`,
    ], false);
  }

  /** Any other pair: say what is inside both images and how JupyterLab starts. */
  public static custom(options: CustomNotebookImageOptions): SparkNotebookImage {
    if (!/^\/[^\s]*$/.test(options.homeDirectory ?? '')) {
      throw new SparkPlatformError('homeDirectory', `${show(options.homeDirectory)} is not an absolute path`, 'give the notebook user\'s home, e.g. "/home/jovyan"', 'SparkNotebookImage.custom');
    }
    return new SparkNotebookImage(options.notebook, options.executor, options.homeDirectory, options.command, false);
  }

  private constructor(
    /** The notebook's image (the driver's). */
    public readonly notebook: SparkImage,
    /** The executors' image. */
    public readonly executor: SparkImage,
    /** The notebook user's home (the notebooks volume). */
    public readonly homeDirectory: string,
    private readonly startCommand: (port: number, baseUrl: string, homeDirectory: string) => string[],
    /** Whether one image serves both. */
    public readonly unified: boolean,
  ) {
    if (notebook.pythonMinor === undefined) {
      throw new SparkPlatformError('notebook.pythonVersion', `is not set for ${show(notebook.image)}: a notebook kernel is Python`, 'describe the image with its Python major.minor (SparkImage.custom({ pythonVersion }))', 'SparkNotebookImage');
    }
    const mismatch = notebook.mismatchWith(executor, true);
    if (mismatch) {
      throw new SparkPlatformError(
        'executor',
        `does not match the notebook: ${mismatch}. The driver runs in the notebook's kernel, and PySpark fails at the first task when the executors' Spark or Python differ`,
        `build the executor image FROM the same Spark release with the kernel's Python (or use SparkNotebookImage.unified, one image for both: ${UNIFIED_IMAGE_DOCKERFILE})`,
        'SparkNotebookImage',
      );
    }
  }

  /** The command starting JupyterLab on `port` under `baseUrl`. */
  public command(port: number, baseUrl: string): string[] {
    return this.startCommand(port, baseUrl, this.homeDirectory);
  }
}

/**
 * The `docker build --build-arg` values of images/spark-notebook/Dockerfile for a Spark line,
 * from the one version matrix. A test checks the Dockerfile's defaults equal the default line's.
 */
export function unifiedImageBuildArgs(line: SparkLineName = DEFAULT_SPARK_LINE): Record<string, string> {
  const l: SparkLine | undefined = SPARK_LINES[line];
  if (!l) throw new SparkPlatformError('line', `${show(line)} is not a supported Spark line`, `use one of ${Object.keys(SPARK_LINES).join(', ')}`, 'unifiedImageBuildArgs');
  return {
    SPARK_IMAGE: l.image,
    SPARK_VERSION: l.version,
    SCALA_VERSION: l.scala,
    HADOOP_AWS_VERSION: l.hadoopAws,
    AWS_SDK_BUNDLE: l.awsSdkBundle,
    JUPYTERLAB_VERSION: JUPYTERLAB.version,
  };
}
