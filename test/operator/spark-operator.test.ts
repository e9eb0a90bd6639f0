import { ApiObject, Chart, Testing } from 'cdk8s';
import { NetworkEndpoint, SPARK_OPERATOR, SparkNamespace, SparkOperator, SparkOperatorProps, WebhookCertificate, assignShards } from '../../constructs';
import { NetworkPolicyEvaluator } from '../helpers/netpol';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { RbacEvaluator } from '../helpers/rbac';

function platform(props: Partial<SparkOperatorProps> = {}, tenants = ['team-a', 'team-b']): { chart: Chart; op: SparkOperator; objects: Obj[] } {
  const chart = testChart();
  const jobNamespaces = tenants.map((t) => new SparkNamespace(chart, t, { name: t }));
  const op = new SparkOperator(chart, 'Operator', { jobNamespaces, ...props });
  return { chart, op, objects: synth(chart) };
}

const controller = (name = 'spark-operator-controller') => ({ kind: 'ServiceAccount' as const, namespace: 'spark-operator', name });
const webhook = { kind: 'ServiceAccount' as const, namespace: 'spark-operator', name: 'spark-operator-webhook' };

describe('SparkOperator', () => {
  test('default: every object valid, restricted, pinned, snapshot', () => {
    const { objects } = platform();
    expectValidManifests(objects);
    const deployment = findObject(objects, 'Deployment', 'spark-operator-controller', 'spark-operator');
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0].image).toBe('ghcr.io/kubeflow/spark-operator/controller:2.5.2');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 185, fsGroup: 185, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(findObject(objects, 'Namespace', 'spark-operator').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(objects.filter((o) => o.metadata.namespace === 'spark-operator' || o.kind.startsWith('Cluster') || o.metadata.name.startsWith('spark-operator'))).toMatchSnapshot();
  });

  test('passes every flag explicitly: namespaces, workers, metrics, leader election, workqueue, probes', () => {
    const args: string[] = findObject(platform().objects, 'Deployment', 'spark-operator-controller').spec.template.spec.containers[0].args;
    expect(args.slice(0, 2)).toEqual(['controller', 'start']);
    expect(args).toEqual(expect.arrayContaining([
      '--namespaces=team-a,team-b', '--controller-threads=10', '--max-tracked-executor-per-app=1000',
      '--enable-metrics=true', '--metrics-bind-address=:8080', '--health-probe-bind-address=:8081',
      '--leader-election=true', '--leader-election-lock-name=spark-operator-controller-lock', '--leader-election-lock-namespace=spark-operator',
      '--workqueue-ratelimiter-bucket-qps=50', '--workqueue-ratelimiter-bucket-size=500',
      '--kube-api-qps=20', '--kube-api-burst=30',
    ]));
    const c = findObject(platform().objects, 'Deployment', 'spark-operator-controller').spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8081 });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 8081 });
  });

  test('tuning knobs reach the flags', () => {
    const args: string[] = findObject(platform({ workers: 40, kubeApi: { qps: 100, burst: 200 }, workqueue: { qps: 200, burst: 1000 }, maxTrackedExecutorsPerApp: 50 }).objects, 'Deployment', 'spark-operator-controller').spec.template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['--controller-threads=40', '--kube-api-qps=100', '--kube-api-burst=200', '--workqueue-ratelimiter-bucket-qps=200', '--workqueue-ratelimiter-bucket-size=1000', '--max-tracked-executor-per-app=50']));
  });

  test('logging and metrics labels reach the controller and the webhook; a label that is not a Prometheus name is refused', () => {
    const { objects } = platform({ logging: { level: 'debug', format: 'json' }, metricsLabels: ['app_type', 'team'], webhook: { certificate: WebhookCertificate.selfSigned() } });
    for (const name of ['spark-operator-controller', 'spark-operator-webhook']) {
      const args: string[] = findObject(objects, 'Deployment', name).spec.template.spec.containers[0].args;
      expect(args).toEqual(expect.arrayContaining(['--zap-log-level=debug', '--zap-encoder=json', '--metrics-labels=app_type,team', '--enable-metrics=true', '--metrics-bind-address=:8080']));
    }
    const defaults: string[] = findObject(platform().objects, 'Deployment', 'spark-operator-controller').spec.template.spec.containers[0].args;
    expect(defaults).toEqual(expect.arrayContaining(['--zap-log-level=info', '--zap-encoder=console', '--metrics-labels=app_type']));
    expect(() => platform({ metricsLabels: ['app-type'] })).toThrow(/SparkOperator metricsLabels\[0\]: "app-type" is not a Prometheus label name\. Fix: use letters, digits and "_"/);
  });

  test('the webhook serves metrics on 8080 (its NetworkPolicy admits metricsAccess peers: see the connection table)', () => {
    const pod = findObject(platform({ webhook: { certificate: WebhookCertificate.selfSigned() } }).objects, 'Deployment', 'spark-operator-webhook').spec.template.spec;
    expect(pod.containers[0].ports).toEqual([{ name: 'webhook', containerPort: 9443 }, { name: 'metrics', containerPort: 8080 }]);
  });

  test('memory follows the workers: one spark-submit JVM per worker', () => {
    const resources = (workers: number) => findObject(platform({ workers }).objects, 'Deployment', 'spark-operator-controller').spec.template.spec.containers[0].resources;
    expect(resources(10)).toEqual({ requests: { cpu: '1', memory: '3712Mi' }, limits: { memory: '3712Mi' } });
    expect(resources(2)).toEqual({ requests: { cpu: '500m', memory: '1152Mi' }, limits: { memory: '1152Mi' } });
  });

  // Equality with upstream's grants (both ways, per account and scope) is checked against the chart's
  // own rendering in chart-conformance.test.ts; these tests check the scoping choices that are ours.
  describe('RBAC scope', () => {
    test('cluster-wide only when watching every namespace is chosen explicitly', () => {
      expect(() => new SparkOperator(testChart(), 'Operator')).toThrow(/SparkOperator jobNamespaces: is empty, so the operator would watch every namespace with cluster-wide rights to create pods, Services and ConfigMaps\. Fix: list the namespaces it runs jobs in \(the tenants\), or set watchAllNamespaces: true/);
      expect(() => new SparkOperator(testChart(), 'Operator', { jobNamespaces: [{ name: 'team-a' }], watchAllNamespaces: true })).toThrow(/watchAllNamespaces: is true but jobNamespaces lists team-a\. Fix: choose one/);
      const chart = testChart();
      new SparkOperator(chart, 'Operator', { watchAllNamespaces: true });
      const rbac = new RbacEvaluator(synth(chart));
      expect(rbac.can(controller(), { verb: 'create', resource: 'pods', namespace: 'anywhere' })).toBe(true);
      expect(rbac.can(controller(), { verb: 'get', resource: 'secrets', namespace: 'anywhere' })).toBe(false);
    });

    test('no rights in a namespace that is not a job namespace', () => {
      const rbac = new RbacEvaluator(platform().objects);
      expect(rbac.allowedVerbs(controller(), { resource: 'pods', namespace: 'kube-system' })).toEqual([]);
      expect(rbac.can(controller(), { verb: 'get', resource: 'secrets', namespace: 'team-a' })).toBe(false);
    });

    test('webhook: reads in the job namespaces only, its Secret by name only', () => {
      const rbac = new RbacEvaluator(platform({ webhook: { certificate: WebhookCertificate.selfSigned() } }).objects);
      expect(rbac.allowedVerbs(webhook, { resource: 'pods', namespace: 'team-a' })).toEqual(['list', 'watch']);
      expect(rbac.allowedVerbs(webhook, { resource: 'pods', namespace: 'kube-system' })).toEqual([]);
      expect(rbac.can(webhook, { verb: 'get', resource: 'secrets', namespace: 'spark-operator', name: 'spark-operator-webhook-certs' })).toBe(true);
      expect(rbac.can(webhook, { verb: 'get', resource: 'secrets', namespace: 'spark-operator', name: 'other' })).toBe(false);
    });
  });

  test('HA: replicas elect a leader, spread over nodes, and a PodDisruptionBudget keeps one', () => {
    const { objects } = platform({ replicas: 2 });
    expectValidManifests(objects);
    const pod = findObject(objects, 'Deployment', 'spark-operator-controller').spec;
    expect(pod.replicas).toBe(2);
    expect(pod.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(findObject(objects, 'PodDisruptionBudget', 'spark-operator-controller').spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'spark-operator', 'app.kubernetes.io/instance': 'spark-operator', 'app.kubernetes.io/component': 'controller' } },
    });
    expect(ofKind(platform().objects, 'PodDisruptionBudget')).toEqual([]);
  });

  describe('sharding', () => {
    const tenants = ['t1', 't2', 't3', 't4', 't5'];

    test('N controllers over disjoint namespaces, each with its own lease and only its own rights', () => {
      const { objects } = platform({ shards: 2 }, tenants);
      expectValidManifests(objects);
      const watched = (i: number) => {
        const args: string[] = findObject(objects, 'Deployment', `spark-operator-controller-${i}`).spec.template.spec.containers[0].args;
        return { namespaces: args.find((a) => a.startsWith('--namespaces=')), lock: args.find((a) => a.startsWith('--leader-election-lock-name=')) };
      };
      expect(watched(0)).toEqual({ namespaces: '--namespaces=t1,t3,t5', lock: '--leader-election-lock-name=spark-operator-controller-0-lock' });
      expect(watched(1)).toEqual({ namespaces: '--namespaces=t2,t4', lock: '--leader-election-lock-name=spark-operator-controller-1-lock' });
      const rbac = new RbacEvaluator(objects);
      expect(rbac.can(controller('spark-operator-controller-0'), { verb: 'create', resource: 'pods', namespace: 't1' })).toBe(true);
      expect(rbac.can(controller('spark-operator-controller-0'), { verb: 'create', resource: 'pods', namespace: 't2' })).toBe(false);
      expect(rbac.can(controller('spark-operator-controller-1'), { verb: 'update', resource: 'leases', group: 'coordination.k8s.io', namespace: 'spark-operator', name: 'spark-operator-controller-0-lock' })).toBe(false);
    });

    test('explicit assignment, the rest round-robin', () => {
      const shards = assignShards('op', tenants, 2, { t1: 1, t2: 1 });
      expect(shards.map((s) => s.namespaces)).toEqual([['t3', 't5'], ['t1', 't2', 't4']]);
      expect(platform({ shards: 2, shardAssignment: { t5: 1 } }, tenants).op.shardOf('t5')?.index).toBe(1);
    });

    test.each<[string, Partial<SparkOperatorProps>, string[], RegExp]>([
      ['more shards than namespaces', { shards: 3 }, ['a', 'b'], /SparkOperator shards: is 3, more than the 2 job namespaces\. Fix: use at most 2 shards/],
      ['shards without job namespaces', { shards: 2, watchAllNamespaces: true }, [], /shards: is 2, but no jobNamespaces are listed/],
      ['an assignment to a shard that does not exist', { shards: 2, shardAssignment: { a: 2 } }, ['a', 'b'], /shardAssignment\.a: 2 is not a shard from 0 to 1/],
      ['an assignment of an unknown namespace', { shards: 2, shardAssignment: { zz: 0 } }, ['a', 'b'], /shardAssignment\.zz: "zz" is not a job namespace/],
      ['an assignment leaving a shard empty', { shards: 2, shardAssignment: { a: 0, b: 0 } }, ['a', 'b'], /leaves shard 1 without namespaces/],
      ['zero shards', { shards: 0 }, ['a'], /shards: 0 is not a whole number >= 1/],
    ])('fails on %s', (_name, props, ns, message) => {
      expect(() => platform(props, ns)).toThrow(message);
    });
  });

  describe('fails at synth on bad input', () => {
    test.each<[string, () => void, RegExp]>([
      ['an invalid namespace name', () => new SparkOperator(testChart(), 'O', { jobNamespaces: [{ name: 'Team_A' }] }), /SparkOperator jobNamespaces\[0\]: "Team_A" is not a valid DNS-1123 label/],
      ['a namespace listed twice (one namespace, two watchers)', () => new SparkOperator(testChart(), 'O', { jobNamespaces: [{ name: 'a' }, { name: 'a' }] }), /jobNamespaces\[1\]: "a" is listed twice/],
      ['jobs next to the operator', () => new SparkOperator(testChart(), 'O', { jobNamespaces: [{ name: 'spark-operator' }] }), /include the operator's own namespace "spark-operator"/],
      ['an unpinned image', () => new SparkOperator(testChart(), 'O', { watchAllNamespaces: true, image: 'ghcr.io/kubeflow/spark-operator/controller' }), /SparkOperator image: "ghcr.io\/kubeflow\/spark-operator\/controller" has no tag, so it means :latest/],
      ['the latest tag', () => new SparkOperator(testChart(), 'O', { watchAllNamespaces: true, image: SPARK_OPERATOR.image.replace(/:[^:]+$/, ':latest') }), /uses the mutable tag latest\. Fix: pin an explicit version tag/],
      ['zero workers', () => new SparkOperator(testChart(), 'O', { watchAllNamespaces: true, workers: 0 }), /workers: 0 is not a whole number >= 1/],
    ])('%s', (_name, build, message) => {
      expect(build).toThrow(message);
    });
  });

  describe('webhook', () => {
    const on = () => platform({ webhook: { certificate: WebhookCertificate.selfSigned() } }).objects;

    test('Deployment, Service and both configurations, scoped to the job namespaces', () => {
      const objects = on();
      expectValidManifests(objects);
      const mutating = findObject(objects, 'MutatingWebhookConfiguration', 'spark-operator-webhook');
      expect(mutating.webhooks.map((w: { name: string; clientConfig: { service: { path: string } } }) => [w.name, w.clientConfig.service.path])).toEqual([
        ['mutate--v1-pod.sparkoperator.k8s.io', '/mutate--v1-pod'],
        ['mutate-sparkoperator-k8s-io-v1beta2-sparkapplication.sparkoperator.k8s.io', '/mutate-sparkoperator-k8s-io-v1beta2-sparkapplication'],
        ['mutate-sparkoperator-k8s-io-v1beta2-scheduledsparkapplication.sparkoperator.k8s.io', '/mutate-sparkoperator-k8s-io-v1beta2-scheduledsparkapplication'],
        ['mutate-sparkoperator-k8s-io-v1alpha1-sparkconnect.sparkoperator.k8s.io', '/mutate-sparkoperator-k8s-io-v1alpha1-sparkconnect'],
      ]);
      for (const w of mutating.webhooks) {
        expect(w).toMatchObject({
          admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 10,
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-a', 'team-b'] }] },
          clientConfig: { service: { name: 'spark-operator-webhook-svc', namespace: 'spark-operator', port: 9443 } },
        });
        expect(w.clientConfig.caBundle).toBeUndefined(); // written by the webhook, never by the manifests
      }
      expect(mutating.webhooks[0].objectSelector).toEqual({ matchLabels: { 'sparkoperator.k8s.io/launched-by-spark-operator': 'true' } });
      expect(findObject(objects, 'ValidatingWebhookConfiguration', 'spark-operator-webhook').webhooks.map((w: { name: string }) => w.name)).toEqual([
        'validate-sparkoperator-k8s-io-v1beta2-sparkapplication.sparkoperator.k8s.io',
        'validate-sparkoperator-k8s-io-v1beta2-scheduledsparkapplication.sparkoperator.k8s.io',
        'validate-sparkoperator-k8s-io-v1alpha1-sparkconnect.sparkoperator.k8s.io',
      ]);
      expect(findObject(objects, 'Service', 'spark-operator-webhook-svc').spec.ports).toEqual([{ name: 'webhook', port: 9443, targetPort: 'webhook' }]);
      expect(ofKind(objects, 'Secret')).toEqual([]); // the webhook creates its own certificate Secret
    });

    test('webhook flags name its Service, Secret, configurations and lease', () => {
      const args: string[] = findObject(on(), 'Deployment', 'spark-operator-webhook').spec.template.spec.containers[0].args;
      expect(args).toEqual(expect.arrayContaining([
        'webhook', 'start', '--namespaces=team-a,team-b', '--webhook-port=9443',
        '--webhook-secret-name=spark-operator-webhook-certs', '--webhook-secret-namespace=spark-operator',
        '--webhook-svc-name=spark-operator-webhook-svc', '--webhook-svc-namespace=spark-operator',
        '--mutating-webhook-name=spark-operator-webhook', '--validating-webhook-name=spark-operator-webhook',
        '--leader-election=true', '--leader-election-lock-name=spark-operator-webhook-lock',
      ]));
    });

    test('cert-manager: a Certificate for the Service names into the webhook Secret, CA injected, no self-patching', () => {
      const objects = platform({ webhook: { certificate: WebhookCertificate.certManager() } }).objects;
      expectValidManifests(objects);
      const certificate = findObject(objects, 'Certificate', 'spark-operator-certificate', 'spark-operator');
      expect(certificate.spec).toMatchObject({
        secretName: 'spark-operator-webhook-certs',
        dnsNames: ['spark-operator-webhook-svc', 'spark-operator-webhook-svc.spark-operator', 'spark-operator-webhook-svc.spark-operator.svc', 'spark-operator-webhook-svc.spark-operator.svc.cluster.local'],
        issuerRef: { name: 'spark-operator-self-signed', kind: 'Issuer', group: 'cert-manager.io' },
      });
      expect(findObject(objects, 'Issuer', 'spark-operator-self-signed', 'spark-operator').spec).toEqual({ selfSigned: {} });
      for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
        expect(findObject(objects, kind, 'spark-operator-webhook').metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe('spark-operator/spark-operator-certificate');
      }
      expect(findObject(objects, 'Deployment', 'spark-operator-webhook').spec.template.spec.containers[0].args).toContain('--enable-cert-manager=true');
      expect(ofKind(objects, 'Secret')).toEqual([]);
    });

    test('cert-manager with a ClusterIssuer: no Issuer emitted', () => {
      const objects = platform({ webhook: { certificate: WebhookCertificate.certManager({ kind: 'ClusterIssuer', name: 'internal-ca' }) } }).objects;
      expect(ofKind(objects, 'Issuer')).toEqual([]);
      expect(findObject(objects, 'Certificate', 'spark-operator-certificate').spec.issuerRef).toEqual({ name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    });

    test('self-signed: no cert-manager objects, no injection annotation', () => {
      const objects = on();
      expect(ofKind(objects, 'Certificate')).toEqual([]);
      expect(findObject(objects, 'MutatingWebhookConfiguration', 'spark-operator-webhook').metadata.annotations?.['cert-manager.io/inject-ca-from']).toBeUndefined();
    });

    test('fails when the webhook is enabled without a certificate source', () => {
      expect(() => platform({ webhook: {} as never })).toThrow(/SparkOperator webhook\.certificate: is required \(Where the webhook's serving certificate comes from\)\. Fix: set certificate with WebhookCertificate\.selfSigned\(\.\.\.\) or WebhookCertificate\.certManager\(\.\.\.\)/);
    });

    function sparkApp(chart: Chart, namespace: string, spec: Record<string, unknown>): void {
      new ApiObject(chart, `App-${namespace}`, { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 'pi', namespace }, spec });
    }

    test('off: a SparkApplication using a field only the webhook applies fails the synth, naming the fix', () => {
      const { chart } = platform();
      sparkApp(chart, 'team-a', { driver: { tolerations: [{ key: 'spark', operator: 'Exists' }] }, executor: { env: [{ name: 'A', value: '1' }] } });
      expect(() => Testing.synth(chart)).toThrow(/SparkApplication team-a\/pi sets spec\.driver\.tolerations, spec\.executor\.env, which only the operator's webhook applies, and the webhook is off.*Fix: move them into spec\.driver\.template/);
    });

    test('off: the same settings in pod templates are fine; so is an app in a namespace this operator does not serve', () => {
      const { chart } = platform();
      sparkApp(chart, 'team-a', { driver: { template: { spec: { tolerations: [{ key: 'spark', operator: 'Exists' }] } } } });
      sparkApp(chart, 'elsewhere', { driver: { tolerations: [{ key: 'spark', operator: 'Exists' }] } });
      expect(() => Testing.synth(chart)).not.toThrow();
    });

    test('on: webhook-only fields are allowed', () => {
      const { chart } = platform({ webhook: { certificate: WebhookCertificate.selfSigned() } });
      sparkApp(chart, 'team-a', { driver: { tolerations: [{ key: 'spark', operator: 'Exists' }] } });
      expect(() => Testing.synth(chart)).not.toThrow();
    });
  });
});

describe('NetworkPolicies: the operator namespace denies by default; each pod admits what it needs', () => {
  const ns = { 'monitoring': {}, 'kube-system': {} };
  const controllerPod = { namespace: 'spark-operator', labels: { 'app.kubernetes.io/name': 'spark-operator', 'app.kubernetes.io/instance': 'spark-operator', 'app.kubernetes.io/component': 'controller' } };
  const webhookPod = { namespace: 'spark-operator', labels: { 'app.kubernetes.io/name': 'spark-operator', 'app.kubernetes.io/instance': 'spark-operator', 'app.kubernetes.io/component': 'webhook' } };
  const prometheus = { namespace: 'monitoring', labels: { app: 'prometheus' } };
  const dns = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
  const apiServer = { ip: '10.0.0.2' };

  test.each<[string, Partial<SparkOperatorProps>, Record<string, unknown>, boolean]>([
    ['controller -> the API server endpoint (6443)', {}, { from: controllerPod, to: apiServer, port: 6443 }, true],
    ['controller -> DNS', {}, { from: controllerPod, to: dns, port: 53, protocol: 'UDP' }, true],
    ['controller -> the outside', {}, { from: controllerPod, to: { ip: '192.0.2.7' }, port: 80 }, false],
    ['controller -> a tenant pod', {}, { from: controllerPod, to: { namespace: 'team-a', labels: {} }, port: 4040 }, false],
    ['Prometheus -> controller metrics, without metricsAccess', {}, { from: prometheus, to: controllerPod, port: 8080 }, false],
    ['Prometheus -> controller metrics, with metricsAccess', { metricsAccess: [{ namespace: 'monitoring', labels: { app: 'prometheus' } }] }, { from: prometheus, to: controllerPod, port: 8080 }, true],
    ['Prometheus -> the health port, with metricsAccess', { metricsAccess: [{ namespace: 'monitoring', labels: { app: 'prometheus' } }] }, { from: prometheus, to: controllerPod, port: 8081 }, false],
    ['controller -> an API server outside apiServer', { apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.2/32'], [6443]) }, { from: controllerPod, to: { ip: '10.9.9.9' }, port: 6443 }, false],
    ['the API server -> the webhook port', { webhook: { certificate: WebhookCertificate.selfSigned() } }, { from: { ip: '10.0.0.2' }, to: webhookPod, port: 9443 }, true],
    ['the API server -> another webhook pod port', { webhook: { certificate: WebhookCertificate.selfSigned() } }, { from: { ip: '10.0.0.2' }, to: webhookPod, port: 8081 }, false],
    ['webhook -> the API server', { webhook: { certificate: WebhookCertificate.selfSigned() } }, { from: webhookPod, to: apiServer, port: 443 }, true],
    ['Prometheus -> webhook metrics, without metricsAccess', { webhook: { certificate: WebhookCertificate.selfSigned() } }, { from: prometheus, to: webhookPod, port: 8080 }, false],
    ['Prometheus -> webhook metrics, with metricsAccess', { webhook: { certificate: WebhookCertificate.selfSigned() }, metricsAccess: [{ namespace: 'monitoring', labels: { app: 'prometheus' } }] }, { from: prometheus, to: webhookPod, port: 8080 }, true],
    ['another monitoring pod -> webhook metrics, with metricsAccess', { webhook: { certificate: WebhookCertificate.selfSigned() }, metricsAccess: [{ namespace: 'monitoring', labels: { app: 'prometheus' } }] }, { from: { namespace: 'monitoring', labels: { app: 'other' } }, to: webhookPod, port: 8080 }, false],
  ])('%s', (_name, props, connection, allowed) => {
    const net = new NetworkPolicyEvaluator(platform(props).objects, { namespaceLabels: ns });
    expect({ allowed: net.allows(connection as never), why: net.explain(connection as never) }).toMatchObject({ allowed });
  });

  test('createNamespace: false emits no namespace-wide policy, the pods keep their own', () => {
    const { objects } = platform({ createNamespace: false });
    expect(objects.filter((o) => o.metadata.name === 'default-deny-all' && o.metadata.namespace === 'spark-operator')).toEqual([]);
    expect(findObject(objects, 'NetworkPolicy', 'spark-operator-controller', 'spark-operator').spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });
});
