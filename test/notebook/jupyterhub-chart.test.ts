/**
 * JupyterHubSpark's values fragment rendered by the zero-to-jupyterhub 4.4.0 chart itself
 * (`helm template` of ../shared/upstream/zero-to-jupyterhub-4.4.0/chart). helm validates the values
 * against the chart's values.schema.json, so a key the chart does not know, or a wrong type, fails
 * the render: the fragment must pass, and the rendered objects must carry its settings.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import {
  JupyterHubSpark, Memory, NetworkEndpoint, ObjectStoreConnection, S3ObjectStore, SparkNamespace, SparkNotebookImage, Z2JH_SINGLEUSER_LABELS,
} from '../../constructs';
import { HelmResult, helmTemplateResult } from '../helpers/helm-chart';
import { Obj, findObject, testChart } from '../helpers/manifests';
import { describeWithShared } from '../helpers/shared';

const NAMESPACE = 'hub-users';
const IMAGE = 'registry.example.com/spark-notebook:4.0.3-jupyterlab4.6.6';
const minio = NetworkEndpoint.pods({ namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'minio' }, ports: [{ port: 9000 }] });
const store = S3ObjectStore.external({ endpoint: 'http://minio.spark-platform.svc.cluster.local:9000', buckets: ['spark-logs'] });

/** The fragments as the project builds them (see alternatives.test.ts), from the fullest wiring to the barest. */
const BUILDS: ReadonlyArray<[string, () => JupyterHubSpark]> = [
  ['a tenant with object store, API server and package repository; s3a credentials', () => {
    const chart = testChart();
    const namespace = new SparkNamespace(chart, 'T', { name: NAMESPACE, objectStore: minio, apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.1/32'], [443]), packageRepository: NetworkEndpoint.cidrs(['192.0.2.10/32'], [{ port: 443 }]) });
    const hub = new JupyterHubSpark(chart, 'Hub', { namespace, image: SparkNotebookImage.unified({ image: IMAGE }) });
    new ObjectStoreConnection({ store }).connect(hub);
    return hub;
  }],
  ['a bare tenant, pull secrets, three sessions, a larger driver heap', () => {
    const chart = testChart();
    const namespace = new SparkNamespace(chart, 'T', { name: NAMESPACE });
    return new JupyterHubSpark(chart, 'Hub', { namespace, image: SparkNotebookImage.unified({ image: IMAGE }), sessions: 3, driverMemory: Memory.gibibytes(2), imagePullSecrets: ['registry-pull'] });
  }],
];

describeWithShared('JupyterHubSpark values through the zero-to-jupyterhub 4.4.0 chart', (shared) => {
  const chartDir = path.join(shared, 'upstream', 'zero-to-jupyterhub-4.4.0', 'chart');
  // The chart's minimum Kubernetes version (Chart.yaml kubeVersion ">=X.Y.Z-0"), so the render is at least that.
  const kubeVersionRange: string = YAML.parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')).kubeVersion;
  const minimum = /^>=\s*(\d+\.\d+\.\d+)/.exec(kubeVersionRange)?.[1];
  const render = (values: unknown): HelmResult => helmTemplateResult(chartDir, { release: 'jupyterhub', namespace: NAMESPACE, values, kubeVersion: minimum });

  test('the chart declares a minimum Kubernetes version, and states the schema the render is checked against', () => {
    expect(minimum).toMatch(/^1\.\d+\.\d+$/);
    const schema = JSON.parse(readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8'));
    // The validation below relies on these being closed: an unknown key there is an error.
    expect(schema.properties.singleuser.additionalProperties).toBe(false);
    expect(schema.properties.singleuser.properties.storage.additionalProperties).toBe(false);
  });

  describe.each(BUILDS)('%s', (_name, build) => {
    const hub = build();
    const fragment = hub.values() as any;
    let objects: Obj[];

    beforeAll(() => {
      const r = render(fragment);
      // Fail with helm's own message (e.g. the schema violation) rather than a later undefined.
      if (r.error !== undefined) throw new Error(`the JupyterHubSpark fragment does not render: ${r.error}`);
      objects = r.objects;
    });

    test('the hub receives every value of the fragment unchanged (its Secret holds the merged values it reads)', () => {
      const secret = findObject(objects, 'Secret', 'hub', undefined);
      const merged = YAML.parse(Buffer.from(secret.data['values.yaml'], 'base64').toString('utf8'));
      // Arrays must match whole (toMatchObject compares them element by element, same length).
      expect(merged).toMatchObject({ singleuser: fragment.singleuser, hub: fragment.hub });
      expect(merged.singleuser).toMatchObject({ image: { name: 'registry.example.com/spark-notebook', tag: '4.0.3-jupyterlab4.6.6' }, serviceAccountName: 'jupyterhub-spark', uid: 185 });
      expect(Object.keys(merged.singleuser.extraEnv)).toEqual(expect.arrayContaining(['POD_NAME', 'POD_IP']));
    });

    test('the single-user NetworkPolicy selects the pods our executors policy expects, and carries our rules', () => {
      const policy = findObject(objects, 'NetworkPolicy', 'singleuser', undefined);
      // JupyterHubSpark assumes the user pods carry Z2JH_SINGLEUSER_LABELS: the chart's own selector must include them.
      expect(policy.spec.podSelector.matchLabels).toMatchObject(Z2JH_SINGLEUSER_LABELS);
      for (const rule of fragment.singleuser.networkPolicy.ingress) expect(policy.spec.ingress).toContainEqual(rule);
      for (const rule of fragment.singleuser.networkPolicy.egress) expect(policy.spec.egress).toContainEqual(rule);
    });

    test('the image pullers pull our single-user image', () => {
      const pullers = objects.filter((o) => o.kind === 'DaemonSet' && /image-puller/.test(o.metadata.name));
      expect(pullers.length).toBeGreaterThan(0);
      for (const ds of pullers) {
        const images = [...(ds.spec.template.spec.initContainers ?? []), ...(ds.spec.template.spec.containers ?? [])].map((c: { image: string }) => c.image);
        expect(images).toContain(IMAGE);
      }
    });
  });

  test.each<[string, (fragment: any) => void, RegExp]>([
    ['an unknown key under singleuser (the schema forbids additional properties)', (f) => { f.singleuser.sparkDriver = true; }, /values don't meet the specifications of the schema[\s\S]*- singleuser: Additional property sparkDriver is not allowed/],
    ['an unknown key under singleuser.storage', (f) => { f.singleuser.storage.confMounts = []; }, /values don't meet the specifications of the schema[\s\S]*- singleuser\.storage: Additional property confMounts is not allowed/],
    ['uid as a string (the schema wants an integer)', (f) => { f.singleuser.uid = '185'; }, /values don't meet the specifications of the schema[\s\S]*- singleuser\.uid: Invalid type\. Expected: \[integer,null\], given: string/],
    ['networkPolicy.egress as an object (the schema wants an array)', (f) => { f.singleuser.networkPolicy.egress = { to: [] }; }, /values don't meet the specifications of the schema[\s\S]*- singleuser\.networkPolicy\.egress: Invalid type\. Expected: array, given: object/],
  ])('validation is live: %s fails the render with the schema error', (_name, spoil, message) => {
    const fragment = BUILDS[0][1]().values() as any;
    spoil(fragment);
    const r = render(fragment);
    expect(r.error).toMatch(message);
  });
});
