import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import { parse, parseAllDocuments } from 'yaml';
import {
  APACHE_SPARK_OPERATOR_API_VERSION,
  APACHE_SPARK_OPERATOR_GROUP,
  APACHE_SPARK_OPERATOR_VERSIONS,
  apacheCrdManifestFiles,
  apacheSparkApplicationCrd,
  apacheSparkClusterCrd,
  ApacheSparkOperatorCrds,
} from '../../constructs/apache-operator';
import * as library from '../../constructs';
import { SparkPlatformError } from '../../constructs/errors';
import { EMBEDDED_KUBERNETES_TYPES_ANNOTATION, formatIssues, ManifestIssue, ManifestValidator } from '../../constructs/validation';
import { PARTIAL_KUBERNETES_TYPES_ANNOTATION } from '../../constructs/validation/embedded-types';
import { knowsDefinition, unknownDefinitionFields } from '../../constructs/validation/known-fields';
import { SPARK_LINES } from '../../constructs/versions';
import { allPaths, children, joinPath, nodeAt, structuralProblems } from '../helpers/crd-tree';
import { synth, testChart } from '../helpers/manifests';
import { describeWithShared } from '../helpers/shared';

type Json = Record<string, any>;

const ROOT = path.resolve(__dirname, '..', '..');
const CRD_DIR = path.join(ROOT, 'constructs', 'apache-operator', 'crds');

/** The CRDs as the API server receives them (wire form). */
const ours: Json[] = [apacheSparkApplicationCrd(), apacheSparkClusterCrd()].map((props) => k8s.KubeCustomResourceDefinition.manifest(props) as Json);
const [ourApp, ourCluster] = ours as [Json, Json];

function schemaOf(crd: Json, version: string = APACHE_SPARK_OPERATOR_API_VERSION): Json {
  return crd.spec.versions.find((v: Json) => v.name === version).schema.openAPIV3Schema;
}

function embeddedOf(crd: Json): Record<string, string> {
  return JSON.parse(crd.metadata.annotations[EMBEDDED_KUBERNETES_TYPES_ANNOTATION]) as Record<string, string>;
}

function partialOf(crd: Json): string[] {
  return JSON.parse(crd.metadata.annotations[PARTIAL_KUBERNETES_TYPES_ANNOTATION]) as string[];
}

/** "path: message" of every issue, compact for assertions. */
function found(issues: readonly ManifestIssue[]): string[] {
  return issues.map((i) => `${i.path}: ${i.message}`);
}

/**
 * Open nodes holding Gateway API objects (HTTPRouteSpec, GRPCRouteSpec): not Kubernetes API
 * definitions, so not in the embedded-types annotation and not checked offline (see
 * gatewayApiObject in constructs/apache-operator/common-schema.ts).
 */
const GATEWAY_API_NODES: Readonly<Record<string, string>> = {
  'spec.driverGrpcRouteList[].grpcRouteSpec': 'GRPCRouteSpec',
  'spec.driverHttpRouteList[].httpRouteSpec': 'HTTPRouteSpec',
};

/** Fields v1 adds to v1beta1 (everything else is the same, but for one more application state). */
const V1_ADDITIONS: Readonly<Record<string, readonly string[]>> = {
  SparkApplication: [
    'spec.applicationTolerations.resourceRetainDurationMillis',
    'spec.applicationTolerations.restartConfig.maxRestartOnFailure',
    'spec.applicationTolerations.restartConfig.maxRestartOnSchedulingFailure',
    'spec.applicationTolerations.restartConfig.restartBackoffMillisForFailure',
    'spec.applicationTolerations.restartConfig.restartBackoffMillisForSchedulingFailure',
    'spec.applicationTolerations.restartConfig.restartCounterResetMillis',
    'spec.applicationTolerations.ttlAfterStopMillis',
    'spec.driverGrpcRouteList',
    'spec.driverHttpRouteList',
    ...['currentAttemptSummary', 'previousAttemptSummary'].flatMap((attempt) => ['failureRestartCounter', 'restartCounter', 'schedulingFailureRestartCounter']
      .map((counter) => `status.${attempt}.attemptInfo.${counter}`)),
  ],
  SparkCluster: [
    'status.currentAttemptSummary.attemptInfo.restartCounter',
    'status.previousAttemptSummary.attemptInfo.restartCounter',
  ],
};

describe('SparkApplication and SparkCluster CRDs of spark.apache.org', () => {
  test.each(ours.map((crd) => [crd.spec.names.kind, crd]))('%s is a valid apiextensions.k8s.io/v1 object, structural, small enough for client-side apply', (_kind, crd) => {
    expect(formatIssues(new ManifestValidator().validate(crd))).toBe('');
    for (const version of APACHE_SPARK_OPERATOR_VERSIONS) expect(structuralProblems(schemaOf(crd, version), version)).toEqual([]);
    // client-side apply copies the whole object, as JSON, into the last-applied-configuration annotation
    const json = Buffer.byteLength(JSON.stringify(crd));
    expect(json).toBeLessThan(262_144);
    expect(json).toBeLessThan(64 * 1024); // what we aim for: a fraction of upstream's 1 MB
  });

  test('names, scope, versions, status subresource, printer columns, labels', () => {
    expect(ourApp.metadata.name).toBe('sparkapplications.spark.apache.org');
    expect(ourCluster.metadata.name).toBe('sparkclusters.spark.apache.org');
    expect(ourApp.spec.names).toEqual({ kind: 'SparkApplication', listKind: 'SparkApplicationList', plural: 'sparkapplications', singular: 'sparkapplication', shortNames: ['sparkapp'] });
    expect(ourCluster.spec.names).toEqual({ kind: 'SparkCluster', listKind: 'SparkClusterList', plural: 'sparkclusters', singular: 'sparkcluster', shortNames: ['sparkcluster'] });
    for (const crd of ours) {
      expect(crd.spec).toMatchObject({ group: APACHE_SPARK_OPERATOR_GROUP, scope: 'Namespaced' });
      expect(crd.spec.versions.map((v: Json) => `${v.name} served=${v.served} storage=${v.storage} ${JSON.stringify(v.subresources)}`)).toEqual([
        'v1beta1 served=true storage=false {"status":{}}',
        'v1 served=true storage=true {"status":{}}',
      ]);
      const columns = (version: string) => crd.spec.versions.find((v: Json) => v.name === version).additionalPrinterColumns
        .map((c: Json) => `${c.name} ${c.type} ${c.jsonPath} ${c.priority ?? '-'}`);
      expect(columns('v1beta1')).toEqual(['Current State string .status.currentState.currentStateSummary -', 'Age date .metadata.creationTimestamp -']);
      expect(columns('v1')).toEqual(['Age date .metadata.creationTimestamp 0', 'Current State string .status.currentState.currentStateSummary 0']);
      expect(crd.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'spark-platform', 'app.kubernetes.io/managed-by': 'spark-platform' });
      // spark.apache.org is not a *.k8s.io group: no api-approved annotation
      expect(Object.keys(crd.metadata.annotations).sort()).toEqual([EMBEDDED_KUBERNETES_TYPES_ANNOTATION, PARTIAL_KUBERNETES_TYPES_ANNOTATION].sort());
    }
  });

  test('the embedded-types annotation lists exactly the open nodes of every version, Gateway API nodes aside', () => {
    for (const crd of ours) {
      const open = new Set(APACHE_SPARK_OPERATOR_VERSIONS.flatMap((version) => allPaths(schemaOf(crd, version))
        .filter(([, , node]) => node['x-kubernetes-preserve-unknown-fields'] === true).map(([p]) => p)));
      const expected = [...open].filter((p) => GATEWAY_API_NODES[p] === undefined).sort();
      expect(Object.keys(embeddedOf(crd)).sort()).toEqual(expected);
    }
    expect(embeddedOf(ourApp)).toEqual({
      'spec.driverGrpcRouteList[].grpcRouteMetadata': 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'spec.driverGrpcRouteList[].serviceMetadata': 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'spec.driverGrpcRouteList[].serviceSpec': 'io.k8s.api.core.v1.ServiceSpec',
      'spec.driverHttpRouteList[].httpRouteMetadata': 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'spec.driverHttpRouteList[].serviceMetadata': 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'spec.driverHttpRouteList[].serviceSpec': 'io.k8s.api.core.v1.ServiceSpec',
      'spec.driverServiceIngressList[].ingressMetadata': 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'spec.driverServiceIngressList[].ingressSpec': 'io.k8s.api.networking.v1.IngressSpec',
      'spec.driverServiceIngressList[].serviceMetadata': 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'spec.driverServiceIngressList[].serviceSpec': 'io.k8s.api.core.v1.ServiceSpec',
      'spec.driverSpec.podTemplateSpec': 'io.k8s.api.core.v1.PodTemplateSpec',
      'spec.executorSpec.podTemplateSpec': 'io.k8s.api.core.v1.PodTemplateSpec',
      'status.currentAttemptSummary.stateTransitionHistory{}.lastObservedDriverStatus': 'io.k8s.api.core.v1.PodStatus',
      'status.currentState.lastObservedDriverStatus': 'io.k8s.api.core.v1.PodStatus',
      'status.previousAttemptSummary.stateTransitionHistory{}.lastObservedDriverStatus': 'io.k8s.api.core.v1.PodStatus',
      'status.stateTransitionHistory{}.lastObservedDriverStatus': 'io.k8s.api.core.v1.PodStatus',
    });
    const roles = ['masterSpec', 'workerSpec'].flatMap((role) => [
      [`spec.${role}.serviceMetadata`, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'],
      [`spec.${role}.serviceSpec`, 'io.k8s.api.core.v1.ServiceSpec'],
      [`spec.${role}.statefulSetMetadata`, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'],
      [`spec.${role}.statefulSetSpec`, 'io.k8s.api.apps.v1.StatefulSetSpec'],
    ]);
    expect(embeddedOf(ourCluster)).toEqual(Object.fromEntries([...roles, ['spec.workerSpec.horizontalPodAutoscalerSpec', 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec']]));
  });

  test('every embedded object of the spec is partial (the operator completes it); those of the status are not', () => {
    for (const crd of ours) {
      const patterns = Object.keys(embeddedOf(crd));
      expect(partialOf(crd)).toEqual(patterns.filter((p) => p.startsWith('spec.')).sort());
      expect(patterns.filter((p) => !partialOf(crd).includes(p)).every((p) => p.startsWith('status.'))).toBe(true);
    }
    expect(partialOf(ourApp)).toContain('spec.driverSpec.podTemplateSpec');
    expect(partialOf(ourCluster)).toContain('spec.workerSpec.statefulSetSpec');
  });

  test.each(ours.map((crd) => [crd.spec.names.kind, crd]))('%s v1beta1 is v1 without the v1 additions', (kind, crd) => {
    const paths = (version: string) => allPaths(schemaOf(crd, version)).map(([p]) => p);
    const beta = new Set(paths('v1beta1'));
    const added = paths('v1').filter((p) => !beta.has(p));
    // the additions and everything below them
    expect(added.filter((p) => !V1_ADDITIONS[kind]!.some((a) => p.startsWith(a) && p !== a)).sort()).toEqual([...V1_ADDITIONS[kind]!].sort());
    const v1 = new Set(paths('v1'));
    expect([...beta].filter((p) => !v1.has(p))).toEqual([]);
  });

  test('the library exports them under names distinct from the Kubeflow operator\'s', () => {
    expect(library.APACHE_SPARK_OPERATOR_GROUP).toBe('spark.apache.org');
    expect(library.SPARK_OPERATOR_GROUP).toBe('sparkoperator.k8s.io');
    expect(library.apacheSparkApplicationCrd().metadata?.name).toBe('sparkapplications.spark.apache.org');
    expect(library.sparkApplicationCrd().metadata?.name).toBe('sparkapplications.sparkoperator.k8s.io');
    expect(library.ApacheSparkOperatorCrds).not.toBe(library.SparkOperatorCrds);
  });

  test('ApacheSparkOperatorCrds emits both CRDs as the committed files hold them', () => {
    const chart = testChart();
    const crds = new ApacheSparkOperatorCrds(chart, 'Crds');
    const objects = synth(chart);
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'CustomResourceDefinition sparkapplications.spark.apache.org',
      'CustomResourceDefinition sparkclusters.spark.apache.org',
    ]);
    expect(objects).toEqual(ours);
    expect(crds.sparkApplication.name).toBe('sparkapplications.spark.apache.org');
    expect(crds.sparkCluster.name).toBe('sparkclusters.spark.apache.org');
    expect(crds.sparkCluster.node.id).toBe('SparkCluster');
  });

  test('ApacheSparkOperatorCrds adds extra labels, never replacing the platform labels', () => {
    const chart = testChart();
    new ApacheSparkOperatorCrds(chart, 'Crds', { labels: { team: 'data', 'app.kubernetes.io/part-of': 'other' } });
    const crds = synth(chart);
    expect(crds).toHaveLength(2);
    for (const crd of crds) {
      expect(crd.metadata.labels).toEqual({ team: 'data', 'app.kubernetes.io/part-of': 'spark-platform', 'app.kubernetes.io/managed-by': 'spark-platform' });
    }
  });

  test.each([
    ['a label value that is not a string', { labels: { team: 1 } }, 'labels.team'],
    ['an unknown property', { lables: { team: 'data' } }, 'lables'],
  ])('ApacheSparkOperatorCrds rejects %s, naming the field', (_what, props, field) => {
    const build = () => new ApacheSparkOperatorCrds(testChart(), 'Crds', props as never);
    expect(build).toThrow(SparkPlatformError);
    expect(build).toThrow(field);
  });
});

describe('committed files are up to date', () => {
  test('constructs/apache-operator/crds/*.yaml equal the CRDs rendered now, byte for byte', () => {
    const expected = apacheCrdManifestFiles();
    expect(expected.map(({ file }) => file)).toEqual(['sparkapplications.spark.apache.org-v1.yaml', 'sparkclusters.spark.apache.org-v1.yaml']);
    const committed = readdirSync(CRD_DIR).sort();
    const stale = [
      ...expected.filter(({ file, text }) => !committed.includes(file) || readFileSync(path.join(CRD_DIR, file), 'utf8') !== text).map(({ file }) => `${file} is missing or stale: run npm run crds`),
      ...committed.filter((file) => !expected.some((e) => e.file === file)).map((file) => `${file} is not a CRD of the project: delete it and run npm run crds`),
    ];
    expect(stale).toEqual([]);
  });

  test('the committed YAML parses back to the CRDs', () => {
    for (const { file } of apacheCrdManifestFiles()) {
      const docs = parseAllDocuments(readFileSync(path.join(CRD_DIR, file), 'utf8')).map((d) => d.toJS());
      expect(docs).toEqual([ours.find((crd) => file.startsWith(`${crd.metadata.name}-`))]);
    }
  });
});

describe('validation of spark.apache.org objects against our CRDs', () => {
  const validator = new ManifestValidator({ crds: ours });

  function app(spec: Json = {}, apiVersion = 'spark.apache.org/v1'): Json {
    return {
      apiVersion,
      kind: 'SparkApplication',
      metadata: { name: 'pi', namespace: 'spark-jobs' },
      spec: {
        mainClass: 'org.apache.spark.examples.SparkPi',
        jars: 'local:///opt/spark/examples/jars/spark-examples.jar',
        runtimeVersions: { sparkVersion: '4.0.1' },
        ...spec,
      },
    };
  }

  function cluster(spec: Json = {}): Json {
    return {
      apiVersion: 'spark.apache.org/v1',
      kind: 'SparkCluster',
      metadata: { name: 'standalone', namespace: 'spark-jobs' },
      spec: { runtimeVersions: { sparkVersion: '4.0.1' }, clusterTolerations: { instanceConfig: { initWorkers: 1, minWorkers: 1, maxWorkers: 3 } }, ...spec },
    };
  }

  test('a SparkApplication using tolerations, ConfigMaps, pod templates and an Ingress passes', () => {
    expect(found(validator.validate(app({
      applicationTolerations: { resourceRetainPolicy: 'OnFailure', ttlAfterStopMillis: 10_000, restartConfig: { restartPolicy: 'OnInfrastructureFailure', maxRestartAttempts: 2 } },
      configMapSpecs: [{ name: 'conf', data: { 'a.properties': 'x=1' } }],
      deploymentMode: 'ClusterMode',
      driverArgs: ['100'],
      driverSpec: { podTemplateSpec: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'driver', resources: { limits: { memory: '2Gi' } } }] } } },
      driverServiceIngressList: [{
        ingressMetadata: { name: 'ui' },
        ingressSpec: { rules: [{ host: 'ui.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'ui', port: { number: 4040 } } } }] } }] },
        serviceMetadata: { name: 'ui' },
        serviceSpec: { ports: [{ port: 4040, targetPort: 4040 }] },
      }],
    })))).toEqual([]);
  });

  test('Spark fields: misspelled, outside the enum, a required field missing, a string for an integer', () => {
    const bad = app({ mainClas: 'x', deploymentMode: 'Cluster', runtimeVersions: { scalaVersion: '2.13' } });
    bad.spec.applicationTolerations = { restartConfig: { restartPolicy: 'Sometimes', maxRestartAttempts: 'two' } };
    expect(found(validator.validate(bad))).toEqual([
      '/spec/mainClas: unknown field "mainClas"',
      '/spec/applicationTolerations/restartConfig/maxRestartAttempts: must be integer',
      '/spec/applicationTolerations/restartConfig/restartPolicy: must be equal to one of the allowed values: "Always", "Never", "OnFailure", "OnInfrastructureFailure"',
      '/spec/deploymentMode: must be equal to one of the allowed values: "ClientMode", "ClusterMode"',
      '/spec/runtimeVersions/sparkVersion: required field "sparkVersion" is missing',
    ]);
  });

  test('embedded Kubernetes objects are checked against the Kubernetes schemas, at their full path', () => {
    const bad = app({
      executorSpec: { podTemplateSpec: { spec: { containers: [{ name: 'executor', imag: 'apache/spark:4.0.1' }], tolerations: [{ efect: 'NoSchedule' }] } } },
      driverServiceIngressList: [{ ingressMetadata: { nme: 'ui' }, ingressSpec: {}, serviceMetadata: {}, serviceSpec: { type: 'ClusterIP', ports: [{ port: '4040' }] } }],
    });
    expect(found(validator.validate(bad))).toEqual([
      '/spec/driverServiceIngressList/0/ingressMetadata/nme: unknown field "nme"',
      '/spec/driverServiceIngressList/0/serviceSpec/ports/0/port: must be integer',
      '/spec/executorSpec/podTemplateSpec/spec/containers/0/imag: unknown field "imag"',
      '/spec/executorSpec/podTemplateSpec/spec/tolerations/0/efect: unknown field "efect"',
    ]);
  });

  test('partial embedded objects: required fields may be left to the operator, everything else is still checked', () => {
    const partial = cluster({
      masterSpec: { statefulSetSpec: { template: { spec: { priorityClassName: 'high' } } } }, // no selector, no containers
      workerSpec: { horizontalPodAutoscalerSpec: { minReplicas: 1 } }, // no scaleTargetRef, no maxReplicas
    });
    expect(found(validator.validate(partial))).toEqual([]);
    partial.spec.masterSpec.statefulSetSpec.template.spec.priorityClassName = 1;
    expect(found(validator.validate(partial))).toEqual(['/spec/masterSpec/statefulSetSpec/template/spec/priorityClassName: must be string']);
    // without the partial-types annotation the same object misses the required fields
    const strict = ours.map((crd) => ({ ...crd, metadata: { ...crd.metadata, annotations: { [EMBEDDED_KUBERNETES_TYPES_ANNOTATION]: crd.metadata.annotations[EMBEDDED_KUBERNETES_TYPES_ANNOTATION] } } }));
    partial.spec.masterSpec.statefulSetSpec.template.spec.priorityClassName = 'high';
    expect(found(new ManifestValidator({ crds: strict }).validate(partial))).toEqual([
      '/spec/masterSpec/statefulSetSpec/selector: required field "selector" is missing',
      '/spec/masterSpec/statefulSetSpec/template/spec/containers: required field "containers" is missing',
      '/spec/workerSpec/horizontalPodAutoscalerSpec/scaleTargetRef: required field "scaleTargetRef" is missing',
      '/spec/workerSpec/horizontalPodAutoscalerSpec/maxReplicas: required field "maxReplicas" is missing',
    ]);
  });

  test.each([
    ['not JSON', '{', 'must be a JSON array of its patterns'],
    ['not an array of strings', '[1]', 'must be a JSON array of its patterns'],
    ['a pattern the embedded types lack', '["spec.driverSpec"]', 'lacks "spec.driverSpec", which spark-platform.io/partial-kubernetes-types lists'],
  ])('a partial-types annotation that is %s is reported on the CRD and on its objects', (_what, value, message) => {
    const broken = { ...ourApp, metadata: { ...ourApp.metadata, annotations: { ...ourApp.metadata.annotations, [PARTIAL_KUBERNETES_TYPES_ANNOTATION]: value } } };
    const [onCrd] = new ManifestValidator().validate(broken);
    expect(onCrd?.path).toBe('/metadata/annotations/spark-platform.io~1embedded-kubernetes-types');
    expect(onCrd?.message).toContain(message);
    const [onObject] = new ManifestValidator({ crds: [broken] }).validate(app());
    expect(onObject?.message).toContain(`of CustomResourceDefinition sparkapplications.spark.apache.org ${onCrd?.message}`);
  });

  test('v1beta1 is still served, without the fields v1 added', () => {
    expect(found(validator.validate(app({ applicationTolerations: { resourceRetainPolicy: 'Always' } }, 'spark.apache.org/v1beta1')))).toEqual([]);
    expect(found(validator.validate(app({ applicationTolerations: { ttlAfterStopMillis: 0 } }, 'spark.apache.org/v1beta1')))).toEqual([
      '/spec/applicationTolerations/ttlAfterStopMillis: unknown field "ttlAfterStopMillis"',
    ]);
  });

  test('a SparkCluster with StatefulSet, Service and autoscaler settings passes; mistakes are rejected with their path', () => {
    const good = cluster({
      sparkConf: { 'spark.master.ui.port': '8080' },
      masterSpec: { statefulSetSpec: { template: { spec: { containers: [{ name: 'master' }] } } }, serviceSpec: { type: 'ClusterIP' } },
      workerSpec: { horizontalPodAutoscalerSpec: { minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] } },
    });
    expect(found(validator.validate(good))).toEqual([]);
    const bad = cluster({ workerSpec: { statefulSetSpec: { replicas: 'two', template: { spec: { containers: [{ name: 'worker', imag: 'x' }] } } }, horizontalPodAutoscalerSpec: { maxReplica: 3 } } });
    delete bad.spec.clusterTolerations.instanceConfig.minWorkers;
    expect(found(validator.validate(bad))).toEqual([
      '/spec/clusterTolerations/instanceConfig/minWorkers: required field "minWorkers" is missing',
      '/spec/workerSpec/horizontalPodAutoscalerSpec/maxReplica: unknown field "maxReplica"',
      '/spec/workerSpec/statefulSetSpec/replicas: must be integer',
      '/spec/workerSpec/statefulSetSpec/template/spec/containers/0/imag: unknown field "imag"',
    ]);
  });
});

describeWithShared('conformance with the upstream apache/spark-kubernetes-operator 1.0.0 CRDs', (shared) => {
  const upstreamDir = path.join(shared, 'upstream', 'apache-spark-kubernetes-operator-1.0.0');
  const upstream = (plural: string): Json => parse(readFileSync(path.join(upstreamDir, 'crds', `${plural}.spark.apache.org-v1.yaml`), 'utf8')) as Json;
  const theirApp = upstream('sparkapplications');
  const theirCluster = upstream('sparkclusters');
  const crdPairs: [string, Json, Json][] = [['SparkApplication', theirApp, ourApp], ['SparkCluster', theirCluster, ourCluster]];
  /** Every (kind, version) with upstream's and our root schema and our embedded types. */
  const pairs: [string, string, Json, Json, Record<string, string>][] = crdPairs.flatMap(([kind, theirs, mine]) => (theirs.spec.versions as Json[])
    .map((v) => [kind, v.name, v.schema.openAPIV3Schema, schemaOf(mine, v.name), embeddedOf(mine)] as [string, string, Json, Json, Record<string, string>]));

  /** Keywords that are structure or prose, not constraints: everything else must be equal on a Spark-specific node. */
  const NOT_COMPARED = new Set(['properties', 'items', 'additionalProperties', 'description']);
  /** The envelope every object has, declared at the root by ours (as controller-gen CRDs do), left implicit by upstream's. */
  const ENVELOPE = ['apiVersion', 'kind', 'metadata'];

  /** Why an upstream node is accepted by ours, or why not: [] when it is. */
  function accept(mine: Json, embedded: Record<string, string>, tokens: readonly string[], theirs: Json): string[] {
    let node = mine;
    let at = '';
    for (const token of tokens) {
      if (node['x-kubernetes-preserve-unknown-fields'] === true) {
        return embedded[at] || GATEWAY_API_NODES[at] ? [] : [`${at} is open but neither an embedded Kubernetes type nor a Gateway API object`];
      }
      const next = children(node).find(([t]) => t === token)?.[1];
      if (next === undefined) return [`${joinPath(at, token)} is not declared`];
      node = next;
      at = joinPath(at, token);
    }
    if (embedded[at] || GATEWAY_API_NODES[at]) return node.type === theirs.type ? [] : [`${at}: type ${node.type}, upstream ${theirs.type}`];
    // A Spark-specific node: the same constraints, keyword for keyword (enum and required as sets).
    const keywords = new Set([...Object.keys(node), ...Object.keys(theirs)].filter((k) => !NOT_COMPARED.has(k)));
    const canonical = (k: string, v: unknown) => JSON.stringify((k === 'enum' || k === 'required') && Array.isArray(v) ? [...v].sort() : v);
    return [...keywords].filter((k) => canonical(k, node[k]) !== canonical(k, theirs[k]))
      .map((k) => `${at || '(root)'}: ${k} ${JSON.stringify(node[k])}, upstream ${JSON.stringify(theirs[k])}`);
  }

  test.each(pairs)('%s %s: every upstream property path is accepted by ours; every Spark-specific node has the same type, enum, required, format, default and x-kubernetes-* markers', (kind, _version, theirs, mine, embedded) => {
    const paths = allPaths(theirs);
    // the whole tree, embedded Kubernetes types included
    expect(paths.length).toBeGreaterThan(kind === 'SparkApplication' ? 3500 : 3000);
    const problems = [accept(mine, embedded, [], theirs), ...paths.map(([, tokens, node]) => accept(mine, embedded, tokens, node))].flat();
    expect(problems).toEqual([]);
  });

  test.each(pairs)('%s %s: ours declares no field upstream lacks, the object envelope aside', (_kind, _version, theirs, mine) => {
    const upstreamPaths = new Set(allPaths(theirs).map(([p]) => p));
    expect(allPaths(mine).map(([p]) => p).filter((p) => !upstreamPaths.has(p))).toEqual(ENVELOPE);
  });

  /**
   * Fields upstream inlines (from a newer Kubernetes) that the Kubernetes 1.28 API offline
   * validation knows lacks: objects using them are rejected offline, as a 1.28 API server would
   * prune them.
   */
  const NEWER_THAN_1_28 = [
    'appArmorProfile', 'clusterTrustBundle', 'fileKeyRef', 'hostnameOverride', 'image', 'matchLabelKeys', 'mismatchLabelKeys', 'podCertificate',
    'recursiveReadOnly', 'request', 'resourceClaimName', 'resourceClaimTemplateName', 'resources', 'restartPolicyRules', 'schedulingGroup',
    'seLinuxChangePolicy', 'sleep', 'stopSignal', 'supplementalGroupsPolicy', 'tolerance', 'trafficDistribution', 'volumeAttributesClassName',
  ];
  /**
   * The envelope of a PersistentVolumeClaim in StatefulSetSpec.volumeClaimTemplates: the 1.28
   * field catalogue (cdk8s' props of the kind) leaves apiVersion, kind and status out, so offline
   * validation rejects them there (a real API server accepts them).
   */
  const PVC_ENVELOPE = ['apiVersion', 'kind', 'status'];
  /** Definitions the field catalogue has no struct of (cdk8s leaves status types out): checked by type only, by kubernetes-models. */
  const TYPE_CHECKED_ONLY = ['io.k8s.api.core.v1.PodStatus'];

  /** A value with every field upstream's schema declares below `node`: one item per list, one key per map. */
  function everyField(node: Json): unknown {
    if (node.properties) return Object.fromEntries(Object.entries(node.properties as Record<string, Json>).map(([k, child]) => [k, everyField(child)]));
    if (node.type === 'array' && node.items) return [everyField(node.items)];
    if (node.additionalProperties && typeof node.additionalProperties === 'object') return { key: everyField(node.additionalProperties) };
    return null;
  }

  test('each embedded definition is the type upstream inlines there: every field upstream inlines is a field of that Kubernetes definition, newer fields aside', () => {
    const unknown = new Map<string, Set<string>>();
    const checked: string[] = [];
    for (const [kind, version, theirs, , embedded] of pairs) {
      for (const [pattern, definition] of Object.entries(embedded)) {
        const inlined = nodeAt(theirs, pattern);
        if (inlined === undefined) {
          expect(V1_ADDITIONS[kind]!.some((a) => pattern.startsWith(a)) && version === 'v1beta1').toBe(true); // v1-only fields
          continue;
        }
        if (!knowsDefinition(definition)) {
          expect(TYPE_CHECKED_ONLY).toContain(definition);
          continue;
        }
        const problems = unknownDefinitionFields(definition, everyField(inlined), '') ?? [];
        for (const p of problems) {
          const field = p.path.split('/').pop()!;
          const where = p.path.includes('/volumeClaimTemplates/0/') && PVC_ENVELOPE.includes(field) ? 'pvc-envelope' : 'newer';
          unknown.set(where, (unknown.get(where) ?? new Set()).add(field));
        }
        checked.push(`${kind} ${version} ${pattern}`);
      }
    }
    // SparkApplication: 16 patterns less the 4 PodStatus ones in v1, less the 6 of the (v1-only) route lists in v1beta1; SparkCluster: 9 in each version
    expect(checked).toHaveLength((16 - 4) + (16 - 4 - 6) + 9 + 9);
    expect([...(unknown.get('newer') ?? [])].sort()).toEqual(NEWER_THAN_1_28);
    expect([...(unknown.get('pvc-envelope') ?? [])].sort()).toEqual(PVC_ENVELOPE);
  });

  test('Gateway API nodes are where upstream inlines a Gateway API route spec', () => {
    for (const [pattern, type] of Object.entries(GATEWAY_API_NODES)) {
      const inlined = nodeAt(schemaOf(theirApp), pattern)!;
      // what distinguishes a route spec: parent gateways, hostnames, routing rules
      expect([type, Object.keys(inlined.properties).sort()]).toEqual([type, ['hostnames', 'parentRefs', 'rules', 'useDefaultGateways']]);
    }
  });

  test.each(crdPairs)('%s: served and storage versions, scope, names, subresources and printer columns equal upstream\'s', (_kind, theirs, mine) => {
    expect(mine.metadata.name).toBe(theirs.metadata.name);
    expect(mine.spec.group).toBe(theirs.spec.group);
    // upstream leaves listKind to the API server's default, <Kind>List
    expect(mine.spec.names).toEqual({ listKind: `${theirs.spec.names.kind}List`, ...theirs.spec.names });
    expect(mine.spec.scope).toBe(theirs.spec.scope);
    const version = (v: Json) => ({ name: v.name, served: v.served, storage: v.storage, subresources: v.subresources, additionalPrinterColumns: v.additionalPrinterColumns });
    expect(mine.spec.versions.map(version)).toEqual(theirs.spec.versions.map(version));
  });

  describe('upstream examples', () => {
    const validator = new ManifestValidator({ crds: ours });
    const examplesDir = path.join(upstreamDir, 'examples');
    const walk = (dir: string): string[] => readdirSync(dir).sort().flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : /\.ya?ml$/.test(name) ? [full] : [];
    });
    /**
     * The examples are templates: `{{SPARK_VERSION}}` (in image names) becomes the Spark release
     * of the platform's 4.0 line and `{{APP_ID}}` (a YuniKorn application id) a fixed id, as a
     * user would fill them in.
     */
    const readExample = (file: string): Json[] => {
      const text = readFileSync(file, 'utf8').replace(/\{\{SPARK_VERSION\}\}/g, SPARK_LINES['4.0'].version).replace(/\{\{APP_ID\}\}/g, 'spark-pi-0001');
      expect(text).not.toMatch(/\{\{[A-Z_]+\}\}/);
      return parseAllDocuments(text).map((d) => d.toJS() as Json).filter((o) => o !== null);
    };
    const isOurs = (o: Json) => typeof o.apiVersion === 'string' && o.apiVersion.startsWith(`${APACHE_SPARK_OPERATOR_GROUP}/`);
    const files = walk(examplesDir).filter((file) => readExample(file).some(isOurs));

    test('the examples hold SparkApplications and SparkClusters of both versions, some in subfolders', () => {
      const objects = files.flatMap(readExample).filter(isOurs);
      const kinds = objects.reduce<Record<string, number>>((n, o) => ({ ...n, [`${o.apiVersion} ${o.kind}`]: (n[`${o.apiVersion} ${o.kind}`] ?? 0) + 1 }), {});
      expect(kinds).toEqual({ 'spark.apache.org/v1 SparkApplication': 30, 'spark.apache.org/v1beta1 SparkApplication': 1, 'spark.apache.org/v1 SparkCluster': 8 });
      // the walk is recursive: examples/job/ holds the Job and CronJob that submit through the operator
      expect(walk(examplesDir).filter((f) => path.dirname(f) !== examplesDir).map((f) => path.relative(examplesDir, f))).toEqual(['job/cron-pi-swift.yaml', 'job/pi-swift.yaml']);
    });

    test.each(files.map((f) => [path.relative(examplesDir, f), f]))('examples/%s validates against our CRDs', (_name, file) => {
      expect(formatIssues(validator.validateAll(readExample(file).filter(isOurs)))).toBe('');
    });

    test('a mutated SparkApplication example is rejected: unknown Spark field, wrong enum value, bad field in the pod template', () => {
      const [example] = readExample(path.join(examplesDir, 'pi-with-template.yaml')).filter(isOurs) as [Json];
      example.spec.mainClas = example.spec.mainClass;
      example.spec.applicationTolerations = { ...example.spec.applicationTolerations, resourceRetainPolicy: 'Sometimes' };
      example.spec.driverSpec.podTemplateSpec.spec.containers = [{ name: 'spark-kubernetes-driver', imag: 'apache/spark:4.0.3' }];
      expect(found(validator.validate(example))).toEqual([
        '/spec/mainClas: unknown field "mainClas"',
        '/spec/applicationTolerations/resourceRetainPolicy: must be equal to one of the allowed values: "Always", "Never", "OnFailure"',
        '/spec/driverSpec/podTemplateSpec/spec/containers/0/imag: unknown field "imag"',
      ]);
    });

    test('a mutated SparkCluster example is rejected: unknown Spark field, missing required field, bad field in the StatefulSet', () => {
      const [example] = readExample(path.join(examplesDir, 'cluster-with-template.yaml')).filter(isOurs) as [Json];
      example.spec.clusterTolerations.instanceConfig.maxWorker = example.spec.clusterTolerations.instanceConfig.maxWorkers;
      delete example.spec.clusterTolerations.instanceConfig.maxWorkers;
      example.spec.workerSpec.statefulSetSpec.podManagementPolicy = 'Parallell';
      example.spec.workerSpec.statefulSetSpec.replica = 2;
      expect(found(validator.validate(example))).toEqual([
        '/spec/clusterTolerations/instanceConfig/maxWorkers: required field "maxWorkers" is missing',
        '/spec/clusterTolerations/instanceConfig/maxWorker: unknown field "maxWorker"',
        '/spec/workerSpec/statefulSetSpec/podManagementPolicy: must be equal to one of the allowed values: "OrderedReady", "Parallel"',
        '/spec/workerSpec/statefulSetSpec/replica: unknown field "replica"',
      ]);
    });
  });
});
