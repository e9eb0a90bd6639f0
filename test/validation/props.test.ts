import * as fs from 'fs';
import { App, Chart } from 'cdk8s';
import { Memory, Cpu, MinIO, SecretSource, SparkHistoryServer, SparkImage, SparkJob, SparkNamespace, SparkNotebook, SparkNotebookImage, SparkOperator } from '../../constructs';
import { checkProps, fieldPath } from '../../constructs/validation/props';
import { OUTPUTS, generateSchemas } from '../../scripts/props-schema';
import { parsePlatformConfig } from '../../stacks/config';

/**
 * Construct props and environments are checked at run time against JSON Schemas generated from
 * the TypeScript types (scripts/props-schema.ts): what the compiler refuses in a typed program is
 * refused the same way in a transpile-only environment file, YAML, or plain JavaScript.
 */

describe('the generated schemas', () => {
  test('equal what the current types give (npm run schema rewrites them)', () => {
    const generated = generateSchemas();
    expect(fs.readFileSync(OUTPUTS.props, 'utf8')).toBe(generated.props);
    expect(fs.readFileSync(OUTPUTS.platform, 'utf8')).toBe(generated.platform);
  }, 60_000);

  test('classes are instances with their factories, construct interfaces are instances with their members', () => {
    const defs = (JSON.parse(fs.readFileSync(OUTPUTS.props, 'utf8')) as { definitions: Record<string, any> }).definitions;
    const job = defs.SparkJobProps.properties;
    expect(job.image).toMatchObject({ instanceOf: 'SparkImage', factories: ['SparkImage.official', 'SparkImage.custom'] });
    expect(job.restartPolicy).toMatchObject({ instanceOf: 'RestartPolicy' });
    expect(job.namespace).toMatchObject({ implements: 'ISparkJobNamespace', members: expect.arrayContaining(['name', 'driverServiceAccountName']) });
    expect(defs.SparkExecutorOptions.properties.memory).toMatchObject({ instanceOf: 'Memory', factories: expect.arrayContaining(['Memory.gibibytes', 'Memory.parse']) });
    // nothing was expanded into a class's private fields
    expect(JSON.stringify(defs)).not.toMatch(/"bytes":|"millis":/);
  });
});

const chart = () => new Chart(new App(), 'test');
function tenant(c: Chart): SparkNamespace {
  return new SparkNamespace(c, 'ns', { name: 'spark-jobs' });
}
const pi = { name: 'spark-pi', type: 'Scala', mainClass: 'org.apache.spark.examples.SparkPi', mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar' } as const;

describe('SparkJob props', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['a misspelled field, with did-you-mean', { excutor: { instances: 2 } },
      'SparkJob "spark-pi" excutor: is not a known field. Fix: did you mean "executor"? Known fields: namespace, operator, name,'],
    ['a misspelled nested field', { executor: { memmory: Memory.gibibytes(2) } }, 'SparkJob "spark-pi" executor.memmory: is not a known field. Fix: did you mean "memory"?'],
    ['a string where a list belongs', { arguments: '1000' }, 'SparkJob "spark-pi" arguments: "1000" is not a list. Fix: write a list, e.g. ["1000"]'],
    ['an enum value in the wrong case', { mode: 'Submit' }, 'SparkJob "spark-pi" mode: "Submit" is not one of "operator", "submit", "apache-operator". Fix: did you mean "submit"?'],
    ['an unknown pull policy', { imagePullPolicy: 'Sometimes' }, 'SparkJob "spark-pi" imagePullPolicy: "Sometimes" is not one of "Always", "IfNotPresent", "Never". Fix: use one of'],
    ['a string where a Memory belongs', { executor: { memory: '2Gi' } },
      'SparkJob "spark-pi" executor.memory: "2Gi" is not a Memory. Fix: build it with Memory.parse("2Gi") (or Memory.mebibytes(...), Memory.gibibytes(...)'],
    ['a number where a Cpu belongs', { driver: { coreLimit: 2 } }, 'SparkJob "spark-pi" driver.coreLimit: 2 is not a Cpu. Fix: build it with Cpu.cores(...) or Cpu.millis(...) or Cpu.parse(...)'],
    ['an image reference where a SparkImage belongs', { image: 'apache/spark:4.0.3' },
      'SparkJob "spark-pi" image: "apache/spark:4.0.3" is not a SparkImage. Fix: build it with SparkImage.official(...) or SparkImage.custom(...)'],
    ['a plain object where a RestartPolicy belongs', { restartPolicy: { type: 'Never' } }, 'SparkJob "spark-pi" restartPolicy: the object {"type":"Never"} is not a RestartPolicy. Fix: build it with RestartPolicy.never(...)'],
    ['a number where a conf value belongs', { sparkConf: { 'spark.executor.cores': 4 } }, 'SparkJob "spark-pi" sparkConf["spark.executor.cores"]: 4 is not a string. Fix: quote it: "4"'],
    ['a string where a number belongs', { timeToLiveSeconds: '3600' }, 'SparkJob "spark-pi" timeToLiveSeconds: "3600" is not a number. Fix: write the number without quotes: 3600'],
    ['a string where a boolean belongs', { readOnlyRootFilesystem: 'false' }, 'SparkJob "spark-pi" readOnlyRootFilesystem: "false" is not true or false. Fix: write false without quotes'],
    ['a missing required field', { mainApplicationFile: undefined }, 'SparkJob "spark-pi" mainApplicationFile: is required'],
  ])('%s', (_name, change, message) => {
    const c = chart();
    expect(() => new SparkJob(c, 'job', { ...pi, namespace: tenant(c), ...change } as never)).toThrow(message);
  });

  test('a namespace given by name is refused with what to pass', () => {
    const c = chart();
    expect(() => new SparkJob(c, 'job', { ...pi, namespace: 'spark-jobs' } as never))
      .toThrow('SparkJob "spark-pi" namespace: "spark-jobs" is not an ISparkJobNamespace. Fix: pass the construct itself (anything with driverServiceAccountName, executorServiceAccountName, name, podSecurity)');
  });

  test('the valid props of the shipped environments pass', () => {
    const c = chart();
    expect(() => new SparkJob(c, 'job', { ...pi, namespace: tenant(c), executor: { memory: Memory.gibibytes(2), instances: 2 }, driver: { coreLimit: Cpu.millis(1200) } } as never)).not.toThrow();
  });
});

describe('the other constructs check their props the same way', () => {
  test.each<[string, (c: Chart) => unknown, string]>([
    ['SparkNamespace', (c) => new SparkNamespace(c, 'ns', { name: 'a', qouta: {} } as never), 'SparkNamespace "a" qouta: is not a known field. Fix: did you mean "quota"?'],
    ['SparkNamespace quota', (c) => new SparkNamespace(c, 'ns', { name: 'a', quota: { cpu: '8' } } as never), 'SparkNamespace "a" quota.cpu: "8" is not a Cpu. Fix: build it with Cpu.parse("8")'],
    ['SparkOperator', (c) => new SparkOperator(c, 'op', { jobNamespaces: [tenant(c)], wrokers: 2 } as never), 'SparkOperator wrokers: is not a known field. Fix: did you mean "workers"?'],
    ['MinIO', (c) => new MinIO(c, 'm', { rootCredentials: SecretSource.existing('minio-root'), mode: 'single' } as never), 'MinIO mode: "single" is not one of'],
    ['SparkHistoryServer', (c) => new SparkHistoryServer(c, 'h', { logDirectory: 's3a://x/y' } as never), 'SparkHistoryServer connection: is required (The object store and credentials; the server reads the event logs through it). Fix: set connection'],
    ['SparkNotebook', (c) => new SparkNotebook(c, 'nb', { name: 'lab', namespace: tenant(c), image: SparkNotebookImage.unified({ image: 'registry.example.com/nb:1.0.0' }), exectors: {} } as never),
      'SparkNotebook "lab" exectors: is not a known field. Fix: did you mean "executors"?'],
    ['SparkImage.custom', () => SparkImage.custom({ image: 'registry.example.com/spark:4.0.3', sparkVersion: '4.0.3', pyhtonVersion: '3.10' } as never),
      'SparkImage "registry.example.com/spark:4.0.3" pyhtonVersion: is not a known field. Fix: did you mean "pythonVersion"?'],
  ])('%s', (_name, build, message) => {
    expect(() => build(chart())).toThrow(message);
  });
});

describe('environments: the whole path named from the environment root', () => {
  const base = { name: 'test', tenants: [{ name: 'spark-jobs' }] };
  const job = { ...pi, tenant: 'spark-jobs' };
  test.each<[string, unknown, string]>([
    ['a job field misspelled', { ...base, jobs: [job, { ...job, name: 'b', executor: { memmory: Memory.gibibytes(1) } }] },
      'env.ts: jobs[1].executor.memmory: is not a known field. Fix: did you mean "memory"?'],
    ['a job conf value not a string', { ...base, jobs: [{ ...job, sparkConf: { 'spark.eventLog.enabled': true } }] },
      'env.ts: jobs[0].sparkConf["spark.eventLog.enabled"]: true is not a string. Fix: quote it: "true"'],
    ['a notebook field misspelled', { ...base, notebooks: [{ name: 'lab', tenant: 'spark-jobs', imgae: 'x' }] }, 'env.ts: notebooks[0].imgae: is not a known field. Fix: did you mean "image"?'],
    ['a tenant name that is not a DNS label', { ...base, tenants: [{ name: 'Spark_Jobs' }] }, 'env.ts: tenants[0].name: "Spark_Jobs" is not a valid DNS-1123 label'],
    ['a port out of range', { ...base, network: { apiServerPorts: [70000] } }, 'env.ts: network.apiServerPorts[0]: 70000 is more than 65535. Fix: use 65535 or less'],
    ['a count that is fractional', { ...base, operator: { workers: 1.5 } }, 'env.ts: operator.workers: 1.5 is not a whole number. Fix: write a whole number'],
    ['an empty CIDR list', { ...base, network: { apiServerCidrs: [] } }, 'env.ts: network.apiServerCidrs: the list [] has fewer than 1 item(s). Fix: list at least 1'],
  ])('%s', (_name, input, message) => {
    expect(() => parsePlatformConfig(input, 'env.ts')).toThrow(message);
  });
});

describe('fieldPath', () => {
  test.each([
    ['', '/jobs/1/executor/memmory', undefined, 'jobs[1].executor.memmory'],
    ['jobs[2]', '/sparkConf/spark.executor.cores', undefined, 'jobs[2].sparkConf["spark.executor.cores"]'],
    ['', '/labels', 'app.kubernetes.io/name', 'labels["app.kubernetes.io/name"]'],
    ['', '', undefined, ''],
  ])('%s + %s', (prefix, instancePath, child, expected) => {
    expect(fieldPath(prefix, instancePath, child)).toBe(expected);
  });
});

test('checkProps is the same check a library user gets', () => {
  expect(() => checkProps('SparkJobProps', { ...pi, namespace: { name: 'x' } }, 'my app')).toThrow('my app namespace: the object {"name":"x"} is not an ISparkJobNamespace');
});
