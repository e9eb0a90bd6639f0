/**
 * A real Kubernetes control plane on loopback for end-to-end tests: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes), no kubelet, no container.
 * The binaries come from e2e/setup.sh (cache: ${SPARK_E2E_CACHE:-~/.cache/spark-platform-e2e}).
 *
 * API:
 *   const cluster = await startCluster({ version: 'v1.35.4' });   // cluster.kubeconfig = admin
 *   await addKwokNode(cluster.kubeconfig, { name: 'n1', cpu: '8', memory: '32Gi', pods: 110 });
 *   ...
 *   await stopCluster(cluster);                                   // or stopCluster(stateDir)
 * CLI (ts-node --transpile-only):
 *   e2e/cluster.ts up <stateDir> [version] [--no-kwok] [--real-node]
 *                                            starts, prints the admin kubeconfig path, leaves it running
 *   e2e/cluster.ts status <stateDir>         prints each process and whether it is alive
 *   e2e/cluster.ts down <stateDir>           stops every process by pid and removes <stateDir>
 *
 * Network: every listener is on 127.0.0.1 (free ports picked at start). The apiserver's
 * "cluster" egress (to nodes, pods, services, webhooks) goes through e2e/egress-guard.js,
 * which only tunnels to loopback: kwok's pod IPs and the service range are never dialled.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { NODE_NAME, NODE_NETWORK, claimNode, cleanupNode, corednsRef, netpolBinary, nodeUnsupportedReason, setupNodeNetwork, startNode, sweepStaleNodes } from './node';

// ----------------------------------------------------------------------------------------------
// versions and binaries

interface VersionsFile {
  kubernetes: string[];
  kwok: string;
  etcd: { source: string; version: string };
  sparkOperator: { module: string; version: string };
  pyspark: string;
}

import { cacheDir } from './measurements';

export const E2E_DIR = __dirname;
export const VERSIONS: VersionsFile = JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'versions.json'), 'utf8'));
/** The Kubernetes versions setup.sh builds, newest first. */
export const KUBERNETES_VERSIONS: readonly string[] = VERSIONS.kubernetes;

export { cacheDir } from './measurements';

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
}

/** Paths of the binaries setup.sh built for `version`; throws (naming setup.sh) if one is missing. */
export function binaries(version: string, opts: { kwok?: boolean } = {}): Binaries {
  const bin = path.join(cacheDir(), 'bin');
  const k8s = path.join(bin, `kubernetes-${version}`);
  const b: Binaries = {
    etcd: path.join(bin, `etcd-${VERSIONS.etcd.version}`, 'etcd'),
    kubeApiserver: path.join(k8s, 'kube-apiserver'),
    kubeControllerManager: path.join(k8s, 'kube-controller-manager'),
    kubeScheduler: path.join(k8s, 'kube-scheduler'),
    kwok: path.join(bin, `kwok-${VERSIONS.kwok}`, 'kwok'),
  };
  const missing = Object.entries(b)
    .filter(([name, p]) => (name !== 'kwok' || opts.kwok !== false) && !fs.existsSync(p))
    .map(([, p]) => p);
  if (missing.length) {
    throw new Error(`e2e binaries missing (run e2e/setup.sh): ${missing.join(', ')}`);
  }
  return b;
}

// ----------------------------------------------------------------------------------------------
// types

export interface StartOptions {
  /** Where PKI, kubeconfigs, etcd data, logs and pids go. Default: a new mkdtemp under os.tmpdir(). */
  stateDir?: string;
  /** A version from versions.json. Default: the first (newest). */
  version?: string;
  /** Start kwok (fake nodes). Default true. */
  kwok?: boolean;
  /** Overall startup budget. Default 180 s, 420 s with `realNode`. */
  timeoutMs?: number;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=...']. */
  apiserverArgs?: string[];
  /**
   * Also run one real node (e2e/node.ts): containerd, kubelet, kube-proxy and CoreDNS on a pod
   * bridge of this machine, with the images setup.sh built imported. Needs root. The API server
   * then also listens on the bridge address (for pods, through the `kubernetes` Service).
   */
  realNode?: boolean;
  /** With `realNode`: enforce NetworkPolicies (kube-router's firewall on the node). Default true. */
  networkPolicies?: boolean;
  /** Kill the processes when this Node process exits (default true; the CLI's `up` sets false). */
  stopOnExit?: boolean;
  /** Progress lines; default: silent. */
  log?: (line: string) => void;
}

export interface Cluster {
  version: string;
  stateDir: string;
  /** Admin kubeconfig (client cert in system:masters), embedded credentials. */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  ports: Record<'etcdClient' | 'etcdPeer' | 'apiserver' | 'controllerManager' | 'scheduler', number>;
  /** File per component: etcd, egress-guard, kube-apiserver, kube-controller-manager, kube-scheduler, kwok. */
  logsDir: string;
  /** CA, admin client cert/key, service-account keys. */
  pki: { caCert: string; caKey: string; adminCert: string; adminKey: string; saKey: string; saPub: string };
  serviceClusterIpRange: string;
  pids: Record<string, number>;
  /** Set when started with `realNode`: the node's name and its containerd socket (for `ctr`). */
  node?: { name: string; containerdSocket: string };
}

interface ProcRecord {
  name: string;
  pid: number;
  /** /proc/<pid>/stat start time, to never signal a recycled pid. */
  startTime: string;
  argv0: string;
}

const MARKER = '.spark-e2e-cluster';
/** The file that marks a directory as an e2e cluster's state (stopCluster removes only such). */
export const CLUSTER_MARKER = MARKER;
const PIDS_FILE = 'pids.json';
/** Present in a state dir whose cluster has a real node (network, mounts, shims to clean up). */
const NODE_MARKER = '.spark-e2e-node';
const CLUSTER_FILE = 'cluster.json';
const SERVICE_CIDR = '10.96.0.0/16';
const SERVICE_FIRST_IP = '10.96.0.1';
/** Virtual pod IPs that kwok writes into pod status; nothing is ever sent there (see egress-guard.js). */
const KWOK_POD_CIDR = '10.244.0.0/16';
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
/**
 * Admission plugins, explicitly. All exist in 1.32 and 1.35; NodeRestriction is off by default and
 * must be listed, the rest are defaults that are listed so the configuration is readable here.
 */
export const ADMISSION_PLUGINS = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ServiceAccount',
  'NodeRestriction',
  'TaintNodesByCondition',
  'PodSecurity',
  'Priority',
  'DefaultTolerationSeconds',
  'DefaultStorageClass',
  'StorageObjectInUseProtection',
  'PersistentVolumeClaimResize',
  'RuntimeClass',
  'CertificateApproval',
  'CertificateSigning',
  'CertificateSubjectRestriction',
  'DefaultIngressClass',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook',
  'ResourceQuota',
];

// ----------------------------------------------------------------------------------------------
// process bookkeeping (works across processes: `up` and `down` may be different CLIs)

function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], startTime: fields[19] };
  } catch {
    return undefined;
  }
}

/** Alive = exists, is not a zombie, and is the very process we started (same start time). */
function isAlive(rec: ProcRecord): boolean {
  const st = procStat(rec.pid);
  return !!st && st.state !== 'Z' && st.startTime === rec.startTime;
}

function readPids(stateDir: string): ProcRecord[] {
  try {
    return JSON.parse(fs.readFileSync(path.join(stateDir, PIDS_FILE), 'utf8')) as ProcRecord[];
  } catch {
    return [];
  }
}

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** Processes started by this Node process, per state dir, killed on exit unless stopOnExit=false. */
const ownedStateDirs = new Set<string>();
let exitHookInstalled = false;
function killOwned(): void {
  for (const dir of ownedStateDirs) {
    const hasNode = fs.existsSync(path.join(dir, NODE_MARKER));
    for (const rec of readPids(dir)) {
      if (isAlive(rec)) {
        try {
          process.kill(rec.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    if (hasNode) {
      try {
        cleanupNode(dir);
      } catch {
        /* best effort on the way out; the next real node sweeps the rest */
      }
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killOwned);
  // The processes are detached (own process group), so a Ctrl-C does not reach them: kill them,
  // then let the signal take its default course.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killOwned();
      process.kill(process.pid, sig);
    });
  }
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

class Supervisor {
  readonly records: ProcRecord[] = [];
  readonly exited = new Map<string, string>();

  constructor(
    private readonly stateDir: string,
    private readonly logsDir: string,
  ) {}

  start(name: string, file: string, args: string[], env?: NodeJS.ProcessEnv): number {
    const logFile = path.join(this.logsDir, `${name}.log`);
    const fd = fs.openSync(logFile, 'a');
    fs.writeSync(fd, `# ${new Date().toISOString()} ${file} ${args.join(' ')}\n`);
    try {
      // detached: own process group, so a Ctrl-C to the test runner does not race our shutdown
      const child = spawn(file, args, { stdio: ['ignore', fd, fd], detached: true, env: env ?? process.env });
      if (child.pid === undefined) throw new Error(`could not start ${name} (${file})`);
      child.on('exit', (code, signal) => this.exited.set(name, signal ? `signal ${signal}` : `exit code ${code}`));
      child.on('error', (err) => this.exited.set(name, `spawn error: ${err.message}`));
      child.unref();
      const st = procStat(child.pid);
      this.records.push({ name, pid: child.pid, startTime: st?.startTime ?? '', argv0: file });
      writeJsonAtomic(path.join(this.stateDir, PIDS_FILE), this.records);
      return child.pid;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Throws with the log tail if any started process has exited. */
  check(): void {
    for (const rec of this.records) {
      const how = this.exited.get(rec.name) ?? (isAlive(rec) ? undefined : 'exited');
      if (how) {
        throw new Error(`${rec.name} ${how}; last log lines:\n${tail(path.join(this.logsDir, `${rec.name}.log`))}`);
      }
    }
  }
}

// ----------------------------------------------------------------------------------------------
// ports, PKI, kubeconfigs

async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((srv.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** The real node's API server port (see startCluster). */
export const REAL_NODE_APISERVER_PORT = 6443;

/** `port` if nothing listens on it (any address), else an error naming it. */
async function fixedPort(port: number): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} is in use (${e.code}): the real node's API server listens there; stop what holds it`)));
    srv.listen(port, '0.0.0.0', () => resolve());
  });
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

interface CertSpec {
  name: string;
  subject: string;
  usage: 'serverAuth' | 'clientAuth';
  sans?: string[];
  /** Signing CA (file stem in the pki dir); default 'ca'. */
  ca?: string;
}

function makePki(dir: string, extraApiserverSans: string[] = []): Cluster['pki'] {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ecKey = (name: string) =>
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  const makeCa = (name: string, cn: string) => {
    ecKey(name);
    openssl(
      [
        'req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-days', '30', '-sha256',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
        '-out', `${name}.crt`,
      ],
      dir,
    );
  };
  makeCa('ca', 'spark-e2e-ca');
  // the aggregation layer's own CA, as kubeadm does: only its client may assert X-Remote-User
  makeCa('front-proxy-ca', 'spark-e2e-front-proxy-ca');
  const certs: CertSpec[] = [
    {
      name: 'apiserver',
      subject: '/CN=kube-apiserver',
      usage: 'serverAuth',
      sans: [
        'IP:127.0.0.1',
        `IP:${SERVICE_FIRST_IP}`,
        'DNS:localhost',
        'DNS:kubernetes',
        'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc',
        'DNS:kubernetes.default.svc.cluster.local',
        ...extraApiserverSans,
      ],
    },
    // the API server's client certificate towards kubelets (logs, exec)
    { name: 'apiserver-kubelet-client', subject: '/O=system:masters/CN=kube-apiserver-kubelet-client', usage: 'clientAuth' },
    { name: 'admin', subject: '/O=system:masters/CN=spark-e2e-admin', usage: 'clientAuth' },
    { name: 'controller-manager', subject: '/CN=system:kube-controller-manager', usage: 'clientAuth' },
    { name: 'scheduler', subject: '/CN=system:kube-scheduler', usage: 'clientAuth' },
    { name: 'front-proxy-client', subject: '/CN=front-proxy-client', usage: 'clientAuth', ca: 'front-proxy-ca' },
  ];
  for (const c of certs) {
    ecKey(c.name);
    openssl(['req', '-new', '-key', `${c.name}.key`, '-subj', c.subject, '-out', `${c.name}.csr`], dir);
    const ext = [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      `extendedKeyUsage=${c.usage}`,
      ...(c.sans ? [`subjectAltName=${c.sans.join(',')}`] : []),
    ];
    fs.writeFileSync(path.join(dir, `${c.name}.ext`), ext.join('\n') + '\n');
    openssl(
      [
        'x509', '-req', '-in', `${c.name}.csr`, '-CA', `${c.ca ?? 'ca'}.crt`, '-CAkey', `${c.ca ?? 'ca'}.key`, '-CAcreateserial',
        '-days', '30', '-sha256', '-extfile', `${c.name}.ext`, '-out', `${c.name}.crt`,
      ],
      dir,
    );
  }
  // service-account token signing pair (RS256)
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key'], dir);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const p = (f: string) => path.join(dir, f);
  return {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
  };
}

/** One more client certificate signed by the cluster CA (for the real node's components). */
function makeClientCert(dir: string, name: string, subject: string): { cert: string; key: string } {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  fs.writeFileSync(path.join(dir, `${name}.ext`), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
  return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
}

function writeKubeconfig(file: string, server: string, caCert: string, cert: string, key: string, user: string): void {
  const b64 = (f: string) => fs.readFileSync(f).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'spark-e2e', cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(cert), 'client-key-data': b64(key) } }],
    contexts: [{ name: 'spark-e2e', context: { cluster: 'spark-e2e', user } }],
    'current-context': 'spark-e2e',
  };
  fs.writeFileSync(file, YAML.stringify(config), { mode: 0o600 });
}

// ----------------------------------------------------------------------------------------------
// HTTP helpers (node's https with the kubeconfig's client cert)

export interface ApiClient {
  server: string;
  ca: Buffer;
  /** Client certificate auth (admin, components)... */
  cert?: Buffer;
  key?: Buffer;
  /** ...or a bearer token (e.g. from `kubectl create token`). */
  token?: string;
}

/** A client that authenticates with a bearer token, e.g. a ServiceAccount's TokenRequest token. */
export function tokenClient(cluster: Pick<Cluster, 'server' | 'pki'>, token: string): ApiClient {
  return { server: cluster.server, ca: fs.readFileSync(cluster.pki.caCert), token };
}

/** Reads a kubeconfig's current context (embedded data or file paths). */
export function clientFromKubeconfig(kubeconfig: string): ApiClient {
  const cfg = YAML.parse(fs.readFileSync(kubeconfig, 'utf8'));
  const ctx = cfg.contexts.find((c: { name: string }) => c.name === cfg['current-context'])?.context ?? cfg.contexts[0].context;
  const cluster = cfg.clusters.find((c: { name: string }) => c.name === ctx.cluster).cluster;
  const user = cfg.users.find((u: { name: string }) => u.name === ctx.user).user;
  const base = path.dirname(kubeconfig);
  const load = (data: string | undefined, file: string | undefined): Buffer => {
    if (data) return Buffer.from(data, 'base64');
    if (file) return fs.readFileSync(path.resolve(base, file));
    throw new Error(`${kubeconfig}: needs certificate data or files for ${ctx.user}@${ctx.cluster}`);
  };
  const ca = load(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (user.token) return { server: cluster.server, ca, token: user.token };
  return {
    server: cluster.server,
    ca,
    cert: load(user['client-certificate-data'], user['client-certificate']),
    key: load(user['client-key-data'], user['client-key']),
  };
}

export interface ApiResponse {
  status: number;
  body: string;
  json<T = any>(): T;
}

/** One request to the apiserver; `body` objects are sent as JSON (or `contentType` for patches). */
export function apiRequest(
  client: ApiClient,
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = 'application/json',
  timeoutMs = 15_000,
): Promise<ApiResponse> {
  const url = new URL(urlPath, client.server);
  assertLoopback(url.hostname);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: client.ca,
        cert: client.cert,
        key: client.key,
        timeout: timeoutMs,
        // a fresh connection per request: Node's global agent keeps sockets alive, and one the API
        // server closed after its idle timeout (while the event loop was busy, e.g. importing
        // images) fails its next request with "socket hang up"
        agent: false,
        headers: {
          Accept: 'application/json',
          ...(client.token ? { Authorization: `Bearer ${client.token}` } : {}),
          ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** POST of one object; `existing: 'ok'` also accepts 409 (made by an earlier run or file). */
export async function createObject(client: ApiClient, urlPath: string, body: unknown, existing: 'ok' | 'error' = 'error'): Promise<void> {
  const r = await apiRequest(client, 'POST', urlPath, body);
  if (r.status !== 201 && !(existing === 'ok' && r.status === 409)) throw new Error(`POST ${urlPath}: HTTP ${r.status} ${r.body}`);
}

/** A ClusterRole with `rules` and its binding to `subject`, both named `name`. */
async function grantClusterRole(client: ApiClient, name: string, rules: unknown[], subject: Record<string, string>): Promise<void> {
  await createObject(client, '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules,
  }, 'ok');
  await createObject(client, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [subject],
  }, 'ok');
}

function assertLoopback(host: string): void {
  const h = host.replace(/^\[|\]$/g, '');
  if (!(h === 'localhost' || h === '::1' || (net.isIPv4(h) && h.startsWith('127.')))) {
    throw new Error(`e2e traffic goes to loopback only, refusing ${host}`);
  }
}

/** GET on a local health endpoint; status code or undefined if nothing answers yet. */
function probe(url: string, client?: ApiClient): Promise<number | undefined> {
  return new Promise((resolve) => {
    const u = new URL(url);
    assertLoopback(u.hostname);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'GET',
        timeout: 3000,
        ...(client ? { ca: client.ca, cert: client.cert, key: client.key } : {}),
        // kube-controller-manager / kube-scheduler serve a self-signed loopback cert
        ...(u.protocol === 'https:' && !client ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `test` until it holds. A test that throws (connection refused or reset while a component
 * starts) counts as "not yet"; a component that exited fails at once (`sup.check`), and the
 * timeout names the last error seen.
 */
async function waitFor(what: string, deadline: number, sup: Supervisor | undefined, test: () => Promise<boolean>): Promise<void> {
  let lastError: unknown;
  for (;;) {
    sup?.check();
    try {
      if (await test()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(250);
  }
}

// ----------------------------------------------------------------------------------------------
// start / stop

let lastCluster: Cluster | undefined;

export async function startCluster(opts: StartOptions = {}): Promise<Cluster> {
  const version = opts.version ?? KUBERNETES_VERSIONS[0];
  const realNode = opts.realNode === true;
  const bins = binaries(version, { kwok: opts.kwok !== false });
  if (realNode) {
    const why = nodeUnsupportedReason();
    if (why) throw new Error(`startCluster(realNode): ${why}`);
  }
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  // a real node imports every image first: 104 s alone on a loaded CI machine (about 76 s for the
  // whole start on an idle one)
  const deadline = t0 + (opts.timeoutMs ?? (realNode ? 420_000 : 180_000));
  const stateDir = opts.stateDir ? path.resolve(opts.stateDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'spark-e2e-'));
  fs.mkdirSync(stateDir, { recursive: true });
  if (readPids(stateDir).some(isAlive)) throw new Error(`${stateDir} already has a running cluster`);
  fs.writeFileSync(path.join(stateDir, MARKER), `${version}\n`);
  const logsDir = path.join(stateDir, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });
  const sup = new Supervisor(stateDir, logsDir);
  if (opts.stopOnExit !== false) {
    ownedStateDirs.add(stateDir);
    installExitHook();
  }

  try {
    const [etcdClient, etcdPeer, anyPort, controllerManager, scheduler] = await freePorts(5);
    // With a real node, pods reach the API server through the `kubernetes` Service, whose endpoint
    // port is what NetworkPolicies see (after the Service's DNAT): 6443 as in kubeadm clusters,
    // one of the ports the platform's API server egress allows by default.
    const apiserver = realNode ? await fixedPort(REAL_NODE_APISERVER_PORT) : anyPort;
    const ports = { etcdClient, etcdPeer, apiserver, controllerManager, scheduler };
    const server = `https://127.0.0.1:${apiserver}`;

    const pki = makePki(path.join(stateDir, 'pki'), realNode ? [`IP:${NODE_NETWORK.hostIp}`] : []);
    const kc = (name: string) => path.join(stateDir, `${name}.kubeconfig`);
    const pkiFile = (f: string) => path.join(stateDir, 'pki', f);
    writeKubeconfig(kc('admin'), server, pki.caCert, pki.adminCert, pki.adminKey, 'admin');
    writeKubeconfig(kc('controller-manager'), server, pki.caCert, pkiFile('controller-manager.crt'), pkiFile('controller-manager.key'), 'kube-controller-manager');
    writeKubeconfig(kc('scheduler'), server, pki.caCert, pkiFile('scheduler.crt'), pkiFile('scheduler.key'), 'kube-scheduler');
    log(`pki and kubeconfigs ready (${Date.now() - t0} ms)`);

    // etcd
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    sup.start('etcd', bins.etcd, [
      '--name=e2e',
      `--data-dir=${path.join(stateDir, 'etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=e2e=${peerUrl}`,
      '--initial-cluster-state=new',
      '--initial-cluster-token=spark-e2e',
      '--enable-pprof=false',
      '--quota-backend-bytes=2147483648',
    ]);

    // loopback-only egress for the apiserver
    const egressSock = path.join(stateDir, 'egress.sock');
    // with a real node, its pods and Service VIPs are this machine's too (webhooks, kubelet)
    const localNets = realNode ? [NODE_NETWORK.podSubnet, `${NODE_NETWORK.hostIp}/32`, SERVICE_CIDR].join(',') : '';
    sup.start('egress-guard', process.execPath, [path.join(E2E_DIR, 'egress-guard.js'), egressSock, serviceMapFile(stateDir), localNets]);
    if (realNode) {
      claimNode(stateDir);
      sweepStaleNodes(log);
      setupNodeNetwork(apiserver);
      fs.writeFileSync(path.join(stateDir, NODE_MARKER), '');
      log(`node network ${NODE_NETWORK.bridge} ${NODE_NETWORK.hostIp} ready (${Date.now() - t0} ms)`);
    }
    const egressConfig = path.join(stateDir, 'egress-selector.yaml');
    fs.writeFileSync(
      egressConfig,
      YAML.stringify({
        apiVersion: 'apiserver.k8s.io/v1beta1',
        kind: 'EgressSelectorConfiguration',
        egressSelections: [
          { name: 'cluster', connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: egressSock } } } },
        ],
      }),
    );
    await waitFor('etcd /health', deadline, sup, async () => (await probe(`${etcdUrl}/health`)) === 200);
    await waitFor('egress-guard socket', deadline, sup, async () => fs.existsSync(egressSock));
    log(`etcd ready (${Date.now() - t0} ms)`);

    sup.start('kube-apiserver', bins.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      // with a real node, pods reach it at the bridge address (INPUT rules keep other interfaces out)
      `--bind-address=${realNode ? '0.0.0.0' : '127.0.0.1'}`,
      `--advertise-address=${realNode ? NODE_NETWORK.hostIp : '127.0.0.1'}`,
      `--secure-port=${apiserver}`,
      `--cert-dir=${path.join(stateDir, 'apiserver-certs')}`,
      `--tls-cert-file=${pkiFile('apiserver.crt')}`,
      `--tls-private-key-file=${pkiFile('apiserver.key')}`,
      `--client-ca-file=${pki.caCert}`,
      // aggregation layer (front proxy), as in kubeadm clusters
      `--requestheader-client-ca-file=${pkiFile('front-proxy-ca.crt')}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pkiFile('front-proxy-client.crt')}`,
      `--proxy-client-key-file=${pkiFile('front-proxy-client.key')}`,
      '--authorization-mode=Node,RBAC',
      `--enable-admission-plugins=${ADMISSION_PLUGINS.join(',')}`,
      '--allow-privileged=false',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // kwok nodes get InternalIP 127.0.0.1: never resolve a node's hostname
      '--kubelet-preferred-address-types=InternalIP',
      `--egress-selector-config-file=${egressConfig}`,
      // the "kubernetes" Service endpoints cannot hold 127.0.0.1 (loopback is invalid there)
      ...(realNode
        ? [`--kubelet-client-certificate=${pkiFile('apiserver-kubelet-client.crt')}`, `--kubelet-client-key=${pkiFile('apiserver-kubelet-client.key')}`]
        : ['--endpoint-reconciler-type=none']),
      '--profiling=false',
      '--v=1',
      ...(opts.apiserverArgs ?? []),
    ]);
    const admin = clientFromKubeconfig(kc('admin'));
    await waitFor('kube-apiserver /readyz', deadline, sup, async () => (await probe(`${server}/readyz`, admin)) === 200);
    log(`kube-apiserver ready (${Date.now() - t0} ms)`);

    sup.start('kube-controller-manager', bins.kubeControllerManager, [
      `--kubeconfig=${kc('controller-manager')}`,
      `--authentication-kubeconfig=${kc('controller-manager')}`,
      `--authorization-kubeconfig=${kc('controller-manager')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${controllerManager}`,
      `--cert-dir=${path.join(stateDir, 'controller-manager-certs')}`,
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.saKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--leader-elect=false',
      '--profiling=false',
      '--v=1',
    ]);
    sup.start('kube-scheduler', bins.kubeScheduler, [
      `--kubeconfig=${kc('scheduler')}`,
      `--authentication-kubeconfig=${kc('scheduler')}`,
      `--authorization-kubeconfig=${kc('scheduler')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${scheduler}`,
      `--cert-dir=${path.join(stateDir, 'scheduler-certs')}`,
      '--leader-elect=false',
      '--profiling=false',
      '--v=1',
    ]);
    if (opts.kwok !== false) {
      const kwokHome = path.join(stateDir, 'kwok-home'); // kwok also reads ~/.kwok/kwok.yaml: keep it empty
      fs.mkdirSync(kwokHome, { recursive: true });
      sup.start(
        'kwok',
        bins.kwok,
        [
          `--kubeconfig=${kc('admin')}`,
          `--config=${path.join(E2E_DIR, 'kwok-stages.yaml')}`,
          '--manage-all-nodes=false',
          `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
          '--node-ip=127.0.0.1',
          `--cidr=${KWOK_POD_CIDR}`,
          '--node-lease-duration-seconds=40',
          // DEBUG shows why a stage did or did not apply
          `-v=${process.env.SPARK_E2E_KWOK_LOG_LEVEL ?? 'INFO'}`,
        ],
        { ...process.env, HOME: kwokHome },
      );
    }
    await waitFor('kube-controller-manager /healthz', deadline, sup, async () => (await probe(`https://127.0.0.1:${controllerManager}/healthz`)) === 200);
    await waitFor('kube-scheduler /healthz', deadline, sup, async () => (await probe(`https://127.0.0.1:${scheduler}/healthz`)) === 200);
    await waitFor('default ServiceAccount and kube-root-ca.crt in namespace default', deadline, sup, async () => {
      const sa = await apiRequest(admin, 'GET', '/api/v1/namespaces/default/serviceaccounts/default');
      const cm = await apiRequest(admin, 'GET', '/api/v1/namespaces/default/configmaps/kube-root-ca.crt');
      return sa.status === 200 && cm.status === 200;
    });
    sup.check();
    log(`control plane ready (${Date.now() - t0} ms)`);
    let node: Cluster['node'];
    if (realNode) {
      const handle = await startNode(
        {
          stateDir,
          caCert: pki.caCert,
          internalServer: `https://${NODE_NETWORK.hostIp}:${apiserver}`,
          start: (name, file, args, env) => sup.start(name, file, args, env),
          check: () => sup.check(),
          makeClientCert: (name, subject) => makeClientCert(path.join(stateDir, 'pki'), name, subject),
          writeKubeconfig: (file, srv, cert, key, user) => writeKubeconfig(file, srv, pki.caCert, cert, key, user),
          freePorts,
          log,
        },
        deadline,
      );
      await waitForRealNode(admin, deadline, sup);
      log(`node ${NODE_NAME} Ready, DNS Service ${NODE_NETWORK.dnsServiceIp} (${Date.now() - t0} ms)`);
      if (opts.networkPolicies !== false) {
        await startNetworkPolicyEngine(admin, stateDir, server, pki.caCert, sup);
        log(`NetworkPolicies enforced (kube-router firewall) (${Date.now() - t0} ms)`);
      }
      node = { name: NODE_NAME, containerdSocket: handle.containerdSocket };
    }

    const cluster: Cluster = {
      version,
      stateDir,
      kubeconfig: kc('admin'),
      server,
      ports,
      logsDir,
      pki,
      serviceClusterIpRange: SERVICE_CIDR,
      pids: Object.fromEntries(sup.records.map((r) => [r.name, r.pid])),
      ...(node ? { node } : {}),
    };
    writeJsonAtomic(path.join(stateDir, CLUSTER_FILE), cluster);
    lastCluster = cluster;
    return cluster;
  } catch (err) {
    const keep = process.env.SPARK_E2E_KEEP_STATE === '1';
    await stopProcesses(stateDir).catch(() => undefined);
    if (realNode) {
      try {
        cleanupNode(stateDir);
      } catch (e) {
        log(`node cleanup: ${(e as Error).message}`);
      }
    }
    if (!keep) removeStateDir(stateDir);
    ownedStateDirs.delete(stateDir);
    const where = keep ? ` (state kept in ${stateDir})` : ' (set SPARK_E2E_KEEP_STATE=1 to keep its logs)';
    throw new Error(`startCluster(${version}) failed${where}: ${(err as Error).message}`);
  }
}

/**
 * Waits until the real node is Ready and untainted, then runs the cluster DNS as any cluster
 * does: CoreDNS pods in kube-system labelled k8s-app=kube-dns (the peers the platform's DNS
 * egress policies name) with a read-only account, behind the `kube-dns` Service at the kubelet's
 * clusterDNS address; cluster.local only, no upstream. Waits until a CoreDNS pod is Ready.
 */
async function waitForRealNode(admin: ApiClient, deadline: number, sup: Supervisor): Promise<void> {
  await waitFor(`node ${NODE_NAME} Ready`, deadline, sup, async () => {
    const r = await apiRequest(admin, 'GET', `/api/v1/nodes/${NODE_NAME}`);
    if (r.status !== 200) return false;
    const n = r.json();
    const ready = n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
    return ready && !(n.spec?.taints ?? []).length;
  });
  const ns = 'kube-system';
  const labels = { 'k8s-app': 'kube-dns' };
  const create = (p: string, body: unknown) => createObject(admin, p, body);
  await create(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns' } });
  await grantClusterRole(admin, 'spark-e2e:coredns', [
    { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
  ], { kind: 'ServiceAccount', name: 'coredns', namespace: ns });
  // port 53 in the pod, as in any cluster (NetworkPolicies see the pod's port, after the Service's
  // DNAT, and the platform's DNS egress allows 53): non-root, through the pod's safe sysctl
  const corefile = [
    '.:53 {',
    '    errors',
    '    health :8080',
    '    ready :8181',
    `    kubernetes ${NODE_NETWORK.clusterDomain} in-addr.arpa ip6.arpa {`,
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '    }',
    '    cache 5',
    '}',
    '',
  ].join('\n');
  await create(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns' }, data: { Corefile: corefile } });
  await create(`/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'coredns',
          dnsPolicy: 'Default',
          securityContext: {
            runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' },
            sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '53' }],
          },
          containers: [{
            name: 'coredns',
            image: corednsRef(),
            imagePullPolicy: 'IfNotPresent',
            args: ['-conf', '/etc/coredns/Corefile'],
            ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }],
            readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
            livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
            resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
          }],
          volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
        },
      },
    },
  });
  await create(`/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', labels },
    spec: {
      selector: labels,
      clusterIP: NODE_NETWORK.dnsServiceIp,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  });
  await waitFor('a CoreDNS pod Ready', deadline, sup, async () => {
    const r = await apiRequest(admin, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/coredns`);
    return r.status === 200 && (r.json().status?.readyReplicas ?? 0) >= 1;
  });
}

/**
 * The real node's NetworkPolicy engine: kube-router with only its firewall (iptables + ipset:
 * per-pod chains in FORWARD/INPUT/OUTPUT built from the NetworkPolicies). It authenticates with a
 * client certificate of its own, allowed to read what it watches (ClusterRole below).
 */
async function startNetworkPolicyEngine(admin: ApiClient, stateDir: string, server: string, caCert: string, sup: Supervisor): Promise<void> {
  const bin = netpolBinary();
  const name = 'spark-e2e:kube-router';
  await grantClusterRole(admin, name, [
    { apiGroups: [''], resources: ['pods', 'namespaces', 'nodes', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  ], { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'spark-e2e-kube-router' });
  const pkiDir = path.join(stateDir, 'pki');
  const cert = makeClientCert(pkiDir, 'kube-router', '/CN=spark-e2e-kube-router');
  const kubeconfig = path.join(stateDir, 'node', 'kube-router.kubeconfig');
  writeKubeconfig(kubeconfig, server, caCert, cert.cert, cert.key, 'spark-e2e-kube-router');
  const [health] = await freePorts(1);
  sup.start('kube-router', bin, [
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${NODE_NAME}`,
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    '--enable-cni=false',
    '--enable-ipv6=false',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    `--health-port=${health}`,
    '--v=1',
  ], { ...process.env, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });
  // ready when its policy chain hangs off FORWARD
  await waitFor('kube-router\'s firewall chains', Date.now() + 90_000, sup, async () =>
    /KUBE-ROUTER-FORWARD/.test(spawnSync('iptables', ['-S', 'FORWARD'], { encoding: 'utf8' }).stdout ?? ''));
}

/**
 * Stops every recorded process, newest first (clients, then kube-apiserver, then etcd: an
 * apiserver whose etcd is already gone spends seconds in retries): SIGTERM, SIGKILL after
 * `graceMs`, and waits until each one is gone before the next.
 */
async function stopProcesses(stateDir: string, graceMs = 10_000): Promise<void> {
  const recs = readPids(stateDir);
  const tiers = [
    recs.filter((r) => !['kube-apiserver', 'etcd', 'egress-guard'].includes(r.name)),
    recs.filter((r) => r.name === 'kube-apiserver'),
    recs.filter((r) => r.name === 'etcd' || r.name === 'egress-guard'),
  ];
  const send = (group: ProcRecord[], sig: NodeJS.Signals) => {
    for (const rec of group) {
      if (!isAlive(rec)) continue;
      try {
        process.kill(rec.pid, sig);
      } catch {
        /* exited meanwhile */
      }
    }
  };
  const waitGone = async (group: ProcRecord[], ms: number) => {
    const deadline = Date.now() + ms;
    while (group.some(isAlive) && Date.now() < deadline) await sleep(50);
  };
  for (const group of tiers) {
    send(group, 'SIGTERM');
    await waitGone(group, graceMs);
    if (group.some(isAlive)) {
      send(group, 'SIGKILL');
      await waitGone(group, 5_000);
    }
  }
  const left = recs.filter(isAlive);
  if (left.length) throw new Error(`still alive after SIGKILL: ${left.map((r) => `${r.name}(${r.pid})`).join(', ')}`);
}

function removeStateDir(stateDir: string): void {
  // only a directory startCluster marked, so `down /some/typo` cannot wipe anything else
  if (fs.existsSync(path.join(stateDir, MARKER))) fs.rmSync(stateDir, { recursive: true, force: true });
}

function serviceMapFile(stateDir: string): string {
  return path.join(stateDir, 'service-map.json');
}

/**
 * Makes the API server reach a Service (its ClusterIP and port) at a port on 127.0.0.1, where
 * the test runs the Service's process (e.g. the operator's admission webhook): egress-guard.js
 * tunnels the API server's connections to that address there. Loopback only.
 */
export function mapServiceToLoopback(cluster: Cluster, clusterIp: string, port: number, loopbackPort: number): void {
  const file = serviceMapFile(cluster.stateDir);
  const map = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  map[`${clusterIp}:${port}`] = `127.0.0.1:${loopbackPort}`;
  fs.writeFileSync(file, JSON.stringify(map, null, 2));
}

/** Stops a cluster (default: the last one started here) and removes its state dir. */
export async function stopCluster(target?: Cluster | string, opts: { graceMs?: number } = {}): Promise<void> {
  const stateDir = typeof target === 'string' ? path.resolve(target) : (target ?? lastCluster)?.stateDir;
  if (!stateDir) return;
  if (!fs.existsSync(stateDir)) return;
  if (!fs.existsSync(path.join(stateDir, MARKER))) throw new Error(`${stateDir} is not an e2e cluster state dir`);
  await stopProcesses(stateDir, opts.graceMs);
  if (fs.existsSync(path.join(stateDir, NODE_MARKER))) cleanupNode(stateDir);
  removeStateDir(stateDir);
  ownedStateDirs.delete(stateDir);
  if (lastCluster?.stateDir === stateDir) lastCluster = undefined;
}

export function clusterStatus(stateDir: string): { name: string; pid: number; alive: boolean }[] {
  return readPids(path.resolve(stateDir)).map((r) => ({ name: r.name, pid: r.pid, alive: isAlive(r) }));
}

// ----------------------------------------------------------------------------------------------
// kwok nodes

export interface KwokNodeOptions {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  /** Extra resources for capacity/allocatable, e.g. { 'ephemeral-storage': '100Gi' }. */
  resources?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  /** Wait until the node is Ready and carries no taint but `taints` (default 60 s). */
  timeoutMs?: number;
}

/**
 * Creates a Node managed by kwok (annotation kwok.x-k8s.io/node=fake) with the given
 * capacity = allocatable, and waits until kwok has made it Ready and the node lifecycle
 * controller has lifted its not-ready taint, so the scheduler places pods on it.
 */
export async function addKwokNode(kubeconfig: string, opts: KwokNodeOptions): Promise<any> {
  const client = clientFromKubeconfig(kubeconfig);
  const resources = {
    cpu: opts.cpu ?? '8',
    memory: opts.memory ?? '32Gi',
    pods: String(opts.pods ?? 110),
    'ephemeral-storage': '100Gi',
    ...(opts.resources ?? {}),
  };
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: opts.name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': opts.name,
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
        ...(opts.labels ?? {}),
      },
    },
    spec: { taints: opts.taints ?? [] },
    // node status is accepted on create; kwok's e2e-node-ready stage adds the conditions
    status: {
      capacity: resources,
      allocatable: resources,
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: opts.name },
      ],
    },
  };
  const res = await apiRequest(client, 'POST', '/api/v1/nodes', node);
  if (res.status !== 201) throw new Error(`create node ${opts.name}: HTTP ${res.status} ${res.body}`);
  const wanted = new Set((opts.taints ?? []).map((t) => `${t.key}:${t.effect}`));
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let last: any;
  for (;;) {
    const get = await apiRequest(client, 'GET', `/api/v1/nodes/${encodeURIComponent(opts.name)}`);
    last = get.status === 200 ? get.json() : undefined;
    const ready = last?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
    const extraTaints = (last?.spec?.taints ?? []).filter((t: any) => !wanted.has(`${t.key}:${t.effect}`));
    if (ready && extraTaints.length === 0) return last;
    if (Date.now() > deadline) {
      throw new Error(`node ${opts.name} not Ready/untainted after ${opts.timeoutMs ?? 60_000} ms: ${JSON.stringify(last?.status?.conditions)} taints=${JSON.stringify(last?.spec?.taints)}`);
    }
    await sleep(250);
  }
}

// ----------------------------------------------------------------------------------------------
// CLI

async function main(argv: string[]): Promise<number> {
  const noKwok = argv.includes('--no-kwok');
  const realNode = argv.includes('--real-node');
  const [cmd, stateDir, version] = argv.filter((a) => a !== '--no-kwok' && a !== '--real-node');
  switch (cmd) {
    case 'up': {
      if (!stateDir) break;
      const cluster = await startCluster({
        stateDir,
        version,
        kwok: !noKwok,
        realNode,
        stopOnExit: false,
        log: (l) => process.stderr.write(`[cluster] ${l}\n`),
      });
      process.stdout.write(`${cluster.kubeconfig}\n`);
      return 0;
    }
    case 'down':
      if (!stateDir) break;
      await stopCluster(stateDir);
      return 0;
    case 'status': {
      if (!stateDir) break;
      const st = clusterStatus(stateDir);
      for (const p of st) process.stdout.write(`${p.name.padEnd(24)} ${String(p.pid).padStart(8)} ${p.alive ? 'running' : 'stopped'}\n`);
      return st.length > 0 && st.every((p) => p.alive) ? 0 : 1;
    }
    default:
  }
  process.stderr.write('usage: cluster.ts up <stateDir> [version] [--no-kwok] [--real-node] | down <stateDir> | status <stateDir>\n');
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
