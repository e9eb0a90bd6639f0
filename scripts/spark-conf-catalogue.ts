/**
 * `npm run conf-catalogue`: writes constructs/validation/data/spark-conf-keys.json, the
 * configuration keys each supported Spark line (SPARK_LINES) defines, which the SparkJob and
 * notebook checks use to refuse a misspelled `spark.*` key.
 *
 * Per line, from the release itself (facts only, no prose):
 * 1. the Spark jars of that exact version: the `jars/` of pyspark's source distribution from PyPI
 *    (downloaded with pip into the cache dir; the e2e venv's pyspark is reused when its version
 *    matches);
 * 2. scripts/SparkConfKeys.java, run with those jars on the class path: every config entry the
 *    release declares (core, Kubernetes, YARN, SQL runtime and static, Hive, Connect, streaming;
 *    public and internal, since Spark reads both), the older names Spark still reads for them,
 *    SparkConf's deprecation table, the `spark.<module>.io.*` keys the network layer reads by
 *    name, and every string constant of Spark's classes that is a whole `spark.*` key (the keys
 *    read by name, such as `spark.master`).
 *
 * The output is sorted and carries no time stamp, so a re-run gives byte-identical output. The
 * recorded `generator.sha256` covers this script and the Java helper; a test fails when either
 * changes without a re-run.
 *
 * Options: `--cache <dir>` (default ~/.cache/spark-platform-e2e/conf-catalogue), `--check`
 * (exit 1 when the data file differs from a fresh run, write nothing).
 */
import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import AdmZip from 'adm-zip';
import { SPARK_LINES, SparkLineName } from '../constructs/versions';

/** The data file, relative to the repository. */
export const CATALOGUE_FILE = path.join('constructs', 'validation', 'data', 'spark-conf-keys.json');
/** The files whose content the generator hash covers, relative to the repository. */
export const GENERATOR_FILES = ['scripts/spark-conf-catalogue.ts', 'scripts/SparkConfKeys.java'] as const;
/** Where downloads and extracted jars go unless `--cache` says otherwise. */
export const DEFAULT_CACHE = path.join(os.homedir(), '.cache', 'spark-platform-e2e', 'conf-catalogue');

const ROOT = path.resolve(__dirname, '..');

/**
 * Key prefixes a line's jars cannot vouch for, with the reason; the checker passes keys under
 * them for that line. Spark 3.5 ships the Connect server as a separate artifact
 * (`spark-connect_2.12`), which is not in the distribution's jars.
 */
const UNCHECKED: Partial<Record<SparkLineName, Record<string, string>>> = {
  '3.5': { 'spark.connect.': 'the Spark Connect server is a separate artifact in 3.5 (spark-connect_2.12), not in the distribution the keys come from' },
};

/** What the catalogue says about one Spark line. */
export interface LineCatalogue {
  /** The Spark release the keys come from (the line's version in SPARK_LINES). */
  readonly version: string;
  /** The git commit of that release, as its jars record it (`spark-version-info.properties`). */
  readonly revision: string;
  /** What the jars were taken from. */
  readonly artifact: string;
  /** Prefixes whose keys are not checked for this line, with the reason. */
  readonly unchecked: Readonly<Record<string, string>>;
  /** Older key -> the current key Spark reads it as (SparkConf's alternatives, entries' alternatives). */
  readonly renamed: Readonly<Record<string, string>>;
  /** Keys SparkConf warns about as deprecated -> the Spark version that deprecated them. */
  readonly deprecated: Readonly<Record<string, string>>;
  /** Every key the release defines, sorted. */
  readonly keys: readonly string[];
}

/** The whole data file. */
export interface ConfCatalogue {
  readonly comment: string;
  readonly generator: { readonly files: readonly string[]; readonly sha256: string };
  readonly sources: readonly string[];
  readonly lines: Readonly<Record<string, LineCatalogue>>;
}

/** sha256 over the generator's files (name, NUL, content, NUL each), as recorded in the data file. */
export function generatorHash(root = ROOT): string {
  const h = createHash('sha256');
  for (const f of GENERATOR_FILES) h.update(`${f}\0`).update(readFileSync(path.join(root, f))).update('\0');
  return h.digest('hex');
}

/** The directory holding the Spark jars of `version` under `cache`, or undefined when not there yet. */
export function cachedJars(version: string, cache = DEFAULT_CACHE): string | undefined {
  const own = path.join(cache, `spark-${version}`, 'jars');
  if (sparkCoreJarName(own)) return own;
  // The e2e setup installs one pyspark into a venv; its jars are the same release's.
  const venv = path.join(path.dirname(cache), 'venv', `pyspark-${version}`, 'lib');
  if (!existsSync(venv)) return undefined;
  for (const py of readdirSync(venv)) {
    const jars = path.join(venv, py, 'site-packages', 'pyspark', 'jars');
    if (sparkCoreJarName(jars)) return jars;
  }
  return undefined;
}

function sparkCoreJarName(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir).find((f) => /^spark-core_2\.1[23]-.*\.jar$/.test(f));
}

/** Downloads pyspark's source distribution with pip and unpacks its `deps/jars` into the cache. */
function downloadJars(version: string, cache: string): string {
  const downloads = path.join(cache, 'downloads');
  mkdirSync(downloads, { recursive: true });
  const tarball = path.join(downloads, `pyspark-${version}.tar.gz`);
  if (!existsSync(tarball)) {
    console.log(`downloading pyspark ${version} (the source distribution carries Spark's jars) ...`);
    execFileSync('python3', ['-m', 'pip', 'download', '--no-deps', '--no-binary', ':all:', '-d', downloads, `pyspark==${version}`], { stdio: 'inherit' });
  }
  const dest = path.join(cache, `spark-${version}`);
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dest, '--strip-components=2', '--wildcards', `pyspark-${version}/deps/jars/*`], { stdio: 'inherit' });
  return path.join(dest, 'jars');
}

/** The git commit a Spark release's jars record. */
function revisionOf(jars: string): string {
  const jar = readdirSync(jars).find((f) => /^spark-(common-utils|core)_2\.1[23]-[^-]+\.jar$/.test(f) && new AdmZip(path.join(jars, f)).getEntry('spark-version-info.properties'));
  if (!jar) throw new Error(`no spark-version-info.properties in ${jars}`);
  const text = new AdmZip(path.join(jars, jar)).readAsText('spark-version-info.properties');
  const m = /^revision=([0-9a-f]{40})$/m.exec(text);
  if (!m) throw new Error(`no revision in ${jar}'s spark-version-info.properties`);
  return m[1];
}

/** Runs scripts/SparkConfKeys.java against one release's jars and returns its lines. */
function listKeys(jars: string): string[] {
  const out = execFileSync('java', ['-cp', `${jars}${path.sep}*`, path.join(ROOT, 'scripts', 'SparkConfKeys.java'), jars], {
    encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'pipe'],
    // A JVM with no Spark master and no network: keep it from looking up the host.
    env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1' },
  });
  return out.split('\n').filter((l) => l.length > 0);
}

/** The catalogue of one line from its jars (the part a test can re-run and compare). */
export function extractLine(line: SparkLineName, jars: string): LineCatalogue {
  const version = SPARK_LINES[line].version;
  const keys = new Set<string>();
  const renamed: Record<string, string> = {};
  const deprecated: Record<string, string> = {};
  for (const row of listKeys(jars)) {
    const [kind, key, extra] = row.split('\t');
    if (kind === 'key' || kind === 'transport' || kind === 'literal') keys.add(key);
    else if (kind === 'alternative') renamed[key] = extra;
    else if (kind === 'deprecated') deprecated[key] = extra;
    else if (kind !== 'holder') throw new Error(`unexpected line from SparkConfKeys: ${row}`);
  }
  // The current name of a renamed key is a key, also when Spark reads it by a name built at run time.
  for (const current of Object.values(renamed)) keys.add(current);
  if (keys.size < 500) throw new Error(`only ${keys.size} keys found in ${jars}: is it a Spark distribution's jars directory?`);
  return {
    version,
    revision: revisionOf(jars),
    artifact: `pyspark ${version} source distribution (PyPI), deps/jars`,
    unchecked: UNCHECKED[line] ?? {},
    renamed: sorted(renamed),
    deprecated: sorted(deprecated),
    keys: [...keys].sort(),
  };
}

function sorted(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Builds the whole catalogue, downloading what the cache lacks. */
export function buildCatalogue(cache = DEFAULT_CACHE): ConfCatalogue {
  const lines: Record<string, LineCatalogue> = {};
  for (const line of Object.keys(SPARK_LINES) as SparkLineName[]) {
    const version = SPARK_LINES[line].version;
    const jars = cachedJars(version, cache) ?? downloadJars(version, cache);
    lines[line] = extractLine(line, jars);
    console.log(`Spark ${version}: ${lines[line].keys.length} keys`);
  }
  return {
    comment: 'Generated by scripts/spark-conf-catalogue.ts (npm run conf-catalogue); do not edit by hand.',
    generator: { files: [...GENERATOR_FILES], sha256: generatorHash() },
    sources: [
      'Spark\'s jars of each release (pyspark source distribution on PyPI, deps/jars), read by scripts/SparkConfKeys.java: the config entries every config-declaring Scala object registers when initialized (core, Kubernetes, YARN, history, UI, SQL runtime and static confs, Hive, Connect, streaming), public and internal',
      'the same jars: SparkConf\'s deprecated and alternative (renamed) key tables, and the entries\' own alternative names',
      'the same jars: the keys the network layer (TransportConf) reads by name for the rpc, files and shuffle modules',
      'the same jars: every string constant of Spark\'s classes that is a whole spark.* key (the keys Spark reads by name without a declared entry, such as spark.master, spark.app.name, spark.local.dir), and the current names of renamed keys',
      'not used: the docs markdown tables (docs/*.md at the release tag); the apache/spark repository could not be mirrored here (over the snapshot size limit). The entries are a superset of the documented keys except the documented key patterns, which constructs/validation/spark-conf-keys.ts lists as open prefixes',
    ],
    lines,
  };
}

/** The data file's text for a catalogue (stable: one key per line, a final newline). */
export function catalogueText(c: ConfCatalogue): string {
  return `${JSON.stringify(c, null, 1)}\n`;
}

function main(argv: readonly string[]): number {
  const cacheAt = argv.indexOf('--cache');
  const cache = cacheAt >= 0 ? path.resolve(argv[cacheAt + 1]) : DEFAULT_CACHE;
  const text = catalogueText(buildCatalogue(cache));
  const file = path.join(ROOT, CATALOGUE_FILE);
  if (argv.includes('--check')) {
    const same = existsSync(file) && readFileSync(file, 'utf8') === text;
    console.log(same ? `${CATALOGUE_FILE} is up to date` : `${CATALOGUE_FILE} is stale: run npm run conf-catalogue`);
    return same ? 0 : 1;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${CATALOGUE_FILE} (${text.length} bytes)`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
