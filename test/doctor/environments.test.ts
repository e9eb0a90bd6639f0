/**
 * The default environments pass the doctor with no errors and no warnings, with the node shapes
 * proposed for them (used until the environment files declare `doctor` themselves), and the
 * doctor really looks at them: the same trees fail once the cluster is too small or digests are
 * demanded.
 */
import { App } from 'cdk8s';
import { Doctor, DoctorOptions, attachDoctor, checkDoctorConfig, formatReportTable } from '../../constructs/doctor';
import { PlatformConfig } from '../../stacks/config';
import { ENVIRONMENTS } from '../../stacks/environments';
import { buildPlatform } from '../../stacks/platform';

/** The doctor options proposed for stacks/environments (see the environment files' `doctor`). */
export const PROPOSED: Readonly<Record<string, DoctorOptions>> = {
  // kind or minikube on a laptop: one node with what Docker is given.
  dev: { nodes: [{ name: 'kind', cpu: '4', memory: '8Gi' }] },
  // 16 vCPU / 64 GiB workers (m6i.4xlarge, n2-standard-16, D16s v5), minus kubelet and system reservations.
  prod: { nodes: [{ name: 'general', cpu: '15', memory: '56Gi' }] },
};

function optionsOf(env: PlatformConfig): DoctorOptions {
  return (env as PlatformConfig & { doctor?: DoctorOptions }).doctor ?? PROPOSED[env.name] ?? {};
}

/** The environment's report, with the doctor buildPlatform attaches, else one with the proposed options. */
function check(env: PlatformConfig) {
  const app = new App();
  buildPlatform(app, env);
  return (Doctor.of(app) ?? attachDoctor(app, optionsOf(env))).report();
}

/** A report with exactly `options`, whatever buildPlatform attaches. */
function freshReport(env: PlatformConfig, options: DoctorOptions) {
  const app = new App();
  buildPlatform(app, env);
  const existing = Doctor.of(app);
  if (existing) app.node.tryRemoveChild(existing.node.id);
  return attachDoctor(app, options).report();
}

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('environment %s', (name, env) => {
  test('no errors, no warnings, nothing suppressed', () => {
    const report = check(env);
    expect(formatReportTable(name, report)).toBe(`${name}: 0 errors, 0 warnings, 0 suppressed`);
    expect(report.findings).toEqual([]);
  });

  test('node shapes are declared, so pod sizes are checked', () => {
    expect(optionsOf(env).nodes?.length).toBeGreaterThan(0);
  });

  test('the doctor sees its pods: a too small node and demanded digests fail it', () => {
    const tiny = freshReport(env, { nodes: [{ name: 'tiny', cpu: '100m', memory: '256Mi' }] });
    expect(tiny.errors.filter((e) => e.rule === 'pod-exceeds-node').length).toBeGreaterThanOrEqual(3);
    const digests = freshReport(env, { requireDigests: true });
    expect(new Set(digests.errors.filter((e) => e.rule === 'image-digest-required').map((e) => e.object))).toContain('Deployment/spark-operator/spark-operator-controller');
  });
});

test('dev: both Spark jobs (operator and submit mode) and the notebook\'s executors are sized the way Spark sizes them', () => {
  const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
  // 800Mi fits no Spark pod of dev (512m heap + 384m overhead = 896Mi).
  const report = freshReport(dev, { nodes: [{ name: 'n', cpu: '4', memory: '800Mi' }] });
  const spark = report.errors.filter((e) => e.rule === 'pod-exceeds-node' && /the (driver|executor) pod/.test(e.message)).map((e) => e.object ?? e.path);
  // The notebook (a client-mode driver) has no object of its own: its finding names its path.
  // spark-pi-airflow is a template (templates/, not applied): the doctor checks it like the others.
  expect(new Set(spark)).toEqual(new Set(['SparkApplication/spark-jobs/spark-pi', 'SparkApplication/spark-jobs/spark-pi-airflow', 'Job/spark-jobs/spark-pi-python', 'notebooks/spark-jobs-lab/Driver']));
});

test('the proposed options pass the config check a PlatformConfig\'s doctor field gets; a typo is named', () => {
  for (const options of Object.values(PROPOSED)) expect(() => checkDoctorConfig(options, 'doctor')).not.toThrow();
  expect(() => checkDoctorConfig({ nodes: [{ name: 'kind', cpu: '4', memroy: '8Gi' }] }, 'doctor')).toThrow(/doctor\.nodes\[0\]\.memroy: is not a known field/);
  expect(() => checkDoctorConfig({ suppressions: [{ rule: 'no-tll', path: 'jobs', reason: 'r' }] }, 'doctor')).toThrow(/doctor\.suppressions\[0\]\.rule: "no-tll" is not a doctor rule\. Fix: use one of pod-exceeds-node, /);
});
