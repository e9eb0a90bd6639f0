/**
 * 3. Admission: the tenant namespaces really enforce Pod Security "restricted"; and for a job the
 *    doctor says exceeds its namespace quota, the API server refuses one of its pods, while for
 *    one the doctor passes every pod is admitted: the doctor's verdict and the cluster's agree.
 * 7. Scheduling: a pod the doctor says fits no node stays Pending with the scheduler's own
 *    reason; one it passes is scheduled.
 * The pods are sized as Spark sizes them (heap + max(10%, 384Mi)), by the same sizing the
 * doctor uses, and the doctor's message is checked to name that size.
 */
import { Memory, Cpu } from '../../constructs/units';
import { sparkPodMemory } from '../../constructs/spark-sizing';
import { addKwokNode } from '../cluster';
import { doctor, namespace as nsObject, of, quota, sparkApp } from '../../test/doctor/fixtures';
import { api, describeE2e, describeLocal, getJson, waitFor } from '../lib/kube';
import { applyEnvironment } from '../lib/platform';

const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 185, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };

function pod(name: string, ns: string, cpu: Cpu, memory: Memory, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { 'spark-platform.io/e2e': 'sizing' } },
    spec: {
      restartPolicy: 'Never', automountServiceAccountToken: false,
      containers: [{
        name: 'spark-kubernetes-executor', image: 'docker.io/apache/spark:4.0.3-scala2.13-java17-python3-ubuntu',
        resources: { requests: { cpu: cpu.toKubernetes(), memory: memory.toKubernetes() }, limits: { memory: memory.toKubernetes() } },
        securityContext: RESTRICTED_CONTAINER,
      }],
      ...extra,
    },
  };
}

async function createNamespace(kubeconfig: string, name: string, labels: Record<string, string> = {}): Promise<void> {
  const r = await api(kubeconfig, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  if (r.status !== 201 && r.status !== 409) throw new Error(`create namespace ${name}: ${r.status} ${r.body}`);
}

describeE2e('admission', (env) => {
  beforeAll(() => applyEnvironment(env, 'dev'));

  test('tenant namespaces enforce Pod Security "restricted": a pod without the restricted security context is refused, naming the level', async () => {
    // (A privileged container would be refused earlier: the API server runs with --allow-privileged=false.)
    const loose = pod('baseline-probe', 'spark-jobs', Cpu.millis(100), Memory.mebibytes(64));
    delete ((loose.spec as any).containers[0]).securityContext;
    const r = await api(env.kubeconfig, 'POST', '/api/v1/namespaces/spark-jobs/pods', loose);
    expect(r.status).toBe(403);
    expect(r.json().message).toMatch(/violates PodSecurity "restricted:v1\.28": allowPrivilegeEscalation != false/);
    // The same pod with the restricted context is admitted.
    const ok = await api(env.kubeconfig, 'POST', '/api/v1/namespaces/spark-jobs/pods', pod('restricted-probe', 'spark-jobs', Cpu.millis(100), Memory.mebibytes(64), { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } }));
    expect(ok.status).toBe(201);
  });

  test.each([
    // 1 driver + executors of 1 core, 1g heap → 1408Mi each; quota 4 CPU / 8Gi / 10 pods.
    ['exceeds', 4, 1],
    ['fits', 2, 0],
  ])('the doctor says a job %s its quota with %i executors; the ResourceQuota admission agrees', async (_what, executors, expected) => {
    const ns = `quota-${executors}`;
    const hard = { 'requests.cpu': '4', 'requests.memory': '8Gi', pods: '10' };
    const report = doctor((c) => {
      nsObject(c, ns);
      quota(c, ns, hard);
      sparkApp(c, 'App', { namespace: ns, spec: { executor: { instances: executors } } });
    });
    const findings = of(report, 'job-exceeds-quota');
    expect(findings).toHaveLength(expected);
    const size = sparkPodMemory(Memory.parseSpark('1g'));
    if (expected > 0) expect(findings[0].message).toContain(`1 CPU, ${size.toKubernetes()} each`);

    await createNamespace(env.kubeconfig, ns);
    const q = await api(env.kubeconfig, 'POST', `/api/v1/namespaces/${ns}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: ns }, spec: { hard } });
    expect(q.status).toBe(201);
    await waitFor('the quota to be counted', async () => ((await getJson(env.kubeconfig, `/api/v1/namespaces/${ns}/resourcequotas/q`)).status?.hard ? true : undefined));
    const refused: string[] = [];
    for (let i = 0; i <= executors; i++) {
      const name = i === 0 ? 'app-driver' : `app-exec-${i}`;
      const r = await api(env.kubeconfig, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(name, ns, Cpu.cores(1), size));
      if (r.status === 403) refused.push(`${name}: ${r.json().message}`);
      else expect(r.status).toBe(201);
    }
    expect(refused.length > 0).toBe(expected > 0);
    if (expected > 0) expect(refused[0]).toMatch(/exceeded quota: q, requested: .*requests\.cpu=1/);
  });
});

describeLocal('scheduling', (env) => {
  const NODE = 'sched-check';
  const placement = { nodeSelector: { 'spark-platform.io/e2e-node': NODE }, tolerations: [{ key: 'spark-platform.io/e2e', operator: 'Exists', effect: 'NoSchedule' }] };

  beforeAll(async () => {
    // A node of dev's shape that only these pods may use.
    await addKwokNode(env.kubeconfig, {
      name: NODE, cpu: '4', memory: '8Gi', labels: { 'spark-platform.io/e2e-node': NODE },
      taints: [{ key: 'spark-platform.io/e2e', value: 'true', effect: 'NoSchedule' }],
    });
    await createNamespace(env.kubeconfig, 'sched-check');
  });

  test.each([
    ['8g', true],
    ['6g', false],
  ])('an executor of %s heap on a 4 CPU / 8Gi node: the doctor says unschedulable=%s, and so does the scheduler', async (heap, unschedulable) => {
    const report = doctor((c) => sparkApp(c, 'App', { spec: { executor: { memory: heap } } }), { nodes: [{ name: NODE, cpu: '4', memory: '8Gi' }] });
    const findings = of(report, 'pod-exceeds-node').filter((f) => /executor/.test(f.message));
    expect(findings.length > 0).toBe(unschedulable);
    const size = sparkPodMemory(Memory.parseSpark(heap));
    const name = `exec-${heap}`;
    const r = await api(env.kubeconfig, 'POST', '/api/v1/namespaces/sched-check/pods', pod(name, 'sched-check', Cpu.cores(1), size, placement));
    expect(r.status).toBe(201);
    const condition = await waitFor(`a scheduling decision for ${name}`, async () => {
      const p = await getJson(env.kubeconfig, `/api/v1/namespaces/sched-check/pods/${name}`);
      const c = (p.status?.conditions ?? []).find((x: any) => x.type === 'PodScheduled');
      return c ? c : undefined;
    }, 60_000);
    if (unschedulable) {
      expect(condition).toMatchObject({ status: 'False', reason: 'Unschedulable' });
      expect(condition.message).toMatch(/Insufficient memory/);
    } else {
      expect(condition).toMatchObject({ status: 'True' });
    }
  });
});
