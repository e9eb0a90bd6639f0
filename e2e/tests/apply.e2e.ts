/**
 * 1. Every environment applies to a real API server with server-side apply and strict field
 *    validation; the CRDs become Established; applying again changes nothing.
 * 3. (part) Every pod the platform's workloads cause is admitted under the namespaces' Pod
 *    Security level, quotas and LimitRanges: the real controllers create them all.
 */
import * as path from 'path';
import { startCluster, stopCluster, addKwokNode, Cluster } from '../cluster';
import { ENVIRONMENTS } from '../../stacks/environments';
import { E2eEnv, describeE2e, environments, getJson, kubectl, kustomized, waitFor } from '../lib/kube';
import { applyEnvironment } from '../lib/platform';

/** Kinds whose controllers create pods, and how to read "all its pods exist". */
const POD_OWNERS = ['Deployment', 'StatefulSet', 'Job'] as const;

describeE2e('apply', (env) => {
  test('dev: CRDs Established, the kustomization applies with --validate=strict, a second apply changes nothing', async () => {
    const result = await applyEnvironment(env, 'dev');
    expect(result.crds).toMatch(/customresourcedefinition\.apiextensions\.k8s\.io\/sparkapplications\.sparkoperator\.k8s\.io serverside-applied/);
    const objects = await kustomized(env.kubeconfig, path.join(env.dist, 'dev'));
    // Every object of the kustomization is on the server.
    for (const o of objects) {
      const ns = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
      const r = await kubectl(env.kubeconfig, ['get', `${o.kind}.${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}`.replace(/\.$/, ''), o.metadata.name, ...ns, '-o', 'name']);
      expect({ object: `${o.kind}/${o.metadata.name}`, status: r.status, err: r.stderr }).toEqual({ object: `${o.kind}/${o.metadata.name}`, status: 0, err: '' });
    }
    await expectNoDiff(env.kubeconfig, path.join(env.dist, 'dev'));
  });

  test('dev: every workload gets all its pods (admitted by PodSecurity, ResourceQuota, LimitRange), and nothing was refused', async () => {
    await applyEnvironment(env, 'dev');
    const objects = await kustomized(env.kubeconfig, path.join(env.dist, 'dev'));
    await expectPodsAdmitted(env.kubeconfig, objects);
  });

  test('prod and any other environment: applies to a fresh cluster of its own (local cluster only)', async () => {
    const others = environments(env).filter((e) => e !== 'dev');
    expect(others.length).toBeGreaterThan(0);
    if (!env.local) {
      console.warn(`SKIPPED: ${others.join(', ')} are applied only to fresh local clusters (E2E_LOCAL=1), not to ${env.kubeconfig}`);
      return;
    }
    for (const name of others) {
      const cluster = await freshCluster(env, name);
      try {
        const own: E2eEnv = { ...env, kubeconfig: cluster.kubeconfig };
        await applyEnvironment(own, name);
        const objects = await kustomized(cluster.kubeconfig, path.join(env.dist, name));
        await expectNoDiff(cluster.kubeconfig, path.join(env.dist, name));
        await expectPodsAdmitted(cluster.kubeconfig, objects);
      } finally {
        await stopCluster(cluster);
      }
    }
  }, 600_000);
});

/** A cluster of the same version with kwok nodes shaped like the environment's doctor.nodes. */
async function freshCluster(env: E2eEnv, name: string): Promise<Cluster> {
  const cluster = await startCluster({ version: env.version, kwok: true });
  const config = ENVIRONMENTS.find((e) => e.name === name);
  const q = (v: unknown) => (typeof v === 'string' ? v : (v as { toKubernetes(): string }).toKubernetes());
  for (const n of config?.doctor?.nodes ?? [{ name: 'node', cpu: '16', memory: '64Gi' }]) {
    // As many nodes of each shape as it takes to hold the environment's distributed services.
    for (let i = 0; i < 4; i++) await addKwokNode(cluster.kubeconfig, { name: `${n.name}-${i}`, cpu: q(n.cpu), memory: q(n.memory), labels: { ...(n.labels ?? {}) } });
  }
  return cluster;
}

/** `kubectl diff --server-side -k`: exit 0 and no output when the live objects equal the manifests. */
async function expectNoDiff(kubeconfig: string, dir: string): Promise<void> {
  const diff = await kubectl(kubeconfig, ['diff', '--server-side', '-k', dir]);
  // kubectl 1.28 notes that the kustomization's sortOptions win over its own --reorder default.
  const err = diff.stderr.split('\n').filter((l) => l.trim() !== '' && !/Warning: Sorting order is set both in 'kustomization\.yaml'/.test(l)).join('\n');
  expect({ status: diff.status, diff: diff.stdout, err }).toEqual({ status: 0, diff: '', err: '' });
}

/**
 * For every Deployment, StatefulSet and Job of the manifests: its controller created all the
 * pods it wants (a pod refused by admission never appears, and the controller records a
 * FailedCreate event), and no event anywhere says an admission plugin refused a pod.
 */
async function expectPodsAdmitted(kubeconfig: string, objects: any[]): Promise<void> {
  const owners = objects.filter((o) => (POD_OWNERS as readonly string[]).includes(o.kind));
  expect(owners.length).toBeGreaterThan(0);
  for (const o of owners) {
    const ns = o.metadata.namespace;
    const want = o.kind === 'Job' ? 1 : (o.spec.replicas ?? 1);
    const selector = o.kind === 'Job' ? { 'batch.kubernetes.io/job-name': o.metadata.name } : o.spec.selector.matchLabels;
    const labelSelector = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
    await waitFor(`${want} pod(s) of ${o.kind} ${ns}/${o.metadata.name}`, async () => {
      const pods = await getJson(kubeconfig, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(labelSelector)}`);
      return pods.items.length >= want ? pods.items : undefined;
    }, 90_000);
  }
  const events = await getJson(kubeconfig, '/api/v1/events');
  const refused = events.items.filter((e: any) => e.reason === 'FailedCreate' || /forbidden|exceeded quota|violates PodSecurity/i.test(e.message ?? ''));
  expect(refused.map((e: any) => `${e.involvedObject.kind} ${e.involvedObject.namespace}/${e.involvedObject.name}: ${e.message}`)).toEqual([]);
}
