/**
 * Run-time checks of construct props and environment files against JSON Schemas generated from
 * the TypeScript types (scripts/props-schema.ts), so what the compiler would refuse is refused
 * the same way where the compiler never runs: environment files compiled transpile-only, YAML,
 * Pulumi stack config, and JavaScript callers.
 *
 * Every problem becomes one `SparkPlatformError` with the full field path
 * (`jobs[1].executor.memmory`), what is wrong, and the fix: a did-you-mean for unknown fields and
 * enum values, the factories for class-typed values (`Memory.gibibytes`, `SparkImage.official`).
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { SparkPlatformError, show } from '../errors';
import { closest } from '../suggest';
import propsSchema from './data/props.schema.json';
import { FORMATS } from './formats';
import { PassFail, PROPS_FORMATS, addPropsCodeKeywords, cachedValidator, hasMembers, isInstanceNamed, isObjectValue, standaloneOptions } from './compiled-validators';

/** A props type the library checks (a definition of the generated props schema). */
export type PropsType = keyof typeof propsSchema.definitions;

type Schema = Record<string, unknown>;

/**
 * The detailed validator's ajv: every error with its data and schema, for messages (compiled only
 * once a value fails). The pass/fail validator is compiled once and kept on disk
 * (compiled-validators.ts); both judge with the same keyword functions and formats.
 */
function detailedAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'instanceOf', schemaType: 'string', validate: (className: string, data: unknown) => isInstanceNamed(data, className), errors: false });
  // The factories listed beside instanceOf are for messages only.
  ajv.addKeyword({ keyword: 'factories', schemaType: 'array' });
  ajv.addKeyword({ keyword: 'implements', schemaType: 'string', validate: isObjectValue, errors: false });
  ajv.addKeyword({ keyword: 'members', schemaType: 'array', validate: hasMembers, errors: false });
  ajv.addKeyword({ keyword: 'markdownDescription' });
  // Formats of embedded Kubernetes types (ObjectMeta timestamps, ...) and the platform's own.
  for (const [name, format] of Object.entries(PROPS_FORMATS)) ajv.addFormat(name, format);
  return ajv;
}

/** The pass/fail validator's ajv: options whose code can be written out, keywords as code. */
function passFailAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allowUnionTypes: true, ...standaloneOptions('PROPS_FORMATS') });
  addPropsCodeKeywords(ajv);
  for (const [name, format] of Object.entries(PROPS_FORMATS)) ajv.addFormat(name, format);
  return ajv;
}

/** Validators compiled on first use, per schema and definition: a fast one, and a detailed one for failures. */
class SchemaChecker {
  private readonly fast = new Map<string, PassFail>();
  private readonly detailed = new Map<string, ValidateFunction>();
  private detailedAjv?: Ajv;
  constructor(private readonly id: string, private readonly schema: Schema) {}

  /** Throws a SparkPlatformError for the first problem of `value` against `definition` (or the root). */
  check(value: unknown, definition: string | undefined, where: string | undefined, prefix: string, root = 'props'): void {
    const ref = definition ? `${this.id}#/definitions/${definition}` : this.id;
    if (this.passFail(ref)(value)) return;
    const validate = this.details(ref);
    validate(value);
    throw toError(pickError(validate.errors ?? []), prefix, where, root);
  }

  private passFail(ref: string): PassFail {
    let validate = this.fast.get(ref);
    if (!validate) {
      // (bump the version when passFailAjv changes: cached code is keyed by it)
      validate = cachedValidator(`props-pass-fail/1/${this.id}`, () => {
        const ajv = passFailAjv();
        ajv.addSchema(this.schema, this.id);
        return ajv;
      }, this.schema, ref);
      this.fast.set(ref, validate);
    }
    return validate;
  }

  private details(ref: string): ValidateFunction {
    let validate = this.detailed.get(ref);
    if (!validate) {
      if (!this.detailedAjv) {
        this.detailedAjv = detailedAjv();
        this.detailedAjv.addSchema(this.schema, this.id);
      }
      validate = this.detailedAjv.compile({ $ref: ref });
      this.detailed.set(ref, validate);
    }
    return validate;
  }
}

let propsChecker: SchemaChecker | undefined;

/**
 * Checks a construct's props against its type: unknown fields (with did-you-mean), wrong types,
 * enum values, required fields, class-typed values built by their factories. `where` is the
 * construct as messages name it (`SparkJob "etl"`); `prefix` roots the field paths (an environment
 * passes `jobs[1]`).
 */
export function checkProps(type: PropsType, props: unknown, where?: string, prefix = ''): void {
  propsChecker ??= new SchemaChecker('props', propsSchema as Schema);
  propsChecker.check(props, type, where, prefix);
}

/**
 * A checker for another generated schema (the environment schema), with the same messages;
 * `root` names the whole value when the problem is the value itself.
 */
export function schemaChecker(id: string, schema: Schema, root: string): (value: unknown, where?: string, prefix?: string) => void {
  const checker = new SchemaChecker(id, schema);
  return (value, where, prefix = '') => checker.check(value, undefined, where, prefix, root);
}

/** Errors of a value that matches no branch of a union collapse into the union's own error. */
function pickError(errors: readonly ErrorObject[]): ErrorObject {
  const depth = (e: ErrorObject) => e.instancePath.split('/').length + (e.keyword === 'additionalProperties' || e.keyword === 'required' ? 1 : 0);
  const anyOfPaths = new Map(errors.filter((e) => e.keyword === 'anyOf').map((e) => [e.schemaPath.replace(/\/anyOf$/, ''), e]));
  const candidates = errors.filter((e) => {
    if (e.keyword === 'anyOf' || e.keyword === 'if') return false;
    // A branch's error at the union's own value says only "not this branch": report the union.
    for (const [schemaPath, union] of anyOfPaths) {
      if (e.schemaPath.startsWith(`${schemaPath}/anyOf/`) && e.instancePath === union.instancePath) return false;
    }
    return true;
  });
  const pool = candidates.length ? candidates : errors.filter((e) => e.keyword === 'anyOf');
  const order = ['additionalProperties', 'required', 'instanceOf', 'implements', 'members', 'type', 'enum', 'const', 'anyOf'];
  const rank = (e: ErrorObject) => {
    const i = order.indexOf(e.keyword);
    return i < 0 ? order.length : i;
  };
  return [...pool].sort((a, b) => depth(b) - depth(a) || rank(a) - rank(b))[0] ?? errors[0];
}

/** `/jobs/1/sparkConf/spark.x` -> `jobs[1].sparkConf["spark.x"]`. */
export function fieldPath(prefix: string, instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let out = prefix;
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

function typeName(schemaType: unknown): string {
  const names: Record<string, string> = { string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false', array: 'a list', object: 'an object', null: 'null' };
  const list = Array.isArray(schemaType) ? schemaType : [schemaType];
  return list.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

/** "a Memory", "an ISparkJobNamespace". */
function article(name: string): string {
  return `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `the list ${show(value)}`;
  if (typeof value === 'object' && value !== null) {
    const ctor = Object.getPrototypeOf(value)?.constructor?.name;
    return ctor && ctor !== 'Object' ? article(ctor) : `the object ${show(value).slice(0, 80)}`;
  }
  return show(value);
}

function typeFix(expected: unknown, value: unknown): string {
  const list = Array.isArray(expected) ? expected : [expected];
  if (list.includes('array') && typeof value === 'string') return `write a list, e.g. [${show(value)}]`;
  if (list.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) return `quote it: ${show(String(value))}`;
  if ((list.includes('number') || list.includes('integer')) && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return `write the number without quotes: ${Number(value)}`;
  if (list.includes('boolean') && (value === 'true' || value === 'false')) return `write ${value} without quotes`;
  return `write ${typeName(expected)}`;
}

function toError(e: ErrorObject, prefix: string, where: string | undefined, root: string): SparkPlatformError {
  const field = fieldPath(prefix, e.instancePath) || root;
  const parent = (e.parentSchema ?? {}) as Schema;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parent.properties as Schema | undefined) ?? {});
      const near = closest(key, known);
      const list = known.length ? `known fields: ${known.join(', ')}` : 'this object takes no fields';
      return new SparkPlatformError(fieldPath(prefix, e.instancePath, key), 'is not a known field', near ? `did you mean ${show(near)}? ${list[0].toUpperCase()}${list.slice(1)}` : `remove it; ${list}`, where);
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const property = (parent.properties as Record<string, Schema> | undefined)?.[key] ?? {};
      const description = (property.description as string | undefined)?.split('. ')[0]?.replace(/\.$/, '');
      const factories = (property.factories as string[] | undefined) ?? [];
      const how = factories.length ? ` with ${factories.map((f) => `${f}(...)`).join(' or ')}` : '';
      return new SparkPlatformError(fieldPath(prefix, e.instancePath, key), `is required${description ? ` (${description})` : ''}`, `set ${key}${how}`, where);
    }
    case 'instanceOf': {
      const className = String(e.schema);
      const factories = (parent.factories as string[] | undefined) ?? [];
      const parse = factories.find((f) => f.endsWith('.parse'));
      const fix = typeof e.data === 'string' && parse
        ? `build it with ${parse}(${show(e.data)}) (or ${factories.filter((f) => f !== parse).map((f) => `${f}(...)`).join(', ')})`
        : factories.length ? `build it with ${factories.map((f) => `${f}(...)`).join(' or ')}` : `pass ${article(className)}`;
      return new SparkPlatformError(field, `${describe(e.data)} is not ${article(className)}`, fix, where);
    }
    case 'implements':
    case 'members': {
      const name = String(parent.implements ?? 'object');
      const members = (parent.members as string[] | undefined) ?? [];
      return new SparkPlatformError(field, `${describe(e.data)} is not ${article(name)}`, `pass the construct itself${members.length ? ` (anything with ${members.join(', ')})` : ''}`, where);
    }
    case 'type':
      return new SparkPlatformError(field, `${describe(e.data)} is not ${typeName(e.schema)}`, typeFix(e.schema, e.data), where);
    case 'enum': {
      const allowed = (e.schema as unknown[]).map((v) => show(v));
      const near = typeof e.data === 'string' ? closest(e.data, (e.schema as unknown[]).filter((v): v is string => typeof v === 'string')) : undefined;
      return new SparkPlatformError(field, `${describe(e.data)} is not one of ${allowed.join(', ')}`, near ? `did you mean ${show(near)}?` : `use one of ${allowed.join(', ')}`, where);
    }
    case 'format': {
      const format = String((e.params as { format: string }).format);
      const found = FORMATS[format] && typeof e.data === 'string' ? FORMATS[format](e.data) : undefined;
      return new SparkPlatformError(field, found?.problem ?? `${describe(e.data)} is not a valid ${format}`, found?.fix ?? `write a valid ${format}`, where);
    }
    case 'minimum':
    case 'maximum':
    case 'minItems':
    case 'maxItems': {
      const limit = (e.params as { limit: number }).limit;
      const what = { minimum: `is less than ${limit}`, maximum: `is more than ${limit}`, minItems: `has fewer than ${limit} item(s)`, maxItems: `has more than ${limit} item(s)` }[e.keyword];
      const fix = { minimum: `use ${limit} or more`, maximum: `use ${limit} or less`, minItems: `list at least ${limit}`, maxItems: `list at most ${limit}` }[e.keyword];
      return new SparkPlatformError(field, `${describe(e.data)} ${what}`, fix, where);
    }
    case 'const':
      return new SparkPlatformError(field, `${describe(e.data)} is not ${show(e.schema)}`, `write ${show(e.schema)}`, where);
    case 'anyOf': {
      const branches = ((e.schema as Schema[]) ?? []).map((b) => (b.instanceOf ? `a ${String(b.instanceOf)}` : b.const !== undefined ? show(b.const) : b.type ? typeName(b.type) : b.$ref ? String(b.$ref).split('/').pop() : 'another shape'));
      return new SparkPlatformError(field, `${describe(e.data)} is none of: ${[...new Set(branches)].join(', ')}`, `write ${[...new Set(branches)].join(' or ')}`, where);
    }
    default:
      return new SparkPlatformError(field, `${describe(e.data)} ${e.message ?? 'is not valid'}`, 'see the field\'s documentation', where);
  }
}
