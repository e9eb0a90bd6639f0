import { SparkPlatformError, show } from '../errors';

/** Prefix of every property the operator reads from `spark-operator.properties`. */
export const OPERATOR_PROPERTY_PREFIX = 'spark.kubernetes.operator.';

/**
 * Properties the construct derives from typed props (or holds fixed), each with the prop that
 * sets it: `properties` may not set them, so the file, the Deployment and the RBAC cannot disagree.
 */
export const MANAGED_PROPERTIES: Readonly<Record<string, string>> = {
  'spark.kubernetes.operator.namespace': 'namespace',
  'spark.kubernetes.operator.name': 'name',
  'spark.kubernetes.operator.watchedNamespaces': 'jobNamespaces or watchAllNamespaces',
  'spark.kubernetes.operator.metrics.port': 'metricsPort',
  'spark.kubernetes.operator.health.probePort': 'probePort',
  'spark.kubernetes.operator.leaderElection.enabled': 'replicas (above 1 elects a leader)',
  'spark.kubernetes.operator.dynamicConfig.enabled': 'nothing: hot reloading is off (it needs ConfigMap rights in the operator namespace); change the properties and let the Deployment roll',
  'spark.kubernetes.operator.dynamicConfig.source': 'nothing: hot reloading is off',
};

/** What the operator's bootstrap properties are built from. */
export interface OperatorPropertiesInput {
  readonly namespace: string;
  readonly name: string;
  /** Watched namespaces; empty = every namespace (`*`). */
  readonly watchedNamespaces: readonly string[];
  readonly metricsPort: number;
  readonly probePort: number;
  readonly replicas: number;
  /** Further properties, checked with checkExtraProperties. */
  readonly extra: Readonly<Record<string, string>>;
}

/** The `spark-operator.properties` file: the derived properties first, then `extra` sorted by key. */
export function operatorProperties(i: OperatorPropertiesInput): string {
  const entries: Array<[string, string]> = [
    ['spark.kubernetes.operator.namespace', i.namespace],
    ['spark.kubernetes.operator.name', i.name],
    ['spark.kubernetes.operator.dynamicConfig.enabled', 'false'],
    ['spark.kubernetes.operator.dynamicConfig.source', 'configMap'],
    ['spark.kubernetes.operator.metrics.port', String(i.metricsPort)],
    ['spark.kubernetes.operator.health.probePort', String(i.probePort)],
    ['spark.kubernetes.operator.watchedNamespaces', i.watchedNamespaces.length > 0 ? i.watchedNamespaces.join(',') : '*'],
    ...(i.replicas > 1 ? [['spark.kubernetes.operator.leaderElection.enabled', 'true'] as [string, string]] : []),
    ...Object.entries(i.extra).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ];
  return entries.map(([k, v]) => `${k}=${v}\n`).join('');
}

/** The `log4j2.properties` file: everything to stderr, one line per event with the resource it concerns. */
export function log4j2Properties(rootLevel: string): string {
  return [
    `rootLogger.level=${rootLevel}`,
    'rootLogger.appenderRef.stdout.ref=console',
    'appender.console.type=Console',
    'appender.console.name=console',
    'appender.console.target=SYSTEM_ERR',
    'appender.console.layout.type=PatternLayout',
    'appender.console.layout.pattern=%d{yy/MM/dd HH:mm:ss} %p %X{resource.name} %X{resource.namespace} %C{1.} %m%n%ex',
  ].map((l) => `${l}\n`).join('');
}

/** Throws naming `properties["key"]` when a key is not an operator property, is managed, or a value would break the file. */
export function checkExtraProperties(properties: Readonly<Record<string, string>>, where: string): void {
  for (const [key, value] of Object.entries(properties)) {
    const field = `properties[${show(key)}]`;
    if (!key.startsWith(OPERATOR_PROPERTY_PREFIX) || !/^[A-Za-z0-9._-]+$/.test(key)) {
      throw new SparkPlatformError(field, `${show(key)} is not an operator property`, `use a key under ${show(OPERATOR_PROPERTY_PREFIX)} (letters, digits, '.', '_' and '-'), e.g. "spark.kubernetes.operator.reconciler.intervalSeconds"`, where);
    }
    const owner = MANAGED_PROPERTIES[key];
    if (owner !== undefined) {
      throw new SparkPlatformError(field, 'is set by the construct', `remove it; set ${owner}`, where);
    }
    if (/[\r\n]/.test(value) || value !== value.trim()) {
      throw new SparkPlatformError(field, `${show(value)} has line breaks or surrounding spaces, which a properties file would cut or strip`, 'write the value on one line, without leading or trailing spaces', where);
    }
  }
}

/** Parses a Java properties file (the `key=value` subset the operator's files use); for tests and checks. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.search(/[=:]/);
    if (at < 0) out[line] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}
