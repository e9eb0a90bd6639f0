import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { NameRule, assertName } from '../names';
import { declareSecretRef } from '../secret-refs';

/** The kinds of SecretStore an ExternalSecret can read from. */
export type SecretStoreKind = 'SecretStore' | 'ClusterSecretStore';

/** The External Secrets store an ExternalSecret reads from. */
export interface SecretStoreRef {
  /** Name of the store. */
  readonly name: string;
  /** `SecretStore` (in the Secret's namespace) or `ClusterSecretStore`. */
  readonly kind: SecretStoreKind;
}

/** Where one key of the Secret comes from in the external store. */
export interface ExternalSecretRemoteRef {
  /** The key (path, name) of the secret in the external store. */
  readonly key: string;
  /** The property inside that secret (e.g. a JSON field), when it holds several. @default - the whole value */
  readonly property?: string;
}

/** Options of `SecretSource.externalSecret`. */
export interface ExternalSecretOptions {
  /** The SecretStore or ClusterSecretStore to read from (installed separately). */
  readonly secretStore: SecretStoreRef;
  /** Each key of the Secret and where its value comes from. */
  readonly data: Readonly<Record<string, ExternalSecretRemoteRef>>;
  /** How often External Secrets re-reads the store (a Go duration). @default "1h" */
  readonly refreshInterval?: string;
}

/** The External Secrets API version emitted. v1beta1 is no longer served since External Secrets 0.17. */
export const EXTERNAL_SECRET_API_VERSION = 'external-secrets.io/v1';
/** The Sealed Secrets API version emitted. */
export const SEALED_SECRET_API_VERSION = 'bitnami.com/v1alpha1';

/** Keys of a Secret's data: alphanumerics, '-', '_' and '.'. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** What kubeseal writes: base64 of an RSA-OAEP-wrapped session key plus AES-GCM ciphertext, hundreds of characters. */
const SEALED_VALUE = /^[A-Za-z0-9+/=]{40,}$/;
/** A Go duration ("1h", "30m", "1h30m", "90s") or 0 (never refresh). */
const GO_DURATION = /^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/;

type Source =
  | { readonly kind: 'existing' }
  | { readonly kind: 'sealed-secret'; readonly encryptedData: Readonly<Record<string, string>> }
  | { readonly kind: 'external-secret'; readonly options: ExternalSecretOptions; readonly refreshInterval: string };

/**
 * Where a Secret with given keys comes from: created out of band, a SealedSecret (ciphertext,
 * safe in Git) or an ExternalSecret (read from a secret manager). Never plaintext: the platform
 * emits no v1 Secret, so no credential ever lands in the manifests.
 *
 * A consumer (e.g. MinIO) calls `emit` with the keys it reads; sealed and external sources are
 * checked to provide them.
 */
export class SecretSource {
  /** A Secret created out of band (by hand, by another tool); nothing is emitted. */
  public static existing(name: string): SecretSource {
    assertName(name, NameRule.DNS1123_SUBDOMAIN, 'name', 'SecretSource.existing');
    return new SecretSource(name, { kind: 'existing' });
  }

  /**
   * A bitnami SealedSecret: the Sealed Secrets controller (installed separately) decrypts it into
   * the Secret `name`. Seal each value with
   * `kubeseal --raw --namespace <ns> --name <name> --from-file=/dev/stdin`: with the default
   * (strict) scope the ciphertext only decrypts under that name and namespace.
   * @param encryptedData each Secret key and its sealed (base64) value
   */
  public static sealedSecret(name: string, encryptedData: Readonly<Record<string, string>>): SecretSource {
    const where = 'SecretSource.sealedSecret';
    assertName(name, NameRule.DNS1123_SUBDOMAIN, 'name', where);
    const entries = Object.entries(encryptedData ?? {});
    if (entries.length === 0) {
      throw new SparkPlatformError('encryptedData', 'is empty', 'add each key of the Secret with its value sealed by kubeseal', where);
    }
    for (const [key, value] of entries) {
      checkSecretKey(key, `encryptedData.${key}`, where);
      if (typeof value !== 'string' || !SEALED_VALUE.test(value)) {
        // Never echo the value: it may be a plaintext password pasted by mistake.
        throw new SparkPlatformError(
          `encryptedData.${key}`,
          'does not look like Sealed Secrets ciphertext (base64, at least 40 characters); a plaintext value here would be committed to Git',
          `seal it: echo -n "<value>" | kubeseal --raw --namespace <namespace> --name ${name} --from-file=/dev/stdin`,
          where,
        );
      }
    }
    return new SecretSource(name, { kind: 'sealed-secret', encryptedData: { ...encryptedData } });
  }

  /**
   * An External Secrets `ExternalSecret`: the External Secrets operator (installed separately)
   * reads each key from the store and writes (and owns) the Secret `name`.
   */
  public static externalSecret(name: string, options: ExternalSecretOptions): SecretSource {
    const where = 'SecretSource.externalSecret';
    assertName(name, NameRule.DNS1123_SUBDOMAIN, 'name', where);
    const store = options.secretStore;
    if (!store || typeof store.name !== 'string') {
      throw new SparkPlatformError('secretStore', 'is not set', 'name the store to read from, e.g. { name: "vault", kind: "ClusterSecretStore" }', where);
    }
    assertName(store.name, NameRule.DNS1123_SUBDOMAIN, 'secretStore.name', where);
    if (store.kind !== 'SecretStore' && store.kind !== 'ClusterSecretStore') {
      throw new SparkPlatformError('secretStore.kind', `${show(store.kind)} is not a store kind`, 'use "SecretStore" or "ClusterSecretStore"', where);
    }
    const entries = Object.entries(options.data ?? {});
    if (entries.length === 0) {
      throw new SparkPlatformError('data', 'is empty', 'map each key of the Secret to its remote key, e.g. { rootUser: { key: "minio/root", property: "user" } }', where);
    }
    for (const [key, ref] of entries) {
      checkSecretKey(key, `data.${key}`, where);
      if (!ref || typeof ref.key !== 'string' || ref.key.length === 0) {
        throw new SparkPlatformError(`data.${key}.key`, 'is empty', 'set the key (path or name) of the secret in the external store', where);
      }
      if (ref.property !== undefined && ref.property.length === 0) {
        throw new SparkPlatformError(`data.${key}.property`, 'is empty', 'name the property to read, or leave it out to read the whole value', where);
      }
    }
    const refreshInterval = options.refreshInterval ?? '1h';
    if (!GO_DURATION.test(refreshInterval)) {
      throw new SparkPlatformError('refreshInterval', `${show(refreshInterval)} is not a duration`, 'write a Go duration such as "1h" or "15m" ("0" never refreshes)', where);
    }
    return new SecretSource(name, { kind: 'external-secret', options, refreshInterval });
  }

  private constructor(
    /** Name of the Secret consumers reference. */
    public readonly secretName: string,
    private readonly source: Source,
  ) {}

  /** How the Secret is provided: `existing`, `sealed-secret` or `external-secret`. */
  public get kind(): Source['kind'] {
    return this.source.kind;
  }

  /**
   * Emits the object that provides the Secret in `namespace` (nothing for `existing`) and returns
   * it. Throws when a sealed or external source lacks one of `requiredKeys`.
   * @param labels labels of the emitted object (and of the Secret, for a SealedSecret)
   * @param context the consumer and its prop holding this source, for error messages, e.g. `{ where: 'MinIO', field: 'rootCredentials' }`
   */
  public emit(
    scope: Construct,
    id: string,
    namespace: string,
    requiredKeys: readonly string[],
    labels: Record<string, string> = {},
    context: { readonly field?: string; readonly where?: string } = {},
  ): ApiObject | undefined {
    const field = context.field ?? 'secret';
    const src = this.source;
    if (src.kind === 'existing') {
      // Nothing to emit, but the Secret must exist: declare it for a target that can create it.
      declareSecretRef(scope, { namespace, name: this.secretName, keys: requiredKeys, purpose: [context.where, context.field].filter(Boolean).join(' ') || `Secret ${this.secretName}` });
      return undefined;
    }
    const provided = src.kind === 'sealed-secret' ? src.encryptedData : src.options.data;
    const listName = src.kind === 'sealed-secret' ? 'encryptedData' : 'data';
    for (const key of requiredKeys) {
      if (!Object.prototype.hasOwnProperty.call(provided, key)) {
        const fix = src.kind === 'sealed-secret'
          ? `seal the value with kubeseal (--namespace ${namespace} --name ${this.secretName}) and add it as ${listName}.${key}`
          : `add ${listName}.${key}: { key: "<remote key>", property: "<property>" }`;
        throw new SparkPlatformError(
          `${field}.${listName}.${key}`,
          `is missing: Secret ${show(this.secretName)} must have the keys ${requiredKeys.join(', ')}`,
          fix,
          context.where,
        );
      }
    }
    const metadata = { name: this.secretName, namespace, labels: { ...labels } };
    if (src.kind === 'sealed-secret') {
      return new ApiObject(scope, id, {
        apiVersion: SEALED_SECRET_API_VERSION,
        kind: 'SealedSecret',
        metadata,
        spec: {
          encryptedData: { ...src.encryptedData },
          template: { metadata: { name: this.secretName, namespace, labels: { ...labels } } },
        },
      });
    }
    return new ApiObject(scope, id, {
      apiVersion: EXTERNAL_SECRET_API_VERSION,
      kind: 'ExternalSecret',
      metadata,
      spec: {
        refreshInterval: src.refreshInterval,
        secretStoreRef: { name: src.options.secretStore.name, kind: src.options.secretStore.kind },
        target: { name: this.secretName, creationPolicy: 'Owner' },
        data: Object.entries(src.options.data).map(([secretKey, ref]) => ({
          secretKey,
          remoteRef: { key: ref.key, ...(ref.property !== undefined ? { property: ref.property } : {}) },
        })),
      },
    });
  }
}

function checkSecretKey(key: string, field: string, where: string): void {
  if (!SECRET_KEY.test(key) || key.length > 253) {
    throw new SparkPlatformError(field, `${show(key)} is not a valid Secret key`, "use letters, digits, '-', '_' and '.'", where);
  }
}
