/**
 * 8. Pulumi: `up` of the dev stack with a local (file) backend against a fresh local API server,
 *    then a preview that must show no change, then `destroy`, which leaves none of the platform's
 *    objects behind. The real Pulumi CLI and Kubernetes provider (built by e2e/setup.sh) run the
 *    project's own program (stacks/pulumi: deployPlatform) through the Automation API as an
 *    inline program (the Node.js language host is not served by the Go module proxy, so the
 *    program runs in this process, which serves the language runtime itself).
 *
 * The CLI (v3.276.0) and provider (v4.25.0) are the versions package.json pins for the npm SDKs.
 * PVCs bind to PersistentVolumes the test creates (no provisioner on kwok nodes).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalWorkspace, Stack } from '@pulumi/pulumi/automation';
import { Cluster, VERSIONS, addKwokNode, cacheDir, startCluster, stopCluster } from '../cluster';
import { api, describeLocal, getJson } from '../lib/kube';
import { recordPulumiUp } from '../measurements';
import { deployPlatform } from '../../stacks/pulumi/program';

function pulumiBinaries(): { cli: string; provider: string; home: string } | undefined {
  const p = (VERSIONS as unknown as { pulumi?: { cli: { version: string }; kubernetesProvider: { release: string } } }).pulumi;
  if (!p) return undefined;
  const cli = path.join(cacheDir(), 'bin', `pulumi-${p.cli.version}`, 'pulumi');
  const provider = path.join(cacheDir(), 'bin', `pulumi-resource-kubernetes-v${p.kubernetesProvider.release}`, 'pulumi-resource-kubernetes');
  const home = path.join(cacheDir(), 'pulumi-home');
  return fs.existsSync(cli) && fs.existsSync(provider) ? { cli, provider, home } : undefined;
}

describeLocal('Pulumi: up, no-change preview, destroy of the dev stack', (base) => {
  let cluster: Cluster;
  let stack: Stack;
  let work: string;
  const bins = pulumiBinaries();

  beforeAll(async () => {
    if (!bins) throw new Error('the Pulumi CLI and Kubernetes provider are not built (bash e2e/setup.sh pulumi)');
    cluster = await startCluster({ version: base.version, kwok: true });
    // Room for every dev pod at once (dev's own node shape is checked by the doctor elsewhere).
    for (let i = 0; i < 3; i++) await addKwokNode(cluster.kubeconfig, { name: `pulumi-${i}`, cpu: '16', memory: '64Gi' });
    // Volumes for the StatefulSets' claims (MinIO's data, the notebook's home).
    for (let i = 0; i < 6; i++) {
      const r = await api(cluster.kubeconfig, 'POST', '/api/v1/persistentvolumes', {
        apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `e2e-pv-${i}` },
        spec: { capacity: { storage: '100Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: `/nonexistent/e2e-pv-${i}` } },
      });
      expect(r.status).toBe(201);
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-e2e-pulumi-'));
    fs.mkdirSync(path.join(work, 'state'));
    const envVars: Record<string, string> = {
      PULUMI_HOME: bins.home,
      PULUMI_CONFIG_PASSPHRASE: 'e2e-only-passphrase',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: 'true',
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: 'true',
      PATH: `${path.dirname(bins.cli)}:${path.dirname(bins.provider)}:${process.env.PATH}`,
    };
    // The Automation API runs `pulumi` from this process's PATH.
    Object.assign(process.env, envVars);
    stack = await LocalWorkspace.createOrSelectStack({
      stackName: 'dev',
      projectName: 'spark-platform',
      program: async () => deployPlatform().outputs,
    }, {
      workDir: work,
      envVars,
      projectSettings: { name: 'spark-platform', runtime: 'nodejs', backend: { url: `file://${work}/state` } },
    } as never);
    await stack.setAllConfig({
      'spark-platform:environment': { value: 'dev' },
      'spark-platform:kubeconfig': { value: cluster.kubeconfig },
      'spark-platform:secrets': {
        secret: true,
        value: JSON.stringify({
          'minio-root': { rootUser: 'e2e-root', rootPassword: 'e2e-root-password-1' },
          's3-credentials': { AWS_ACCESS_KEY_ID: 'e2e-root', AWS_SECRET_ACCESS_KEY: 'e2e-root-password-1' },
          'lab-token': { token: 'e2e-notebook-token' },
        }),
      },
    });
  }, 300_000);

  afterAll(async () => {
    if (cluster) await stopCluster(cluster);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 60_000);

  test('pulumi up creates the platform; a preview afterwards changes nothing; destroy removes it', async () => {
    const started = Date.now();
    const up = await stack.up({ onOutput: () => undefined });
    const upMs = Date.now() - started;
    expect(up.summary.result).toBe('succeeded');
    const created = up.summary.resourceChanges?.create ?? 0;
    expect(created).toBeGreaterThan(50);
    // The real engine's time per resource, for the bench's table (users size stacks by it).
    const p = (VERSIONS as unknown as { pulumi: { cli: { version: string }; kubernetesProvider: { release: string } } }).pulumi;
    recordPulumiUp({ date: new Date().toISOString(), environment: 'dev', kubernetes: base.version, cli: p.cli.version, provider: p.kubernetesProvider.release, resources: created, upMs });
    process.stderr.write(`pulumi up of dev (Kubernetes ${base.version}): ${created} resources in ${(upMs / 1000).toFixed(1)} s, ${(upMs / created).toFixed(0)} ms per resource\n`);
    expect(up.outputs.environment.value).toBe('dev');
    // What Pulumi created is on the server, under its own field manager.
    const ns = await getJson(cluster.kubeconfig, '/api/v1/namespaces/spark-jobs');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const secret = await getJson(cluster.kubeconfig, '/api/v1/namespaces/spark-jobs/secrets/lab-token');
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe('e2e-notebook-token');

    const preview = await stack.preview({ expectNoChanges: true, onOutput: () => undefined } as never);
    const changes = Object.entries(preview.changeSummary).filter(([op, n]) => op !== 'same' && (n as number) > 0);
    expect(changes).toEqual([]);

    const destroy = await stack.destroy({ onOutput: () => undefined });
    expect(destroy.summary.result).toBe('succeeded');
    for (const p of [
      '/api/v1/namespaces/spark-jobs/secrets/lab-token', '/apis/apps/v1/namespaces/spark-operator/deployments/spark-operator-controller',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/sparkapplications.sparkoperator.k8s.io',
      '/api/v1/namespaces/spark-jobs', '/api/v1/namespaces/spark-operator', '/api/v1/namespaces/spark-platform',
    ]) {
      const r = await api(cluster.kubeconfig, 'GET', p);
      expect([p, r.status === 404 || /Terminating/.test(r.body)]).toEqual([p, true]);
    }
  }, 1_200_000);
});
