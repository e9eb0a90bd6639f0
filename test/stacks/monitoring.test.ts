/**
 * Monitoring in the environment configuration: tenants' `metricsAccess` (and tenantDefaults'),
 * `monitoring.podMonitors` (a SparkJobsMonitoring per tenant), `monitoring.operator` (the
 * operator's PodMonitor) and `monitoring.dashboard` (SparkDashboard), as prod turns them on.
 */
import { Memory } from '../../constructs/units';
import { SparkJobType } from '../../constructs/jobs';
import { PlatformConfig, operatorMonitoringOf, parsePlatformConfig, tenantProps } from '../../stacks/config';
import { prod } from '../../stacks/environments';
import { renderEnvironment } from '../../stacks/synth';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

const PROMETHEUS = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };
const TENANTS = ['spark-analytics', 'spark-data-eng', 'spark-ml'];

describe('prod: Prometheus from kube-prometheus-stack in namespace monitoring', () => {
  const rendered = renderEnvironment(prod);
  const objects = rendered.objects as unknown as Obj[];
  const find = (kind: string, namespace: string | undefined, name: string) => objects.filter((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);

  test('a PodMonitor per tenant, with the release label, selecting its Spark pods', () => {
    const pms = objects.filter((o) => o.kind === 'PodMonitor' && TENANTS.includes(o.metadata.namespace!));
    expect(pms.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(TENANTS.map((t) => `${t}/spark-jobs`));
    for (const pm of pms) {
      expect(pm.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
      expect(pm.spec.namespaceSelector).toEqual({ matchNames: [pm.metadata.namespace] });
      expect(pm.spec.podMetricsEndpoints.map((e: { port: string }) => e.port)).toEqual(['spark-ui', 'spark-ui', 'jmx-exporter']);
    }
  });

  test('each tenant admits Prometheus to the metrics ports (allow-spark-metrics)', () => {
    for (const t of TENANTS) {
      const [policy] = find('NetworkPolicy', t, 'allow-spark-metrics');
      expect(policy.spec.ingress).toEqual([{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: PROMETHEUS.podLabels } }],
        ports: [{ port: 'spark-ui', protocol: 'TCP' }, { port: 'jmx-exporter', protocol: 'TCP' }],
      }]);
    }
  });

  test('the operator: a PodMonitor of its controllers with the release label, and its metrics port open to Prometheus', () => {
    const [pm] = find('PodMonitor', 'spark-operator', 'spark-operator');
    expect(pm.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(pm.spec.selector.matchExpressions).toEqual([{ key: 'app.kubernetes.io/component', operator: 'In', values: ['controller'] }]);
    const [policy] = find('NetworkPolicy', 'spark-operator', 'spark-operator-controller');
    expect(policy.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: PROMETHEUS.podLabels } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });

  test('the dashboard ConfigMap in monitoring, found by Grafana\'s sidecar label, in the last file', () => {
    const [cm] = find('ConfigMap', 'monitoring', 'spark-platform-dashboard');
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(JSON.parse(cm.data!['spark-platform.json']).uid).toBe('spark-platform-jobs');
    expect(rendered.charts.map((c) => c.file)).toEqual(['00-crds.yaml', '01-tenants.yaml', '02-operator.yaml', '03-storage.yaml', '04-monitoring.yaml']);
    expect(rendered.charts[4].objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ConfigMap/monitoring/spark-platform-dashboard', ...TENANTS.map((t) => `PodMonitor/${t}/spark-jobs`),
    ]);
  });

  test('the doctor: 0 errors and 0 warnings', () => {
    expect(rendered.doctor!.findings.map((f) => `${f.severity} ${f.rule}: ${f.message}`)).toEqual([]);
  });

  test('metrics-scrape-dropped agrees once a tenant runs a job with the JMX exporter; it reports a tenant that admits no scraper', () => {
    const job = {
      tenant: 'spark-ml', name: 'train', type: SparkJobType.SCALA, mainClass: 'org.apache.spark.examples.SparkPi',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      driver: { memory: Memory.gibibytes(2) }, executor: { instances: 4, cores: 2, memory: Memory.gibibytes(4) },
      monitoring: { jmxExporter: { jar: 'local:///opt/spark/jars/jmx_prometheus_javaagent.jar' } },
    };
    const withJob: PlatformConfig = { ...prod, name: 'prod-job', jobs: [job] };
    const findings = renderEnvironment(withJob).doctor!.findings;
    expect(findings.filter((f) => f.rule === 'metrics-scrape-dropped')).toEqual([]);
    expect(findings.map((f) => `${f.severity} ${f.rule}`)).toEqual([]);
    // Without podMonitors the tenant may admit no scraper: the job's JMX port is then reported.
    const { monitoring: _m, ...rest } = prod;
    const unscraped: PlatformConfig = { ...rest, name: 'prod-unscraped', tenantDefaults: { ...prod.tenantDefaults, metricsAccess: undefined }, jobs: [job] };
    expect(() => renderEnvironment(unscraped)).toThrow(/metrics-scrape-dropped.*jmx-exporter port 8090.*admits no scraper/s);
  });
});

describe('the configuration', () => {
  const base: PlatformConfig = { name: 'm', tenants: [{ name: 'a' }, { name: 'b', metricsAccess: [{ namespace: 'other' }] }], tenantDefaults: { metricsAccess: [PROMETHEUS] } };

  test('a tenant\'s metricsAccess replaces tenantDefaults\'', () => {
    expect(tenantProps(base, 0).metricsAccess).toEqual([{ namespace: 'monitoring', labels: PROMETHEUS.podLabels }]);
    expect(tenantProps(base, 1).metricsAccess).toEqual([{ namespace: 'other' }]);
    expect(tenantProps({ name: 'm', tenants: [{ name: 'a' }] }, 0).metricsAccess).toEqual([]);
  });

  test.each<[string, PlatformConfig['monitoring'], PlatformConfig['operator'], unknown]>([
    ['nothing', undefined, undefined, undefined],
    ['operator.monitoring as written', undefined, { monitoring: { scrapeAnnotations: true } }, { scrapeAnnotations: true }],
    ['monitoring.operator false keeps operator.monitoring', { operator: false }, { monitoring: { scrapeAnnotations: true } }, { scrapeAnnotations: true }],
    ['monitoring.operator: a PodMonitor without labels', { operator: true }, { metricsAccess: [PROMETHEUS] }, { podMonitor: {} }],
    ['monitoring.operator: podMonitors\' labels and interval', { operator: true, podMonitors: { labels: { release: 'r' }, interval: '30s' } }, { metricsAccess: [PROMETHEUS] }, { podMonitor: { labels: { release: 'r' }, interval: '30s' } }],
  ])('the operator\'s monitoring: %s', (_name, monitoring, operator, expected) => {
    expect(operatorMonitoringOf({ ...base, monitoring, operator })).toEqual(expected);
  });

  test('an environment with only a dashboard: no PodMonitor, the monitoring file holds the ConfigMap', () => {
    const r = renderEnvironment(parsePlatformConfig({ name: 'dash', tenants: [{ name: 'a' }], monitoring: { dashboard: { namespace: 'grafana', folder: 'Spark', labels: { team: 'platform' } } } }, 'test'));
    expect(r.objects.filter((o) => o.kind === 'PodMonitor')).toEqual([]);
    const cm = (r.objects as unknown as Obj[]).find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'grafana')!;
    expect(cm.metadata.labels).toMatchObject({ team: 'platform', grafana_dashboard: '1' });
    expect(cm.metadata.annotations).toMatchObject({ grafana_folder: 'Spark' });
  });

  test('podMonitors\' interval reaches every endpoint of every tenant\'s PodMonitor', () => {
    const r = renderEnvironment(parsePlatformConfig({ ...base, monitoring: { podMonitors: { interval: '15s' } } }, 'test'));
    const pms = (r.objects as unknown as Obj[]).filter((o) => o.kind === 'PodMonitor');
    expect(pms.map((o) => o.metadata.namespace)).toEqual(['a', 'b']);
    for (const pm of pms) expect(pm.spec.podMetricsEndpoints.map((e: { interval?: string }) => e.interval)).toEqual(['15s', '15s', '15s']);
  });
});
