import { SparkPlatformError, show } from '../errors';
import { checkProps } from '../validation/props';
import { NetworkEndpoint } from '../network';
import { IObjectStore } from './object-store';

/** An S3-compatible store the platform does not deploy. */
export interface ExternalObjectStoreProps {
  /** The endpoint URL, `http(s)://host[:port]`. */
  readonly endpoint: string;
  /** Region. @default "us-east-1" */
  readonly region?: string;
  /** Path-style addressing (most non-AWS stores need it). @default true */
  readonly pathStyleAccess?: boolean;
  /** Buckets it has. @default - not declared */
  readonly buckets?: readonly string[];
  /** Where its traffic goes, for the tenants' egress policies. @default - none (add egress yourself) */
  readonly networkEndpoint?: NetworkEndpoint;
}

/** AWS S3 itself, or another S3-compatible store that exists already: only the s3a wiring is emitted. */
export class S3ObjectStore implements IObjectStore {
  /** AWS S3 in `region`: the SDK's own endpoint, virtual-host addressing, TLS. */
  public static aws(options: { region: string; buckets?: readonly string[]; networkEndpoint?: NetworkEndpoint }): S3ObjectStore {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) {
      throw new SparkPlatformError('region', `${show(options.region)} is not an AWS region`, 'write e.g. "eu-central-1"', 'S3ObjectStore.aws');
    }
    return new S3ObjectStore(undefined, options.region, false, true, options.buckets ?? [], options.networkEndpoint);
  }

  /** Any S3-compatible endpoint (another MinIO, Ceph RGW, SeaweedFS, Garage, ...). */
  public static external(props: ExternalObjectStoreProps): S3ObjectStore {
    checkProps('ExternalObjectStoreProps', props, 'S3ObjectStore.external');
    const m = /^(https?):\/\/[^/\s]+$/.exec(props.endpoint);
    if (!m) {
      throw new SparkPlatformError('endpoint', `${show(props.endpoint)} is not an http(s) URL without a path`, 'write e.g. "https://s3.example.com" or "http://minio.storage.svc.cluster.local:9000"', 'S3ObjectStore.external');
    }
    return new S3ObjectStore(props.endpoint, props.region ?? 'us-east-1', props.pathStyleAccess ?? true, m[1] === 'https', props.buckets ?? [], props.networkEndpoint);
  }

  private constructor(
    /** `fs.s3a.endpoint`, or undefined for AWS. */
    public readonly endpoint: string | undefined,
    /** Region. */
    public readonly region: string,
    /** Path-style addressing. */
    public readonly pathStyleAccess: boolean,
    /** TLS. */
    public readonly ssl: boolean,
    /** Declared buckets. */
    public readonly buckets: readonly string[],
    /** Network endpoint for egress policies. */
    public readonly networkEndpoint?: NetworkEndpoint,
  ) {}
}
