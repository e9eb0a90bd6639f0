import { App } from 'cdk8s';
import { SparkPlatformApp } from '../../stacks/gitops';
import { SOURCE_ANNOTATION } from '../../stacks/gitops';
import { PLATFORM_COMPONENT_TYPE, SparkPlatform } from '../../stacks/pulumi';
import { buildLibraryExample } from '../helpers/library-app';
import { installPulumiMocks, setStackConfig, valueOf } from '../helpers/pulumi-mocks';

/**
 * `spark-platform/pulumi`'s SparkPlatform on a user's own cdk8s app (issue 20): the same checks as
 * the GitOps output, the planned order, resource names from the app's name.
 */
const recorder = installPulumiMocks('library-user', 'test');
const config = setStackConfig('library-user', {});

async function settled(platform: SparkPlatform): Promise<void> {
  await Promise.all([platform.urn, platform.provider.urn, ...[...platform.resources.values()].map((r) => r.urn)].map((o) => valueOf(o)));
}

const kube = () => [...recorder.registrations.values()].filter((r) => r.type.startsWith('kubernetes:'));

test('any App: every object registered once, named after the component, annotated with its source, in dependency order', async () => {
  recorder.clear();
  const app = new App();
  buildLibraryExample(app);
  const platform = new SparkPlatform('analytics', { app, config });
  await settled(platform);
  expect([...recorder.registrations.values()].filter((r) => r.type === PLATFORM_COMPONENT_TYPE).map((r) => r.name)).toEqual(['analytics']);
  const registered = kube();
  expect(registered.length).toBe(platform.plan.length);
  expect(registered.length).toBeGreaterThan(20);
  for (const r of registered) {
    expect(r.name.startsWith('analytics:')).toBe(true);
    const annotations = (r.inputs.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    expect(annotations[SOURCE_ANNOTATION]).toMatch(/^analytics\/(crds|tenants|operator|jobs)\//);
  }
  // the SparkApplication waits for its CRD, its namespace and the operator's controller
  const app1 = registered.find((r) => r.type === 'kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication')!;
  expect(app1.dependencies).toEqual(expect.arrayContaining([
    'analytics:CustomResourceDefinition/sparkapplications.sparkoperator.k8s.io',
    'analytics:Namespace/spark-analytics',
    'analytics:spark-operator/Deployment/spark-operator-controller',
  ]));
  expect(platform.rendered.doctor.errors).toEqual([]);
});

test('a SparkPlatformApp: named by the app, rendered with its own options; options on the component too are refused', async () => {
  recorder.clear();
  const app = new SparkPlatformApp({ name: 'dev', sourceAnnotation: false });
  buildLibraryExample(app);
  const platform = new SparkPlatform('ignored', { app, config });
  await settled(platform);
  expect(platform.environment).toBe('dev');
  for (const r of kube()) {
    expect(r.name.startsWith('dev:')).toBe(true);
    expect((r.inputs.metadata as { annotations?: Record<string, string> }).annotations?.[SOURCE_ANNOTATION]).toBeUndefined();
  }
  const other = new SparkPlatformApp({ name: 'dev' });
  buildLibraryExample(other);
  expect(() => new SparkPlatform('x', { app: other, config, sourceAnnotation: true })).toThrow(/SparkPlatform "x" sourceAnnotation: is set, but a SparkPlatformApp renders with its own options/);
});

test('charts: only those charts, the whole app still checked', async () => {
  recorder.clear();
  const app = new App();
  const charts = buildLibraryExample(app);
  const platform = new SparkPlatform('t', { charts: [charts.crds, charts.tenants], config });
  await settled(platform);
  const kinds = new Set(kube().map((r) => r.type));
  expect(kinds.has('kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition')).toBe(true);
  expect(kinds.has('kubernetes:core/v1:Namespace')).toBe(true);
  expect(kinds.has('kubernetes:apps/v1:Deployment')).toBe(false);
  expect(kinds.has('kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication')).toBe(false);
  // a check failing in a chart left out still fails
  const broken = new App();
  const parts = buildLibraryExample(broken, { crds: false });
  expect(() => new SparkPlatform('t2', { charts: [parts.tenants], config })).toThrow(/has no CustomResourceDefinition/);
});

test('bad input is refused before anything registers: no app, charts of two apps, an empty chart list', () => {
  recorder.clear();
  expect(() => new SparkPlatform('a', { config })).toThrow(/app: is not set/);
  const one = buildLibraryExample(new App());
  const two = buildLibraryExample(new App());
  expect(() => new SparkPlatform('b', { charts: [one.crds, two.crds], config })).toThrow(/charts: come from more than one cdk8s app/);
  expect(() => new SparkPlatform('c', { charts: [], config })).toThrow(/charts: is empty/);
  expect(recorder.registrations.size).toBe(0);
});
