/**
 * Refuses a `spark.*` conf key that the job's Spark line does not have: Spark accepts any key and
 * silently ignores one it does not read, so `spark.exeutor.memoryOverhead` would otherwise be
 * lost without a word.
 *
 * A key passes when it is one of the line's keys (data/spark-conf-keys.json, generated from the
 * release's jars by scripts/spark-conf-catalogue.ts), falls under one of Spark's documented open
 * prefixes (OPEN_SPARK_CONF_PREFIXES: keys whose last part is a name the user chooses), falls under
 * a prefix the catalogue leaves unchecked for that line, or is in the caller's allow-list (plugin
 * keys). Keys that do not start with `spark.` are not checked here.
 *
 * Renamed keys: Spark still reads an old name (e.g. `spark.yarn.executor.memoryOverhead`) and logs
 * a deprecation warning; the check refuses it and names the current key, so a configuration does
 * not silently break when a later line drops the old name.
 */
import { SparkPlatformError, show } from '../errors';
import { closest } from '../suggest';
import { SPARK_LINES, SparkLineName } from '../versions';
import catalogue from './data/spark-conf-keys.json';

/** A documented family of keys whose tail is a user-chosen name (a label, an env var, a catalog). */
export interface OpenSparkConfPrefix {
  /** The family as Spark's docs write it, with its placeholders. */
  readonly pattern: string;
  /** Matches the keys of the family. */
  readonly match: RegExp;
}

/**
 * Spark's documented open key families, taken from the patterns of its docs' configuration tables
 * (`<...>`, `[...]` and `{...}` placeholders). The same list serves every line: a family a line
 * lacks is ignored by that line's Spark, as any unknown key is, but none of these has been removed.
 */
export const OPEN_SPARK_CONF_PREFIXES: readonly OpenSparkConfPrefix[] = [
  // configuration.md, "Custom Hadoop/Hive Configuration": copied into the Hadoop configuration.
  { pattern: 'spark.hadoop.[HadoopKey]', match: /^spark\.hadoop\../ },
  // configuration.md, same section: copied into the Hive configuration.
  { pattern: 'spark.hive.[HiveKey]', match: /^spark\.hive\../ },
  // configuration.md: an environment variable of the executors.
  { pattern: 'spark.executorEnv.[EnvironmentVariableName]', match: /^spark\.executorEnv\../ },
  // running-on-kubernetes.md: an environment variable of the driver.
  { pattern: 'spark.kubernetes.driverEnv.[EnvironmentVariableName]', match: /^spark\.kubernetes\.driverEnv\../ },
  // running-on-yarn.md: an environment variable of the YARN application master.
  { pattern: 'spark.yarn.appMasterEnv.[EnvironmentVariableName]', match: /^spark\.yarn\.appMasterEnv\../ },
  // running-on-kubernetes.md: labels and annotations of the driver and executor pods.
  { pattern: 'spark.kubernetes.{driver,executor}.{label,annotation}.[Name]', match: /^spark\.kubernetes\.(driver|executor)\.(label|annotation)\../ },
  // running-on-kubernetes.md: labels and annotations of the driver's Service.
  { pattern: 'spark.kubernetes.driver.service.{label,annotation}.[Name]', match: /^spark\.kubernetes\.driver\.service\.(label|annotation)\../ },
  // running-on-kubernetes.md: a Secret mounted into the pods, and environment variables from Secret keys.
  { pattern: 'spark.kubernetes.{driver,executor}.{secrets,secretKeyRef}.[Name]', match: /^spark\.kubernetes\.(driver|executor)\.(secrets|secretKeyRef)\../ },
  // running-on-kubernetes.md: volumes, `...volumes.[VolumeType].[VolumeName].mount.path` and the like.
  { pattern: 'spark.kubernetes.{driver,executor}.volumes.[VolumeType].[VolumeName].[Field]', match: /^spark\.kubernetes\.(driver|executor)\.volumes\.[^.]+\.[^.]+\../ },
  // running-on-kubernetes.md: node selectors of both pods, or of one.
  { pattern: 'spark.kubernetes[.{driver,executor}].node.selector.[labelKey]', match: /^spark\.kubernetes\.((driver|executor)\.)?node\.selector\../ },
  // running-on-kubernetes.md: credentials for submission, the driver and executors (file paths, tokens, accounts).
  { pattern: 'spark.kubernetes.authenticate.[submission|driver|driver.mounted|executor].[Field]', match: /^spark\.kubernetes\.authenticate\../ },
  // configuration.md, "Custom Resource Scheduling": resources (GPUs, FPGAs) per driver, executor, task, worker.
  { pattern: 'spark.{driver,executor,task,worker}.resource.{resourceName}.{amount,discoveryScript,vendor}', match: /^spark\.(driver|executor|task|worker)\.resource\.[^.]+\../ },
  // running-on-yarn.md: YARN resource types of the AM, driver and executors.
  { pattern: 'spark.yarn.{am,driver,executor}.resource.{resource-type}.amount', match: /^spark\.yarn\.(am|driver|executor)\.resource\.[^.]+\../ },
  // sql-data-sources / configuration.md: a catalog plugin and its options.
  { pattern: 'spark.sql.catalog.<catalog-name>[.<option>]', match: /^spark\.sql\.catalog\.[^.]/ },
  // monitoring.md: the metrics system, `spark.metrics.conf.[instance|*].sink.[sink_name].[parameter_name]`.
  { pattern: 'spark.metrics.conf.[instance|*].{sink,source}.[name].[parameter]', match: /^spark\.metrics\.conf\../ },
  // security.md, SSL configuration: the settings of each namespace (spark.ssl, spark.ssl.ui, spark.ssl.rpc, ...).
  { pattern: 'spark.ssl[.<namespace>].<setting>', match: /^spark\.ssl\../ },
  // security.md / configuration.md (spark.ui.filters): parameters of a UI filter class.
  { pattern: 'spark.<filter class>.param.<param name>', match: /^spark\.([A-Za-z_$][\w$]*\.)+param\.[^.]/ },
  // structured-streaming-programming-guide.md: the RocksDB state store's settings.
  { pattern: 'spark.sql.streaming.stateStore.rocksdb.<setting>', match: /^spark\.sql\.streaming\.stateStore\.rocksdb\../ },
];

/** What the catalogue says about one line (see scripts/spark-conf-catalogue.ts). */
interface LineData {
  readonly version: string;
  readonly unchecked: Readonly<Record<string, string>>;
  readonly renamed: Readonly<Record<string, string>>;
  readonly deprecated: Readonly<Record<string, string>>;
  readonly keys: readonly string[];
}

const LINES = catalogue.lines as unknown as Readonly<Record<string, LineData>>;
const keySets = new Map<string, ReadonlySet<string>>();

function lineData(line: SparkLineName): LineData {
  const data = LINES[line];
  if (!data) throw new SparkPlatformError('line', `${show(line)} has no conf key catalogue`, 'regenerate it with npm run conf-catalogue after adding the line to SPARK_LINES');
  return data;
}

function keySet(line: SparkLineName): ReadonlySet<string> {
  let set = keySets.get(line);
  if (!set) {
    set = new Set(lineData(line).keys);
    keySets.set(line, set);
  }
  return set;
}

/** The supported line of a Spark version ("4.0.3" -> "4.0"), or undefined. */
export function sparkLineName(version: string): SparkLineName | undefined {
  const m = /^(\d+)\.(\d+)\.\d+$/.exec(version);
  const name = m ? `${m[1]}.${m[2]}` : undefined;
  return name !== undefined && name in SPARK_LINES ? (name as SparkLineName) : undefined;
}

/** The Spark release a line's catalogue was generated from. */
export function sparkConfCatalogueVersion(line: SparkLineName): string {
  return lineData(line).version;
}

/** Whether `key` is one of the line's own keys (not counting open prefixes or allow-lists). */
export function isSparkConfKey(key: string, line: SparkLineName): boolean {
  return keySet(line).has(key);
}

/** The documented open family `key` belongs to, or undefined. */
export function openSparkConfPrefix(key: string): OpenSparkConfPrefix | undefined {
  return OPEN_SPARK_CONF_PREFIXES.find((p) => p.match.test(key));
}

/** Whether an allow-list (exact keys, or prefixes written `prefix.*`) admits `key`. */
export function sparkConfKeyAllowed(key: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => (a.endsWith('.*') ? key.startsWith(a.slice(0, -1)) : key === a));
}

/** Throws unless every entry of an allow-list is a key or a `prefix.*`. */
export function checkAllowedSparkConfKeys(allowed: readonly string[] | undefined, field: string, where?: string): readonly string[] {
  if (allowed === undefined) return [];
  if (!Array.isArray(allowed)) throw new SparkPlatformError(field, `${show(allowed)} is not a list`, 'give a list of keys, e.g. ["spark.plugin.key", "spark.plugin.*"]', where);
  allowed.forEach((a, i) => {
    if (typeof a !== 'string' || !/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*(\.\*)?$/.test(a)) {
      throw new SparkPlatformError(`${field}[${i}]`, `${show(a)} is not a conf key or a prefix ending with ".*"`, 'write an exact key ("spark.plugin.key") or a prefix ("spark.plugin.*")', where);
    }
  });
  return allowed;
}

/** Why a conf key is refused, with the fix. */
export interface SparkConfKeyProblem {
  /** What is wrong, for SparkPlatformError's problem. */
  readonly problem: string;
  /** How to fix it, for SparkPlatformError's fix. */
  readonly fix: string;
  /** The key the user probably meant, when there is one. */
  readonly suggestion?: string;
}

/** The hint every refusal ends with: plugins' keys are not Spark's. */
const PLUGIN_HINT = 'or list it in allowedSparkConfKeys if it belongs to a plugin';

/**
 * Why `key` is not a key of Spark `line`, or undefined when it is one (or is not a `spark.*` key,
 * or is admitted by an open prefix, the line's unchecked prefixes or `allowed`).
 */
export function unknownSparkConfKey(key: string, line: SparkLineName, allowed: readonly string[] = []): SparkConfKeyProblem | undefined {
  if (!key.startsWith('spark.')) return undefined;
  if (sparkConfKeyAllowed(key, allowed)) return undefined;
  const data = lineData(line);
  const current = data.renamed[key];
  if (current !== undefined && current !== key) {
    return {
      problem: `is an old name of ${show(current)}: Spark ${line} still reads it but logs a deprecation warning, and a later line may drop it`,
      fix: `write ${show(current)} instead; ${PLUGIN_HINT}`,
      suggestion: current,
    };
  }
  if (keySet(line).has(key) || openSparkConfPrefix(key)) return undefined;
  if (Object.keys(data.unchecked).some((p) => key.startsWith(p))) return undefined;
  const elsewhere = (Object.keys(SPARK_LINES) as SparkLineName[]).filter((l) => l !== line && LINES[l] && keySet(l).has(key));
  const problem = `is not a Spark ${line} configuration key`;
  if (data.deprecated[key] !== undefined) {
    return { problem: `${problem} (deprecated since Spark ${data.deprecated[key]})`, fix: `remove it; ${PLUGIN_HINT}` };
  }
  if (elsewhere.length > 0) {
    const other = elsewhere.map((l) => `${l} (${LINES[l].version})`).join(', ');
    return { problem: `${problem}: it is a key of Spark ${other}`, fix: `remove the key, or use an image of that line; ${PLUGIN_HINT}` };
  }
  // Only keys of about the same length can be close enough (closest's own bound), which spares
  // computing an edit distance to each of the line's ~1,500 keys.
  const slack = Math.max(2, Math.floor(key.length / 3));
  const suggestion = closest(key, data.keys.filter((k) => Math.abs(k.length - key.length) <= slack));
  const fix = suggestion
    ? `did you mean ${show(suggestion)}? (keys are case-sensitive; checked against Spark ${data.version}'s keys); ${PLUGIN_HINT}`
    : `check the spelling against Spark ${data.version}'s configuration docs; ${PLUGIN_HINT}`;
  return { problem, fix, suggestion };
}

/** Throws a SparkPlatformError naming `field` when `key` is not a key of Spark `line` (see unknownSparkConfKey). */
export function assertSparkConfKey(key: string, line: SparkLineName, allowed: readonly string[], field: string, where?: string): void {
  const p = unknownSparkConfKey(key, line, allowed);
  if (p) throw new SparkPlatformError(field, p.problem, p.fix, where);
}
