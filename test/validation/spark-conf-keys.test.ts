/**
 * The catalogue of Spark's configuration keys (constructs/validation/data/spark-conf-keys.json)
 * and the check that refuses a `spark.*` key the job's or notebook's Spark line does not have.
 */
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';
import {
  OPEN_SPARK_CONF_PREFIXES, SPARK_LINES, SparkImage, SparkJob, SparkJobProps, SparkJobType, SparkLineName, SparkNamespace, SparkNotebook,
  SparkNotebookImage, SparkPlatformError, isSparkConfKey, sparkConfCatalogueVersion, sparkLineName, unknownSparkConfKey,
} from '../../constructs';
import { CATALOGUE_FILE, cachedJars, extractLine, generatorHash } from '../../scripts/spark-conf-catalogue';
import { testChart } from '../helpers/manifests';

const ROOT = path.resolve(__dirname, '../..');
const LINES = Object.keys(SPARK_LINES) as SparkLineName[];
const data = JSON.parse(readFileSync(path.join(ROOT, CATALOGUE_FILE), 'utf8'));

/** The error `fn` throws, which must be a SparkPlatformError. */
function errorOf(fn: () => unknown): SparkPlatformError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SparkPlatformError);
    return e as SparkPlatformError;
  }
  throw new Error('expected a SparkPlatformError, nothing was thrown');
}

describe('the catalogue', () => {
  it.each(LINES)('covers Spark %s at the version SPARK_LINES pins, sorted and without duplicates', (line) => {
    const l = data.lines[line];
    expect(l.version).toBe(SPARK_LINES[line].version);
    expect(l.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(l.keys.length).toBeGreaterThan(1000);
    expect([...l.keys].sort()).toEqual(l.keys);
    expect(new Set(l.keys).size).toBe(l.keys.length);
    expect(sparkConfCatalogueVersion(line)).toBe(SPARK_LINES[line].version);
  });

  it.each([
    // Keys Spark reads by name rather than through a declared entry: the bytecode scan finds them.
    ['spark.master'], ['spark.app.name'], ['spark.local.dir'], ['spark.ui.proxyBase'],
    // Declared entries of core, Kubernetes, SQL, and the network layer's per-module keys.
    ['spark.executor.memoryOverhead'], ['spark.kubernetes.file.upload.path'], ['spark.sql.adaptive.enabled'],
    ['spark.sql.catalog.spark_catalog'], ['spark.eventLog.dir'], ['spark.shuffle.io.maxRetries'], ['spark.rpc.io.serverThreads'],
  ])('has %s in every line', (key) => {
    for (const line of LINES) expect([line, isSparkConfKey(key, line)]).toEqual([line, true]);
  });

  it('keeps the file small', () => {
    expect(readFileSync(path.join(ROOT, CATALOGUE_FILE)).length).toBeLessThan(400_000);
  });

  it('is the output of the current generator (edit the script, re-run npm run conf-catalogue)', () => {
    expect(data.generator.sha256).toBe(generatorHash());
  });

  // Re-extracting needs the release's jars in the cache (npm run conf-catalogue puts them there) and Java.
  const line: SparkLineName = '3.5';
  const jars = cachedJars(SPARK_LINES[line].version);
  let java = false;
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    java = true;
  } catch {
    java = false;
  }
  if (jars && java) {
    it(`re-extracts Spark ${line} from its jars to exactly the recorded keys`, () => {
      expect(JSON.parse(JSON.stringify(extractLine(line, jars)))).toEqual(data.lines[line]);
    }, 180_000);
  } else {
    console.warn(`skipped: no Spark ${SPARK_LINES[line].version} jars in the conf-catalogue cache${java ? '' : ' (or no java)'}; "re-extracts Spark ${line}" runs after npm run conf-catalogue`);
    it.skip(`re-extracts Spark ${line} from its jars to exactly the recorded keys`, () => undefined);
  }
});

describe('unknownSparkConfKey', () => {
  it.each<[string, SparkLineName, string]>([
    ['spark.exeutor.memoryOverhead', '3.5', 'spark.executor.memoryOverhead'],
    ['spark.exeutor.memoryOverhead', '4.0', 'spark.executor.memoryOverhead'],
    ['spark.exeutor.memoryOverhead', '4.1', 'spark.executor.memoryOverhead'],
    ['spark.sql.adaptive.enable', '4.0', 'spark.sql.adaptive.enabled'],
    ['spark.kubernetes.file.uploadPath', '3.5', 'spark.kubernetes.file.upload.path'],
    ['spark.eventlog.enabled', '4.1', 'spark.eventLog.enabled'],
    ['spark.sql.shuffle.partition', '4.1', 'spark.sql.shuffle.partitions'],
  ])('refuses %s on Spark %s, suggesting %s', (key, line, suggestion) => {
    const p = unknownSparkConfKey(key, line);
    expect(p?.problem).toBe(`is not a Spark ${line} configuration key`);
    expect(p?.suggestion).toBe(suggestion);
    expect(p?.fix).toContain(`did you mean "${suggestion}"?`);
    expect(p?.fix).toContain('allowedSparkConfKeys');
  });

  it('refuses a key nothing resembles without a suggestion', () => {
    const p = unknownSparkConfKey('spark.zzzzqqqq', '4.0');
    expect(p?.suggestion).toBeUndefined();
    expect(p?.fix).toMatch(/^check the spelling against Spark 4\.0\.3's configuration docs; or list it in allowedSparkConfKeys/);
  });

  it.each<[string, SparkLineName, string]>([
    // Added in 4.1: the executors' termination grace period.
    ['spark.kubernetes.executor.terminationGracePeriodSeconds', '4.0', '4.1 (4.1.2)'],
    ['spark.kubernetes.executor.terminationGracePeriodSeconds', '3.5', '4.1 (4.1.2)'],
    // Added in 4.0: structured logging.
    ['spark.log.structuredLogging.enabled', '3.5', '4.0 (4.0.3), 4.1 (4.1.2)'],
    // Gone in 4.1 (it had been a no-op since 3.1).
    ['spark.kubernetes.pyspark.pythonVersion', '4.1', '3.5 (3.5.8), 4.0 (4.0.3)'],
  ])('refuses %s on Spark %s, naming the lines that have it', (key, line, lines) => {
    expect(unknownSparkConfKey(key, line)?.problem).toBe(`is not a Spark ${line} configuration key: it is a key of Spark ${lines}`);
  });

  it.each(LINES)('passes every key of Spark %s itself', (line) => {
    const problems = (data.lines[line].keys as string[]).filter((k) => unknownSparkConfKey(k, line) && !(k in data.lines[line].renamed));
    expect(problems).toEqual([]);
  });

  const OPEN_EXAMPLES = [
    'spark.hadoop.fs.s3a.endpoint', 'spark.hive.metastore.uris', 'spark.executorEnv.PYSPARK_PYTHON', 'spark.kubernetes.driverEnv.TZ',
    'spark.yarn.appMasterEnv.JAVA_HOME', 'spark.kubernetes.driver.label.team', 'spark.kubernetes.executor.annotation.example.com/owner',
    'spark.kubernetes.driver.service.annotation.a', 'spark.kubernetes.executor.secrets.s3-creds', 'spark.kubernetes.driver.secretKeyRef.AWS_KEY',
    'spark.kubernetes.executor.volumes.persistentVolumeClaim.data.mount.path', 'spark.kubernetes.node.selector.pool',
    'spark.kubernetes.executor.node.selector.gpu', 'spark.kubernetes.authenticate.driver.serviceAccountName',
    'spark.executor.resource.gpu.amount', 'spark.task.resource.gpu.amount', 'spark.yarn.executor.resource.fpga.amount',
    'spark.sql.catalog.lake', 'spark.sql.catalog.lake.warehouse',
    'spark.metrics.conf.*.sink.prometheusServlet.path', 'spark.ssl.ui.enabled', 'spark.com.example.AuthFilter.param.realm',
    'spark.sql.streaming.stateStore.rocksdb.compactOnCommit',
  ];

  it.each(OPEN_EXAMPLES)('passes %s, under a documented open prefix, on every line', (key) => {
    for (const line of LINES) expect([line, unknownSparkConfKey(key, line)]).toEqual([line, undefined]);
  });

  it.each(OPEN_SPARK_CONF_PREFIXES.map((p) => [p.pattern, p.match] as const))('has an example above for the open prefix %s', (_pattern, match) => {
    expect(OPEN_EXAMPLES.filter((k) => match.test(k)).length).toBeGreaterThan(0);
  });

  it.each([
    // The bare prefix is no key, and a look-alike of a prefix is not under it.
    'spark.hadoop.', 'spark.hadop.fs.s3a.endpoint', 'spark.kubernetes.driver.labels.team', 'spark.executor.resource.gpu',
  ])('does not take %s for an open-prefix key', (key) => {
    expect(unknownSparkConfKey(key, '4.0')).toBeDefined();
  });

  it.each<[string, readonly string[]]>([
    ['spark.databricks.delta.optimizeWrite.enabled', ['spark.databricks.delta.optimizeWrite.enabled']],
    ['spark.databricks.delta.optimizeWrite.enabled', ['spark.databricks.delta.*']],
    ['spark.sql.iceberg.vectorization.enabled', ['spark.sql.iceberg.*']],
  ])('passes %s when the allow-list has %j', (key, allowed) => {
    expect(unknownSparkConfKey(key, '4.0')).toBeDefined();
    expect(unknownSparkConfKey(key, '4.0', allowed)).toBeUndefined();
  });

  it.each<[string, readonly string[]]>([
    ['spark.databricks.delta.optimizeWrite.enabled', ['spark.databricks.delta']],
    ['spark.databricks.deltaX.y', ['spark.databricks.delta.*']],
  ])('still refuses %s with the allow-list %j (exact keys, or prefixes ending with .*)', (key, allowed) => {
    expect(unknownSparkConfKey(key, '4.0', allowed)).toBeDefined();
  });

  it('does not check keys outside spark.*', () => {
    expect(unknownSparkConfKey('fs.s3a.endpoint', '4.0')).toBeUndefined();
    expect(unknownSparkConfKey('sprak.executor.memory', '4.0')).toBeUndefined();
  });

  it('names the current key of a renamed one', () => {
    const p = unknownSparkConfKey('spark.yarn.executor.memoryOverhead', '4.0');
    expect(p?.problem).toMatch(/^is an old name of "spark\.executor\.memoryOverhead": Spark 4\.0 still reads it/);
    expect(p?.fix).toMatch(/^write "spark\.executor\.memoryOverhead" instead/);
  });

  it('leaves Spark Connect keys unchecked on 3.5, whose server is a separate artifact, and checks them on 4.x', () => {
    expect(unknownSparkConfKey('spark.connect.grpc.binding.port', '3.5')).toBeUndefined();
    expect(unknownSparkConfKey('spark.connect.grpc.binding.port', '4.0')).toBeUndefined();
    expect(unknownSparkConfKey('spark.connect.grpc.bindingPort', '4.0')?.suggestion).toBe('spark.connect.grpc.binding.port');
    expect(data.lines['3.5'].unchecked['spark.connect.']).toMatch(/separate artifact/);
  });

  it.each([['3.5.8', '3.5'], ['4.0.4', '4.0'], ['4.1.2', '4.1'], ['3.4.1', undefined], ['4.0', undefined]])('maps Spark %s to line %s', (version, line) => {
    expect(sparkLineName(version)).toBe(line);
  });
});

describe('SparkJob refuses unknown sparkConf keys', () => {
  const PI: Omit<SparkJobProps, 'namespace'> = {
    name: 'pi', type: SparkJobType.SCALA, mainClass: 'org.apache.spark.examples.SparkPi', mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
  };
  const job = (props: Partial<SparkJobProps>) => {
    const chart = testChart();
    const namespace = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    return new SparkJob(chart, 'Job', { namespace, ...PI, ...props });
  };

  it('names the field, the line of the image and the key meant', () => {
    const e = errorOf(() => job({ image: SparkImage.official('4.1'), sparkConf: { 'spark.sql.shuffle.partition': '64' } }));
    expect(e.field).toBe('sparkConf["spark.sql.shuffle.partition"]');
    expect(e.message).toMatch(/^SparkJob "pi" sparkConf\["spark\.sql\.shuffle\.partition"\]: is not a Spark 4\.1 configuration key\. Fix: did you mean "spark\.sql\.shuffle\.partitions"\?/);
  });

  it('points at the typed prop when the key meant is one SparkJob sets', () => {
    const e = errorOf(() => job({ sparkConf: { 'spark.exeutor.memoryOverhead': '1g' } }));
    expect(e.fix).toMatch(/did you mean "spark\.executor\.memoryOverhead"\?.*typed prop \{driver,executor\}\.memoryOverhead/);
  });

  it('checks against the image\'s line: a 4.1 key fails on the default 4.0 image and passes on a 4.1 one', () => {
    const conf = { 'spark.kubernetes.executor.terminationGracePeriodSeconds': '30' };
    expect(errorOf(() => job({ sparkConf: conf })).problem).toMatch(/^is not a Spark 4\.0 configuration key: it is a key of Spark 4\.1/);
    expect(() => job({ image: SparkImage.official('4.1'), sparkConf: conf })).not.toThrow();
  });

  it('accepts plugin keys listed in allowedSparkConfKeys, exact or by prefix', () => {
    const sparkConf = { 'spark.databricks.delta.optimizeWrite.enabled': 'true', 'spark.sql.iceberg.vectorization.enabled': 'false' };
    expect(errorOf(() => job({ sparkConf })).field).toBe('sparkConf["spark.databricks.delta.optimizeWrite.enabled"]');
    expect(() => job({ sparkConf, allowedSparkConfKeys: ['spark.databricks.delta.*', 'spark.sql.iceberg.vectorization.enabled'] })).not.toThrow();
  });

  it('refuses a malformed allow-list entry, naming it', () => {
    const e = errorOf(() => job({ allowedSparkConfKeys: ['spark.delta*'] }));
    expect(e.field).toBe('allowedSparkConfKeys[0]');
  });

  it('does not check the keys of a Spark release outside the supported lines', () => {
    const image = SparkImage.custom({ image: 'registry.example.com/spark:3.4.4', sparkVersion: '3.4.4', scalaVersion: '2.12' });
    expect(() => job({ image, sparkConf: { 'spark.made.up': 'x' } })).not.toThrow();
  });

  it('checks conf added after construction (addSparkConf) the same way, with the same allow-list', () => {
    const e = errorOf(() => job({}).addSparkConf({ 'spark.sql.adaptive.enable': 'true' }, 'wiring'));
    expect(e.field).toBe('wiring["spark.sql.adaptive.enable"]');
    expect(e.fix).toMatch(/did you mean "spark\.sql\.adaptive\.enabled"\?/);
    expect(() => job({}).addSparkConf({ 'spark.sql.adaptive.enabled': 'true', 'spark.hadoop.fs.s3a.fast.upload': 'true' }, 'wiring')).not.toThrow();
    expect(() => job({ allowedSparkConfKeys: ['spark.databricks.delta.*'] }).addSparkConf({ 'spark.databricks.delta.optimizeWrite.enabled': 'true' }, 'wiring')).not.toThrow();
  });
});

describe('SparkNotebook refuses unknown keys in added Spark conf', () => {
  const notebook = (allowedSparkConfKeys?: readonly string[]) => {
    const chart = testChart();
    const namespace = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    return new SparkNotebook(chart, 'Lab', {
      name: 'lab', namespace, image: SparkNotebookImage.unified({ image: 'registry.example.com/spark-notebook:4.0.3-jupyterlab4.6.6' }), allowedSparkConfKeys,
    });
  };

  it('names the field and the key meant', () => {
    const e = errorOf(() => notebook().addSparkConf({ 'spark.sql.adaptive.enable': 'true' }, 'sparkConf'));
    expect(e.message).toMatch(/^client-mode driver "lab" sparkConf\["spark\.sql\.adaptive\.enable"\]: is not a Spark 4\.0 configuration key\. Fix: did you mean "spark\.sql\.adaptive\.enabled"\?/);
  });

  it('accepts real keys, open-prefix keys and allowed plugin keys', () => {
    const lab = notebook(['spark.databricks.delta.*']);
    lab.addSparkConf({ 'spark.sql.adaptive.enabled': 'true', 'spark.hadoop.fs.s3a.path.style.access': 'true', 'spark.databricks.delta.schema.autoMerge.enabled': 'true' }, 'sparkConf');
    expect(lab.sparkConf()['spark.databricks.delta.schema.autoMerge.enabled']).toBe('true');
  });

  it('refuses a malformed allow-list entry, naming the prop', () => {
    expect(errorOf(() => notebook(['spark.delta.**'])).field).toBe('allowedSparkConfKeys[0]');
  });
});
