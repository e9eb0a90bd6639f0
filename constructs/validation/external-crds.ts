/**
 * Custom resources of other projects that the platform emits but does not install: cert-manager's
 * `Certificate` and `Issuer` (cert-manager.io/v1), for the operator webhook's certificate, the
 * secret sources' kinds, and the Prometheus Operator's `PodMonitor` (operators' `monitoring`).
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
  ...secretSourceCrds(),
  podMonitorCrd(),
  ...kueueCrds(),
];

/**
 * The same for the kinds a SecretSource emits: Sealed Secrets' `SealedSecret`
 * (bitnami.com/v1alpha1) and External Secrets' `ExternalSecret` (external-secrets.io/v1; v1beta1
 * is not served since External Secrets 0.17), by the fields this project sets.
 * @see https://github.com/bitnami-labs/sealed-secrets#sealedsecrets-as-templates-for-secrets
 * @see https://external-secrets.io/latest/api/externalsecret/
 */
function secretSourceCrds(): Json[] {
  const stringMap = { type: 'object', additionalProperties: str };
  const of = (group: string, version: string, kind: string, plural: string, spec: Json): Json => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{
        name: version,
        served: true,
        storage: true,
        schema: { openAPIV3Schema: obj({ apiVersion: str, kind: str, metadata: { type: 'object' }, spec }, ['spec']) },
      }],
    },
  });
  return [
    of('bitnami.com', 'v1alpha1', 'SealedSecret', 'sealedsecrets', obj({
      encryptedData: stringMap,
      template: obj({
        metadata: obj({ name: str, namespace: str, labels: stringMap }),
      }),
    }, ['encryptedData'])),
    of('external-secrets.io', 'v1', 'ExternalSecret', 'externalsecrets', obj({
      refreshInterval: str,
      secretStoreRef: obj({ name: str, kind: { type: 'string', enum: ['SecretStore', 'ClusterSecretStore'] } }, ['name']),
      target: obj({ name: str, creationPolicy: { type: 'string', enum: ['Owner', 'Orphan', 'Merge', 'None'] } }),
      data: {
        type: 'array',
        items: obj({ secretKey: str, remoteRef: obj({ key: str, property: str }, ['key']) }, ['secretKey', 'remoteRef']),
      },
    })),
  ];
}

/**
 * The Prometheus Operator's `PodMonitor` (monitoring.coreos.com/v1), by the fields the operators'
 * `monitoring` sets: a label selector, the namespaces, and named-port endpoints.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor
 */
function podMonitorCrd(): Json {
  const stringMap = { type: 'object', additionalProperties: str };
  const strings = { type: 'array', items: str };
  const spec = obj({
    selector: obj({
      matchLabels: stringMap,
      matchExpressions: {
        type: 'array',
        items: obj({ key: str, operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: strings }, ['key', 'operator']),
      },
    }),
    namespaceSelector: obj({ any: { type: 'boolean' }, matchNames: strings }),
    podMetricsEndpoints: {
      type: 'array',
      items: obj({ port: str, path: str, interval: str, scrapeTimeout: str, scheme: { type: 'string', enum: ['http', 'https'] } }),
    },
    jobLabel: str,
    podTargetLabels: strings,
  }, ['selector']);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'podmonitors.monitoring.coreos.com' },
    spec: {
      group: 'monitoring.coreos.com',
      scope: 'Namespaced',
      names: { kind: 'PodMonitor', plural: 'podmonitors', singular: 'podmonitor', listKind: 'PodMonitorList' },
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: obj({ apiVersion: str, kind: str, metadata: { type: 'object' }, spec }, ['spec']) },
      }],
    },
  };
}

/**
 * Kueue's `ResourceFlavor`, `ClusterQueue` (both cluster-scoped) and `LocalQueue`
 * (kueue.x-k8s.io/v1beta1), by the fields KueueQueues sets; quotas are Kubernetes quantities.
 * @see https://kueue.sigs.k8s.io/docs/reference/kueue.v1beta1/
 */
function kueueCrds(): Json[] {
  const quantity = { 'x-kubernetes-int-or-string': true, 'anyOf': [{ type: 'integer' }, { type: 'string' }] };
  const stringMap = { type: 'object', additionalProperties: str };
  const of = (kind: string, plural: string, scope: 'Cluster' | 'Namespaced', spec: Json, required: string[] = ['spec']): Json => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.kueue.x-k8s.io` },
    spec: {
      group: 'kueue.x-k8s.io',
      scope,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{
        name: 'v1beta1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: obj({ apiVersion: str, kind: str, metadata: { type: 'object' }, spec }, required) },
      }],
    },
  });
  const resourceQuota = obj({ name: str, nominalQuota: quantity, borrowingLimit: quantity, lendingLimit: quantity }, ['name', 'nominalQuota']);
  return [
    of('ResourceFlavor', 'resourceflavors', 'Cluster', obj({ nodeLabels: stringMap }), []),
    of('ClusterQueue', 'clusterqueues', 'Cluster', obj({
      cohort: str,
      namespaceSelector: obj({ matchLabels: stringMap }),
      queueingStrategy: { type: 'string', enum: ['StrictFIFO', 'BestEffortFIFO'] },
      resourceGroups: {
        type: 'array',
        maxItems: 16,
        items: obj({
          coveredResources: { type: 'array', items: str, minItems: 1, maxItems: 16 },
          flavors: {
            type: 'array',
            minItems: 1,
            maxItems: 16,
            items: obj({ name: str, resources: { type: 'array', minItems: 1, maxItems: 16, items: resourceQuota } }, ['name', 'resources']),
          },
        }, ['coveredResources', 'flavors']),
      },
    })),
    of('LocalQueue', 'localqueues', 'Namespaced', obj({ clusterQueue: str }, ['clusterQueue'])),
  ];
}
