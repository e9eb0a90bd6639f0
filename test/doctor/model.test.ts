/**
 * What the rules read: Spark applications normalized from their manifests (sized the way the
 * constructs size them, in both modes), spark-submit command lines, image references, the
 * credential scan, the report table.
 */
import { App, Chart } from 'cdk8s';
import { DoctorView, credentialFindings, formatReportTable, inferOfficialFacts, parseImageRef, resolveDoctorOptions } from '../../constructs/doctor';
import { wrap } from '../../constructs/doctor/format';
import { parseSparkSubmit } from '../../constructs/doctor/spark-apps';
import { RestartPolicy, SparkJob, SparkJobMode, SparkJobType, podCpu, podMemory } from '../../constructs/jobs';
import { SparkEnvValue } from '../../constructs/spark-env';
import { SparkNamespace } from '../../constructs/tenancy';
import { Cpu, Memory } from '../../constructs/units';
import { NetworkPolicyEvaluator as HelperNetpol } from '../helpers/netpol';
import { RbacEvaluator as HelperRbac } from '../helpers/rbac';
import { NetworkPolicyEvaluator, RbacEvaluator } from '../../constructs/doctor';
import { SPARK_35, SPARK_40 } from './fixtures';

function view(build: (chart: Chart) => void): DoctorView {
  const app = new App();
  build(new Chart(app, 'c'));
  return new DoctorView(app.node.findAll(), resolveDoctorOptions({}));
}

describe.each([SparkJobMode.OPERATOR, SparkJobMode.SUBMIT])('a SparkJob in %s mode, read back from its manifests', (mode) => {
  let job!: SparkJob;
  const v = view((c) => {
    const ns = new SparkNamespace(c, 'T', { name: 'team', quota: { cpu: Cpu.cores(16), memory: Memory.gibibytes(64) } });
    job = new SparkJob(c, 'J', {
      namespace: ns, mode, name: 'etl', type: SparkJobType.PYTHON, mainApplicationFile: 'local:///app/etl.py',
      arguments: ['s3a://in/x'], restartPolicy: RestartPolicy.never(),
      driver: { cores: 2, memory: Memory.gibibytes(3) },
      executor: { instances: 3, cores: 2, memory: Memory.gibibytes(6), env: { TOKEN: SparkEnvValue.fromSecret('api', 'token') } },
      sparkConf: { 'spark.executor.pyspark.memory': '1g' },
    });
  });
  const app = v.apps[0];

  test('one application, in the job\'s namespace, Python', () => {
    expect(v.apps).toHaveLength(1);
    expect(app).toMatchObject({ mode, namespace: 'team', python: true, instances: 3, ttlSeconds: 86_400 });
  });

  test('pods sized exactly as the construct sizes them (heap + 0.4 overhead + PySpark memory)', () => {
    const pyspark = Memory.gibibytes(1);
    expect(app.driver!.memory.toKubernetes()).toBe(podMemory(job.spec.driver, job.spec.type, pyspark).toKubernetes());
    expect(app.executor.memory.toKubernetes()).toBe(podMemory(job.spec.executor, job.spec.type, pyspark).toKubernetes());
    expect(app.executor.memory.toKubernetes()).toBe('9625Mi'); // 6144m + floor(0.4 × 6144m) + 1024m
    expect(app.executor.cpu.toString()).toBe(podCpu(job.spec.executor).toString());
  });

  test('accounts, images, labels, the pod templates and the env they carry', () => {
    expect(app.driver!.serviceAccount).toBe('spark-driver');
    expect(app.executor.serviceAccount).toBe('spark-executor');
    expect(app.executor.image).toBe(SPARK_40);
    expect(app.executor.labels).toMatchObject({ 'spark-role': 'executor', 'spark-platform.io/job': 'etl' });
    expect(app.executor.template).toMatchObject({ enableServiceLinks: false });
    expect([...app.executor.env]).toEqual(['TOKEN']);
    expect(app.uris.map((u) => u.value)).toContain('s3a://in/x');
  });

  if (mode === SparkJobMode.SUBMIT) {
    test('the submitter pod and its account', () => {
      expect(app.submitter).toMatchObject({ serviceAccount: 'etl-submitter', namespace: 'team' });
    });
  }
});

describe('parseSparkSubmit', () => {
  test('options, --conf, the application and its arguments', () => {
    const cmd = parseSparkSubmit({
      command: ['/opt/spark/bin/spark-submit'],
      args: ['--master', 'k8s://https://kubernetes.default.svc:443', '--deploy-mode=cluster', '--executor-memory', '4g', '--num-executors', '5', '--verbose', '--conf', 'spark.kubernetes.namespace=team', '--conf', 'spark.a=b=c', 's3a://bucket/app.py', '--input', 's3a://in'],
    }, 'args');
    expect(cmd).toEqual({
      conf: { 'spark.master': 'k8s://https://kubernetes.default.svc:443', 'spark.submit.deployMode': 'cluster', 'spark.executor.memory': '4g', 'spark.executor.instances': '5', 'spark.kubernetes.namespace': 'team', 'spark.a': 'b=c' },
      primary: 's3a://bucket/app.py',
      arguments: ['--input', 's3a://in'],
      field: 'args',
    });
  });

  test('not a submission to Kubernetes', () => {
    expect(parseSparkSubmit({ command: ['spark-submit'], args: ['--master', 'local[2]', 'app.py'] }, 'args')).toBeUndefined();
    expect(parseSparkSubmit({ command: ['nginx'] }, 'args')).toBeUndefined();
  });
});

describe('image references', () => {
  test('registry, repository, tag and digest, the way runtimes read them', () => {
    expect(parseImageRef('nginx')).toEqual({ registry: 'docker.io', repository: 'library/nginx', tag: undefined, digest: undefined });
    expect(parseImageRef('apache/spark:4.0.3')).toMatchObject({ registry: 'docker.io', repository: 'apache/spark', tag: '4.0.3' });
    expect(parseImageRef('localhost:5001/nb:1@sha256:abc')).toEqual({ registry: 'localhost:5001', repository: 'nb', tag: '1', digest: 'sha256:abc' });
    expect(parseImageRef('registry.example.com:5000/team/app')).toMatchObject({ registry: 'registry.example.com:5000', repository: 'team/app', tag: undefined });
  });

  test('versions read from official apache/spark tags only', () => {
    expect(inferOfficialFacts(SPARK_35)).toMatchObject({ sparkVersion: '3.5.8', scalaVersion: '2.12', hadoopAws: null, declared: false });
    expect(inferOfficialFacts('apache/spark:4.0.3')).toMatchObject({ sparkVersion: '4.0.3', scalaVersion: '2.13' });
    expect(inferOfficialFacts('registry.example.com/apache/spark:4.0.3')).toBeUndefined();
    expect(inferOfficialFacts('docker.io/apache/spark:4.0.3-custom')).toBeUndefined();
  });
});

test('credentialFindings: what the secrets scan of dist/ finds, without the values', () => {
  const found = credentialFindings({
    kind: 'ConfigMap', metadata: { name: 'c' },
    data: {
      'a.txt': `AKIA${'ABCDEFGHIJKLMNOP'}`,
      'b.conf': 'password = hunter22',
      'c.conf': 'password=$(FROM_ENV)',
      'tmpl.yaml': 'spec:\n  containers:\n  - env:\n    - name: API_TOKEN\n      value: abc\n',
      'key.pem': '-----BEGIN RSA PRIVATE KEY-----\nx\n',
    },
  });
  expect(found).toEqual([
    { field: 'data["a.txt"]', what: 'an AWS access key id (AKIA…)' },
    { field: 'data["b.conf"]', what: 'password=… sets a literal value' },
    { field: 'data["tmpl.yaml"]#spec.containers[0].env[0].value', what: 'env API_TOKEN holds a literal value' },
    { field: 'data["key.pem"]', what: 'a PEM private key (line 1)' },
  ]);
  expect(JSON.stringify(found)).not.toContain('hunter22');
});

test('the evaluators live in the library; the test helpers re-export them', () => {
  expect(HelperNetpol).toBe(NetworkPolicyEvaluator);
  expect(HelperRbac).toBe(RbacEvaluator);
});

test('the table wraps long cells inside their column', () => {
  expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
  expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  const text = formatReportTable('env', {
    findings: [{ rule: 'no-ttl', severity: 'warning' as never, path: 'jobs/x/Resource', object: 'SparkApplication/team/x', message: 'm '.repeat(100).trim() }],
    errors: [], warnings: [], suppressed: [], unusedSuppressions: [{ rule: 'no-ttl', path: 'jobs/y', reason: 'old' }],
  }, 100);
  const lines = text.split('\n');
  expect(lines[0]).toBe('env: 0 errors, 0 warnings, 0 suppressed');
  expect(lines[1]).toMatch(/^SEVERITY +RULE +OBJECT \/ PATH +MESSAGE +SUPPRESSED$/);
  expect(lines[3]).toMatch(/^warning +no-ttl +SparkApplication\/team\/x +m m m/);
  expect(lines[4]).toMatch(/^ +jobs\/x\/Resource +m m m/);
  expect(Math.max(...lines.slice(1, -1).map((l) => l.length))).toBeLessThanOrEqual(100);
  expect(lines[lines.length - 1]).toBe('note: suppression of no-ttl for "jobs/y" matched nothing (old)');
});
