/**
 * Proof that the e2e control plane behaves like a real cluster, per Kubernetes version:
 *   npx ts-node --transpile-only e2e/smoke.ts [version ...]     (default: every version in versions.json)
 * Starts a cluster, checks PodSecurity admission, --allow-privileged=false, a TokenRequest token
 * under RBAC, scheduling onto a kwok node (Running), completion (Succeeded, a Job Complete),
 * failure, that the apiserver never dials a virtual pod IP, then stops it and checks that no
 * process and no state dir is left. Prints one line per check and `N passed, N failed`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { kubectlPath } from '../test/helpers/kubectl';
import { KUBERNETES_VERSIONS, addKwokNode, apiRequest, clusterStatus, startCluster, stopCluster, tokenClient } from './cluster';

let passed = 0;
let failed = 0;

function check(name: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}\n`);
}

interface Run {
  code: number;
  out: string;
  err: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function smoke(version: string): Promise<void> {
  const kubectl = kubectlPath();
  if (!kubectl) throw new Error('kubectl 1.28 (test/helpers/kubectl.ts) unavailable');
  process.stdout.write(`\n== Kubernetes ${version}\n`);
  const t0 = Date.now();
  const cluster = await startCluster({ version });
  const upMs = Date.now() - t0;
  check(`${version}: startCluster`, true, `${upMs} ms, kubeconfig ${cluster.kubeconfig}`);
  const stateDir = cluster.stateDir;
  const k = (args: string[], input?: string, env: NodeJS.ProcessEnv = { KUBECONFIG: cluster.kubeconfig }): Run => {
    try {
      const out = execFileSync(kubectl, args, {
        input,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: stateDir, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: 60_000,
      });
      return { code: 0, out, err: '' };
    } catch (e) {
      const x = e as { status?: number; stdout?: string; stderr?: string };
      return { code: x.status ?? 1, out: x.stdout ?? '', err: x.stderr ?? '' };
    }
  };
  const waitPhase = async (ns: string, pod: string, phase: string, ms = 60_000): Promise<string> => {
    const deadline = Date.now() + ms;
    let last = '';
    while (Date.now() < deadline) {
      last = k(['get', 'pod', pod, '-n', ns, '-o', 'jsonpath={.status.phase} {.spec.nodeName} {.status.podIP}']).out;
      if (last.startsWith(`${phase} `)) return last;
      await sleep(250);
    }
    return `timeout, last: ${last}`;
  };

  try {
    const ver = k(['version', '-o', 'json']);
    const server = ver.code === 0 ? JSON.parse(ver.out).serverVersion?.gitVersion : ver.err;
    check(`${version}: server reports its version`, server === version, String(server));

    // --- PodSecurity and --allow-privileged=false ------------------------------------------
    const ns = 'e2e-restricted';
    k(['create', 'namespace', ns]);
    k(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/enforce-version=latest']);
    const pod = (name: string, extra: object = {}, container: object = {}) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns },
        spec: { containers: [{ name: 'main', image: 'busybox:1.36', ...container }], ...extra },
      });
    const privileged = k(['apply', '-f', '-'], pod('privileged', {}, { securityContext: { privileged: true } }));
    check(`${version}: privileged pod refused (--allow-privileged=false)`, privileged.code !== 0 && /privileged|disallowed by cluster policy/i.test(privileged.err), privileged.err.trim().split('\n')[0]);
    const rootPod = k(['apply', '-f', '-'], pod('root', {}, { securityContext: { runAsUser: 0 } }));
    check(`${version}: non-restricted pod refused by PodSecurity`, rootPod.code !== 0 && /violates PodSecurity "restricted/.test(rootPod.err), rootPod.err.trim().split('\n')[0].slice(0, 160));
    const restrictedSc = {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    };

    // --- ServiceAccount token + RBAC ---------------------------------------------------------
    k(['create', 'serviceaccount', 'e2e-sa', '-n', ns]);
    const token = k(['create', 'token', 'e2e-sa', '-n', ns, '--duration=10m']);
    check(`${version}: kubectl create token`, token.code === 0 && token.out.split('.').length === 3, token.err.trim());
    const asSa = (args: string[]) =>
      k([`--server=${cluster.server}`, `--certificate-authority=${cluster.pki.caCert}`, `--token=${token.out.trim()}`, ...args], undefined, { KUBECONFIG: '/dev/null' });
    const who = asSa(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    check(`${version}: token authenticates as the ServiceAccount`, who.out === `system:serviceaccount:${ns}:e2e-sa`, who.out || who.err.trim());
    const secrets = asSa(['get', 'secrets', '-n', ns]);
    check(`${version}: RBAC denies the token listing secrets`, secrets.code !== 0 && /forbidden/i.test(secrets.err), secrets.err.trim().split('\n')[0]);
    const viaHttps = await apiRequest(tokenClient(cluster, token.out.trim()), 'GET', `/api/v1/namespaces/${ns}/secrets`);
    check(`${version}: same through apiRequest(tokenClient): HTTP 403`, viaHttps.status === 403, `HTTP ${viaHttps.status}`);
    k(['create', 'role', 'pod-reader', '-n', ns, '--verb=get,list', '--resource=pods']);
    k(['create', 'rolebinding', 'pod-reader', '-n', ns, '--role=pod-reader', `--serviceaccount=${ns}:e2e-sa`]);
    const pods = asSa(['get', 'pods', '-n', ns]);
    check(`${version}: RBAC allows it after a RoleBinding`, pods.code === 0, pods.err.trim());

    // --- kwok node, scheduling, lifecycle ----------------------------------------------------
    const node = await addKwokNode(cluster.kubeconfig, { name: 'kwok-node-1', cpu: '8', memory: '32Gi', pods: 110, labels: { 'spark-platform.io/pool': 'e2e' } });
    check(`${version}: kwok node Ready and untainted`, !!node, `allocatable ${JSON.stringify(node.status.allocatable)}`);

    const running = k(['apply', '-f', '-'], pod('long-running', {}, restrictedSc));
    check(`${version}: restricted-compliant pod admitted`, running.code === 0, running.err.trim());
    const r = await waitPhase(ns, 'long-running', 'Running');
    check(`${version}: pod scheduled to the kwok node and Running`, r.startsWith('Running kwok-node-1 10.244.'), r);

    k(['apply', '-f', '-'], JSON.stringify({ ...JSON.parse(pod('finishes', { restartPolicy: 'Never' }, restrictedSc)), metadata: { name: 'finishes', namespace: ns, annotations: { 'spark-platform.io/e2e-complete-after': '2s' } } }));
    const s = await waitPhase(ns, 'finishes', 'Succeeded');
    check(`${version}: restartPolicy Never pod reaches Succeeded`, s.startsWith('Succeeded'), s);
    const exit = k(['get', 'pod', 'finishes', '-n', ns, '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}']);
    check(`${version}: its container terminated with exit code 0`, exit.out === '0', exit.out);

    k(['apply', '-f', '-'], JSON.stringify({ ...JSON.parse(pod('fails', { restartPolicy: 'Never' }, restrictedSc)), metadata: { name: 'fails', namespace: ns, annotations: { 'spark-platform.io/e2e-fail-after': '1s', 'spark-platform.io/e2e-exit-code': '3' } } }));
    const f = await waitPhase(ns, 'fails', 'Failed');
    const fexit = k(['get', 'pod', 'fails', '-n', ns, '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}']);
    check(`${version}: e2e-fail-after pod reaches Failed with exit code 3`, f.startsWith('Failed') && fexit.out === '3', `${f} exit=${fexit.out}`);

    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'e2e-job', namespace: ns },
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: 300,
        template: { metadata: { annotations: { 'spark-platform.io/e2e-complete-after': '1s' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', ...restrictedSc }] } },
      },
    };
    k(['apply', '-f', '-'], JSON.stringify(job));
    const jobDone = k(['wait', '--for=condition=Complete', 'job/e2e-job', '-n', ns, '--timeout=60s']);
    check(`${version}: Job controller sees its pod succeed (Complete)`, jobDone.code === 0, (jobDone.out + jobDone.err).trim());

    // --- the apiserver never dials a virtual pod IP ------------------------------------------
    const proxy = k(['get', '--raw', `/api/v1/namespaces/${ns}/pods/long-running:8080/proxy/`]);
    const guardLog = fs.readFileSync(path.join(cluster.logsDir, 'egress-guard.log'), 'utf8');
    check(`${version}: pods/proxy to a kwok pod IP is refused by the egress guard`, proxy.code !== 0 && /refused "CONNECT 10\.244\./.test(guardLog), guardLog.split('\n').filter((l) => l.includes('refused')).pop() ?? proxy.err.trim());

    // deletion: kwok removes pods at once (no kubelet to finish graceful deletion)
    const del = k(['delete', 'pod', 'long-running', '-n', ns, '--wait=true', '--timeout=30s']);
    check(`${version}: pod deletion completes`, del.code === 0, (del.out + del.err).trim());
  } finally {
    const pids = Object.values(cluster.pids);
    const t1 = Date.now();
    await stopCluster(cluster);
    const downMs = Date.now() - t1;
    const alive = pids.filter((pid) => fs.existsSync(`/proc/${pid}`) && !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')));
    check(`${version}: stopCluster leaves no process`, alive.length === 0 && clusterStatus(stateDir).length === 0, `${downMs} ms; alive: ${alive.join(',') || 'none'}`);
    check(`${version}: stopCluster removes the state dir`, !fs.existsSync(stateDir), stateDir);
  }
}

async function main(): Promise<void> {
  const versions = process.argv.slice(2).length ? process.argv.slice(2) : [...KUBERNETES_VERSIONS];
  for (const v of versions) {
    try {
      await smoke(v);
    } catch (err) {
      check(`${v}: smoke run`, false, (err as Error).message);
    }
  }
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

void main();
