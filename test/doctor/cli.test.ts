/**
 * `npm run doctor`: a table per environment, `--json` for CI, exit code 1 on errors.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { DOCTOR_RULES, DoctorOptions } from '../../constructs/doctor';
import { PlatformConfig } from '../../stacks/config';
import { ENVIRONMENTS, dev } from '../../stacks/environments';
import { DoctorJson, main, rulesText } from '../../scripts/doctor';

function run(args: string[], environments: readonly PlatformConfig[] = ENVIRONMENTS, options?: (c: PlatformConfig) => DoctorOptions): { code: number; out: string } {
  const lines: string[] = [];
  const code = main(args, environments, (t) => lines.push(t), options);
  return { code, out: lines.join('\n') };
}

/** dev on nodes too small for its notebook (4Gi) and its operator (1792Mi). */
const SMALL: DoctorOptions = {
  nodes: [{ name: 'small', cpu: '2', memory: '1536Mi' }],
  suppressions: [{ rule: 'pod-exceeds-node', path: 'StatefulSet/spark-jobs/lab', reason: 'the lab runs on the GPU pool, not declared here' }],
};

test('--json: one entry per environment, counts, findings with rule, severity, path, object, message', () => {
  const { code, out } = run(['--json']);
  expect(code).toBe(0);
  const json = JSON.parse(out) as DoctorJson;
  expect(json.ok).toBe(true);
  expect(json.environments.map((e) => e.name)).toEqual(ENVIRONMENTS.map((e) => e.name));
  for (const e of json.environments) expect(e).toMatchObject({ errors: 0, warnings: 0, suppressed: 0, findings: [], validationErrors: [], unusedSuppressions: [] });
});

test('--json with errors: exit 1, ok false, suppressed findings keep their reason', () => {
  const { code, out } = run(['--json', '--env', 'dev'], ENVIRONMENTS, () => SMALL);
  expect(code).toBe(1);
  const json = JSON.parse(out) as DoctorJson;
  expect(json.ok).toBe(false);
  const [env] = json.environments;
  expect(env.name).toBe('dev');
  expect(env.errors).toBeGreaterThan(0);
  expect(env.findings).toEqual(expect.arrayContaining([
    expect.objectContaining({ rule: 'pod-exceeds-node', severity: 'error', object: 'Deployment/spark-operator/spark-operator-controller', path: 'operator/SparkOperator/Controller/Deployment' }),
    expect.objectContaining({ rule: 'pod-exceeds-node', object: 'StatefulSet/spark-jobs/lab', suppressed: 'the lab runs on the GPU pool, not declared here' }),
  ]));
  expect(Object.keys(env.findings![0])).toEqual(['rule', 'severity', 'path', 'object', 'message']);
});

test('the table: a summary per environment, one row per finding, the suppression reason', () => {
  const { code, out } = run(['--env=dev'], ENVIRONMENTS, () => SMALL);
  expect(code).toBe(1);
  expect(out).toMatch(/^dev: \d+ errors?, 0 warnings, 1 suppressed\n/);
  expect(out).toMatch(/SEVERITY +RULE +OBJECT \/ PATH +MESSAGE +SUPPRESSED/);
  expect(out).toMatch(/\nerror +pod-exceeds-node +Deployment\/spark-operator\/spark-operator-con/);
  expect(out).toMatch(/\(error\) +pod-exceeds-node +StatefulSet\/spark-jobs\/lab .*the lab runs on/);
});

test('without node shapes it says so; without errors it exits 0', () => {
  // no node shapes; the API server's port stays confirmed as prod confirms it
  const { code, out } = run(['--env', 'prod'], ENVIRONMENTS, () => ({ apiServer: { port: 443 } }));
  expect(code).toBe(0);
  expect(out).toBe('prod: 0 errors, 0 warnings, 0 suppressed\n\nnote: prod declares no node shapes (doctor.nodes): pod sizes were not checked against nodes');
});

test('an environment that cannot be built is an error, reported with its message', () => {
  const broken = { ...dev, name: 'broken', tenants: [{ name: 'spark-jobs', qouta: {} }] } as unknown as PlatformConfig;
  const { code, out } = run([], [broken]);
  expect(code).toBe(1);
  expect(out).toMatch(/^broken: cannot be built\n {2}tenants\[0\]\.qouta: is not a known field/);
});

test('usage: unknown arguments and environments exit 2; --rules lists every rule', () => {
  expect(run(['--verbose']).code).toBe(2);
  expect(run(['--env', 'staging'])).toEqual({ code: 2, out: 'unknown environment "staging"; known: dev, prod' });
  const rules = run(['--rules']);
  expect(rules.code).toBe(0);
  expect(rules.out).toBe(rulesText());
  expect(rules.out).toMatch(/^pod-exceeds-node +error +Pods Pending forever/m);
  expect(rules.out.split("\n")).toHaveLength(DOCTOR_RULES.length);
});

test('npm run -s doctor -- --json prints only JSON on stdout, as docs/doctor.md says', () => {
  const root = path.resolve(__dirname, '../..');
  const out = execFileSync('npm', ['run', '-s', 'doctor', '--', '--json', '--env', 'prod'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect((JSON.parse(out) as DoctorJson).environments.map((e) => e.name)).toEqual(['prod']);
}, 120_000);
