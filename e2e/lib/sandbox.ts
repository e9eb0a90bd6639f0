/**
 * Running a real component on this machine as if it were in its pod: a private mount namespace
 * (`unshare --mount`, root) where
 * - `/tmp` is an empty tmpfs (the pod's emptyDir), unless told otherwise;
 * - chosen host directories appear at the paths the manifests name (a ConfigMap's mount, the
 *   image's SPARK_HOME, the ServiceAccount token directory), on tmpfs parents so nothing on the
 *   host changes;
 * - Maven repositories resolve to 127.0.0.1 and DNS goes to 127.0.0.1 (where nothing answers):
 *   whatever the process would download fails at once instead of leaving the machine.
 * The process shares the host's network namespace, so it reaches the loopback API server.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Hosts a Spark process could download from; they resolve to loopback inside the sandbox. */
export const BLOCKED_HOSTS = ['repo1.maven.org', 'repo.maven.apache.org', 'repos.spark-packages.org', 'dl.google.com', 'maven-central.storage-download.googleapis.com'];

export interface SandboxOptions {
  /** A directory outside /tmp, /opt and /run for the sandbox's own files. */
  readonly workDir: string;
  /** host path -> path inside; parents are created on tmpfs mounts of /opt or /run as needed. */
  readonly binds?: ReadonlyArray<readonly [string, string]>;
  /** Mount an empty tmpfs at /tmp. @default true */
  readonly privateTmp?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Where stdout and stderr go. */
  readonly logFile: string;
}

/** Starts `command` in the sandbox; the caller waits for or kills the returned process. */
export function spawnSandboxed(command: readonly string[], opts: SandboxOptions): ChildProcess {
  fs.mkdirSync(opts.workDir, { recursive: true });
  const hosts = path.join(opts.workDir, 'hosts');
  const resolv = path.join(opts.workDir, 'resolv.conf');
  fs.writeFileSync(hosts, `${fs.readFileSync('/etc/hosts', 'utf8').trimEnd()}\n# spark-platform e2e: no downloads at test time\n127.0.0.1 ${BLOCKED_HOSTS.join(' ')}\n`);
  fs.writeFileSync(resolv, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = ['set -e'];
  if (opts.privateTmp !== false) lines.push('mount -t tmpfs -o mode=1777 tmpfs /tmp');
  lines.push(`mount --bind ${q(hosts)} /etc/hosts`, `mount --bind ${q(resolv)} /etc/resolv.conf`);
  const roots = new Set<string>();
  for (const [, inside] of opts.binds ?? []) {
    const top = inside.split('/').filter(Boolean)[0];
    if (top === 'opt' || top === 'run' || top === 'var') roots.add(top === 'var' ? 'run' : top);
  }
  for (const r of roots) lines.push(`mount -t tmpfs -o mode=0755 tmpfs /${r}`);
  for (const [host, inside] of opts.binds ?? []) {
    const target = inside.startsWith('/var/run/') ? inside.replace(/^\/var\/run\//, '/run/') : inside;
    const isFile = fs.statSync(host).isFile();
    lines.push(isFile ? `mkdir -p ${q(path.dirname(target))} && touch ${q(target)}` : `mkdir -p ${q(target)}`);
    lines.push(`mount --bind ${q(host)} ${q(target)}`);
  }
  if (opts.cwd) lines.push(`cd ${q(opts.cwd)}`);
  lines.push('exec "$@"');
  const out = fs.openSync(opts.logFile, 'a');
  const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', lines.join('\n'), 'sandbox', ...command], {
    env: opts.env ?? process.env, stdio: ['ignore', out, out],
    // Its own process group, so stop() also ends the JVMs it starts (spark-submit).
    detached: true,
  });
  // The runner (e2e/run.ts) kills every group listed here after jest, even if jest crashed.
  if (process.env.E2E_PID_FILE && child.pid !== undefined) fs.appendFileSync(process.env.E2E_PID_FILE, `${child.pid}\n`);
  return child;
}

/** Waits for a process to exit; resolves with its exit code (or 128 + signal). */
export function exited(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`process ${child.pid} still running after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? 128 + (signal ? 15 : 0));
    });
  });
}

/** Stops a sandboxed process and its process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || child.pid === undefined) return;
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  group('SIGTERM');
  if (child.exitCode === null && child.signalCode === null) {
    try {
      await exited(child, graceMs);
    } catch {
      group('SIGKILL');
      await exited(child, 5000).catch(() => undefined);
    }
  }
  group('SIGKILL');
}

/**
 * The volumes a container mounts, as the kubelet would lay them out, for `spawnSandboxed`'s
 * binds: a ConfigMap's data as files in a directory (a `subPath` mount binds the one file), any
 * other volume (emptyDir, a claim) as an empty directory. `edit` may change a ConfigMap file's
 * text (e.g. the API server's address). Returns the binds and each volume's host directory.
 */
export function volumeBinds(
  podSpec: any, container: any, objects: readonly any[], dir: string,
  edit: (file: string, text: string) => string = (_f, t) => t,
): { binds: Array<[string, string]>; dirs: Map<string, string> } {
  const binds: Array<[string, string]> = [];
  const dirs = new Map<string, string>();
  for (const m of container.volumeMounts ?? []) {
    const volume = (podSpec.volumes ?? []).find((v: any) => v.name === m.name);
    const host = path.join(dir, m.name);
    if (!dirs.has(m.name)) {
      fs.mkdirSync(host, { recursive: true });
      dirs.set(m.name, host);
      if (volume?.configMap) {
        const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name);
        if (!cm) throw new Error(`ConfigMap ${volume.configMap.name} (volume ${m.name}) is not in the manifests`);
        for (const [file, text] of Object.entries(cm.data ?? {})) fs.writeFileSync(path.join(host, file), edit(file, text as string));
      }
    }
    binds.push([m.subPath ? path.join(host, m.subPath) : host, m.mountPath]);
  }
  return { binds, dirs };
}
