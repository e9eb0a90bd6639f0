import { k8s } from 'cdk8s-plus-28';
import { show } from '../errors';
import { imagePinProblem } from '../images';
import { NameRule, nameProblem } from '../names';
import { restrictedContainerSecurityContext } from '../security';
import { SPARK_CONTAINER } from './spark-conf';
import { SparkContainerPort, SparkPodOptions, SparkSidecar } from './spark-job-options';

/** Throws a SparkPlatformError naming `field` (validate-spark-job.ts's `fail`). */
export type FailFn = (field: string, problem: string, fix: string) => never;

/** Spark's default ports: driver RPC (`spark.driver.port`), block manager (`spark.blockManager.port`), UI (`spark.ui.port`). */
export const SPARK_DEFAULT_PORTS = { driver: 7078, blockManager: 7079, ui: 4040 } as const;

/** Port names Spark gives the ports it opens on its container (driver: all three; executors: the block manager). */
export const SPARK_PORT_NAMES: readonly string[] = ['driver-rpc-port', 'blockmanager', 'spark-ui'];

/**
 * The ports Spark opens in the pod of `role`, from the conf (the platform pins none of them, so
 * the user's conf or Spark's defaults decide): what no extra port or sidecar may take.
 */
export function sparkPorts(role: 'driver' | 'executor', conf: Readonly<Record<string, string>>): Map<number, string> {
  const num = (key: string, fallback: number) => {
    const n = Number(conf[key]);
    return conf[key] !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
  };
  const blockManager = role === 'driver'
    ? num('spark.driver.blockManager.port', num('spark.blockManager.port', SPARK_DEFAULT_PORTS.blockManager))
    : num('spark.blockManager.port', SPARK_DEFAULT_PORTS.blockManager);
  const ports = new Map<number, string>([[blockManager, 'the block manager (spark.blockManager.port)']]);
  if (role === 'driver') {
    ports.set(num('spark.driver.port', SPARK_DEFAULT_PORTS.driver), 'the driver RPC port (spark.driver.port)');
    ports.set(num('spark.ui.port', SPARK_DEFAULT_PORTS.ui), 'the Spark UI (spark.ui.port)');
  }
  return ports;
}

/** The resolved part-2 pod features of one role (see ResolvedPod). */
export interface ResolvedContainers {
  readonly lifecycle?: Record<string, unknown>;
  readonly ports: Array<Record<string, unknown>>;
  readonly initContainers: Array<Record<string, unknown>>;
  readonly sidecars: Array<Record<string, unknown>>;
}

/** What the checks of one role need besides its options. */
export interface ContainerContext {
  readonly role: 'driver' | 'executor';
  /** The user's Spark conf (ports Spark opens). */
  readonly conf: Readonly<Record<string, string>>;
  /** The job's volumes' names (user containers may mount them). */
  readonly volumes: ReadonlySet<string>;
  /** Executor pods stay after they end (`executor.deleteOnTermination: false`). */
  readonly executorPodsKept: boolean;
  /** Read-only root filesystem of the Spark container (user containers default to the same). */
  readonly readOnlyRootFilesystem: boolean;
}

/**
 * Checks and resolves lifecycle hooks, extra ports, init containers and sidecars of one role:
 * `own` (the role's) adds to or replaces `common` (`pods`), as the SparkPodOptions doc says.
 */
export function resolveContainers(own: SparkPodOptions, common: SparkPodOptions, ctx: ContainerContext, fail: FailFn): ResolvedContainers {
  const { role } = ctx;
  const reserved = sparkPorts(role, ctx.conf);
  const lifecycleField = own.lifecycle !== undefined ? `${role}.lifecycle` : 'pods.lifecycle';
  const lifecycleJson = own.lifecycle ?? common.lifecycle;
  const lifecycle = lifecycleJson ? k8s.toJson_Lifecycle(lifecycleJson) as Record<string, unknown> : undefined;
  if (lifecycle) checkLifecycle(lifecycle, lifecycleField, fail);

  const portNames = new Set<string>();
  const portNumbers = new Map<string, string>();
  const ports = [
    ...(common.ports ?? []).map((p, i) => [p, `pods.ports[${i}]`] as const),
    ...(own.ports ?? []).map((p, i) => [p, `${role}.ports[${i}]`] as const),
  ].map(([p, field]) => checkPort(p, field, reserved, portNames, portNumbers, fail));

  const names = new Set<string>([SPARK_CONTAINER[role]]);
  const user = (list: readonly k8s.Container[] | undefined, prop: string, base: string) => (list ?? []).map((c, i) => {
    const field = `${base}.${prop}[${i}]`;
    const native = prop === 'sidecars' ? (c as SparkSidecar).native === true : false;
    const { native: _n, ...container } = c as SparkSidecar;
    const json = k8s.toJson_Container(container as k8s.Container) as Record<string, unknown>;
    checkUserContainer(json, field, names, ctx, reserved, portNames, portNumbers, fail);
    if (prop === 'sidecars' && !native) {
      if (role === 'driver') {
        fail(`${field}.native`, 'is not true: an ordinary sidecar keeps running after Spark\'s driver ends, so the driver pod stays Running and spark-submit and both operators wait on its phase forever', 'set native: true (a native sidecar, Kubernetes >= 1.29, stopped after the Spark container), or make it an executor sidecar');
      }
      if (ctx.executorPodsKept) {
        fail(`${field}.native`, 'is not true while executor.deleteOnTermination is false: finished executor pods would stay Running (and hold quota) with their sidecar', 'set native: true, or let Spark delete finished executors');
      }
    }
    if (json.restartPolicy !== undefined) fail(`${field}.restartPolicy`, 'is set; SparkJob writes it for native sidecars itself', prop === 'sidecars' ? 'remove it and set native: true for a native sidecar' : 'remove it (a container restarting always is a sidecar: list it in sidecars with native: true)');
    return { json: native ? { ...json, restartPolicy: 'Always' } : json, native };
  });
  const inits = [...user(common.initContainers, 'initContainers', 'pods'), ...user(own.initContainers, 'initContainers', role)];
  const sidecars = [...user(common.sidecars, 'sidecars', 'pods'), ...user(own.sidecars, 'sidecars', role)];
  return {
    lifecycle,
    ports,
    // Native sidecars are init containers: after the user's init containers, so they can use what those prepare.
    initContainers: [...inits.map((c) => c.json), ...sidecars.filter((c) => c.native).map((c) => c.json)],
    sidecars: sidecars.filter((c) => !c.native).map((c) => c.json),
  };
}

function checkLifecycle(lifecycle: Record<string, unknown>, field: string, fail: FailFn): void {
  for (const [hook, handler] of Object.entries(lifecycle)) {
    if (hook !== 'postStart' && hook !== 'preStop') fail(`${field}.${hook}`, 'is not a lifecycle hook', 'use postStart or preStop');
    const h = (handler ?? {}) as Record<string, unknown>;
    const kinds = ['exec', 'httpGet', 'sleep'].filter((k) => h[k] !== undefined);
    if (h.tcpSocket !== undefined) fail(`${field}.${hook}.tcpSocket`, 'is not supported as a lifecycle handler (Kubernetes accepts it for compatibility only and never runs it)', 'use exec, httpGet or sleep');
    if (kinds.length !== 1) fail(`${field}.${hook}`, `has ${kinds.length === 0 ? 'no handler' : `${kinds.join(' and ')}`}`, 'give exactly one of exec, httpGet or sleep');
    const exec = h.exec as { command?: unknown[] } | undefined;
    if (exec && (!Array.isArray(exec.command) || exec.command.length === 0)) fail(`${field}.${hook}.exec.command`, 'is empty', 'give the command and its arguments, e.g. ["/bin/sh", "-c", "sleep 5"]');
  }
}

function checkPort(
  p: SparkContainerPort, field: string, reserved: ReadonlyMap<number, string>, names: Set<string>, numbers: Map<string, string>, fail: FailFn,
): Record<string, unknown> {
  if (typeof p.name !== 'string' || !/^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(p.name) || p.name.length > 15 || p.name.includes('--')) {
    fail(`${field}.name`, `${show(p.name)} is not a port name (at most 15 lower-case letters, digits and "-", with a letter)`, 'use a name such as "jmx"');
  }
  if (SPARK_PORT_NAMES.includes(p.name)) fail(`${field}.name`, `${show(p.name)} is a port name Spark gives its own ports`, 'choose another name');
  if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535) fail(`${field}.containerPort`, `${show(p.containerPort)} is not a port number`, 'use 1..65535');
  const protocol = p.protocol ?? 'TCP';
  if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) fail(`${field}.protocol`, `${show(protocol)} is not a protocol`, 'use "TCP", "UDP" or "SCTP"');
  const spark = reserved.get(p.containerPort);
  if (spark) fail(`${field}.containerPort`, `${p.containerPort} is ${spark}, which Spark opens itself`, 'choose another port');
  checkPortUnique(p.name, p.containerPort, protocol, field, names, numbers, fail);
  return { name: p.name, containerPort: p.containerPort, protocol };
}

function checkPortUnique(name: string | undefined, port: number, protocol: string, field: string, names: Set<string>, numbers: Map<string, string>, fail: FailFn): void {
  if (name !== undefined) {
    if (names.has(name)) fail(`${field}.name`, `${show(name)} is already a port name in the pod`, 'give each port its own name');
    names.add(name);
  }
  const key = `${port}/${protocol}`;
  const other = numbers.get(key);
  if (other) fail(`${field}.containerPort`, `${port}/${protocol} is already taken by ${other} (containers of a pod share its network)`, 'choose another port');
  numbers.set(key, field);
}

function checkUserContainer(
  c: Record<string, unknown>, field: string, names: Set<string>, ctx: ContainerContext, reserved: ReadonlyMap<number, string>,
  portNames: Set<string>, portNumbers: Map<string, string>, fail: FailFn,
): void {
  const name = String(c.name ?? '');
  const problem = nameProblem(name, NameRule.DNS1123_LABEL);
  if (problem) fail(`${field}.name`, problem, 'use a name such as "log-shipper"');
  if (name === SPARK_CONTAINER[ctx.role]) fail(`${field}.name`, `${show(name)} is the Spark container's name (spark.kubernetes.${ctx.role}.podTemplateContainerName): Spark would take this container as its own`, 'choose another name');
  if (names.has(name)) fail(`${field}.name`, `${show(name)} is already a container of the ${ctx.role} pod`, 'give each container its own name');
  names.add(name);
  const image = typeof c.image === 'string' ? c.image : '';
  if (image === '') fail(`${field}.image`, 'is not set; only the Spark container gets its image from Spark', 'give the image with a version tag or digest, e.g. "fluent/fluent-bit:3.1.9"');
  const pin = imagePinProblem(image);
  if (pin) fail(`${field}.image`, pin, 'pin it: a version tag such as ":3.1.9" or a digest "@sha256:..."');
  ((c.ports as Array<Record<string, unknown>> | undefined) ?? []).forEach((p, j) => {
    const port = Number(p.containerPort);
    const spark = reserved.get(port);
    if (spark) fail(`${field}.ports[${j}].containerPort`, `${port} is ${spark}, which Spark opens in the same pod`, 'choose another port');
    if (typeof p.name === 'string' && SPARK_PORT_NAMES.includes(p.name)) fail(`${field}.ports[${j}].name`, `${show(p.name)} is a port name Spark gives its own ports`, 'choose another name');
    checkPortUnique(typeof p.name === 'string' ? p.name : undefined, port, String(p.protocol ?? 'TCP'), `${field}.ports[${j}]`, portNames, portNumbers, fail);
  });
  ((c.volumeMounts as Array<Record<string, unknown>> | undefined) ?? []).forEach((m, j) => {
    if (!ctx.volumes.has(String(m.name))) fail(`${field}.volumeMounts[${j}].name`, `${show(m.name)} is not one of the job's volumes (${[...ctx.volumes].map(show).join(', ') || 'none'})`, 'add it to volumes, or fix the name');
  });
  c.securityContext = restrictedUserSecurityContext(c.securityContext as Record<string, unknown> | undefined, `${field}.securityContext`, ctx.readOnlyRootFilesystem, fail);
}

/**
 * The restricted container security context with the user's settings merged in: anything that
 * loosens it (privileged, privilege escalation, root, added capabilities, no seccomp, a writable
 * root where the job keeps it read-only) is refused; what is stricter (a user id, a Localhost
 * seccomp profile, SELinux options) is kept.
 */
export function restrictedUserSecurityContext(user: Record<string, unknown> | undefined, field: string, readOnlyRootFilesystem: boolean, fail: FailFn): Record<string, unknown> {
  const u = user ?? {};
  const fix = 'remove it: SparkJob gives every container the restricted Pod Security profile (tenant namespaces enforce it)';
  if (u.privileged === true) fail(`${field}.privileged`, 'is true', fix);
  if (u.allowPrivilegeEscalation === true) fail(`${field}.allowPrivilegeEscalation`, 'is true', fix);
  if (u.runAsNonRoot === false) fail(`${field}.runAsNonRoot`, 'is false', fix);
  if (u.runAsUser === 0) fail(`${field}.runAsUser`, 'is 0 (root)', 'run as a non-root user id, or remove it to use the image user of the pod');
  const caps = (u.capabilities ?? {}) as { add?: unknown[]; drop?: unknown[] };
  if ((caps.add ?? []).length > 0) fail(`${field}.capabilities.add`, `adds ${(caps.add ?? []).map(show).join(', ')}`, 'add no capabilities (the restricted profile drops ALL)');
  const seccomp = (u.seccompProfile ?? {}) as { type?: string };
  if (seccomp.type === 'Unconfined') fail(`${field}.seccompProfile.type`, 'is "Unconfined"', 'use RuntimeDefault (the default) or a Localhost profile');
  if (u.procMount !== undefined && u.procMount !== 'Default') fail(`${field}.procMount`, `is ${show(u.procMount)}`, fix);
  if ((u.windowsOptions as { hostProcess?: boolean } | undefined)?.hostProcess === true) fail(`${field}.windowsOptions.hostProcess`, 'is true', fix);
  if (readOnlyRootFilesystem && u.readOnlyRootFilesystem === false) {
    fail(`${field}.readOnlyRootFilesystem`, 'is false while the job keeps root filesystems read-only (readOnlyRootFilesystem)', 'mount an emptyDir volume where the container writes, or turn readOnlyRootFilesystem off for the job');
  }
  const base = restrictedContainerSecurityContext() as Record<string, unknown>;
  return { ...base, ...u, readOnlyRootFilesystem: u.readOnlyRootFilesystem ?? readOnlyRootFilesystem, capabilities: { drop: ['ALL'] }, seccompProfile: u.seccompProfile ?? base.seccompProfile };
}
