/**
 * Monitoring of a tenant's Spark jobs (issue 18): the tenant's metricsAccess NetworkPolicy, the
 * SparkJobsMonitoring PodMonitor, and the doctor's metrics-scrape-dropped rule. NetworkPolicies are
 * judged by the evaluator (as a network plugin would), PodMonitors by the pods they select.
 */
import { ApiObject, Chart } from 'cdk8s';
import {
  SparkJob, SparkJobMode, SparkJobProps, SparkJobsMonitoring, SparkJobsMonitoringProps, SparkNamespace, SparkNamespaceProps, SparkOperator,
} from '../../constructs';
import { ManifestValidator, formatIssues } from '../../constructs/validation';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator } from '../helpers/netpol';
import { SPARK_PI_JOB } from '../helpers/jobs';
import { doctor, of, sparkApp } from '../doctor/fixtures';

const PROMETHEUS = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
const JMX = { jmxExporter: { jar: 'local:///opt/spark/jmx/jmx_prometheus_javaagent.jar' } };

function tenant(chart: Chart, props: Partial<SparkNamespaceProps> = {}): SparkNamespace {
  return new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs', ...props });
}

function job(chart: Chart, ns: SparkNamespace, props: Partial<SparkJobProps> = {}): SparkJob {
  return new SparkJob(chart, 'Job', { ...SPARK_PI_JOB, namespace: ns, mode: SparkJobMode.SUBMIT, ...props });
}

describe('SparkNamespace metricsAccess', () => {
  test('without it: no metrics policy (the tenant denies every scrape, as before)', () => {
    const chart = testChart();
    tenant(chart);
    expect(ofKind(synth(chart), 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('allow-spark-metrics');
  });

  describe('with it', () => {
    const chart = testChart();
    tenant(chart, { metricsAccess: [PROMETHEUS] });
    const objects = synth(chart);
    const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: { monitoring: {} } });
    const prometheus = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
    const pod = (role: string, ports: Record<string, number>) => ({ namespace: 'spark-jobs', labels: { 'spark-role': role }, ports });
    const driver = pod('driver', { 'spark-ui': 4040, 'jmx-exporter': 8090 });
    const executor = pod('executor', { 'jmx-exporter': 9404 });

    test('a valid policy selecting the Spark pods, admitting the scrapers by port name', () => {
      expectValidManifests(objects);
      const policy = findObject(objects, 'NetworkPolicy', 'allow-spark-metrics', 'spark-jobs');
      expect(policy.spec.podSelector).toEqual({ matchExpressions: [{ key: 'spark-role', operator: 'Exists' }] });
      expect(policy.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 'spark-ui' }, { protocol: 'TCP', port: 'jmx-exporter' }]);
    });

    test.each([
      ['Prometheus -> driver servlet (spark-ui)', prometheus, driver, 4040, true],
      ['Prometheus -> driver JMX exporter', prometheus, driver, 8090, true],
      ['Prometheus -> executor JMX exporter on its own port', prometheus, executor, 9404, true],
      ['Prometheus -> driver RPC (not a metrics port)', prometheus, driver, 7078, false],
      ['another pod of the monitoring namespace -> driver servlet', { namespace: 'monitoring', labels: { app: 'grafana' } }, driver, 4040, false],
      ['Prometheus -> a port of that number but another name', prometheus, pod('executor', { profiler: 8090 }), 8090, false],
    ] as const)('%s: %s', (_what, from, to, port, allowed) => {
      expect(net.allows({ from, to, port })).toBe(allowed);
    });

    test('an invalid peer namespace names the field', () => {
      expect(() => tenant(testChart(), { metricsAccess: [{ namespace: 'Monitoring' }] })).toThrow(/metricsAccess\[0\]\.namespace/);
    });
  });
});

describe('SparkJobsMonitoring', () => {
  function render(monitoring: Partial<SparkJobsMonitoringProps> = {}, jobProps: Partial<SparkJobProps> = { monitoring: JMX }): { objects: Obj[]; pm: Obj } {
    const chart = testChart();
    const ns = tenant(chart, { metricsAccess: [PROMETHEUS] });
    job(chart, ns, jobProps);
    new SparkJobsMonitoring(chart, 'Monitoring', { namespace: ns, ...monitoring });
    const objects = synth(chart);
    return { objects, pm: ofKind(objects, 'PodMonitor')[0] };
  }

  /** The pod labels Spark gives the job's pods: the template's labels (via conf) plus spark-role. */
  function podLabels(objects: Obj[], role: 'driver' | 'executor'): Record<string, string> {
    const args: string[] = findObject(objects, 'Job', SPARK_PI_JOB.name).spec.template.spec.containers[0].args;
    const prefix = `spark.kubernetes.${role}.label.`;
    const labels = Object.fromEntries(args.filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length).split('=') as [string, string]));
    return { ...labels, 'spark-role': role };
  }

  function selects(pm: Obj, labels: Record<string, string>): boolean {
    const { matchLabels, matchExpressions } = pm.spec.selector;
    return Object.entries(matchLabels).every(([k, v]) => labels[k] === v)
      && matchExpressions.every((e: { key: string; values: string[] }) => e.values.includes(labels[e.key]));
  }

  test('a valid PodMonitor over the tenant namespace, selecting the job\'s driver and executors, not other pods', () => {
    const { objects, pm } = render({ labels: { release: 'kube-prometheus-stack' }, interval: '30s' });
    expectValidManifests(objects);
    expect(pm.metadata).toMatchObject({ name: 'spark-jobs', namespace: 'spark-jobs', labels: { release: 'kube-prometheus-stack' } });
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['spark-jobs'] });
    expect(selects(pm, podLabels(objects, 'driver'))).toBe(true);
    expect(selects(pm, podLabels(objects, 'executor'))).toBe(true);
    expect(selects(pm, { ...podLabels(objects, 'driver'), 'spark-role': 'submitter' })).toBe(false);
    expect(selects(pm, { 'spark-role': 'driver' })).toBe(false); // not a platform pod
    expect(pm.spec.podMetricsEndpoints).toEqual([
      { port: 'spark-ui', path: '/metrics/prometheus/', interval: '30s' },
      { port: 'spark-ui', path: '/metrics/executors/prometheus/', interval: '30s' },
      { port: 'jmx-exporter', path: '/metrics', interval: '30s' },
    ]);
    expect(pm.spec.podTargetLabels).toEqual(['spark-role', 'spark-platform.io/job']);
  });

  test('every endpoint port is one the selected pods declare (JMX) or Spark opens (spark-ui), and the tenant admits', () => {
    const { objects, pm } = render();
    const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: { monitoring: {} } });
    const driverTemplate = findObject(objects, 'ConfigMap', `${SPARK_PI_JOB.name}-spark-submit`).data['driver-template.yaml'];
    expect(driverTemplate).toContain('name: jmx-exporter');
    const ports: Record<string, number> = { 'spark-ui': 4040, 'jmx-exporter': 8090 };
    for (const e of pm.spec.podMetricsEndpoints) {
      expect(net.allows({ from: PROMETHEUS, to: { namespace: 'spark-jobs', labels: podLabels(objects, 'driver'), ports }, port: ports[e.port] })).toBe(true);
    }
  });

  test('servlet or JMX only', () => {
    expect(render({ jmxExporter: false }).pm.spec.podMetricsEndpoints.map((e: { port: string }) => e.port)).toEqual(['spark-ui', 'spark-ui']);
    expect(render({ servlet: false }).pm.spec.podMetricsEndpoints.map((e: { port: string }) => e.port)).toEqual(['jmx-exporter']);
  });

  test('the PodMonitor schema of the offline validator knows podTargetLabels, and refuses a wrong type there', () => {
    const { pm } = render();
    const validator = new ManifestValidator();
    expect(formatIssues(validator.validate(pm))).toBe('');
    expect(formatIssues(validator.validate({ ...pm, spec: { ...pm.spec, podTargetLabels: 'spark-role' } }))).toMatch(/\/spec\/podTargetLabels/);
  });

  test.each([
    ['a tenant without metricsAccess', () => {
      const chart = testChart();
      new SparkJobsMonitoring(chart, 'M', { namespace: tenant(chart) });
    }, /SparkJobsMonitoring "spark-jobs" namespace: "spark-jobs" has no metricsAccess.*Fix: list the Prometheus pods/],
    ['a bad interval', () => render({ interval: '30 seconds' }), /interval: "30 seconds" is not a Prometheus duration.*Fix:/],
    ['both endpoints off', () => render({ servlet: false, jmxExporter: false }), /servlet: and jmxExporter are both off.*Fix:/],
    ['a bad PodMonitor namespace', () => render({ podMonitorNamespace: 'Monitoring' }), /podMonitorNamespace/],
    ['an unknown field', () => render({ intervall: '30s' } as never), /intervall/],
  ] as Array<[string, () => void, RegExp]>)('refuses %s', (_what, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('doctor: metrics-scrape-dropped', () => {
  test.each([
    ['a JMX exporter in a tenant without metricsAccess', {}, {}, false, 1],
    ['a JMX exporter, the tenant admits Prometheus', { metricsAccess: [PROMETHEUS] }, {}, false, 0],
    ['a PodMonitor over the servlet, the tenant admits nobody', {}, { monitoring: undefined }, true, 1],
    ['no exporter, no PodMonitor: nothing to scrape, nothing judged', {}, { monitoring: undefined }, false, 0],
  ] as Array<[string, Partial<SparkNamespaceProps>, Partial<SparkJobProps>, boolean, number]>)('%s', (_what, nsProps, jobProps, podMonitor, findings) => {
    const report = doctor((chart) => {
      const ns = tenant(chart, nsProps);
      job(chart, ns, { monitoring: JMX, ...jobProps });
      if (podMonitor) {
        new ApiObject(chart, 'PodMonitor', {
          apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'spark', namespace: 'spark-jobs' },
          spec: { selector: { matchExpressions: [{ key: 'spark-role', operator: 'In', values: ['driver'] }] }, podMetricsEndpoints: [{ port: 'spark-ui', path: '/metrics/prometheus/' }] },
        });
      }
    });
    const found = of(report, 'metrics-scrape-dropped');
    expect(found).toHaveLength(findings);
    for (const f of found) {
      expect(f.severity).toBe('error');
      expect(f.message).toMatch(/is never scraped: namespace spark-jobs denies ingress by default and admits no scraper.*Fix: list the Prometheus pods .* metricsAccess/);
    }
  });

  test('a PodMonitor on a port the metrics policy does not name is reported with the policy verdict', () => {
    const report = doctor((chart) => {
      tenant(chart, { metricsAccess: [PROMETHEUS] });
      sparkApp(chart, 'App', {
        namespace: 'spark-jobs',
        spec: { executor: { template: { spec: { containers: [{ name: 'spark-kubernetes-executor', ports: [{ name: 'metrics', containerPort: 9100 }] }] } } } },
      });
      new ApiObject(chart, 'PodMonitor', {
        apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'custom', namespace: 'spark-jobs' },
        spec: { selector: { matchLabels: { 'spark-role': 'executor' } }, podMetricsEndpoints: [{ port: 'metrics' }] },
      });
    });
    const [finding] = of(report, 'metrics-scrape-dropped');
    expect(finding.message).toMatch(/NetworkPolicies of namespace spark-jobs drop the scrape of the executor's metrics port 9100 \(PodMonitor spark-jobs\/custom\) from monitoring\/.*Fix: admit the scrapers/);
  });

  test('a job in operator mode with the exporter, in a tenant admitting Prometheus: 0 errors of any rule', () => {
    const report = doctor((chart) => {
      const ns = tenant(chart, { metricsAccess: [PROMETHEUS] });
      const operator = new SparkOperator(chart, 'Operator', { jobNamespaces: [ns] });
      new SparkJob(chart, 'Job', { ...SPARK_PI_JOB, namespace: ns, operator, monitoring: JMX });
      new SparkJobsMonitoring(chart, 'Monitoring', { namespace: ns });
    });
    expect(report.errors.map((e) => `${e.rule}: ${e.message}`)).toEqual([]);
  });
});
