/**
 * The engine: a cdk8s validation that fails the synth on errors (and only on errors),
 * suppressions with their reasons kept, one doctor per tree, a report computed once per tree,
 * and every object rendered once per run.
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Doctor, attachDoctor, formatFinding } from '../../constructs/doctor';
import { SparkPlatformError } from '../../constructs/errors';
import { SparkJob, SparkJobMode, SparkJobType } from '../../constructs/jobs';
import { SparkNamespace } from '../../constructs/tenancy';
import { renderCharts } from '../../stacks/gitops';
import { deployment, of, sparkApp } from './fixtures';

const UNPINNED = 'nginx';

function tree(build: (chart: Chart) => void): { app: App; chart: Chart } {
  const app = new App();
  const chart = new Chart(app, 'c');
  build(chart);
  return { app, chart };
}

describe('as a cdk8s validation', () => {
  test('an error fails the synth with the rule, the path, the object and the fix', () => {
    const { app } = tree((c) => deployment(c, 'Web', { image: UNPINNED }));
    attachDoctor(app);
    expect(() => app.synthYaml()).toThrow(/Validation failed with the following errors:\n {2}\[SparkPlatformDoctor\] image-not-pinned c\/Web \(Deployment\/apps\/web\): spec\.template\.spec\.containers\[0\]\.image: "nginx" has no tag.*Fix: pin/);
  });

  test('the GitOps renderer (npm run synth) fails the same way, as a user error', () => {
    const { app } = tree((c) => deployment(c, 'Web', { image: UNPINNED }));
    attachDoctor(app);
    expect(() => renderCharts(app)).toThrow(/^Validation failed with the following errors/);
  });

  test('warnings do not fail the synth; they are in the report', () => {
    const { app } = tree((c) => sparkApp(c, 'App', { spec: { timeToLiveSeconds: undefined } }));
    const doctor = attachDoctor(app);
    expect(() => app.synthYaml()).not.toThrow();
    expect(doctor.report().errors).toEqual([]);
    expect(doctor.report().warnings.map((w) => w.rule)).toEqual(['no-ttl']);
  });

  test('attached to a chart, it checks that chart only', () => {
    const app = Testing.app();
    const checked = new Chart(app, 'checked');
    const other = new Chart(app, 'other');
    deployment(other, 'Web', { image: UNPINNED });
    const doctor = attachDoctor(checked);
    expect(doctor.report().findings).toEqual([]);
    deployment(checked, 'Api', { image: UNPINNED });
    expect(doctor.report().errors.map((e) => e.path)).toEqual(['checked/Api']);
  });
});

describe('suppressions', () => {
  const REASON = 'a vendor image we mirror nightly; pinned by the mirror job';

  test('by construct path (the construct and everything under it): kept in the report with the reason, synth passes', () => {
    const { app } = tree((c) => deployment(c, 'Web', { image: UNPINNED }));
    const doctor = attachDoctor(app, { suppressions: [{ rule: 'image-not-pinned', path: 'c', reason: REASON }] });
    const r = doctor.report();
    expect(r.errors).toEqual([]);
    expect(r.suppressed).toEqual([expect.objectContaining({ rule: 'image-not-pinned', path: 'c/Web', suppressed: REASON, severity: 'error' })]);
    expect(formatFinding(r.suppressed[0])).toMatch(/\[suppressed: a vendor image we mirror nightly/);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('by object (Kind/namespace/name), for that rule only', () => {
    const { app } = tree((c) => {
      deployment(c, 'Web', { image: UNPINNED, env: [{ name: 'API_TOKEN', value: 'abc' }] });
      deployment(c, 'Api', { image: UNPINNED });
    });
    const r = attachDoctor(app, { suppressions: [{ rule: 'image-not-pinned', path: 'Deployment/apps/web', reason: REASON }] }).report();
    expect(r.suppressed.map((f) => `${f.rule} ${f.object}`)).toEqual(['image-not-pinned Deployment/apps/web']);
    expect(r.errors.map((f) => `${f.rule} ${f.object}`).sort()).toEqual(['image-not-pinned Deployment/apps/api', 'secret-in-output Deployment/apps/web']);
  });

  test('Doctor.suppress on a construct covers its subtree', () => {
    const { app, chart } = tree((c) => deployment(c, 'Web', { image: UNPINNED }));
    const doctor = attachDoctor(app);
    expect(doctor.report().errors).toHaveLength(1);
    Doctor.suppress(chart, 'image-not-pinned', REASON);
    expect(doctor.report().errors).toEqual([]);
    expect(doctor.report().suppressed[0].suppressed).toBe(REASON);
  });

  test('an unknown rule or an empty reason is refused; a suppression that matches nothing is listed', () => {
    const { app } = tree(() => undefined);
    expect(() => attachDoctor(app, { suppressions: [{ rule: 'image-unpinned', path: 'c', reason: REASON }] })).toThrow(SparkPlatformError);
    expect(() => attachDoctor(app, { suppressions: [{ rule: 'image-unpinned', path: 'c', reason: REASON }] })).toThrow(/doctor\.suppressions\[0\]\.rule: "image-unpinned" is not a doctor rule/);
    expect(() => attachDoctor(app, { suppressions: [{ rule: 'no-ttl', path: 'c', reason: ' ' }] })).toThrow(/doctor\.suppressions\[0\]\.reason: is empty/);
    expect(() => Doctor.suppress(app, 'no-ttl', '')).toThrow(/reason: is empty/);
    const r = attachDoctor(app, { suppressions: [{ rule: 'no-ttl', path: 'c/Gone', reason: REASON }] }).report();
    expect(r.unusedSuppressions).toEqual([{ rule: 'no-ttl', path: 'c/Gone', reason: REASON }]);
  });
});

describe('options', () => {
  test('quantities and fields are checked, naming the field', () => {
    const app = new App();
    expect(() => attachDoctor(app, { nodes: [{ name: 'n', cpu: '4', memory: '16g' }] })).toThrow(/doctor\.nodes\[0\]\.memory: "16g" is Spark memory syntax/);
    expect(() => attachDoctor(app, { nodes: [{ name: 'n', cpu: '4', memory: '16Gi' }, { name: 'n', cpu: '8', memory: '32Gi' }] })).toThrow(/doctor\.nodes\[1\]\.name: "n" is declared twice/);
    expect(() => attachDoctor(app, { nodeShapes: [] } as never)).toThrow(/doctor\.nodeShapes: is not a known field/);
  });

  test('one doctor per tree, found with Doctor.of', () => {
    const app = new App();
    const doctor = attachDoctor(app);
    expect(Doctor.of(app)).toBe(doctor);
    expect(() => attachDoctor(app)).toThrow(/a doctor is already attached/);
  });
});

describe('one run per tree, linear', () => {
  test('the report is reused while the tree is unchanged, and recomputed when it grows', () => {
    const { app, chart } = tree((c) => deployment(c, 'Web', { image: 'nginx:1.27' }));
    const doctor = attachDoctor(app);
    const first = doctor.report();
    expect(doctor.report()).toBe(first);
    deployment(chart, 'Api', { image: UNPINNED });
    expect(doctor.report()).not.toBe(first);
    expect(of(doctor.report(), 'image-not-pinned')).toHaveLength(1);
  });

  test('a synth runs the rules once, however many charts render', () => {
    const app = new App();
    for (let i = 0; i < 4; i++) deployment(new Chart(app, `c${i}`), 'Web', { image: 'nginx:1.27' });
    const doctor = attachDoctor(app);
    const run = jest.spyOn(doctor, 'run');
    app.synthYaml();
    for (const chart of app.charts) chart.toJson();
    expect(run).toHaveBeenCalledTimes(1);
  });

  test('each object is rendered once per run', () => {
    const { app } = tree((c) => {
      for (let i = 0; i < 5; i++) sparkApp(c, `App${i}`);
      deployment(c, 'Web', { image: 'nginx:1.27' });
    });
    const doctor = attachDoctor(app);
    const objects = app.node.findAll().filter((c) => c instanceof ApiObject).length;
    const toJson = jest.spyOn(ApiObject.prototype, 'toJson');
    try {
      doctor.run();
      expect(toJson).toHaveBeenCalledTimes(objects);
    } finally {
      toJson.mockRestore();
    }
  });
});

describe('a cached report never hides a change', () => {
  test('add*() after a report is seen by the next report (and by the synth)', () => {
    const app = new App();
    const chart = new Chart(app, 'jobs');
    const namespace = new SparkNamespace(chart, 'T', { name: 'spark-jobs' });
    const job = new SparkJob(chart, 'Job', {
      namespace: SparkNamespace.fromName('spark-jobs'),
      name: 'pi', type: SparkJobType.SCALA, mode: SparkJobMode.SUBMIT,
      mainClass: 'org.apache.spark.examples.SparkPi', mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
    });
    expect(namespace.name).toBe('spark-jobs');
    const doctor = attachDoctor(app);
    const before = doctor.report();
    expect(before.errors.filter((e) => e.rule === 'secret-in-output')).toEqual([]);
    job.addSparkConf({ 'spark.hadoop.fs.s3a.secret.key': 'abcdefghijklmnopqrstuvwxyz0123456789ABCD' }, 'test');
    const after = doctor.report();
    expect(after).not.toBe(before);
    expect(after.errors.map((e) => e.rule)).toContain('secret-in-output');
  });
});
