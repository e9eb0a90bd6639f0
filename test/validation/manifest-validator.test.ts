import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import {
  assertValidManifests,
  formatIssues,
  ManifestIssue,
  ManifestValidationError,
  ManifestValidator,
  readManifestDir,
  validateEnvironments,
} from '../../constructs/validation';
import { compiledSchemaCount } from '../../constructs/validation/crd-schemas';
import { describeWithShared } from '../helpers/shared';

type Json = Record<string, any>;

function deployment(): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'controller', namespace: 'spark-operator', labels: { app: 'controller' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'controller' } },
      template: {
        metadata: { labels: { app: 'controller' } },
        spec: {
          hostIPC: false, // jsii calls it hostIpc: the wire name must be the one that is accepted
          containers: [{
            name: 'controller',
            image: 'ghcr.io/kubeflow/spark-operator/controller:2.5.2',
            ports: [{ name: 'metrics', containerPort: 8080, hostIP: '0.0.0.0' }],
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 1 } },
          }],
        },
      },
    },
  };
}

const OBJECT = 'apps/v1 Deployment spark-operator/controller';

/** A small CRD exercising every schema feature the validator handles. */
function widgetCrd(name = 'widgets.example.com', group = 'example.com', kind = 'Widget'): Json {
  const plural = name.split('.')[0];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: widgetSchema() } },
        { name: 'v1beta1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
      ],
    },
  };
}

function widgetSchema(): Json {
  return {
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        required: ['size'],
        'x-kubernetes-validations': [{ rule: 'self.size <= 10', message: 'CEL is not evaluated offline' }],
        properties: {
          size: { type: 'integer', format: 'int32' },
          big: { type: 'integer', format: 'int64' },
          port: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
          extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
          labels: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-map-type': 'granular' },
          note: { type: 'string', nullable: true },
          ratio: { type: 'number', minimum: 0, exclusiveMinimum: true },
          created: { type: 'string', format: 'date-time' },
          payload: { type: 'string', format: 'byte' },
          amount: { type: 'string', format: 'quantity' },
          mode: { type: 'string', enum: ['fast', 'slow'] },
          tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
          },
          // value validation branches list a subset of the properties: they must not close the object
          choice: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, oneOf: [{ required: ['a'] }, { required: ['b'] }] },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        },
      },
    },
  };
}

function widget(spec: Json = {}, apiVersion = 'example.com/v1'): Json {
  return { apiVersion, kind: 'Widget', metadata: { name: 'w', namespace: 'ns' }, spec: { size: 1, ...spec } };
}

/** "path: message" of every issue, compact for assertions. */
function found(issues: readonly ManifestIssue[]): string[] {
  return issues.map((i) => `${i.path}: ${i.message}`);
}

describe('built-in kinds', () => {
  const validator = new ManifestValidator();

  test('a valid Deployment passes', () => {
    expect(validator.validate(deployment())).toEqual([]);
  });

  test('a wrong type is reported with object, path and message', () => {
    const obj = deployment();
    obj.spec.replicas = 'x';
    expect(validator.validate(obj)).toEqual([{ object: OBJECT, path: '/spec/replicas', message: 'must be integer' }]);
  });

  test('a missing required field is reported at the field', () => {
    const obj = deployment();
    delete obj.spec.template.spec.containers[0].name;
    expect(found(validator.validate(obj))).toEqual(['/spec/template/spec/containers/0/name: required field "name" is missing']);
  });

  test('unknown fields are rejected, at any depth (Kubernetes 1.28 field catalogue of cdk8s-plus-28)', () => {
    const obj = deployment();
    obj.metadata.bogus = 1;
    obj.spec.template.spec.containers[0].imag = 'typo';
    obj.spec.template.spec.containers[0].resources.requests.cpu = '200m'; // map values stay free
    expect(found(validator.validate(obj))).toEqual([
      '/metadata/bogus: unknown field "bogus"',
      '/spec/template/spec/containers/0/imag: unknown field "imag"',
    ]);
  });

  test('a value matching none of the alternatives of an int-or-string or quantity field is one issue', () => {
    const obj = deployment();
    obj.spec.strategy = { rollingUpdate: { maxSurge: true } };
    obj.spec.template.spec.containers[0].resources.limits.cpu = [];
    expect(found(validator.validate(obj))).toEqual([
      '/spec/strategy/rollingUpdate/maxSurge: must be string or integer',
      '/spec/template/spec/containers/0/resources/limits/cpu: must be number or string',
    ]);
  });

  test('a 1.28-only field (sidecar restartPolicy) and a root status are accepted', () => {
    const obj = deployment();
    obj.spec.template.spec.initContainers = [{ name: 'sidecar', image: 'busybox', restartPolicy: 'Always' }];
    obj.status = { replicas: 1 };
    expect(validator.validate(obj)).toEqual([]);
  });

  test.each([
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: 'None', ports: [{ port: 80, targetPort: 'http' }] } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { maxUnavailable: '50%' } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } },
    { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { holderIdentity: 'x' } },
    // missing from the cdk8s-plus-28 catalogue (name clash with events.k8s.io/v1 Event): types only
    { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' } },
    // new in 1.28, unknown to kubernetes-models (1.27): field names only
    { apiVersion: 'admissionregistration.k8s.io/v1beta1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' }, spec: { validations: [{ expression: 'true' }] } },
  ])('$apiVersion $kind is recognised and valid', (obj) => {
    expect(validator.validate(obj)).toEqual([]);
  });

  test('a kind new in 1.28 still gets unknown fields rejected', () => {
    const policy = { apiVersion: 'admissionregistration.k8s.io/v1beta1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' }, spec: { validationz: [] } };
    expect(found(validator.validate(policy))).toEqual(['/spec/validationz: unknown field "validationz"']);
  });

  test('an API version Kubernetes 1.28 no longer serves is an issue, even though kubernetes-models still has it', () => {
    const obj = { ...deployment(), apiVersion: 'apps/v1beta1' };
    expect(validator.validate(obj)).toEqual([{
      object: 'apps/v1beta1 Deployment spark-operator/controller',
      path: '/apiVersion',
      message: 'apps/v1beta1 Deployment is not served by Kubernetes 1.28 (removed API version); use apps/v1',
    }]);
  });

  test('every object needs metadata.name', () => {
    expect(found(validator.validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'c-' } }))).toEqual(['/metadata/name: required field "name" is missing']);
    expect(found(validator.validate({ apiVersion: 'v1', kind: 'ConfigMap' }))).toEqual(['/metadata: required field "metadata" is missing']);
  });
});

describe('objects that cannot be checked are issues', () => {
  const validator = new ManifestValidator();

  test('an unknown kind is an issue, never a skip', () => {
    expect(validator.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([{
      object: 'example.com/v1 Widget w',
      path: '',
      message: 'unknown kind: example.com/v1 Widget is neither a built-in kind of Kubernetes 1.28 nor defined by a CustomResourceDefinition of the set',
    }]);
    // a nested type is not a kind, nor is a made-up version
    expect(found(validator.validate({ apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: { name: 'd' } }))).toEqual([expect.stringMatching(/^: unknown kind/)]);
    expect(found(validator.validate({ apiVersion: 'apps/v9', kind: 'Deployment', metadata: { name: 'd' } }))).toEqual([expect.stringMatching(/^: unknown kind/)]);
  });

  test('non-objects and objects without apiVersion/kind', () => {
    expect(validator.validateAll(['text', null, [], { kind: 'ConfigMap' }, { apiVersion: 'v1', kind: 3 }])).toEqual([
      { object: 'objects[0]', path: '', message: 'must be an object, not string' },
      { object: 'objects[1]', path: '', message: 'must be an object, not null' },
      { object: 'objects[2]', path: '', message: 'must be an object, not an array' },
      { object: 'objects[3]', path: '/apiVersion', message: 'required field "apiVersion" is missing' },
      { object: 'objects[4]', path: '/kind', message: 'must be a non-empty string' },
    ]);
  });
});

describe('custom resources', () => {
  const validator = new ManifestValidator({ crds: [widgetCrd()] });
  const check = (spec: Json, apiVersion?: string) => found(validator.validate(widget(spec, apiVersion)));

  test('a valid custom resource passes, with every schema feature in use', () => {
    expect(check({
      big: 2 ** 40,
      port: 'http',
      extra: { known: 'k', anything: { goes: [1, 2] } },
      labels: { a: 'b' },
      note: null,
      ratio: 0.5,
      created: '2024-01-02T03:04:05Z',
      payload: 'aGVsbG8=',
      amount: '1.5Gi',
      mode: 'fast',
      tags: ['a', 'b'],
      ports: [{ name: 'a', port: 1 }, { name: 'b', port: 1 }],
      choice: { a: 'x' },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { anything: true } },
    })).toEqual([]);
  });

  test('unknown fields are rejected; a preserve-unknown-fields subtree is open but its declared fields are checked', () => {
    expect(check({ sise: 2, extra: { known: 3, free: 'yes' } })).toEqual([
      '/spec/sise: unknown field "sise"',
      '/spec/extra/known: must be string',
    ]);
  });

  test('int-or-string accepts integers and strings only', () => {
    expect(check({ port: 8080 })).toEqual([]);
    expect(check({ port: '50%' })).toEqual([]);
    expect(check({ port: true })).toEqual(['/spec/port: must be an integer or a string']);
    expect(check({ port: 1.5 })).toEqual(['/spec/port: must be an integer or a string']);
  });

  test('int32 and int64 are range-checked', () => {
    expect(check({ size: 2 ** 31 - 1 })).toEqual([]);
    expect(check({ size: -(2 ** 31) })).toEqual([]);
    expect(check({ size: 2 ** 31 })).toEqual(['/spec/size: must match format "int32"']);
    expect(check({ big: 2 ** 63 })).toEqual(['/spec/big: must match format "int64"']);
  });

  test('types, required fields, enums, formats, nullable, exclusive bounds and list types', () => {
    expect(check({ size: undefined })).toEqual(['/spec/size: required field "size" is missing']);
    expect(check({ mode: 'medium', note: 3, ratio: 0, created: 'yesterday' })).toEqual([
      '/spec/note: must be string', // nullable: null passes (see the valid case), 3 does not
      '/spec/ratio: must be > 0',
      '/spec/created: must match format "date-time"',
      '/spec/mode: must be equal to one of the allowed values: "fast", "slow"',
    ]);
    expect(check({ choice: { a: 'x', b: 'y' } })).toEqual(['/spec/choice: must match exactly one schema in oneOf']);
    expect(check({ tags: ['a', 'a'], ports: [{ name: 'a' }, { name: 'a', port: 2 }] })).toEqual([
      '/spec/tags/1: duplicate of item 0 (x-kubernetes-list-type: set)',
      '/spec/ports/1: duplicate of item 0 (x-kubernetes-list-type: map)',
    ]);
  });

  test('embedded resources allow apiVersion/kind/metadata but nothing else undeclared', () => {
    expect(check({ template: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spek: {} } })).toEqual(['/spec/template/spek: unknown field "spek"']);
  });

  test('metadata is checked as ObjectMeta, apart from the CRD schema', () => {
    const obj = widget();
    obj.metadata.labels = { a: 1 };
    obj.metadata.lables = {};
    expect(found(validator.validate(obj))).toEqual(['/metadata/labels/a: must be string', '/metadata/lables: unknown field "lables"']);
    expect(found(validator.validate({ ...widget(), metadata: { namespace: 'ns' } }))).toEqual(['/metadata/name: required field "name" is missing']);
  });

  test('an apiVersion whose version is not served by the CRD is an issue', () => {
    expect(check({}, 'example.com/v1beta1')).toEqual(['/apiVersion: version "v1beta1" is not served by CustomResourceDefinition widgets.example.com (served: v1)']);
    expect(check({}, 'example.com/v2')).toEqual(['/apiVersion: version "v2" is not served by CustomResourceDefinition widgets.example.com (served: v1)']);
  });

  test('a CRD among the validated objects validates the custom resources of the set (and only of that call)', () => {
    const plain = new ManifestValidator();
    const bad = widget({ colour: 'red' });
    expect(plain.validateAll([widgetCrd(), widget(), bad])).toEqual([
      { object: 'example.com/v1 Widget ns/w', path: '/spec/colour', message: 'unknown field "colour"' },
    ]);
    expect(found(plain.validate(widget()))).toEqual([expect.stringContaining('unknown kind')]);
  });

  test('a CRD whose schema does not compile is reported on the CRD and on its resources', () => {
    const crd = widgetCrd('brokens.example.com', 'example.com', 'Broken');
    // a valid CRD as far as the API types go, but `(?i)` is RE2 syntax JavaScript regular expressions lack
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.name = { type: 'string', pattern: '(?i)^[a-z]+$' };
    const issues = new ManifestValidator().validateAll([crd, { apiVersion: 'example.com/v1', kind: 'Broken', metadata: { name: 'b' }, spec: { size: 1 } }]);
    expect(issues.map((i) => `${i.object} ${i.path}`)).toEqual([
      'apiextensions.k8s.io/v1 CustomResourceDefinition brokens.example.com /spec/versions/0/schema/openAPIV3Schema',
      'example.com/v1 Broken b ',
    ]);
    expect(issues[0]!.message).toMatch(/^cannot be compiled: .*Invalid regular expression/);
    expect(issues[1]!.message).toMatch(/^cannot be checked: the schema of CustomResourceDefinition brokens.example.com v1 does not compile: /);
  });

  test('the CRD given is not modified', () => {
    const crd = widgetCrd();
    const before = structuredClone(crd);
    new ManifestValidator({ crds: [crd] }).validate(widget({ sise: 1 }));
    expect(crd).toEqual(before);
  });

  test('a schema compiles once per process, whatever the number of validators', () => {
    const crd = widgetCrd('gadgets.example.com', 'example.com', 'Gadget');
    const gadget = { ...widget(), kind: 'Gadget' };
    const start = compiledSchemaCount();
    expect(new ManifestValidator({ crds: [crd] }).validate(gadget)).toEqual([]);
    expect(compiledSchemaCount()).toBe(start + 1);
    expect(new ManifestValidator({ crds: [structuredClone(crd)] }).validateAll([gadget, gadget])).toEqual([]);
    expect(compiledSchemaCount()).toBe(start + 1);
    // a changed schema is a different cache entry
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.colour = { type: 'string' };
    new ManifestValidator({ crds: [crd] }).validate(gadget);
    expect(compiledSchemaCount()).toBe(start + 2);
  });

  test('options.crds must hold CRDs', () => {
    expect(() => new ManifestValidator({ crds: [{ apiVersion: 'v1', kind: 'ConfigMap' }] })).toThrow(/options.crds\[0\] is not an apiextensions.k8s.io\/v1 CustomResourceDefinition/);
  });
});

describe('assertValidManifests and formatIssues', () => {
  test('throws ManifestValidationError listing every issue, one line each', () => {
    const obj = deployment();
    obj.spec.replicas = 'x';
    obj.metadata.bogus = 1;
    let error: unknown;
    try {
      assertValidManifests([obj, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ManifestValidationError);
    expect((error as ManifestValidationError).issues).toHaveLength(3);
    expect((error as Error).message).toBe([
      '3 manifest issues:',
      `${OBJECT} at /spec/replicas: must be integer`,
      `${OBJECT} at /metadata/bogus: unknown field "bogus"`,
      'example.com/v1 Widget w: unknown kind: example.com/v1 Widget is neither a built-in kind of Kubernetes 1.28 nor defined by a CustomResourceDefinition of the set',
    ].join('\n'));
  });

  test('passes silently on valid manifests, with CRDs from the options', () => {
    expect(() => assertValidManifests([deployment(), widget()], { crds: [widgetCrd()] })).not.toThrow();
    expect(formatIssues([])).toBe('');
  });
});

describe('reading synthesized output', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'manifests-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };

  test('readManifestDir reads multi-document *.yaml files, skipping kustomization.yaml and empty documents', () => {
    write('dev/b.yaml', '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    write('dev/a.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    write('dev/kustomization.yaml', 'resources: [a.yaml, b.yaml]\n');
    write('dev/notes.txt', 'not yaml');
    expect(readManifestDir(path.join(root, 'dev')).map((f) => [path.basename(f.file), f.objects.length])).toEqual([['a.yaml', 1], ['b.yaml', 2]]);
  });

  test('readManifestDir names the file of a YAML error', () => {
    write('dev/bad.yaml', 'image: {A}/{B}\n');
    expect(() => readManifestDir(path.join(root, 'dev'))).toThrow(/bad\.yaml: /);
  });

  test('validateEnvironments validates each environment with its own CRDs', () => {
    write('dev/crd.yaml', JSON.stringify(widgetCrd()));
    write('dev/widget.yaml', JSON.stringify(widget()));
    write('prod/widget.yaml', JSON.stringify(widget()));
    const reports = validateEnvironments(root);
    expect(reports.map((r) => [r.environment, r.objectCount, r.issues.length])).toEqual([['dev', 2, 0], ['prod', 1, 1]]);
    expect(reports[1]!.issues[0]!.message).toMatch(/^unknown kind/);
  });

  test('a missing or empty directory tells to run npm run synth', () => {
    expect(() => validateEnvironments(path.join(root, 'missing'))).toThrow(/does not exist: run `npm run synth` first/);
    expect(() => validateEnvironments(root)).toThrow(/holds no environment directories: run `npm run synth` first/);
    write('dev/kustomization.yaml', 'resources: []\n');
    expect(validateEnvironments(root)[0]!.issues).toEqual([expect.objectContaining({ message: expect.stringMatching(/^no manifests in .*npm run synth/) })]);
  });
});

describeWithShared('conformance with the upstream spark-operator v2.5.2 CRDs and examples', (shared) => {
  const upstream = path.join(shared, 'upstream', 'kubeflow-spark-operator-v2.5.2');
  const yamlFiles = (dir: string) => readdirSync(path.join(upstream, dir)).filter((f) => f.endsWith('.yaml')).sort();
  const crds = yamlFiles('crds').map((f): unknown => parse(readFileSync(path.join(upstream, 'crds', f), 'utf8')));
  const validator = new ManifestValidator({ crds });

  /**
   * Some examples are templates: spark-pi-prometheus.yaml has `image: {IMAGE_REGISTRY}/...`, which
   * is not even valid YAML until the documented placeholders are filled in. Fill them as a user would.
   */
  const readExample = (file: string): unknown[] => {
    const text = readFileSync(path.join(upstream, 'examples', file), 'utf8').replace(/\{[A-Z_]+\}/g, 'placeholder');
    return parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((o) => o !== null);
  };

  test('the upstream CRDs are valid apiextensions.k8s.io/v1 objects whose schemas compile', () => {
    expect(crds).toHaveLength(3);
    expect(validator.validateAll(crds)).toEqual([]);
  });

  test.each(yamlFiles('examples'))('examples/%s validates against the upstream CRDs', (file) => {
    const objects = readExample(file);
    expect(objects.length).toBeGreaterThan(0);
    expect(formatIssues(validator.validateAll(objects))).toBe('');
  });

  test('a misspelled field in an example is rejected', () => {
    const [app] = readExample('spark-pi.yaml') as Json[];
    app!.spec.driver.coress = app!.spec.driver.cores;
    app!.spec.executor.instances = 'one';
    expect(validator.validate(app)).toEqual([
      { object: 'sparkoperator.k8s.io/v1beta2 SparkApplication default/spark-pi', path: '/spec/driver/coress', message: 'unknown field "coress"' },
      { object: 'sparkoperator.k8s.io/v1beta2 SparkApplication default/spark-pi', path: '/spec/executor/instances', message: 'must be integer' },
    ]);
  });

  test('the CRDs validate resources when found among the objects', () => {
    const [app] = readExample('spark-pi-scheduled.yaml') as Json[];
    app!.spec.template.driver.coress = 1;
    expect(found(new ManifestValidator().validateAll([...crds, app]))).toEqual(['/spec/template/driver/coress: unknown field "coress"']);
  });
});
