/**
 * Pod features of SparkJob (issue 18): priority, grace period, topology spread, host aliases,
 * DNS settings and the proxy user, in all three modes. The cross-mode equality of the pods is in
 * same-pods.test.ts (sample "pod-features"); here: valid manifests, the template contents, and
 * bad input refused naming the field and the fix.
 */
import {
  ApacheSparkOperator, ApacheSparkOperatorCrds, SparkJob, SparkJobMode, SparkJobProps, SparkNamespace, SparkOperator, SparkOperatorCrds,
} from '../../constructs';
import { Obj, expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';
import {
  effectiveFromApacheSparkApplication, effectiveFromSparkApplication, effectiveFromSubmitJob, sampleJobs,
} from '../helpers/spark-effective';
import { Json } from '../helpers/k8s-json';
import { doctor, of, sparkApp } from '../doctor/fixtures';

const SAMPLE = sampleJobs()['pod-features'].props;
const NAME = SAMPLE.name;

function render(mode: SparkJobMode, props: Partial<SparkJobProps> = {}): Obj[] {
  const chart = testChart();
  if (mode === SparkJobMode.APACHE_OPERATOR) new ApacheSparkOperatorCrds(chart, 'Crds');
  else new SparkOperatorCrds(chart, 'Crds');
  const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
  const operator = mode === SparkJobMode.APACHE_OPERATOR
    ? new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [ns] })
    : new SparkOperator(chart, 'Operator', { jobNamespaces: [ns] });
  new SparkJob(chart, 'Job', { ...SAMPLE, ...props, namespace: ns, operator, mode });
  return synth(chart);
}

/** The effective app of the sample in `mode`, through the independent model. */
function effective(mode: SparkJobMode) {
  const objects = render(mode);
  if (mode === SparkJobMode.SUBMIT) return effectiveFromSubmitJob(objects, NAME);
  const app = findObject(objects, 'SparkApplication', NAME, 'spark-jobs');
  return mode === SparkJobMode.OPERATOR ? effectiveFromSparkApplication(app, { webhook: false }) : effectiveFromApacheSparkApplication(app);
}

const MODES = [SparkJobMode.OPERATOR, SparkJobMode.SUBMIT, SparkJobMode.APACHE_OPERATOR];

describe('pod features in every mode', () => {
  test.each(MODES)('%s: the manifests validate (CRD schemas and Kubernetes kinds)', (mode) => {
    expectValidManifests(render(mode));
  });

  test.each(MODES)('%s: the pod templates carry the features, the proxy user reaches the driver', (mode) => {
    const app = effective(mode);
    const driver = app.driverPod.spec as Json;
    const executor = app.executorPod.spec as Json;
    expect(app.proxyUser).toBe('etl');
    for (const spec of [driver, executor]) {
      expect(spec.priorityClassName).toBe('spark-batch');
      expect(spec.terminationGracePeriodSeconds).toBe(60);
      expect(spec.hostAliases).toEqual([{ ip: '10.0.0.5', hostnames: ['metastore.internal'] }]);
      expect(spec.dnsConfig).toEqual({ options: [{ name: 'ndots', value: '2' }] });
    }
    // Executor-only: the driver gets no spread constraint.
    expect(driver.topologySpreadConstraints).toBeUndefined();
    expect(executor.topologySpreadConstraints).toEqual([{
      maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'spark-role': 'executor' } },
    }]);
  });

  test('each mode writes the proxy user where its submitter reads it', () => {
    expect(findObject(render(SparkJobMode.OPERATOR), 'SparkApplication', NAME).spec.proxyUser).toBe('etl');
    expect(findObject(render(SparkJobMode.APACHE_OPERATOR), 'SparkApplication', NAME).spec.proxyUser).toBe('etl');
    const args: string[] = findObject(render(SparkJobMode.SUBMIT), 'Job', NAME).spec.template.spec.containers[0].args;
    expect(args[args.indexOf('--proxy-user') + 1]).toBe('etl');
  });

  test('a role\'s own topology spread and DNS settings replace the common ones; host aliases add up', () => {
    const app = effectiveFromSubmitJob(render(SparkJobMode.SUBMIT, {
      pods: { ...SAMPLE.pods, dnsConfig: { searches: ['common.svc'] } },
      driver: { dnsConfig: { searches: ['driver.svc'] }, hostAliases: [{ ip: 'fd00::1', hostnames: ['v6.internal'] }] },
    }), NAME);
    expect((app.driverPod.spec as Json).dnsConfig).toEqual({ searches: ['driver.svc'] });
    expect((app.executorPod.spec as Json).dnsConfig).toEqual({ searches: ['common.svc'] });
    expect((app.driverPod.spec as Json).hostAliases).toEqual([{ ip: '10.0.0.5', hostnames: ['metastore.internal'] }, { ip: 'fd00::1', hostnames: ['v6.internal'] }]);
  });

  test('without the props the templates have none of the fields (nothing leaks into other jobs)', () => {
    const { priorityClassName: _p, proxyUser: _u, pods: _pods, executor: _e, ...plain } = SAMPLE;
    const chart = testChart();
    const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    new SparkJob(chart, 'Job', { ...plain, namespace: ns, mode: SparkJobMode.SUBMIT });
    const app = effectiveFromSubmitJob(synth(chart), NAME);
    expect(app.proxyUser).toBeUndefined();
    for (const key of ['priorityClassName', 'terminationGracePeriodSeconds', 'hostAliases', 'dnsConfig', 'topologySpreadConstraints']) {
      expect(app.driverPod.spec).not.toHaveProperty(key);
      expect(app.executorPod.spec).not.toHaveProperty(key);
    }
  });
});

describe('bad pod features are refused, naming the field and the fix', () => {
  const cases: Array<[string, Partial<SparkJobProps>, RegExp]> = [
    ['a priority class that is not a name', { priorityClassName: 'Spark Batch' }, /priorityClassName: .*Fix: name an existing PriorityClass/],
    ['a system priority class', { priorityClassName: 'system-cluster-critical' }, /priorityClassName: "system-cluster-critical" is reserved.*Fix: create a PriorityClass/],
    ['a proxy user with a space', { proxyUser: 'etl user' }, /proxyUser: "etl user" is not a user name\. Fix: use letters/],
    ['a proxy user with a kubelet variable', { proxyUser: '$(POD_NAME)' }, /proxyUser: .*is not a user name/],
    ['a negative grace period', { pods: { terminationGracePeriodSeconds: -1 } }, /pods\.terminationGracePeriodSeconds: -1 is not a whole number >= 0\. Fix: set pods\.terminationGracePeriodSeconds to 0 or more/],
    ['a fractional driver grace period', { driver: { terminationGracePeriodSeconds: 1.5 } }, /driver\.terminationGracePeriodSeconds: 1\.5 is not a whole number/],
    ['a host alias without an IP', { pods: { hostAliases: [{ ip: 'metastore', hostnames: ['m.internal'] }] } }, /pods\.hostAliases\[0\]\.ip: "metastore" is not an IPv4 or IPv6 address\. Fix:/],
    ['a host alias without names', { executor: { hostAliases: [{ ip: '10.0.0.1', hostnames: [] }] } }, /executor\.hostAliases\[0\]\.hostnames: is empty\. Fix: list at least one host name/],
    ['a host alias with a bad name', { pods: { hostAliases: [{ ip: '10.0.0.1', hostnames: ['Bad_Name'] }] } }, /hostAliases\[0\]\.hostnames\[0\]: .*Fix: write a lower-case DNS name/],
    ['four nameservers', { pods: { dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9', '1.0.0.1'] } } }, /pods\.dnsConfig\.nameservers: lists 4 servers.*Fix: keep at most 3/],
    ['a nameserver by name', { executor: { dnsConfig: { nameservers: ['dns.internal'] } } }, /executor\.dnsConfig\.nameservers\[0\]: "dns\.internal" is not an IP address/],
    ['a spread with skew 0', { executor: { topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }] } }, /executor\.topologySpreadConstraints\[0\]\.maxSkew: 0 is not a whole number >= 1\. Fix: set maxSkew to 1 or more/],
    ['a spread without a key', { pods: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: '', whenUnsatisfiable: 'DoNotSchedule' }] } }, /pods\.topologySpreadConstraints\[0\]\.topologyKey: is empty/],
    ['a misspelled prop (generated schema)', { pods: { dnsConfg: {} } as never }, /pods\.dnsConfg/],
    ['a number as the proxy user (generated schema)', { proxyUser: 42 as never }, /proxyUser: 42 is not a string/],
  ];
  test.each(cases)('%s', (_what, props, message) => {
    expect(() => render(SparkJobMode.SUBMIT, props)).toThrow(message);
  });
});

describe('disableTimeToLive: finished applications kept on purpose', () => {
  const REASON = 'kept for the audit team';

  test.each(MODES)('%s: no time to live is written, and the manifests still validate', (mode) => {
    const objects = render(mode, { disableTimeToLive: REASON });
    expectValidManifests(objects);
    if (mode === SparkJobMode.SUBMIT) {
      expect(findObject(objects, 'Job', NAME).spec).not.toHaveProperty('ttlSecondsAfterFinished');
    } else if (mode === SparkJobMode.OPERATOR) {
      expect(findObject(objects, 'SparkApplication', NAME).spec).not.toHaveProperty('timeToLiveSeconds');
    } else {
      expect(findObject(objects, 'SparkApplication', NAME).spec.applicationTolerations).not.toHaveProperty('ttlAfterStopMillis');
    }
  });

  test.each(MODES)('%s: the doctor\'s no-ttl rule accepts the explicit choice, and still warns on an application without one', (mode) => {
    const report = doctor((chart) => {
      const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
      const operator = mode === SparkJobMode.APACHE_OPERATOR
        ? new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [ns] })
        : new SparkOperator(chart, 'Operator', { jobNamespaces: [ns] });
      new SparkJob(chart, 'Job', { ...SAMPLE, namespace: ns, operator, mode, disableTimeToLive: REASON });
      // The control: the same rule on an application with no TTL and no reason.
      sparkApp(chart, 'Raw', { namespace: 'spark-jobs', name: 'raw', spec: { timeToLiveSeconds: undefined } });
    });
    const findings = of(report, 'no-ttl');
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/timeToLiveSeconds is not set/)]);
    expect(findings[0].message).not.toContain(NAME);
  });

  test.each([
    ['empty', { disableTimeToLive: ' ' }, /disableTimeToLive: is empty\. Fix: write why finished applications are kept/],
    ['together with a TTL', { disableTimeToLive: REASON, timeToLiveSeconds: 600 }, /disableTimeToLive: is set together with timeToLiveSeconds \(600\)\. Fix: keep one/],
  ] as Array<[string, Partial<SparkJobProps>, RegExp]>)('refused when %s', (_what, props, message) => {
    expect(() => render(SparkJobMode.OPERATOR, props)).toThrow(message);
  });
});
