import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';

/**
 * Pass/fail validators kept on disk (constructs/validation/compiled-validators.ts): written once,
 * read after, recompiled when damaged, never required to exist; and they judge as the detailed
 * validators that make the messages.
 */

type Module = typeof import('../../constructs/validation/compiled-validators') & { readonly Ajv: typeof Ajv };

const ORIGINAL = process.env.SPARK_PLATFORM_AJV_CACHE;
afterEach(() => {
  if (ORIGINAL === undefined) delete process.env.SPARK_PLATFORM_AJV_CACHE;
  else process.env.SPARK_PLATFORM_AJV_CACHE = ORIGINAL;
});

/** A fresh instance of the module (as in a new process: its in-process map empty), with the cache at `dir` ('0': off). */
function fresh(dir: string): Module {
  process.env.SPARK_PLATFORM_AJV_CACHE = dir;
  let loaded: Module | undefined;
  jest.isolateModules(() => {
    // ajv from the same module registry: its code templates are only recognised by their own ajv
    loaded = { ...require('../../constructs/validation/compiled-validators'), Ajv: require('ajv').default } as Module;
  });
  return loaded!;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'spark-ajv-cache-'));

function setup(m: Module): () => Ajv {
  return () => {
    const ajv = new m.Ajv({ strict: false, ...m.standaloneOptions('PROPS_FORMATS') });
    m.addPropsCodeKeywords(ajv);
    for (const [name, format] of Object.entries(m.PROPS_FORMATS)) ajv.addFormat(name, format);
    return ajv;
  };
}

const SCHEMA = {
  type: 'object',
  properties: {
    cpu: { type: 'string', format: 'cpu-quantity' },
    image: { instanceOf: 'SparkImage' },
    store: { implements: 'IObjectStore', members: ['endpoint'] },
  },
  additionalProperties: false,
};

class SparkImage {}

describe('the cache of compiled validators', () => {
  test('compiles and writes a validator once; a new process reads it and judges the same', () => {
    const dir = tmp();
    const first = fresh(dir);
    const a = first.cachedValidator('test/1', setup(first), SCHEMA);
    expect(first.compiledValidatorStats()).toEqual({ written: 1, read: 0 });
    expect(fs.readdirSync(dir)).toHaveLength(1);
    // the same schema again in this process: the loaded one, nothing compiled or read
    expect(first.cachedValidator('test/1', setup(first), SCHEMA)).toBe(a);
    const second = fresh(dir);
    const b = second.cachedValidator('test/1', setup(second), SCHEMA);
    expect(second.compiledValidatorStats()).toEqual({ written: 0, read: 1 });
    const values = [{ cpu: '500m' }, { cpu: '500 m' }, { image: new SparkImage() }, { image: {} }, { store: { endpoint: 'x' } }, { store: {} }, { store: [] }, { other: 1 }];
    expect(values.map((v) => b(v))).toEqual(values.map((v) => a(v)));
    expect(values.map((v) => a(v))).toEqual([true, false, true, false, true, false, false, false]);
  });

  test('another setup version or schema is another file', () => {
    const dir = tmp();
    const m = fresh(dir);
    m.cachedValidator('test/1', setup(m), SCHEMA);
    m.cachedValidator('test/2', setup(m), SCHEMA);
    m.cachedValidator('test/1', setup(m), { ...SCHEMA, additionalProperties: true });
    expect(fs.readdirSync(dir)).toHaveLength(3);
  });

  test('a damaged file is compiled again and rewritten', () => {
    const dir = tmp();
    const first = fresh(dir);
    first.cachedValidator('test/1', setup(first), SCHEMA);
    const [file] = fs.readdirSync(dir);
    fs.writeFileSync(path.join(dir, file), 'module.exports = (');
    const second = fresh(dir);
    const v = second.cachedValidator('test/1', setup(second), SCHEMA);
    expect(second.compiledValidatorStats()).toEqual({ written: 1, read: 0 });
    expect(v({ cpu: '2' })).toBe(true);
    expect(fresh(dir).cachedValidator('test/1', setup(second), SCHEMA)({ cpu: 'two' })).toBe(false);
  });

  test('SPARK_PLATFORM_AJV_CACHE=0 and an unwritable directory compile in memory', () => {
    const off = fresh('0');
    expect(off.cachedValidator('test/1', setup(off), SCHEMA)({ cpu: '1' })).toBe(true);
    expect(off.compiledValidatorStats()).toEqual({ written: 0, read: 0 });
    const blocked = path.join(tmp(), 'file');
    fs.writeFileSync(blocked, ''); // a file where the directory would go
    const m = fresh(path.join(blocked, 'cache'));
    expect(m.cachedValidator('test/1', setup(m), SCHEMA)({ cpu: 'x' })).toBe(false);
    expect(m.compiledValidatorStats()).toEqual({ written: 0, read: 0 });
  });
});

describe('x-kubernetes-list-type', () => {
  const m = fresh('0');
  test.each<[string, unknown, unknown, Array<{ index: number; duplicateOf: number }>]>([
    ['set without duplicates', 'set', undefined, []],
    ['set with a repeated item', 'set', undefined, [{ index: 2, duplicateOf: 0 }]],
    ['map keyed by name', 'map', ['name'], [{ index: 1, duplicateOf: 0 }]],
    ['atomic', 'atomic', undefined, []],
  ])('%s', (name, listType, mapKeys, expected) => {
    const data = name === 'set without duplicates' ? [1, 2, 3] : name.startsWith('map') ? [{ name: 'a', v: 1 }, { name: 'a', v: 2 }] : [1, 2, 1];
    expect(m.listTypeDuplicates(listType, mapKeys, data)).toEqual(expected);
    expect(m.listTypeOk(listType, mapKeys, data)).toBe(expected.length === 0);
  });
});
