import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as YAML from 'yaml';
import { SparkOperator, sparkApplicationCrd } from '../../constructs';
import { Doctor, attachDoctor } from '../../constructs/doctor';
import { LibraryCharts, buildLibraryExample } from '../helpers/library-app';
import { ManifestValidationError } from '../../constructs/validation';
import { SOURCE_ANNOTATION, SYNC_WAVE_ANNOTATION, SparkPlatformApp, SparkPlatformAppProps, StagedTree, deployAfter, renderApp } from '../../stacks/gitops';

/**
 * SparkPlatformApp, the library's safety net (issue 20): the doctor, the CRD check and the
 * schema check run on every synth of a user's own app, and the output is the GitOps layout.
 */

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'spark-platform-app-'));

interface Built {
  readonly app: SparkPlatformApp;
  readonly charts: LibraryCharts;
}

function build(props: SparkPlatformAppProps, options: { crds?: boolean; crdsLast?: boolean } = {}): Built {
  const app = new SparkPlatformApp(props);
  return { app, charts: buildLibraryExample(app, options) };
}

const docs = (file: string): Array<Record<string, any>> => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON());

describe('SparkPlatformApp.synth()', () => {
  test('writes <outdir>/<name>/: one file per chart in apply order, sync waves, a kustomization, source annotations', () => {
    const outdir = tmp();
    build({ name: 'dev', outdir }).app.synth();
    const dir = path.join(outdir, 'dev');
    const files = ['00-crds.yaml', '01-tenants.yaml', '02-operator.yaml', '03-jobs.yaml'];
    expect(fs.readdirSync(dir).sort()).toEqual([...files, 'kustomization.yaml']);
    expect(YAML.parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')).resources).toEqual(files);
    files.forEach((file, wave) => {
      for (const o of docs(path.join(dir, file))) {
        expect(o.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(wave));
        expect(o.metadata.annotations[SOURCE_ANNOTATION]).toMatch(new RegExp(`^dev/${file.slice(3, -5)}/`));
      }
    });
    const app = docs(path.join(dir, '03-jobs.yaml')).find((o) => o.kind === 'SparkApplication')!;
    expect(app.metadata.annotations[SOURCE_ANNOTATION]).toBe('dev/jobs/spark-pi/Resource');
    // only the object's own metadata: pod templates carry no source (moving code restarts nothing)
    expect(JSON.stringify(app.spec)).not.toContain(SOURCE_ANNOTATION);
  });

  test('without a name it writes <outdir> itself; sourceAnnotation: false leaves the annotation out', () => {
    const outdir = tmp();
    build({ outdir, sourceAnnotation: false }).app.synth();
    expect(fs.readdirSync(outdir)).toContain('kustomization.yaml');
    const all = fs.readdirSync(outdir).filter((f) => f !== 'kustomization.yaml').flatMap((f) => docs(path.join(outdir, f)));
    expect(all.length).toBeGreaterThan(10);
    for (const o of all) expect(o.metadata.annotations[SOURCE_ANNOTATION]).toBeUndefined();
  });

  test('a doctor error fails the synth and leaves the previous output as it was', () => {
    const outdir = tmp();
    build({ name: 'dev', outdir }).app.synth();
    const before = fs.readFileSync(path.join(outdir, 'dev', '03-jobs.yaml'), 'utf8');
    const { app, charts } = build({ name: 'dev', outdir });
    new ApiObject(charts.jobs, 'Leak', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leak', namespace: 'spark-analytics' },
      data: { 'spark-defaults.conf': 'spark.hadoop.fs.s3a.secret.key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY' },
    });
    expect(() => app.synth()).toThrow(/secret-in-output/);
    expect(fs.readFileSync(path.join(outdir, 'dev', '03-jobs.yaml'), 'utf8')).toBe(before);
  });

  test('an object the Kubernetes schemas reject fails the synth', () => {
    const { app, charts } = build({ name: 'dev', outdir: tmp() });
    new ApiObject(charts.jobs, 'Bad', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad', namespace: 'spark-analytics' }, data: { n: 1 as unknown as string } });
    expect(() => app.render()).toThrow(/v1 ConfigMap spark-analytics\/bad at \/data\/n/);
  });

  test('a custom kind without its CRD is an error naming the CRD construct; installedCrds accepts it', () => {
    expect(() => build({ name: 'dev' }, { crds: false }).app.render())
      .toThrow(/charts: sparkoperator\.k8s\.io\/v1beta2 SparkApplication "spark-pi" \(chart "jobs"\) has no CustomResourceDefinition.*Fix: add `new SparkOperatorCrds/);
    const rendered = build({ name: 'dev', installedCrds: [sparkApplicationCrd()] }, { crds: false }).app.render();
    expect(rendered.objects.filter((o) => o.kind === 'SparkApplication')).toHaveLength(1);
    expect(rendered.objects.filter((o) => o.kind === 'CustomResourceDefinition')).toHaveLength(0);
  });

  test('a CRD applied after the objects of its kind is an error with the deployAfter fix', () => {
    expect(() => build({ name: 'dev' }, { crdsLast: true }).app.render())
      .toThrow(/SparkApplication "spark-pi" \(chart "jobs"\) is applied before the chart "crds" that defines its kind\. Fix: deployAfter\(jobsChart, crdsChart\)/);
  });

  test('the doctor is attached once: render twice works; options given twice are refused', () => {
    const { app } = build({ name: 'dev', doctor: { suppressions: [] } });
    expect(app.render().files).toEqual(app.render().files);
    const other = new SparkPlatformApp({ doctor: { suppressions: [] } });
    attachDoctor(other);
    expect(() => other.render()).toThrow(/doctor: the app has a doctor already/);
    expect(Doctor.of(new App())).toBeUndefined();
  });

  test('a name that is not a DNS label is refused at render, naming the prop', () => {
    expect(() => build({ name: 'Dev_1' }).app.render()).toThrow(/SparkPlatformApp name: "Dev_1" is not a DNS label/);
  });

  test('check() is render() without the files: same objects, charts, report and Secrets; same refusals', () => {
    const checked = build({ name: 'dev' }).app.check();
    const rendered = build({ name: 'dev' }).app.render();
    expect('files' in checked).toBe(false);
    expect(checked.objects).toEqual(rendered.objects);
    expect(checked.charts).toEqual(rendered.charts);
    expect(checked.secretRefs).toEqual(rendered.secretRefs);
    expect(checked.doctor.warnings).toEqual(rendered.doctor.warnings);
    expect(rendered.files.size).toBeGreaterThan(checked.charts.length);
    expect(() => build({ name: 'Dev_1' }).app.check()).toThrow(/SparkPlatformApp name: "Dev_1" is not a DNS label/);
  });

  test('the render\'s validations reuse the doctor\'s JSON (no SparkApplication rendered twice), not once the tree has changed', () => {
    // GIVEN an app whose operator runs without its webhook (its check reads every SparkApplication)
    const app = new SparkPlatformApp({ name: 'dev' });
    const chart = new Chart(app, 'c');
    new SparkOperator(chart, 'Op', { jobNamespaces: [{ name: 'team' }] });
    // (in a chart of its own: the first chart's toJson() renders that chart's objects anyway)
    const pi = new ApiObject(new Chart(app, 'jobs'), 'App', { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 'pi', namespace: 'team' }, spec: {} });
    attachDoctor(app, {});
    const toJson = jest.spyOn(pi, 'toJson');
    // WHEN the app renders (the doctor first, then the charts with their validations)
    expect(() => app.render()).toThrow(); // no CRD chart: the render fails after the validations
    // THEN the SparkApplication was rendered once, by the doctor
    expect(toJson).toHaveBeenCalledTimes(1);
    // AND an application added after that report is checked (the tree changed: the JSON is not reused)
    new ApiObject(pi.node.scope!, 'Late', { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 'late', namespace: 'team' }, spec: { driver: { tolerations: [{ key: 'spark', operator: 'Exists' }] } } });
    expect(() => app.synthYaml()).toThrow(/SparkApplication team\/late sets spec\.driver\.tolerations, which only the operator's webhook applies/);
  });

  test('synthYaml is every object in apply order, after the same checks', () => {
    const { app } = build({ name: 'dev' });
    const objects = YAML.parseAllDocuments(app.synthYaml()).map((d) => d.toJSON());
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(app.render().objects.map((o) => `${o.kind}/${o.metadata.name}`));
    expect(objects[0].kind).toBe('CustomResourceDefinition');
  });
});

describe('SparkPlatformApp.stream(): one object at a time', () => {
  test('hands over exactly the files render() makes, file after file, one chunk per object', () => {
    const chunks: Array<[string, string]> = [];
    const seen: string[] = [];
    let objects = 0;
    const streamed = build({ name: 'dev' }).app.stream((file, chunk) => chunks.push([file, chunk]), { chart: (c) => seen.push(c.file), object: () => objects++ });
    const rendered = build({ name: 'dev' }).app.render();
    const files = new Map<string, string>();
    for (const [file, chunk] of chunks) files.set(file, (files.get(file) ?? '') + chunk);
    expect(files).toEqual(rendered.files);
    // each file's chunks come together: the charts in apply order, then the kustomization
    expect(chunks.map(([file]) => file).filter((f, i, all) => f !== all[i - 1])).toEqual([...seen, 'kustomization.yaml']);
    // a chart's file begins with an empty chunk, then one document per object
    const chartChunks = chunks.filter(([file]) => seen.includes(file));
    expect(chartChunks.filter(([, chunk]) => chunk === '')).toHaveLength(seen.length);
    expect(chartChunks.filter(([, chunk]) => chunk !== '')).toHaveLength(rendered.objects.length);
    expect(objects).toBe(rendered.objects.length);
    expect(streamed.files).toEqual(seen);
    expect(streamed.objectCount).toBe(rendered.objects.length);
    expect(streamed.doctor.warnings).toEqual(rendered.doctor.warnings);
  });

  test('the JSON the doctor rendered is taken over and let go object by object: nothing keeps it after the stream', () => {
    // GIVEN an app and a spy on one object's rendering
    const { app, charts } = build({ name: 'dev' });
    const cm = new ApiObject(charts.jobs, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'spark-analytics' } });
    const toJson = jest.spyOn(cm, 'toJson');
    // WHEN it streams: the doctor renders every object once, the stream reuses that JSON
    let during: unknown = 'not called';
    app.stream(() => undefined, { object: () => { during = Doctor.of(app)!.renderedJson(); } });
    expect(toJson).toHaveBeenCalledTimes(1);
    // THEN the doctor holds no JSON once the stream has taken it over (its report stays)
    expect(during).toBeUndefined();
    expect(Doctor.of(app)!.renderedJson()).toBeUndefined();
    // AND a second stream of the unchanged tree renders the object again: no one kept its JSON
    app.stream(() => undefined);
    expect(toJson).toHaveBeenCalledTimes(2);
  });

  test('a change no construct records (a JSON patch, a label added) after a report is in the next synth: each synth runs the doctor anew', () => {
    // GIVEN an app whose doctor has reported, keeping the JSON it rendered
    const { app, charts } = build({ name: 'dev' });
    const cm = new ApiObject(charts.jobs, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'spark-analytics' }, data: { a: '1' } });
    const report = Doctor.of(app)?.report() ?? attachDoctor(app).report();
    expect(Doctor.of(app)!.renderedJson()).toBeDefined();
    // WHEN the object changes in ways cdk8s allows after construction, none of them recorded
    cm.addJsonPatch(JsonPatch.add('/data/b', '2'));
    cm.metadata.addLabel('changed', 'after-report');
    const rendered = app.check();
    // THEN the render has both changes: the doctor's earlier JSON was not reused
    const out = rendered.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'cm')!;
    expect(out.data).toEqual({ a: '1', b: '2' });
    expect(out.metadata.labels).toEqual(expect.objectContaining({ changed: 'after-report' }));
    // AND the report is a new run's, not the cached one
    expect(rendered.doctor).not.toBe(report);
    // AND within one synth the doctor still runs once (cdk8s validates per chart, the run is reused)
    const run = jest.spyOn(Doctor.of(app)!, 'run');
    app.check();
    expect(run).toHaveBeenCalledTimes(1);
  });

  test('schema issues of every chart are thrown together after the last chart; synth() then leaves the output and no staging directory', () => {
    const outdir = tmp();
    build({ name: 'dev', outdir }).app.synth();
    const before = fs.readFileSync(path.join(outdir, 'dev', '01-tenants.yaml'), 'utf8');
    const { app, charts } = build({ name: 'dev', outdir });
    new ApiObject(charts.tenants, 'Bad1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad1', namespace: 'spark-analytics' }, data: { n: 1 as unknown as string } });
    new ApiObject(charts.jobs, 'Bad2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad2', namespace: 'spark-analytics' }, data: { m: true as unknown as string } });
    const handed: string[] = [];
    let error: unknown;
    try {
      app.stream((file) => (handed[handed.length - 1] === file ? undefined : handed.push(file)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestValidationError);
    expect((error as ManifestValidationError).issues.map((i) => `${i.object} ${i.path}`)).toEqual(['v1 ConfigMap spark-analytics/bad1 /data/n', 'v1 ConfigMap spark-analytics/bad2 /data/m']);
    expect(handed).toEqual(['00-crds.yaml', '01-tenants.yaml', '02-operator.yaml', '03-jobs.yaml']); // never the kustomization
    expect(() => app.synth()).toThrow(/bad1 at \/data\/n.*\n.*bad2 at \/data\/m/);
    expect(fs.readFileSync(path.join(outdir, 'dev', '01-tenants.yaml'), 'utf8')).toBe(before);
    expect(fs.readdirSync(outdir)).toEqual(['dev']);
  });
});

describe('StagedTree', () => {
  test('swaps the tree in on commit, removes it on abort; refuses paths outside it and use after the end', () => {
    const outdir = path.join(tmp(), 'out');
    const first = new StagedTree(outdir);
    first.write('a/b.yaml', 'b');
    expect(fs.existsSync(outdir)).toBe(false);
    first.commit();
    expect(fs.readFileSync(path.join(outdir, 'a', 'b.yaml'), 'utf8')).toBe('b');
    expect(() => first.write('c.yaml', 'c')).toThrow(/is committed/);
    first.abort(); // nothing once committed
    const second = new StagedTree(outdir);
    expect(() => second.write('../escape.yaml', 'x')).toThrow(/outside the tree/);
    second.write('c.yaml', 'c');
    second.abort();
    expect(fs.readdirSync(outdir)).toEqual(['a']);
    // append: chunks of a file go to it in order; coming back to a file continues it
    const third = new StagedTree(outdir);
    third.append('x.yaml', '');
    third.append('x.yaml', 'one\n');
    third.append('y/z.yaml', 'z');
    third.append('x.yaml', 'two\n');
    third.append('empty.yaml', '');
    third.commit();
    expect(fs.readFileSync(path.join(outdir, 'x.yaml'), 'utf8')).toBe('one\ntwo\n');
    expect(fs.readFileSync(path.join(outdir, 'y', 'z.yaml'), 'utf8')).toBe('z');
    expect(fs.readFileSync(path.join(outdir, 'empty.yaml'), 'utf8')).toBe('');
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['out']);
  });
});

describe('renderApp on a plain App', () => {
  test('attaches the doctor, prefixes sources with the name, and lists chart dependencies', () => {
    const app = new App();
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    deployAfter(a, b);
    new ApiObject(a, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' } });
    new ApiObject(b, 'Ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
    const rendered = renderApp(app, { name: 'team' });
    expect(Doctor.of(app)).toBeDefined();
    expect(rendered.charts.map((c) => [c.chart, c.file, c.dependsOn])).toEqual([['b', '00-b.yaml', []], ['a', '01-a.yaml', ['b']]]);
    expect(rendered.objects.map((o) => o.metadata.annotations?.[SOURCE_ANNOTATION])).toEqual(['team/b/Ns', 'team/a/Cm']);
  });
});
