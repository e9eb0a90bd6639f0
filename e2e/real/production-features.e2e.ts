/**
 * SparkJob's production features, run for real on the real node (e2e/environments/e2e-real.ts
 * FEATURES_JOB, through the operator): the Prometheus JMX exporter's agent in the driver and the
 * executors (the jar the suite's image carries, JMX_EXPORTER in constructs/versions.ts), Spark's
 * PrometheusServlet, bounded scratch as Spark's local dir, and a native sidecar on the driver.
 *
 * The scrapes come from a pod standing in for Prometheus (namespace and labels: SCRAPER, the
 * tenant's `metricsAccess`), so the tenant's `allow-spark-metrics` NetworkPolicy is what lets
 * them through; a pod of the same namespace without those labels is the control. Every metric
 * name the platform's dashboard may query (constructs/monitoring/metric-names.ts) that the running
 * job can expose must be in what the real endpoints serve: the dashboard's names are checked
 * against the real exporter and the real servlet, not only against their sources.
 */
import { EXPOSED_METRICS } from '../../constructs/monitoring/metric-names';
import { JMX_RULES } from '../../constructs/monitoring/jmx-rules';
import { SCRATCH_MOUNT_PATH } from '../../constructs/writable-paths';
import { E2E_S3A_IMAGE, FEATURES_JMX_PORT, FEATURES_JOB, REAL_TENANT, SCRAPER } from '../environments/e2e-real';
import { E2eEnv, api, describeReal, getJson, kubectl, kubectlOk, waitFor } from '../lib/kube';
import { applyBaseLayers, ensureObject, layerFile, sparkApplicationFinished } from '../lib/real';

const ENV_NAME = 'e2e-real';
const NS = REAL_TENANT;
/** Spark's UI port, where the PrometheusServlet and the executors' endpoint are served. */
const UI_PORT = 4040;

/** A pod that only waits, from which the scrapes run (bash's /dev/tcp). */
function scraperPod(name: string, labels: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: SCRAPER.namespace, labels },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 185, runAsGroup: 185, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'scrape',
        image: E2E_S3A_IMAGE.image,
        imagePullPolicy: 'IfNotPresent',
        command: ['sleep', 'infinity'],
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
      }],
    },
  };
}

/** The series names of a Prometheus text exposition. */
function seriesNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

describeReal('SparkJob production features for real: JMX exporter and servlet metrics, scratch, a native sidecar', (base) => {
  let env: E2eEnv;

  /**
   * An HTTP GET from a scraper pod to a pod's port: the response body, or undefined when the
   * connection is not made within 4 s (refused, or dropped by a NetworkPolicy).
   */
  const scrape = async (from: string, ip: string, port: number, urlPath: string): Promise<string | undefined> => {
    const script = `timeout 8 bash -c 'exec 3<>/dev/tcp/${ip}/${port} || exit 7; `
      + `printf "GET ${urlPath} HTTP/1.0\\r\\nHost: ${ip}\\r\\n\\r\\n" >&3; cat <&3' 2>/dev/null; echo "rc=$?"`;
    const r = await kubectl(env.kubeconfig, ['exec', '-n', SCRAPER.namespace, from, '--', 'bash', '-c', script], undefined, 30_000);
    const m = /rc=(\d+)\s*$/.exec(r.stdout);
    if (!m) throw new Error(`scrape from ${from} failed: ${r.stderr || r.stdout}`);
    if (m[1] !== '0') return undefined;
    const response = r.stdout.slice(0, m.index);
    const status = /^HTTP\/1\.\d (\d+)/.exec(response)?.[1];
    if (status !== '200') throw new Error(`GET ${ip}:${port}${urlPath}: HTTP ${status}\n${response.slice(0, 500)}`);
    return response.slice(response.indexOf('\r\n\r\n') + 4);
  };

  /** The job's pods (phase, container states) and the driver's log tail: what a failure shows. */
  const diagnosis = async (): Promise<string> => {
    const items = (await getJson(env.kubeconfig, `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`spark-platform.io/job=${FEATURES_JOB}`)}`)).items;
    const lines = items.map((p: any) => `${p.metadata.name} ${p.status?.phase}: ${JSON.stringify([...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].map((c: any) => ({ [c.name]: c.state })))}`);
    const app = (await api(env.kubeconfig, 'GET', `/apis/sparkoperator.k8s.io/v1beta2/namespaces/${NS}/sparkapplications/${FEATURES_JOB}`)).body;
    const driver = items.find((p: any) => p.metadata.labels?.['spark-role'] === 'driver');
    const log = driver ? (await kubectl(env.kubeconfig, ['logs', '-n', NS, driver.metadata.name, '-c', 'spark-kubernetes-driver', '--tail=40'])).stdout : '(no driver pod)';
    return `pods:\n${lines.join('\n')}\napplication status: ${JSON.stringify(JSON.parse(app).status ?? {})}\ndriver log tail:\n${log}`;
  };

  const runningPod = async (selector: string): Promise<any | undefined> => {
    const items = (await getJson(env.kubeconfig, `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
    return items.find((p: any) => p.status?.phase === 'Running' && p.status?.podIP);
  };

  beforeAll(async () => {
    const dist = process.env.E2E_DIST_E2E;
    if (!dist) throw new Error('E2E_DIST_E2E is not set (npm run e2e synthesizes e2e/environments/)');
    env = { ...base, dist };
    await applyBaseLayers(env, ENV_NAME);
    await ensureObject(env, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SCRAPER.namespace } });
    await ensureObject(env, `/api/v1/namespaces/${SCRAPER.namespace}/pods`, scraperPod('prometheus', { ...SCRAPER.labels }));
    await ensureObject(env, `/api/v1/namespaces/${SCRAPER.namespace}/pods`, scraperPod('stranger', { 'app.kubernetes.io/name': 'stranger' }));
    for (const pod of ['prometheus', 'stranger']) {
      await kubectlOk(env.kubeconfig, ['wait', '-n', SCRAPER.namespace, '--for=condition=Ready', `pod/${pod}`, '--timeout=120s']);
    }
  }, 300_000);

  test('the running job serves every metric the dashboard uses, to the tenant\'s scraper only; scratch and a native sidecar; COMPLETED', async () => {
    const jobsFile = layerFile(env, ENV_NAME, 'jobs')!;
    await kubectlOk(env.kubeconfig, ['apply', '--server-side', '--validate=strict', '-f', jobsFile, '-l', `spark-platform.io/job=${FEATURES_JOB}`]);

    // WHEN the driver and an executor run, the scraper reads their exporter and the driver's servlet
    const running = await waitFor('a running driver and executor of the job', async () => {
      const driver = await runningPod(`spark-platform.io/job=${FEATURES_JOB},spark-role=driver`);
      const executor = await runningPod(`spark-platform.io/job=${FEATURES_JOB},spark-role=executor`);
      return driver && executor ? { driver, executor } : undefined;
    }, 300_000, 1000).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await diagnosis()}`);
    });
    const driverIp: string = running.driver.status.podIP;
    const executorIp: string = running.executor.status.podIP;
    const ruleNames = (instances: 'driver' | 'executors') => JMX_RULES.filter((r) => r.instances === instances || r.instances === 'both').map((r) => r.name);
    // The DAGScheduler's and the executor's gauges register when their process has started: poll.
    const exposes = (text: string | undefined, names: readonly string[]) => text !== undefined && names.every((n) => seriesNames(text).has(n));
    const driverJmx = await waitFor('the driver\'s exporter serving every driver rule', async () => {
      const t = await scrape('prometheus', driverIp, FEATURES_JMX_PORT, '/metrics');
      return exposes(t, ruleNames('driver')) ? t : undefined;
    }, 120_000, 1000).catch(async (e) => {
      const t = await scrape('prometheus', driverIp, FEATURES_JMX_PORT, '/metrics').catch(() => undefined);
      throw new Error(`${(e as Error).message}\nserved: ${[...seriesNames(t ?? '')].filter((n) => n.startsWith('spark_')).join(', ') || '(no spark_ series)'}`);
    });
    const executorJmx = await waitFor('the executor\'s exporter serving every executor rule', async () => {
      const t = await scrape('prometheus', executorIp, FEATURES_JMX_PORT, '/metrics');
      return exposes(t, ruleNames('executors')) ? t : undefined;
    }, 120_000, 1000);
    const servletNames = EXPOSED_METRICS.filter((m) => m.sparkLines?.includes('4.0')).map((m) => m.name);
    const servlet = await waitFor('the driver\'s servlet listing the executors', async () => {
      const t = await scrape('prometheus', driverIp, UI_PORT, '/metrics/executors/prometheus/');
      return exposes(t, servletNames) ? t : undefined;
    }, 120_000, 1000).catch(async (e) => {
      const t = await scrape('prometheus', driverIp, UI_PORT, '/metrics/executors/prometheus/').catch(() => undefined);
      throw new Error(`${(e as Error).message}\nserved: ${[...seriesNames(t ?? '')].join(', ') || '(nothing)'}`);
    });
    // AND a pod of the same namespace that is not the tenant's scraper is stopped at both ports
    const strangerJmx = await scrape('stranger', driverIp, FEATURES_JMX_PORT, '/metrics');
    const strangerUi = await scrape('stranger', driverIp, UI_PORT, '/metrics/prometheus/');

    const app = await sparkApplicationFinished(env, NS, FEATURES_JOB);
    const driverPod = await getJson(env.kubeconfig, `/api/v1/namespaces/${NS}/pods/${app.status.driverInfo.podName}`);
    const driverLog = (await kubectl(env.kubeconfig, ['logs', '-n', NS, driverPod.metadata.name, '-c', 'spark-kubernetes-driver', '--tail=-1'])).stdout;
    const sidecar = driverPod.spec.initContainers?.find((c: any) => c.name === 'heartbeat');
    const sidecarState = driverPod.status.initContainerStatuses?.find((c: any) => c.name === 'heartbeat')?.state;
    console.log(`${FEATURES_JOB}: ${app.status.applicationState.state}; driver exporter ${seriesNames(driverJmx).size} series, executor exporter ${seriesNames(executorJmx).size}, servlet ${seriesNames(servlet).size}; sidecar ${JSON.stringify(sidecarState)}`);

    // THEN the exporter and the servlet serve every name the dashboard may query for this job
    expect(ruleNames('driver').filter((n) => !seriesNames(driverJmx).has(n))).toEqual([]);
    expect(ruleNames('executors').filter((n) => !seriesNames(executorJmx).has(n))).toEqual([]);
    expect(servletNames.filter((n) => !seriesNames(servlet).has(n))).toEqual([]);
    // ... labelled with the job, not an application id
    expect(driverJmx).toMatch(new RegExp(`spark_jvm_heap_used_bytes\\{[^}]*app_name="${FEATURES_JOB}"`));
    expect([strangerJmx, strangerUi]).toEqual([undefined, undefined]);
    // AND the application completed, the native sidecar did not hold the driver pod
    expect(app.status.applicationState.state).toBe('COMPLETED');
    expect(driverPod.status.phase).toBe('Succeeded');
    expect(sidecar?.restartPolicy).toBe('Always');
    expect(sidecarState?.terminated).toBeDefined();
    // AND Spark put its block manager's local dir on the bounded scratch volume
    expect(driverPod.spec.volumes).toContainEqual({ name: 'spark-local-dir-1', emptyDir: { sizeLimit: '1Gi' } });
    expect(driverLog).toContain(`Created local directory at ${SCRATCH_MOUNT_PATH}/`);
  }, 900_000);
});
