/**
 * Validation of custom resources against the `openAPIV3Schema` of their CustomResourceDefinition,
 * compiled with ajv 8 the way the API server reads such schemas:
 *
 * - unknown fields are errors (what `kubectl --validate=strict` reports and API-server pruning
 *   would silently drop): an object schema with `properties` and neither `additionalProperties`
 *   nor `x-kubernetes-preserve-unknown-fields: true` becomes `additionalProperties: false`;
 * - the `x-kubernetes-*` extensions are registered as keywords, `x-kubernetes-int-or-string` and
 *   the list types are enforced, CEL rules (`x-kubernetes-validations`) are accepted unevaluated;
 * - OpenAPI v3.0 spellings (`nullable`, boolean `exclusiveMinimum`) are rewritten to JSON Schema.
 *
 * Compiling one of the spark-operator CRDs takes a few hundred ms, so compiled validators are kept
 * per process, keyed by CRD name, version and a hash of the schema.
 */
import { createHash } from 'crypto';
import Ajv, { _, AnySchema, ErrorObject, KeywordCxt, SchemaValidateFunction, ValidateFunction } from 'ajv';
import { CRD_FORMATS, KNOWN_CRD_FORMATS, PassFail, addListTypeCodeKeyword, cachedValidator, listTypeDuplicates, standaloneOptions } from './compiled-validators';
import { EmbeddedTypes, embeddedTypesOf } from './embedded-types';
import { FieldProblem, isRecord, problemsFromAjv } from './problems';

/** One version of a CustomResourceDefinition. */
export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  /** `schema.openAPIV3Schema`, undefined when the version has none. */
  readonly schema: unknown;
  /** Position in `spec.versions`, for pointing at the schema in the CRD. */
  readonly index: number;
}

/** What the validator needs of a CustomResourceDefinition. */
export interface CrdInfo {
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly versions: readonly CrdVersion[];
  /** The Kubernetes types of its open nodes (see embedded-types.ts); none without the annotation. */
  readonly embeddedTypes: EmbeddedTypes;
}

/** The outcome of compiling one version's schema: a check, or why there is none. */
export type SchemaCheck = { readonly check: (obj: unknown) => FieldProblem[] } | { readonly error: string };

/** The CRD `obj` describes, or undefined when it is not an apiextensions.k8s.io/v1 CRD with group, kind and versions. */
export function crdInfo(obj: unknown): CrdInfo | undefined {
  if (!isRecord(obj) || obj.apiVersion !== 'apiextensions.k8s.io/v1' || obj.kind !== 'CustomResourceDefinition') return undefined;
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const metadata = isRecord(obj.metadata) ? obj.metadata : {};
  if (typeof spec.group !== 'string' || typeof names.kind !== 'string' || !Array.isArray(spec.versions)) return undefined;
  const versions = spec.versions.flatMap((v: unknown, index): CrdVersion[] => {
    if (!isRecord(v) || typeof v.name !== 'string') return [];
    const schema = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
    return [{ name: v.name, served: v.served === true, schema, index }];
  });
  const name = typeof metadata.name === 'string' ? metadata.name : `${String(names.plural)}.${spec.group}`;
  return { name, group: spec.group, kind: names.kind, versions, embeddedTypes: embeddedTypesOf(obj.metadata) };
}

/** The check for one version of a CRD: compiled on first request, then served from the process-wide cache. */
export function crdSchemaCheck(crd: CrdInfo, version: CrdVersion): SchemaCheck {
  let entry = byVersion.get(version);
  if (entry === undefined) {
    entry = cachedCompile(crd, version);
    byVersion.set(version, entry);
  }
  return entry;
}

function cachedCompile(crd: CrdInfo, version: CrdVersion): SchemaCheck {
  if (version.schema === undefined) return { error: 'the version has no schema.openAPIV3Schema' };
  const hash = createHash('sha256').update(JSON.stringify(version.schema)).digest('hex');
  const key = `${crd.name}\u0000${version.name}\u0000${hash}`;
  let entry = compiled.get(key);
  if (entry === undefined) {
    entry = compile(version.schema);
    compiled.set(key, entry);
  }
  return entry;
}

/**
 * How many schemas this process has compiled: lets tests prove the cache works without timing.
 * @internal
 */
export function compiledSchemaCount(): number {
  return compileCount;
}

/** Compiled checks by CRD name + version + schema hash: shared by every validator of the process. */
const compiled = new Map<string, SchemaCheck>();
/**
 * The same, by CrdVersion object: hashing a 0.8 MB schema costs ~10 ms, too much to repeat for every
 * custom resource. A CrdVersion is created per validator (or validateAll call), so a schema changed
 * in between is hashed again.
 */
const byVersion = new WeakMap<CrdVersion, SchemaCheck>();
let compileCount = 0;
let sharedAjv: Ajv | undefined;

function compile(schema: unknown): SchemaCheck {
  compileCount++;
  const rewritten = toAjvSchema(schema, 'structural', true) as AnySchema;
  let passes: PassFail;
  try {
    // (bump the version when schemaCompiler or addKubernetesKeywords changes: cached code is keyed by it)
    passes = cachedValidator('crd-pass-fail/1', () => schemaCompiler(true), rewritten);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  // Messages need every error: that validator is compiled only for an object that fails.
  let detailed: ValidateFunction | undefined;
  return {
    check: (obj) => {
      if (passes(obj)) return [];
      detailed ??= schemaCompiler(false).compile(rewritten);
      return detailed(obj) ? [] : problemsFromAjv(detailed.errors ?? []);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Schema rewrite (on a deep copy: the caller's CRD is never touched)
// ---------------------------------------------------------------------------------------------

/**
 * Structural nodes describe the object's shape (properties, items, additionalProperties): that is
 * where pruning applies, so unknown fields are rejected there. Value-validation nodes (inside
 * allOf/anyOf/oneOf/not) only constrain values and may list a subset of the properties, so they are
 * left open, as Kubernetes does.
 */
type Mode = 'structural' | 'value';

const STRUCTURAL_CHILDREN = new Set(['items', 'additionalProperties', 'additionalItems']);
const STRUCTURAL_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const VALUE_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
/** The fields the API server allows at the root of every custom resource, and in embedded resources. */
const OBJECT_ENVELOPE: Readonly<Record<string, unknown>> = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };

function toAjvSchema(node: unknown, mode: Mode, isRoot: boolean): unknown {
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = rewriteChild(key, value, mode);
  fixExclusiveBounds(out);
  dropUnknownFormat(out);
  if (isRoot) addRootEnvelope(out, node);
  else if (out['x-kubernetes-embedded-resource'] === true) addEnvelope(out);
  if (mode === 'structural' && isRecord(out.properties) && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return rewriteNullable(out);
}

function rewriteChild(key: string, value: unknown, mode: Mode): unknown {
  if (STRUCTURAL_CHILDREN.has(key)) return Array.isArray(value) ? value.map((v) => toAjvSchema(v, mode, false)) : toAjvSchema(value, mode, false);
  if (STRUCTURAL_MAPS.has(key) && isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toAjvSchema(sub, mode, false)]));
  }
  if (VALUE_LISTS.has(key) && Array.isArray(value)) return value.map((v) => toAjvSchema(v, 'value', false));
  if (key === 'not') return toAjvSchema(value, 'value', false);
  return structuredClone(value); // keyword values and literals: type, required, enum, default, example, ...
}

/** apiVersion, kind and metadata are always allowed in x-kubernetes-embedded-resource objects, listed in the schema or not. */
function addEnvelope(schema: Record<string, unknown>): void {
  if (!isRecord(schema.properties)) return; // nothing declared: nothing will be rejected either
  schema.properties = { ...OBJECT_ENVELOPE, ...schema.properties };
}

/**
 * The same holds at the root. The root's metadata is validated as ObjectMeta by the caller, so its
 * schema here is rewritten as value validation: its declared constraints (e.g. on name) apply, but
 * it does not close the object to labels, annotations, ...
 */
function addRootEnvelope(schema: Record<string, unknown>, original: Record<string, unknown>): void {
  addEnvelope(schema);
  const metadata = isRecord(original.properties) ? original.properties.metadata : undefined;
  if (isRecord(schema.properties) && metadata !== undefined) {
    schema.properties = { ...schema.properties, metadata: toAjvSchema(metadata, 'value', false) };
  }
}

/** OpenAPI 3.0's boolean `exclusiveMinimum: true` next to `minimum` is JSON Schema's numeric `exclusiveMinimum`. */
function fixExclusiveBounds(schema: Record<string, unknown>): void {
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof schema[exclusive] !== 'boolean') continue;
    if (schema[exclusive] === true && typeof schema[bound] === 'number') {
      schema[exclusive] = schema[bound];
      delete schema[bound];
    } else {
      delete schema[exclusive];
    }
  }
}

/** The API server ignores formats it does not know; strict ajv would refuse to compile them. */
function dropUnknownFormat(schema: Record<string, unknown>): void {
  if (typeof schema.format === 'string' && !KNOWN_CRD_FORMATS.has(schema.format)) delete schema.format;
}

/**
 * `nullable: true` admits null. ajv understands it next to `type` (and then null must also be in
 * `enum`); without `type` (int-or-string, preserve-unknown-fields nodes) ajv refuses it, so such
 * a node becomes "null, or what the node says".
 */
function rewriteNullable(schema: Record<string, unknown>): Record<string, unknown> {
  if (schema.nullable !== true) {
    delete schema.nullable; // `nullable: false` is the default and, without `type`, an ajv error
    return schema;
  }
  if (schema.type !== undefined) {
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
    return schema;
  }
  const rest = { ...schema };
  delete rest.nullable;
  return { anyOf: [{ type: 'null' }, rest] };
}

// ---------------------------------------------------------------------------------------------
// The ajv instance: strict, with Kubernetes' keywords and formats
// ---------------------------------------------------------------------------------------------

/**
 * The ajv for CRD schemas: strict, with Kubernetes' keywords and formats. `passFail`: the validator
 * whose code is kept on disk (compiled-validators.ts), stopping at the first error; otherwise the
 * one listing every error for messages. Both judge with the same keyword functions and formats.
 */
function schemaCompiler(passFail: boolean): Ajv {
  if (!passFail && sharedAjv) return sharedAjv;
  const ajv = new Ajv({
    strict: true,
    // Kubernetes' structural schemas put `pattern` on int-or-string nodes, which have no `type`
    // (the value is a number or a string); strictTypes would refuse that.
    strictTypes: false,
    // CRDs may require fields they declare only inside anyOf/allOf branches.
    strictRequired: false,
    allErrors: true,
    // Patterns are Go RE2 expressions; JavaScript's unicode mode rejects some escapes RE2 accepts (e.g. `\-`).
    unicodeRegExp: false,
    ...(passFail ? standaloneOptions('CRD_FORMATS') : {}),
  });
  for (const [name, format] of Object.entries(CRD_FORMATS)) ajv.addFormat(name, format);
  addKubernetesKeywords(ajv, passFail);
  if (!passFail) sharedAjv = ajv;
  return ajv;
}

function addKubernetesKeywords(ajv: Ajv, passFail: boolean): void {
  // Annotations: they steer pruning, merging and server-side apply, not validity.
  ajv.addKeyword({ keyword: 'x-kubernetes-preserve-unknown-fields', schemaType: 'boolean', metaSchema: { type: 'boolean' } });
  ajv.addKeyword({ keyword: 'x-kubernetes-embedded-resource', schemaType: 'boolean', metaSchema: { type: 'boolean' } });
  ajv.addKeyword({ keyword: 'x-kubernetes-map-type', metaSchema: { enum: ['atomic', 'granular'] } });
  ajv.addKeyword({ keyword: 'x-kubernetes-list-map-keys', metaSchema: { type: 'array', items: { type: 'string' } } });
  // CEL rules need a CEL evaluator with Kubernetes' libraries; they cannot be checked offline, so
  // they are accepted as annotations and the API server remains the judge.
  ajv.addKeyword({ keyword: 'x-kubernetes-validations', metaSchema: { type: 'array', items: { type: 'object', required: ['rule'] } } });
  // OpenAPI annotations allowed in JSONSchemaProps.
  ajv.addKeyword({ keyword: 'example' });
  ajv.addKeyword({ keyword: 'externalDocs' });
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    metaSchema: { type: 'boolean' },
    error: { message: 'must be an integer or a string' },
    code(cxt: KeywordCxt) {
      if (cxt.schema !== true) return;
      const { data } = cxt;
      cxt.fail(_`!(typeof ${data} == "string" || (typeof ${data} == "number" && Number.isInteger(${data})))`);
    },
  });
  const listTypes = { enum: ['atomic', 'set', 'map'] };
  if (passFail) addListTypeCodeKeyword(ajv, listTypes);
  else ajv.addKeyword({ keyword: 'x-kubernetes-list-type', type: 'array', metaSchema: listTypes, validate: validateListType });
}

/** `set`: no two equal items; `map`: no two items with the same values for `x-kubernetes-list-map-keys` (every duplicate, for messages). */
const validateListType: SchemaValidateFunction = (listType: unknown, data: unknown, parentSchema, dataCxt) => {
  const errors: Partial<ErrorObject>[] = listTypeDuplicates(listType, parentSchema?.['x-kubernetes-list-map-keys'], data).map(({ index, duplicateOf }) => (
    { instancePath: `${dataCxt?.instancePath ?? ''}/${index}`, keyword: 'x-kubernetes-list-type', params: { duplicateOf }, message: `duplicate of item ${duplicateOf} (x-kubernetes-list-type: ${listType})` }
  ));
  validateListType.errors = errors;
  return errors.length === 0;
};
