import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { declareSecretRef } from '../secret-refs';
import { NetworkEndpoint } from '../network';
import { SparkEnvValue } from '../spark-env';
import { SparkImage } from '../spark-image';
import { SparkLine } from '../versions';
import { IObjectStore, ObjectStoreCredentials } from './object-store';

/**
 * Something that runs Spark and can take object-store wiring: a SparkJob (both modes), a
 * notebook, the history server. Storage reaches workloads only through this interface.
 */
export interface ISparkWorkload {
  /** Name for messages. */
  readonly workloadName: string;
  /**
   * The namespace its Spark pods run in (a name, or a namespace such as a SparkNamespace). A
   * construct that has one gets the credentials Secret it reads declared there (see
   * declareSecretRef). @default - none declared
   */
  readonly namespace?: string | { readonly name: string };
  /** The image the workload's Spark runs in; its Spark line selects hadoop-aws. */
  readonly sparkImage: SparkImage;
  /** The executors' image, when it is another one. @default - sparkImage */
  readonly executorImage?: SparkImage;
  /** Adds Spark conf (refusing contradictions). */
  addSparkConf(conf: Readonly<Record<string, string>>, source: string): void;
  /** Adds Maven packages to resolve at start (`spark.jars.packages`). */
  addPackages(packages: readonly string[], source: string): void;
  /** Adds environment variables to every Spark container of the workload. */
  addEnv(env: Readonly<Record<string, SparkEnvValue>>, source: string): void;
  /**
   * Lets the workload's pods reach the object store at `endpoint` where their namespace restricts
   * egress (undefined: the store's address is unknown). @default - no NetworkPolicy is changed
   */
  allowObjectStoreEgress?(endpoint: NetworkEndpoint | undefined, source: string): void;
}

/** Where the s3a jars (hadoop-aws, the AWS SDK, spark-hadoop-cloud) come from. */
export enum S3aJars {
  /** Resolved from Maven at start (`spark.jars.packages`): needs egress to a Maven repository. */
  PACKAGES = 'packages',
  /** Already in the image (the better choice: no download at each start). */
  IMAGE = 'image',
}

/** The s3a jars matching a Spark line, as Maven coordinates. */
export interface S3aArtifacts {
  /** `org.apache.hadoop:hadoop-aws:<Spark's Hadoop>`. */
  readonly hadoopAws: string;
  /** The AWS SDK bundle hadoop-aws was built against. */
  readonly awsSdkBundle: string;
  /** `org.apache.spark:spark-hadoop-cloud_<scala>:<spark>`: the committer bindings. */
  readonly hadoopCloud: string;
}

/** The supported Spark line of an image, or an error naming the image and the supported lines. */
export function lineOf(image: SparkImage, field = 'image'): SparkLine {
  const line = image.line;
  if (!line) {
    throw new SparkPlatformError(field, `Spark ${image.sparkVersion} (${show(image.image)}) is not a line the version matrix knows, so no matching hadoop-aws can be chosen`, 'use Spark 3.5.x, 4.0.x or 4.1.x, or add the line to the version matrix (SPARK_LINES) of spark-platform');
  }
  return line;
}

/**
 * The s3a jars for the Spark inside `image`, from the one version matrix: hadoop-aws must equal
 * the Hadoop that Spark bundles and the SDK must be the one hadoop-aws was built against, else
 * `ClassNotFoundException: ...S3AFileSystem`, `NoClassDefFoundError` or `NoSuchMethodError`.
 */
export function s3aArtifacts(image: SparkImage): S3aArtifacts {
  const line = lineOf(image);
  return {
    hadoopAws: `org.apache.hadoop:hadoop-aws:${line.hadoopAws}`,
    awsSdkBundle: line.awsSdkBundle,
    hadoopCloud: `org.apache.spark:spark-hadoop-cloud_${image.scalaVersion}:${image.sparkVersion}`,
  };
}

/** The credentials provider reading `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`: SDK v1 for Hadoop 3.3, v2 for 3.4. */
export function environmentCredentialsProvider(line: SparkLine): string {
  return line.hadoopAws.startsWith('3.3.')
    ? 'com.amazonaws.auth.EnvironmentVariableCredentialsProvider'
    : 'software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider';
}

/**
 * The Spark conf that points s3a at `store` for the Spark inside `image`: endpoint, region,
 * addressing, TLS, credentials from the environment, disk-buffered uploads under /tmp, and the
 * magic committer (safe, fast commits on S3; no rename).
 */
export function s3aConf(store: IObjectStore, image: SparkImage): Record<string, string> {
  const line = lineOf(image);
  const h = (key: string, value: string): [string, string] => [`spark.hadoop.fs.s3a.${key}`, value];
  return Object.fromEntries([
    ...(store.endpoint ? [h('endpoint', store.endpoint)] : []),
    h('endpoint.region', store.region),
    h('path.style.access', String(store.pathStyleAccess)),
    h('connection.ssl.enabled', String(store.ssl)),
    h('impl', 'org.apache.hadoop.fs.s3a.S3AFileSystem'),
    h('aws.credentials.provider', environmentCredentialsProvider(line)),
    h('fast.upload.buffer', 'disk'),
    h('buffer.dir', '/tmp/s3a'),
    h('committer.name', 'magic'),
    h('committer.magic.enabled', 'true'),
    ['spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3a', 'org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory'],
    ['spark.sql.sources.commitProtocolClass', 'org.apache.spark.internal.io.cloud.PathOutputCommitProtocol'],
    ['spark.sql.parquet.output.committer.class', 'org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter'],
  ]);
}

/**
 * The s3a jars a workload must resolve as packages: those not baked into every one of its images
 * (`SparkImage.jars`). Resolving a jar the image has puts its classes on the classpath twice and
 * makes every driver and executor download it again. An image carrying another version of one
 * of them is an error: both would be on the classpath.
 */
export function s3aPackagesFor(workload: ISparkWorkload): string[] {
  const a = s3aArtifacts(workload.sparkImage);
  const images = [workload.sparkImage, ...(workload.executorImage && workload.executorImage !== workload.sparkImage ? [workload.executorImage] : [])];
  const wanted = [a.hadoopAws, a.awsSdkBundle, a.hadoopCloud];
  for (const image of images) {
    for (const coordinates of wanted) {
      const artifact = coordinates.split(':').slice(0, 2).join(':');
      const has = image.jarVersion(artifact);
      if (has !== undefined && `${artifact}:${has}` !== coordinates) {
        throw new SparkPlatformError('jars', `image ${show(image.image)} carries ${artifact}:${has}, but Spark ${image.sparkVersion} needs ${coordinates}`, `rebuild the image with ${coordinates} (the version matrix, SPARK_LINES), or declare what it really carries`, workload.workloadName);
      }
    }
  }
  return wanted.filter((c) => !images.every((image) => image.hasJar(c)));
}

/** Options of an ObjectStoreConnection. */
export interface ObjectStoreConnectionProps {
  /** The store. */
  readonly store: IObjectStore;
  /**
   * The Secret with the access keys, in each workload's namespace (Secrets are namespaced).
   * @default - Secret "s3-credentials" with keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
   */
  readonly credentials?: ObjectStoreCredentials;
  /** Where the s3a jars come from. @default S3aJars.PACKAGES */
  readonly jars?: S3aJars;
  /** Event log directory (`s3a://bucket/prefix`) every connected workload writes to. @default - none */
  readonly eventLogDir?: string;
}

/**
 * The one place s3a wiring is decided: `connect(workload)` gives a SparkJob, notebook or server
 * the conf, the jars and the credentials env for the store, for its own Spark version.
 */
export class ObjectStoreConnection {
  /** The store. */
  public readonly store: IObjectStore;
  /** The credentials Secret, per namespace. */
  public readonly credentials: Required<ObjectStoreCredentials>;
  /** Where the jars come from. */
  public readonly jars: S3aJars;
  /** Event log directory, when a history server reads one. */
  public readonly eventLogDir?: string;

  constructor(props: ObjectStoreConnectionProps) {
    checkProps('ObjectStoreConnectionProps', props, 'ObjectStoreConnection');
    this.store = props.store;
    this.credentials = {
      secretName: props.credentials?.secretName ?? 's3-credentials',
      accessKeyIdKey: props.credentials?.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID',
      secretAccessKeyKey: props.credentials?.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY',
    };
    this.jars = props.jars ?? S3aJars.PACKAGES;
    if (props.eventLogDir !== undefined) checkS3aUri(props.eventLogDir, 'eventLogDir', props.store);
    this.eventLogDir = props.eventLogDir;
  }

  /** This connection, plus an event log directory (what a history server reads). */
  public withEventLog(dir: string): ObjectStoreConnection {
    return new ObjectStoreConnection({ store: this.store, credentials: this.credentials, jars: this.jars, eventLogDir: dir });
  }

  /** Wires `workload` to the store: s3a conf, jars for its Spark line, credentials env, event log. */
  public connect(workload: ISparkWorkload): void {
    const source = 'ObjectStoreConnection';
    const conf = s3aConf(this.store, workload.sparkImage);
    if (this.eventLogDir) {
      conf['spark.eventLog.enabled'] = 'true';
      conf['spark.eventLog.dir'] = this.eventLogDir;
    }
    workload.addSparkConf(conf, source);
    if (this.jars === S3aJars.PACKAGES) {
      const missing = s3aPackagesFor(workload);
      if (missing.length > 0) workload.addPackages(missing, source);
    }
    workload.addEnv({
      AWS_ACCESS_KEY_ID: SparkEnvValue.fromSecret(this.credentials.secretName, this.credentials.accessKeyIdKey),
      AWS_SECRET_ACCESS_KEY: SparkEnvValue.fromSecret(this.credentials.secretName, this.credentials.secretAccessKeyKey),
    }, source);
    // The egress the namespace's default-deny would otherwise block (s3a timeouts at run time).
    workload.allowObjectStoreEgress?.(this.store.networkEndpoint, `${source}.connect(${workload.workloadName})`);
    const namespace = typeof workload.namespace === 'string' ? workload.namespace : workload.namespace?.name;
    if (namespace !== undefined && Construct.isConstruct(workload)) {
      declareSecretRef(workload, {
        namespace,
        name: this.credentials.secretName,
        keys: [this.credentials.accessKeyIdKey, this.credentials.secretAccessKeyKey],
        purpose: `s3a credentials of ${workload.workloadName}`,
      });
    }
  }
}

/** Throws unless `uri` is `s3a://<bucket>/...`; when the store declares buckets, the bucket must be one. */
export function checkS3aUri(uri: string, field: string, store?: IObjectStore): void {
  const m = /^s3a:\/\/([^/]+)(\/.*)?$/.exec(uri);
  if (!m) throw new SparkPlatformError(field, `${show(uri)} is not an s3a:// URI`, 'write s3a://<bucket>/<prefix>');
  if (store && store.buckets.length > 0 && !store.buckets.includes(m[1])) {
    throw new SparkPlatformError(field, `bucket ${show(m[1])} is not one of the store's buckets (${store.buckets.join(', ')})`, 'add it to the store\'s buckets, or use one of them');
  }
}
