import * as YAML from 'yaml';
import { benchPlatform } from '../../bench/platform';
import { ENVIRONMENTS } from '../../stacks/environments';
import { SparkPlatformApp, toYaml } from '../../stacks/gitops';
import {
  YAML_WRITER_OPTIONS, libraryYaml, resetYamlWriterStats, stringifyYaml, tryStringifyYaml, yamlWriterStats,
} from '../../stacks/gitops/yaml-writer';
import { buildPlatform } from '../../stacks/platform';
import { renderEnvironment } from '../../stacks/synth';

/**
 * The YAML writer (stacks/gitops/yaml-writer.ts) against the yaml library it replaces: every
 * comparison is with `YAML.stringify(value, { lineWidth: 0, indent: 2, aliasDuplicateObjects: false })`
 * itself, so a rule the writer gets wrong fails here.
 */

const reference = (v: unknown): string => YAML.stringify(v, { lineWidth: 0, indent: 2, aliasDuplicateObjects: false });

/** The values whose fast-path output differs from the library's, with both outputs. */
function differences(values: readonly unknown[]): Array<{ value: string; writer: string | undefined; library: string }> {
  return values.flatMap((v) => {
    const writer = tryStringifyYaml(v);
    const library = reference(v);
    return writer === library ? [] : [{ value: JSON.stringify(v), writer, library }];
  });
}

/** How many of `values` the writer hands to the library. */
function fallbacksOf(values: readonly unknown[]): number {
  return values.filter((v) => tryStringifyYaml(v) === undefined).length;
}

test('the reference is the library call toYaml used to make', () => {
  expect(YAML_WRITER_OPTIONS).toEqual({ lineWidth: 0, indent: 2, aliasDuplicateObjects: false });
  expect(libraryYaml({ a: '1' })).toBe(reference({ a: '1' }));
});

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('environment %s', (_name, env) => {
  const rendered = renderEnvironment(env);
  const objects = rendered.charts.flatMap((c) => c.objects as readonly unknown[]);

  test('every object is written as the library writes it, none through the fallback', () => {
    expect(objects.length).toBeGreaterThan(10);
    expect(differences(objects)).toEqual([]);
    expect(fallbacksOf(objects)).toBe(0);
  });

  test('every chart file is the library documents joined', () => {
    for (const c of rendered.charts) {
      expect(rendered.files.get(`${env.name}/${c.file}`)).toBe(c.objects.map(reference).join('---\n'));
    }
  });
});

describe('a bench platform of 200 jobs (rendered as bench/measure.ts renders it)', () => {
  const config = benchPlatform(200);
  const app = new SparkPlatformApp({ name: config.name });
  buildPlatform(app, config);
  const rendered = app.render();
  const objects = rendered.charts.flatMap((c) => c.objects as readonly unknown[]);

  test('every object as the library writes it, none through the fallback', () => {
    expect(objects.length).toBeGreaterThan(500);
    expect(differences(objects)).toEqual([]);
    // and the same objects after a JSON round trip, as the bench's floor reads them
    expect(differences(JSON.parse(JSON.stringify(objects)) as unknown[])).toEqual([]);
    expect(fallbacksOf(objects)).toBe(0);
  });

  test('the files toYaml made are the library documents joined', () => {
    for (const c of rendered.charts) expect(rendered.files.get(c.file)).toBe(c.objects.map(reference).join('---\n'));
  });
});

/** Strings that each exercise one of the library's rules. */
const TRICKY_STRINGS: readonly string[] = [
  // the core schema would read these as something else
  '', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n',
  '0', '1', '-1', '+1', '007', '0.5', '.5', '5.', '-0.5', '+.5', '1e3', '1E3', '1.5e-3', '.5e+3', '5.e3', 'e3', '1e', '1.2.3', '1_000', '1,000',
  '0x1f', '0xG', '0X1F', '0o17', '0o8', '0b101', '.inf', '-.inf', '+.Inf', '.INF', '.nan', '.NaN', '.NAN', '-.nan', 'inf', 'nan', 'NaN',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '12:30:00', '1:20', '0.5Gi', '512Mi', '1Gi', '100m', '1.5',
  // indicators at the start, dashes and question marks
  '-', '?', ':', '- a', '-a', '? a', '?a', ': a', ':a', '-\ta', ',a', '[a', ']a', '{a', '}a', '#a', '&a', '*a', '!a', '|a', '>a', "'a", '"a', '%a', '@a', '`a',
  // inside and at the end
  'a: b', 'a:b', 'a:\tb', 'a :b', 'a #b', 'a#b', 'a\t#b', 'a:', 'a ', 'a\t', ' a', '\ta', '  ', ' ', 'a - b', 'a, b', 'a [b]', 'a {b}',
  'http://example.com:8080/x?y=1#z', 'spark.kubernetes.driver.podTemplateFile', 'key=value', '--conf', '--conf=a: b',
  // document markers
  '---', '--- a', '...', '... a', '%YAML', 'a\n---\nb', 'a\n...', 'a\n%b',
  // quotes
  `it's`, 'say "hi"', `"both" 'kinds'`, '{"a":"b"}', `{"a":"it's"}`, '["x", "y"]', "''", '""',
  // multi-line: chomping, indentation indicator, blank lines, trailing blanks
  'a\nb', 'a\nb\n', 'a\nb\n\n', 'a\nb\n\n\n', '\n', '\n\n', '\na', '\n\na', ' a\nb', '  a\n b\n', '\n a', ' \n a', 'a\n\n\nb', 'a\n \nb',
  'a\n\tb', '\ta\nb', 'a\t\nb', 'a \nb', 'a\n ', 'a\n\t', 'a\n  \n', 'a \n', 'a\t\n', 'a\n\n ', ' \n', '\n \n', 'a\n \n\n', '#a\nb', '- a\nb',
  'a: b\nc: d\n', '{\n  "a": 1\n}', 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: x\n',
  // long values: no folding with lineWidth 0, quoted line folds from 40 characters
  'x'.repeat(5000), `${'word '.repeat(200)}end`, `a\n${'long line '.repeat(20)}\n  `, `${'y'.repeat(40)}\n\n\nz\n `, `${'q'.repeat(38)} \n `,
  `${'p'.repeat(45)}\n \n x\n `, `${'r'.repeat(45)}\n\n`,
  // control and non-ASCII characters
  'a\u0000b', 'a\u0007b', 'a\u0008b', 'a\u000bb', 'a\u000cb', 'a\rb', 'a\r\nb', 'a\u001bb', 'a\u001fb', 'a\u007fb', 'a\u0085b', 'a\u009fb',
  'a\u00a0b', 'a\u2028b', 'a\u2029b', '\ud800', 'a\udc00b', '\ud83d\ude00', 'é', '日本語', 'a\u0001\nb c\n ', `${'c'.repeat(40)}\u0001\n\n d\n`,
  'a\\b', 'a\\nb', '\\', 'tab\there',
];

describe('a table of tricky values', () => {
  const keys = TRICKY_STRINGS.filter((s) => s.length < 200);
  const values: unknown[] = [
    ...TRICKY_STRINGS,
    ...TRICKY_STRINGS.map((s) => ({ a: s })),
    ...TRICKY_STRINGS.map((s) => ({ a: { b: [s] } })),
    ...TRICKY_STRINGS.map((s) => [s, [s]]),
    ...keys.map((k) => ({ [k]: 1 })),
    ...keys.map((k) => ({ a: { [k]: [{ [k]: k }] } })),
    ...keys.map((k) => [{ [k]: null }]),
    0, -0, 1, -1, 0.5, 1e21, 1e-7, -1e-7, 2 ** 53, Number.MAX_VALUE, NaN, Infinity, -Infinity, true, false, null,
    [], {}, [[]], [{}], { a: [] }, { a: {} }, [[1, [2, []]], {}], [[{ a: 1, b: [] }]], { a: [[{ b: { c: [null] } }]] },
    { a: undefined }, { a: undefined, b: 1 }, { a: { b: undefined } }, [undefined], [1, undefined, 2], { a: null, b: null },
    Object.assign(Object.create(null) as object, { a: 1 }),
  ];

  test('each is written as the library writes it, none through the fallback', () => {
    expect(differences(values)).toEqual([]);
    expect(fallbacksOf(values)).toBe(0);
  });

  test('the table covers every style the library chooses', () => {
    const out = values.map(reference).join('');
    for (const style of ['|-\n', '|\n', '|+\n', '|1', '|2', '|2-', "'", '"', '\\ ', '\\0', '\\e', '\\x01', '\\ud800', '- - ', '- a: 1', '[]', '{}', '-0', '.nan', '-.inf']) {
      expect({ style, found: out.includes(style) }).toEqual({ style, found: true });
    }
  });

  test('some rules, spelled out', () => {
    expect(stringifyYaml({ replicas: 1, cpu: '1', memory: '512Mi', ratio: '0.5', on: 'true', empty: '' })).toBe(
      'replicas: 1\ncpu: "1"\nmemory: 512Mi\nratio: "0.5"\non: "true"\nempty: ""\n',
    );
    expect(stringifyYaml({ data: { 'a.conf': 'x=1\ny=2\n' } })).toBe('data:\n  a.conf: |\n    x=1\n    y=2\n');
    expect(stringifyYaml({ a: ['x', { b: 'c', d: [] }, ['e']] })).toBe('a:\n  - x\n  - b: c\n    d: []\n  - - e\n');
    expect(stringifyYaml({ note: '{"k":"v"}', say: `it's` })).toBe(`note: '{"k":"v"}'\nsay: it's\n`);
    expect(stringifyYaml({ '---': 1, a: { '---': 2 } })).toBe('"---": 1\na:\n  ---: 2\n');
    expect(stringifyYaml('--- a')).toBe('|-\n  --- a\n');
  });
});

/** A deterministic pseudo-random source (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces the random strings are made of: the characters and words the rules look at. */
const PIECES: readonly string[] = [
  ' ', '  ', '\n', '\n\n', '\t', '#', ':', '-', '?', '"', "'", ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`', '\\',
  '0', '1', '7', '.', 'e', 'E', '+', 'x', 'o', 'a', 'b', 'f', 'null', 'true', 'False', '~', '---', '...', 'inf', '.nan', '0x', '0o',
  '\u0000', '\u0007', '\u001b', '\r', '\u0085', '\u00a0', '\u2028', '\ud800', '\udc00', '\ud83d\ude00', 'é', 'spark.', 'Mi',
];

function randomValues(seed: number, count: number): unknown[] {
  const next = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const str = (): string => {
    const n = Math.floor(next() * (next() < 0.2 ? 40 : 8));
    let s = '';
    for (let i = 0; i < n; i++) s += pick(PIECES);
    return s;
  };
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.5) {
      const q = next();
      if (q < 0.7) return str();
      if (q < 0.85) return pick([0, -0, 1, -1, 0.5, 1e21, 1e-7, 123456789012, NaN, Infinity, -Infinity]);
      return q < 0.95 ? pick([true, false, null]) : depth === 0 ? null : undefined;
    }
    if (r < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let n = Math.floor(next() * 4); n > 0; n--) o[str()] = value(depth + 1);
    return o;
  };
  return Array.from({ length: count }, () => value(0));
}

test.each([1, 2, 3])('5,000 random values of seed %d are written as the library writes them', (seed) => {
  const values = randomValues(seed, 5000);
  expect(differences(values)).toEqual([]);
  expect(fallbacksOf(values)).toBe(0);
});

describe('outside the fast path, the whole document goes to the library', () => {
  class Resource {
    public readonly name = 'x';
  }
  const outside: Array<[string, unknown]> = [
    ['a Map', { a: new Map([['k', 'v']]) }],
    ['a Date', [{ at: new Date(0) }]],
    ['a class instance', { spec: new Resource() }],
    ['an object with toJSON', { a: { toJSON: () => 'j' } }],
    ['a bigint', { n: BigInt(10) }],
    ['a boxed string', [new String('s')]],
    ['a key longer than 1,024 characters', { ['k'.repeat(1100)]: 1 }],
  ];

  test.each(outside)('%s', (_what, value) => {
    expect(tryStringifyYaml(value)).toBeUndefined();
    resetYamlWriterStats();
    expect(stringifyYaml(value)).toBe(reference(value));
    expect(yamlWriterStats()).toEqual({ documents: 1, fallbacks: 1 });
  });

  test.each([
    ['a function', { f: () => 1 }],
    ['a symbol', [Symbol('s')]],
  ])('%s: the library\'s own error', (_what, value) => {
    expect(tryStringifyYaml(value)).toBeUndefined();
    expect(() => reference(value)).toThrow(/Tag not resolved/);
    expect(() => stringifyYaml(value)).toThrow(/Tag not resolved/);
  });

  test('a root undefined, as YAML.stringify returns undefined for it, is the library\'s too', () => {
    expect(tryStringifyYaml(undefined)).toBeUndefined();
  });

  test('toYaml joins the documents and counts what it wrote itself', () => {
    resetYamlWriterStats();
    const objects = [{ a: 1 }, { b: new Map([['c', 'd']]) }, { e: 'f\ng\n' }];
    expect(toYaml(objects)).toBe(objects.map(reference).join('---\n'));
    expect(yamlWriterStats()).toEqual({ documents: 3, fallbacks: 1 });
  });
});
