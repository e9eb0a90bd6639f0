/**
 * Applying the synthesized platform the way docs/gitops.md tells a user to, once per cluster.
 */
import * as path from 'path';
import { E2eEnv, kubectl, kubectlOk, waitFor } from './kube';

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
