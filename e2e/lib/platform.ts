/**
 * Applying the synthesized platform the way docs/gitops.md tells a user to, once per cluster.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { EXTERNAL_CRDS } from '../../constructs/validation/external-crds';
import { E2eEnv, kubectl, kubectlOk, kustomized, waitFor } from './kube';

/** The file of an environment's CRDs (the first layer of dist/<env>/). */
export const CRDS_FILE = '00-crds.yaml';

export interface ApplyResult {
  readonly crds: string;
  readonly all: string;
}

const applied = new Map<string, Promise<ApplyResult>>();

/**
 * `kubectl apply --server-side --validate=strict` of the CRDs, wait until they are Established,
 * then of the whole kustomization: docs/gitops.md "Apply with kubectl". Once per kubeconfig and
 * environment in this process; applying again is a no-op on the server anyway.
 */
export function applyEnvironment(env: E2eEnv, name: string, kubeconfig = env.kubeconfig): Promise<ApplyResult> {
  const key = `${kubeconfig}\u0000${name}`;
  let p = applied.get(key);
  if (!p) {
    p = doApply(env, name, kubeconfig);
    applied.set(key, p);
  }
  return p;
}

async function doApply(env: E2eEnv, name: string, kubeconfig: string): Promise<ApplyResult> {
  const dir = path.join(env.dist, name);
  await providePrerequisites(kubeconfig, dir);
  const crds = await kubectlOk(kubeconfig, ['apply', '--server-side', '--validate=strict', '-f', path.join(dir, CRDS_FILE)]);
  await waitForCrdsEstablished(kubeconfig, crds);
  const all = await kubectlOk(kubeconfig, ['apply', '--server-side', '--validate=strict', '-k', dir], undefined, 300_000);
  return { crds, all };
}

/** Waits until every CRD named in kubectl's apply output (`customresourcedefinition.apiextensions.k8s.io/<name> ...`) is Established. */
export async function waitForCrdsEstablished(kubeconfig: string, applyOutput: string): Promise<string[]> {
  const names = [...applyOutput.matchAll(/customresourcedefinition\.apiextensions\.k8s\.io\/(\S+)/g)].map((m) => m[1]);
  for (const crd of names) {
    await waitFor(`CRD ${crd} Established`, async () => {
      const r = await kubectl(kubeconfig, ['get', 'crd', crd, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
      return r.stdout.trim() === 'True' ? true : undefined;
    }, 60_000);
  }
  return names;
}

/**
 * What an environment expects the cluster to have before it is applied (docs/gitops.md "Apply
 * with kubectl"): the CRDs of the other projects' kinds it uses (e.g. the Prometheus Operator's
 * PodMonitor: kube-prometheus-stack installs it) and the namespaces it puts objects in without
 * creating them (e.g. `monitoring`). The suite provides them as those stacks would: a CRD the
 * cluster lacks is applied as the platform's validator knows it (EXTERNAL_CRDS, the fields the
 * platform sets), a missing namespace is created.
 */
async function providePrerequisites(kubeconfig: string, dir: string): Promise<void> {
  const objects = await kustomized(kubeconfig, dir);
  const created = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const own = new Set(objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name));
  const used = (crd: any) => objects.some((o) => o.kind === crd.spec.names.kind && String(o.apiVersion).split('/')[0] === crd.spec.group);
  const missing: any[] = [];
  for (const crd of EXTERNAL_CRDS as any[]) {
    if (!used(crd) || own.has(crd.metadata.name)) continue;
    const r = await kubectl(kubeconfig, ['get', 'crd', crd.metadata.name, '-o', 'name']);
    if (r.status !== 0) missing.push(crd);
  }
  if (missing.length > 0) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-prerequisites-')), 'crds.yaml');
    fs.writeFileSync(file, missing.map((c) => stringify(c)).join('---\n'));
    await waitForCrdsEstablished(kubeconfig, await kubectlOk(kubeconfig, ['apply', '--server-side', '-f', file]));
  }
  const namespaces = [...new Set(objects.map((o) => o.metadata?.namespace).filter((ns): ns is string => typeof ns === 'string' && !created.has(ns)))];
  for (const ns of namespaces) {
    const r = await kubectl(kubeconfig, ['get', 'namespace', ns, '-o', 'name']);
    if (r.status !== 0) await kubectlOk(kubeconfig, ['create', 'namespace', ns]);
  }
}
