/**
 * A notebook session for real, on the real node: the `lab` StatefulSet of e2e-real (dev's
 * notebook on the unified image e2e/images/build.sh built, small CPU requests) runs JupyterLab;
 * a kernel (jupyter nbconvert --execute of a small notebook, inside the pod) creates a
 * SparkSession in client mode from the platform's spark-defaults.conf; its executors start as
 * pods from the platform's template, reach the driver through the headless Service's DNS name,
 * run a job and are removed when the session stops. Then two sessions at once (the ports of
 * `sessions: 2`) and a third, which fails with the bind error docs/notebooks.md documents.
 */
import { ChildProcess, spawn } from 'child_process';
import { kubectlPath } from '../../test/helpers/kubectl';
import { REAL_TENANT } from '../environments/e2e-real';
import { E2eEnv, describeReal, getJson, kubectl, waitFor } from '../lib/kube';
import { applyBaseLayers, startNotebook, stopNotebook } from '../lib/real';

const ENV_NAME = 'e2e-real';
const NS = REAL_TENANT;
const POD = 'lab-0';
const EXECUTORS = 'spark-platform.io/client-driver=lab,spark-role=executor';

/** A PySpark session from the pod's spark-defaults.conf: one job, then it waits for a line on stdin. */
const SESSION_SCRIPT = `
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName(sys.argv[1]).getOrCreate()
sc = spark.sparkContext
total = spark.range(0, 100000, numPartitions=4).selectExpr("sum(id) AS s").collect()[0]["s"]
executors = sc._jsc.sc().getExecutorMemoryStatus().size() - 1
print(f"READY app={sc.applicationId} sum={total} executors={executors} port={sc.getConf().get('spark.driver.port')}", flush=True)
sys.stdin.readline()
spark.stop()
print("STOPPED", flush=True)
`;

/** A notebook a kernel executes: the same session, closed at the end. */
function notebookJson(): string {
  const cell = (source: string) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source });
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [
      cell('from pyspark.sql import SparkSession\nspark = SparkSession.builder.appName("nbconvert").getOrCreate()'),
      cell('rows = spark.range(0, 1000, numPartitions=4).selectExpr("sum(id) AS s").collect()\nprint("SUM", rows[0]["s"])'),
      cell('print("EXECUTORS", spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1)\nspark.stop()'),
    ],
  });
}

interface Session {
  child: ChildProcess;
  out: string;
  exited?: number;
}

describeReal('A notebook session for real: client mode in the lab pod', (base) => {
  let env: E2eEnv;
  const sessions: Session[] = [];

  const execSession = (name: string): Session => {
    const child = spawn(kubectlPath()!, [`--kubeconfig=${env.kubeconfig}`, 'exec', '-i', '-n', NS, POD, '-c', 'notebook', '--', 'python3', '-u', '-c', SESSION_SCRIPT, name], { stdio: ['pipe', 'pipe', 'pipe'] });
    const s: Session = { child, out: '' };
    child.stdout!.on('data', (d) => { s.out += String(d); });
    child.stderr!.on('data', (d) => { s.out += String(d); });
    child.on('exit', (code) => { s.exited = code ?? 1; });
    sessions.push(s);
    return s;
  };
  const executorPods = async () => (await getJson(env.kubeconfig, `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(EXECUTORS)}`)).items as any[];

  beforeAll(async () => {
    const dist = process.env.E2E_DIST_E2E;
    if (!dist) throw new Error('E2E_DIST_E2E is not set (npm run e2e synthesizes e2e/environments/)');
    env = { ...base, dist };
    await applyBaseLayers(env, ENV_NAME);
    await startNotebook(env, ENV_NAME, NS, POD);
  }, 360_000);

  afterAll(async () => {
    for (const s of sessions) if (s.exited === undefined) s.child.kill('SIGKILL');
    // the node's 2 cores: the next suites need what the notebook holds
    if (env) await stopNotebook(env, ENV_NAME);
  }, 180_000);

  test('a kernel (nbconvert --execute) runs a Spark job on executors that reach the driver by its Service name', async () => {
    const nb = notebookJson();
    const t0 = Date.now();
    const run = await kubectl(env.kubeconfig, ['exec', '-i', '-n', NS, POD, '-c', 'notebook', '--', 'bash', '-c',
      'cat > /tmp/e2e-session.ipynb && jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 --output /tmp/e2e-session.out.ipynb /tmp/e2e-session.ipynb >&2 && cat /tmp/e2e-session.out.ipynb'], nb, 420_000);
    if (run.status !== 0) throw new Error(`nbconvert failed (${run.status}):\n${run.stderr.slice(-4000)}`);
    const executed = JSON.parse(run.stdout);
    // what the cells printed (stdout), not Spark's log on stderr
    const text = executed.cells.flatMap((c: any) => c.outputs ?? []).filter((o: any) => o.name === 'stdout')
      .map((o: any) => (Array.isArray(o.text) ? o.text.join('') : String(o.text ?? ''))).join('');
    console.log(`notebook kernel session: ${text.trim().replace(/\n/g, '; ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(text).toContain('SUM 499500');
    expect(text).toMatch(/EXECUTORS 1\b/);
    await waitFor('the kernel session\'s executor pods removed after spark.stop()', async () => ((await executorPods()).length === 0 ? true : undefined), 120_000, 1000);
  }, 600_000);

  test('two sessions at once take the two port pairs; a third fails with the bind error', async () => {
    const a = execSession('session-a');
    await waitFor('session A ready', async () => (a.out.includes('READY') ? true : a.exited !== undefined ? Promise.reject(new Error(a.out.slice(-3000))) : undefined), 300_000, 500);
    const b = execSession('session-b');
    await waitFor('session B ready', async () => (b.out.includes('READY') ? true : b.exited !== undefined ? Promise.reject(new Error(b.out.slice(-3000))) : undefined), 300_000, 500);
    const ready = (s: Session) => /READY app=(\S+) sum=(\d+) executors=(\d+) port=(\d+)/.exec(s.out)!;
    const [ra, rb] = [ready(a), ready(b)];
    console.log(`sessions: ${ra[0]} | ${rb[0]}`);
    expect([ra[2], rb[2]]).toEqual(['4999950000', '4999950000']);
    expect([ra[3], rb[3]]).toEqual(['1', '1']);
    expect(ra[1]).not.toBe(rb[1]);
    // each session's executors are pods of the platform's template, owned by the notebook pod
    const pods = await executorPods();
    expect(pods.length).toBe(2);
    for (const p of pods) {
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Pod', name: POD });
      expect(p.spec.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    }

    const c = execSession('session-c');
    await waitFor('session C to fail', async () => (c.exited !== undefined ? true : undefined), 300_000, 500);
    expect(c.exited).not.toBe(0);
    expect(c.out).toMatch(/Service 'sparkDriver' failed after 2 retries/);
    expect(c.out).not.toContain('READY');

    for (const s of [a, b]) s.child.stdin!.end('\n');
    await waitFor('sessions A and B stopped', async () => (a.exited !== undefined && b.exited !== undefined ? true : undefined), 120_000, 500);
    expect(a.out).toContain('STOPPED');
    expect(b.out).toContain('STOPPED');
    await waitFor('every executor pod removed after the sessions stopped', async () => ((await executorPods()).length === 0 ? true : undefined), 120_000, 1000);
  }, 900_000);
});
