import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * End to end through `npm run synth` (scripts/synth.js: main.ts with the transpile cache), and
 * once through the real `cdk8s synth` CLI, in a copy of the project, so broken environment files
 * can be tried without touching this one.
 */
const ROOT = path.resolve(__dirname, '../..');
/** An image on the mutable tag, derived (the repository writes none out). */
const UNPINNED = 'docker.io/example/spark:4.0.3'.replace(/:[^:/]+$/, ':latest');
const PROJECT_FILES = ['main.ts', 'cdk8s.yaml', 'tsconfig.json', 'package.json', 'constructs', 'stacks', 'imports', 'schema', 'scripts/synth.js', 'scripts/ts-cache.js'];

function copyProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-platform-cli-'));
  for (const f of PROJECT_FILES) {
    if (!fs.existsSync(path.join(ROOT, f))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function cdk8sSynth(cwd: string): { code: number; stdout: string; stderr: string } {
  const stderrFile = path.join(cwd, '.stderr');
  try {
    const stdout = execFileSync(process.execPath, [path.join(cwd, 'scripts/synth.js')], {
      cwd,
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', fs.openSync(stderrFile, 'w')],
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr: fs.readFileSync(stderrFile, 'utf8') };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, stdout: err.stdout, stderr: fs.readFileSync(stderrFile, 'utf8') };
  }
}

function listTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

describe('`npm run synth`', () => {
  const project = copyProject();
  const devFile = path.join(project, 'stacks/environments/dev.ts');
  const devText = fs.readFileSync(devFile, 'utf8');

  test('writes every environment to dist/<env>/ and exits 0', () => {
    const run = cdk8sSynth(project);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stderr).toMatch(/dev: \d+ files in dist\/dev\//);
    expect(fs.readdirSync(path.join(project, 'dist')).sort()).toEqual(['dev', 'prod']);
    expect(fs.existsSync(path.join(project, 'dist/dev/kustomization.yaml'))).toBe(true);
  }, 120_000);

  test('with a broken environment file: exits 1, names the field and the fix, keeps dist/', () => {
    const before = listTree(path.join(project, 'dist'));
    expect(Object.keys(before).length).toBeGreaterThan(0);
    fs.writeFileSync(devFile, devText.replace("{ name: 'spark-jobs' }", "{ name: 'spark-jobs', quota: { memory: '2g' } }"));
    const run = cdk8sSynth(project);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/environment "dev": stacks\/environments\/dev\.ts: tenants\[0\]\.quota\.memory: "2g" is Spark memory syntax, not a Kubernetes quantity\. Fix: write "2Gi"/);
    expect(run.stderr).not.toMatch(/non-zero exit code|^\s+at /m);
    expect(listTree(path.join(project, 'dist'))).toEqual(before);
    fs.writeFileSync(devFile, devText);
  }, 120_000);

  test('an error raised while an environment file is imported: the file and field named, no stack trace, dist/ kept', () => {
    const before = listTree(path.join(project, 'dist'));
    fs.writeFileSync(devFile, devText.replace("export const dev: PlatformConfig = {", `SparkImage.custom({ image: '${UNPINNED}', sparkVersion: '4.0.3' });\nexport const dev: PlatformConfig = {`)
      .replace("import type { PlatformConfig } from '../config';", "import type { PlatformConfig } from '../config';\nimport { SparkImage } from '../../constructs/spark-image';"));
    const run = cdk8sSynth(project);
    fs.writeFileSync(devFile, devText);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/synth failed; dist\/ is left as it was\.\nenvironment file stacks\/environments\/dev\.ts: SparkImage "docker\.io\/example\/spark:latest" image: .*latest.*Fix: /);
    expect(run.stderr).not.toMatch(/non-zero exit code|^\s+at /m);
    expect(listTree(path.join(project, 'dist'))).toEqual(before);
  }, 120_000);

  test('a YAML environment beside the TypeScript ones is checked and written to dist/<name>/', () => {
    const yamlFile = path.join(project, 'stacks/environments/staging.yaml');
    fs.writeFileSync(yamlFile, [
      '# yaml-language-server: $schema=../../schema/platform-config.schema.json',
      'name: staging',
      'tenants:',
      '  - name: spark-staging',
      '    quota: { cpu: "8", memory: 32Gi }',
      'storage:',
      '  minio: { mode: standalone, size: 10Gi }',
      '',
    ].join('\n'));
    try {
      const ok = cdk8sSynth(project);
      expect(ok).toMatchObject({ code: 0 });
      expect(fs.readdirSync(path.join(project, 'dist')).sort()).toEqual(['dev', 'prod', 'staging']);
      expect(fs.readFileSync(path.join(project, 'dist/staging/01-tenants.yaml'), 'utf8')).toMatch(/name: spark-staging/);
      // a misspelled field in YAML: the same message as in TypeScript, the file named
      const before = listTree(path.join(project, 'dist'));
      fs.writeFileSync(yamlFile, fs.readFileSync(yamlFile, 'utf8').replace('quota:', 'qouta:'));
      const bad = cdk8sSynth(project);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/staging\.yaml: tenants\[0\]\.qouta: is not a known field\. Fix: did you mean "quota"\?/);
      expect(listTree(path.join(project, 'dist'))).toEqual(before);
    } finally {
      fs.rmSync(yamlFile, { force: true });
    }
  }, 180_000);
});

describe('`cdk8s synth` (the cdk8s CLI, cdk8s.yaml)', () => {
  test('runs main.ts with the transpile cache: dist/<env>/ and the staging directory it lists', () => {
    const project = copyProject();
    const cli = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
    const stdout = execFileSync(process.execPath, [cli, 'synth'], { cwd: project, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    expect(stdout).toMatch(/\.cdk8s\/staging\/dev\/kustomization\.yaml/);
    expect(listTree(path.join(project, 'dist'))).toEqual(listTree(path.join(project, '.cdk8s', 'staging')));
    expect(fs.readdirSync(path.join(project, '.cache', 'ts')).length).toBeGreaterThan(0);
  }, 180_000);
});
