/**
 * 4. Operator mode: the real Kubeflow controller (v2.5.2, built here), started with the flags of
 *    the Deployment the project renders and its own ServiceAccount's token (so real RBAC
 *    applies), submits the SparkApplication with real spark-submit (pyspark's); the driver pod
 *    is created from the project's template; kwok drives it to Succeeded; the application
 *    reaches COMPLETED and its TTL removes it.
 * 5. Submit mode: the submitter container of the rendered Job (command, args, env, mounts taken
 *    from the manifests) runs here for real with the submitter account's token, creates the
 *    driver pod, waits for it and exits with its exit code.
 *    The two driver pods of the same SparkJob are compared field by field.
 *
 * 6. Client mode: a PySpark session started with the notebook's spark-defaults.conf (only the
 *    API server address substituted) and the notebook account's token creates executor pods
 *    from the project's template: admitted, owned by the notebook pod, labelled and ported as
 *    the NetworkPolicies expect, and removed when the session stops.
 *
 * All use the e2e environment (e2e/environments/e2e-jobs.ts) in a cluster of their own. What
 * differs from a pod: the process runs on this machine in a private mount namespace (the
 * ConfigMap, emptyDirs, token and SPARK_HOME mounted where the manifests say), as root, with
 * the API server's loopback address in place of `kubernetes.default.svc:443` in `--master`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ChildProcess } from 'child_process';
import { parse as parseYaml } from 'yaml';
import { Cluster, addKwokNode, startCluster, stopCluster } from '../cluster';
import { sparkHome, startOperator, tail } from '../lib/operator';
import { kubeletExpand } from '../../test/helpers/spark-effective';
import { E2eEnv, api, describeLocal, getJson, kustomized, serviceAccountTokenMount, waitFor } from '../lib/kube';
import { applyEnvironment } from '../lib/platform';
import { exited, spawnSandboxed, stop, volumeBinds } from '../lib/sandbox';

const ENV_NAME = 'e2e-jobs';
const NS = 'spark-e2e';

describeLocal('Spark jobs for real: the operator and spark-submit', (base) => {
  let cluster: Cluster;
  let env: E2eEnv;
  let objects: any[];
  let work: string;
  let port: string;
  let operator: ChildProcess | undefined;
  const driverPods: Record<string, any> = {};

  beforeAll(async () => {
    const dist = process.env.E2E_DIST_E2E;
    if (!dist) throw new Error('E2E_DIST_E2E is not set (npm run e2e synthesizes e2e/environments/)');
    cluster = await startCluster({ version: base.version, kwok: true });
    env = { ...base, kubeconfig: cluster.kubeconfig, dist };
    await addKwokNode(cluster.kubeconfig, { name: 'e2e', cpu: '4', memory: '8Gi' });
    await applyEnvironment(env, ENV_NAME);
    objects = await kustomized(cluster.kubeconfig, path.join(dist, ENV_NAME));
    port = new URL(cluster.server).port;
    // Outside /tmp, /opt and /run, which the sandbox replaces.
    work = fs.mkdtempSync('/var/tmp/spark-e2e-jobs-');
  }, 180_000);

  afterAll(async () => {
    await stop(operator);
    if (cluster) await stopCluster(cluster);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 60_000);

  test('operator mode: the real controller submits spark-pi; COMPLETED; the TTL removes it', async () => {
    const started = await startOperator(cluster, objects, 'controller', work);
    operator = started.process;
    const log = started.log;
    expect(started.args.slice(0, 2)).toEqual(['controller', 'start']);
    expect(started.args).toContain(`--namespaces=${NS}`);
    const states: string[] = [];
    let failed: string | undefined;
    const final = await waitFor('SparkApplication spark-pi to finish', async () => {
      if (operator!.exitCode !== null) throw new Error(`the operator exited (${operator!.exitCode}):\n${tail(log)}`);
      const app = await getJson(cluster.kubeconfig, `/apis/sparkoperator.k8s.io/v1beta2/namespaces/${NS}/sparkapplications/spark-pi`);
      const state = app.status?.applicationState?.state;
      if (state && states[states.length - 1] !== state) states.push(state);
      if (!driverPods.operator) {
        const pod = await api(cluster.kubeconfig, 'GET', `/api/v1/namespaces/${NS}/pods/spark-pi-driver`);
        if (pod.status === 200) driverPods.operator = pod.json();
      }
      if (state === 'FAILED' || state === 'SUBMISSION_FAILED') failed = `${state}: ${app.status?.applicationState?.errorMessage}`;
      return state === 'COMPLETED' || failed ? app : undefined;
    }, 180_000, 1000).catch((e) => { throw new Error(`${(e as Error).message}\noperator log:\n${tail(log)}`); });
    // Polled once a second, so a short state (SUBMITTED) may pass unseen; it ends COMPLETED.
    expect({ failed, last: states[states.length - 1] }).toEqual({ failed: undefined, last: 'COMPLETED' });
    expect(states.some((s) => s === 'SUBMITTED' || s === 'RUNNING')).toBe(true);
    expect(final.status.submissionAttempts).toBe(1);
    expect(final.status.driverInfo.podName).toBe('spark-pi-driver');

    // The driver pod was made from the SparkApplication's template, by spark-submit.
    const app = objects.find((o) => o.kind === 'SparkApplication' && o.metadata.name === 'spark-pi');
    const pod = driverPods.operator;
    expect(pod).toBeDefined();
    expectFromTemplate(pod, app.spec.driver.template, 'spark-kubernetes-driver');
    expect(pod.spec.serviceAccountName).toBe(app.spec.driver.serviceAccount);
    // Spark's sizing: 512m heap + max(10%, 384Mi) overhead, the same the doctor computes.
    expect(pod.spec.containers[0].resources.requests.memory).toBe('896Mi');
    // The arguments as written: the operator runs spark-submit itself, nothing expands $(...).
    expect(pod.spec.containers[0].args.slice(-2)).toEqual(['10', '$(POD_UID)']);

    // Its time to live (timeToLiveSeconds: 20) removes the finished application and its driver.
    await waitFor('the TTL to delete spark-pi', async () => {
      const r = await api(cluster.kubeconfig, 'GET', `/apis/sparkoperator.k8s.io/v1beta2/namespaces/${NS}/sparkapplications/spark-pi`);
      return r.status === 404 ? true : undefined;
    }, 90_000, 2000);
  }, 400_000);

  test('submit mode: the Job\'s spark-submit container runs for real, creates the driver and exits with its code', async () => {
    const job = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'spark-pi-submit');
    const template = job.spec.template;
    // The Job controller's pod is replaced by one made from the same template and kept Running,
    // since its container runs here, not on the fake node (the Job itself was admitted above).
    await api(cluster.kubeconfig, 'DELETE', `/apis/batch/v1/namespaces/${NS}/jobs/spark-pi-submit?propagationPolicy=Background`);
    const podName = 'spark-pi-submit-e2e';
    const created = await api(cluster.kubeconfig, 'POST', `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: podName, namespace: NS,
        labels: { ...template.metadata.labels, 'batch.kubernetes.io/job-name': 'spark-pi-submit' },
        annotations: { 'spark-platform.io/e2e-complete-after': 'never' },
      },
      spec: template.spec,
    });
    expect(created.status).toBe(201);
    const submitterPod = created.json();
    const container = template.spec.containers[0];

    // The container's environment as the kubelet builds it.
    const vars = new Map<string, string>();
    for (const e of container.env) {
      const field = e.valueFrom?.fieldRef?.fieldPath as string | undefined;
      if (e.value !== undefined) vars.set(e.name, e.value);
      else if (field === 'metadata.name') vars.set(e.name, podName);
      else if (field === 'metadata.uid') vars.set(e.name, submitterPod.metadata.uid);
      else if (field?.startsWith('metadata.labels[')) vars.set(e.name, submitterPod.metadata.labels[/\['(.+)'\]/.exec(field)![1]]);
      else throw new Error(`env ${e.name}: no value for ${JSON.stringify(e.valueFrom)}`);
    }
    const args = (container.args as string[]).map((a) => kubeletExpand(a, vars))
      .map((a) => (a === 'k8s://https://kubernetes.default.svc:443' ? `k8s://https://127.0.0.1:${port}` : a));
    expect(container.args).toContain('k8s://https://kubernetes.default.svc:443');

    // Its volumes where its mounts say: the ConfigMap's files, emptyDirs; the account's token.
    const binds: Array<[string, string]> = [[sparkHome(), '/opt/spark'], ...volumeBinds(template.spec, container, objects, path.join(work, 'submit-volumes')).binds];
    binds.push(await serviceAccountTokenMount(cluster.kubeconfig, NS, template.spec.serviceAccountName, path.join(work, 'submitter-token')));

    const log = path.join(work, 'submitter.log');
    const child = spawnSandboxed([...container.command, ...args], {
      workDir: path.join(work, 'submit-sandbox'), logFile: log, binds, privateTmp: false, cwd: '/opt/spark/work-dir',
      env: {
        PATH: process.env.PATH, HOME: '/nonexistent',
        ...Object.fromEntries(vars),
        KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port,
      },
    });
    const snapshot = (async () => {
      driverPods.submit = await waitFor('the submit-mode driver pod', async () => {
        const r = await api(cluster.kubeconfig, 'GET', `/api/v1/namespaces/${NS}/pods/spark-pi-submit-driver`);
        return r.status === 200 ? r.json() : undefined;
      }, 240_000, 500);
    })();
    const code = await exited(child, 300_000);
    await snapshot;
    expect({ code, log: code === 0 ? '' : tail(log) }).toEqual({ code: 0, log: '' });
    expect(fs.readFileSync(log, 'utf8')).toMatch(/exit code: 0/);

    const pod = driverPods.submit;
    const driverTemplate = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'spark-pi-submit-spark-submit').data['driver-template.yaml'];
    expect(driverTemplate).toBeDefined();
    // Owned by the submitter pod, as submit.sh fills in.
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pod', name: podName, uid: submitterPod.metadata.uid })]);
    // The argument reached spark-submit as written: the kubelet's expansion was escaped.
    expect(pod.spec.containers[0].args.slice(-2)).toEqual(['10', '$(POD_UID)']);
  }, 400_000);

  test('client mode: a PySpark session from the notebook\'s spark-defaults.conf creates executors from its template, owned by the notebook pod, and removes them when it stops', async () => {
    const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'lab');
    const podSpec = sts.spec.template.spec;
    const nbContainer = podSpec.containers[0];
    const notebookPod = await waitFor<any>('the notebook pod lab-0', async () => {
      const r = await api(cluster.kubeconfig, 'GET', `/api/v1/namespaces/${NS}/pods/lab-0`);
      return r.status === 200 ? r.json() : undefined;
    }, 60_000);
    // The notebook container's mounts: the conf ConfigMap (directory and spark-defaults.conf at
    // SPARK_HOME/conf), emptyDirs, the home volume; only the API server address is substituted.
    let substituted = false;
    const volumes = volumeBinds(podSpec, nbContainer, objects, path.join(work, 'nb-volumes'), (file, text) => {
      if (file !== 'spark-defaults.conf') return text;
      const edited = text.replace(/^spark\.master k8s:\/\/https:\/\/kubernetes\.default\.svc:443$/m, `spark.master k8s://https://127.0.0.1:${port}`);
      substituted = edited !== text;
      return edited;
    });
    expect(substituted).toBe(true);
    const home = sparkHome();
    fs.mkdirSync(path.join(home, 'conf'), { recursive: true });
    const binds: Array<[string, string]> = [[home, '/opt/spark'], ...volumes.binds];
    binds.push(await serviceAccountTokenMount(cluster.kubeconfig, NS, podSpec.serviceAccountName, path.join(work, 'notebook-token')));
    // What a kernel does: a session from the defaults, held until the test says stop.
    const control = volumes.dirs.get('home')!;
    fs.writeFileSync(path.join(control, 'session.py'), [
      'import os, time',
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.appName("e2e-notebook").getOrCreate()',
      'print("SESSION", spark.sparkContext.applicationId, flush=True)',
      'while not os.path.exists("stop"):',
      '    time.sleep(0.5)',
      'spark.stop()',
      'print("STOPPED", flush=True)',
      '',
    ].join('\n'));
    const python = path.resolve(home, '..', '..', '..', '..', 'bin', 'python3');
    const log = path.join(work, 'notebook.log');
    const homeDir = nbContainer.volumeMounts.find((m: any) => m.name === 'home').mountPath;
    const session = spawnSandboxed([python, 'session.py'], {
      workDir: path.join(work, 'nb-sandbox'), logFile: log, binds, privateTmp: false, cwd: homeDir,
      env: {
        PATH: process.env.PATH, HOME: homeDir, SPARK_HOME: '/opt/spark', POD_NAME: 'lab-0', POD_IP: '127.0.0.1',
        KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port,
      },
    });
    try {
      const executors = await waitFor('the session\'s executor pod', async () => {
        if (session.exitCode !== null) throw new Error(`the session exited (${session.exitCode}):\n${tail(log)}`);
        const list = await getJson(cluster.kubeconfig, `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent('spark-role=executor,spark-platform.io/client-driver=lab')}`);
        return list.items.length >= 1 ? list.items : undefined;
      }, 180_000, 1000).catch((e) => { throw new Error(`${(e as Error).message}\n${tail(log)}`); });
      expect(executors).toHaveLength(1);
      const ex = executors[0];
      // Owned by the notebook pod: deleting it deletes its executors.
      expect(ex.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pod', name: 'lab-0', uid: notebookPod.metadata.uid })]);
      // Made from the executor template of the ConfigMap, on the executor account.
      const confName = podSpec.volumes.find((v: any) => v.configMap).configMap.name;
      const template = parseYaml(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === confName).data['executor-pod-template.yaml']);
      expectFromTemplate(ex, template, 'spark-kubernetes-executor');
      expect(ex.spec.serviceAccountName).toBe('spark-executor');
      // Labelled and ported as the NetworkPolicies expect: the executors' policy selects it,
      // it reaches the driver at the headless name on the admitted port range, and listens on
      // the block manager port the driver's egress allows.
      for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'lab-executors')) {
        for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) expect(ex.metadata.labels[k]).toBe(v);
      }
      const c = ex.spec.containers[0];
      const driverUrl = c.env.find((e: any) => e.name === 'SPARK_DRIVER_URL').value;
      expect(driverUrl).toMatch(/^spark:\/\/CoarseGrainedScheduler@lab-driver\.spark-e2e\.svc\.cluster\.local:7078$/);
      const ingress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'lab-driver-ingress');
      const range = ingress.spec.ingress[0].ports[0];
      expect(7078).toBeGreaterThanOrEqual(range.port);
      expect(7078).toBeLessThanOrEqual(range.endPort);
      expect(c.ports).toContainEqual(expect.objectContaining({ containerPort: 7079 }));
      expect(ex.metadata.namespace).toBe(NS);
    } finally {
      fs.writeFileSync(path.join(control, 'stop'), '');
    }
    expect(await exited(session, 120_000)).toBe(0);
    expect(fs.readFileSync(log, 'utf8')).toMatch(/STOPPED/);
    // spark.kubernetes.executor.deleteOnTermination: the stopped session removes its executors.
    await waitFor('the executors to be removed', async () => {
      const list = await getJson(cluster.kubeconfig, `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent('spark-role=executor,spark-platform.io/client-driver=lab')}`);
      return list.items.length === 0 ? true : undefined;
    }, 60_000);
  }, 400_000);

  test('the same SparkJob, the same driver pod: operator mode and submit mode, field by field', () => {
    const [a, b] = [driverPods.operator, driverPods.submit];
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(comparable(b, 'spark-pi-submit')).toEqual(comparable(a, 'spark-pi'));
  });
});

/** The pod carries the template's security contexts, volumes and mounts, and its Spark container's. */
function expectFromTemplate(pod: any, template: any, containerName: string): void {
  const c = pod.spec.containers.find((x: any) => x.name === containerName);
  const t = template.spec.containers.find((x: any) => x.name === containerName);
  expect(pod.spec.securityContext).toEqual(template.spec.securityContext);
  expect(c.securityContext).toEqual(t.securityContext);
  expect(pod.spec.automountServiceAccountToken).toBe(template.spec.automountServiceAccountToken);
  expect(pod.spec.enableServiceLinks).toBe(false);
  for (const v of template.spec.volumes) expect(pod.spec.volumes).toContainEqual(v);
  for (const m of t.volumeMounts) expect(c.volumeMounts).toContainEqual(m);
  for (const e of t.env ?? []) expect(c.env).toContainEqual(e);
}

/**
 * A driver pod without what necessarily differs between two runs or two modes: names and ids
 * derived from the application name and its submission, the owner (the SparkApplication, or
 * the submitter pod), the operator's own bookkeeping labels, status and server-set metadata.
 */
function comparable(pod: any, appName: string): unknown {
  const replaceName = (s: string) => s.split(appName).join('<app>')
    .replace(/spark-[0-9a-f]{32}/g, '<app-id>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/[0-9a-f]{16}/g, '<id>')
    .replace(/^kube-api-access-[a-z0-9]{5}$/, 'kube-api-access-<random>');
  const deep = (v: unknown): unknown => {
    if (typeof v === 'string') return replaceName(v);
    if (Array.isArray(v)) return v.map(deep);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [replaceName(k), deep(x)]));
    return v;
  };
  const labels = { ...pod.metadata.labels };
  for (const k of Object.keys(labels)) if (k.startsWith('sparkoperator.k8s.io/')) delete labels[k];
  const spec = { ...pod.spec };
  delete spec.nodeName;
  return deep({
    labels,
    annotations: pod.metadata.annotations ?? {},
    spec: {
      ...spec,
      containers: spec.containers.map((c: any) => ({ ...c, env: (c.env ?? []).filter((e: any) => e.name !== 'SPARK_APPLICATION_ID') })),
    },
  });
}
