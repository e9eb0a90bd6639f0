import { show } from '../errors';
import { ManifestValidator } from '../validation/manifest-validator';
import type { FailFn } from './containers';
import { SPARK_CONTAINER } from './spark-conf';

/** The operations SparkJob's templatePatch takes (RFC 6902 without move and copy). */
const OPS = ['add', 'remove', 'replace', 'test'];

/** Checks the shape of a templatePatch (op, path, value) and returns it as plain JSON. */
export function checkTemplatePatch(patch: readonly unknown[] | undefined, field: string, fail: FailFn): Array<Record<string, unknown>> {
  return (patch ?? []).map((raw, i) => {
    const op = (raw ?? {}) as Record<string, unknown>;
    const at = `${field}[${i}]`;
    if (!OPS.includes(op.op as string)) fail(`${at}.op`, `${show(op.op)} is not an operation SparkJob applies`, `use one of ${OPS.map(show).join(', ')} (move and copy: write the value with add)`);
    if (typeof op.path !== 'string' || !/^(\/([^~/]|~[01])*)+$/.test(op.path)) fail(`${at}.path`, `${show(op.path)} is not a JSON pointer into the pod template`, 'write it like "/spec/containers/0/resources" ("~1" for "/" and "~0" for "~" in a key)');
    if (op.op !== 'remove' && !('value' in op)) fail(`${at}.value`, `is missing; ${show(op.op)} needs one`, 'give the value');
    return JSON.parse(JSON.stringify(op)) as Record<string, unknown>;
  });
}

/** Applies RFC 6902 operations to a copy of `doc`; throws (naming the op index) when one does not apply. */
export function applyJsonPatch(doc: Record<string, unknown>, patch: ReadonlyArray<Record<string, unknown>>, field: string, fail: FailFn): Record<string, unknown> {
  const root = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  patch.forEach((op, i) => {
    const at = `${field}[${i}]`;
    const tokens = (op.path as string).split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop()!;
    let parent: unknown = root;
    tokens.forEach((t, j) => {
      const next = child(parent, t);
      if (next === undefined || next === null || typeof next !== 'object') {
        fail(`${at}.path`, `${show(op.path)}: ${show('/' + tokens.slice(0, j + 1).join('/'))} does not exist in the rendered template`, 'point at an existing object or array (add the parents first), or inspect the template (SparkJob.templates())');
      }
      parent = next;
    });
    const value = op.value === undefined ? undefined : JSON.parse(JSON.stringify(op.value));
    const missing = () => fail(`${at}.path`, `${show(op.path)} does not exist in the rendered template, so ${show(op.op)} cannot apply`, op.op === 'replace' ? 'use add to create it' : 'point at an existing field or element');
    if (Array.isArray(parent)) {
      const index = last === '-' && op.op === 'add' ? parent.length : Number(last);
      const bound = op.op === 'add' ? parent.length : parent.length - 1;
      if (!/^(0|[1-9]\d*)$/.test(last) && !(last === '-' && op.op === 'add')) fail(`${at}.path`, `${show(last)} is not an array index`, 'use a number, or "-" to append');
      if (index > bound) missing();
      if (op.op === 'add') parent.splice(index, 0, value);
      else if (op.op === 'remove') parent.splice(index, 1);
      else if (op.op === 'replace') parent[index] = value;
      else if (!deepEqual(parent[index], value)) fail(`${at}`, `test failed: ${show(op.path)} is ${JSON.stringify(parent[index])}, not ${JSON.stringify(value)}`, 'fix the expected value, or drop the test (the template changed)');
    } else {
      const obj = parent as Record<string, unknown>;
      const has = Object.prototype.hasOwnProperty.call(obj, last);
      if (op.op === 'add') obj[last] = value;
      else if (!has) missing();
      else if (op.op === 'remove') delete obj[last];
      else if (op.op === 'replace') obj[last] = value;
      else if (!deepEqual(obj[last], value)) fail(`${at}`, `test failed: ${show(op.path)} is ${JSON.stringify(obj[last])}, not ${JSON.stringify(value)}`, 'fix the expected value, or drop the test (the template changed)');
    }
  });
  return root;
}

function child(parent: unknown, token: string): unknown {
  if (Array.isArray(parent)) return /^(0|[1-9]\d*)$/.test(token) ? parent[Number(token)] : undefined;
  return parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[token] : undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, x]) => [k, canonical(x)]));
  return v;
}

let validator: ManifestValidator | undefined;

/** What is wrong with a template: the sub-path, the problem and the fix. */
type Problem = readonly [string, string, string];

/**
 * Applies `patch` to the rendered `template` of `role` and checks the result: a valid Pod
 * (Kubernetes 1.28 schema, the template wrapped in a Pod), the Spark container still there, and
 * the restricted Pod Security Standard still met. A refused result names the operation from
 * which the template stays wrong (the one after the last valid prefix of the patch).
 */
export function patchTemplate(template: Record<string, unknown>, patch: ReadonlyArray<Record<string, unknown>>, role: 'driver' | 'executor', field: string, fail: FailFn): Record<string, unknown> {
  if (patch.length === 0) return template;
  const result = applyJsonPatch(template, patch, field, fail);
  const problem = templateProblem(result, role);
  if (!problem) return result;
  let culprit = patch.length - 1;
  while (culprit > 0 && templateProblem(applyJsonPatch(template, patch.slice(0, culprit), field, fail), role)) culprit--;
  const [at, what, fix] = problem;
  return fail(`${field}[${culprit}]`, `(${show(patch[culprit].op)} ${show(patch[culprit].path)}) ${at ? `leaves ${at} ` : 'yields a pod that '}${what}`, fix);
}

/** Why a (patched) template is not a valid, restricted Spark pod template, or undefined. */
export function templateProblem(template: Record<string, unknown>, role: 'driver' | 'executor'): Problem | undefined {
  const fix = 'change the patch: templatePatch may not undo the platform\'s restricted Pod Security profile';
  validator ??= new ManifestValidator();
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...((template.metadata ?? {}) as Record<string, unknown>), name: `spark-${role}` }, spec: template.spec };
  const issues = validator.validate(pod);
  if (issues.length > 0) return ['', `is not a valid Pod (${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')})`, 'change the patch so the template stays a valid PodTemplateSpec'];
  const spec = (template.spec ?? {}) as Record<string, unknown>;
  const containers = (spec.containers ?? []) as Array<Record<string, unknown>>;
  if (!containers.some((c) => c.name === SPARK_CONTAINER[role])) return ['', `has no container ${show(SPARK_CONTAINER[role])}, the one Spark looks up by name`, 'keep the Spark container; patch its fields instead'];
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[key] === true) return [`spec.${key}`, 'true', fix];
  const podContext = (spec.securityContext ?? {}) as Record<string, unknown>;
  if (podContext.runAsNonRoot !== true) return ['spec.securityContext.runAsNonRoot', 'not true', fix];
  if (podContext.runAsUser === 0) return ['spec.securityContext.runAsUser', '0 (root)', fix];
  if ((podContext.seccompProfile as { type?: string } | undefined)?.type !== 'RuntimeDefault' && (podContext.seccompProfile as { type?: string } | undefined)?.type !== 'Localhost') return ['spec.securityContext.seccompProfile', 'without RuntimeDefault or Localhost', fix];
  const volumes = (spec.volumes ?? []) as Array<Record<string, unknown>>;
  for (let i = 0; i < volumes.length; i++) if (volumes[i].hostPath !== undefined) return [`spec.volumes[${i}]`, 'a hostPath volume', fix];
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = (spec[key] ?? []) as Array<Record<string, unknown>>;
    for (let i = 0; i < list.length; i++) {
      const sc = (list[i].securityContext ?? {}) as Record<string, unknown>;
      const at = `spec.${key}[${i}].securityContext`;
      if (sc.privileged === true) return [`${at}.privileged`, 'true', fix];
      if (sc.allowPrivilegeEscalation !== false) return [`${at}.allowPrivilegeEscalation`, 'not false', fix];
      if (sc.runAsUser === 0 || sc.runAsNonRoot === false) return [at, 'running as root', fix];
      const caps = (sc.capabilities ?? {}) as { add?: unknown[]; drop?: unknown[] };
      if ((caps.add ?? []).length > 0) return [`${at}.capabilities.add`, `adding ${(caps.add ?? []).map(show).join(', ')}`, fix];
      if (!(caps.drop ?? []).includes('ALL')) return [`${at}.capabilities.drop`, 'without ALL', fix];
      if ((sc.seccompProfile as { type?: string } | undefined)?.type === 'Unconfined') return [`${at}.seccompProfile`, 'Unconfined', fix];
      const ports = (list[i].ports ?? []) as Array<Record<string, unknown>>;
      for (let j = 0; j < ports.length; j++) if (ports[j].hostPort !== undefined) return [`spec.${key}[${i}].ports[${j}].hostPort`, 'set', fix];
    }
  }
  return undefined;
}
