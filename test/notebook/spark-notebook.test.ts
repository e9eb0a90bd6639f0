import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import {
  Cpu, DriverHost, attachDoctor, s3aConf, Memory, NetworkEndpoint, ObjectStoreConnection, S3ObjectStore, SecretSource, SparkImage, SparkNamespace,
  SparkNotebook, SparkNotebookImage, SparkNotebookProps, UNIFIED_IMAGE_DOCKERFILE, unifiedImageBuildArgs, unifiedImageJars,
} from '../../constructs';
import { selectorMatches } from '../helpers/k8s-json';
import { Obj, expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator } from '../helpers/netpol';
import { RbacEvaluator } from '../helpers/rbac';

const NOTEBOOK_IMAGE = 'registry.example.com/spark-notebook:4.0.3-jupyterlab4.6.6';
const minio = NetworkEndpoint.pods({ namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'minio' }, ports: [{ port: 9000 }] });
const mavenProxy = NetworkEndpoint.cidrs(['192.0.2.10/32'], [{ port: 443 }]);
const store = S3ObjectStore.external({
  endpoint: 'http://minio.spark-platform.svc.cluster.local:9000',
  buckets: ['spark-data', 'spark-logs'],
  // the store the tenant declares (objectStore: minio), so connect() adds no policy
  networkEndpoint: minio,
});

type Overrides = Partial<Omit<SparkNotebookProps, 'namespace'>> & { tenant?: ConstructorParameters<typeof SparkNamespace>[2] };

function build(overrides: Overrides = {}, connect = true) {
  const chart = testChart();
  const { tenant, ...props } = overrides;
  const namespace = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs', objectStore: minio, apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.1/32'], [443]), packageRepository: mavenProxy, ...(tenant ?? {}) });
  const notebook = new SparkNotebook(chart, 'Lab', {
    name: 'lab',
    namespace,
    image: SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE }),
    ...props,
  });
  if (connect) new ObjectStoreConnection({ store, eventLogDir: 's3a://spark-logs/events' }).connect(notebook);
  return { chart, notebook, objects: synth(chart) };
}

/** spark-defaults.conf as a map, from the ConfigMap the pod mounts. */
function sparkDefaults(objects: readonly Obj[], name = 'lab'): Record<string, string> {
  const text: string = findObject(objects, 'ConfigMap', `${name}-spark-conf`).data['spark-defaults.conf'];
  const entries = text.trimEnd().split('\n').map((line) => {
    const space = line.indexOf(' ');
    return [line.slice(0, space), line.slice(space + 1)] as const;
  });
  expect(new Set(entries.map(([k]) => k)).size).toBe(entries.length);
  return Object.fromEntries(entries);
}

function notebookOnly(objects: readonly Obj[]): Obj[] {
  return objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/instance'] === 'lab');
}

describe('SparkNotebook', () => {
  test('objects: StatefulSet, UI Service, headless driver Service, account, conf, policies; all valid; snapshot', () => {
    const { objects } = build();
    expectValidManifests(objects);
    expect(notebookOnly(objects).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/lab-spark-conf',
      'NetworkPolicy/lab-driver-egress',
      'NetworkPolicy/lab-driver-ingress',
      'NetworkPolicy/lab-executors',
      'Role/lab',
      'RoleBinding/lab',
      'Service/lab',
      'Service/lab-driver',
      'ServiceAccount/lab',
      'StatefulSet/lab',
    ]);
    // The token Secret is referenced, never emitted.
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(notebookOnly(objects)).toMatchSnapshot();
  });

  test('spark-defaults.conf, key by key', () => {
    const conf = sparkDefaults(build().objects);
    expect(conf).toEqual({
      'spark.master': 'k8s://https://kubernetes.default.svc:443',
      'spark.submit.deployMode': 'client',
      'spark.kubernetes.namespace': 'spark-jobs',
      'spark.driver.host': 'lab-driver.spark-jobs.svc.cluster.local',
      'spark.driver.bindAddress': '0.0.0.0',
      'spark.driver.port': '7078',
      'spark.driver.blockManager.port': '7079',
      'spark.blockManager.port': '7079',
      // Two sessions by default: the second takes 7080/7081.
      'spark.port.maxRetries': '2',
      'spark.kubernetes.driver.pod.name': 'lab-0',
      'spark.kubernetes.container.image': NOTEBOOK_IMAGE,
      'spark.kubernetes.authenticate.executor.serviceAccountName': 'spark-executor',
      'spark.kubernetes.executor.podTemplateFile': '/opt/spark-platform/conf/executor-pod-template.yaml',
      'spark.kubernetes.executor.podTemplateContainerName': 'spark-kubernetes-executor',
      'spark.kubernetes.executor.label.spark-platform.io/client-driver': 'lab',
      'spark.kubernetes.executor.deleteOnTermination': 'true',
      // Ivy under /tmp: Java's user.home is the passwd entry's /nonexistent, not $HOME.
      'spark.jars.ivy': '/tmp/.ivy2',
      'spark.driver.memory': '1g',
      'spark.executor.cores': '1',
      'spark.executor.memory': '1g',
      'spark.executor.instances': '2',
      'spark.executor.memoryOverheadFactor': '0.4',
      'spark.pyspark.python': 'python3',
      // From the object-store connection: the s3a conf of Spark 4.0 (checked key by key in
      // test/storage/s3a.test.ts) and the event log. No spark.jars.packages: the unified image
      // carries the s3a jars, so no session resolves them again.
      ...s3aConf(store, SparkImage.official('4.0')),
      'spark.eventLog.enabled': 'true',
      'spark.eventLog.dir': 's3a://spark-logs/events',
    });
  });

  test('options change exactly their keys: pod IP, ports, sessions, dynamic allocation, UI proxy', () => {
    const conf = sparkDefaults(build({
      driverHost: DriverHost.POD_IP,
      driverPort: 30100,
      memory: Memory.gibibytes(6),
      sessions: 3,
      sparkUiProxyBase: '/proxy/4040',
      executors: { cores: 2, memory: Memory.gibibytes(2), dynamicAllocation: { minExecutors: 1, maxExecutors: 4 } },
      tenant: { name: 'spark-jobs', objectStore: minio, packageRepository: mavenProxy, quota: { cpu: Cpu.cores(32), memory: Memory.gibibytes(64) } },
    }).objects);
    expect(conf).toMatchObject({
      'spark.driver.host': '${env:POD_IP}',
      'spark.driver.port': '30100',
      'spark.driver.blockManager.port': '30101',
      'spark.blockManager.port': '30101',
      'spark.port.maxRetries': '4',
      'spark.ui.proxyBase': '/proxy/4040',
      'spark.executor.cores': '2',
      'spark.executor.memory': '2g',
      'spark.dynamicAllocation.enabled': 'true',
      'spark.dynamicAllocation.shuffleTracking.enabled': 'true',
      'spark.dynamicAllocation.minExecutors': '1',
      'spark.dynamicAllocation.maxExecutors': '4',
      'spark.dynamicAllocation.initialExecutors': '1',
    });
    expect(conf['spark.executor.instances']).toBeUndefined();
  });

  test('the pod: restricted, its own account with a token, spark-defaults.conf where the image\'s Spark reads it, token from the Secret', () => {
    const { objects, notebook } = build();
    const sts = findObject(objects, 'StatefulSet', 'lab');
    const pod = sts.spec.template.spec;
    expect(pod.serviceAccountName).toBe('lab');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 185, runAsGroup: 185, fsGroup: 185, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(c.command).toEqual(['jupyter', 'lab', '--no-browser', '--ip=0.0.0.0', '--port=8888', '--ServerApp.root_dir=/home/spark', '--ServerApp.base_url=/']);
    expect(c.env).toContainEqual({ name: 'JUPYTER_TOKEN', valueFrom: { secretKeyRef: { name: 'lab-token', key: 'token' } } });
    expect(c.env).toContainEqual({ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_ACCESS_KEY_ID' } } });
    expect(c.volumeMounts).toContainEqual({ name: 'spark-conf', mountPath: '/opt/spark/conf/spark-defaults.conf', subPath: 'spark-defaults.conf', readOnly: true });
    expect(c.volumeMounts).toContainEqual({ name: 'home', mountPath: '/home/spark' });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    // The conf names the pod the StatefulSet makes: executors get it as their owner.
    expect(sparkDefaults(objects)['spark.kubernetes.driver.pod.name']).toBe(`${sts.metadata.name}-0`);
    expect(notebook.url).toBe('http://lab.spark-jobs.svc.cluster.local:8888/');
  });

  describe('driver-host reachability, structurally', () => {
    const { objects } = build({ sessions: 2 });
    const sts = findObject(objects, 'StatefulSet', 'lab');
    const podLabels: Record<string, string> = sts.spec.template.metadata.labels;
    const headless = findObject(objects, 'Service', 'lab-driver');
    const conf = sparkDefaults(objects);

    test('spark.driver.host is the headless Service, which selects the notebook pod and only it', () => {
      expect(conf['spark.driver.host']).toBe(`${headless.metadata.name}.${headless.metadata.namespace}.svc.cluster.local`);
      expect(headless.spec.clusterIP).toBe('None');
      expect(headless.spec.publishNotReadyAddresses).toBe(true);
      expect(selectorMatches({ matchLabels: headless.spec.selector, matchExpressions: [] }, podLabels)).toBe(true);
      expect(sts.spec.serviceName).toBe('lab-driver');
      // No other pod template in the output carries the selected labels.
      const others = objects.filter((o) => o !== sts && o.spec?.template?.metadata?.labels && selectorMatches({ matchLabels: headless.spec.selector, matchExpressions: [] }, o.spec.template.metadata.labels));
      expect(others).toEqual([]);
    });

    test('it exposes exactly the configured ports, which the container declares', () => {
      const ports = headless.spec.ports.map((p: any) => [p.port, p.targetPort]);
      expect(ports).toEqual([[Number(conf['spark.driver.port']), Number(conf['spark.driver.port'])], [Number(conf['spark.driver.blockManager.port']), Number(conf['spark.driver.blockManager.port'])]]);
      const containerPorts = sts.spec.template.spec.containers[0].ports.map((p: any) => p.containerPort);
      expect(containerPorts).toEqual(expect.arrayContaining([7078, 7079]));
    });

    const template = parse(findObject(objects, 'ConfigMap', 'lab-spark-conf').data['executor-pod-template.yaml']);
    // Spark adds spark-role=executor and the conf's executor labels to the template's.
    const executorLabels = { ...template.metadata.labels, 'spark-role': 'executor', 'spark-platform.io/client-driver': conf['spark.kubernetes.executor.label.spark-platform.io/client-driver'] };
    const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: { 'kube-system': {}, 'spark-platform': {}, 'ingress-nginx': {} } });
    const notebookPod = { namespace: 'spark-jobs', labels: podLabels };
    const executor = { namespace: 'spark-jobs', labels: executorLabels };
    const otherDriver = { namespace: 'spark-jobs', labels: { 'spark-role': 'driver' } };
    const otherExecutor = { namespace: 'spark-jobs', labels: { 'spark-role': 'executor', 'spark-platform.io/client-driver': 'someone-else' } };
    const plain = { namespace: 'spark-jobs', labels: { app: 'x' } };
    const minioPod = { namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'minio' } };
    const ingress = { namespace: 'ingress-nginx', labels: { app: 'ingress' } };
    test.each([
      ['executor -> driver port', { from: executor, to: notebookPod, port: 7078 }, true],
      ['executor -> block manager', { from: executor, to: notebookPod, port: 7079 }, true],
      ['executor -> second session\'s ports', { from: executor, to: notebookPod, port: 7081 }, true],
      ['executor -> beyond the sessions\' ports', { from: executor, to: notebookPod, port: 7082 }, false],
      ['executor -> Jupyter', { from: executor, to: notebookPod, port: 8888 }, false],
      ['another job\'s driver -> driver port', { from: otherDriver, to: notebookPod, port: 7078 }, false],
      ['another driver\'s executor -> driver port', { from: otherExecutor, to: notebookPod, port: 7078 }, false],
      ['non-Spark pod -> Jupyter', { from: plain, to: notebookPod, port: 8888 }, false],
      ['ingress controller -> Jupyter (not allowed by default)', { from: ingress, to: notebookPod, port: 8888 }, false],
      ['driver -> executor block manager', { from: notebookPod, to: executor, port: 7079 }, true],
      ['driver -> API server', { from: notebookPod, to: { ip: '10.0.0.1' }, port: 443 }, true],
      ['driver -> object store', { from: notebookPod, to: minioPod, port: 9000 }, true],
      ['executor -> object store', { from: executor, to: minioPod, port: 9000 }, true],
      ['driver -> the package repository', { from: notebookPod, to: { ip: '192.0.2.10' }, port: 443 }, true],
      ['driver -> the internet', { from: notebookPod, to: { ip: '1.1.1.1' }, port: 443 }, false],
    ])('%s: %p', (_name, connection, allowed) => {
      expect({ allowed: net.allows(connection), why: net.explain(connection) }).toMatchObject({ allowed });
    });

    test('uiAccess admits the named pods to Jupyter only', () => {
      const withUi = build({ uiAccess: [{ namespace: 'ingress-nginx' }] }).objects;
      const n = new NetworkPolicyEvaluator(withUi, { namespaceLabels: { 'kube-system': {}, 'spark-platform': {}, 'ingress-nginx': {} } });
      expect(n.allows({ from: ingress, to: notebookPod, port: 8888 })).toBe(true);
      expect(n.allows({ from: ingress, to: notebookPod, port: 7078 })).toBe(false);
      expect(n.allows({ from: plain, to: notebookPod, port: 8888 })).toBe(false);
    });
  });

  test('RBAC: the notebook creates, watches and deletes executor pods, services, configmaps, PVCs in its namespace only', () => {
    const rbac = new RbacEvaluator(build().objects);
    const sa = { kind: 'ServiceAccount' as const, namespace: 'spark-jobs', name: 'lab' };
    for (const resource of ['pods', 'services', 'configmaps', 'persistentvolumeclaims']) {
      for (const verb of ['create', 'get', 'list', 'watch', 'delete', 'deletecollection']) {
        expect([resource, verb, rbac.can(sa, { verb, resource, namespace: 'spark-jobs' })]).toEqual([resource, verb, true]);
      }
      expect(rbac.can(sa, { verb: 'create', resource, namespace: 'other' })).toBe(false);
    }
    expect(rbac.can(sa, { verb: 'get', resource: 'secrets', namespace: 'spark-jobs' })).toBe(false);
    expect(rbac.can(sa, { verb: 'create', resource: 'pods/exec', namespace: 'spark-jobs' })).toBe(false);
  });

  test('executor pod template: restricted, no token, no service links, credentials env, /tmp', () => {
    const { objects } = build();
    const template = parse(findObject(objects, 'ConfigMap', 'lab-spark-conf').data['executor-pod-template.yaml']);
    expectValidManifests([{ ...template, metadata: { ...template.metadata, name: 'template-check' } }]);
    expect(template.spec).toMatchObject({
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, runAsUser: 185, seccompProfile: { type: 'RuntimeDefault' } },
    });
    const c = template.spec.containers[0];
    expect(c.name).toBe('spark-kubernetes-executor');
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.env).toContainEqual({ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_SECRET_ACCESS_KEY' } } });
    // /tmp and the image's working directory (WORKDIR /home/spark), where executors fetch files.
    expect(c.volumeMounts).toEqual([{ name: 'spark-platform-tmp', mountPath: '/tmp' }, { name: 'spark-platform-workdir', mountPath: '/home/spark' }]);
    expect(template.spec.volumes).toEqual([{ name: 'spark-platform-tmp', emptyDir: {} }, { name: 'spark-platform-workdir', emptyDir: {} }]);
  });

  describe('Python and Spark alignment', () => {
    const executor = SparkImage.official('4.0');
    test('a Jupyter stack kernel (Python 3.13) with the official executors (3.10) is refused, naming both', () => {
      expect(() => SparkNotebookImage.jupyterStack({ image: 'quay.io/jupyter/pyspark-notebook:2026-10-05', sparkVersion: '4.0.3', pythonVersion: '3.13', executor }))
        .toThrow(/executor: does not match the notebook: Python 3\.13 in "quay\.io\/jupyter\/pyspark-notebook:2026-10-05" vs 3\.10 in "docker\.io\/apache\/spark:4\.0\.3-scala2\.13-java17-python3-ubuntu".*SparkNotebookImage\.unified/);
    });
    test('a different Spark release is refused too', () => {
      expect(() => SparkNotebookImage.jupyterStack({ image: 'quay.io/jupyter/pyspark-notebook:2026-10-05', sparkVersion: '4.1.2', pythonVersion: '3.10', executor }))
        .toThrow(/Spark 4\.1\.2 in .* vs 4\.0\.3 in/);
    });
    test('a matching pair is accepted, and the notebook runs as jovyan with its Spark home', () => {
      const py313 = SparkImage.custom({ image: 'registry.example.com/spark-py313:4.0.3', sparkVersion: '4.0.3', pythonVersion: '3.13.1' });
      const image = SparkNotebookImage.jupyterStack({ image: 'quay.io/jupyter/pyspark-notebook:2026-10-05', sparkVersion: '4.0.3', pythonVersion: '3.13', executor: py313 });
      const { objects } = build({ image });
      const pod = findObject(objects, 'StatefulSet', 'lab').spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 100, fsGroup: 100 });
      expect(pod.containers[0].volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/usr/local/spark/conf/spark-defaults.conf' }));
      expect(sparkDefaults(objects)['spark.kubernetes.container.image']).toBe('registry.example.com/spark-py313:4.0.3');
      const template = parse(findObject(objects, 'ConfigMap', 'lab-spark-conf').data['executor-pod-template.yaml']);
      expect(template.spec.securityContext.runAsUser).toBe(185);
    });
    test('the unified image is one image for both', () => {
      const image = SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE, line: '3.5' });
      expect(image.notebook).toBe(image.executor);
      expect(image.notebook.sparkVersion).toBe('3.5.8');
    });
  });

  test('the unified Dockerfile: its defaults are the version matrix\'s default line, and it declares every build argument', () => {
    const dockerfile = fs.readFileSync(path.join(__dirname, '../..', UNIFIED_IMAGE_DOCKERFILE), 'utf8');
    const declared = Object.fromEntries([...dockerfile.matchAll(/^ARG ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    const args = unifiedImageBuildArgs();
    for (const [name, value] of Object.entries(args)) expect([name, declared[name]]).toEqual([name, value]);
    expect(dockerfile).toMatch(/^FROM \$\{SPARK_IMAGE\}$/m);
    expect(unifiedImageBuildArgs('4.1').SPARK_IMAGE).toBe(SparkImage.official('4.1').image);
  });

  test('the unified image declares what its Dockerfile does: WORKDIR and HOME, and exactly the jars it downloads', () => {
    const dockerfile = fs.readFileSync(path.join(__dirname, '../..', UNIFIED_IMAGE_DOCKERFILE), 'utf8');
    const image = SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE }).notebook;
    expect(dockerfile).toMatch(new RegExp(`^WORKDIR ${image.workingDirectory}$`, 'm'));
    expect(dockerfile).toMatch(new RegExp(`^ENV HOME=${image.workingDirectory}$`, 'm'));
    // The user stays the base image's `spark` (passwd home /nonexistent): no useradd/usermod.
    expect(dockerfile).not.toMatch(/useradd|usermod/);
    expect(image.homeDirectory).toBe('/nonexistent');
    // The jar loop's coordinates, with the default build arguments substituted.
    const args = unifiedImageBuildArgs();
    const loop = /for coordinates in \\\n((?:\s+"[^"]+"(?: \\)?\n)+?)\s*; do|for coordinates in \\\n([\s\S]*?); do/.exec(dockerfile);
    expect(loop).not.toBeNull();
    const listed = [...(loop![1] ?? loop![2]).matchAll(/"([^"]+)"/g)].map((m) => m[1].replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => args[name]));
    expect(listed).toEqual([...image.jars]);
    expect(image.jars).toEqual(unifiedImageJars());
  });

  test('executors.coreRequest: the executor pods request less CPU than their cores, and the quota counts the request', () => {
    const conf = sparkDefaults(build({ executors: { instances: 2, cores: 1, coreRequest: Cpu.millis(250) } }).objects);
    expect(conf['spark.executor.cores']).toBe('1');
    expect(conf['spark.kubernetes.executor.request.cores']).toBe('250m');
    expect(sparkDefaults(build().objects)['spark.kubernetes.executor.request.cores']).toBeUndefined();
    // 2 sessions x 2 executors x 250m + the notebook's 1 CPU fit a 2-CPU quota; at 1 core each they do not
    const tenant = { name: 'spark-jobs', quota: { cpu: Cpu.cores(2) } };
    expect(() => build({ executors: { instances: 2, coreRequest: Cpu.millis(250) }, tenant })).not.toThrow();
    expect(() => build({ executors: { instances: 2 }, tenant })).toThrow(/executors\.cores: .*above the CPU quota of namespace "spark-jobs" \(2\)/);
    expect(() => build({ executors: { coreRequest: Cpu.millis(0) } })).toThrow(/executors\.coreRequest: is 0\. Fix: request some CPU/);
  });

  describe('errors name the field and the fix', () => {
    test.each([
      ['memory too small for the sessions', { memory: Memory.gibibytes(2), sessions: 2, driverMemory: Memory.gibibytes(1) }, /memory: 2Gi cannot hold 2 sessions of 1Gi driver heap .*raise memory to at least/],
      ['executors beyond the pod quota', { sessions: 4, memory: Memory.gibibytes(8), executors: { instances: 5 }, tenant: { name: 'spark-jobs', quota: { pods: 10 } } }, /executors: 20 executors \(every session at its largest\) and the driver pod are 21 pods, above the pod quota of namespace "spark-jobs" \(10\)/],
      ['executors beyond the memory quota', { executors: { instances: 8, memory: Memory.gibibytes(4) }, tenant: { name: 'spark-jobs', quota: { memory: Memory.gibibytes(32) } } }, /executors\.memory: .*above the memory quota of namespace "spark-jobs" \(32Gi\)/],
      ['dynamic allocation min above max', { executors: { dynamicAllocation: { minExecutors: 5, maxExecutors: 2 } } }, /executors\.dynamicAllocation\.minExecutors: 5 is not between 0 and maxExecutors \(2\)/],
      ['too many sessions', { sessions: 40 }, /sessions: 40 is not a whole number from 1 to 16/],
      ['a privileged port', { driverPort: 80 }, /driverPort: 80 is not an unprivileged port/],
      ['a base URL without slashes', { baseUrl: 'lab' }, /baseUrl: "lab" is not a path that starts and ends with "\/"/],
      ['a long name', { name: 'a'.repeat(41) }, /name: "a{41}" is 41 characters/],
    ] as Array<[string, Overrides, RegExp]>)('%s', (_name, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });

    test('an image on a mutable tag', () => {
      expect(() => SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE.replace(/:[^:]+$/, ':latest') })).toThrow(/image: .* uses the mutable tag latest/);
    });

    test('packages without a package repository: the connection\'s jars cannot be downloaded', () => {
      const chart = testChart();
      const namespace = new SparkNamespace(chart, 'T', { name: 'spark-jobs' });
      // An image that does not carry the s3a jars: they would be resolved at each session.
      const plain = SparkImage.custom({ image: NOTEBOOK_IMAGE, sparkVersion: '4.0.3', pythonVersion: '3.10', workingDirectory: '/home/spark' });
      const image = SparkNotebookImage.custom({ notebook: plain, executor: plain, homeDirectory: '/home/spark', command: () => ['jupyter', 'lab'] });
      const nb = new SparkNotebook(chart, 'N', { name: 'lab', namespace, image });
      expect(namespace.canDownloadPackages).toBe(false);
      expect(() => new ObjectStoreConnection({ store }).connect(nb)).toThrow(/ObjectStoreConnection\.packages: need a Maven repository, and namespace "spark-jobs" allows no egress to one/);
    });

    test('the unified image needs no package repository: it carries the s3a jars', () => {
      const chart = testChart();
      const namespace = new SparkNamespace(chart, 'T', { name: 'spark-jobs' });
      const nb = new SparkNotebook(chart, 'N', { name: 'lab', namespace, image: SparkNotebookImage.unified({ image: NOTEBOOK_IMAGE }) });
      new ObjectStoreConnection({ store }).connect(nb);
      expect(nb.sparkConf()['spark.jars.packages']).toBeUndefined();
    });

    test('conf the wiring owns cannot be overridden', () => {
      const { notebook } = build({}, false);
      expect(() => notebook.addSparkConf({ 'spark.driver.host': 'elsewhere' }, 'user')).toThrow(/user\["spark.driver.host"\]: is set by the client-mode wiring/);
      expect(() => notebook.addSparkConf({ 'spark.driver.port': '7078' }, 'user')).not.toThrow();
    });

    test('a sealed token must carry the token key', () => {
      expect(() => build({ token: SecretSource.sealedSecret('lab-token', { other: 'A'.repeat(60) }) })).toThrow(/token\.encryptedData\.token: is missing/);
      const { objects } = build({ token: SecretSource.sealedSecret('lab-token', { token: 'A'.repeat(60) }) });
      expect(findObject(objects, 'SealedSecret', 'lab-token', 'spark-jobs')).toBeDefined();
    });
  });
});

describe('the platform doctor sees notebooks (client-mode drivers)', () => {
  test('a wired notebook passes every rule; its executors are checked against node shapes and pull secrets', () => {
    const { chart } = build({ imagePullSecrets: ['registry-credentials'] });
    expect(sparkDefaults(synth(chart))['spark.kubernetes.container.image.pullSecrets']).toBe('registry-credentials');
    // the tenant's API server egress is on 443 only: confirmed as the endpoints' port
    expect(attachDoctor(chart.node.root as App, { apiServer: { port: 443 } }).report().findings).toEqual([]);
    // Without pull secrets, the private registry fails for the notebook pod and its executors.
    const { chart: bare } = build();
    const missing = attachDoctor(bare.node.root as App, {}).report().errors.filter((e) => e.rule === 'image-pull-secret-missing').map((e) => e.path);
    expect(missing.sort()).toEqual([`${bare.node.path}/Lab/Driver`, `${bare.node.path}/Lab/Resource`]);
    const { chart: other } = build({ imagePullSecrets: ['registry-credentials'] });
    const small = attachDoctor(other.node.root as App, { nodes: [{ name: 'small', cpu: '4', memory: '1Gi' }] }).report();
    expect(small.errors.map((e) => [e.rule, e.path])).toContainEqual(['pod-exceeds-node', `${other.node.path}/Lab/Driver`]);
  });
});
