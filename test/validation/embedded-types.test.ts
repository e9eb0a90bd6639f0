import { EMBEDDED_KUBERNETES_TYPES_ANNOTATION, ManifestIssue, ManifestValidator } from '../../constructs/validation';
import { embeddedTypesOf } from '../../constructs/validation/embedded-types';

type Json = Record<string, any>;

const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** A CRD of any group with open nodes: a single object, a list, a list in a list and a map. */
function gadgetCrd(embedded: unknown): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com', annotations: { [EMBEDDED_KUBERNETES_TYPES_ANNOTATION]: typeof embedded === 'string' ? embedded : JSON.stringify(embedded) } },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Gadget', plural: 'gadgets' },
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  pod: open,
                  tolerations: { type: 'array', items: open },
                  routes: { type: 'array', items: { type: 'object', properties: { tls: { type: 'array', items: open } } } },
                  probes: { type: 'object', additionalProperties: open },
                },
              },
            },
          },
        },
      }],
    },
  };
}

const TYPES = {
  'spec.pod': 'io.k8s.api.core.v1.PodTemplateSpec',
  'spec.tolerations[]': 'io.k8s.api.core.v1.Toleration',
  'spec.routes[].tls[]': 'io.k8s.api.networking.v1.IngressTLS',
  'spec.probes{}': 'io.k8s.api.core.v1.Probe',
};

function gadget(spec: Json): Json {
  return { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec };
}

function found(issues: readonly ManifestIssue[]): string[] {
  return issues.map((i) => `${i.path}: ${i.message}`);
}

describe('Kubernetes objects embedded in custom resources', () => {
  const validator = new ManifestValidator({ crds: [gadgetCrd(TYPES)] });

  test('valid embedded objects pass, in objects, lists, nested lists and maps', () => {
    expect(found(validator.validate(gadget({
      pod: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      tolerations: [{ key: 'k', operator: 'Exists' }],
      routes: [{ tls: [{ hosts: ['a.example.com'], secretName: 's' }] }],
      probes: { live: { httpGet: { path: '/healthz', port: 'http' } } },
    })))).toEqual([]);
  });

  test('types, required fields and unknown fields are reported at their full path', () => {
    expect(found(validator.validate(gadget({
      pod: { spec: { containers: [{ image: 'i', imag: 'typo' }] } },
      tolerations: [{ key: 'k' }, { tolerationSeconds: 'soon' }],
      routes: [{ tls: [{ host: 'a.example.com' }] }],
      probes: { live: { httpGet: { port: 'http' }, periodSecond: 3 } },
    })))).toEqual([
      '/spec/pod/spec/containers/0/name: required field "name" is missing',
      '/spec/pod/spec/containers/0/imag: unknown field "imag"',
      '/spec/tolerations/1/tolerationSeconds: must be integer',
      '/spec/routes/0/tls/0/host: unknown field "host"',
      '/spec/probes/live/periodSecond: unknown field "periodSecond"',
    ]);
  });

  test('values of the wrong JSON type are reported once, by the CRD schema', () => {
    expect(found(validator.validate(gadget({ pod: 'x', tolerations: ['x'] })))).toEqual([
      '/spec/pod: must be object',
      '/spec/tolerations/0: must be object',
    ]);
  });

  test.each([
    ['not JSON', '{', /is not JSON/],
    ['not an object', [], /must be a JSON object/],
    ['a bad pattern', { 'spec..pod': 'io.k8s.api.core.v1.PodTemplateSpec' }, /"spec\.\.pod" is not a path pattern/],
    ['an unknown definition', { 'spec.pod': 'io.k8s.api.core.v1.PodTemplateSpecs' }, /"io.k8s.api.core.v1.PodTemplateSpecs" is not a definition of the Kubernetes 1.28 API/],
    ['a non-string definition', { 'spec.pod': 3 }, /3 is not a definition/],
  ])('an annotation that is %s is reported on the CRD, and its resources cannot be checked', (_what, annotation, message) => {
    const crd = gadgetCrd(annotation);
    const issues = new ManifestValidator().validateAll([crd, gadget({})]);
    expect(issues.map((i) => `${i.object} ${i.path}`)).toEqual([
      'apiextensions.k8s.io/v1 CustomResourceDefinition gadgets.example.com /metadata/annotations/spark-platform.io~1embedded-kubernetes-types',
      'example.com/v1 Gadget g ',
    ]);
    expect(issues[0]!.message).toMatch(message);
    expect(issues[1]!.message).toMatch(/^cannot be checked: the annotation spark-platform.io\/embedded-kubernetes-types of CustomResourceDefinition gadgets.example.com /);
  });

  test('a CRD without the annotation embeds nothing', () => {
    expect(embeddedTypesOf({ name: 'x' })).toEqual({ types: [] });
    expect(embeddedTypesOf(undefined)).toEqual({ types: [] });
  });

  test('patterns are split into field names, [] and {}; the apiVersion comes from the definition package', () => {
    expect(embeddedTypesOf(gadgetCrd(TYPES).metadata)).toEqual({
      types: [
        { pattern: 'spec.pod', definition: 'io.k8s.api.core.v1.PodTemplateSpec', apiVersion: 'v1', tokens: ['spec', 'pod'] },
        { pattern: 'spec.tolerations[]', definition: 'io.k8s.api.core.v1.Toleration', apiVersion: 'v1', tokens: ['spec', 'tolerations', '[]'] },
        { pattern: 'spec.routes[].tls[]', definition: 'io.k8s.api.networking.v1.IngressTLS', apiVersion: 'networking.k8s.io/v1', tokens: ['spec', 'routes', '[]', 'tls', '[]'] },
        { pattern: 'spec.probes{}', definition: 'io.k8s.api.core.v1.Probe', apiVersion: 'v1', tokens: ['spec', 'probes', '{}'] },
      ],
    });
  });
});
