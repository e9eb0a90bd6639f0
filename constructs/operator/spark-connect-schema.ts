/**
 * The schemas of the Kubeflow Spark operator's `sparkoperator.k8s.io/v1alpha1` SparkConnect API,
 * written for this project with the DSL of crd-schema.ts. Field names, types, enums, bounds and
 * required lists follow the operator's v2.5.2 Go types; a conformance test compares them with the
 * upstream CRD. The pod templates and the Service are embedded Kubernetes types, recorded with
 * `kube()`, not described.
 * @see https://github.com/kubeflow/spark-operator/blob/v2.5.2/api/v1alpha1/sparkconnect_types.go
 */
import { arr, int, kube, map, obj, Schema, str, stringMap } from './crd-schema';
import { dynamicAllocationSchema } from './spark-application-schema';

/** A DNS-1123 subdomain, unanchored: the optional prefix of a qualified name. */
const DNS_SUBDOMAIN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
/** The name part of a qualified name: alphanumerics, `-`, `_` and `.`, alphanumeric at both ends. */
const QUALIFIED_NAME_PART = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';

/** The `spec` of a SparkConnect. */
export function sparkConnectSpecSchema(): Schema {
  return obj({
    sparkVersion: str({ description: 'Spark version of the image, e.g. 4.0.1.' }),
    image: str({ description: 'Image of the server and executors, unless their templates set their own.' }),
    sparkConf: stringMap({ description: 'Spark properties of the server (--conf key=value).' }),
    hadoopConf: stringMap({ description: 'Hadoop properties; each is passed as spark.hadoop.<key>.' }),
    server: obj({
      ...podFields('the server pod', 'driver'),
      service: kube('io.k8s.api.core.v1.Service', 'Service in front of the server; the operator creates a default one when unset.'),
    }, { description: 'The Spark Connect server, which runs as the Spark driver.' }),
    executor: obj({
      ...podFields('each executor pod', 'executor'),
      instances: int({ format: 'int32', minimum: 0, description: 'Number of executors.' }),
    }, { description: 'The executors.' }),
    dynamicAllocation: dynamicAllocationSchema(),
  }, { required: ['sparkVersion', 'server', 'executor'], description: 'The Spark Connect server and its executors.' });
}

/** The `status` of a SparkConnect, written by the operator. */
export function sparkConnectStatusSchema(): Schema {
  return obj({
    conditions: conditionsSchema(),
    state: str({ description: 'Current state of the server, as the operator reports it.' }),
    server: obj({
      podName: str({ description: 'Name of the server pod.' }),
      podIp: str({ description: 'IP address of the server pod.' }),
      serviceName: str({ description: 'Name of the Service in front of the server.' }),
    }, { description: 'Where the server runs.' }),
    executors: map(int(), { description: 'Number of executors in each state.' }),
    startTime: str({ format: 'date-time', description: 'When the server started.' }),
    lastUpdateTime: str({ format: 'date-time', description: 'When the operator last updated this status.' }),
  }, { description: 'Observed state of the server and its executors.' });
}

/** Sizing and pod template of the server or of each executor. */
function podFields(pods: string, role: 'driver' | 'executor') {
  return {
    cores: int({ format: 'int32', minimum: 1, description: `spark.${role}.cores.` }),
    memory: str({ description: `Memory of ${pods} in Spark's format, e.g. 1g (spark.${role}.memory).` }),
    template: kube('io.k8s.api.core.v1.PodTemplateSpec', `Pod template of ${pods}; Spark overrides what it sets itself.`),
  };
}

/**
 * Conditions as Kubernetes' meta/v1 Condition declares them. That type is not part of the
 * Kubernetes 1.28 OpenAPI definitions offline validation knows, so it is typed here, not embedded.
 * One condition per type (a list map keyed by `type`).
 */
function conditionsSchema(): Schema {
  const condition = obj({
    type: withLimits(str({
      pattern: `^(${DNS_SUBDOMAIN}/)?(${QUALIFIED_NAME_PART})$`,
      description: 'Kind of condition, CamelCase or a qualified name such as example.com/Ready.',
    }), { maxLength: 316 }),
    status: str({ enum: ['True', 'False', 'Unknown'], description: 'Whether the condition holds.' }),
    observedGeneration: int({ format: 'int64', minimum: 0, description: 'metadata.generation the condition was computed for.' }),
    lastTransitionTime: str({ format: 'date-time', description: 'When the status last changed.' }),
    reason: withLimits(str({
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: 'Why the status last changed, as a CamelCase word.',
    }), { minLength: 1, maxLength: 1024 }),
    message: withLimits(str({ description: 'Details of the last change, for people.' }), { maxLength: 32768 }),
  }, { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] });
  const list = arr(condition, { description: 'Latest observations of the state of the SparkConnect.' });
  return { ...list, props: { ...list.props, xKubernetesListType: 'map', xKubernetesListMapKeys: ['type'] } };
}

/** A string node with length limits, which the DSL has no option for. */
function withLimits(schema: Schema, limits: { readonly minLength?: number; readonly maxLength: number }): Schema {
  return { ...schema, props: { ...schema.props, ...limits } };
}
