/**
 * `npm run e2e`: the end-to-end suite against real Kubernetes components.
 *
 * 1. synthesizes every environment with `npm run synth` into a private `dist/` (as a user would);
 * 2. for each Kubernetes version of e2e/versions.json (or E2E_K8S_VERSIONS="v1.35.4,..."):
 *    starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on loopback
 *    (e2e/cluster.ts), registers kwok nodes shaped like dev's `doctor.nodes`, runs the e2e jest
 *    project (e2e/jest.config.js) against it, and stops every process it started and removes
 *    its state, also when the tests fail or the run is interrupted;
 * 3. then once, on the Kubernetes version of versions.json `node` (E2E_REAL=0 skips it): the same
 *    control plane with one real node (e2e/node.ts: containerd, runc, CNI bridge, kubelet,
 *    kube-proxy, CoreDNS, the images setup.sh built) and the real-node jest project
 *    (e2e/jest.real.config.js, e2e/real/): Spark runs in containers;
 * 4. exits non-zero when any run failed.
 *
 * With E2E_KUBECONFIG set, no cluster is started: the suite runs once against that cluster
 * (e.g. kind), and the tests that need the local one (kwok, the operator run here) skip, saying so.
 *
 * When the binaries are not built (bash e2e/setup.sh), it says so and exits 0 without testing,
 * unless E2E_REQUIRED=1 (CI), where that is a failure.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLUSTER_MARKER, KUBERNETES_VERSIONS, addKwokNode, binaries, startCluster, stopCluster } from './cluster';
import { leftoverShims, nodeUnsupportedReason, nodeVersions } from './node';
import { dev } from '../stacks/environments/dev';

const ROOT = path.resolve(__dirname, '..');

function log(message: string): void {
  process.stderr.write(`[e2e] ${message}\n`);
}

function synthesize(outdir: string): void {
  const t = Date.now();
  const r = spawnSync('npm', ['run', '-s', 'synth'], { cwd: ROOT, env: { ...process.env, SPARK_PLATFORM_OUTDIR: outdir }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm run synth failed (${r.status})`);
  log(`synthesized every environment into ${outdir} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

function synthesizeE2e(outdir: string): void {
  const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', path.join(__dirname, 'synth-e2e.ts'), outdir], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`the e2e environments did not synthesize (${r.status})`);
}

async function jest(env: NodeJS.ProcessEnv, extraArgs: string[], work: string, config = 'jest.config.js'): Promise<number> {
  // The tests' own clusters and scratch files go under `tmp`, so whatever a crash leaves is found.
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const pidFile = path.join(work, 'sandbox.pids');
  const r = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', path.join(__dirname, config), ...extraArgs], {
    cwd: ROOT, env: { ...process.env, ...env, E2E_PID_FILE: pidFile, TMPDIR: tmp }, stdio: 'inherit',
  });
  killLeftovers(pidFile);
  for (const d of fs.readdirSync(tmp)) {
    const dir = path.join(tmp, d);
    if (!fs.existsSync(path.join(dir, CLUSTER_MARKER))) continue;
    log(`stopping a cluster the tests left behind: ${dir}`);
    await stopCluster(dir).catch((e) => log(`  ${(e as Error).message}`));
  }
  return r.status ?? 1;
}

/** Kills the process groups the tests started (operator, spark-submit, sessions) that are still alive. */
function killLeftovers(pidFile: string): void {
  if (!fs.existsSync(pidFile)) return;
  for (const pid of fs.readFileSync(pidFile, 'utf8').split('\n').map(Number).filter((n) => n > 0)) {
    try {
      process.kill(-pid, 'SIGKILL');
      log(`killed the leftover process group ${pid}`);
    } catch {
      // already gone
    }
  }
  fs.rmSync(pidFile, { force: true });
}

function missingBinaries(versions: readonly string[]): string | undefined {
  for (const v of versions) {
    try {
      binaries(v, { kwok: true });
    } catch (e) {
      return (e as Error).message;
    }
  }
  return undefined;
}

async function main(): Promise<number> {
  const extraArgs = process.argv.slice(2);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-e2e-run-'));
  try {
    const dist = path.join(work, 'dist');
    synthesize(dist);
    // The suite's own environments (e2e/environments/), e.g. the job it submits in both modes.
    const distE2e = path.join(work, 'dist-e2e');
    synthesizeE2e(distE2e);
    process.env.E2E_DIST_E2E = distE2e;
    if (process.env.E2E_KUBECONFIG) {
      log(`running against ${process.env.E2E_KUBECONFIG} (no local cluster)`);
      return await jest({ E2E_DIST: dist, E2E_LOCAL: '0' }, extraArgs, work);
    }
    // E2E_KWOK=0: only the real-node phase
    const versions = process.env.E2E_KWOK === '0' ? [] : process.env.E2E_K8S_VERSIONS ? process.env.E2E_K8S_VERSIONS.split(',').map((v) => v.trim()) : [...KUBERNETES_VERSIONS];
    const missing = missingBinaries(versions);
    if (missing) {
      const message = `SKIPPED: the end-to-end suite needs the local cluster's binaries, which are not built: ${missing}. Run: bash e2e/setup.sh`;
      if (process.env.E2E_REQUIRED === '1') {
        log(message.replace('SKIPPED', 'FAILED'));
        return 1;
      }
      log(message);
      return 0;
    }
    let failed = 0;
    for (const version of versions) {
      const t = Date.now();
      log(`Kubernetes ${version}: starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok on loopback`);
      const cluster = await startCluster({ version, kwok: true, stateDir: path.join(work, `cluster-${version}`), log: (l) => log(`  ${l}`) });
      try {
        const nodes = (dev.doctor?.nodes ?? []).map((n) => ({ name: n.name, cpu: quantity(n.cpu), memory: quantity(n.memory), labels: { ...(n.labels ?? {}) } }));
        for (const n of nodes) await addKwokNode(cluster.kubeconfig, n);
        log(`Kubernetes ${version}: up in ${((Date.now() - t) / 1000).toFixed(1)} s (kwok nodes shaped like dev's doctor.nodes: ${nodes.map((n) => `${n.name} ${n.cpu} CPU/${n.memory}`).join(', ')})`);
        const code = await jest({ E2E_KUBECONFIG: cluster.kubeconfig, E2E_DIST: dist, E2E_LOCAL: '1', E2E_K8S_VERSION: version, E2E_STATE_DIR: cluster.stateDir }, extraArgs, work);
        if (code !== 0) {
          failed++;
          log(`Kubernetes ${version}: FAILED (logs of the components: ${cluster.logsDir}, kept until the cluster stops)`);
          printLogTails(cluster.logsDir);
        }
      } finally {
        await stopCluster(cluster);
        log(`Kubernetes ${version}: stopped and removed after ${((Date.now() - t) / 1000).toFixed(1)} s`);
      }
    }
    failed += await realNodeRun(extraArgs, work, dist);
    return failed === 0 ? 0 : 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The real-node phase: returns the number of failed runs (0 or 1). */
async function realNodeRun(extraArgs: string[], work: string, dist: string): Promise<number> {
  if (process.env.E2E_REAL === '0') {
    log('real node: SKIPPED (E2E_REAL=0)');
    return 0;
  }
  const why = nodeUnsupportedReason();
  if (why) {
    if (process.env.E2E_REQUIRED === '1') {
      log(`real node: FAILED: ${why}`);
      return 1;
    }
    log(`real node: SKIPPED: ${why}`);
    return 0;
  }
  const version = nodeVersions().kubernetes;
  const t = Date.now();
  log(`real node: Kubernetes ${version} control plane + containerd, kubelet, kube-proxy, CoreDNS`);
  const cluster = await startCluster({ version, kwok: false, realNode: true, stateDir: path.join(work, 'cluster-real'), log: (l) => log(`  ${l}`) });
  let code = 1;
  try {
    log(`real node: up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    code = await jest({ E2E_KUBECONFIG: cluster.kubeconfig, E2E_DIST: dist, E2E_LOCAL: '1', E2E_REAL: '1', E2E_K8S_VERSION: version, E2E_STATE_DIR: cluster.stateDir }, extraArgs, work, 'jest.real.config.js');
    if (code !== 0) {
      log(`real node: FAILED (logs: ${cluster.logsDir}, kept until the cluster stops)`);
      printLogTails(cluster.logsDir);
    }
  } finally {
    await stopCluster(cluster);
    const shims = leftoverShims();
    if (shims.length) log(`real node: container shims still running after stop: ${shims.join(' ')}`);
    log(`real node: stopped and removed after ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return code === 0 ? 0 : 1;
}

function quantity(q: string | { toKubernetes(): string }): string {
  return typeof q === 'string' ? q : q.toKubernetes();
}

function printLogTails(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) {
    const lines = fs.readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n');
    log(`--- ${f} (last 15 lines)`);
    for (const l of lines.slice(-15)) log(`    ${l}`);
  }
}

main().then((code) => { process.exitCode = code; }, (e) => {
  log(`error: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
