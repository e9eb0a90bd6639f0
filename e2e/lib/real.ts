/**
 * What the real-node suites (e2e/real/) share: the platform's base layers applied once, and
 * the static volumes an admin provides where the cluster has no provisioner.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { E2eEnv, api, getJson, kubectl, kubectlOk, waitFor } from './kube';
import { waitForCrdsEstablished } from './platform';
import { importedImages, nodeDir } from '../node';
import { clientFromKubeconfig, createObject } from '../cluster';

const based = new Map<string, Promise<void>>();

/** The file of a layer of dist/<env>/ (`NN-<layer>.yaml`), or undefined when the env has none. */
export function layerFile(env: E2eEnv, name: string, layer: string): string | undefined {
  const dir = path.join(env.dist, name);
  const f = fs.readdirSync(dir).find((x) => new RegExp(`^\\d+-${layer}\\.yaml$`).test(x));
  return f ? path.join(dir, f) : undefined;
}

/**
 * The object store's credentials: random, made "out of band" as dev's comment says, by the first
 * suite file that applies the storage layer (jest loads this module once per file: the cluster's
 * Secret is the one source of truth, see storeCredentials).
 */
function newStoreCredentials(): { user: string; password: string } {
  return { user: `e2e-${randomBytes(4).toString('hex')}`, password: randomBytes(18).toString('base64url') };
}

/** MinIO's root credentials, read back from the cluster's `minio-root` Secret. */
export async function storeCredentials(env: E2eEnv): Promise<{ user: string; password: string }> {
  const secret = await getJson(env.kubeconfig, `/api/v1/namespaces/${STORAGE_NS}/secrets/minio-root`);
  const dec = (k: string) => Buffer.from(secret.data[k], 'base64').toString('utf8');
  return { user: dec('rootUser'), password: dec('rootPassword') };
}

const STORAGE_NS = 'spark-platform';

/** POST of one object as the admin; an object made by an earlier file stays as it is. */
export function ensureObject(env: E2eEnv, urlPath: string, body: unknown): Promise<void> {
  return createObject(clientFromKubeconfig(env.kubeconfig), urlPath, body, 'ok');
}

function createSecret(env: E2eEnv, namespace: string, name: string, data: Record<string, string>): Promise<void> {
  return ensureObject(env, `/api/v1/namespaces/${namespace}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', stringData: data });
}

/** Waits until a Job has Complete or Failed, and returns it. */
export function jobFinished(env: E2eEnv, namespace: string, name: string, timeoutMs = 420_000): Promise<any> {
  return waitFor(`Job ${name} to finish`, async () => {
    const j = await getJson(env.kubeconfig, `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`);
    return j.status?.conditions?.some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') ? j : undefined;
  }, timeoutMs, 2000);
}

/** Waits until a SparkApplication is COMPLETED, FAILED or SUBMISSION_FAILED, and returns it. */
export function sparkApplicationFinished(env: E2eEnv, namespace: string, name: string, timeoutMs = 420_000): Promise<any> {
  return waitFor(`SparkApplication ${name} to finish`, async () => {
    const a = await getJson(env.kubeconfig, `/apis/sparkoperator.k8s.io/v1beta2/namespaces/${namespace}/sparkapplications/${name}`);
    return ['COMPLETED', 'FAILED', 'SUBMISSION_FAILED'].includes(a.status?.applicationState?.state) ? a : undefined;
  }, timeoutMs, 2000);
}

/**
 * docs/gitops.md "Apply with kubectl" for the layers below the workloads: the CRDs (then wait until
 * Established), the tenants, the operator and the storage layer with the Secrets it expects out
 * of band (and a static volume for MinIO's claim); then waits until the operator's controller
 * runs from its image and is Available, MinIO serves, the bucket Job has succeeded and the
 * History Server is Available. Once per environment in this process.
 */
export function applyBaseLayers(env: E2eEnv, name: string, operatorNamespace = 'spark-operator'): Promise<void> {
  let p = based.get(name);
  if (!p) {
    p = (async () => {
      assertImagesImported(env, name);
      const apply = (file: string) => kubectlOk(env.kubeconfig, ['apply', '--server-side', '--validate=strict', '-f', file]);
      const crds = await apply(layerFile(env, name, 'crds')!);
      await waitForCrdsEstablished(env.kubeconfig, crds);
      await apply(layerFile(env, name, 'tenants')!);
      await apply(layerFile(env, name, 'operator')!);
      const storage = layerFile(env, name, 'storage');
      if (storage) {
        await apply(storage);
        const fresh = newStoreCredentials();
        await createSecret(env, STORAGE_NS, 'minio-root', { rootUser: fresh.user, rootPassword: fresh.password });
        const { user, password } = await storeCredentials(env);
        const tenants = (await getJson(env.kubeconfig, '/api/v1/namespaces?labelSelector=spark-platform.io%2Ftenant')).items.map((n: any) => n.metadata.name);
        for (const ns of [STORAGE_NS, ...tenants]) await createSecret(env, ns, 's3-credentials', { AWS_ACCESS_KEY_ID: user, AWS_SECRET_ACCESS_KEY: password });
        await provideHostPathVolume(env, 'minio-data-0', '5Gi', 1000, { namespace: STORAGE_NS, name: 'data-0-minio-0' });
      }
      await waitAvailable(env, operatorNamespace, 'the operator Deployment');
      if (storage) {
        await waitFor('MinIO ready', async () => {
          const s = await getJson(env.kubeconfig, `/apis/apps/v1/namespaces/${STORAGE_NS}/statefulsets/minio`);
          return s.status?.readyReplicas === s.spec.replicas ? true : undefined;
        }, 240_000, 1000).catch(explain(env, STORAGE_NS));
        await waitFor('the bucket Job Complete', async () => {
          const jobs = (await getJson(env.kubeconfig, `/apis/batch/v1/namespaces/${STORAGE_NS}/jobs`)).items;
          const done = (t: string) => jobs.length > 0 && jobs.every((j: any) => j.status?.conditions?.some((c: any) => c.type === t && c.status === 'True'));
          if (jobs.some((j: any) => j.status?.conditions?.some((c: any) => c.type === 'Failed' && c.status === 'True'))) throw new Error('the bucket Job failed');
          return done('Complete') ? true : undefined;
        }, 240_000, 1000).catch(explain(env, STORAGE_NS));
        await waitAvailable(env, STORAGE_NS, 'the History Server Deployment');
      }
    })();
    based.set(name, p);
  }
  return p;
}

/**
 * Every image the environment's manifests name (containers, init containers, and the images
 * Spark starts pods from) is in the node's containerd: nothing can be pulled here, so a missing
 * one is named now, with the step that builds it, instead of as an ImagePullBackOff later.
 */
function assertImagesImported(env: E2eEnv, name: string): void {
  const stateDir = process.env.E2E_STATE_DIR;
  if (!stateDir) throw new Error('E2E_STATE_DIR is not set (e2e/run.ts sets it)');
  const have = importedImages(path.join(nodeDir(stateDir), 'containerd', 'containerd.sock'));
  const wanted = new Set<string>();
  const dir = path.join(env.dist, name);
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/^[ \t]*(?:-[ \t]+)?image:[ \t]+["']?([^\s"']+)/gm)) wanted.add(m[1]);
    for (const m of text.matchAll(/spark\.kubernetes\.(?:driver\.|executor\.)?container\.image[= ]["']?([^\s"']+)/g)) wanted.add(m[1]);
  }
  const missing = [...wanted].filter((i) => !have.has(i)).sort();
  if (missing.length) {
    throw new Error(`the manifests of ${name} name images the node does not have (nothing can be pulled here): ${missing.join(', ')}; run: bash e2e/setup.sh images`);
  }
}

function explain(env: E2eEnv, namespace: string): (e: unknown) => Promise<never> {
  return async (e) => {
    const st = await kubectl(env.kubeconfig, ['get', 'pods,jobs,events', '-n', namespace, '-o', 'wide']);
    throw new Error(`${(e as Error).message}\n${st.stdout}${st.stderr}`);
  };
}

async function waitAvailable(env: E2eEnv, namespace: string, what: string): Promise<void> {
  await waitFor(`${what} Available`, async () => {
    const list = await getJson(env.kubeconfig, `/apis/apps/v1/namespaces/${namespace}/deployments`);
    const ok = list.items.length > 0 && list.items.every((d: any) => d.status?.conditions?.some((c: any) => c.type === 'Available' && c.status === 'True'));
    return ok ? true : undefined;
  }, 240_000, 1000).catch(explain(env, namespace));
}

/**
 * A PersistentVolume (no class, ReadWriteOnce) on a directory of the node, owned by `uid` and
 * reserved for `claim`: what an admin provides on a cluster without a provisioner. The directory is
 * under the cluster's state dir, removed with it.
 */
export async function provideHostPathVolume(env: E2eEnv, name: string, size: string, uid: number, claim: { namespace: string; name: string }): Promise<void> {
  const stateDir = process.env.E2E_STATE_DIR;
  if (!stateDir) throw new Error('E2E_STATE_DIR is not set (e2e/run.ts sets it)');
  const dir = path.join(stateDir, 'node', 'volumes', name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  fs.chownSync(dir, uid, uid);
  await ensureObject(env, '/api/v1/persistentvolumes', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: { 'spark-platform.io/e2e': 'static' } },
    spec: {
      capacity: { storage: size },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      // reserved for its claim: another, smaller claim must not take it
      claimRef: { namespace: claim.namespace, name: claim.name },
      hostPath: { path: dir, type: 'Directory' },
    },
  });
}

/**
 * The notebook layer of `name` up: dev's out-of-band token Secret, a static volume for the home
 * claim, the layer applied, and the pod Ready (JupyterLab answers its readiness probe).
 */
export async function startNotebook(env: E2eEnv, name: string, namespace: string, pod = 'lab-0'): Promise<void> {
  await createSecret(env, namespace, 'lab-token', { token: randomBytes(24).toString('hex') });
  await provideHostPathVolume(env, 'lab-home', '10Gi', 185, { namespace, name: `home-${pod}` });
  await kubectlOk(env.kubeconfig, ['apply', '--server-side', '--validate=strict', '-f', layerFile(env, name, 'notebooks')!]);
  await waitFor(`${pod} Ready`, async () => {
    const p = await api(env.kubeconfig, 'GET', `/api/v1/namespaces/${namespace}/pods/${pod}`);
    return p.status === 200 && p.json().status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
  }, 240_000, 1000).catch(async (e) => {
    const st = await kubectl(env.kubeconfig, ['describe', 'pod', '-n', namespace, pod]);
    throw new Error(`${(e as Error).message}\n${st.stdout.split('\n').slice(-25).join('\n')}`);
  });
}

/** Removes the notebook layer again (its claim stays, as a StatefulSet's does): the node has 2 cores. */
export async function stopNotebook(env: E2eEnv, name: string): Promise<void> {
  await kubectl(env.kubeconfig, ['delete', '--wait=true', '--timeout=120s', '-f', layerFile(env, name, 'notebooks')!]);
}
