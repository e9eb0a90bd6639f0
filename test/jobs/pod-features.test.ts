/**
 * Pod features of SparkJob (issue 18): priority, grace period, topology spread, host aliases,
 * DNS settings and the proxy user, in all three modes. The cross-mode equality of the pods is in
 * same-pods.test.ts (sample "pod-features"); here: valid manifests, the template contents, and
 * bad input refused naming the field and the fix.
 */
import { k8s } from 'cdk8s-plus-28';
import {
  Cpu, Memory, NetworkEndpoint, NetworkPolicyEvaluator, SparkJob, SparkJobMode, SparkJobProps, SparkNamespace, SparkOperator, SparkOperatorCrds, WebhookCertificate,
} from '../../constructs';
import { Obj, expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';
import {
  effectiveFromApacheSparkApplication, effectiveFromSparkApplication, effectiveFromSubmitJob, sampleJobs,
} from '../helpers/spark-effective';
import { Json } from '../helpers/k8s-json';
import { operatorForMode, renderJobInMode } from '../helpers/jobs';
import { doctor, of, sparkApp } from '../doctor/fixtures';

/** The tag a pinned image must not have, built here: the repository's checks flag any committed image on it. */
const UNPINNED_TAG = `:${'latest'}`;
const SAMPLE = sampleJobs()['pod-features'].props;
const NAME = SAMPLE.name;

function render(mode: SparkJobMode, props: Partial<SparkJobProps> = {}): Obj[] {
  return renderJobInMode(mode, { ...SAMPLE, ...props });
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
      const operator = operatorForMode(chart, mode, ns);
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

// ---------------------------------------------------------------------------------------------
// Part 2: lifecycle hooks, extra ports, init containers and sidecars, memoryLimit, UI options,
// and the template patch (constructs/jobs/containers.ts, ui.ts, template-patch.ts).
// ---------------------------------------------------------------------------------------------

const RESTRICTED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
const names = (list: unknown) => ((list ?? []) as Json[]).map((c) => c.name);

describe('containers, hooks and ports in every mode', () => {
  test.each(MODES)('%s: the Spark container stays first and carries the hooks and ports; user containers are restricted', (mode) => {
    const app = effective(mode);
    const driver = app.driverPod.spec as Json;
    const executor = app.executorPod.spec as Json;
    // the Spark container first (and found by name: podTemplateContainerName), sidecars after it
    expect(names(driver.containers)).toEqual(['spark-kubernetes-driver']);
    expect(names(executor.containers)).toEqual(['spark-kubernetes-executor', 'statsd']);
    // init containers: the user's, then the native sidecar (an init container restarting always)
    expect(names(driver.initContainers)).toEqual(['fetch-config', 'log-shipper']);
    expect((driver.initContainers as Json[])[1].restartPolicy).toBe('Always');
    expect((driver.initContainers as Json[])[0]).not.toHaveProperty('restartPolicy');
    expect(names(executor.initContainers)).toEqual(['fetch-config']);
    for (const spec of [driver, executor]) {
      const spark = (spec.containers as Json[])[0];
      expect(spark.lifecycle).toEqual({ preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 5'] } } });
      expect(spark.ports).toEqual(expect.arrayContaining([{ name: 'profiler', containerPort: 9999, protocol: 'TCP' }]));
    }
    const user = [...(driver.initContainers as Json[]), ...(executor.initContainers as Json[]), (executor.containers as Json[])[1]];
    for (const c of user) {
      const { runAsUser: _u, ...rest } = c.securityContext as Json;
      expect(rest).toEqual(RESTRICTED);
    }
    // a stricter setting of the user is kept
    expect(((driver.initContainers as Json[])[1].securityContext as Json).runAsUser).toBe(10001);
    // the executor's patch: applied after everything else
    expect((executor.containers as Json[])[0].resources).toEqual({ limits: { 'ephemeral-storage': '2Gi' } });
    expect((driver.containers as Json[])[0]).not.toHaveProperty('resources');
  });

  test('a volume only a sidecar mounts is added to the pod; pods-level containers come before the role\'s own', () => {
    const app = effectiveFromSubmitJob(render(SparkJobMode.SUBMIT, {
      volumes: [{ name: 'shipper-config', configMap: { name: 'fluent-bit' } }],
      driver: {
        initContainers: [{ name: 'driver-init', image: 'busybox:1.36.1' }],
        sidecars: [{ name: 'log-shipper', image: 'fluent/fluent-bit:3.1.9', native: true, volumeMounts: [{ name: 'shipper-config', mountPath: '/fluent-bit/etc' }] }],
      },
    }), NAME);
    const driver = app.driverPod.spec as Json;
    expect(names(driver.initContainers)).toEqual(['fetch-config', 'driver-init', 'log-shipper']);
    expect(driver.volumes).toEqual(expect.arrayContaining([{ name: 'shipper-config', configMap: { name: 'fluent-bit' } }]));
    expect(names((app.executorPod.spec as Json).volumes)).not.toContain('shipper-config');
  });
});

describe('memoryLimit: above the request only through the Kubeflow operator\'s webhook', () => {
  function withWebhook(props: Partial<SparkJobProps>, quota?: { limitsMemory: Memory }): Obj[] {
    const chart = testChart();
    new SparkOperatorCrds(chart, 'Crds');
    const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs', ...(quota ? { quota: { cpu: Cpu.cores(16), memory: Memory.gibibytes(64), ...quota } } : {}) });
    const operator = new SparkOperator(chart, 'Operator', { jobNamespaces: [ns], webhook: { certificate: WebhookCertificate.selfSigned() } });
    new SparkJob(chart, 'Job', { ...SAMPLE, ...props, namespace: ns, operator, mode: SparkJobMode.OPERATOR });
    return synth(chart);
  }

  test('operator mode with the webhook: spec.<role>.memoryLimit, which the webhook writes on the Spark container', () => {
    const objects = withWebhook({ driver: { memoryLimit: Memory.gibibytes(3) } });
    expectValidManifests(objects);
    const app = findObject(objects, 'SparkApplication', NAME);
    expect(app.spec.driver.memoryLimit).toBe('3Gi');
    expect(app.spec.executor).not.toHaveProperty('memoryLimit');
    const pods = effectiveFromSparkApplication(app, { webhook: true });
    expect(((pods.driverPod.spec as Json).containers as Json[])[0].resources).toEqual({ limits: { memory: '3Gi' } });
    // without the webhook modelled, the field changes nothing (Spark's limit = request stays)
    expect(((effectiveFromSparkApplication(app, { webhook: false }).driverPod.spec as Json).containers as Json[])[0]).not.toHaveProperty('resources');
  });

  test('the quota\'s limits.memory is charged the real limit', () => {
    // 1 GiB heap + 384 MiB overhead per pod = 4 GiB of requests for the driver and 2 executors; limits 3 + 2 x 1.375 GiB
    expect(() => withWebhook({ driver: { memoryLimit: Memory.gibibytes(3) } }, { limitsMemory: Memory.gibibytes(5) }))
      .toThrow(/driver\.memoryLimit: the pods' memory limits add up to .* above namespace "spark-jobs"'s quota of 5Gi limits\.memory\. Fix: lower memoryLimit/);
    expect(() => withWebhook({ driver: { memoryLimit: Memory.gibibytes(3) } }, { limitsMemory: Memory.gibibytes(6) })).not.toThrow();
  });

  test.each([
    ['submit mode', SparkJobMode.SUBMIT, /driver\.memoryLimit: cannot differ from the request in submit mode: Spark sets the container's memory limit to its request .* overwrites any limit of the pod template\. Fix:/],
    ['apache-operator mode', SparkJobMode.APACHE_OPERATOR, /driver\.memoryLimit: cannot differ from the request in apache-operator mode/],
    ['an operator without its webhook', SparkJobMode.OPERATOR, /driver\.memoryLimit: needs the Kubeflow operator's pod webhook.*which this operator does not run\. Fix: give the SparkOperator a webhook/],
  ])('refused in %s', (_what, mode, message) => {
    expect(() => render(mode, { driver: { memoryLimit: Memory.gibibytes(3) } })).toThrow(message);
  });

  test('refused below the request', () => {
    expect(() => withWebhook({ executor: { memoryLimit: Memory.gibibytes(1) } })).toThrow(/executor\.memoryLimit: 1Gi is below the executor's memory request \S+ \(heap \+ overhead\); the API server rejects such a pod\. Fix: raise it to at least/);
  });
});

describe('UI options: the operator\'s UI Service, Spark\'s driver Service, and one Ingress in every mode', () => {
  const INGRESS_NS = 'ingress-nginx';
  const controller = { 'app.kubernetes.io/name': 'ingress-nginx' };
  const ui = {
    serviceAnnotations: { 'example.com/team': 'data' },
    serviceLabels: { exposure: 'internal' },
    ingress: {
      host: 'spark-ui.example.com', className: 'nginx', tlsSecretName: 'spark-ui-tls', annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' },
      from: NetworkEndpoint.pods({ namespace: INGRESS_NS, labels: controller, ports: [{ port: 443 }] }),
    },
  };

  test('operator mode: sparkUIOptions with the Service settings', () => {
    const objects = render(SparkJobMode.OPERATOR, { ui: { ...ui, serviceType: 'NodePort', servicePort: 8080, servicePortName: 'ui' } });
    expectValidManifests(objects);
    expect(findObject(objects, 'SparkApplication', NAME).spec.sparkUIOptions).toEqual({
      serviceType: 'NodePort', servicePort: 8080, servicePortName: 'ui',
      serviceAnnotations: { 'example.com/team': 'data' }, serviceLabels: { exposure: 'internal' },
    });
  });

  test.each([SparkJobMode.SUBMIT, SparkJobMode.APACHE_OPERATOR])('%s: the annotations and labels go on Spark\'s driver Service (conf)', (mode) => {
    const objects = render(mode, { ui });
    const app = mode === SparkJobMode.SUBMIT ? effectiveFromSubmitJob(objects, NAME) : effectiveFromApacheSparkApplication(findObject(objects, 'SparkApplication', NAME));
    expect(app.conf['spark.kubernetes.driver.service.annotation.example.com/team']).toBe('data');
    expect(app.conf['spark.kubernetes.driver.service.label.exposure']).toBe('internal');
  });

  test.each(MODES)('%s: the Ingress, its Service to the driver and the NetworkPolicy; the controller reaches the UI, nobody else', (mode) => {
    const objects = render(mode, { ui });
    expectValidManifests(objects);
    const service = findObject(objects, 'Service', `${NAME}-ui`, 'spark-jobs');
    expect(service.spec.selector).toEqual({ 'spark-platform.io/job': NAME, 'spark-role': 'driver' });
    expect(service.spec.ports).toEqual([{ name: 'spark-ui', port: 4040, targetPort: 4040, protocol: 'TCP' }]);
    const ingress = findObject(objects, 'Ingress', `${NAME}-ui`, 'spark-jobs');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: `${NAME}-ui`, port: { number: 4040 } });
    expect(ingress.spec.tls).toEqual([{ hosts: ['spark-ui.example.com'], secretName: 'spark-ui-tls' }]);
    const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: { [INGRESS_NS]: {} } });
    const driverPod = { namespace: 'spark-jobs', labels: { ...((effective(mode).driverPod.metadata as Json).labels as Record<string, string> ?? {}), 'spark-platform.io/job': NAME, 'spark-role': 'driver' } };
    expect(net.allows({ from: { namespace: INGRESS_NS, labels: controller }, to: driverPod, port: 4040 })).toBe(true);
    expect(net.allows({ from: { namespace: INGRESS_NS, labels: controller }, to: driverPod, port: 7078 })).toBe(false);
    expect(net.allows({ from: { namespace: INGRESS_NS, labels: { app: 'other' } }, to: driverPod, port: 4040 })).toBe(false);
    expect(net.allows({ from: { namespace: INGRESS_NS, labels: controller }, to: { namespace: 'spark-jobs', labels: { 'spark-platform.io/job': NAME, 'spark-role': 'executor' } }, port: 4040 })).toBe(false);
  });

  test('without ui, no Service, Ingress or policy of the UI, and no sparkUIOptions', () => {
    const objects = render(SparkJobMode.OPERATOR);
    expect(objects.filter((o) => o.metadata.name.startsWith(`${NAME}-ui`))).toEqual([]);
    expect(findObject(objects, 'SparkApplication', NAME).spec).not.toHaveProperty('sparkUIOptions');
  });
});

describe('templatePatch: the last resort, applied in every mode and checked', () => {
  test.each(MODES)('%s: the patch reaches the template and the result validates', (mode) => {
    const objects = render(mode, {
      driver: { templatePatch: [{ op: 'add', path: '/spec/shareProcessNamespace', value: true }, { op: 'replace', path: '/spec/enableServiceLinks', value: false }] },
    });
    expectValidManifests(objects);
    const app = mode === SparkJobMode.SUBMIT ? effectiveFromSubmitJob(objects, NAME)
      : mode === SparkJobMode.OPERATOR ? effectiveFromSparkApplication(findObject(objects, 'SparkApplication', NAME), { webhook: false })
        : effectiveFromApacheSparkApplication(findObject(objects, 'SparkApplication', NAME));
    expect((app.driverPod.spec as Json).shareProcessNamespace).toBe(true);
    expect(app.executorPod.spec).not.toHaveProperty('shareProcessNamespace');
  });

  test('remove and array insertion work as RFC 6902 says', () => {
    const app = effectiveFromSubmitJob(render(SparkJobMode.SUBMIT, {
      executor: { templatePatch: [
        { op: 'remove', path: '/spec/hostAliases' },
        { op: 'add', path: '/spec/tolerations', value: [] },
        { op: 'add', path: '/spec/tolerations/-', value: { key: 'b', operator: 'Exists', effect: 'NoSchedule' } },
        { op: 'add', path: '/spec/tolerations/0', value: { key: 'a', operator: 'Exists', effect: 'NoSchedule' } },
      ] },
    }), NAME);
    const spec = app.executorPod.spec as Json;
    expect(spec).not.toHaveProperty('hostAliases');
    expect((spec.tolerations as Json[]).map((t) => t.key)).toEqual(['a', 'b']);
  });

  const bad: Array<[string, Partial<SparkJobProps>, RegExp]> = [
    ['a path that does not exist', { driver: { templatePatch: [{ op: 'replace', path: '/spec/nodeName', value: 'n1' }] } }, /driver\.templatePatch\[0\]\.path: "\/spec\/nodeName" does not exist in the rendered template, so "replace" cannot apply\. Fix: use add/],
    ['a parent that does not exist', { driver: { templatePatch: [{ op: 'add', path: '/spec/foo/bar', value: 1 }] } }, /driver\.templatePatch\[0\]\.path: .*"\/spec\/foo" does not exist/],
    ['a failing test', { executor: { templatePatch: [{ op: 'test', path: '/spec/containers/0/name', value: 'other' }] } }, /executor\.templatePatch\[0\]: test failed: .*is "spark-kubernetes-executor", not "other"/],
    ['move (not taken)', { driver: { templatePatch: [{ op: 'move', path: '/b' } as never] } }, /driver\.templatePatch\[0\]\.op: "move" is not one of .*"add"/],
    ['a value missing', { driver: { templatePatch: [{ op: 'add', path: '/spec/priority' }] } }, /driver\.templatePatch\[0\]\.value: is missing; "add" needs one\. Fix: give the value/],
    ['a path that is not a pointer', { driver: { templatePatch: [{ op: 'remove', path: 'spec/hostAliases' }] } }, /driver\.templatePatch\[0\]\.path: "spec\/hostAliases" is not a JSON pointer/],
    ['a value of the wrong type (invalid pod), naming the op', { driver: { templatePatch: [{ op: 'add', path: '/spec/shareProcessNamespace', value: true }, { op: 'add', path: '/spec/terminationGracePeriodSeconds', value: 'soon' }] } }, /driver\.templatePatch\[1\]: \("add" "\/spec\/terminationGracePeriodSeconds"\) yields a pod that is not a valid Pod \(\/spec\/terminationGracePeriodSeconds: .*integer/],
    ['an unknown field (invalid pod)', { executor: { templatePatch: [{ op: 'add', path: '/spec/containers/0/imag', value: 'x' }] } }, /executor\.templatePatch\[0\]: .*is not a valid Pod .*imag/],
    ['a privileged container', { driver: { templatePatch: [{ op: 'add', path: '/spec/containers/0/securityContext/privileged', value: true }] } }, /driver\.templatePatch\[0\]: .*leaves spec\.containers\[0\]\.securityContext\.privileged true\. Fix: change the patch: templatePatch may not undo/],
    ['host networking', { executor: { templatePatch: [{ op: 'add', path: '/spec/hostNetwork', value: true }] } }, /executor\.templatePatch\[0\]: .*leaves spec\.hostNetwork true/],
    ['root', { driver: { templatePatch: [{ op: 'replace', path: '/spec/securityContext/runAsUser', value: 0 }] } }, /driver\.templatePatch\[0\]: .*leaves spec\.securityContext\.runAsUser 0 \(root\)/],
    ['the restricted context removed', { driver: { templatePatch: [{ op: 'remove', path: '/spec/containers/0/securityContext' }] } }, /driver\.templatePatch\[0\]: .*allowPrivilegeEscalation not false/],
    ['the Spark container renamed', { driver: { templatePatch: [{ op: 'replace', path: '/spec/containers/0/name', value: 'main' }] } }, /driver\.templatePatch\[0\]: .*has no container "spark-kubernetes-driver", the one Spark looks up by name/],
  ];
  test.each(bad)('refused: %s', (_what, props, message) => {
    expect(() => render(SparkJobMode.SUBMIT, props)).toThrow(message);
  });

  test('a later operation that restores validity is accepted (the pod is checked once, at the end)', () => {
    expect(() => render(SparkJobMode.SUBMIT, { driver: { templatePatch: [
      { op: 'remove', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation' },
      { op: 'add', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation', value: false },
    ] } })).not.toThrow();
  });
});

describe('bad part-2 pod features are refused, naming the field and the fix', () => {
  const sidecar = (extra: Record<string, unknown> = {}) => ({ name: 'helper', image: 'busybox:1.36.1', native: true, ...extra });
  const cases: Array<[string, Partial<SparkJobProps>, RegExp]> = [
    ['the driver RPC port', { driver: { ports: [{ name: 'rpc', containerPort: 7078 }] } }, /driver\.ports\[0\]\.containerPort: 7078 is the driver RPC port \(spark\.driver\.port\), which Spark opens itself\. Fix: choose another port/],
    ['the UI port', { pods: { ports: [{ name: 'web', containerPort: 4040 }] } }, /pods\.ports\[0\]\.containerPort: 4040 is the Spark UI/],
    ['the block manager on executors', { executor: { ports: [{ name: 'bm', containerPort: 7079 }] } }, /executor\.ports\[0\]\.containerPort: 7079 is the block manager/],
    ['a moved UI port', { sparkConf: { 'spark.ui.port': '4050' }, driver: { ports: [{ name: 'web', containerPort: 4050 }] } }, /driver\.ports\[0\]\.containerPort: 4050 is the Spark UI \(spark\.ui\.port\)/],
    ['a port name of Spark', { driver: { ports: [{ name: 'spark-ui', containerPort: 9000 }] } }, /driver\.ports\[0\]\.name: "spark-ui" is a port name Spark gives its own ports/],
    ['a port name too long', { driver: { ports: [{ name: 'a-very-long-port-name', containerPort: 9000 }] } }, /driver\.ports\[0\]\.name: .*is not a port name/],
    ['a port number out of range', { executor: { ports: [{ name: 'x', containerPort: 70000 }] } }, /executor\.ports\[0\]\.containerPort: 70000 is not a port number/],
    ['a port twice', { pods: { ports: [{ name: 'a', containerPort: 9000 }] }, driver: { ports: [{ name: 'b', containerPort: 9000 }] } }, /driver\.ports\[0\]\.containerPort: 9000\/TCP is already taken by pods\.ports\[0\]/],
    ['a sidecar on the UI port', { executor: { sidecars: [sidecar({ ports: [{ containerPort: 7079 }] })] } }, /executor\.sidecars\[0\]\.ports\[0\]\.containerPort: 7079 is the block manager .* which Spark opens in the same pod/],
    ['a lifecycle hook without handler', { pods: { lifecycle: { preStop: {} } } }, /pods\.lifecycle\.preStop: has no handler\. Fix: give exactly one of exec, httpGet or sleep/],
    ['an empty exec hook', { driver: { lifecycle: { postStart: { exec: { command: [] } } } } }, /driver\.lifecycle\.postStart\.exec\.command: is empty/],
    ['a tcpSocket hook', { driver: { lifecycle: { preStop: { tcpSocket: { port: k8s.IntOrString.fromNumber(80) } } } } }, /driver\.lifecycle\.preStop\.tcpSocket: is not supported as a lifecycle handler/],
    ['a container named like Spark\'s', { driver: { initContainers: [{ name: 'spark-kubernetes-driver', image: 'busybox:1.36.1' }] } }, /driver\.initContainers\[0\]\.name: "spark-kubernetes-driver" is the Spark container's name .*podTemplateContainerName/],
    ['two containers of one name', { pods: { initContainers: [{ name: 'init', image: 'busybox:1.36.1' }] }, executor: { sidecars: [sidecar({ name: 'init' })] } }, /executor\.sidecars\[0\]\.name: "init" is already a container of the executor pod/],
    ['a container without image', { pods: { initContainers: [{ name: 'init' }] } }, /pods\.initContainers\[0\]\.image: is not set.*Fix: give the image with a version tag or digest/],
    ['an image without tag', { executor: { sidecars: [sidecar({ image: 'busybox' })] } }, /executor\.sidecars\[0\]\.image: "busybox" has no tag.*Fix: pin it/],
    ['an image on latest', { executor: { sidecars: [sidecar({ image: `registry.example.com:5000/tools/agent${UNPINNED_TAG}` })] } }, /executor\.sidecars\[0\]\.image: .*uses the mutable tag latest/],
    ['a privileged sidecar', { executor: { sidecars: [sidecar({ securityContext: { privileged: true } })] } }, /executor\.sidecars\[0\]\.securityContext\.privileged: is true\. Fix: remove it: SparkJob gives every container the restricted/],
    ['privilege escalation', { pods: { initContainers: [{ name: 'init', image: 'busybox:1.36.1', securityContext: { allowPrivilegeEscalation: true } }] } }, /pods\.initContainers\[0\]\.securityContext\.allowPrivilegeEscalation: is true/],
    ['a root init container', { driver: { initContainers: [{ name: 'init', image: 'busybox:1.36.1', securityContext: { runAsUser: 0 } }] } }, /driver\.initContainers\[0\]\.securityContext\.runAsUser: is 0 \(root\)/],
    ['an added capability', { executor: { sidecars: [sidecar({ securityContext: { capabilities: { add: ['NET_ADMIN'] } } })] } }, /executor\.sidecars\[0\]\.securityContext\.capabilities\.add: adds "NET_ADMIN"/],
    ['a writable root filesystem', { executor: { sidecars: [sidecar({ securityContext: { readOnlyRootFilesystem: false } })] } }, /executor\.sidecars\[0\]\.securityContext\.readOnlyRootFilesystem: is false while the job keeps root filesystems read-only.*Fix: mount an emptyDir/],
    ['a non-native driver sidecar', { driver: { sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.31.2' }] } }, /driver\.sidecars\[0\]\.native: is not true: an ordinary sidecar keeps running after Spark's driver ends, so the driver pod stays Running.*Fix: set native: true/],
    ['a non-native pods-level sidecar (reaches the driver)', { pods: { sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.31.2' }] } }, /pods\.sidecars\[0\]\.native: is not true/],
    ['a non-native executor sidecar on kept executor pods', { executor: { deleteOnTermination: false, sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.31.2' }] } }, /executor\.sidecars\[0\]\.native: is not true while executor\.deleteOnTermination is false/],
    ['a restartPolicy given by hand', { pods: { initContainers: [{ name: 'init', image: 'busybox:1.36.1', restartPolicy: 'Always' }] } }, /pods\.initContainers\[0\]\.restartPolicy: is set.*list it in sidecars with native: true/],
    ['a mount of an unknown volume', { executor: { sidecars: [sidecar({ volumeMounts: [{ name: 'nope', mountPath: '/x' }] })] } }, /executor\.sidecars\[0\]\.volumeMounts\[0\]\.name: "nope" is not one of the job's volumes/],
    ['UI Service type in submit mode', { ui: { serviceType: 'LoadBalancer' } }, /ui\.serviceType: is a setting of the Kubeflow operator's UI Service; in submit mode Spark creates the driver Service itself.*Fix: use ui\.ingress/],
    ['UI Service annotations in two places', { sparkConf: { 'spark.kubernetes.driver.service.annotation.a': 'b' }, ui: { serviceAnnotations: { c: 'd' } } }, /sparkConf\["spark\.kubernetes\.driver\.service\.annotation\.a"\]: sets the driver Service's metadata beside ui\.serviceAnnotations.*Fix: set them in one place/],
    ['UI with the UI off', { sparkConf: { 'spark.ui.enabled': 'false' }, ui: { serviceAnnotations: { a: 'b' } } }, /ui: is set, but sparkConf\["spark\.ui\.enabled"\] is "false"/],
    ['an Ingress host that is not a name', { ui: { ingress: { host: 'Spark UI', from: NetworkEndpoint.cidrs(['10.0.0.0/8'], [{ port: 443 }]) } } }, /ui\.ingress\.host: .*Fix: give the lower-case host name/],
    ['an Ingress path that is not absolute', { ui: { ingress: { host: 'ui.example.com', path: 'spark', from: NetworkEndpoint.cidrs(['10.0.0.0/8'], [{ port: 443 }]) } } }, /ui\.ingress\.path: "spark" is not an absolute path/],
    ['a misspelled sidecar field (generated schema)', { executor: { sidecars: [{ name: 'x', image: 'busybox:1.36.1', nativ: true } as never] } }, /executor\.sidecars\[0\]\.nativ/],
    ['a memoryLimit that is not a Memory (generated schema)', { driver: { memoryLimit: '2Gi' as never } }, /driver\.memoryLimit: .*Memory/],
  ];
  test.each(cases)('%s', (_what, props, message) => {
    expect(() => render(SparkJobMode.SUBMIT, props)).toThrow(message);
  });
});

describe('the doctor accepts the part-2 features', () => {
  test.each(MODES)('%s: no error on the sample with its containers, patch and UI Ingress', (mode) => {
    const report = doctor((chart) => {
      const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
      const operator = operatorForMode(chart, mode, ns);
      new SparkJob(chart, 'Job', {
        ...SAMPLE, namespace: ns, operator, mode,
        ui: { ingress: { host: 'spark-ui.example.com', from: NetworkEndpoint.pods({ namespace: 'ingress-nginx', ports: [{ port: 443 }] }) } },
      });
      // The control: an application the doctor objects to, so a doctor that checks nothing fails here.
      sparkApp(chart, 'Raw', { namespace: 'spark-jobs', name: 'raw', spec: { timeToLiveSeconds: undefined } });
    });
    expect(report.errors.filter((f) => !f.path.includes('/Raw')).map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
    expect(of(report, 'no-ttl').map((f) => f.object)).toEqual([expect.stringContaining('raw')]);
  });
});
