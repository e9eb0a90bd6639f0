/**
 * Deferred jobs (buildPlatform's `deferJobs`, what `npm run synth` uses): the jobs are built one
 * tenant at a time at synth, judged by the doctor with the rest of the platform and released.
 * The output must be the one the whole tree gives: the same files, byte for byte, the same
 * doctor report (findings, suppressions, unused suppressions), the same Secret reads, and the
 * same errors. Compared here on platforms with findings in several tenants, base constructs
 * judged together with jobs (a notebook sharing its namespace's quota), suppressions of job and
 * base findings, interleaved tenants, both operators, Kueue and templates.
 */
import { Chart } from 'cdk8s';
import { Doctor, DoctorReport } from '../../constructs/doctor';
import { DeferredChildren } from '../../constructs/deferred';
import { SparkJobMode } from '../../constructs/jobs';
import { PlatformConfig } from '../../stacks/config';
import { ENVIRONMENTS } from '../../stacks/environments';
import { SparkPlatformApp, renderCharts } from '../../stacks/gitops';
import { buildPlatform } from '../../stacks/platform';
import { synthesize } from '../../stacks/synth';
import { benchPlatform } from '../../bench/platform';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Outcome {
  readonly report: DoctorReport;
  readonly files?: ReadonlyMap<string, string>;
  readonly secretRefs?: unknown;
  readonly templates?: readonly string[];
  readonly error?: string;
}

/** The doctor's report (on its own) and the render (files or the error) of `config`. */
function outcome(config: PlatformConfig, deferJobs: boolean): Outcome {
  const app = new SparkPlatformApp({ name: config.name });
  buildPlatform(app, config, undefined, { deferJobs });
  const report = Doctor.of(app)!.report();
  try {
    const r = app.render();
    return { report, files: r.files, secretRefs: r.secretRefs, templates: r.templates.map((t) => t.file) };
  } catch (e) {
    return { report, error: (e as Error).message };
  }
}

function expectSame(config: PlatformConfig): Outcome {
  const eager = outcome(config, false);
  const deferred = outcome(config, true);
  expect(deferred.error).toEqual(eager.error);
  expect(deferred.report).toEqual(eager.report);
  expect(deferred.secretRefs).toEqual(eager.secretRefs);
  expect(deferred.templates).toEqual(eager.templates);
  expect([...(deferred.files ?? new Map()).keys()]).toEqual([...(eager.files ?? new Map()).keys()]);
  for (const [file, content] of eager.files ?? new Map<string, string>()) expect({ file, content: deferred.files?.get(file) }).toEqual({ file, content });
  return eager;
}

/** 300 jobs in three tenants (operator and submit mode, Scala and Python), a notebook in the first. */
function platform(overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  const base = benchPlatform(300);
  return { ...base, name: 'deferred', ...overrides };
}

describe('deferred jobs render what the whole tree renders', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('environment %s', (_name, env) => {
    expectSame(env);
  });

  test('a platform of 300 jobs in three tenants: each tenant\'s jobs are judged together (its quota)', () => {
    const eager = expectSame(platform());
    expect(eager.error).toBeUndefined();
    expect(eager.report.findings.map((f) => [f.rule, f.object])).toEqual(['team-0000', 'team-0001', 'team-0002'].map((t) => ['jobs-exceed-quota-together', `ResourceQuota/${t}/spark-quota`]));
    expect(eager.report.findings[0].message).toMatch(/^101 Spark applications in namespace team-0000 /);
  });

  test('tenants interleaved in the configuration: jobs grouped by tenant, in the order tenants first come', () => {
    const config = platform();
    const index = (name: string) => Number(name.slice('job-'.length));
    const jobs = [...config.jobs!].sort((a, b) => index(a.name) % 100 - index(b.name) % 100 || index(a.name) - index(b.name));
    expect(jobs.slice(0, 4).map((j) => j.tenant)).toEqual(['team-0000', 'team-0001', 'team-0002', 'team-0000']);
    expectSame({ ...config, jobs });
  });

  test('findings in every tenant and in the base, suppressed by job and base paths, one suppression unused', () => {
    const config = platform({
      // a notebook and jobs together over the first tenant's quota; every pod over a tiny node
      tenants: [{ name: 'team-0000', quota: { cpu: '6', memory: '64Gi', pods: 400 } }, { name: 'team-0001' }, { name: 'team-0002' }],
      doctor: {
        nodes: [{ name: 'small', cpu: '2', memory: '3Gi' }],
        requireDigests: true,
        suppressions: [
          { rule: 'image-digest-required', path: 'jobs/team-0001-job-00100', reason: 'a job path' },
          { rule: 'image-digest-required', path: 'operator', reason: 'a base path' },
          { rule: 'pod-exceeds-node', path: 'jobs/team-0009-job-99999', reason: 'unused' },
        ],
      },
    });
    const eager = expectSame(config);
    expect(eager.error).toMatch(/^Validation failed with the following errors:/);
    const rules = new Set(eager.report.findings.map((f) => f.rule));
    for (const rule of ['pod-exceeds-node', 'image-digest-required', 'jobs-exceed-quota-together']) expect(rules.has(rule)).toBe(true);
    const byTenant = new Set(eager.report.errors.map((f) => /jobs\/(team-\d+)-/.exec(f.path)?.[1]).filter(Boolean));
    expect(byTenant).toEqual(new Set(['team-0000', 'team-0001', 'team-0002']));
    expect(eager.report.suppressed.some((f) => f.path.startsWith('jobs/team-0001-job-00100'))).toBe(true);
    expect(eager.report.suppressed.some((f) => f.path.startsWith('operator/'))).toBe(true);
    expect(eager.report.unusedSuppressions.map((s) => s.reason)).toEqual(['unused']);
  });

  test('the Apache operator for one tenant, Kueue queues, an orchestrator, PodMonitors', () => {
    const config = platform({
      apacheOperator: { tenants: ['team-0002'] },
      kueue: { tenants: [{ tenant: 'team-0000' }, { tenant: 'team-0001' }] },
      orchestrators: [{ name: 'airflow', namespace: 'airflow', serviceAccount: 'airflow-worker', tenants: ['team-0000', 'team-0001'] }],
      monitoring: { podMonitors: {} },
      tenantDefaults: { ...benchPlatform(300).tenantDefaults, metricsAccess: [{ namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } }] },
    });
    const jobs = config.jobs!.map((j) => (j.tenant === 'team-0002' ? { ...j, mode: SparkJobMode.APACHE_OPERATOR } : j));
    expectSame({ ...config, jobs });
  });

  test('a job\'s own validation fails the synth in the same words, with the doctor\'s errors', () => {
    const config = platform({ storage: undefined, jobs: benchPlatform(300).jobs!.map((j, i) => (i === 150 ? { ...j, mainApplicationFile: 's3a://spark-data/app.jar' } : j)) });
    const eager = expectSame(config);
    expect(eager.error).toContain('[jobs/team-0001-job-00150] SparkJob "job-00150" mainApplicationFile: "s3a://spark-data/app.jar" is an s3a:// URI');
  });

  test('a job that cannot be built fails the synth in the words buildPlatform has without deferral', () => {
    const config = platform({ jobs: benchPlatform(300).jobs!.map((j, i) => (i === 250 ? { ...j, executor: { instances: -1 } } : j)) });
    let eager: string | undefined;
    try {
      buildPlatform(new SparkPlatformApp({ name: 'x' }), config);
    } catch (e) {
      eager = (e as Error).message;
    }
    expect(eager).toMatch(/executor/);
    const app = new SparkPlatformApp({ name: 'x' });
    buildPlatform(app, config, undefined, { deferJobs: true });
    expect(() => app.render()).toThrow(eager!);
    expect(() => Doctor.of(app)!.report()).toThrow(eager!);
    // nothing of the failed batch is left behind
    expect(DeferredChildren.under(app)!.chart.node.children).toHaveLength(0);
  });
});

describe('deferred jobs are never all built', () => {
  test('one tenant\'s jobs at a time, none left after the synth; sparkJobs is empty', () => {
    const app = new SparkPlatformApp({ name: 'deferred' });
    const charts = buildPlatform(app, platform(), undefined, { deferJobs: true });
    expect(charts.sparkJobs.size).toBe(0);
    const jobs = charts.jobs as Chart;
    expect(jobs.node.children).toHaveLength(0);
    const deferred = DeferredChildren.of(jobs)!;
    expect(deferred.batches.map((b) => b.namespace)).toEqual(['team-0000', 'team-0001', 'team-0002']);
    const materialize = deferred.materialize.bind(deferred);
    let most = 0;
    jest.spyOn(deferred, 'materialize').mockImplementation((batch) => {
      const built = materialize(batch);
      most = Math.max(most, jobs.node.children.length);
      return built;
    });
    app.render();
    expect(most).toBe(100);
    expect(jobs.node.children).toHaveLength(0);
  });

  test('the spill files are removed: after a render, a failing synth, renderCharts', () => {
    const made: string[] = [];
    // the fs module itself (the namespace import's bindings cannot be spied on)
    const nodeFs = jest.requireActual<typeof fs>('fs');
    const mkdtemp = nodeFs.mkdtempSync;
    const spy = jest.spyOn(nodeFs, 'mkdtempSync').mockImplementation(((prefix: string, options?: unknown) => {
      const dir = (mkdtemp as (p: string, o?: unknown) => string)(prefix, options);
      if (path.basename(prefix).startsWith('spark-platform-spill-')) made.push(dir);
      return dir;
    }) as typeof fs.mkdtempSync);
    try {
      const render = (config: PlatformConfig) => {
        const app = new SparkPlatformApp({ name: config.name });
        buildPlatform(app, config, undefined, { deferJobs: true });
        return app;
      };
      const cases: Array<[string, () => void]> = [
        ['render', () => render(platform()).render()],
        ['failing synth', () => expect(() => render(platform({ doctor: { nodes: [{ name: 'small', cpu: '1', memory: '1Gi' }] } })).render()).toThrow(/pod-exceeds-node/)],
        ['renderCharts', () => renderCharts(render(platform()))],
      ];
      for (const [name, run] of cases) {
        const before = made.length;
        run();
        expect({ name, made: made.length - before }).toEqual({ name, made: 1 });
        expect({ name, left: fs.existsSync(made[made.length - 1]) }).toEqual({ name, left: false });
      }
      // while the objects stream, the spill is there
      let during = false;
      render(platform()).stream(() => undefined, { object: () => { during ||= fs.existsSync(made[made.length - 1]); } });
      expect(during).toBe(true);
      expect(fs.existsSync(made[made.length - 1])).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });

  test('npm run synth\'s synthesize defers them and writes the same files', () => {
    const config = platform();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deferred-'));
    try {
      synthesize({ environments: [config], outdir: dir });
      const eager = outcome(config, false);
      for (const [file, content] of eager.files!) expect(fs.readFileSync(path.join(dir, config.name, file), 'utf8')).toBe(content);
      expect(fs.readdirSync(path.join(dir, config.name)).sort()).toEqual([...eager.files!.keys()].filter((f) => !f.includes('/')).sort().concat(eager.templates!.length > 0 ? ['templates'] : []).sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
