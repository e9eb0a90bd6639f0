import { execFileSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import { parse, parseAllDocuments } from 'yaml';
import {
  crdManifestFiles,
  scheduledSparkApplicationCrd,
  sparkApplicationCrd,
  sparkConnectCrd,
  SparkOperatorCrds,
} from '../../constructs/operator/crds';
import { EMBEDDED_KUBERNETES_TYPES_ANNOTATION, formatIssues, ManifestIssue, ManifestValidator } from '../../constructs/validation';
import { synth, testChart } from '../helpers/manifests';
import { allPaths, children, joinPath, structuralProblems } from '../helpers/crd-tree';
import { describeWithShared } from '../helpers/shared';

type Json = Record<string, any>;

const ROOT = path.resolve(__dirname, '..', '..');
const CRD_DIR = path.join(ROOT, 'constructs', 'operator', 'crds');
const IMPORTS_DIR = path.join(ROOT, 'imports');

/** The CRDs as the API server receives them (wire form). */
const ours: Json[] = [sparkApplicationCrd(), scheduledSparkApplicationCrd(), sparkConnectCrd()].map((props) => k8s.KubeCustomResourceDefinition.manifest(props) as Json);
const [ourApp, ourScheduled, ourConnect] = ours as [Json, Json, Json];

function schemaOf(crd: Json): Json {
  return crd.spec.versions[0].schema.openAPIV3Schema;
}

function embeddedOf(crd: Json): Record<string, string> {
  return JSON.parse(crd.metadata.annotations[EMBEDDED_KUBERNETES_TYPES_ANNOTATION]) as Record<string, string>;
}

/** "path: message" of every issue, compact for assertions. */
function found(issues: readonly ManifestIssue[]): string[] {
  return issues.map((i) => `${i.path}: ${i.message}`);
}

describe('SparkApplication, ScheduledSparkApplication and SparkConnect CRDs', () => {
  test.each(ours.map((crd) => [crd.spec.names.kind, crd]))('%s is a valid apiextensions.k8s.io/v1 object, structural, small', (_kind, crd) => {
    expect(formatIssues(new ManifestValidator().validate(crd))).toBe('');
    expect(structuralProblems(schemaOf(crd), '')).toEqual([]);
    const size = Buffer.byteLength(crdManifestFiles().find((f) => f.file.endsWith(`_${crd.spec.names.plural}.yaml`))!.text);
    expect(size).toBeLessThan(256 * 1024); // the API server's limit for the annotations of client-side apply
    expect(size).toBeLessThan(60 * 1024); // what we aim for: a fraction of upstream's 0.8 MB
  });

  test('names, scope, version, status subresource, printer columns, api-approved annotation', () => {
    expect(ourApp.metadata.name).toBe('sparkapplications.sparkoperator.k8s.io');
    expect(ourApp.spec).toMatchObject({
      group: 'sparkoperator.k8s.io',
      scope: 'Namespaced',
      names: { kind: 'SparkApplication', plural: 'sparkapplications', shortNames: ['sparkapp'], listKind: 'SparkApplicationList', singular: 'sparkapplication' },
    });
    expect(ourScheduled.spec.names).toMatchObject({ kind: 'ScheduledSparkApplication', plural: 'scheduledsparkapplications', shortNames: ['scheduledsparkapp'] });
    expect(ourConnect.metadata.name).toBe('sparkconnects.sparkoperator.k8s.io');
    expect(ourConnect.spec).toMatchObject({
      group: 'sparkoperator.k8s.io',
      scope: 'Namespaced',
      names: { kind: 'SparkConnect', plural: 'sparkconnects', shortNames: ['sparkconn'], listKind: 'SparkConnectList', singular: 'sparkconnect' },
    });
    const versions: Record<string, string> = { SparkApplication: 'v1beta2', ScheduledSparkApplication: 'v1beta2', SparkConnect: 'v1alpha1' };
    expect(ours.map((crd) => crd.spec.names.kind).sort()).toEqual(Object.keys(versions).sort());
    for (const crd of ours) {
      expect(crd.spec.scope).toBe('Namespaced');
      expect(crd.spec.versions).toHaveLength(1);
      expect(crd.spec.versions[0]).toMatchObject({ name: versions[crd.spec.names.kind], served: true, storage: true, subresources: { status: {} } });
      expect(crd.metadata.annotations['api-approved.kubernetes.io']).toBe('https://github.com/kubeflow/spark-operator/pull/1298');
      expect(crd.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'spark-platform', 'app.kubernetes.io/managed-by': 'spark-platform' });
    }
    const columns = (crd: Json) => crd.spec.versions[0].additionalPrinterColumns.map((c: Json) => `${c.name} ${c.type} ${c.jsonPath}`);
    expect(columns(ourApp)).toEqual([
      'Suspend boolean .spec.suspend',
      'Status string .status.applicationState.state',
      'Attempts integer .status.executionAttempts',
      'Start string .status.lastSubmissionAttemptTime',
      'Finish string .status.terminationTime',
      'Age date .metadata.creationTimestamp',
    ]);
    expect(columns(ourScheduled)).toEqual([
      'Schedule string .spec.schedule',
      'TimeZone string .spec.timeZone',
      'Suspend boolean .spec.suspend',
      'Last Run date .status.lastRun',
      'Last Run Name string .status.lastRunName',
      'Age date .metadata.creationTimestamp',
    ]);
    expect(columns(ourConnect)).toEqual([
      'Age date .metadata.creationTimestamp',
      'Status string .status.state',
      'PodName string .status.server.podName',
    ]);
  });

  test('the embedded-types annotation lists exactly the open nodes, with their Kubernetes definitions', () => {
    for (const crd of ours) {
      const open = allPaths(schemaOf(crd)).filter(([, , node]) => node['x-kubernetes-preserve-unknown-fields'] === true).map(([p]) => p);
      expect(Object.keys(embeddedOf(crd)).sort()).toEqual(open.sort());
    }
    expect(embeddedOf(ourApp)).toMatchObject({
      'spec.volumes[]': 'io.k8s.api.core.v1.Volume',
      'spec.driver.tolerations[]': 'io.k8s.api.core.v1.Toleration',
      'spec.driver.template': 'io.k8s.api.core.v1.PodTemplateSpec',
      'spec.executor.template': 'io.k8s.api.core.v1.PodTemplateSpec',
      'spec.sparkUIOptions.ingressTLS[]': 'io.k8s.api.networking.v1.IngressTLS',
      'spec.driverIngressOptions[].ingressTLS[]': 'io.k8s.api.networking.v1.IngressTLS',
    });
    // the ScheduledSparkApplication template is the SparkApplication spec, one level down
    const app = Object.entries(embeddedOf(ourApp)).map(([p, d]) => [p.replace(/^spec\./, 'spec.template.'), d]);
    expect(Object.entries(embeddedOf(ourScheduled)).sort()).toEqual(app.sort());
    expect(embeddedOf(ourConnect)).toEqual({
      'spec.executor.template': 'io.k8s.api.core.v1.PodTemplateSpec',
      'spec.server.service': 'io.k8s.api.core.v1.Service',
      'spec.server.template': 'io.k8s.api.core.v1.PodTemplateSpec',
    });
  });

  test('SparkOperatorCrds emits the three CRDs as the committed files hold them', () => {
    const chart = testChart();
    const crds = new SparkOperatorCrds(chart, 'Crds');
    const objects = synth(chart);
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'CustomResourceDefinition sparkapplications.sparkoperator.k8s.io',
      'CustomResourceDefinition scheduledsparkapplications.sparkoperator.k8s.io',
      'CustomResourceDefinition sparkconnects.sparkoperator.k8s.io',
    ]);
    expect(objects).toEqual(ours);
    expect(crds.sparkApplication.name).toBe('sparkapplications.sparkoperator.k8s.io');
    expect(crds.scheduledSparkApplication.kind).toBe('CustomResourceDefinition');
    expect(crds.sparkConnect.name).toBe('sparkconnects.sparkoperator.k8s.io');
    expect(crds.sparkConnect.node.id).toBe('SparkConnect');
  });

  test('SparkOperatorCrds adds extra labels, never replacing the platform labels', () => {
    const chart = testChart();
    new SparkOperatorCrds(chart, 'Crds', { labels: { team: 'data', 'app.kubernetes.io/part-of': 'other' } });
    const crds = synth(chart);
    expect(crds).toHaveLength(3);
    for (const crd of crds) {
      expect(crd.metadata.labels).toEqual({ team: 'data', 'app.kubernetes.io/part-of': 'spark-platform', 'app.kubernetes.io/managed-by': 'spark-platform' });
    }
  });
});

describe('committed files are up to date', () => {
  test('constructs/operator/crds/*.yaml equal the CRDs rendered now, byte for byte', () => {
    const expected = crdManifestFiles();
    expect(expected.map(({ file }) => file)).toEqual([
      'sparkoperator.k8s.io_sparkapplications.yaml',
      'sparkoperator.k8s.io_scheduledsparkapplications.yaml',
      'sparkoperator.k8s.io_sparkconnects.yaml',
    ]);
    const committed = readdirSync(CRD_DIR).sort();
    const stale = [
      ...expected.filter(({ file, text }) => !committed.includes(file) || readFileSync(path.join(CRD_DIR, file), 'utf8') !== text).map(({ file }) => `${file} is missing or stale: run npm run crds`),
      ...committed.filter((file) => !expected.some((e) => e.file === file)).map((file) => `${file} is not a CRD of the project: delete it and run npm run crds`),
    ];
    expect(stale).toEqual([]);
  });

  test('the committed YAML parses back to the CRDs', () => {
    for (const { file } of crdManifestFiles()) {
      const docs = parseAllDocuments(readFileSync(path.join(CRD_DIR, file), 'utf8')).map((d) => d.toJS());
      expect(docs).toEqual([ours.find((crd) => file.endsWith(`_${crd.spec.names.plural}.yaml`))]);
    }
  });

  test('imports/ equals what cdk8s import generates from them (offline, from cdk8s.yaml)', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'cdk8s-import-'));
    try {
      // --no-save: otherwise cdk8s rewrites cdk8s.yaml (and drops its comments) for a spec it does not list
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/cdk8s-cli/bin/cdk8s'), 'import', '--no-save', '--output', out], {
        cwd: ROOT,
        env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
        stdio: 'pipe',
        timeout: 60_000,
      });
      const generated = readdirSync(out).sort();
      expect(readdirSync(IMPORTS_DIR).sort()).toEqual(generated);
      const stale = generated.filter((file) => readFileSync(path.join(out, file), 'utf8') !== readFileSync(path.join(IMPORTS_DIR, file), 'utf8'));
      expect(stale.map((file) => `imports/${file} is stale: run npm run crds`)).toEqual([]);
      expect(generated).toEqual([
        'scheduledsparkapplications-sparkoperator.k8s.io.ts',
        'sparkapplications-sparkoperator.k8s.io.ts',
        'sparkconnects-sparkoperator.k8s.io.ts',
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('validation of SparkApplications against our CRDs', () => {
  const validator = new ManifestValidator({ crds: ours });

  function app(spec: Json = {}): Json {
    return {
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'SparkApplication',
      metadata: { name: 'pi', namespace: 'spark-jobs' },
      spec: {
        type: 'Scala',
        sparkVersion: '4.0.1',
        mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
        driver: { cores: 1, memory: '512m' },
        executor: { instances: 2, cores: 1, memory: '512m' },
        ...spec,
      },
    };
  }

  test('a SparkApplication using embedded Kubernetes types correctly passes', () => {
    expect(found(validator.validate(app({
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
      driver: {
        cores: 1,
        tolerations: [{ key: 'spark', operator: 'Exists', effect: 'NoSchedule' }],
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'spark-kubernetes-driver', image: 'apache/spark:4.0.1' }] } },
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true },
      },
      sparkUIOptions: { ingressTLS: [{ hosts: ['ui.example.com'], secretName: 'tls' }] },
      batchSchedulerOptions: { resources: { cpu: '2', memory: '4Gi' } },
    })))).toEqual([]);
  });

  test('Spark fields: misspelled, below minimum, outside the enum', () => {
    const bad = app({ type: 'Scalaa' });
    bad.spec.driver = { coress: 1, cores: 0 };
    bad.spec.executor.instances = 0;
    bad.spec.restartPolicy = { type: 'Sometimes' };
    expect(found(validator.validate(bad))).toEqual([
      '/spec/type: must be equal to one of the allowed values: "Java", "Python", "Scala", "R"',
      '/spec/driver/coress: unknown field "coress"',
      '/spec/driver/cores: must be >= 1',
      '/spec/executor/instances: must be >= 1',
      '/spec/restartPolicy/type: must be equal to one of the allowed values: "Never", "Always", "OnFailure"',
    ]);
  });

  test('embedded Kubernetes objects are checked against the Kubernetes schemas, at their full path', () => {
    const bad = app({ volumes: [{ name: 'tmp', emptyDir: { sizeLimit: {} } }] });
    bad.spec.driver.tolerations = [{ key: 'spark', operator: 'Exists', efect: 'NoSchedule' }];
    bad.spec.driver.template = { spec: { containers: [{ name: 'spark-kubernetes-driver', imag: 'apache/spark:4.0.1' }] } };
    bad.spec.executor.env = [{ name: 'A', value: 1 }];
    expect(found(validator.validate(bad))).toEqual([
      '/spec/driver/template/spec/containers/0/imag: unknown field "imag"',
      '/spec/driver/tolerations/0/efect: unknown field "efect"',
      '/spec/executor/env/0/value: must be string',
      '/spec/volumes/0/emptyDir/sizeLimit: must be number or string',
    ]);
  });

  test('a ScheduledSparkApplication: its template is checked like a SparkApplication spec', () => {
    const scheduled = {
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'ScheduledSparkApplication',
      metadata: { name: 'nightly', namespace: 'spark-jobs' },
      spec: { schedule: '@every 24h', concurrencyPolicy: 'Forbid', template: app().spec },
    };
    expect(found(validator.validate(scheduled))).toEqual([]);
    scheduled.spec.concurrencyPolicy = 'Sometimes';
    scheduled.spec.template.driver.tolerations = [{ efect: 'NoSchedule' }];
    expect(found(validator.validate(scheduled))).toEqual([
      '/spec/concurrencyPolicy: must be equal to one of the allowed values: "Allow", "Forbid", "Replace"',
      '/spec/template/driver/tolerations/0/efect: unknown field "efect"',
    ]);
  });
});

describe('validation of SparkConnects against our CRDs', () => {
  const validator = new ManifestValidator({ crds: ours });

  /** The least a SparkConnect needs: the required fields of its spec, nothing else. */
  function connect(): Json {
    return {
      apiVersion: 'sparkoperator.k8s.io/v1alpha1',
      kind: 'SparkConnect',
      metadata: { name: 'connect', namespace: 'spark-jobs' },
      spec: { sparkVersion: '4.0.1', server: {}, executor: {} },
    };
  }

  test('a minimal SparkConnect passes; the same with one misspelled field does not', () => {
    expect(found(validator.validate(connect()))).toEqual([]);
    const misspelled = connect();
    misspelled.spec.executor = { instnaces: 2 };
    expect(found(validator.validate(misspelled))).toEqual(['/spec/executor/instnaces: unknown field "instnaces"']);
  });

  test('a SparkConnect with sizing, Spark properties, pod templates and a Service passes', () => {
    const full = connect();
    full.spec = {
      ...full.spec,
      image: 'apache/spark:4.0.1',
      sparkConf: { 'spark.sql.shuffle.partitions': '8' },
      server: {
        cores: 1,
        memory: '1g',
        template: { spec: { containers: [{ name: 'spark-kubernetes-driver', image: 'apache/spark:4.0.1' }] } },
        service: { spec: { type: 'ClusterIP', ports: [{ name: 'connect', port: 15002 }] } },
      },
      executor: { instances: 0, cores: 1, memory: '1g' },
      dynamicAllocation: { enabled: true, minExecutors: 0, maxExecutors: 4 },
    };
    expect(found(validator.validate(full))).toEqual([]);
  });

  test('a misspelled field, a missing required field and misspelled embedded fields are rejected', () => {
    const bad = connect();
    bad.spec.sparkVersoin = bad.spec.sparkVersion;
    delete bad.spec.sparkVersion;
    bad.spec.executor = { instances: -1, cores: 0 };
    bad.spec.server = { servcie: {}, service: { spec: { typ: 'ClusterIP' } } };
    expect(found(validator.validate(bad))).toEqual([
      '/spec/sparkVersion: required field "sparkVersion" is missing',
      '/spec/sparkVersoin: unknown field "sparkVersoin"',
      '/spec/server/servcie: unknown field "servcie"',
      '/spec/executor/cores: must be >= 1',
      '/spec/executor/instances: must be >= 0',
      '/spec/server/service/spec/typ: unknown field "typ"',
    ]);
  });
});

describeWithShared('conformance with the upstream spark-operator v2.5.2 CRDs', (shared) => {
  const upstreamDir = path.join(shared, 'upstream', 'kubeflow-spark-operator-v2.5.2');
  const upstream = (plural: string): Json => parse(readFileSync(path.join(upstreamDir, 'crds', `sparkoperator.k8s.io_${plural}.yaml`), 'utf8')) as Json;
  const pairs: [string, Json, Json][] = [
    ['SparkApplication', upstream('sparkapplications'), ourApp],
    ['ScheduledSparkApplication', upstream('scheduledsparkapplications'), ourScheduled],
    ['SparkConnect', upstream('sparkconnects'), ourConnect],
  ];

  /** Keywords compared on every Spark-specific node (one that is neither an embedded Kubernetes object nor inside one). */
  const COMPARED = ['type', 'format', 'minimum', 'maximum', 'nullable', 'x-kubernetes-int-or-string', 'pattern', 'minLength', 'maxLength', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys'] as const;
  /** Deliberate differences, each explained in spark-application-schema.ts. */
  const DIFFERENCES: Readonly<Record<string, readonly string[]>> = {
    // upstream's pattern is unanchored and double-escaped; ours is an anchored DNS-1123 subdomain
    'spec.driver.podName': ['pattern'],
    'spec.template.driver.podName': ['pattern'],
    // upstream declares a plain string; ours allows the three values the operator understands
    'spec.concurrencyPolicy': ['enum'],
  };

  /** Why an upstream path is accepted by ours, or why not. */
  function accept(ourRoot: Json, embedded: Record<string, string>, tokens: readonly string[], upstreamNode: Json): string[] {
    let node = ourRoot;
    let at = '';
    for (const token of tokens) {
      if (node['x-kubernetes-preserve-unknown-fields'] === true) {
        return embedded[at] ? [] : [`${at} is open but not an embedded Kubernetes type`];
      }
      const next = children(node).find(([t]) => t === token)?.[1];
      if (next === undefined) return [`${joinPath(at, token)} is not declared`];
      node = next;
      at = joinPath(at, token);
    }
    if (embedded[at]) return node.type === upstreamNode.type ? [] : [`${at}: type ${node.type}, upstream ${upstreamNode.type}`];
    const differs = DIFFERENCES[at] ?? [];
    const problems: string[] = [];
    for (const keyword of COMPARED) {
      if (!differs.includes(keyword) && JSON.stringify(node[keyword]) !== JSON.stringify(upstreamNode[keyword])) {
        problems.push(`${at}: ${keyword} ${JSON.stringify(node[keyword])}, upstream ${JSON.stringify(upstreamNode[keyword])}`);
      }
    }
    const asSet = (v: unknown) => JSON.stringify(Array.isArray(v) ? [...v].sort() : v);
    for (const keyword of ['enum', 'required']) {
      if (!differs.includes(keyword) && asSet(node[keyword]) !== asSet(upstreamNode[keyword])) {
        problems.push(`${at}: ${keyword} ${JSON.stringify(node[keyword])}, upstream ${JSON.stringify(upstreamNode[keyword])}`);
      }
    }
    return problems;
  }

  test.each(pairs)('every property path of upstream %s is accepted by ours, with the same types, enums, bounds and required lists', (_kind, theirs, mine) => {
    const paths = allPaths(schemaOf(theirs));
    // the whole tree, embedded Kubernetes types included (SparkConnect expands only its Service)
    expect(paths.length).toBeGreaterThan(_kind === 'SparkConnect' ? 100 : 1000);
    const problems = [
      ...accept(schemaOf(mine), embeddedOf(mine), [], schemaOf(theirs)),
      ...paths.flatMap(([, tokens, node]) => accept(schemaOf(mine), embeddedOf(mine), tokens, node)),
    ];
    expect(problems).toEqual([]);
  });

  test('each deliberate difference still is one', () => {
    const nodeAt = (root: Json, at: string): Json | undefined => (at.match(/[^.[\]{}]+|\[\]|\{\}/g) ?? [])
      .reduce<Json | undefined>((node, token) => (node ? children(node).find(([t]) => t === token)?.[1] : undefined), root);
    const stale = Object.entries(DIFFERENCES).flatMap(([at, keywords]) => {
      const pair = pairs.find(([, theirs, mine]) => nodeAt(schemaOf(theirs), at) && nodeAt(schemaOf(mine), at));
      if (!pair) return [`${at} is in neither CRD`];
      const [theirs, mine] = [nodeAt(schemaOf(pair[1]), at)!, nodeAt(schemaOf(pair[2]), at)!];
      return keywords.filter((k) => JSON.stringify(mine[k]) === JSON.stringify(theirs[k])).map((k) => `${at} ${k} no longer differs`);
    });
    expect(stale).toEqual([]);
  });

  test.each(pairs)('ours declares no field upstream %s lacks', (_kind, theirs, mine) => {
    const upstreamPaths = new Set(allPaths(schemaOf(theirs)).map(([p]) => p));
    expect(allPaths(schemaOf(mine)).map(([p]) => p).filter((p) => !upstreamPaths.has(p))).toEqual([]);
  });

  test.each(pairs)('%s: names, scope, subresources, printer column paths and the api-approved annotation match upstream', (_kind, theirs, mine) => {
    expect(mine.metadata.name).toBe(theirs.metadata.name);
    expect(mine.spec.names).toEqual(theirs.spec.names);
    expect(mine.spec.scope).toBe(theirs.spec.scope);
    const version = (crd: Json) => ({ name: crd.spec.versions[0].name, served: crd.spec.versions[0].served, storage: crd.spec.versions[0].storage, subresources: crd.spec.versions[0].subresources });
    expect(version(mine)).toEqual(version(theirs));
    const columns = (crd: Json) => crd.spec.versions[0].additionalPrinterColumns.map((c: Json) => `${c.name} ${c.jsonPath}`);
    expect(columns(mine)).toEqual(columns(theirs));
    expect(mine.metadata.annotations['api-approved.kubernetes.io']).toBe(theirs.metadata.annotations['api-approved.kubernetes.io']);
  });

  describe('upstream examples', () => {
    const validator = new ManifestValidator({ crds: ours });
    const files = readdirSync(path.join(upstreamDir, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
    /** spark-pi-prometheus.yaml is a template (`image: {IMAGE_REGISTRY}/...`): fill its placeholders as a user would. */
    const readExample = (file: string): Json[] => {
      const text = readFileSync(path.join(upstreamDir, 'examples', file), 'utf8').replace(/\{[A-Z_]+\}/g, 'placeholder');
      return parseAllDocuments(text).map((d) => d.toJS() as Json).filter((o) => o !== null);
    };

    test.each(files)('examples/%s validates against our CRDs', (file) => {
      const objects = readExample(file);
      expect(objects.length).toBeGreaterThan(0);
      expect(formatIssues(validator.validateAll(objects))).toBe('');
    });

    test('a mutated example is rejected: misspelled field, cores 0, unknown type, misspelled toleration field', () => {
      const [example] = readExample('spark-pi.yaml') as [Json];
      example.spec.driver.coress = example.spec.driver.cores;
      example.spec.executor.cores = 0;
      example.spec.type = 'Scalaa';
      example.spec.driver.tolerations = [{ key: 'k', operator: 'Exists', efect: 'NoSchedule' }];
      expect(found(validator.validate(example))).toEqual([
        '/spec/type: must be equal to one of the allowed values: "Java", "Python", "Scala", "R"',
        '/spec/driver/coress: unknown field "coress"',
        '/spec/executor/cores: must be >= 1',
        '/spec/driver/tolerations/0/efect: unknown field "efect"',
      ]);
    });
  });
});
