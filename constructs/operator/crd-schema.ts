/**
 * A small typed DSL for the `openAPIV3Schema` of this project's CustomResourceDefinitions.
 *
 * Each builder returns a {@link Schema}: the `k8s.JsonSchemaProps` node the CRD carries plus the
 * embedded Kubernetes types found at or below it. Kubernetes objects embedded in a custom resource
 * (tolerations, volumes, pod templates, ...) are not re-described field by field: that would copy
 * hundreds of KiB of the Kubernetes API into every CRD. They are `x-kubernetes-preserve-unknown-fields`
 * nodes instead, and the OpenAPI definition each holds is recorded, so that offline validation
 * (constructs/validation/embedded-types.ts) checks them against the Kubernetes schemas and the
 * CRD stays structural, as the API server requires.
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
import { k8s } from 'cdk8s-plus-28';

/** An OpenAPI definition name of the Kubernetes API, e.g. `io.k8s.api.core.v1.Toleration`. */
export type KubernetesDefinition = `io.k8s.${string}`;

/** One node of a CRD schema under construction. */
export interface Schema {
  /** The node as the CRD carries it. */
  readonly props: k8s.JsonSchemaProps;
  /**
   * Embedded Kubernetes types at or below this node: path pattern relative to the node (`''` for
   * the node itself, `[]` for list items, `{}` for map values, `.` between fields) to definition.
   */
  readonly embedded: ReadonlyMap<string, KubernetesDefinition>;
}

/** Options every builder takes. */
export interface SchemaOptions {
  /** What the field means, in one sentence. @default - none */
  readonly description?: string;
  /** Whether `null` is accepted (the operator writes null for unset timestamps). @default false */
  readonly nullable?: boolean;
}

/** Options of a string node. */
export interface StringOptions extends SchemaOptions {
  /** The only values allowed. @default - any string */
  readonly enum?: readonly string[];
  /** A regular expression (RE2) the value must match. @default - none */
  readonly pattern?: string;
  /** An OpenAPI string format, e.g. `date-time`. @default - none */
  readonly format?: 'date-time' | 'byte' | 'date';
}

/** Options of an integer node. */
export interface IntegerOptions extends SchemaOptions {
  /** Width of the integer, as Go declares it. @default - no format */
  readonly format?: 'int32' | 'int64';
  /** Smallest value allowed. @default - none */
  readonly minimum?: number;
  /** Largest value allowed. @default - none */
  readonly maximum?: number;
}

/** Options of an object node; `K` are its property names. */
export interface ObjectOptions<K extends string> extends SchemaOptions {
  /** Properties that must be present. @default - none */
  readonly required?: readonly K[];
}

const NONE: ReadonlyMap<string, KubernetesDefinition> = new Map();

/** A string. */
export function str(options: StringOptions = {}): Schema {
  return leaf({
    type: 'string',
    ...common(options),
    ...(options.format && { format: options.format }),
    ...(options.enum && { enum: [...options.enum] }),
    ...(options.pattern !== undefined && { pattern: options.pattern }),
  });
}

/** An integer. */
export function int(options: IntegerOptions = {}): Schema {
  return leaf({
    type: 'integer',
    ...common(options),
    ...(options.format && { format: options.format }),
    ...(options.minimum !== undefined && { minimum: options.minimum }),
    ...(options.maximum !== undefined && { maximum: options.maximum }),
  });
}

/** A boolean. */
export function bool(options: SchemaOptions = {}): Schema {
  return leaf({ type: 'boolean', ...common(options) });
}

/** An object with exactly these properties: the API server prunes (and strict validation rejects) any other. */
export function obj<P extends Record<string, Schema>>(properties: P, options: ObjectOptions<keyof P & string> = {}): Schema {
  const embedded = new Map<string, KubernetesDefinition>();
  const props: Record<string, k8s.JsonSchemaProps> = {};
  for (const [name, child] of Object.entries(properties)) {
    props[name] = child.props;
    for (const [path, definition] of child.embedded) embedded.set(joinPath(name, path), definition);
  }
  return {
    props: {
      type: 'object',
      ...common(options),
      properties: props,
      ...(options.required && options.required.length > 0 && { required: [...options.required] }),
    },
    embedded,
  };
}

/** A list of `items`. */
export function arr(items: Schema, options: SchemaOptions = {}): Schema {
  // JsonSchemaProps types `items` as free JSON, which k8s.toJson_JsonSchemaProps passes through
  // untouched: it must already be in wire form (`x-kubernetes-...`, not `xKubernetes...`).
  return { props: { type: 'array', ...common(options), items: k8s.toJson_JsonSchemaProps(items.props) }, embedded: nested('[]', items.embedded) };
}

/** A map from string keys to `values`. */
export function map(values: Schema, options: SchemaOptions = {}): Schema {
  // Same as `items`: `additionalProperties` is free JSON in JsonSchemaProps.
  return { props: { type: 'object', ...common(options), additionalProperties: k8s.toJson_JsonSchemaProps(values.props) }, embedded: nested('{}', values.embedded) };
}

/** A map from string keys to strings (labels, annotations, Spark and Hadoop properties). */
export function stringMap(options: SchemaOptions = {}): Schema {
  return map(str(), options);
}

/** A list of strings. */
export function stringList(options: SchemaOptions = {}): Schema {
  return arr(str(), options);
}

/** An integer or a string (IntOrString in Go), in the only form a structural schema allows. */
export function intOrString(options: SchemaOptions = {}): Schema {
  return leaf({ ...common(options), anyOf: [{ type: 'integer' }, { type: 'string' }], xKubernetesIntOrString: true });
}

/**
 * A Kubernetes quantity (`500m`, `2Gi`, `1e3`, `4`): an int-or-string held to the quantity
 * grammar of k8s.io/apimachinery (sign, decimal number, then a binary suffix, a decimal suffix or
 * an exponent).
 * @see https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
 */
export function quantity(options: SchemaOptions = {}): Schema {
  const number = '(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))';
  const suffix = `(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?${number}))`;
  return leaf({ ...intOrString(options).props, pattern: `^(\\+|-)?${number}${suffix}?$` });
}

/**
 * An embedded Kubernetes object, e.g. `kube('io.k8s.api.core.v1.Toleration', ...)`: kept as it is
 * written (`x-kubernetes-preserve-unknown-fields`) and recorded as holding `definition`. Wrap it
 * in `arr()` for a list of them.
 */
export function kube(definition: KubernetesDefinition, description: string): Schema {
  return { props: { type: 'object', description, xKubernetesPreserveUnknownFields: true }, embedded: new Map([['', definition]]) };
}

/**
 * The embedded types of a root schema as compact JSON with sorted keys, for the
 * `spark-platform.io/embedded-kubernetes-types` annotation (sorted: the CRD must render byte for byte the same every time).
 */
export function embeddedTypesJson(root: Schema): string {
  const sorted = [...root.embedded].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(sorted));
}

function leaf(props: k8s.JsonSchemaProps): Schema {
  return { props, embedded: NONE };
}

function common(options: SchemaOptions): Pick<k8s.JsonSchemaProps, 'description' | 'nullable'> {
  return {
    ...(options.description !== undefined && { description: options.description }),
    ...(options.nullable && { nullable: true }),
  };
}

function nested(prefix: string, embedded: ReadonlyMap<string, KubernetesDefinition>): ReadonlyMap<string, KubernetesDefinition> {
  if (embedded.size === 0) return NONE;
  return new Map([...embedded].map(([path, definition]) => [joinPath(prefix, path), definition]));
}

/** `tolerations` + `[]` is `tolerations[]`, `driver` + `tolerations[]` is `driver.tolerations[]`. */
function joinPath(parent: string, child: string): string {
  if (child === '') return parent;
  if (child.startsWith('[') || child.startsWith('{')) return parent + child;
  return `${parent}.${child}`;
}
