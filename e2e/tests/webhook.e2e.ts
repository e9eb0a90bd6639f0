/**
 * 4 (webhook variant). The operator with its admission webhook (e2e/environments/e2e-webhook.ts):
 * the real webhook, started from its rendered Deployment with its own account, makes its
 * certificates and patches `caBundle` into the rendered configurations; the API server then calls
 * it (failurePolicy Fail: before it runs, a SparkApplication is refused) for the application and
 * the driver pod, and the job completes as without it.
 *
 * The API server reaches the webhook's Service at its ClusterIP through e2e/egress-guard.js, which
 * tunnels exactly that address to the webhook's port on 127.0.0.1 (there is no kube-proxy).
 * 2 (webhook account). The real authorizer agrees with the RbacEvaluator for the webhook's account.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { RbacEvaluator } from '../../constructs/doctor/evaluators/rbac';
import { Cluster, addKwokNode, mapServiceToLoopback, startCluster, stopCluster } from '../cluster';
import { api, describeLocal, getJson, kubectl, kubectlOk, kustomized, waitFor } from '../lib/kube';
import { CRDS_FILE, waitForCrdsEstablished } from '../lib/platform';
import { RunningOperator, startOperator, tail } from '../lib/operator';
import { stop } from '../lib/sandbox';

const ENV_NAME = 'e2e-webhook';
const NS = 'spark-e2e';
const APP_KINDS = ['SparkApplication', 'ScheduledSparkApplication'];

describeLocal('the operator webhook for real', (base) => {
  let cluster: Cluster;
  let objects: any[];
  let work: string;
  let dir: string;
  const running: RunningOperator[] = [];

  beforeAll(async () => {
    const dist = process.env.E2E_DIST_E2E;
    if (!dist) throw new Error('E2E_DIST_E2E is not set (npm run e2e synthesizes e2e/environments/)');
    dir = path.join(dist, ENV_NAME);
    cluster = await startCluster({ version: base.version, kwok: true });
    await addKwokNode(cluster.kubeconfig, { name: 'e2e', cpu: '4', memory: '8Gi' });
    objects = await kustomized(cluster.kubeconfig, dir);
    work = fs.mkdtempSync('/var/tmp/spark-e2e-webhook-');
    // As Argo CD's waves or a careful kubectl user would: CRDs, then everything but the
    // applications (the webhook is not running yet, and it fails closed).
    const crds = await kubectlOk(cluster.kubeconfig, ['apply', '--server-side', '--validate=strict', '-f', path.join(dir, CRDS_FILE)]);
    await waitForCrdsEstablished(cluster.kubeconfig, crds);
    const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition' && !APP_KINDS.includes(o.kind));
    await kubectlOk(cluster.kubeconfig, ['apply', '--server-side', '--validate=strict', '-f', '-'], rest.map((o) => stringify(o)).join('---\n'));
  }, 180_000);

  afterAll(async () => {
    for (const r of running) await stop(r.process);
    if (cluster) await stopCluster(cluster);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 60_000);

  test('the RBAC of the webhook account: the real authorizer agrees with the RbacEvaluator', async () => {
    const evaluator = new RbacEvaluator(objects);
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'webhook');
    const sa = { namespace: deployment.metadata.namespace, name: deployment.spec.template.spec.serviceAccountName };
    const resources: Array<[string, string]> = [
      ['', 'secrets'], ['', 'pods'], ['', 'resourcequotas'], ['', 'events'], ['coordination.k8s.io', 'leases'],
      ['sparkoperator.k8s.io', 'sparkapplications'], ['admissionregistration.k8s.io', 'mutatingwebhookconfigurations'],
      ['admissionregistration.k8s.io', 'validatingwebhookconfigurations'],
    ];
    const differences: string[] = [];
    let allowed = 0;
    for (const [group, resource] of resources) {
      for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) {
        for (const namespace of [sa.namespace, NS, 'default', undefined]) {
          const r = await api(cluster.kubeconfig, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
            apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
            spec: {
              user: `system:serviceaccount:${sa.namespace}:${sa.name}`,
              groups: ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`, 'system:authenticated'],
              resourceAttributes: { verb, group, resource, ...(namespace ? { namespace } : {}) },
            },
          });
          const real = r.json().status.allowed === true;
          const model = evaluator.can({ kind: 'ServiceAccount', ...sa }, { verb, group, resource, namespace });
          if (real) allowed++;
          if (real !== model) differences.push(`${verb} ${group || 'core'}/${resource} in ${namespace ?? '(all)'}: authorizer ${real}, evaluator ${model}`);
        }
      }
    }
    expect(differences).toEqual([]);
    expect(allowed).toBeGreaterThan(5);
  });

  test('fails closed before it runs; then serves: caBundle patched, the application and its driver pass through it, COMPLETED', async () => {
    const app = objects.find((o) => o.kind === 'SparkApplication' && o.metadata.name === 'spark-pi');
    // failurePolicy Fail: with the configurations applied and no webhook, the application is refused.
    const early = await kubectl(cluster.kubeconfig, ['apply', '--server-side', '--dry-run=server', '-f', '-'], stringify(app));
    expect(early.status).not.toBe(0);
    expect(early.stderr).toMatch(/failed calling webhook "mutate-sparkoperator-k8s-io-v1beta2-sparkapplication\.sparkoperator\.k8s\.io"/);

    // The webhook's Service, reached at its ClusterIP by the API server, is the webhook's port here.
    const svcObject = objects.find((o) => o.kind === 'Service' && /webhook/.test(o.metadata.name));
    const svc = await getJson(cluster.kubeconfig, `/api/v1/namespaces/${svcObject.metadata.namespace}/services/${svcObject.metadata.name}`);
    const port = svc.spec.ports[0];
    // A named targetPort is the webhook container's port of that name.
    const webhookContainer = objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'webhook').spec.template.spec.containers[0];
    const target = typeof port.targetPort === 'number' ? port.targetPort : webhookContainer.ports.find((p: any) => p.name === port.targetPort).containerPort;
    mapServiceToLoopback(cluster, svc.spec.clusterIP, port.port, target);
    running.push(await startOperator(cluster, objects, 'webhook', work));
    const webhookLog = running[0].log;
    const mutating = objects.find((o) => o.kind === 'MutatingWebhookConfiguration');
    const validating = objects.find((o) => o.kind === 'ValidatingWebhookConfiguration');
    await waitFor('the webhook to patch caBundle into both configurations', async () => {
      if (running[0].process.exitCode !== null) throw new Error(`the webhook exited:\n${tail(webhookLog)}`);
      const m = await getJson(cluster.kubeconfig, `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${mutating.metadata.name}`);
      const v = await getJson(cluster.kubeconfig, `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${validating.metadata.name}`);
      return [...m.webhooks, ...v.webhooks].every((w: any) => w.clientConfig.caBundle) ? true : undefined;
    }, 120_000, 1000).catch((e) => { throw new Error(`${(e as Error).message}\n${tail(webhookLog)}`); });

    // Now the application is admitted through both webhooks (retry while the webhook's TLS
    // server picks up the certificates it just wrote).
    await waitFor('the application to be admitted', async () => {
      const r = await kubectl(cluster.kubeconfig, ['apply', '--server-side', '-f', '-'], stringify(app));
      if (r.status !== 0) throw new Error(r.stderr);
      return true;
    }, 60_000, 2000).catch((e) => { throw new Error(`${(e as Error).message}\nwebhook:\n${tail(webhookLog)}\negress-guard:\n${tail(path.join(cluster.logsDir, 'egress-guard.log'), 20)}`); });
    running.push(await startOperator(cluster, objects, 'controller', work));
    const controllerLog = running[1].log;
    const final = await waitFor('spark-pi to finish', async () => {
      if (running[1].process.exitCode !== null) throw new Error(`the controller exited:\n${tail(controllerLog)}`);
      const a = await getJson(cluster.kubeconfig, `/apis/sparkoperator.k8s.io/v1beta2/namespaces/${NS}/sparkapplications/spark-pi`);
      const state = a.status?.applicationState?.state;
      return state === 'COMPLETED' || state === 'FAILED' || state === 'SUBMISSION_FAILED' ? a : undefined;
    }, 180_000, 1000).catch((e) => { throw new Error(`${(e as Error).message}\n${tail(controllerLog)}`); });
    expect(final.status.applicationState.state).toBe('COMPLETED');
    // The API server called the webhook: the guard tunnelled its Service address here, for the
    // application and for the driver pod (launched-by-spark-operator).
    const guard = fs.readFileSync(path.join(cluster.logsDir, 'egress-guard.log'), 'utf8');
    const calls = guard.split('\n').filter((l) => l.includes(`mapped ${svc.spec.clusterIP}:${port.port}`)).length;
    expect(calls).toBeGreaterThanOrEqual(2);
  }, 420_000);
});
