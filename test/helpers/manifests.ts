import { Chart, Testing } from 'cdk8s';
import { ManifestValidator, formatIssues } from '../../constructs/validation';

/** A synthesized object, loosely typed for assertions. */
export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

/** A fresh chart in a fresh app, for construct tests. */
export function testChart(): Chart {
  return Testing.chart();
}

/** The chart's objects, as `cdk8s synth` would write them. */
export function synth(chart: Chart): Obj[] {
  return Testing.synth(chart) as Obj[];
}

/** The one object of `kind` named `name` (and in `namespace`, if given); fails the test otherwise. */
export function findObject(objects: readonly Obj[], kind: string, name: string, namespace?: string): Obj {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${namespace ? `${namespace}/` : ''}${name}, found ${found.length}; have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found[0];
}

/** All objects of a kind. */
export function ofKind(objects: readonly Obj[], kind: string): Obj[] {
  return objects.filter((o) => o.kind === kind);
}

/**
 * Asserts that every object validates against the Kubernetes schemas (built-in kinds) or its
 * CRD's schema (custom resources; CRDs among `objects` or in `crds`). Unknown kinds fail.
 */
export function expectValidManifests(objects: readonly unknown[], crds: readonly unknown[] = []): void {
  const issues = new ManifestValidator({ crds }).validateAll(objects);
  expect(formatIssues(issues)).toBe('');
  expect(issues).toHaveLength(0);
}
