/**
 * Unknown-field detection for built-in kinds (what `kubectl --validate=strict` reports), which the
 * kubernetes-models validators cannot do.
 *
 * Source: the jsii assembly (`.jsii`) that ships inside the installed `cdk8s-plus-28` package. It
 * describes every struct of the Kubernetes 1.28 API that cdk8s generated from the upstream OpenAPI
 * document, and each property carries a `@schema` tag naming the OpenAPI definition and the wire
 * name of the field, e.g. `io.k8s.api.core.v1.Container#image` or
 * `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps#x-kubernetes-list-type`.
 * That gives, offline and from machine-readable data, the exact set of field names of every type and
 * the type of every field, for the version we target (1.28, one newer than kubernetes-models).
 * The apiVersion/kind of each top-level kind comes from the `GVK` constant of the generated
 * `k8s.Kube*` classes, which is public API of cdk8s-plus-28.
 *
 * Limits: cdk8s generated one class per kind name, so where two groups define the same kind one of
 * them is missing (core v1 Event: only events.k8s.io/v1 Event is there); such kinds get the type
 * checks of kubernetes-models only. cdk8s leaves `status` out of its props, so `status` at the root is accepted unchecked
 * here (its types are still checked by kubernetes-models); values typed as free-form JSON (e.g. a
 * CRD's `default` or `items`, RawExtension) are not descended into.
 */
import { readFileSync } from 'fs';
import { dirname, join } from 'path';
import { gunzipSync } from 'zlib';
import { FieldProblem, isRecord, pointer, unknownFieldMessage } from './problems';

/** A jsii type reference, as the assembly spells it (jsii spec "jsii/0.10.0"). */
type TypeRef =
  | { readonly primitive: string }
  | { readonly fqn: string }
  | { readonly collection: { readonly kind: 'array' | 'map'; readonly elementtype: TypeRef } }
  | { readonly union: unknown };

interface JsiiProperty {
  readonly name: string;
  readonly type: TypeRef;
  readonly docs?: { readonly custom?: { readonly schema?: string } };
}

interface JsiiType {
  readonly kind: string;
  readonly datatype?: boolean;
  /** Structs carry the OpenAPI definition they were generated from, e.g. `io.k8s.api.core.v1.Toleration`. */
  readonly docs?: { readonly custom?: { readonly schema?: string } };
  readonly properties?: readonly JsiiProperty[];
  readonly initializer?: { readonly parameters?: readonly { readonly name: string; readonly type: TypeRef }[] };
}

/** What a field holds, reduced to what the walk needs: a struct to descend into, a list or map of something, or a leaf. */
type Shape = 'leaf' | { readonly struct: string } | { readonly array: Shape } | { readonly map: Shape };

interface Catalog {
  readonly types: Readonly<Record<string, JsiiType>>;
  /** `apiVersion kind` -> fqn of the props struct of the kind. */
  readonly kinds: ReadonlyMap<string, string>;
  /** Every apiVersion some kind is served under. */
  readonly apiVersions: ReadonlySet<string>;
  /** OpenAPI definition name -> fqn of the struct generated from it. */
  readonly definitions: ReadonlyMap<string, string>;
  /** Definition package (`io.k8s.api.networking.v1`) -> the apiVersion of its kinds (`networking.k8s.io/v1`). */
  readonly packages: ReadonlyMap<string, string>;
  /** Wire field name -> shape, per struct fqn; filled on first use. */
  readonly fields: Map<string, ReadonlyMap<string, Shape>>;
}

const PACKAGE = 'cdk8s-plus-28';
const OBJECT_META = `${PACKAGE}.k8s.ObjectMeta`;
/** Root fields cdk8s' props leave out: set by the class (apiVersion, kind) or by the cluster (status). */
const ROOT_EXTRAS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'status']);
const NONE: ReadonlySet<string> = new Set();

/** Loaded on first use, once per process: reading and parsing the 2.8 MB assembly takes ~50 ms. */
let catalog: Catalog | undefined;

/** Unknown fields of a built-in object, or undefined when `apiVersion`/`kind` is not a Kubernetes 1.28 kind. */
export function unknownBuiltinFields(apiVersion: string, kind: string, obj: Record<string, unknown>): FieldProblem[] | undefined {
  const props = loadCatalog().kinds.get(`${apiVersion} ${kind}`);
  if (props === undefined) return undefined;
  const out: FieldProblem[] = [];
  walkStruct(obj, props, '', out, ROOT_EXTRAS);
  return out;
}

/**
 * Whether Kubernetes 1.28 serves any kind under `apiVersion`. kubernetes-models keeps API versions
 * that were removed long ago (apps/v1beta1, extensions/v1beta1, ...); a cluster rejects them.
 */
export function servesApiVersion(apiVersion: string): boolean {
  return loadCatalog().apiVersions.has(apiVersion);
}

/** Whether `apiVersion`/`kind` is a built-in kind of Kubernetes 1.28 (no CRD defines it). */
export function isBuiltinKind(apiVersion: string, kind: string): boolean {
  return loadCatalog().kinds.has(`${apiVersion} ${kind}`);
}

/** The apiVersions under which Kubernetes 1.28 serves `kind`, for error messages. */
export function apiVersionsOfKind(kind: string): string[] {
  return [...loadCatalog().kinds.keys()].filter((key) => key.endsWith(` ${kind}`)).map((key) => key.slice(0, -kind.length - 1));
}

/**
 * Unknown fields of a value of the Kubernetes OpenAPI definition `definition` (e.g.
 * `io.k8s.api.core.v1.Toleration`) found at `path`, such as an object embedded in a custom
 * resource; undefined when Kubernetes 1.28 has no struct of that definition.
 */
export function unknownDefinitionFields(definition: string, value: unknown, path: string): FieldProblem[] | undefined {
  const fqn = loadCatalog().definitions.get(definition);
  if (fqn === undefined) return undefined;
  const out: FieldProblem[] = [];
  walkStruct(value, fqn, path, out, NONE);
  return out;
}

/** Whether Kubernetes 1.28 has a struct of the OpenAPI definition `definition`. */
export function knowsDefinition(definition: string): boolean {
  return loadCatalog().definitions.has(definition);
}

/**
 * The apiVersion of the package a definition lives in (`io.k8s.api.networking.v1.IngressTLS` ->
 * `networking.k8s.io/v1`), learnt from the kinds of that package; undefined when no Kubernetes 1.28
 * kind shares it (the group names of definitions are abbreviated, so they cannot be spelled out by rule).
 */
export function apiVersionOfDefinition(definition: string): string | undefined {
  return loadCatalog().packages.get(packageOf(definition));
}

/** Unknown fields of an ObjectMeta found at `path` (a custom resource's metadata). */
export function unknownObjectMetaFields(metadata: unknown, path: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  walkStruct(metadata, OBJECT_META, path, out, NONE);
  return out;
}

function walk(value: unknown, shape: Shape, path: string, out: FieldProblem[]): void {
  if (shape === 'leaf') return;
  if ('struct' in shape) return walkStruct(value, shape.struct, path, out, NONE);
  if ('array' in shape) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, shape.array, pointer(path, i), out));
    return;
  }
  if (isRecord(value)) for (const [key, item] of Object.entries(value)) walk(item, shape.map, pointer(path, key), out);
}

/** Reports every key of `value` the struct does not declare; values of the wrong JSON type are left to the type checks. */
function walkStruct(value: unknown, fqn: string, path: string, out: FieldProblem[], extras: ReadonlySet<string>): void {
  if (!isRecord(value)) return;
  const fields = fieldsOf(fqn);
  for (const [key, item] of Object.entries(value)) {
    const shape = fields.get(key);
    if (shape !== undefined) walk(item, shape, pointer(path, key), out);
    else if (!extras.has(key)) out.push({ path: pointer(path, key), message: unknownFieldMessage(key) });
  }
}

function fieldsOf(fqn: string): ReadonlyMap<string, Shape> {
  const { types, fields } = loadCatalog();
  let known = fields.get(fqn);
  if (known === undefined) {
    known = new Map((types[fqn]?.properties ?? []).map((p) => [wireName(p, fqn), shapeOf(p.type, types)]));
    fields.set(fqn, known);
  }
  return known;
}

/** The JSON name of a property: the part after `#` of its `@schema` tag (jsii names are camel-cased: `hostIpc` for `hostIPC`). */
function wireName(property: JsiiProperty, fqn: string): string {
  const schema = property.docs?.custom?.schema;
  const hash = schema?.indexOf('#') ?? -1;
  if (schema === undefined || hash < 0) throw new Error(`${PACKAGE} assembly: ${fqn}.${property.name} has no @schema tag naming its JSON field`);
  return schema.slice(hash + 1);
}

function shapeOf(type: TypeRef, types: Readonly<Record<string, JsiiType>>): Shape {
  if ('fqn' in type) return types[type.fqn]?.datatype ? { struct: type.fqn } : 'leaf'; // classes IntOrString/Quantity, enums: scalars
  if ('collection' in type) {
    const element = shapeOf(type.collection.elementtype, types);
    if (element === 'leaf') return 'leaf';
    return type.collection.kind === 'array' ? { array: element } : { map: element };
  }
  return 'leaf'; // primitives, `any` (free-form JSON), unions
}

function loadCatalog(): Catalog {
  if (catalog) return catalog;
  const types = readAssembly().types;
  const kinds = kindIndex(types);
  const apiVersions = new Set([...kinds.keys()].map((key) => key.slice(0, key.indexOf(' '))));
  const definitions = definitionIndex(types);
  const packages = new Map<string, string>();
  for (const [key, props] of kinds) {
    const definition = types[props]?.docs?.custom?.schema;
    if (definition !== undefined) packages.set(packageOf(definition), key.slice(0, key.indexOf(' ')));
  }
  catalog = { types, kinds, apiVersions, definitions, packages, fields: new Map() };
  return catalog;
}

/** Definition name -> struct, from the `@schema` tag of every struct (the first struct wins; cdk8s generates one per definition). */
function definitionIndex(types: Readonly<Record<string, JsiiType>>): Map<string, string> {
  const definitions = new Map<string, string>();
  for (const [fqn, type] of Object.entries(types)) {
    const definition = type.datatype ? type.docs?.custom?.schema : undefined;
    if (definition !== undefined && !definitions.has(definition)) definitions.set(definition, fqn);
  }
  return definitions;
}

/** `io.k8s.api.core.v1.Toleration` -> `io.k8s.api.core.v1`. */
function packageOf(definition: string): string {
  return definition.slice(0, definition.lastIndexOf('.'));
}

/** Reads `.jsii`, following the redirect newer jsii versions write when they compress the assembly. */
function readAssembly(): { types: Record<string, JsiiType> } {
  const dir = dirname(require.resolve(`${PACKAGE}/package.json`));
  let assembly = JSON.parse(readFileSync(join(dir, '.jsii'), 'utf8')) as Record<string, unknown>;
  if (assembly.schema === 'jsii/file-redirect' && typeof assembly.filename === 'string') {
    const raw = readFileSync(join(dir, assembly.filename));
    assembly = JSON.parse((assembly.compression === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as Record<string, unknown>;
  }
  if (!isRecord(assembly.types)) throw new Error(`${PACKAGE}/.jsii has no "types": cannot list the fields of built-in kinds`);
  return { types: assembly.types as Record<string, JsiiType> };
}

/** `apiVersion kind` -> props struct, from the GVK constant of every `k8s.Kube*` class and the props its constructor takes. */
function kindIndex(types: Readonly<Record<string, JsiiType>>): Map<string, string> {
  // Loaded lazily: the validation module should not pull cdk8s-plus-28 in until a built-in kind is checked.
  const { k8s } = require(PACKAGE) as typeof import('cdk8s-plus-28');
  const kinds = new Map<string, string>();
  for (const [name, value] of Object.entries(k8s)) {
    const gvk: unknown = (value as { GVK?: unknown }).GVK;
    if (!isRecord(gvk) || typeof gvk.apiVersion !== 'string' || typeof gvk.kind !== 'string') continue;
    const props = types[`${PACKAGE}.k8s.${name}`]?.initializer?.parameters?.find((p) => p.name === 'props')?.type;
    if (props && 'fqn' in props) kinds.set(`${gvk.apiVersion} ${gvk.kind}`, props.fqn);
  }
  if (kinds.size === 0) throw new Error(`${PACKAGE}: no k8s.Kube* classes with a GVK found; cannot list the fields of built-in kinds`);
  return kinds;
}
