/**
 * The doctor and Apache Spark's Kubernetes operator (`spark.apache.org/v1`): SparkApplications
 * normalized from their manifests alone (hand-made ones and upstream's examples), the operator's
 * watched namespaces read from its properties file, and the rules that apply to such
 * applications, each with a trigger and a near miss.
 */
import { readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ApacheSparkOperator } from '../../constructs/apache-operator';
import { DoctorView, SparkAppView, resolveDoctorOptions } from '../../constructs/doctor';
import { parseJavaProperties } from '../../constructs/doctor/operator-watches';
import { SparkOperator } from '../../constructs/operator';
import { SparkNamespace } from '../../constructs/tenancy';
import { describeWithShared } from '../helpers/shared';
import {
  FULL_DRIVER_RULES, SPARK_35, SPARK_40, account, apacheOperator, apacheSparkApp, doctor, namespace, of, quota, sparkApp,
} from './fixtures';

type J = Record<string, unknown>;

function view(build: (chart: Chart) => void): DoctorView {
  const app = new App();
  build(new Chart(app, 'c'));
  return new DoctorView(app.node.findAll(), resolveDoctorOptions({}));
}

/** The one application a tree holds. */
function onlyApp(build: (chart: Chart) => void): SparkAppView {
  const apps = view(build).apps;
  expect(apps).toHaveLength(1);
  return apps[0];
}

describe('an Apache SparkApplication, read from its manifest', () => {
  const app = onlyApp((c) => apacheSparkApp(c, 'Etl', {
    spec: {
      mainClass: 'org.apache.spark.deploy.PythonRunner',
      jars: undefined,
      pyFiles: 'local:///app/main.py,s3a://deps/lib.zip',
      driverArgs: ['--in', 's3a://data/in'],
      runtimeVersions: { sparkVersion: '4.0.3' },
      sparkConf: {
        'spark.kubernetes.container.image': 'docker.io/apache/spark:{{SPARK_VERSION}}-python3',
        'spark.kubernetes.driver.container.image': 'docker.io/apache/spark:{{SPARK_VERSION}}-scala2.13-java17-python3-ubuntu',
        'spark.kubernetes.namespace': 'elsewhere',
        'spark.app.name': 'my-etl',
        'spark.authenticate': 'false',
        'spark.driver.cores': '2',
        'spark.kubernetes.driver.request.cores': '1500m',
        'spark.driver.memory': '2g',
        'spark.executor.memory': '4g',
        'spark.executor.memoryOverhead': '1g',
        'spark.kubernetes.executor.label.team': 'data',
        'spark.kubernetes.node.selector.pool': 'spark',
        'spark.kubernetes.executor.node.selector.disk': 'ssd',
        'spark.kubernetes.driverEnv.MODE': 'batch',
        'spark.executorEnv.MODE': 'batch',
        'spark.jars.packages': 'org.apache.hadoop:hadoop-aws:3.4.1',
        'spark.eventLog.dir': 's3a://logs/',
        'spark.kubernetes.executor.podTemplateFile': '/somewhere/ignored.yaml',
        'spark.dynamicAllocation.enabled': 'true',
        'spark.dynamicAllocation.maxExecutors': '5',
        'spark.kubernetes.container.image.pullSecrets': 'regcred',
      },
      executorSpec: { podTemplateSpec: { metadata: { labels: { tier: 'batch' }, annotations: { note: 'x' } }, spec: { nodeSelector: { zone: 'a' }, containers: [{ name: 'spark-kubernetes-executor', env: [{ name: 'FROM_TEMPLATE', value: '1' }] }] } } },
      applicationTolerations: { ttlAfterStopMillis: 90500 },
    },
  }));

  test('identity: the object, its namespace (the operator forces spark.kubernetes.namespace), Python, runtimeVersions', () => {
    expect(app).toMatchObject({
      object: 'SparkApplication/team/etl', label: 'SparkApplication team/etl (spark.apache.org)', mode: 'apache-operator',
      namespace: 'team', name: 'etl', python: true, nonJvm: true, sparkVersion: '4.0.3',
    });
  });

  test('the conf as the operator assembles it, and where each key comes from', () => {
    expect(app.conf).toMatchObject({
      'spark.kubernetes.namespace': 'team',
      'spark.app.name': 'etl',
      'spark.authenticate': 'false', // the user's value wins over the operator's default
      'spark.io.encryption.enabled': 'true',
      'spark.submit.pyFiles': 's3a://deps/lib.zip', // PythonRunner: the first file is the main one
      'spark.kubernetes.container.image': 'docker.io/apache/spark:4.0.3-python3',
      'spark.kubernetes.driver.label.spark.operator/spark-app-name': 'etl',
      'spark.kubernetes.executor.label.spark.operator/spark-app-name': 'etl',
    });
    // The executor podTemplateSpec replaces the user's podTemplateFile; no deleteOnTermination
    // default with dynamic allocation on.
    expect(app.conf).not.toHaveProperty(['spark.kubernetes.executor.podTemplateFile']);
    expect(app.conf).not.toHaveProperty(['spark.kubernetes.executor.deleteOnTermination']);
    expect(app.confField('spark.driver.memory')).toBe('spec.sparkConf["spark.driver.memory"]');
    expect(app.confField('spark.kubernetes.namespace')).toMatch(/^metadata\.namespace/);
    expect(app.confField('spark.submit.pyFiles')).toBe('spec.pyFiles');
    expect(app.confField('spark.io.encryption.enabled')).toMatch(/the operator sets spark\.io\.encryption\.enabled=true/);
  });

  test('uris: main files, driver arguments and conf values, each with its field', () => {
    expect(app.uris).toEqual(expect.arrayContaining([
      { field: 'spec.pyFiles (entry 0)', value: 'local:///app/main.py' },
      { field: 'spec.pyFiles (entry 1)', value: 's3a://deps/lib.zip' },
      { field: 'spec.driverArgs[1]', value: 's3a://data/in' },
      { field: 'spec.sparkConf["spark.eventLog.dir"]', value: 's3a://logs/' },
    ]));
    expect(app.uris.filter((u) => u.value === 's3a://deps/lib.zip')).toHaveLength(1);
    expect(app.packages).toEqual(['org.apache.hadoop:hadoop-aws:3.4.1']);
    expect(app.imagePullSecrets).toEqual(['regcred']);
  });

  test('the driver pod: its own image, request cores, Python overhead, the account from the conf', () => {
    const d = app.driver!;
    expect(d.image).toBe('docker.io/apache/spark:4.0.3-scala2.13-java17-python3-ubuntu');
    expect(d.cpu.toString()).toBe('1500m');
    expect(d.memoryText).toBe('heap 2g + overhead 819m'); // 0.4 for Python
    expect(d.serviceAccount).toBe('spark');
    expect(d.labels).toMatchObject({ 'spark-role': 'driver', 'spark-app-name': 'etl', 'spark-version': '4.0.3', 'spark.operator/spark-app-name': 'etl' });
    expect(d.nodeSelector).toEqual({ pool: 'spark' });
    expect([...d.env]).toEqual(['MODE']);
    expect(d.template).toBeUndefined();
  });

  test('the executor pods: the shared image, explicit overhead, labels, selectors and env of conf and template', () => {
    const e = app.executor;
    expect(e.image).toBe('docker.io/apache/spark:4.0.3-python3');
    expect(e.memoryText).toBe('heap 4g + overhead 1g');
    expect(e.serviceAccount).toBe('spark'); // Spark's fallback to the driver's account
    expect(e.labels).toMatchObject({ 'spark-role': 'executor', team: 'data', tier: 'batch' });
    expect(e.labels).not.toHaveProperty(['spark-version']);
    expect(e.nodeSelector).toEqual({ pool: 'spark', disk: 'ssd', zone: 'a' });
    expect(e.templateField).toBe('spec.executorSpec.podTemplateSpec');
    expect(e.templateAnnotations).toEqual({ note: 'x' });
    expect([...e.env].sort()).toEqual(['FROM_TEMPLATE', 'MODE']);
  });

  test('dynamic allocation and the time to live (milliseconds, in seconds)', () => {
    expect(app.dynamicAllocation).toMatchObject({ min: 0, initial: 0, max: 5, field: 'spec.sparkConf["spark.dynamicAllocation.enabled"]' });
    expect(app).toMatchObject({ ttlRequired: true, ttlSeconds: 90, ttlField: 'spec.applicationTolerations.ttlAfterStopMillis' });
  });
});

describe('the language and main resource, in the operator\'s order', () => {
  test.each<[string, J, { python: boolean; nonJvm: boolean; jars: string[]; pyFiles?: string }]>([
    ['jars wins over pyFiles: Java', { jars: 'local:///a.jar', pyFiles: 'local:///a.py' }, { python: false, nonJvm: false, jars: ['local:///a.jar'] }],
    ['PythonRunner: the first file is the main one', { jars: undefined, mainClass: 'org.apache.spark.deploy.PythonRunner', pyFiles: 'local:///a.py,local:///b.py' }, { python: true, nonJvm: true, jars: [], pyFiles: 'local:///b.py' }],
    ['pyFiles alone: all of it', { jars: undefined, mainClass: undefined, pyFiles: 'local:///a.py' }, { python: true, nonJvm: true, jars: [], pyFiles: 'local:///a.py' }],
    ['sparkRFiles: R, not Python', { jars: undefined, mainClass: undefined, sparkRFiles: 'local:///a.R' }, { python: false, nonJvm: true, jars: [] }],
    ['nothing: Java without a resource', { jars: undefined }, { python: false, nonJvm: false, jars: [] }],
    ['spark.jars in the conf is kept; spec.jars is not added', { jars: 'local:///main.jar', sparkConf: { 'spark.jars': 'local:///extra.jar' } }, { python: false, nonJvm: false, jars: ['local:///extra.jar'] }],
  ])('%s', (_, spec, want) => {
    const app = onlyApp((c) => apacheSparkApp(c, 'App', { spec }));
    expect({ python: app.python, nonJvm: app.nonJvm, jars: app.jars, pyFiles: app.conf['spark.submit.pyFiles'] }).toEqual(want);
  });

  test('no image in the conf: none modelled (the operator has no default); no runtimeVersions: UNKNOWN', () => {
    const none = onlyApp((c) => apacheSparkApp(c, 'App', { spec: { sparkConf: { 'spark.kubernetes.container.image': undefined } } }));
    expect(none.driver!.image).toBeUndefined();
    const unknown = onlyApp((c) => apacheSparkApp(c, 'App', { spec: { runtimeVersions: undefined, sparkConf: { 'spark.kubernetes.container.image': 'apache/spark:{{SPARK_VERSION}}' } } }));
    expect(unknown.executor.image).toBe('apache/spark:UNKNOWN');
    expect(unknown.sparkVersion).toBeUndefined();
  });

  test('Kubeflow\'s SparkApplication of the same name stays Kubeflow\'s', () => {
    const v = view((c) => {
      apacheSparkApp(c, 'A', { name: 'same' });
      sparkApp(c, 'K', { name: 'same' });
    });
    expect(v.apps.map((a) => a.mode).sort()).toEqual(['apache-operator', 'operator']);
  });
});

describeWithShared('upstream\'s Apache operator examples, modelled from their manifests', (shared) => {
  const dir = path.join(shared, 'upstream/apache-spark-kubernetes-operator-1.0.0/examples');
  const docs = readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((file) => parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))
    .map((d) => d.toJSON() as J).filter((d) => d !== null && d.kind === 'SparkApplication').map((d) => ({ file, doc: d })));
  const v = view((c) => docs.forEach(({ file, doc }, i) => new ApiObject(c, `${file}-${i}`, doc as never)));
  const byName = new Map(v.apps.map((a) => [a.name, a]));

  test('every SparkApplication is one application, with its image resolved and the chart\'s account', () => {
    expect(docs.length).toBeGreaterThanOrEqual(25);
    expect(v.apps).toHaveLength(docs.length);
    for (const app of v.apps) {
      expect(app.mode).toBe('apache-operator');
      expect(app.namespace).toBe('default');
      expect(app.sparkVersion).toBeDefined();
      expect(app.driver!.image).toBeDefined();
      expect(app.driver!.image).not.toContain('{{');
      expect(app.executor.image).not.toContain('{{');
    }
    expect(byName.get('pi')).toMatchObject({ python: false, sparkVersion: '4.2.0', jars: ['local:///opt/spark/examples/jars/spark-examples.jar'] });
    expect(byName.get('pi')!.driver).toMatchObject({ image: 'apache/spark:4.2.0-scala', serviceAccount: 'spark' });
  });

  test('pi-python is Python; pi-with-template has both templates; dfs-read-write reads s3a in its arguments', () => {
    expect(byName.get('pi-python')).toMatchObject({ python: true, nonJvm: true });
    expect(byName.get('pi-python')!.driver!.memoryText).toBe('heap 1g + overhead 409m');
    const t = byName.get('pi-with-template')!;
    expect(t.driver!.template).toMatchObject({ priorityClassName: 'system-cluster-critical' });
    expect(t.executor.templateField).toBe('spec.executorSpec.podTemplateSpec');
    expect(byName.get('dfs-read-write')!.uris).toContainEqual({ field: 'spec.driverArgs[1]', value: 's3a://data/' });
    expect(byName.get('dfs-read-write')!.driver!.memoryText).toBe('heap 2g + overhead 384m');
  });

  test('the official tags they use are understood (Spark from the tag)', () => {
    const facts = v.imageFacts(byName.get('pi')!.driver!.image);
    expect(facts).toMatchObject({ sparkVersion: '4.2.0', scalaVersion: '2.13' });
  });
});

describe('Java properties, as the operator loads its bootstrap file', () => {
  test.each<[string, Record<string, string>]>([
    ['a=1\nb = 2\nc:3\nd 4\n', { a: '1', b: '2', c: '3', d: '4' }],
    ['# comment\n! comment\n\n  k=v  \n', { k: 'v  ' }],
    ['list=a,\\\n    b\n', { list: 'a,b' }],
    ['k=1\nk=2\n', { k: '2' }],
    ['empty=\nbare\n', { empty: '', bare: '' }],
    ['esc\\=aped=x\\ty\n', { 'esc=aped': 'x\ty' }],
  ])('%j', (text, want) => {
    expect(parseJavaProperties(text)).toEqual(want);
  });
});

describe('what an Apache operator watches', () => {
  const watch = (options: Parameters<typeof apacheOperator>[1]) => {
    const watches = view((c) => apacheOperator(c, options)).operatorWatches;
    expect(watches).toHaveLength(1);
    expect(watches[0]).toMatchObject({ kind: 'apache', serviceAccount: 'spark-operator', namespace: 'spark-operator' });
    return watches[0].namespaces === undefined ? 'all' : [...watches[0].namespaces].sort();
  };

  test.each<[string, Parameters<typeof apacheOperator>[1], string | string[]]>([
    ['a list', { watched: 'team-a, team-b' }, ['team-a', 'team-b']],
    ['*', { watched: '*' }, 'all'],
    ['only blanks and commas (an empty set)', { watched: ', ,' }, 'all'],
    ['empty: the default', { watched: '' }, ['default']],
    ['absent: the default', { watched: undefined }, ['default']],
    ['absent from the file: a -D system property', { watched: undefined, javaOpts: '-Xmx1g -Dspark.kubernetes.operator.watchedNamespaces=team-c' }, ['team-c']],
    ['the file wins over a -D system property', { watched: 'team-a', javaOpts: '-Dspark.kubernetes.operator.watchedNamespaces=team-c' }, ['team-a']],
    ['dynamic configuration may change it: unknown', { properties: 'spark.kubernetes.operator.dynamicConfig.enabled=true\nspark.kubernetes.operator.watchedNamespaces=team-a\n' }, 'all'],
    ['its ConfigMap is not in the manifests: unknown', { watched: 'team-a', configMap: false }, 'all'],
    ['another file, named by a system property, that no ConfigMap provides: unknown', { watched: 'team-a', javaOpts: '-Dspark.kubernetes.operator.basePropertyFileName=/etc/op.properties' }, 'all'],
  ])('%s', (_, options, want) => {
    expect(watch(options)).toEqual(want);
  });

  test('the construct\'s operator watches its job namespaces; a Kubeflow controller is of the other kind', () => {
    const v = view((c) => {
      new ApacheSparkOperator(c, 'Apache', { jobNamespaces: [SparkNamespace.fromName('team-a'), SparkNamespace.fromName('team-b')] });
      new SparkOperator(c, 'Kubeflow', { jobNamespaces: [SparkNamespace.fromName('team-c')] });
    });
    const apache = v.operatorWatchesOf('apache');
    expect(apache).toHaveLength(1);
    expect([...apache[0].namespaces!]).toEqual(['team-a', 'team-b']);
    expect(apache[0].source).toMatch(/spark-operator\.properties: spark\.kubernetes\.operator\.watchedNamespaces=team-a,team-b/);
    expect(v.operatorWatchesOf('kubeflow').map((w) => [...w.namespaces!])).toEqual([['team-c']]);
  });

  test('watchAllNamespaces: every namespace', () => {
    const v = view((c) => new ApacheSparkOperator(c, 'Apache', { watchAllNamespaces: true }));
    expect(v.operatorWatchesOf('apache')[0].namespaces).toBeUndefined();
  });
});

describe('namespace-not-watched for Apache applications', () => {
  test('an Apache application in a namespace the Apache operator does not watch', () => {
    const f = of(doctor((c) => {
      apacheOperator(c, { watched: 'team-a' });
      apacheSparkApp(c, 'App', { namespace: 'team-b' });
    }), 'namespace-not-watched');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'SparkApplication/team-b/app' });
    expect(f[0].message).toMatch(/namespace team-b is not watched by any Apache Spark Kubernetes operator \(Deployment spark-operator\/apacheop watches team-a \(ConfigMap spark-operator\/apacheop-configuration spark-operator\.properties: spark\.kubernetes\.operator\.watchedNamespaces=team-a\)\).*never submitted.*Fix: add the namespace to the ApacheSparkOperator's jobNamespaces/);
  });

  test('near misses: the watched namespace, *, or no operator at all in the tree', () => {
    expect(of(doctor((c) => {
      apacheOperator(c, { watched: 'team-a,team-b' });
      apacheSparkApp(c, 'App', { namespace: 'team-b' });
    }), 'namespace-not-watched')).toEqual([]);
    expect(of(doctor((c) => {
      apacheOperator(c, { watched: '*' });
      apacheSparkApp(c, 'App', { namespace: 'team-b' });
    }), 'namespace-not-watched')).toEqual([]);
    expect(of(doctor((c) => apacheSparkApp(c, 'App', { namespace: 'team-b' })), 'namespace-not-watched')).toEqual([]);
  });

  test('a Kubeflow controller does not run Apache applications, and the reverse', () => {
    const r = doctor((c) => {
      new SparkOperator(c, 'Kubeflow', { jobNamespaces: [SparkNamespace.fromName('team-k')] });
      apacheOperator(c, { watched: 'team-a' });
      apacheSparkApp(c, 'Apache', { namespace: 'team-k' });
      sparkApp(c, 'Kf', { namespace: 'team-a' });
      apacheSparkApp(c, 'ApacheOk', { namespace: 'team-a' });
      sparkApp(c, 'KfOk', { namespace: 'team-k' });
    });
    const f = of(r, 'namespace-not-watched');
    expect(f.map((x) => x.object).sort()).toEqual(['SparkApplication/team-a/kf', 'SparkApplication/team-k/apache']);
    expect(f.find((x) => x.path === 'c/Apache')!.message).toMatch(/Deployment spark-operator\/spark-operator-controller watches it, but Kubeflow controllers run only sparkoperator\.k8s\.io applications/);
    expect(f.find((x) => x.path === 'c/Kf')!.message).toMatch(/is not watched by any Kubeflow spark-operator controller.*Deployment spark-operator\/apacheop watches it, but Apache Spark operators run only spark\.apache\.org applications/);
  });

  test('only Kubeflow operators in the tree: the Apache application has no operator to run it', () => {
    const f = of(doctor((c) => {
      new SparkOperator(c, 'Kubeflow', { jobNamespaces: [SparkNamespace.fromName('team')] });
      apacheSparkApp(c, 'App');
    }), 'namespace-not-watched');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/namespace team has no Apache Spark Kubernetes operator in the manifests to run it/);
  });
});

describe('spark-rbac-missing for Apache applications', () => {
  const driverRules = (rules: typeof FULL_DRIVER_RULES) => doctor((c) => {
    namespace(c, 'team');
    account(c, 'team', 'spark', rules);
    apacheSparkApp(c, 'App');
  });

  test('the driver account (from the conf) may only read pods', () => {
    const f = of(driverRules([{ resources: ['pods'], verbs: ['get', 'list'] }]), 'spark-rbac-missing');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/the driver runs as ServiceAccount team\/spark: ServiceAccount team\/spark may not create watch delete pods; create get delete configmaps in namespace team.*403 Forbidden.*Fix: set spec\.sparkConf\["spark\.kubernetes\.authenticate\.driver\.serviceAccountName"\] to the drivers' account the ApacheSparkOperator creates/);
  });

  test('a driver that creates no executor pods needs no rights: executors on a standalone cluster, or the History Server', () => {
    const readOnly = [{ resources: ['pods'], verbs: ['get', 'list'] }];
    const app = (sparkConf: Record<string, string | undefined>, mainClass?: string) => of(doctor((c) => {
      namespace(c, 'team');
      account(c, 'team', 'spark', readOnly);
      apacheSparkApp(c, 'App', { spec: { ...(mainClass ? { mainClass } : {}), sparkConf } });
    }), 'spark-rbac-missing');
    expect(app({ 'spark.master': 'spark://analytics-master-svc.team.svc.cluster.local:7077' })).toEqual([]);
    expect(app({}, 'org.apache.spark.deploy.history.HistoryServer')).toEqual([]);
    // near miss: a k8s:// master creates executor pods
    expect(app({ 'spark.master': 'k8s://https://kubernetes.default.svc:443' })).toHaveLength(1);
  });

  test('upstream\'s Spark role is enough; no account in the conf is the namespace\'s default one', () => {
    expect(of(driverRules(FULL_DRIVER_RULES), 'spark-rbac-missing')).toEqual([]);
    const f = of(doctor((c) => {
      namespace(c, 'team');
      apacheSparkApp(c, 'App', { spec: { sparkConf: { 'spark.kubernetes.authenticate.driver.serviceAccountName': undefined } } });
    }), 'spark-rbac-missing');
    expect(f[0].message).toMatch(/ServiceAccount team\/default may not/);
  });

  test('the operator\'s own account must create the driver pod, its Service, ConfigMaps and NetworkPolicy there', () => {
    const build = (operatorRules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>) => doctor((c) => {
      namespace(c, 'team');
      account(c, 'team', 'spark', FULL_DRIVER_RULES);
      apacheOperator(c, { watched: 'team' });
      new ApiObject(c, 'OpSa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'spark-operator', namespace: 'spark-operator' } });
      new ApiObject(c, 'OpRole', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'op', namespace: 'team' }, rules: operatorRules });
      new ApiObject(c, 'OpRb', {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'op', namespace: 'team' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'op' }, subjects: [{ kind: 'ServiceAccount', name: 'spark-operator', namespace: 'spark-operator' }],
      });
      apacheSparkApp(c, 'App');
    });
    const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
    const core = { apiGroups: [''], resources: ['pods', 'services', 'configmaps'], verbs: all };
    const apps = { apiGroups: ['spark.apache.org'], resources: ['sparkapplications'], verbs: all };
    const f = of(build([core, apps]), 'spark-rbac-missing');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/the Apache operator \(Deployment spark-operator\/apacheop\).* runs as ServiceAccount spark-operator\/spark-operator: .* may not create get patch delete networking\.k8s\.io\/networkpolicies in namespace team.*the driver is never created/);
    expect(of(build([core, apps, { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: all }]), 'spark-rbac-missing')).toEqual([]);
  });

  test('the construct\'s operator and drivers\' account pass both rules', () => {
    const r = doctor((c) => {
      const team = new SparkNamespace(c, 'Team', { name: 'team' });
      new ApacheSparkOperator(c, 'Apache', { jobNamespaces: [team] });
      apacheSparkApp(c, 'App');
    });
    expect(of(r, 'spark-rbac-missing')).toEqual([]);
    expect(of(r, 'namespace-not-watched')).toEqual([]);
  });
});

describe('sizes from the conf: pod-exceeds-node, job-exceeds-quota, max-executors-exceed-quota', () => {
  const NODE = { nodes: [{ name: 'small', cpu: '4', memory: '7680Mi' }] };

  test('pod-exceeds-node: 7g of executor heap + 10% overhead is more than the node; 6g fits', () => {
    const f = of(doctor((c) => apacheSparkApp(c, 'App', { spec: { sparkConf: { 'spark.executor.memory': '7g' } } }), NODE), 'pod-exceeds-node');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/the executor pod asks for 1 CPU and 7884Mi memory \(heap 7g \+ overhead 716m\)/);
    expect(of(doctor((c) => apacheSparkApp(c, 'App', { spec: { sparkConf: { 'spark.executor.memory': '6g' } } }), NODE), 'pod-exceeds-node')).toEqual([]);
  });

  test('pod-exceeds-node: a Python driver gets the 0.4 factor', () => {
    const python = (memory: string) => of(doctor((c) => apacheSparkApp(c, 'App', { spec: { jars: undefined, pyFiles: 'local:///a.py', sparkConf: { 'spark.driver.memory': memory } } }), NODE), 'pod-exceeds-node');
    expect(python('6g')[0].message).toMatch(/the driver pod .*heap 6g \+ overhead 2457m/);
    expect(python('5g')).toEqual([]);
  });

  const inQuota = (conf: J) => doctor((c) => {
    quota(c, 'team', { 'requests.cpu': '4', pods: '10' });
    apacheSparkApp(c, 'App', { spec: { sparkConf: conf } });
  });

  test('job-exceeds-quota: the driver and spark.executor.instances executors', () => {
    const f = of(inQuota({ 'spark.executor.instances': '4' }), 'job-exceeds-quota');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/the driver and 4 executors \(1 CPU, 1408Mi each\) need 5 CPU.*requests\.cpu 4 \(needs 5\)/);
    expect(of(inQuota({ 'spark.executor.instances': '3' }), 'job-exceeds-quota')).toEqual([]);
  });

  test('max-executors-exceed-quota: dynamic allocation from the conf', () => {
    const da = (max: string) => inQuota({ 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.shuffleTracking.enabled': 'true', 'spark.dynamicAllocation.maxExecutors': max });
    expect(of(da('9'), 'max-executors-exceed-quota')[0].message).toMatch(/at maxExecutors 9 \(spec\.sparkConf\["spark\.dynamicAllocation\.enabled"\]\)/);
    expect(of(da('3'), 'max-executors-exceed-quota')).toEqual([]);
  });
});

describe('images and Python: image-version-mismatch, pyspark-python-mismatch', () => {
  test('image-version-mismatch: a Spark 4.0 driver with Spark 3.5 executors; one image passes', () => {
    const images = (executor: string) => doctor((c) => apacheSparkApp(c, 'App', { spec: { sparkConf: { 'spark.kubernetes.driver.container.image': SPARK_40, 'spark.kubernetes.executor.container.image': executor } } }));
    const f = of(images(SPARK_35), 'image-version-mismatch');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/Spark 4\.0\.3 in .* vs 3\.5\.8 in/);
    expect(of(images(SPARK_40), 'image-version-mismatch')).toEqual([]);
  });

  const PY: J = { jars: undefined, mainClass: 'org.apache.spark.deploy.PythonRunner', pyFiles: 'local:///app/main.py' };

  test('pyspark-python-mismatch: the driver\'s interpreter differs from the executors\' PYSPARK_PYTHON (template env)', () => {
    const build = (executorPython: string) => doctor((c) => apacheSparkApp(c, 'App', {
      spec: {
        ...PY,
        sparkConf: { 'spark.pyspark.driver.python': '/opt/venv/bin/python' },
        executorSpec: { podTemplateSpec: { spec: { containers: [{ name: 'spark-kubernetes-executor', env: [{ name: 'PYSPARK_PYTHON', value: executorPython }] }] } } },
      },
    }));
    const f = of(build('/usr/bin/python3'), 'pyspark-python-mismatch');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/PYSPARK_PYTHON "\/usr\/bin\/python3" \(spec\.executorSpec\.podTemplateSpec\.spec\.containers\[0\]\.env\[0\] PYSPARK_PYTHON\) while the driver runs "\/opt\/venv\/bin\/python"/);
    expect(of(doctor((c) => apacheSparkApp(c, 'App', { spec: { ...PY, sparkConf: { 'spark.pyspark.python': '/opt/venv/bin/python' } } })), 'pyspark-python-mismatch')).toEqual([]);
  });

  test('pyspark-python-mismatch is quiet for a Java application', () => {
    expect(of(doctor((c) => apacheSparkApp(c, 'App', { spec: { sparkConf: { 'spark.pyspark.driver.python': '/a', 'spark.pyspark.python': '/b' } } })), 'pyspark-python-mismatch')).toEqual([]);
  });
});

describe('s3a: s3a-not-wired, hadoop-aws-mismatch, s3-scheme-not-s3a', () => {
  const WIRED = {
    'spark.hadoop.fs.s3a.endpoint': 'http://minio.storage.svc:9000',
    'spark.hadoop.fs.s3a.aws.credentials.provider': 'software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider',
    'spark.jars.packages': 'org.apache.hadoop:hadoop-aws:3.4.1',
  };
  const KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((k) => ({ name: k, valueFrom: { secretKeyRef: { name: 's3', key: k } } }));
  const withKeys = (role: string) => ({ podTemplateSpec: { spec: { containers: [{ name: `spark-kubernetes-${role}`, env: KEYS }] } } });
  const s3 = (spec: J) => doctor((c) => apacheSparkApp(c, 'App', { spec: { driverArgs: ['s3a://data/in'], ...spec } }));

  test('s3a-not-wired: an s3a:// driver argument without s3a conf', () => {
    const f = of(s3({}), 's3a-not-wired');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/spec\.driverArgs\[0\]: "s3a:\/\/data\/in" is an s3a:\/\/ path, but the application has no s3a wiring/);
  });

  test('s3a-not-wired: the environment provider, keys only in the driver template; both pass', () => {
    const f = of(s3({ sparkConf: WIRED, driverSpec: withKeys('driver') }), 's3a-not-wired');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/the executor pod has no AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY/);
    expect(of(s3({ sparkConf: WIRED, driverSpec: withKeys('driver'), executorSpec: withKeys('executor') }), 's3a-not-wired')).toEqual([]);
    const conf = { ...WIRED, 'spark.kubernetes.driverEnv.AWS_ACCESS_KEY_ID': 'x', 'spark.kubernetes.driverEnv.AWS_SECRET_ACCESS_KEY': 'y', 'spark.executorEnv.AWS_ACCESS_KEY_ID': 'x', 'spark.executorEnv.AWS_SECRET_ACCESS_KEY': 'y' };
    expect(of(s3({ sparkConf: conf }), 's3a-not-wired')).toEqual([]);
  });

  test('hadoop-aws-mismatch: hadoop-aws 3.3.4 with Spark 4.0; 3.4.1 matches', () => {
    const f = of(s3({ sparkConf: { ...WIRED, 'spark.jars.packages': 'org.apache.hadoop:hadoop-aws:3.3.4' } }), 'hadoop-aws-mismatch');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/package org\.apache\.hadoop:hadoop-aws:3\.3\.4: hadoop-aws 3\.3\.4 does not match Spark 4\.0\.3/);
    expect(of(s3({ sparkConf: WIRED }), 'hadoop-aws-mismatch')).toEqual([]);
  });

  test('hadoop-aws-mismatch: none at all on the official image (pyFiles on s3a)', () => {
    const f = of(doctor((c) => apacheSparkApp(c, 'App', { spec: { jars: undefined, pyFiles: 's3a://code/main.py', sparkConf: { 'spark.hadoop.fs.s3a.endpoint': 'http://minio:9000' } } })), 'hadoop-aws-mismatch');
    expect(f[0].message).toMatch(/spec\.pyFiles \(entry 0\) reads s3a:\/\/, but no hadoop-aws is on the classpath/);
  });

  test('s3-scheme-not-s3a: an event log on s3://; s3a:// passes', () => {
    const f = of(doctor((c) => apacheSparkApp(c, 'App', { spec: { sparkConf: { 'spark.eventLog.dir': 's3://logs/' } } })), 's3-scheme-not-s3a');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/spec\.sparkConf\["spark\.eventLog\.dir"\]: "s3:\/\/logs\/"/);
    expect(of(doctor((c) => apacheSparkApp(c, 'App', { spec: { sparkConf: { ...WIRED, 'spark.eventLog.dir': 's3a://logs/' } } })), 's3-scheme-not-s3a')).toEqual([]);
  });
});

describe('pod templates and lifecycle: unconfined-pod, tolerates-everything, no-ttl', () => {
  const template = (role: 'driver' | 'executor', podTemplateSpec: J) => doctor((c) => apacheSparkApp(c, 'App', { spec: { [`${role}Spec`]: { podTemplateSpec } } }));

  test('unconfined-pod: an Unconfined annotation in the podTemplateSpec metadata; RuntimeDefault passes', () => {
    const f = of(template('executor', { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/spark-kubernetes-executor': 'unconfined' } }, spec: {} }), 'unconfined-pod');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/spec\.executorSpec\.podTemplateSpec\.metadata\.annotations annotation container\.apparmor/);
    expect(of(template('driver', { spec: { securityContext: { seccompProfile: { type: 'Unconfined' } } } }), 'unconfined-pod')[0].message).toMatch(/spec\.driverSpec\.podTemplateSpec\.securityContext\.seccompProfile\.type: Unconfined/);
    expect(of(template('driver', { spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } } }), 'unconfined-pod')).toEqual([]);
  });

  test('tolerates-everything: a keyless Exists toleration in a template; a named one passes', () => {
    const f = of(template('executor', { spec: { tolerations: [{ operator: 'Exists' }] } }), 'tolerates-everything');
    expect(f[0].message).toMatch(/spec\.executorSpec\.podTemplateSpec\.spec\.tolerations\[0\]/);
    expect(of(template('executor', { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] } }), 'tolerates-everything')).toEqual([]);
  });

  test('no-ttl: without ttlAfterStopMillis (or negative) the object stays; 0 or more passes', () => {
    const ttl = (tolerations: J) => of(doctor((c) => apacheSparkApp(c, 'App', { spec: { applicationTolerations: tolerations } })), 'no-ttl');
    expect(ttl({})[0]).toMatchObject({ severity: 'warning' });
    expect(ttl({})[0].message).toMatch(/spec\.applicationTolerations\.ttlAfterStopMillis is not set \(or negative\).*Fix: set it, in milliseconds/);
    expect(ttl({ ttlAfterStopMillis: -1 })).toHaveLength(1);
    expect(ttl({ ttlAfterStopMillis: 0 })).toEqual([]);
  });

  test('no-ttl: an application restarted after every stop (restartConfig Always: a server) needs none', () => {
    const ttl = (tolerations: J) => of(doctor((c) => apacheSparkApp(c, 'App', { spec: { applicationTolerations: tolerations } })), 'no-ttl');
    expect(ttl({ restartConfig: { restartPolicy: 'Always' } })).toEqual([]);
    expect(ttl({ restartConfig: { restartPolicy: 'OnFailure' } })).toHaveLength(1);
  });
});

test('a complete Apache application on the construct\'s operator: no error at all', () => {
  const r = doctor((c) => {
    const team = new SparkNamespace(c, 'Team', { name: 'team' });
    new ApacheSparkOperator(c, 'Apache', { jobNamespaces: [team] });
    apacheSparkApp(c, 'App');
  }, { nodes: [{ name: 'node', cpu: '4', memory: '8Gi' }] });
  expect(r.errors.map((e) => `${e.rule}: ${e.message}`)).toEqual([]);
});
