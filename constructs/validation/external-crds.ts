/**
 * Custom resources of other projects that the platform emits but does not install: cert-manager's
 * `Certificate` and `Issuer` (cert-manager.io/v1), for the operator webhook's certificate.
 *
 * Their real CRDs come with cert-manager, in the cluster; offline, the validator knows them by
 * the subset of their schema this project sets, written here from cert-manager's API reference
 * (field names and types only). Everything else is rejected as unknown, which also keeps the
 * platform to fields it has tested.
 * @see https://cert-manager.io/docs/reference/api-docs/
 */

type Json = Record<string, unknown>;

const str = { type: 'string' };
const obj = (properties: Json, required?: string[]): Json => ({ type: 'object', properties, ...(required ? { required } : {}) });

function crd(kind: string, plural: string, spec: Json): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.cert-manager.io` },
    spec: {
      group: 'cert-manager.io',
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: obj({ apiVersion: str, kind: str, metadata: { type: 'object' }, spec }, ['spec']) },
      }],
    },
  };
}

/** cert-manager's Certificate and Issuer, by the fields this project sets. */
export const EXTERNAL_CRDS: readonly Json[] = [
  crd('Certificate', 'certificates', obj({
    secretName: str,
    commonName: str,
    dnsNames: { type: 'array', items: str },
    duration: str,
    renewBefore: str,
    isCA: { type: 'boolean' },
    usages: { type: 'array', items: { type: 'string', enum: ['digital signature', 'key encipherment', 'server auth', 'client auth'] } },
    privateKey: obj({
      algorithm: { type: 'string', enum: ['RSA', 'ECDSA', 'Ed25519'] },
      size: { type: 'integer' },
      rotationPolicy: { type: 'string', enum: ['Never', 'Always'] },
    }),
    issuerRef: obj({ name: str, kind: str, group: str }, ['name']),
  }, ['secretName', 'issuerRef'])),
  crd('Issuer', 'issuers', obj({
    selfSigned: obj({}),
  })),
];
