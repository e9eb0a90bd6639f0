import * as YAML from 'yaml';

/**
 * A direct YAML writer for plain JSON values, byte-identical to the `yaml` library's
 * `YAML.stringify(value, YAML_WRITER_OPTIONS)` (yaml 2.x, YAML 1.2 core schema), without building
 * the library's Document node tree (issue 21: that tree is most of the time and the garbage of
 * writing the GitOps files).
 *
 * What it writes itself: objects whose prototype is `Object.prototype` or `null` (properties that
 * are `undefined` skipped, as the library skips them), arrays (`undefined` items as `null`),
 * strings, numbers, booleans and `null`. Anything else (class instances, `Map`, `Date`, `bigint`,
 * objects with `toJSON`, keys whose YAML is longer than 1,024 characters, a root that is
 * `undefined`) makes it hand the whole document to the library, so the output is the library's
 * in every case; {@link yamlWriterStats} counts how often that happens.
 *
 * The rules it follows, as the library applies them with these options (block style, two-space
 * indentation, no line folding):
 * - a map is `key: value` lines; a non-empty map or list value goes on the next lines, one level
 *   deeper (lists under a key are indented too); empty ones are written `{}` and `[]`;
 * - a list is `- item` lines; an item that is a map or list starts on the dash's line
 *   (`- a: 1`, `- - x`);
 * - numbers as JavaScript prints them (`-0` keeps its sign; `.nan`, `.inf`, `-.inf`);
 * - a string is plain unless plain would change its meaning: a string the core schema would read
 *   as something else (`""`, `null`, `~`, `true`, `12`, `0.5`, `1e3`, `0x1f`, `0o7`, `.inf`), a
 *   leading indicator character or space, `-`/`?` alone or followed by a space, `: `, ` #`, a
 *   trailing space or colon; then it is quoted: single quotes when it holds `"` and no `'`,
 *   double quotes otherwise;
 * - control characters and unpaired surrogates force double quotes (with YAML's escapes `\0`,
 *   `\a`, `\v`, `\e`, `\xXX`); a space before an escaped line break is written `\ `;
 * - a multi-line string is a literal block (`|`) with its chomping indicator (`|-` no final line
 *   break, `|` one, `|+` more) and an indentation indicator when it starts with spaces; one that
 *   ends in a line break followed by spaces or tabs is double-quoted instead, with line breaks
 *   written as YAML line folds once the quoted text is 40 characters or more;
 * - keys follow the string rules without blocks (a multi-line key is double-quoted); a top-level
 *   key starting a line with `%`, `---` or `...` is quoted; at the root, such a string is a block.
 */
export const YAML_WRITER_OPTIONS = { lineWidth: 0, indent: 2, aliasDuplicateObjects: false } as const;

/** How many documents the writer wrote, and how many of them it handed to the library. */
export interface YamlWriterStats {
  /** Documents written (calls of {@link stringifyYaml}). */
  readonly documents: number;
  /** Of those, documents outside the writer's fast path, written by the library. */
  readonly fallbacks: number;
}

let documents = 0;
let fallbacks = 0;

/** The writer's counters since the process started or the last {@link resetYamlWriterStats}. */
export function yamlWriterStats(): YamlWriterStats {
  return { documents, fallbacks };
}

/** Sets the writer's counters back to zero (tests and benchmarks). */
export function resetYamlWriterStats(): void {
  documents = 0;
  fallbacks = 0;
}

/**
 * `value` as one YAML document, exactly `YAML.stringify(value, YAML_WRITER_OPTIONS)`: written
 * directly for plain JSON values, by the library otherwise (see the module comment).
 */
export function stringifyYaml(value: unknown): string {
  documents++;
  const fast = tryStringifyYaml(value);
  if (fast !== undefined) return fast;
  fallbacks++;
  return libraryYaml(value);
}

/**
 * The library's own output for `value` with the writer's options: the reference the writer is
 * tested against, and the naive baseline the bench's floor measures.
 */
export function libraryYaml(value: unknown): string {
  return YAML.stringify(value, { ...YAML_WRITER_OPTIONS });
}

/**
 * `value` as one YAML document written directly, or `undefined` when `value` (anywhere inside it)
 * is outside what the writer handles; the caller then uses the library ({@link stringifyYaml}).
 */
export function tryStringifyYaml(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const outer = out; // a getter inside `value` could itself write YAML
  out = [];
  try {
    writeNode(value, 0);
    out.push('\n');
    return out.join('');
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  } finally {
    out = outer;
  }
}

/** Thrown (and caught in tryStringifyYaml) when a value is outside the writer's fast path. */
const OUTSIDE: unique symbol = Symbol('outside the YAML writer');

/**
 * The pieces of the document being written (one at a time: the writer is synchronous), joined at
 * the end: cheaper than growing one string, whose many small parts would be copied when flattened.
 */
let out: string[] = [];

const SPACES: string[] = [];
const BREAKS: string[] = [];
/** `depth` levels of two-space indentation. */
function pad(depth: number): string {
  return SPACES[depth] ?? (SPACES[depth] = '  '.repeat(depth));
}
/** A line break and `depth` levels of indentation. */
function newline(depth: number): string {
  return BREAKS[depth] ?? (BREAKS[depth] = `\n${pad(depth)}`);
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * Appends `v` at a position that is already on its line (the root, after `- `, or after a
 * collection's `key:` line break and indentation); `depth` is the indentation level of its lines.
 */
function writeNode(v: unknown, depth: number): void {
  if (v !== null && typeof v === 'object') {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push('[]');
        return;
      }
      const sep = newline(depth);
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out.push(sep);
        out.push('- ');
        writeNode(v[i], depth + 1);
      }
      return;
    }
    if (!isPlainObject(v)) throw OUTSIDE;
    const sep = newline(depth);
    let first = true;
    for (const key in v) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      const item = v[key];
      if (item === undefined) continue;
      if (!first) out.push(sep);
      first = false;
      writePair(key, item, depth + 1);
    }
    if (first) out.push('{}');
    return;
  }
  out.push(scalar(v, depth));
}

/** Appends `key: value`; `depth` is the level of the pair's inner lines. */
function writePair(key: string, v: unknown, depth: number): void {
  const k = keyString(key, depth);
  if (v !== null && typeof v === 'object') {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push(k, ': []');
        return;
      }
    } else if (isPlainObject(v)) {
      if (isEmptyMap(v)) {
        out.push(k, ': {}');
        return;
      }
    } else {
      throw OUTSIDE;
    }
    out.push(k, ':', newline(depth));
    writeNode(v, depth);
    return;
  }
  out.push(k, ': ', scalar(v, depth));
}

function isEmptyMap(v: Record<string, unknown>): boolean {
  for (const key in v) {
    if (Object.prototype.hasOwnProperty.call(v, key) && v[key] !== undefined) return false;
  }
  return true;
}

/** A scalar value (anything but an object) at indentation level `depth`. */
function scalar(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return valueString(v, depth);
    case 'number':
      if (Number.isNaN(v)) return '.nan';
      if (v === Infinity) return '.inf';
      if (v === -Infinity) return '-.inf';
      return Object.is(v, -0) ? '-0' : String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null'; // only list items get here: the library writes them as null
    case 'object':
      return 'null'; // v === null
    default:
      throw OUTSIDE; // bigint, symbol, function
  }
}

// ---------------------------------------------------------------------------------------------
// Strings

/** Characters that need a closer look: C0 controls (tab and line feed included), DEL, C1, surrogates. */
const NEEDS_LOOK = /[\x00-\x1f\x7f-\x9f\ud800-\udfff]/;
/** Characters that force double quotes: controls except tab and line feed, C1, unpaired surrogates. */
const FORCES_DOUBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * A single-line string that plain style cannot carry as it is: a leading indicator or blank,
 * a lone `-`/`?` or one followed by a blank, `: ` or `:<tab>`, a blank before `#`, a trailing blank
 * or colon. (Multi-line strings never reach plain style here.)
 */
const NOT_PLAIN = /^[\t ,[\]{}#&*!|>'"%@`]|^[-?](?:$|[\t ])|:[\t ]|[\t ]#|[\t :]$/;
/** Plain text the YAML 1.2 core schema reads as null, a boolean, an integer or a float. */
const CORE_NON_STRING =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))?$/;
/** A line starting like a directive or a document marker, which a parser would take as one. */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/m;

/** A string value (not a key) whose lines are at indentation level `depth` (0: the root). */
function valueString(s: string, depth: number): string {
  if (!NEEDS_LOOK.test(s)) {
    // one line, no control characters
    if (NOT_PLAIN.test(s)) return quoted(s, depth, false);
    if (depth === 0 && DOCUMENT_MARKER.test(s)) return literalBlock(s, depth, true);
    return CORE_NON_STRING.test(s) ? quoted(s, depth, false) : s;
  }
  if (FORCES_DOUBLE.test(s)) return doubleQuoted(s, depth, false);
  if (s.includes('\n')) return literalBlock(s, depth, false);
  if (NOT_PLAIN.test(s)) return quoted(s, depth, false);
  if (depth === 0 && DOCUMENT_MARKER.test(s)) return literalBlock(s, depth, true);
  return CORE_NON_STRING.test(s) ? quoted(s, depth, false) : s;
}

/** A map key; the pair's inner lines are at level `depth` (1 for the root map's keys). */
function keyString(s: string, depth: number): string {
  let k: string;
  if (!NEEDS_LOOK.test(s) || (!FORCES_DOUBLE.test(s) && !s.includes('\n'))) {
    k = NOT_PLAIN.test(s) || (depth === 1 && DOCUMENT_MARKER.test(s)) || CORE_NON_STRING.test(s) ? quoted(s, depth, true) : s;
  } else {
    k = FORCES_DOUBLE.test(s) ? doubleQuoted(s, depth, true) : quoted(s, depth, true);
  }
  if (k.length > 1024) throw OUTSIDE; // the library writes such a key as an explicit `? key`
  return k;
}

/** Quoted style: single quotes for text with `"` and no `'`, double quotes otherwise. */
function quoted(s: string, depth: number, key: boolean): string {
  if (s.includes('"') && !s.includes("'")) return singleQuoted(s, depth, key);
  return doubleQuoted(s, depth, key);
}

/** The indentation of a quoted or block string's continuation lines. */
function continuation(s: string, depth: number, force: boolean): string {
  if (depth > 0) return pad(depth);
  return force || DOCUMENT_MARKER.test(s) ? '  ' : '';
}

function singleQuoted(s: string, depth: number, key: boolean): string {
  if (s.includes('\n')) {
    // a key cannot span lines; blanks around a line break would be lost
    if (key || /[ \t]\n|\n[ \t]/.test(s)) return doubleQuoted(s, depth, key);
    const indent = continuation(s, depth, false);
    return `'${s.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`)}'`;
  }
  return `'${s.replace(/'/g, "''")}'`;
}

/** YAML's short escapes for the control characters JSON writes as `\u00XX`. */
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '00': '\\0', '07': '\\a', '0b': '\\v', '1b': '\\e' };

function doubleQuoted(s: string, depth: number, key: boolean): string {
  const json = JSON.stringify(s);
  if (!json.includes('\\')) return json;
  // JSON escapes are valid YAML; rewrite \u00XX, a blank before an escaped line break, and (for
  // a long value) escaped line breaks as line folds.
  const last = json.length - 1; // the closing quote
  const fold = !key && json.length >= 40;
  const indent = fold ? continuation(s, depth, false) : '';
  let res = '';
  let from = 0; // json[from, i) is copied as it is
  let i = 1;
  while (i < last) {
    const c = json.charCodeAt(i);
    if (c === 0x20 /* space */ && json[i + 1] === '\\' && json[i + 2] === 'n') {
      res += `${json.slice(from, i)}\\ `;
      i++;
      from = i;
      continue;
    }
    if (c !== 0x5c /* backslash */) {
      i++;
      continue;
    }
    const e = json[i + 1];
    if (e === 'u') {
      const code = json.slice(i + 2, i + 6);
      if (code.startsWith('00')) {
        const hex = code.slice(2);
        res += json.slice(from, i) + (SHORT_ESCAPES[hex] ?? `\\x${hex}`);
        i += 6;
        from = i;
      } else {
        i += 6; // \udXXX: an unpaired surrogate stays as JSON wrote it
      }
      continue;
    }
    if (e === 'n' && fold && i + 2 < last) {
      // a line fold: one blank line per line break, the first one extra
      res += `${json.slice(from, i)}\n\n`;
      i += 2;
      while (json[i] === '\\' && json[i + 1] === 'n' && i + 2 < last) {
        res += '\n';
        i += 2;
      }
      res += indent;
      if (json[i] === ' ') res += '\\'; // a leading blank would be folded away
      from = i;
      continue;
    }
    i += 2; // any other two-character escape
  }
  return res + json.slice(from);
}

/** Literal block style (`|`), or double quotes for text ending in a line break and blanks. */
function literalBlock(s: string, depth: number, force: boolean): string {
  if (endsInBreakAndBlanks(s)) return quoted(s, depth, false);
  const indent = continuation(s, depth, force);
  // Trailing blanks and line breaks decide the chomping indicator.
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 0x0a && c !== 0x09 && c !== 0x20) break;
    end--;
  }
  let tail = s.slice(end);
  const firstBreak = tail.indexOf('\n');
  let chomp: string;
  if (firstBreak === -1) chomp = '-';
  else if (end === 0 || firstBreak !== tail.length - 1) chomp = '+';
  else chomp = '';
  let body = s.slice(0, end);
  if (tail !== '') {
    if (tail.endsWith('\n')) tail = tail.slice(0, -1);
    // runs of line breaks inside the tail that are followed by a blank get the indentation
    tail = tail.replace(/\n+(?=[^\n])/g, `$&${indent}`);
  }
  // Leading blanks ask for an indentation indicator; leading empty lines are kept as they are.
  let startsWithSpace = false;
  let lastLeadingBreak = -1;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x20) startsWithSpace = true;
    else if (c === 0x0a) lastLeadingBreak = i;
    else break;
  }
  let head = '';
  if (lastLeadingBreak >= 0) {
    head = body.slice(0, lastLeadingBreak + 1).replace(/\n+/g, `$&${indent}`);
    body = body.slice(lastLeadingBreak + 1);
  }
  const header = (startsWithSpace ? (indent === '' ? '1' : '2') : '') + chomp;
  return `|${header}\n${indent}${head}${indent === '' ? body : body.replace(/\n+/g, `$&${indent}`)}${tail}`;
}

/** Whether `s` ends with a line break followed by one or more spaces or tabs (a block would lose them). */
function endsInBreakAndBlanks(s: string): boolean {
  let i = s.length - 1;
  while (i >= 0 && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i--;
  return i < s.length - 1 && i >= 0 && s.charCodeAt(i) === 0x0a;
}
