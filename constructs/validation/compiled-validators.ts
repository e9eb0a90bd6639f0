/**
 * Pass/fail schema validators compiled once and kept on disk as JavaScript (ajv's standalone code),
 * so a synth does not compile them again on every run: compiling the props schemas, the
 * environment schema and the CRD schemas with ajv was about 0.4 s of every synth, at any size
 * (issue 21, direction 4: "ajv schemas precompiled").
 *
 * A validator is identified by everything that decides its code: ajv's version, this module's
 * path and text, the caller's setup name and version (bump it when the setup changes), and the
 * schema (with the `$ref` compiled). Its file
 * is `<cache>/<sha256>.js`; a missing or unreadable file is compiled again and rewritten
 * (written to a temporary file, then renamed: concurrent runs never read half a file). The
 * cache is `.cache/ajv/` in the package's root, or `SPARK_PLATFORM_AJV_CACHE` (a directory, or
 * `0` to compile in memory every time); a read-only location just compiles in memory.
 *
 * Only pass/fail validators are kept: the messages come from a detailed validator compiled in
 * memory when a value fails (props.ts, crd-schemas.ts). The keywords and formats the generated
 * code calls are the functions exported here, so the fast and the detailed validator judge with
 * the same code.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { _, AnySchema, AnySchemaObject, Format, KeywordCxt, Name, Options, stringify } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';
import standaloneCode from 'ajv/dist/standalone';
import { FORMATS } from './formats';

/** A compiled pass/fail check. */
export type PassFail = (data: unknown) => boolean;

// ---------------------------------------------------------------------------------------------
// What the generated code calls (keep the names: cached files refer to them)
// ---------------------------------------------------------------------------------------------

/** `instanceOf`: an instance of a class named `className` (or of a subclass). */
export function isInstanceNamed(value: unknown, className: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (Object.prototype.hasOwnProperty.call(proto, 'constructor') && proto.constructor?.name === className) return true;
  }
  return false;
}

/** `implements`: an object (an instance of an interface's implementation). */
export function isObjectValue(_name: string, data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data);
}

/** `members`: an object that has every listed member. */
export function hasMembers(members: readonly string[], data: unknown): boolean {
  return typeof data !== 'object' || data === null || members.every((m) => m in (data as object));
}

/**
 * `x-kubernetes-list-type`: `set` has no two equal items; `map` no two items with the same values
 * for `x-kubernetes-list-map-keys`. Each item that repeats an earlier one, with that one's index.
 */
export function listTypeDuplicates(listType: unknown, mapKeys: unknown, data: unknown): Array<{ index: number; duplicateOf: number }> {
  if (!Array.isArray(data) || (listType !== 'set' && listType !== 'map')) return [];
  const keyOf = listType === 'map' && Array.isArray(mapKeys)
    ? (item: unknown) => JSON.stringify(mapKeys.map((k: string) => (typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>)[k] : undefined)))
    : (item: unknown) => JSON.stringify(item);
  const seen = new Map<string, number>();
  const duplicates: Array<{ index: number; duplicateOf: number }> = [];
  data.forEach((item, index) => {
    const key = keyOf(item);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else duplicates.push({ index, duplicateOf: first });
  });
  return duplicates;
}

/** The same as a pass/fail answer (what the generated code calls). */
export function listTypeOk(listType: unknown, mapKeys: unknown, data: unknown): boolean {
  return listTypeDuplicates(listType, mapKeys, data).length === 0;
}

const INT32 = 2 ** 31;
const INT64 = 2n ** 63n;

/**
 * String formats the API server validates (k8s.io/apiextensions-apiserver, "supported formats") but
 * whose exact Go rules we do not reproduce offline: accepted as they are. `quantity` and
 * `int-or-string` are not validated by Kubernetes either but appear in generated CRDs.
 */
const UNCHECKED_FORMATS = [
  'bsonobjectid', 'uri', 'email', 'hostname', 'cidr', 'mac', 'uuid3', 'uuid4', 'uuid5', 'isbn', 'isbn10', 'isbn13',
  'creditcard', 'ssn', 'hexcolor', 'rgbcolor', 'password', 'duration', 'datetime', 'quantity', 'int-or-string',
];
/** Formats whose ajv-formats rules match the API server's: RFC 3339 dates, base64, UUIDs, IP addresses. */
const CHECKED_FORMATS = ['date', 'date-time', 'byte', 'uuid', 'ipv4', 'ipv6'] as const;
const NUMBER_FORMATS = ['int32', 'int64', 'float', 'double'];

/** Every format a CRD schema may name that the API server knows: the others are dropped before compiling. */
export const KNOWN_CRD_FORMATS: ReadonlySet<string> = new Set([...UNCHECKED_FORMATS, ...CHECKED_FORMATS, ...NUMBER_FORMATS]);

/** The formats of CRD schemas, as ajv takes them. */
export const CRD_FORMATS: Readonly<Record<string, Format>> = {
  ...Object.fromEntries(CHECKED_FORMATS.map((name) => [name, fullFormats[name]])),
  ...Object.fromEntries(UNCHECKED_FORMATS.map((name) => [name, true])),
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 },
  // Beyond 2^53 a JavaScript number is already rounded; compare as BigInt so the bound itself is exact.
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) && BigInt(n) >= -INT64 && BigInt(n) < INT64 },
  float: { type: 'number', validate: () => true },
  double: { type: 'number', validate: () => true },
};

/** The formats of the props and environment schemas: embedded Kubernetes types' and the platform's own. */
export const PROPS_FORMATS: Readonly<Record<string, Format>> = {
  ...Object.fromEntries((['date-time', 'date', 'uri', 'email', 'int64', 'int32', 'byte'] as const).map((name) => [name, fullFormats[name]])),
  ...Object.fromEntries(Object.entries(FORMATS).map(([name, rule]) => [name, { type: 'string' as const, validate: (v: string) => rule(v) === undefined }])),
};

// ---------------------------------------------------------------------------------------------
// Keywords as generated code, calling the functions above
// ---------------------------------------------------------------------------------------------

/** This module, as the generated code requires it. */
const SELF = __filename;

/** One of this module's exports, as code: `require("<this module>").<name>`. */
function required(name: string): ReturnType<typeof _> {
  return _`require(${SELF}).${new Name(name)}`;
}

/** A reference to one of this module's functions from generated code. */
function exported(cxt: KeywordCxt, name: keyof typeof RUNTIME): Name {
  return cxt.gen.scopeValue('func', { ref: RUNTIME[name], code: required(name) });
}

const RUNTIME = { isInstanceNamed, isObjectValue, hasMembers, listTypeOk };

/**
 * Adds the platform's props keywords as code (`instanceOf`, `implements`, `members`), for a pass/fail
 * validator that can be written out; `factories` and `markdownDescription` are annotations.
 */
export function addPropsCodeKeywords(ajv: Ajv): void {
  ajv.addKeyword({ keyword: 'instanceOf', schemaType: 'string', code: (cxt) => cxt.fail(_`!${exported(cxt, 'isInstanceNamed')}(${cxt.data}, ${cxt.schemaCode})`) });
  ajv.addKeyword({ keyword: 'implements', schemaType: 'string', code: (cxt) => cxt.fail(_`!${exported(cxt, 'isObjectValue')}(${cxt.schemaCode}, ${cxt.data})`) });
  ajv.addKeyword({ keyword: 'members', schemaType: 'array', code: (cxt) => cxt.fail(_`!${exported(cxt, 'hasMembers')}(${cxt.schemaCode}, ${cxt.data})`) });
  ajv.addKeyword({ keyword: 'factories', schemaType: 'array' });
  ajv.addKeyword({ keyword: 'markdownDescription' });
}

/** `x-kubernetes-list-type` as code (see listTypeDuplicate). */
export function addListTypeCodeKeyword(ajv: Ajv, metaSchema: AnySchemaObject): void {
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    metaSchema,
    code: (cxt) => {
      const mapKeys: unknown = cxt.parentSchema['x-kubernetes-list-map-keys'];
      cxt.fail(_`!${exported(cxt, 'listTypeOk')}(${cxt.schemaCode}, ${mapKeys === undefined ? _`undefined` : stringify(mapKeys)}, ${cxt.data})`);
    },
  });
}

/** ajv options for a pass/fail validator whose code can be written out; `formats` names the export holding its formats. */
export function standaloneOptions(formats: 'CRD_FORMATS' | 'PROPS_FORMATS'): Pick<Options, 'code' | 'allErrors' | 'verbose'> {
  return { allErrors: false, verbose: false, code: { source: true, optimize: false, formats: required(formats) } };
}

// ---------------------------------------------------------------------------------------------
// The cache
// ---------------------------------------------------------------------------------------------

/** Validators loaded or compiled by this process, by key. */
const loaded = new Map<string, PassFail>();
let written = 0;
let read = 0;

/**
 * How many validators this process compiled and wrote, and how many it read from the cache (tests
 * prove the cache works with these, not with timings).
 * @internal
 */
export function compiledValidatorStats(): { written: number; read: number } {
  return { written, read };
}

/**
 * The pass/fail validator of `schema` (or of `ref` within the schemas `setup` adds), from the
 * cache when it has it, otherwise compiled by the ajv `setup` makes (which must use
 * {@link standaloneOptions}) and written to the cache. `setupId` names the setup and its version:
 * change it whenever the setup changes what the code does.
 */
export function cachedValidator(setupId: string, setup: () => Ajv, schema: unknown, ref?: string): PassFail {
  const key = createHash('sha256')
    .update(JSON.stringify([AJV_VERSION, SELF, selfHash(), setupId, ref ?? null]))
    .update('\u0000')
    .update(JSON.stringify(schema))
    .digest('hex');
  const known = loaded.get(key);
  if (known) return known;
  const dir = cacheDir();
  const file = dir ? path.join(dir, `${key}.js`) : undefined;
  let validate: PassFail | undefined;
  if (file && fs.existsSync(file)) {
    try {
      validate = require(file) as PassFail;
      read++;
    } catch {
      validate = undefined; // a damaged file: compiled again below
    }
  }
  if (!validate) {
    const ajv = setup();
    const compiled = ajv.compile(ref === undefined ? schema as AnySchema : { $ref: ref });
    validate = compiled as PassFail;
    if (file) write(file, standaloneCode(ajv, compiled));
  }
  loaded.set(key, validate);
  return validate;
}

function write(file: string, code: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, code);
    fs.renameSync(temporary, file);
    written++;
  } catch {
    // a read-only location: this run compiled in memory, the next one will too
  }
}

const AJV_VERSION: string = (require('ajv/package.json') as { version: string }).version;

let ownHash: string | undefined;
/** This module's own text: the keywords' code and the functions the files call are part of every key. */
function selfHash(): string {
  ownHash ??= createHash('sha256').update(fs.readFileSync(__filename)).digest('hex');
  return ownHash;
}

/** The cache directory, or undefined when caching is off. */
function cacheDir(): string | undefined {
  const configured = process.env.SPARK_PLATFORM_AJV_CACHE;
  if (configured === '0') return undefined;
  if (configured) return path.resolve(configured);
  const root = packageRoot(__dirname);
  return root ? path.join(root, '.cache', 'ajv') : undefined;
}

/** The nearest directory holding a package.json, from `dir` up (the package's root, also from lib/). */
function packageRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}
