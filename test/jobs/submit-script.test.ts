/**
 * Runs the submitter's real entrypoint (bash) against a fake spark-submit, so its two jobs are
 * proven, not read: the driver template gets the submitter pod as owner, and the Job fails when
 * the driver fails even though spark-submit exits 0 (SPARK-26365).
 */
import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { SparkJob, SparkJobMode, SparkJobType, SparkNamespace } from '../../constructs';
import { findObject, synth, testChart } from '../helpers/manifests';

const haveBash = spawnSync('bash', ['--version']).status === 0;
const describeWithBash = haveBash ? describe : describe.skip;
if (!haveBash) console.warn('skipped: bash not found; the submit script tests need it');

describeWithBash('submit.sh', () => {
  let dir: string;
  let files: Record<string, string>;

  beforeAll(() => {
    const chart = testChart();
    new SparkJob(chart, 'Job', {
      namespace: SparkNamespace.fromName('spark-jobs'),
      mode: SparkJobMode.SUBMIT,
      name: 'pi',
      type: SparkJobType.SCALA,
      mainClass: 'org.apache.spark.examples.SparkPi',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
    });
    files = findObject(synth(chart), 'ConfigMap', 'pi-spark-submit').data;
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'submit-sh-'));
    // As in the pod: the ConfigMap's files in one directory, a writable scratch directory apart.
    mkdirSync(path.join(dir, 'submit'));
    mkdirSync(path.join(dir, 'work'));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'submit', name), text);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A fake $SPARK_HOME/bin/spark-submit that records its arguments and prints `output`, exiting with `exit`. */
  function run(output: string, exit = 0, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string; args: string[] } {
    const home = path.join(dir, 'spark');
    const fake = path.join(home, 'bin', 'spark-submit');
    spawnSync('mkdir', ['-p', path.dirname(fake)]);
    writeFileSync(fake, `#!/bin/bash\nprintf '%s\\n' "$@" > "${dir}/args"\ncat <<'EOF'\n${output}\nEOF\nexit ${exit}\n`);
    chmodSync(fake, 0o755);
    const r = spawnSync('bash', [path.join(dir, 'submit', 'submit.sh'), '--conf', 'a=b', 'local:///app.jar'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SPARK_HOME: home, SPARK_PLATFORM_SUBMIT_DIR: path.join(dir, 'submit'), SPARK_PLATFORM_WORK_DIR: path.join(dir, 'work'), POD_NAME: 'pi-x7k2p', POD_UID: '0b9c6a1e-1111-2222-3333-444455556666', ...env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, args: readFileSync(path.join(dir, 'args'), 'utf8').trim().split('\n') };
  }

  /** What spark-submit (LoggingPodStatusWatcher) logs when the driver pod ends. */
  const finalStatus = (code: number) => `25/11/21 10:00:00 INFO LoggingPodStatusWatcherImpl: Container final statuses:\n\n\t container name: spark-kubernetes-driver\n\t container state: terminated\n\t exit code: ${code}\n\t termination reason: ${code === 0 ? 'Completed' : 'Error'}`;

  test('passes its arguments to spark-submit unchanged', () => {
    expect(run(finalStatus(0)).args).toEqual(['--conf', 'a=b', 'local:///app.jar']);
  });

  test('writes the driver template with the submitter pod as owner', () => {
    run(finalStatus(0));
    const template = parse(readFileSync(path.join(dir, 'work', 'driver-template.yaml'), 'utf8'));
    expect(template.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: 'pi-x7k2p', uid: '0b9c6a1e-1111-2222-3333-444455556666' }]);
    expect(template.spec.containers[0].name).toBe('spark-kubernetes-driver');
  });

  test('succeeds when the driver exits 0', () => {
    const r = run(finalStatus(0));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('exit code: 0');
  });

  test('fails with the driver\'s exit code when the driver fails, although spark-submit exited 0', () => {
    const r = run(finalStatus(3));
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('the driver exited with code 3; failing the Job');
  });

  test('fails when spark-submit reports no final status (e.g. the submission itself failed)', () => {
    const r = run('Exception in thread "main" io.fabric8.kubernetes.client.KubernetesClientException: Forbidden');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('did not report the driver\'s exit code');
  });

  test('fails with spark-submit\'s own status when it fails', () => {
    expect(run('boom', 2).status).toBe(2);
  });

  test('FAIL_ON_DRIVER_ERROR=false keeps spark-submit\'s verdict', () => {
    expect(run(finalStatus(3), 0, { FAIL_ON_DRIVER_ERROR: 'false' }).status).toBe(0);
  });

  test('refuses to run without the pod identity from the downward API', () => {
    const r = spawnSync('bash', [path.join(dir, 'submit', 'submit.sh')], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SPARK_PLATFORM_SUBMIT_DIR: path.join(dir, 'submit'), SPARK_PLATFORM_WORK_DIR: path.join(dir, 'work') } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('POD_NAME must be set from metadata.name');
  });
});
