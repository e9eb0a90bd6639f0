/**
 * `memoryLimit` of Kubeflow SparkApplications in the doctor's quota rules: Spark sets each
 * container's memory limit equal to its request, and only the operator's pod webhook raises it to
 * `spec.{driver,executor}.memoryLimit`. So limits.memory is charged memoryLimit where a webhook
 * serves the namespace (or no Kubeflow operator of the tree watches it, and the application's own
 * setting is taken), and the request where the operator runs without its webhook.
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { DoctorReport, attachDoctor } from '../../constructs/doctor';
import { kubeflowWebhooks, podWebhookIn } from '../../constructs/doctor/memory-limits';
import { DoctorView } from '../../constructs/doctor/view';
import { resolveDoctorOptions } from '../../constructs/doctor/options';
import { SparkOperator, WebhookCertificate } from '../../constructs/operator';
import { SPARK_OPERATOR } from '../../constructs/versions';
import { doctor, namespace, of, quota, sparkApp } from './fixtures';

type Operator = 'webhook' | 'webhook-elsewhere' | 'webhook-all' | 'controller-only' | 'none';

/** A Kubeflow operator Deployment (`controller start` or `webhook start`) serving `namespaces` ('' = all). */
function operatorDeployment(chart: Construct, process: 'controller' | 'webhook', namespaces: string): void {
  new ApiObject(chart, `op-${process}`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `spark-operator-${process}`, namespace: 'spark-operator' },
    spec: {
      selector: { matchLabels: { app: process } },
      template: {
        metadata: { labels: { app: process } },
        spec: { containers: [{ name: process, image: SPARK_OPERATOR.image, args: [process, 'start', ...(namespaces ? [`--namespaces=${namespaces}`] : [])] }] },
      },
    },
  });
}

function operator(chart: Construct, kind: Operator): void {
  if (kind === 'none') return;
  operatorDeployment(chart, 'controller', 'team');
  if (kind === 'webhook') operatorDeployment(chart, 'webhook', 'team');
  if (kind === 'webhook-all') operatorDeployment(chart, 'webhook', '');
  if (kind === 'webhook-elsewhere') operatorDeployment(chart, 'webhook', 'other');
}

/**
 * Requests: driver 1408Mi + 2 executors x 1408Mi = 4224Mi. Limits with executor memoryLimit 3Gi
 * applied: 1408Mi + 6Gi = 7552Mi.
 */
const EXECUTOR_LIMIT = { executor: { instances: 2, memoryLimit: '3Gi' } };

function oneApp(kind: Operator, hard: Record<string, string>, spec: Record<string, unknown> = EXECUTOR_LIMIT): DoctorReport {
  return doctor((c) => {
    namespace(c, 'team');
    quota(c, 'team', hard);
    operator(c, kind);
    sparkApp(c, 'App', { spec });
  });
}

describe('job-exceeds-quota: limits.memory', () => {
  const hard = { 'requests.memory': '100Gi', 'limits.memory': '6Gi' };

  test.each<[Operator, boolean]>([
    ['webhook', true],
    ['webhook-all', true],
    ['none', true], // no Kubeflow operator in the manifests: the application's memoryLimit is taken
    ['controller-only', false],
    ['webhook-elsewhere', false],
  ])('memoryLimit that fits requests but not limits.memory, operator %s: reported %s', (kind, reported) => {
    const f = of(oneApp(kind, hard), 'job-exceeds-quota');
    expect(f).toHaveLength(reported ? 1 : 0);
    if (reported) {
      expect(f[0].object).toBe('SparkApplication/team/app');
      expect(f[0].message).toMatch(/2 executors \(1 CPU, 1408Mi, limit 3Gi each\)/);
      expect(f[0].message).toMatch(/limits\.memory 6Gi \(.*spec\.executor\.memoryLimit 3Gi \(the operator's webhook.*; needs 7552Mi\)/);
      expect(f[0].message).toMatch(/Fix: .*lower memoryLimit/);
      expect(f[0].message).not.toMatch(/requests\.memory/);
    }
  });

  test('without memoryLimit the limits are the requests, whatever the webhook', () => {
    for (const kind of ['webhook', 'controller-only', 'none'] as const) {
      expect(of(oneApp(kind, hard, { executor: { instances: 2 } }), 'job-exceeds-quota')).toEqual([]);
      // 4224Mi of limits above a 4Gi limits.memory: reported, and said to be Spark's limit = request
      const tight = of(oneApp(kind, { 'limits.memory': '4Gi' }, { executor: { instances: 2 } }), 'job-exceeds-quota');
      expect(tight.map((x) => x.message)).toEqual([expect.stringMatching(/limits\.memory 4Gi \(Spark sets memory limit = request; needs 4224Mi\)/)]);
    }
  });

  test('without the webhook the doctor says memoryLimit is ignored, and charges the request', () => {
    const f = of(oneApp('controller-only', { 'limits.memory': '4Gi' }), 'job-exceeds-quota');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/limits\.memory 4Gi \(spec\.executor\.memoryLimit is ignored without the operator's webhook, so limit = request.*; needs 4224Mi\)/);
  });

  test('a driver memoryLimit counts once, beside the executors\'', () => {
    // 2Gi + 2 x 1408Mi = 4864Mi: above 4.5Gi, not the requests' 4224Mi.
    const f = of(oneApp('webhook', { 'limits.memory': '4608Mi' }, { driver: { memoryLimit: '2Gi' }, executor: { instances: 2 } }), 'job-exceeds-quota');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/spec\.driver\.memoryLimit 2Gi .*needs 4864Mi/);
    expect(of(oneApp('webhook', { 'limits.memory': '4864Mi' }, { driver: { memoryLimit: '2Gi' }, executor: { instances: 2 } }), 'job-exceeds-quota')).toEqual([]);
  });

  test('a memoryLimit below the request does not lower the limit (the API server would refuse the pod)', () => {
    const f = of(oneApp('webhook', { 'limits.memory': '4Gi' }, { executor: { instances: 2, memoryLimit: '1Gi' } }), 'job-exceeds-quota');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/needs 4224Mi/);
  });

  test('a ScheduledSparkApplication\'s template memoryLimit is read too', () => {
    const r = doctor((c) => {
      namespace(c, 'team');
      quota(c, 'team', hard);
      operator(c, 'webhook');
      sparkApp(c, 'App', { kind: 'ScheduledSparkApplication', spec: EXECUTOR_LIMIT });
    });
    expect(of(r, 'job-exceeds-quota')[0].message).toMatch(/spec\.template\.executor\.memoryLimit 3Gi/);
  });
});

describe('jobs-exceed-quota-together: limits.memory', () => {
  // Each: 4224Mi requests, 7552Mi limits with the webhook. Together 8448Mi / 15104Mi.
  const two = (kind: Operator) => doctor((c) => {
    namespace(c, 'team');
    quota(c, 'team', { 'requests.memory': '100Gi', 'limits.memory': '12Gi' });
    operator(c, kind);
    sparkApp(c, 'A', { spec: EXECUTOR_LIMIT });
    sparkApp(c, 'B', { spec: EXECUTOR_LIMIT });
  });

  test('two applications whose memory limits fit alone but not together are reported (with the webhook)', () => {
    const f = of(two('webhook'), 'jobs-exceed-quota-together');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/SparkApplication team\/a: 3 CPU, 4224Mi \(limits 7552Mi\)/);
    expect(f[0].message).toMatch(/limits\.memory 12Gi \(.*needs 15104Mi\)/);
  });

  test('without the webhook their limits are their requests, which fit', () => {
    expect(of(two('controller-only'), 'jobs-exceed-quota-together')).toEqual([]);
  });
});

describe('the webhook as the doctor finds it', () => {
  const viewOf = (build: (chart: Chart) => void) => {
    const app = new App();
    const chart = new Chart(app, 'c');
    build(chart);
    return new DoctorView(app.node.findAll(), resolveDoctorOptions({}));
  };

  test.each<[Operator, string, 'on' | 'off' | 'unknown']>([
    ['webhook', 'team', 'on'],
    ['webhook-all', 'team', 'on'],
    ['webhook-elsewhere', 'team', 'off'],
    ['webhook-elsewhere', 'other', 'on'],
    ['controller-only', 'team', 'off'],
    ['controller-only', 'other', 'unknown'],
    ['none', 'team', 'unknown'],
  ])('operator %s, namespace %s: %s', (kind, ns, expected) => {
    expect(podWebhookIn(viewOf((c) => operator(c, kind)), ns)).toBe(expected);
  });

  test('a webhook Deployment of another image, or a controller, is not the operator\'s webhook', () => {
    const workloads = viewOf((c) => {
      operatorDeployment(c, 'controller', 'team');
      new ApiObject(c, 'Other', {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'other', namespace: 'x' },
        spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'w', image: 'example.com/webhook:1.0', args: ['webhook', 'start'] }] } } },
      });
    }).workloads;
    expect(kubeflowWebhooks(workloads)).toEqual([]);
  });

  test('SparkOperator\'s own webhook Deployment is found, serving exactly its job namespaces', () => {
    const view = viewOf((c) => {
      new SparkOperator(c, 'Op', { jobNamespaces: [{ name: 'team' }], webhook: { certificate: WebhookCertificate.selfSigned() } });
    });
    const found = kubeflowWebhooks(view.workloads);
    expect(found.map((w) => [w.object.id, [...(w.namespaces ?? [])]])).toEqual([['Deployment/spark-operator/spark-operator-webhook', ['team']]]);
    expect(podWebhookIn(view, 'team')).toBe('on');
    const without = viewOf((c) => new SparkOperator(c, 'Op', { jobNamespaces: [{ name: 'team' }] }));
    expect(podWebhookIn(without, 'team')).toBe('off');
  });

  test('SparkOperator without a webhook refuses an application in its namespaces that sets memoryLimit, naming the field', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new SparkOperator(chart, 'Op', { jobNamespaces: [{ name: 'team' }] });
    sparkApp(chart, 'App', { spec: EXECUTOR_LIMIT });
    attachDoctor(app, {});
    expect(() => app.synth()).toThrow(/SparkApplication team\/app sets spec\.executor\.memoryLimit, which only the operator's webhook applies, and the webhook is off/);
  });
});
