/**
 * The platform's NetworkPolicies, enforced: the real node runs kube-router's firewall (iptables
 * and ipsets built from the NetworkPolicies), so every file of e2e/real/ runs with the policies
 * the project writes in force (the jobs, the notebook sessions and the s3a round trip work
 * under them). Here, pods that are not among the allowed peers try to open connections from
 * inside the cluster. Every target listens (MinIO's S3 API and console, Jupyter, and a listener
 * the test starts on the notebook's driver port), so a connection either completes or was
 * stopped by a policy (kube-router rejects or drops it); allowed peers connecting to the same
 * ports are the control. The same probes are asked of the project's NetworkPolicy evaluator
 * (constructs/doctor/evaluators/netpol.ts), whose answers must match what the packets did.
 */
import * as path from 'path';
import { ChildProcess, spawn } from 'child_process';
import { kubectlPath } from '../../test/helpers/kubectl';
import { REAL_TENANT, E2E_S3A_IMAGE } from '../environments/e2e-real';
import { NetworkPolicyEvaluator, PodRef } from '../../constructs/doctor/evaluators/netpol';
import { E2eEnv, describeReal, getJson, kubectl, kubectlOk, kustomized, waitFor } from '../lib/kube';
import { applyBaseLayers, ensureObject, startNotebook, stopNotebook } from '../lib/real';

const ENV_NAME = 'e2e-real';
const NS = REAL_TENANT;
const OUTSIDE_NS = 'e2e-outsider';
const STORAGE_NS = 'spark-platform';

const RESTRICTED = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 185,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** A pod that only waits, from which the probes run (bash's /dev/tcp, coreutils' timeout). */
function probePod(name: string, namespace: string, labels: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'probe',
        image: E2E_S3A_IMAGE.image,
        imagePullPolicy: 'IfNotPresent',
        command: ['sleep', 'infinity'],
        securityContext: RESTRICTED,
        resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
      }],
    },
  };
}

describeReal('NetworkPolicies enforced on the real node: peers outside the policies are dropped', (base) => {
  let env: E2eEnv;
  let listener: ChildProcess | undefined;
  const ips: Record<string, string> = {};
  const labelsOf: Record<string, PodRef> = {};

  /** 0: connected; anything else: refused (a reject rule) or 124, timed out (a drop rule). */
  const connect = async (from: string, namespace: string, ip: string, port: number): Promise<number> => {
    const r = await kubectl(env.kubeconfig, ['exec', '-n', namespace, from, '--', 'bash', '-c',
      `timeout 4 bash -c 'exec 3<>/dev/tcp/${ip}/${port}' 2>/dev/null; echo "rc=$?"`], undefined, 30_000);
    const m = /rc=(\d+)/.exec(r.stdout);
    if (!m) throw new Error(`probe from ${from} failed: ${r.stderr || r.stdout}`);
    return Number(m[1]);
  };
  const podOf = async (ns: string, selector: string) => {
    const items = (await getJson(env.kubeconfig, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
    const p = items.find((x: any) => x.status?.phase === 'Running');
    if (!p) throw new Error(`no running pod ${selector} in ${ns}`);
    return p;
  };

  beforeAll(async () => {
    const dist = process.env.E2E_DIST_E2E;
    if (!dist) throw new Error('E2E_DIST_E2E is not set (npm run e2e synthesizes e2e/environments/)');
    env = { ...base, dist };
    await applyBaseLayers(env, ENV_NAME);
    await startNotebook(env, ENV_NAME, NS);
    await ensureObject(env, '/api/v1/namespaces', {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: OUTSIDE_NS, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
    const pods = [
      // in the tenant, with no Spark labels
      probePod('e2e-stranger', NS, { app: 'e2e-stranger' }),
      // in the tenant, labelled like the notebook's executors
      probePod('e2e-executor-like', NS, { 'spark-role': 'executor', 'spark-platform.io/client-driver': 'lab' }),
      // another namespace, labelled like an executor too
      probePod('e2e-outsider', OUTSIDE_NS, { 'spark-role': 'executor', 'spark-platform.io/client-driver': 'lab' }),
      // in the platform's own namespace, which denies by default: it admits nothing for itself
      probePod('e2e-platform-stranger', STORAGE_NS, { app: 'e2e-platform-stranger' }),
    ];
    for (const p of pods) {
      await ensureObject(env, `/api/v1/namespaces/${p.metadata.namespace}/pods`, p);
      labelsOf[p.metadata.name] = { namespace: p.metadata.namespace, labels: p.metadata.labels };
    }
    await waitFor('the probe pods Running', async () => {
      for (const p of pods) {
        const g = await getJson(env.kubeconfig, `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`);
        if (g.status?.phase !== 'Running') return undefined;
        ips[p.metadata.name] = g.status.podIP;
      }
      return true;
    }, 120_000, 1000);
    const lab = await podOf(NS, 'app.kubernetes.io/instance=lab');
    const minio = await podOf(STORAGE_NS, 'app.kubernetes.io/name=minio');
    const history = await podOf(STORAGE_NS, 'app.kubernetes.io/name=spark-history-server');
    ips.lab = lab.status.podIP;
    ips.minio = minio.status.podIP;
    ips.history = history.status.podIP;
    labelsOf.lab = { namespace: NS, labels: lab.metadata.labels };
    labelsOf.minio = { namespace: STORAGE_NS, labels: minio.metadata.labels };
    labelsOf.history = { namespace: STORAGE_NS, labels: history.metadata.labels };
    // something listening on the notebook's driver port, as a session's driver does
    listener = spawn(kubectlPath()!, [`--kubeconfig=${env.kubeconfig}`, 'exec', '-i', '-n', NS, 'lab-0', '-c', 'notebook', '--', 'python3', '-u', '-c',
      'import socket\ns = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 7078)); s.listen(16); print("LISTENING", flush=True)\nwhile True:\n    c, _ = s.accept(); c.close()'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    listener.stdout!.on('data', (d) => { out += String(d); });
    listener.stderr!.on('data', (d) => { out += String(d); });
    await waitFor('a listener on the driver port of lab-0', async () => (out.includes('LISTENING') ? true : undefined), 60_000, 250)
      .catch((e) => { throw new Error(`${(e as Error).message}: ${out}`); });
  }, 600_000);

  afterAll(async () => {
    listener?.kill('SIGKILL');
    if (!env) return;
    await kubectl(env.kubeconfig, ['delete', 'namespace', OUTSIDE_NS, '--wait=false']);
    await kubectl(env.kubeconfig, ['delete', 'pod', '-n', NS, 'e2e-stranger', 'e2e-executor-like', '--wait=false']);
    await kubectl(env.kubeconfig, ['delete', 'pod', '-n', STORAGE_NS, 'e2e-platform-stranger', '--wait=false']);
    await stopNotebook(env, ENV_NAME);
  }, 180_000);

  test.each([
    // [probe pod, its namespace, target, port, what the policies say, connects?]
    ['e2e-executor-like', NS, 'lab', 7078, 'an executor of the notebook reaches the driver port', true],
    ['e2e-executor-like', NS, 'minio', 9000, 'a Spark pod of a tenant reaches MinIO', true],
    ['e2e-outsider', OUTSIDE_NS, 'lab', 7078, 'a pod of another namespace, labelled like an executor, is stopped at the driver port', false],
    ['e2e-stranger', NS, 'lab', 7078, 'a tenant pod without the executor labels cannot leave its pod (default deny)', false],
    ['e2e-outsider', OUTSIDE_NS, 'lab', 8888, 'nobody reaches Jupyter without uiAccess', false],
    ['e2e-outsider', OUTSIDE_NS, 'minio', 9000, 'a pod of another namespace is stopped at MinIO', false],
    ['e2e-stranger', NS, 'minio', 9000, 'a tenant pod that is not a Spark pod does not reach MinIO', false],
    ['e2e-executor-like', NS, 'minio', 9001, 'nobody reaches the MinIO console', false],
    ['e2e-platform-stranger', STORAGE_NS, 'minio', 9000, 'a pod of the platform namespace that admits nothing for itself cannot leave (default deny)', false],
    ['e2e-outsider', OUTSIDE_NS, 'history', 18080, 'nobody reaches the History Server UI without uiAccess', false],
  ] as Array<[string, string, string, number, string, boolean]>)('%s (namespace %s) -> %s:%d: %s', async (from, ns, target, port, _what, connects) => {
    const exit = await connect(from, ns, ips[target], port);
    expect({ from, target, port, connected: exit === 0 }).toEqual({ from, target, port, connected: connects });
  }, 60_000);

  test('the evaluator agrees with the packets; the notebook itself reaches MinIO', async () => {
    const objects = await kustomized(env.kubeconfig, path.join(env.dist, ENV_NAME));
    const namespaces = (await getJson(env.kubeconfig, '/api/v1/namespaces')).items;
    const own = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    const net = new NetworkPolicyEvaluator(objects, {
      // the namespaces the manifests do not create, with their live labels
      namespaceLabels: Object.fromEntries(namespaces.filter((n: any) => !own.has(n.metadata.name)).map((n: any) => [n.metadata.name, n.metadata.labels ?? {}])),
    });
    const cases: Array<[string, string, number]> = [
      ['e2e-executor-like', 'lab', 7078], ['e2e-outsider', 'lab', 7078], ['e2e-stranger', 'lab', 7078],
      ['e2e-executor-like', 'minio', 9000], ['e2e-outsider', 'minio', 9000], ['e2e-stranger', 'minio', 9000],
      ['e2e-executor-like', 'minio', 9001], ['e2e-outsider', 'lab', 8888],
      ['e2e-platform-stranger', 'minio', 9000], ['e2e-outsider', 'history', 18080],
    ];
    for (const [from, to, port] of cases) {
      const packets = (await connect(from, labelsOf[from].namespace, ips[to], port)) === 0;
      expect({ from, to, port, evaluator: net.allows({ from: labelsOf[from], to: labelsOf[to], port }) }).toEqual({ from, to, port, evaluator: packets });
    }
    // the notebook's own driver -> MinIO is allowed and MinIO listens: a full TCP connect
    expect(await kubectlOk(env.kubeconfig, ['exec', '-n', NS, 'lab-0', '-c', 'notebook', '--', 'bash', '-c',
      `timeout 4 bash -c 'exec 3<>/dev/tcp/${ips.minio}/9000' 2>/dev/null; echo "rc=$?"`])).toContain('rc=0');
  }, 180_000);
});
