/**
 * Spark for real, on the real node (e2e/node.ts): the manifests of e2e/environments/e2e-real.ts
 * (dev's two jobs, only the CPU requests lowered, plus a failing variant of each) applied as
 * docs/gitops.md says, on the images e2e/images/build.sh built and imported under the manifests'
 * own tags. Nothing is simulated: the operator's controller runs in its pod from its Deployment,
 * spark-submit runs in the Job's pod, drivers and executors are containers on the pod bridge,
 * reaching each other through the driver's headless Service and the API server through the
 * `kubernetes` Service.
 */
import { REAL_TENANT } from '../environments/e2e-real';
import { E2eEnv, describeReal, getJson, kubectl, kubectlOk, waitFor } from '../lib/kube';
import { applyBaseLayers, jobFinished, layerFile, sparkApplicationFinished } from '../lib/real';

const ENV_NAME = 'e2e-real';
const NS = REAL_TENANT;

/** A Pi estimate in a driver's log, as both examples print it. */
const PI_LINE = /Pi is roughly (3\.1\d*)/;
/** The driver's scheduler backend logs each executor that registers with it. */
const REGISTERED = /Registered executor NettyRpcEndpointRef\(spark-client:\/\/Executor\) \(([\d.]+):\d+\) with ID (\d+)/g;

/** The last lines of a log, without stack frames: what a failure message shows. */
function tailOf(log: string, lines = 30): string {
  return log.split('\n').filter((l) => !/^\s+at /.test(l)).slice(-lines).join('\n');
}

describeReal('Spark runs for real on the node: the operator and spark-submit', (base) => {
  let env: E2eEnv;
  let jobsFile: string;

  /** `kubectl apply --server-side` of one job's objects (they carry spark-platform.io/job=<name>). */
  const applyJob = (name: string) =>
    kubectlOk(env.kubeconfig, ['apply', '--server-side', '--validate=strict', '-f', jobsFile, '-l', `spark-platform.io/job=${name}`]);

  const logsOf = async (ns: string, pod: string) => (await kubectl(env.kubeconfig, ['logs', '-n', ns, pod, '--tail=-1'])).stdout;

  /** Pods of the namespace with `label=value`. */
  const pods = async (selector: string): Promise<any[]> =>
    (await getJson(env.kubeconfig, `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(selector)}`)).items;

  /** What a finished driver shows: its phase, exit code, log, and the executors that registered. */
  async function driverOutcome(driverPod: string) {
    // The application's (or Job's) state can turn final a moment before the kubelet reports the
    // driver pod's phase (seen once: COMPLETED while the pod still said Running): wait for the
    // pod's own final phase, and report whatever it is if it never comes.
    const podPath = `/api/v1/namespaces/${NS}/pods/${driverPod}`;
    const pod = await waitFor(`the driver pod ${driverPod} in a final phase`, async () => {
      const p = await getJson(env.kubeconfig, podPath);
      return ['Succeeded', 'Failed'].includes(p.status?.phase) ? p : undefined;
    }, 60_000, 1000).catch(() => getJson(env.kubeconfig, podPath));
    const log = await logsOf(NS, driverPod);
    const terminated = pod.status?.containerStatuses?.find((c: any) => c.name === 'spark-kubernetes-driver')?.state?.terminated;
    return {
      phase: pod.status?.phase as string,
      exitCode: terminated?.exitCode as number | undefined,
      log,
      executors: [...log.matchAll(REGISTERED)].map((m) => ({ ip: m[1], id: m[2] })),
    };
  }

  beforeAll(async () => {
    const dist = process.env.E2E_DIST_E2E;
    if (!dist) throw new Error('E2E_DIST_E2E is not set (npm run e2e synthesizes e2e/environments/)');
    env = { ...base, dist };
    jobsFile = layerFile(env, ENV_NAME, 'jobs')!;
    // the jobs are applied one by one by the tests: the node's 2 cores run one Spark app at a time
    await applyBaseLayers(env, ENV_NAME);
  }, 300_000);

  test('SparkPi through the operator (dev spark-pi): executors register, Pi is printed, the application is COMPLETED', async () => {
    const t0 = Date.now();
    await applyJob('spark-pi');
    const app = await sparkApplicationFinished(env, NS, 'spark-pi');
    const driver = await driverOutcome(app.status.driverInfo.podName);
    console.log(`spark-pi: ${app.status.applicationState.state} in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${driver.executors.length} executors registered; ${driver.log.match(PI_LINE)?.[0]}`);
    if (app.status.applicationState.state !== 'COMPLETED') {
      throw new Error(`spark-pi is ${app.status.applicationState.state} (${app.status.applicationState.errorMessage}); driver log tail:\n${tailOf(driver.log)}`);
    }
    expect(driver.phase).toBe('Succeeded');
    expect(driver.exitCode).toBe(0);
    expect(Number(driver.log.match(PI_LINE)?.[1])).toBeCloseTo(Math.PI, 1);
    // dev asks for 2 executors; each registered from its own pod address on the bridge
    expect(new Set(driver.executors.map((e) => e.id)).size).toBe(2);
    expect(driver.executors.every((e) => e.ip.startsWith('10.88.0.'))).toBe(true);
    // executors are removed when the application ends
    await waitFor('the executor pods of spark-pi removed', async () =>
      ((await pods('spark-platform.io/job=spark-pi,spark-role=executor')).length === 0 ? true : undefined), 120_000, 1000);
  }, 600_000);

  test('PySpark Pi through spark-submit in a Job (dev spark-pi-python): the Job succeeds with the driver', async () => {
    const t0 = Date.now();
    await applyJob('spark-pi-python');
    const job = await jobFinished(env, NS, 'spark-pi-python');
    const [driverPod] = await pods('spark-platform.io/job=spark-pi-python,spark-role=driver');
    if (!driverPod) {
      const submitter = (await pods('job-name=spark-pi-python'))[0];
      throw new Error(`no driver pod; submitter log tail:\n${submitter ? tailOf(await logsOf(NS, submitter.metadata.name)) : '(no submitter pod)'}`);
    }
    const driver = await driverOutcome(driverPod.metadata.name);
    const submitter = (await pods(`job-name=spark-pi-python`))[0];
    const submitLog = submitter ? await logsOf(NS, submitter.metadata.name) : '';
    console.log(`spark-pi-python: Job ${job.status.conditions.map((c: any) => c.type).join(',')} in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${driver.executors.length} executors; ${driver.log.match(PI_LINE)?.[0]}`);
    if (!job.status.conditions.some((c: any) => c.type === 'Complete' && c.status === 'True')) {
      throw new Error(`spark-pi-python did not complete; driver log tail:\n${tailOf(driver.log)}\nsubmitter log tail:\n${tailOf(submitLog)}`);
    }
    const trueConditions = (j: any) => j.status.conditions.filter((c: any) => c.status === 'True').map((c: any) => c.type);
    expect(trueConditions(job)).toContain('Complete');
    expect(trueConditions(job)).not.toContain('Failed');
    expect(job.status.succeeded).toBe(1);
    expect(driver.phase).toBe('Succeeded');
    expect(driver.exitCode).toBe(0);
    expect(Number(driver.log.match(PI_LINE)?.[1])).toBeCloseTo(Math.PI, 1);
    expect(new Set(driver.executors.map((e) => e.id)).size).toBe(2);
    expect(submitLog).toMatch(/exit code: 0|termination reason: Completed/i);
  }, 600_000);

  test('a failing app fails both: the SparkApplication is FAILED, the Job fails with the driver', async () => {
    await applyJob('spark-pi-fails');
    await applyJob('spark-pi-python-fails');
    const app = await sparkApplicationFinished(env, NS, 'spark-pi-fails');
    const job = await jobFinished(env, NS, 'spark-pi-python-fails');
    expect(app.status.applicationState.state).toBe('FAILED');
    const scalaDriver = await driverOutcome(app.status.driverInfo.podName);
    expect(scalaDriver.phase).toBe('Failed');
    expect(scalaDriver.exitCode).not.toBe(0);
    expect(scalaDriver.log).toMatch(/NumberFormatException.*not-a-number/);
    const failedConditions = job.status.conditions.filter((c: any) => c.status === 'True').map((c: any) => c.type);
    expect(failedConditions).toContain('Failed');
    expect(failedConditions).not.toContain('Complete');
    expect(job.status.failed).toBe(1);
    const [pyDriverPod] = await pods('spark-platform.io/job=spark-pi-python-fails,spark-role=driver');
    const pyDriver = await driverOutcome(pyDriverPod.metadata.name);
    expect(pyDriver.phase).toBe('Failed');
    expect(pyDriver.exitCode).not.toBe(0);
    expect(pyDriver.log).toMatch(/ValueError.*not-a-number/);
  }, 900_000);
});
