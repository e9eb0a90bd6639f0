import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * End to end through the real `cdk8s synth` (cdk8s-cli, the command `npm run synth` runs), in a
 * copy of the project, so a broken environment file can be tried without touching this one.
 */
const ROOT = path.resolve(__dirname, '../..');
const PROJECT_FILES = ['main.ts', 'cdk8s.yaml', 'tsconfig.json', 'package.json', 'constructs', 'stacks', 'imports'];

function copyProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-platform-cli-'));
  for (const f of PROJECT_FILES) {
    if (fs.existsSync(path.join(ROOT, f))) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function cdk8sSynth(cwd: string): { code: number; stdout: string; stderr: string } {
  const stderrFile = path.join(cwd, '.stderr');
  try {
    const stdout = execFileSync(process.execPath, [path.join(ROOT, 'node_modules/cdk8s-cli/bin/cdk8s'), 'synth'], {
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

describe('`cdk8s synth` (npm run synth)', () => {
  const project = copyProject();

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
    const devFile = path.join(project, 'stacks/environments/dev.ts');
    fs.writeFileSync(devFile, fs.readFileSync(devFile, 'utf8').replace("{ name: 'spark-jobs' }", "{ name: 'spark-jobs', quota: { memory: '2g' } }"));
    const run = cdk8sSynth(project);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/environment "dev": tenants\[0\]\.quota\.memory: "2g" is Spark memory syntax, not a Kubernetes quantity\. Fix: write "2Gi"/);
    expect(listTree(path.join(project, 'dist'))).toEqual(before);
  }, 120_000);
});
