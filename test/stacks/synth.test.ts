import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { PlatformConfig } from '../../stacks/config';
import { ENVIRONMENTS, dev } from '../../stacks/environments';
import { SOURCE_ANNOTATION, SYNC_WAVE_ANNOTATION } from '../../stacks/gitops';
import { writeTreeAtomically } from '../../stacks/gitops';
import { renderAll, renderEnvironment, runSynth, synthesize } from '../../stacks/synth';
import { EXTERNAL_CRDS } from '../../constructs/validation/external-crds';
import { kustomize } from '../helpers/kubectl';
import { Obj, expectValidManifests } from '../helpers/manifests';

/** Every file under `dir`, relative path -> content. */
function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spark-platform-'));
}

const CRD_DIR = path.resolve(__dirname, '../../constructs/operator/crds');

const quiet = { log: () => undefined, error: () => undefined };

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('environment %s', (name, env) => {
  const rendered = renderEnvironment(env);
  const objects = rendered.objects as unknown as Obj[];

  test('every object validates against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    expectValidManifests(objects);
  });

  test('no empty list anywhere: the API server stores [] as absent, so it would differ from the live object on every apply', () => {
    // The e2e suite's second server-side apply found this on default-deny-all (egress: []).
    const empty: string[] = [];
    const walk = (v: unknown, at: string) => {
      if (Array.isArray(v)) {
        if (v.length === 0) empty.push(at);
        v.forEach((x, i) => walk(x, `${at}[${i}]`));
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
      }
    };
    // CRD schemas may say `required: []`-like things on purpose; they are not stored objects' specs.
    for (const o of objects.filter((x) => x.kind !== 'CustomResourceDefinition')) walk(o, `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(empty).toEqual([]);
  });

  test('namespaces and CRDs come before anything that lives in them or uses them', () => {
    // Installed with other projects, never by the platform: the CRDs of EXTERNAL_CRDS (the
    // Prometheus Operator's PodMonitor, cert-manager's kinds, ...) and the monitoring stack's
    // namespace, where the environment puts its Grafana dashboard.
    const seenNamespaces = new Set<string>(env.monitoring?.dashboard ? [env.monitoring.dashboard.namespace] : []);
    const seenCrdKinds = new Set<string>(EXTERNAL_CRDS.map((c: any) => `${c.spec.group}/${c.spec.names.kind}`));
    for (const o of objects) {
      if (o.kind === 'Namespace') seenNamespaces.add(o.metadata.name);
      if (o.kind === 'CustomResourceDefinition') seenCrdKinds.add(`${o.spec.group}/${o.spec.names.kind}`);
      if (o.metadata.namespace) expect({ object: `${o.kind}/${o.metadata.name}`, namespaceBefore: seenNamespaces.has(o.metadata.namespace) }).toEqual({ object: `${o.kind}/${o.metadata.name}`, namespaceBefore: true });
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      if (group.includes('.') && !group.endsWith('k8s.io')) expect({ object: `${o.kind}/${o.metadata.name}`, crdBefore: seenCrdKinds.has(`${group}/${o.kind}`) }).toEqual({ object: `${o.kind}/${o.metadata.name}`, crdBefore: true });
    }
  });

  test('sync waves follow the file order, and kustomization.yaml lists every file in that order', () => {
    const kustomization = YAML.parse(rendered.files.get(`${name}/kustomization.yaml`)!);
    expect(kustomization.resources).toEqual(rendered.charts.map((c) => c.file));
    expect(kustomization.sortOptions).toEqual({ order: 'fifo' });
    rendered.charts.forEach((chart, i) => {
      expect(chart.file.startsWith(String(i).padStart(2, '0'))).toBe(true);
      for (const o of chart.objects) expect(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]).toBe(String(i));
    });
  });

  test('`kubectl kustomize` (kubectl 1.28) renders exactly our objects, in our order', () => {
    const dir = tmpdir();
    writeTreeAtomically(rendered.files, dir);
    const docs = YAML.parseAllDocuments(kustomize(path.join(dir, name))).map((d) => d.toJSON());
    expect(docs).toEqual(objects);
  }, 120_000);

  test('its CRDs are the committed CRD manifests (constructs/operator/crds/*.yaml), plus the sync wave and source annotations', () => {
    const committed = fs.readdirSync(CRD_DIR).sort().map((f) => YAML.parse(fs.readFileSync(path.join(CRD_DIR, f), 'utf8')));
    const emitted = objects.filter((o) => o.kind === 'CustomResourceDefinition')
      .map(({ metadata: { annotations, ...meta }, ...rest }) => {
        const { [SYNC_WAVE_ANNOTATION]: wave, [SOURCE_ANNOTATION]: source, ...others } = annotations ?? {};
        expect(wave).toBe('0');
        expect(source).toBe(`${name}/crds/SparkOperatorCrds/${rest.spec.names.kind}`);
        return { ...rest, metadata: { ...meta, ...(Object.keys(others).length ? { annotations: others } : {}) } };
      })
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(emitted).toEqual(committed.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)));
  });

  test('snapshot of dist/' + name + ' (CRD schemas by digest: they have their own staleness test)', () => {
    const files = Object.fromEntries([...rendered.files].map(([file, content]) => [
      file,
      file.endsWith('-crds.yaml') ? `sha256:${createHash('sha256').update(content).digest('hex')} (${content.length} bytes)` : content,
    ]));
    expect(files).toMatchSnapshot();
  });
});

describe('synth output', () => {
  test('is deterministic: two synths write byte-identical trees', () => {
    const a = tmpdir();
    const b = tmpdir();
    synthesize({ environments: ENVIRONMENTS, outdir: path.join(a, 'dist') });
    synthesize({ environments: ENVIRONMENTS, outdir: path.join(b, 'dist') });
    expect(readTree(path.join(a, 'dist'))).toEqual(readTree(path.join(b, 'dist')));
    expect(Object.keys(readTree(path.join(a, 'dist')))).toEqual(expect.arrayContaining(['dev/kustomization.yaml', 'prod/kustomization.yaml']));
  });

  test('replaces the previous tree whole: files of a removed environment disappear', () => {
    const outdir = path.join(tmpdir(), 'dist');
    synthesize({ environments: ENVIRONMENTS, outdir });
    synthesize({ environments: [dev], outdir });
    expect(fs.readdirSync(outdir)).toEqual(['dev']);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']); // no temporary directories left behind
  });

  test('writes normal permissions: directories 0755, files 0644 (not mkdtemp\'s 0700)', () => {
    const outdir = path.join(tmpdir(), 'dist');
    const old = process.umask(0o022);
    try {
      synthesize({ environments: [dev], outdir });
    } finally {
      process.umask(old);
    }
    const mode = (p: string) => fs.statSync(p).mode & 0o777;
    expect(mode(outdir)).toBe(0o755);
    expect(mode(path.join(outdir, 'dev'))).toBe(0o755);
    // (templates/ holds the SparkJob templates: a directory, 0755, with 0644 files)
    for (const f of fs.readdirSync(path.join(outdir, 'dev'), { recursive: true }) as string[]) expect([f, mode(path.join(outdir, 'dev', f))]).toEqual([f, fs.statSync(path.join(outdir, 'dev', f)).isDirectory() ? 0o755 : 0o644]);
  });

  test('writes the staging directory `cdk8s synth` lists, with the same files', () => {
    const root = tmpdir();
    synthesize({ environments: [dev], outdir: path.join(root, 'dist'), stagingDir: path.join(root, 'staging') });
    expect(readTree(path.join(root, 'staging'))).toEqual(readTree(path.join(root, 'dist')));
  });

  test('refuses two environments with one name', () => {
    expect(() => renderAll([dev, dev])).toThrow(/two environments are named "dev"/);
  });
});

describe('a failing synth leaves the previous dist/ as it was', () => {
  const broken: PlatformConfig = { ...dev, tenants: [{ name: 'spark-jobs', quota: { cpu: '1' } }] };

  test.each<[string, PlatformConfig, RegExp]>([
    ['a quota below one job', broken, /environment "dev": SparkNamespace "spark-jobs" quota\.cpu: 1 is below what the smallest job needs .* Fix: raise quota\.cpu to at least 2/],
    ['a misspelled field', { ...dev, tenants: [{ name: 'spark-jobs', qouta: {} } as never] }, /environment "dev": tenants\[0\]\.qouta: is not a known field\. Fix: did you mean "quota"\?/],
    ['an invalid tenant name', { ...dev, tenants: [{ name: 'Spark_Jobs' }] }, /tenants\[0\]\.name: "Spark_Jobs" is not a valid DNS-1123 label/],
    ['no tenants (the operator would watch every namespace)', { ...dev, tenants: [], jobs: [], notebooks: [] }, /environment "dev": tenants: is empty, so the Spark operator would watch every namespace with cluster-wide rights to create pods, Services and ConfigMaps\. Fix: list at least one tenant namespace/],
  ])('%s: exit code 1, the field and fix on stderr, dist/ untouched', (_name, env, message) => {
    const outdir = path.join(tmpdir(), 'dist');
    synthesize({ environments: ENVIRONMENTS, outdir });
    const before = readTree(outdir);
    const errors: string[] = [];
    const code = runSynth({ environments: [env, ...ENVIRONMENTS.filter((e) => e.name !== 'dev')], outdir }, { log: () => undefined, error: (m: string) => errors.push(m) });
    expect(code).toBe(1);
    expect(errors.join('\n')).toMatch(message);
    expect(errors.join('\n')).toMatch(/dist\/ is left as it was/);
    expect(readTree(outdir)).toEqual(before);
  });

  test('a failure while writing removes the half-written tree and keeps the old one', () => {
    const outdir = path.join(tmpdir(), 'dist');
    synthesize({ environments: [dev], outdir });
    const before = readTree(outdir);
    // a file whose parent is a file cannot be written
    const files = new Map([['dev/a.yaml', 'x'], ['dev/a.yaml/b.yaml', 'y']]);
    expect(() => writeTreeAtomically(files, outdir)).toThrow();
    expect(readTree(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });

  test('runSynth reports success per environment', () => {
    const lines: string[] = [];
    expect(runSynth({ environments: ENVIRONMENTS, outdir: path.join(tmpdir(), 'dist') }, { ...quiet, log: (m: string) => lines.push(m) })).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^dev: \d+ files in .*dist\/dev\/$/), expect.stringMatching(/^prod: \d+ files in .*dist\/prod\/$/)]);
  });
});
