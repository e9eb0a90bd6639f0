/**
 * Schema pieces shared by the two CRDs of Apache Spark's own Kubernetes operator
 * (`spark.apache.org`): SparkApplication (spark-application-schema.ts) and SparkCluster
 * (spark-cluster-schema.ts), written with the DSL of ../operator/crd-schema.ts.
 *
 * The operator serves two versions of each kind: `v1beta1` (still served) and `v1` (stored). `v1`
 * only adds fields, so every builder takes the version and leaves the `v1` additions out of `v1beta1`.
 * @see https://github.com/apache/spark-kubernetes-operator/tree/v1.0.0
 */
import { Schema, map, obj, str, stringMap } from '../operator/crd-schema';

/** An API version of the `spark.apache.org` group the operator serves. */
export type ApacheSparkOperatorVersion = 'v1beta1' | 'v1';

/**
 * The versions the operator serves, oldest first, as its CRDs list them; the last one is stored.
 * v1beta1 is kept so that objects written against it still apply.
 */
export const APACHE_SPARK_OPERATOR_VERSIONS: readonly ApacheSparkOperatorVersion[] = ['v1beta1', 'v1'];

/** A node with the default value the API server fills in when the field is absent. */
export function withDefault(schema: Schema, value: number | string | boolean): Schema {
  return { ...schema, props: { ...schema.props, default: value } };
}

/**
 * An object the operator hands to a Gateway API route it creates (HTTPRouteSpec, GRPCRouteSpec).
 * Gateway API types are not part of the Kubernetes API the offline validator knows, so the node is
 * open (`x-kubernetes-preserve-unknown-fields`) and, unlike `kube()` nodes, unchecked offline: the
 * Gateway API CRDs in the cluster check the route the operator creates from it.
 */
export function gatewayApiObject(description: string): Schema {
  return { props: { type: 'object', description, xKubernetesPreserveUnknownFields: true }, embedded: new Map() };
}

/** The Spark, Scala and Java versions of the image, which the operator picks its submission logic by. */
export function runtimeVersionsSchema(): Schema {
  return obj({
    jdkVersion: str({ description: 'Java version of the image, e.g. Java17.' }),
    scalaVersion: str({ description: 'Scala version of the image, e.g. 2.13.' }),
    sparkVersion: str({ description: 'Spark version of the image, e.g. 4.0.1.' }),
  }, { required: ['sparkVersion'], description: 'Versions of Spark, Scala and Java in the image.' });
}

/** Spark properties (`spark.*` keys), as `--conf key=value` would pass them. */
export function sparkConfSchema(): Schema {
  return stringMap({ description: 'Spark properties, e.g. spark.kubernetes.container.image.' });
}

/**
 * The history of states the operator records: a map from a sequence number ("0", "1", ...) to
 * the state entered.
 */
export function stateTransitionHistorySchema(state: Schema): Schema {
  return map(state, { description: 'States entered so far, by sequence number.' });
}
