/**
 * One real node for the e2e control plane (cluster.ts `startCluster({ realNode: true })`):
 * containerd + runc (Debian), the CNI bridge/host-local/loopback/portmap plugins (Debian),
 * kubelet and kube-proxy (built from k8s.io/kubernetes by setup.sh step `node`) and CoreDNS
 * (its image, step `coredns`: the cluster DNS runs as pods, see cluster.ts), all as processes of
 * this machine under the cluster's state dir.
 *
 * Network: pods get addresses on a bridge of their own (NODE_NETWORK) that has no route out
 * of the machine: a FORWARD rule drops anything from the pod subnet that is not going back into
 * the bridge (and anything into it that did not come from it), so pods reach each other, the
 * host's bridge address (API server, kubelet, DNS) and Service VIPs (kube-proxy, iptables mode),
 * never another address. The API server listens on the bridge address too (for in-cluster
 * clients, through the `kubernetes` Service), and an INPUT rule keeps its port off every other
 * interface. DNS: CoreDNS pods in kube-system (k8s-app=kube-dns) behind the `kube-dns` Service
 * at the kubelet's clusterDNS address, answering cluster.local only (no upstream).
 *
 * Images: no registry is reachable, so setup.sh builds them (e2e/images/build.sh, and the pause
 * image in step node) and `importImages` loads them into the node's containerd under the
 * references the manifests use.
 */
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';

/** The pod network of the real node. One real node per machine at a time. */
export const NODE_NETWORK = {
  bridge: 'spe2e0',
  /** host-local range of the node's pods */
  podSubnet: '10.88.0.0/24',
  /** the host's address on the bridge: node InternalIP, the pods' gateway, DNS, API server */
  hostIp: '10.88.0.1',
  /** the `kube-dns` Service ClusterIP (kubelet clusterDNS); inside the cluster's service range */
  dnsServiceIp: '10.96.0.10',
  clusterDomain: 'cluster.local',
} as const;

export const NODE_NAME = 'e2e-node';
const IPTABLES_CHAIN = 'SPARK-E2E-NODE';
/** The cluster's Service range (cluster.ts SERVICE_CIDR). */
const SERVICE_RANGE = '10.96.0.0/16';

export interface NodeBinaries {
  kubelet: string;
  kubeProxy: string;
  corednsImage: string;
  containerd: string;
  ctr: string;
  runc: string;
  cniBinDir: string;
  pauseImage: string;
}

interface NodeVersions {
  node: { kubernetes: string; coredns: { version: string }; networkPolicy: { version: string; binary: string } };
}

/** The node's NetworkPolicy engine, kube-router (setup.sh step netpol). */
export function netpolBinary(): string {
  const np = nodeVersions().networkPolicy;
  const p = path.join(cacheDir(), 'bin', `${np.binary}-${np.version}`, np.binary);
  if (!fs.existsSync(p)) throw new Error(`${p} is missing (run: bash e2e/setup.sh netpol)`);
  return p;
}

export function cacheDir(): string {
  return process.env.SPARK_E2E_CACHE || path.join(os.homedir(), '.cache', 'spark-platform-e2e');
}

export function nodeVersions(): NodeVersions['node'] {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, 'versions.json'), 'utf8')) as NodeVersions).node;
}

/** The real node's binaries; throws naming what is missing and the setup step that builds it. */
export function nodeBinaries(): NodeBinaries {
  const v = nodeVersions();
  const bin = path.join(cacheDir(), 'bin');
  const pauseDirs = fs.existsSync(path.join(cacheDir(), 'node'))
    ? fs.readdirSync(path.join(cacheDir(), 'node')).filter((d) => /^pause-[0-9a-f]+$/.test(d))
    : [];
  const b: NodeBinaries = {
    kubelet: path.join(bin, `kubernetes-node-${v.kubernetes}`, 'kubelet'),
    kubeProxy: path.join(bin, `kubernetes-node-${v.kubernetes}`, 'kube-proxy'),
    corednsImage: path.join(cacheDir(), 'node', `coredns-${v.coredns.version}`, 'coredns.oci.tar'),
    containerd: '/usr/bin/containerd',
    ctr: '/usr/bin/ctr',
    runc: '/usr/sbin/runc',
    cniBinDir: '/usr/lib/cni',
    pauseImage: path.join(cacheDir(), 'node', pauseDirs[0] ?? 'pause-missing', 'pause.oci.tar'),
  };
  if (!fs.existsSync(b.runc) && fs.existsSync('/usr/bin/runc')) b.runc = '/usr/bin/runc';
  const missing = Object.entries(b).filter(([, p]) => !fs.existsSync(p)).map(([k, p]) => `${k} (${p})`);
  if (missing.length) throw new Error(`the real node's binaries are missing (run: bash e2e/setup.sh node coredns images): ${missing.join(', ')}`);
  return b;
}

/** Why a real node cannot run here (not root, no bridge netfilter...), or undefined. */
export function nodeUnsupportedReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the real node needs root (containerd, runc, network setup)';
  if (!fs.existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) return 'br_netfilter is not loaded (/proc/sys/net/bridge missing)';
  try {
    nodeBinaries();
    netpolBinary();
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** What startNode needs from the control plane (cluster.ts). */
export interface NodeContext {
  stateDir: string;
  caCert: string;
  /** https://<NODE_NETWORK.hostIp>:<port>: how the node's components reach the API server */
  internalServer: string;
  /** starts a supervised process (recorded for stopCluster) */
  start(name: string, file: string, args: string[], env?: NodeJS.ProcessEnv): number;
  /** throws if a supervised process exited */
  check(): void;
  makeClientCert(name: string, subject: string): { cert: string; key: string };
  writeKubeconfig(file: string, server: string, cert: string, key: string, user: string): void;
  freePorts(n: number): Promise<number[]>;
  log(line: string): void;
}

export interface NodeHandle {
  containerdSocket: string;
  kubeletPort: number;
}

// ----------------------------------------------------------------------------------------------
// host network: bridge, sysctls, isolation rules (undone by cleanupNode)

function sh(cmd: string, args: string[], opts: { allowFail?: boolean } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout || String(r.error ?? '')).trim()}`);
  }
  return r.stdout ?? '';
}

/**
 * The machine's own sysctl values from before the first real node: kept outside any state dir,
 * so that a run that was killed (its state dir gone) does not make its values the "original"
 * ones of the next run. Written when absent, restored and removed by cleanupNodeNetwork.
 */
const ORIGINAL_SYSCTLS = '/run/spark-e2e-node/sysctls.json';

const SYSCTLS: Record<string, string> = {
  'net/ipv4/ip_forward': '1',
  'net/bridge/bridge-nf-call-iptables': '1',
  'net/bridge/bridge-nf-call-ip6tables': '1',
};

/**
 * The isolation rules, in the raw table's PREROUTING: it sees every packet before any other
 * rule (kube-proxy's and the policy engine's filter chains ACCEPT what they allow, so a FORWARD
 * rule after them would never be reached). Pods may address pods, Service VIPs and the host's
 * bridge address; nothing else. The API server's port (it listens on 0.0.0.0 for the pods) is
 * reached only over lo and the bridge.
 */
function iptablesRules(apiserverPort: number): string[][] {
  const { bridge, podSubnet } = NODE_NETWORK;
  const c = IPTABLES_CHAIN;
  return [
    ['-A', c, '-s', podSubnet, '-d', podSubnet, '-j', 'RETURN'],
    ['-A', c, '-s', podSubnet, '-d', SERVICE_RANGE, '-j', 'RETURN'],
    ['-A', c, '-s', podSubnet, '-j', 'DROP'],
    ['-A', c, '-d', podSubnet, '!', '-i', bridge, '-j', 'DROP'],
    ['-A', `${c}-IN`, '-i', 'lo', '-j', 'RETURN'],
    ['-A', `${c}-IN`, '-i', bridge, '-j', 'RETURN'],
    ['-A', `${c}-IN`, '-j', 'DROP'],
    ['-I', 'PREROUTING', '1', '-j', c],
    ['-I', 'PREROUTING', '1', '-p', 'tcp', '--dport', String(apiserverPort), '-j', `${c}-IN`],
  ];
}

/** Creates the bridge with the host address, sets the sysctls and the isolation rules. */
export function setupNodeNetwork(apiserverPort: number): void {
  const { bridge, hostIp, podSubnet } = NODE_NETWORK;
  cleanupNodeNetwork({ quiet: true }); // a crashed run's leftovers
  const original: Record<string, string> = {};
  for (const key of Object.keys(SYSCTLS)) original[key] = fs.readFileSync(`/proc/sys/${key}`, 'utf8').trim();
  fs.mkdirSync(path.dirname(ORIGINAL_SYSCTLS), { recursive: true });
  fs.writeFileSync(ORIGINAL_SYSCTLS, JSON.stringify(original, null, 2));
  for (const [key, value] of Object.entries(SYSCTLS)) fs.writeFileSync(`/proc/sys/${key}`, value);
  sh('ip', ['link', 'add', bridge, 'type', 'bridge']);
  sh('ip', ['addr', 'add', `${hostIp}/${podSubnet.split('/')[1]}`, 'dev', bridge]);
  sh('ip', ['link', 'set', bridge, 'up']);
  for (const chain of [IPTABLES_CHAIN, `${IPTABLES_CHAIN}-IN`]) sh('iptables', ['-t', 'raw', '-N', chain]);
  for (const rule of iptablesRules(apiserverPort)) sh('iptables', ['-t', 'raw', ...rule]);
}

/** Undoes setupNodeNetwork (idempotent): rules, bridge, sysctls. */
export function cleanupNodeNetwork(opts: { quiet?: boolean } = {}): void {
  const q = { allowFail: true };
  for (const r of sh('iptables', ['-t', 'raw', '-S', 'PREROUTING'], q).split('\n')) {
    const m = /^-A PREROUTING (.*-j SPARK-E2E-NODE(?:-IN)?)$/.exec(r);
    if (m) sh('iptables', ['-t', 'raw', '-D', 'PREROUTING', ...m[1].split(' ')], q);
  }
  for (const chain of [IPTABLES_CHAIN, `${IPTABLES_CHAIN}-IN`]) {
    sh('iptables', ['-t', 'raw', '-F', chain], q);
    sh('iptables', ['-t', 'raw', '-X', chain], q);
  }
  sh('ip', ['link', 'del', NODE_NETWORK.bridge], q);
  if (fs.existsSync(ORIGINAL_SYSCTLS)) {
    const original = JSON.parse(fs.readFileSync(ORIGINAL_SYSCTLS, 'utf8')) as Record<string, string>;
    for (const [key, value] of Object.entries(original)) {
      try {
        fs.writeFileSync(`/proc/sys/${key}`, value);
      } catch (e) {
        if (!opts.quiet) process.stderr.write(`[node] could not restore ${key}: ${(e as Error).message}\n`);
      }
    }
    fs.rmSync(ORIGINAL_SYSCTLS);
  }
}

// ----------------------------------------------------------------------------------------------
// start

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, ctx: NodeContext, deadline: number, test: () => boolean | Promise<boolean>): Promise<void> {
  for (;;) {
    ctx.check();
    if (await test()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

export function nodeDir(stateDir: string): string {
  return path.join(stateDir, 'node');
}

function containerdConfig(dir: string, b: NodeBinaries, pauseRef: string): string {
  const toml = `version = 2
root = "${dir}/containerd/root"
state = "${dir}/containerd/state"
oom_score = 0

[grpc]
  address = "${dir}/containerd/containerd.sock"

[ttrpc]
  address = "${dir}/containerd/containerd.sock.ttrpc"

[debug]
  level = "info"

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "${pauseRef}"
    disable_apparmor = true
    netns_mounts_under_state_dir = true
    enable_unprivileged_ports = false
    # this machine refuses lowering oom_score_adj below our own (runc: "failed to update
    # /proc/self/oom_score_adj: Permission denied"): keep pods at or above containerd's score
    restrict_oom_score_adj = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    max_container_log_line_size = 16384
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      discard_unpacked_layers = false
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          BinaryName = "${b.runc}"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "${b.cniBinDir}"
      conf_dir = "${dir}/cni/net.d"
      max_conf_num = 1
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "${dir}/containerd/certs.d"
`;
  const file = path.join(dir, 'containerd.toml');
  fs.writeFileSync(file, toml);
  return file;
}

function cniConfig(dir: string): void {
  const netDir = path.join(dir, 'cni', 'net.d');
  fs.mkdirSync(netDir, { recursive: true });
  const conflist = {
    cniVersion: '1.0.0',
    name: 'spark-e2e',
    plugins: [
      {
        type: 'bridge',
        bridge: NODE_NETWORK.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: path.join(dir, 'cni', 'ipam'),
          ranges: [[{ subnet: NODE_NETWORK.podSubnet, gateway: NODE_NETWORK.hostIp }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  fs.writeFileSync(path.join(netDir, '10-spark-e2e.conflist'), JSON.stringify(conflist, null, 2));
}

/**
 * Imports an OCI archive into the node's containerd (unpacked for the overlayfs snapshotter)
 * under each reference. Without `--base-name`, `ctr import` would also name the archive's own
 * manifests `import-<date>:<tag>`, a name the CRI plugin then reports for the image and cannot
 * resolve: with the first reference's repository as base name, every name it makes is valid.
 */
export async function importImage(socket: string, archive: string, refs: string[]): Promise<void> {
  const b = nodeBinaries();
  // asynchronous: an import takes seconds to a minute, and the event loop must keep serving the
  // supervisor and any open connection meanwhile
  const ctr = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(b.ctr, ['--address', socket, '-n', 'k8s.io', ...args], { encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`ctr ${args.join(' ')}: ${(stderr || stdout || err.message).trim()}`));
        else resolve(stdout);
      });
    });
  if (!refs.length) throw new Error(`importImage(${archive}): no reference to import it as`);
  const repo = refs[0].replace(/@.*$/, '').replace(/:[^:/]+$/, '');
  await ctr(['images', 'import', '--base-name', repo, '--index-name', refs[0], archive]);
  for (const ref of refs.slice(1)) await ctr(['images', 'tag', '--force', refs[0], ref]);
}

/**
 * The images setup.sh built: every `manifest.json` / `<name>.manifest.json` in the cache's
 * images dir, each `{ images: [{ name, archive, refs }] }` (archive relative to the file).
 */
export interface BuiltImage {
  name: string;
  archive: string;
  refs: string[];
}

export function builtImages(): BuiltImage[] {
  const dir = path.join(cacheDir(), 'images');
  const files = safeReaddir(dir).filter((f) => f === 'manifest.json' || f.endsWith('.manifest.json')).sort();
  return files.flatMap((f) => {
    const m = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    return (m.images as any[]).map((i) => ({ name: String(i.name), archive: path.resolve(dir, i.archive), refs: i.refs as string[] }));
  });
}

export const PAUSE_REF = 'localhost/spark-platform-e2e/pause:1';
/** The cluster DNS image (setup.sh step coredns): the CoreDNS binary alone. */
export function corednsRef(): string {
  return `localhost/spark-platform-e2e/coredns:${nodeVersions().coredns.version}`;
}
/** Where containerd's registry requests go: loopback port 9 (discard), nothing listens there. */
const NO_REGISTRY_PROXY = 'http://127.0.0.1:9';

/** The image references the node's containerd holds (namespace k8s.io). */
export function importedImages(socket: string): Set<string> {
  const r = spawnSync(nodeBinaries().ctr, ['--address', socket, '-n', 'k8s.io', 'images', 'ls', '-q'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ctr images ls: ${(r.stderr || r.stdout).trim()}`);
  return new Set(r.stdout.split('\n').filter((n) => n && !n.startsWith('sha256:')));
}

export async function startNode(ctx: NodeContext, deadline: number): Promise<NodeHandle> {
  const b = nodeBinaries();
  const dir = nodeDir(ctx.stateDir);
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();

  // containerd
  cniConfig(dir);
  const socket = path.join(dir, 'containerd', 'containerd.sock');
  fs.mkdirSync(path.join(dir, 'containerd', 'certs.d'), { recursive: true });
  const cfg = containerdConfig(dir, b, PAUSE_REF);
  // Nothing is ever pulled: an image the suite did not import must fail on this machine, not
  // look a registry up. Every registry request goes to a proxy on loopback where nothing listens.
  ctx.start('containerd', b.containerd, ['--config', cfg], {
    ...process.env,
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    HTTP_PROXY: NO_REGISTRY_PROXY,
    HTTPS_PROXY: NO_REGISTRY_PROXY,
    http_proxy: NO_REGISTRY_PROXY,
    https_proxy: NO_REGISTRY_PROXY,
    NO_PROXY: '',
    no_proxy: '',
  });
  await waitUntil('containerd socket', ctx, deadline, () => spawnSync(b.ctr, ['--address', socket, 'version'], { stdio: 'ignore' }).status === 0);
  ctx.log(`containerd ready (${Date.now() - t0} ms)`);

  const t1 = Date.now();
  await importImage(socket, b.pauseImage, [PAUSE_REF]);
  await importImage(socket, b.corednsImage, [corednsRef()]);
  for (const img of builtImages()) await importImage(socket, img.archive, img.refs);
  ctx.log(`images imported (${Date.now() - t1} ms): pause${builtImages().map((i) => `, ${i.name}`).join('')}`);

  // kubelet
  const kubeletCert = ctx.makeClientCert('kubelet', `/O=system:nodes/CN=system:node:${NODE_NAME}`);
  const kubeletKc = path.join(dir, 'kubelet.kubeconfig');
  ctx.writeKubeconfig(kubeletKc, ctx.internalServer, kubeletCert.cert, kubeletCert.key, `system:node:${NODE_NAME}`);
  const [kubeletPort, kubeletHealthz, proxyMetrics, proxyHealthz] = await ctx.freePorts(4);
  const resolvConf = path.join(dir, 'resolv.conf'); // pods with dnsPolicy Default: no upstream here
  fs.writeFileSync(resolvConf, "# the e2e node has no upstream DNS: pods with dnsPolicy Default resolve nothing\n");
  const kubeletConfig = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: NODE_NETWORK.hostIp,
    port: kubeletPort,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: kubeletHealthz,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: ctx.caCert } },
    authorization: { mode: 'Webhook' },
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${socket}`,
    clusterDNS: [NODE_NETWORK.dnsServiceIp],
    clusterDomain: NODE_NETWORK.clusterDomain,
    resolvConf,
    podLogsDir: path.join(dir, 'pod-logs'),
    maxPods: 40,
    serializeImagePulls: false,
    // the machine's disk is shared with everything else: only evict when it is really full
    evictionHard: { 'memory.available': '200Mi', 'nodefs.available': '2%', 'imagefs.available': '2%', 'nodefs.inodesFree': '2%' },
    imageGCHighThresholdPercent: 99,
    imageGCLowThresholdPercent: 98,
    protectKernelDefaults: false,
    registerNode: true,
    // imported images only: nothing can be pulled
    volumeStatsAggPeriod: '0s',
    shutdownGracePeriod: '0s',
  };
  const kubeletConfigFile = path.join(dir, 'kubelet.yaml');
  fs.writeFileSync(kubeletConfigFile, YAML.stringify(kubeletConfig));
  ctx.start('kubelet', b.kubelet, [
    `--config=${kubeletConfigFile}`,
    `--kubeconfig=${kubeletKc}`,
    `--root-dir=${path.join(dir, 'kubelet')}`,
    `--cert-dir=${path.join(dir, 'kubelet-pki')}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${NODE_NETWORK.hostIp}`,
    '--node-labels=spark-platform.io/e2e-node=real',
    '--v=1',
  ], { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin` });

  // kube-proxy
  const proxyCert = ctx.makeClientCert('kube-proxy', '/CN=system:kube-proxy');
  const proxyKc = path.join(dir, 'kube-proxy.kubeconfig');
  ctx.writeKubeconfig(proxyKc, ctx.internalServer, proxyCert.cert, proxyCert.key, 'system:kube-proxy');
  const proxyConfig = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: proxyKc },
    mode: 'iptables',
    clusterCIDR: NODE_NETWORK.podSubnet,
    hostnameOverride: NODE_NAME,
    bindAddress: NODE_NETWORK.hostIp,
    metricsBindAddress: `127.0.0.1:${proxyMetrics}`,
    healthzBindAddress: `127.0.0.1:${proxyHealthz}`,
    nodePortAddresses: [`${NODE_NETWORK.hostIp}/32`],
    // leave the machine's conntrack sysctls alone
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    iptables: { masqueradeAll: false, localhostNodePorts: false, syncPeriod: '10s', minSyncPeriod: '0s' },
  };
  const proxyConfigFile = path.join(dir, 'kube-proxy.yaml');
  fs.writeFileSync(proxyConfigFile, YAML.stringify(proxyConfig));
  ctx.start('kube-proxy', b.kubeProxy, [`--config=${proxyConfigFile}`, '--v=1'], { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin` });

  ctx.log(`kubelet, kube-proxy started (${Date.now() - t0} ms)`);
  return { containerdSocket: socket, kubeletPort };
}

// ----------------------------------------------------------------------------------------------
// stop: containers, mounts, cgroups, network

function ppidOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * Kills the node's containers and shims, unmounts what they left, removes the kubelet's cgroups,
 * the network and the iptables chains. Synchronous, so that an exit hook can run it; call it
 * after kubelet and containerd are stopped.
 */
export function cleanupNode(stateDir: string): void {
  const dir = nodeDir(stateDir);
  killShims((cmd) => cmd.includes(path.join(dir, 'containerd', 'containerd.sock')));
  unmountUnder((m) => m === dir || m.startsWith(`${dir}/`));
  // the rest is machine-wide: only the node that owns the machine's node network undoes it
  if (!releaseNode(stateDir)) return;
  // cgroups the kubelet and runc made (cgroupfs driver): kubepods/... in every v1 hierarchy
  for (const hier of safeReaddir('/sys/fs/cgroup')) {
    removeCgroupTree(path.join('/sys/fs/cgroup', hier, 'kubepods'));
  }
  cleanupNodeNetwork();
  // kube-proxy's chains (KUBE-*): its own cleanup mode
  try {
    const b = nodeBinaries();
    spawnSync(b.kubeProxy, ['--cleanup', '--v=0'], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    /* binaries gone: nothing was started */
  }
  removeNetpolState();
  removeKubeChains();
  removeNetpolSets();
}

/**
 * kube-router's state: its own cleanup mode first; then its ipsets (KUBE-SRC-*, KUBE-DST-*,
 * kube-router-*), which can only go once no iptables rule refers to them (removeKubeChains).
 */
function removeNetpolState(): void {
  try {
    spawnSync(netpolBinary(), ['--cleanup-config'], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    /* not built: never ran */
  }
}

function removeNetpolSets(): void {
  const sets = sh('ipset', ['list', '-n'], { allowFail: true }).split('\n').filter((n) => /^(KUBE-(SRC|DST)-|kube-router-)/.test(n));
  for (const name of sets) sh('ipset', ['destroy', name], { allowFail: true });
}

/** The kubelet's own chains (KUBE-FIREWALL, KUBE-KUBELET-CANARY...) and any KUBE-* left over. */
function removeKubeChains(): void {
  for (const table of ['filter', 'nat', 'mangle']) {
    const rules = sh('iptables', ['-t', table, '-S'], { allowFail: true }).split('\n');
    for (const r of rules) {
      const m = /^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) (.*-j KUBE-\S+.*)$/.exec(r);
      if (m) sh('iptables', ['-t', table, '-D', m[1], ...splitRule(m[2])], { allowFail: true });
    }
    const chains = rules.map((r) => /^-N (KUBE-\S+)$/.exec(r)?.[1]).filter((c): c is string => !!c);
    for (const c of chains) sh('iptables', ['-t', table, '-F', c], { allowFail: true });
    for (const c of chains) sh('iptables', ['-t', table, '-X', c], { allowFail: true });
  }
}

/** Splits an `iptables -S` rule into arguments (quoted comments kept whole). */
function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

function safeReaddir(d: string): string[] {
  try {
    return fs.readdirSync(d);
  } catch {
    return [];
  }
}

function removeCgroupTree(d: string): void {
  if (!fs.existsSync(d)) return;
  for (const e of safeReaddir(d)) {
    const p = path.join(d, e);
    try {
      if (fs.statSync(p).isDirectory()) removeCgroupTree(p);
    } catch {
      /* raced */
    }
  }
  try {
    fs.rmdirSync(d);
  } catch {
    /* busy or gone */
  }
}

/** Shims of any e2e node still running (their socket is under some state dir's node/). */
const NODE_SOCKET = /\/node\/containerd\/containerd\.sock\b/;

export function leftoverShims(): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)
    .filter((p) => /containerd-shim/.test(cmdline(p)) && NODE_SOCKET.test(cmdline(p)));
}

/**
 * One real node per machine: before a new one starts, whatever an interrupted run left (shims
 * and their containers, mounts under an e2e node dir, the bridge and rules) goes.
 */
/**
 * One real node per machine: the bridge, the rules, the sysctls and the KUBE-* chains are
 * machine-wide. The node that sets them up owns them (OWNER_FILE: its pid and state dir) until
 * it is cleaned up; a second node refuses to start while the owner's process lives.
 */
const OWNER_FILE = '/run/spark-e2e-node/owner.json';

export function claimNode(stateDir: string): void {
  if (fs.existsSync(OWNER_FILE)) {
    const owner = JSON.parse(fs.readFileSync(OWNER_FILE, 'utf8')) as { pid: number; stateDir: string };
    if (owner.pid !== process.pid && fs.existsSync(`/proc/${owner.pid}`) && fs.existsSync(owner.stateDir)) {
      throw new Error(`another real node runs on this machine (pid ${owner.pid}, ${owner.stateDir}): one at a time`);
    }
  }
  fs.mkdirSync(path.dirname(OWNER_FILE), { recursive: true });
  fs.writeFileSync(OWNER_FILE, JSON.stringify({ pid: process.pid, stateDir }));
}

/** True (and the claim dropped) when `stateDir`'s node owns the machine's node network. */
function releaseNode(stateDir: string): boolean {
  if (!fs.existsSync(OWNER_FILE)) return true;
  const owner = JSON.parse(fs.readFileSync(OWNER_FILE, 'utf8')) as { stateDir: string };
  if (owner.stateDir !== stateDir) return false;
  fs.rmSync(OWNER_FILE);
  return true;
}

export function sweepStaleNodes(log: (line: string) => void): void {
  const shims = leftoverShims();
  if (shims.length) log(`removing ${shims.length} container shims an earlier run left`);
  killShims((cmd) => NODE_SOCKET.test(cmd));
  unmountUnder((m) => /\/node\/(containerd|kubelet)(\/|$)/.test(m) && /spark-e2e/.test(m));
  removeNetpolState();
  removeKubeChains();
  removeNetpolSets();
}

function killShims(match: (cmdline: string) => boolean): void {
  for (let i = 0; i < 5; i++) {
    const pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
    const roots = pids.filter((p) => /containerd-shim/.test(cmdline(p)) && match(cmdline(p)));
    if (!roots.length) return;
    for (const p of descendants(roots, pids)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    spawnSync('sleep', ['0.3']);
  }
}

function descendants(roots: number[], pids: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of pids) {
    const pp = ppidOf(p);
    if (pp !== undefined) children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  roots.forEach(walk);
  return out;
}

/** Lazily unmounts every mount point `match` selects, deepest first. */
function unmountUnder(match: (mountPoint: string) => boolean): void {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && match(m))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) sh('umount', ['-l', m], { allowFail: true });
}
