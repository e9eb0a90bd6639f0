import { Cpu, Memory } from '../units';
import { Json, isRecord } from './evaluators/k8s-json';

/** Where a pod spec sits in each workload kind. */
const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** A pod (or pod template) of a workload: its spec, labels and where it sits in the object. */
export interface PodOf {
  /** The pod spec. */
  readonly spec: Json;
  /** The pod's labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** The pod's annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Field path of the pod template in the object, e.g. `spec.template`. */
  readonly field: string;
}

/** The pod a workload object runs, or undefined for other kinds. */
export function podOf(obj: Json): PodOf | undefined {
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const path = POD_TEMPLATE_PATHS[kind];
  // Built-in kinds only: a custom resource named Job (Volcano, ...) has a dotted API group.
  if (!path || (typeof obj.apiVersion === 'string' && obj.apiVersion.split('/')[0].includes('.'))) return undefined;
  let node: unknown = obj;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  if (!isRecord(node)) return undefined;
  const spec = node.spec;
  if (!isRecord(spec)) return undefined;
  const metadata = isRecord(node.metadata) ? node.metadata : {};
  return { spec, labels: stringMap(metadata.labels), annotations: stringMap(metadata.annotations), field: path.length === 0 ? '' : path.join('.') };
}

/** A container of a pod spec, with where it sits. */
export interface ContainerOf {
  readonly container: Json;
  /** `containers[0]`, `initContainers[1]`, ... */
  readonly field: string;
  readonly init: boolean;
}

/** Every container and init container of a pod spec. */
export function containersOf(spec: Json): ContainerOf[] {
  const out: ContainerOf[] = [];
  for (const key of ['initContainers', 'containers'] as const) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (isRecord(c)) out.push({ container: c, field: `${key}[${i}]`, init: key === 'initContainers' });
    });
  }
  return out;
}

/** Defaults a namespace's LimitRange gives containers that set no request. */
export interface ContainerDefaultRequests {
  readonly cpu?: Cpu;
  readonly memory?: Memory;
}

/** What a pod asks the scheduler for. */
export interface PodRequests {
  readonly cpu: Cpu;
  readonly memory: Memory;
  /** Extended resources (GPUs), by name. */
  readonly extended: Readonly<Record<string, number>>;
}

/**
 * A pod's effective requests, as the scheduler computes them: the sum over containers, or the
 * largest init container when that is more. A container without a request gets its limit, else
 * the namespace's LimitRange default. Unparseable quantities count as zero (schema validation
 * reports them).
 */
export function podRequests(spec: Json, defaults: ContainerDefaultRequests = {}): PodRequests {
  let cpu = Cpu.ZERO;
  let memory = Memory.ZERO;
  const extended: Record<string, number> = {};
  let initCpu = Cpu.ZERO;
  let initMemory = Memory.ZERO;
  const initExtended: Record<string, number> = {};
  for (const { container, init } of containersOf(spec)) {
    const r = containerRequests(container, defaults);
    if (init) {
      if (r.cpu.compare(initCpu) > 0) initCpu = r.cpu;
      if (r.memory.compare(initMemory) > 0) initMemory = r.memory;
      for (const [k, v] of Object.entries(r.extended)) initExtended[k] = Math.max(initExtended[k] ?? 0, v);
    } else {
      cpu = cpu.plus(r.cpu);
      memory = memory.plus(r.memory);
      for (const [k, v] of Object.entries(r.extended)) extended[k] = (extended[k] ?? 0) + v;
    }
  }
  for (const [k, v] of Object.entries(initExtended)) extended[k] = Math.max(extended[k] ?? 0, v);
  return { cpu: cpu.compare(initCpu) >= 0 ? cpu : initCpu, memory: memory.compare(initMemory) >= 0 ? memory : initMemory, extended };
}

function containerRequests(c: Json, defaults: ContainerDefaultRequests): PodRequests {
  const resources = isRecord(c.resources) ? c.resources : {};
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const limits = isRecord(resources.limits) ? resources.limits : {};
  const cpu = quantity(requests.cpu ?? limits.cpu, (v) => Cpu.parse(v)) ?? defaults.cpu ?? Cpu.ZERO;
  const memory = quantity(requests.memory ?? limits.memory, (v) => Memory.parse(v)) ?? defaults.memory ?? Memory.ZERO;
  const extended: Record<string, number> = {};
  for (const key of new Set([...Object.keys(requests), ...Object.keys(limits)])) {
    if (!key.includes('/')) continue;
    const n = Number(requests[key] ?? limits[key]);
    if (Number.isFinite(n) && n > 0) extended[key] = n;
  }
  return { cpu, memory, extended };
}

/** A quantity parsed by `parse`, or undefined when absent or unparseable. */
export function quantity<T>(value: unknown, parse: (v: string | number) => T): T | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parse(value);
  } catch {
    return undefined;
  }
}

/** The string entries of a JSON map. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The strings of a JSON array. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** `imagePullSecrets` names of a pod spec or ServiceAccount. */
export function pullSecretNames(value: unknown): string[] {
  return Array.isArray(value) ? value.flatMap((s) => (isRecord(s) && typeof s.name === 'string' ? [s.name] : [])) : [];
}

/** The pull secrets a pod spec names. */
export function podPullSecretsOf(spec: Json): string[] {
  return pullSecretNames(spec.imagePullSecrets);
}
