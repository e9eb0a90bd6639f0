import { NetworkEndpoint } from '../network';

/** Where the keys Spark uses for an object store are, in each namespace that uses it. */
export interface ObjectStoreCredentials {
  /** Name of the Secret (created out of band, or by SealedSecrets / External Secrets). */
  readonly secretName: string;
  /** Key holding the access key id. @default "AWS_ACCESS_KEY_ID" */
  readonly accessKeyIdKey?: string;
  /** Key holding the secret access key. @default "AWS_SECRET_ACCESS_KEY" */
  readonly secretAccessKeyKey?: string;
}

/**
 * An S3-compatible object store as Spark sees it: the endpoint and addressing s3a needs, and
 * the network endpoint tenants must be allowed to reach. MinIO (deployed by the platform) and
 * S3ObjectStore (AWS S3 or any external store: nothing deployed) implement it.
 */
export interface IObjectStore {
  /** `fs.s3a.endpoint`, e.g. `http://minio.spark-platform.svc.cluster.local:9000`; undefined for AWS S3 (the SDK's default). */
  readonly endpoint?: string;
  /** Region (`fs.s3a.endpoint.region`); the SDK v2 needs one even for MinIO. */
  readonly region: string;
  /** Path-style addressing (`bucket` in the path, not the host name): true for MinIO. */
  readonly pathStyleAccess: boolean;
  /** Whether the endpoint is https (`fs.s3a.connection.ssl.enabled`). */
  readonly ssl: boolean;
  /** Buckets the store is known to have (created by the platform, or declared). */
  readonly buckets: readonly string[];
  /** Where Spark pods send traffic to reach it (for the tenants' egress policies), when in-cluster or fixed. */
  readonly networkEndpoint?: NetworkEndpoint;
}
