import { ApacheSparkOperator, ApacheSparkOperatorProps, SparkNamespace, SparkOperator, SparkOperatorProps, WebhookCertificate } from '../../constructs';
import { ManifestValidator, formatIssues } from '../../constructs/validation';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { operatorProps, parsePlatformConfig } from '../../stacks/config';
import { dev, prod } from '../../stacks/environments';
import { isCustomResource } from '../../stacks/pulumi/resources';
import { renderEnvironment } from '../../stacks/synth';

const PROMETHEUS = [{ namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } }];
const TENANTS = ['team-a', 'team-b'];

function kubeflow(props: Partial<SparkOperatorProps> = {}): Obj[] {
  const chart = testChart();
  const jobNamespaces = TENANTS.map((t) => new SparkNamespace(chart, t, { name: t }));
  new SparkOperator(chart, 'Operator', { jobNamespaces, metricsAccess: PROMETHEUS, ...props });
  return synth(chart);
}

function apache(props: Partial<ApacheSparkOperatorProps> = {}): Obj[] {
  const chart = testChart();
  const jobNamespaces = TENANTS.map((t) => new SparkNamespace(chart, t, { name: t }));
  new ApacheSparkOperator(chart, 'ApacheOperator', { jobNamespaces, metricsAccess: PROMETHEUS, ...props });
  return synth(chart);
}

/** Whether a PodMonitor's selector (matchLabels and In expressions) and namespaces select `pod`. */
function selects(podMonitor: Obj, pod: { namespace: string; labels: Record<string, string> }): boolean {
  const { selector, namespaceSelector } = podMonitor.spec;
  const inNamespace = namespaceSelector?.matchNames ? namespaceSelector.matchNames.includes(pod.namespace) : pod.namespace === podMonitor.metadata.namespace;
  const labelsMatch = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => pod.labels[k] === v);
  const expressionsMatch = (selector.matchExpressions ?? []).every((e: { key: string; operator: string; values: string[] }) => {
    if (e.operator !== 'In') throw new Error(`test helper: operator ${e.operator} not modelled`);
    return e.values.includes(pod.labels[e.key]);
  });
  return inNamespace && labelsMatch && expressionsMatch;
}

/** Every pod template of the objects, with its namespace and the Deployment's name. */
function podTemplates(objects: readonly Obj[]): Array<{ name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string>; ports: Array<{ name: string; containerPort: number }> }> {
  return ofKind(objects, 'Deployment').map((d) => ({
    name: d.metadata.name,
    namespace: d.metadata.namespace!,
    labels: d.spec.template.metadata.labels,
    annotations: d.spec.template.metadata.annotations,
    ports: d.spec.template.spec.containers.flatMap((c: { ports?: unknown[] }) => c.ports ?? []),
  }));
}

describe('operator monitoring: off by default', () => {
  test.each([
    ['Kubeflow', () => kubeflow()],
    ['Apache', () => apache()],
  ])('%s operator: no PodMonitor, no prometheus.io annotations', (_name, render) => {
    const objects = render();
    expect(ofKind(objects, 'PodMonitor')).toHaveLength(0);
    for (const pod of podTemplates(objects)) expect(Object.keys(pod.annotations ?? {}).filter((k) => k.startsWith('prometheus.io/'))).toEqual([]);
  });
});

describe('SparkOperator (Kubeflow) PodMonitor', () => {
  test.each([
    ['without the webhook', {}, ['spark-operator-controller']],
    ['with the webhook', { webhook: { certificate: WebhookCertificate.selfSigned() } }, ['spark-operator-controller', 'spark-operator-webhook']],
    ['with two shards', { shards: 2 }, ['spark-operator-controller-0', 'spark-operator-controller-1']],
  ] as Array<[string, Partial<SparkOperatorProps>, string[]]>)('%s: valid, selects exactly the operator pods, names their metrics port', (_name, extra, expected) => {
    const objects = kubeflow({ ...extra, monitoring: { podMonitor: {} } });
    expectValidManifests(objects);
    const pm = findObject(objects, 'PodMonitor', 'spark-operator', 'spark-operator');
    expect(pm.apiVersion).toBe('monitoring.coreos.com/v1');
    const pods = podTemplates(objects);
    expect(pods.filter((p) => selects(pm, p)).map((p) => p.name).sort()).toEqual(expected);
    // each endpoint names a port that the selected containers have, on 8080
    expect(pm.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics' }]);
    for (const pod of pods.filter((p) => selects(pm, p))) {
      expect(pod.ports).toContainEqual({ name: 'metrics', containerPort: 8080 });
    }
  });

  test('does not select pods of another operator instance, another component, or another namespace', () => {
    const pm = findObject(kubeflow({ monitoring: { podMonitor: {} } }), 'PodMonitor', 'spark-operator');
    const controller = { 'app.kubernetes.io/name': 'spark-operator', 'app.kubernetes.io/instance': 'spark-operator', 'app.kubernetes.io/component': 'controller' };
    expect(selects(pm, { namespace: 'spark-operator', labels: controller })).toBe(true);
    expect(selects(pm, { namespace: 'spark-operator', labels: { ...controller, 'app.kubernetes.io/instance': 'other' } })).toBe(false);
    expect(selects(pm, { namespace: 'spark-operator', labels: { ...controller, 'app.kubernetes.io/component': 'webhook' } })).toBe(false);
    expect(selects(pm, { namespace: 'team-a', labels: controller })).toBe(false);
  });

  test('labels, interval and namespace reach the PodMonitor; it still selects the operator namespace', () => {
    const objects = kubeflow({ monitoring: { podMonitor: { labels: { release: 'kube-prometheus-stack' }, interval: '30s', namespace: 'monitoring' } } });
    expectValidManifests(objects);
    const pm = findObject(objects, 'PodMonitor', 'spark-operator', 'monitoring');
    expect(pm.metadata.labels).toMatchObject({ 'release': 'kube-prometheus-stack', 'app.kubernetes.io/managed-by': 'spark-platform' });
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['spark-operator'] });
    expect(pm.spec.podMetricsEndpoints[0].interval).toBe('30s');
    expect(podTemplates(objects).filter((p) => selects(pm, p)).map((p) => p.name)).toEqual(['spark-operator-controller']);
  });

  test('scrape annotations on the controller and webhook pod templates, PodMonitor independent', () => {
    const objects = kubeflow({ webhook: { certificate: WebhookCertificate.selfSigned() }, monitoring: { scrapeAnnotations: true } });
    expectValidManifests(objects);
    expect(ofKind(objects, 'PodMonitor')).toHaveLength(0);
    const pods = podTemplates(objects);
    expect(pods.map((p) => p.name).sort()).toEqual(['spark-operator-controller', 'spark-operator-webhook']);
    for (const pod of pods) {
      expect(pod.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
      expect(pod.ports.map((p) => p.containerPort)).toContain(8080);
    }
  });
});

describe('ApacheSparkOperator PodMonitor', () => {
  test('valid, selects exactly the operator pod, names its metrics port and /prometheus', () => {
    const objects = apache({ replicas: 2, monitoring: { podMonitor: { interval: '1m' } } });
    expectValidManifests(objects);
    const pm = findObject(objects, 'PodMonitor', 'spark-kubernetes-operator', 'spark-kubernetes-operator');
    expect(pm.spec.podMetricsEndpoints).toEqual([{ port: 'metrics-port', path: '/prometheus', interval: '1m' }]);
    const pods = podTemplates(objects);
    expect(pods.filter((p) => selects(pm, p)).map((p) => p.name)).toEqual(['spark-kubernetes-operator']);
    expect(pods[0].ports).toContainEqual({ name: 'metrics-port', containerPort: 19090 });
    const other = { ...pods[0].labels, 'app.kubernetes.io/instance': 'other' };
    expect(selects(pm, { namespace: 'spark-kubernetes-operator', labels: other })).toBe(false);
  });

  test('beside a Kubeflow operator, each PodMonitor selects only its own operator', () => {
    const chart = testChart();
    const [a, b] = TENANTS.map((t) => new SparkNamespace(chart, t, { name: t }));
    new SparkOperator(chart, 'Kubeflow', { jobNamespaces: [a], metricsAccess: PROMETHEUS, monitoring: { podMonitor: {} } });
    new ApacheSparkOperator(chart, 'Apache', { jobNamespaces: [b], metricsAccess: PROMETHEUS, monitoring: { podMonitor: {} } });
    const objects = synth(chart);
    expectValidManifests(objects);
    const pods = podTemplates(objects);
    const selected = (name: string) => pods.filter((p) => selects(findObject(objects, 'PodMonitor', name), p)).map((p) => p.name);
    expect(selected('spark-operator')).toEqual(['spark-operator-controller']);
    expect(selected('spark-kubernetes-operator')).toEqual(['spark-kubernetes-operator']);
  });

  test('scrape annotations name the configured metrics port, next to the default-container one', () => {
    const [pod] = podTemplates(apache({ metricsPort: 19190, monitoring: { scrapeAnnotations: true } }));
    expect(pod.annotations).toEqual({
      'kubectl.kubernetes.io/default-container': 'spark-kubernetes-operator',
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '19190', 'prometheus.io/path': '/prometheus',
    });
    expect(pod.ports).toContainEqual({ name: 'metrics-port', containerPort: 19190 });
  });
});

describe('monitoring errors', () => {
  const renderers = {
    Kubeflow: (p: Record<string, unknown>) => kubeflow(p as Partial<SparkOperatorProps>),
    Apache: (p: Record<string, unknown>) => apache(p as Partial<ApacheSparkOperatorProps>),
  };
  test.each([
    ['Kubeflow', 'a PodMonitor without metricsAccess', { metricsAccess: [], monitoring: { podMonitor: {} } }, /SparkOperator monitoring: is set but metricsAccess is empty.*Fix: .*metricsAccess/],
    ['Kubeflow', 'scrape annotations without metricsAccess', { metricsAccess: undefined, monitoring: { scrapeAnnotations: true } }, /monitoring: is set but metricsAccess is empty/],
    ['Apache', 'a PodMonitor without metricsAccess', { metricsAccess: [], monitoring: { podMonitor: {} } }, /ApacheSparkOperator monitoring: is set but metricsAccess is empty/],
    ['Kubeflow', 'a bad interval', { monitoring: { podMonitor: { interval: '30 seconds' } } }, /monitoring\.podMonitor\.interval: "30 seconds" is not a Prometheus duration.*Fix:/],
    ['Apache', 'a bad namespace', { monitoring: { podMonitor: { namespace: 'Monitoring' } } }, /monitoring\.podMonitor\.namespace/],
    ['Kubeflow', 'a reserved label', { monitoring: { podMonitor: { labels: { 'app.kubernetes.io/managed-by': 'me' } } } }, /monitoring\.podMonitor\.labels\["app\.kubernetes\.io\/managed-by"\]/],
    ['Apache', 'an unknown monitoring field', { monitoring: { podMonitor: {}, serviceMonitor: {} } }, /serviceMonitor/],
  ] as Array<['Kubeflow' | 'Apache', string, Record<string, unknown>, RegExp]>)('%s: %s', (kind, _what, props, message) => {
    expect(() => renderers[kind](props)).toThrow(message);
  });

  test('monitoring without anything enabled needs no metricsAccess and emits nothing', () => {
    const objects = kubeflow({ metricsAccess: [], monitoring: { scrapeAnnotations: false } });
    expect(ofKind(objects, 'PodMonitor')).toHaveLength(0);
  });
});

describe('the PodMonitor schema is live in the offline validator', () => {
  const validator = new ManifestValidator();
  const emitted = findObject(kubeflow({ monitoring: { podMonitor: { interval: '30s' } } }), 'PodMonitor', 'spark-operator');

  test('the emitted PodMonitor is valid (and Pulumi registers it as a generic CustomResource)', () => {
    expect(formatIssues(validator.validate(emitted))).toBe('');
    expect(isCustomResource(emitted.apiVersion)).toBe(true);
  });

  test.each([
    ['an unknown spec field', (s: any) => ({ ...s, podMetricEndpoints: s.podMetricsEndpoints }), /\/spec\/podMetricEndpoints/],
    ['an unknown endpoint field', (s: any) => ({ ...s, podMetricsEndpoints: [{ ...s.podMetricsEndpoints[0], targetPort: 8080 }] }), /\/spec\/podMetricsEndpoints\/0\/targetPort/],
    ['a wrong type', (s: any) => ({ ...s, namespaceSelector: { matchNames: 'spark-operator' } }), /\/spec\/namespaceSelector\/matchNames/],
    ['a missing selector', (s: any) => ({ ...s, selector: undefined }), /selector/],
    ['an unknown selector operator', (s: any) => ({ ...s, selector: { matchExpressions: [{ key: 'a', operator: 'Matches', values: ['b'] }] } }), /\/spec\/selector\/matchExpressions\/0\/operator/],
  ])('rejects %s', (_name, edit, message) => {
    const bad = JSON.parse(JSON.stringify({ ...emitted, spec: edit(emitted.spec) }));
    expect(formatIssues(validator.validate(bad))).toMatch(message);
  });
});

describe('PlatformConfig operator.monitoring', () => {
  test('passes through to the operator props, and the schema accepts it', () => {
    const monitoring = { podMonitor: { labels: { release: 'prom' }, interval: '30s' }, scrapeAnnotations: true };
    const config = parsePlatformConfig({ ...dev, operator: { ...dev.operator, metricsAccess: [{ namespace: 'monitoring' }], monitoring } }, 'test');
    expect(operatorProps(config, []).monitoring).toEqual(monitoring);
  });

  test('an environment with it on renders: the app knows PodMonitor is an external kind, 0 doctor errors', () => {
    const minimal = { name: 'monitored', tenants: [{ name: 'spark-jobs' }], operator: { metricsAccess: [{ namespace: 'monitoring' }], monitoring: { podMonitor: {} } } };
    const rendered = renderEnvironment(parsePlatformConfig(minimal, 'test'));
    expect(rendered.objects.filter((o) => o.kind === 'PodMonitor').map((o) => o.metadata.name)).toEqual(['spark-operator']);
    expect(rendered.doctor).toBeDefined();
    expect(rendered.doctor!.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('an unknown field under operator.monitoring is refused by the environment schema', () => {
    expect(() => parsePlatformConfig({ ...dev, operator: { ...dev.operator, monitoring: { podMonitr: {} } } }, 'test')).toThrow(/podMonitr/);
  });

  test('dev has no operator monitoring; prod has it through the monitoring section: one PodMonitor for the controller', () => {
    expect([dev.operator?.monitoring, dev.monitoring?.operator, prod.operator?.monitoring]).toEqual([undefined, undefined, undefined]);
    expect(prod.monitoring?.operator).toBe(true);
    const monitors = renderEnvironment(prod).objects.filter((o) => o.kind === 'PodMonitor' && o.metadata.namespace === 'spark-operator');
    expect(monitors.map((o) => o.metadata.name)).toEqual(['spark-operator']);
  });
});
