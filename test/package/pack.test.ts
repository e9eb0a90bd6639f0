import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { offlineLock } from './offline-lock';

/**
 * The package as a user gets it (issue 20): `npm pack`, installed into a fresh cdk8s app and a
 * fresh Pulumi program from the tarball and the npm cache alone (`npm ci --offline` with a
 * complete lock: no download), the docs' examples compiled there with strict TypeScript, and run.
 * This is docs/library.md, executed.
 */

const ROOT = path.resolve(__dirname, '../..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const DOCS = [path.join(ROOT, 'README.md'), ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join(ROOT, 'docs', f))];
const LOCK = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const locked = (name: string): string => LOCK.packages[`node_modules/${name}`].version;

/** One fenced code block of the docs. */
interface Block { readonly file: string; readonly line: number; readonly info: string; readonly code: string }

function codeBlocks(file: string): Block[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S.*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    out.push({ file: path.relative(ROOT, file), line: i + 1, info: open[1], code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

const blocks = DOCS.flatMap(codeBlocks);
/** `ts example` blocks, named `<page>-<n>` in order. */
const examples = blocks.filter((b) => /^(ts|typescript) example$/.test(b.info)).map((b, i) => ({
  ...b, name: `${path.basename(b.file, '.md').toLowerCase()}-${i + 1}`, pulumi: /from '(@pulumi\/|spark-platform\/pulumi)/.test(b.code),
}));

test('every TypeScript block of the docs says whether it is an example (compiled below) or a fragment', () => {
  const ts = blocks.filter((b) => /^(ts|typescript)\b/.test(b.info));
  expect(ts.filter((b) => !/ (example|fragment)$/.test(b.info)).map((b) => `${b.file}:${b.line} ${b.info}`)).toEqual([]);
  expect(examples.length).toBeGreaterThanOrEqual(4);
  expect(examples.filter((e) => e.pulumi).length).toBeGreaterThanOrEqual(1);
});

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-platform-pack-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface AppDir {
  readonly dir: string;
  readonly examples: typeof examples;
  /** tsc's output when the examples did not compile; empty when they did. */
  readonly compileErrors: string;
}

/** A fresh app: package.json, a lock from the project's, `npm ci --offline`, the examples in src/, strict tsconfig. */
function freshApp(name: string, extraDeps: readonly string[], tsconfig: Record<string, unknown>, tarball: string): AppDir {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  const spec = `file:../${path.basename(tarball)}`;
  const dependencies: Record<string, string> = { 'spark-platform': spec };
  for (const dep of ['cdk8s', 'cdk8s-plus-28', 'constructs', ...extraDeps]) dependencies[dep] = locked(dep);
  const devDependencies = { '@types/node': locked('@types/node') };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '0.0.0', private: true, dependencies, devDependencies }, null, 2));
  const lock = offlineLock(LOCK, { name, dependencies, devDependencies, tarball: { name: 'spark-platform', file: tarball, spec } }, PKG);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  // --ignore-scripts: @pulumi/kubernetes' install script downloads its provider plugin; nothing here needs it.
  run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out', rootDir: 'src', ...tsconfig },
    include: ['src'],
  }, null, 2));
  const chosen = examples.filter((e) => extraDeps.length > 0 || !e.pulumi);
  for (const e of chosen) fs.writeFileSync(path.join(dir, 'src', `${e.name}.ts`), `// ${e.file}:${e.line}\n${e.code}\n`);
  const tsc = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  return { dir, examples: chosen, compileErrors: tsc.status === 0 ? '' : `${tsc.stdout}${tsc.stderr}` || `tsc exited ${tsc.status}` };
}

describe('npm pack, installed into fresh apps', () => {
  let tarball: string;
  let cdk8sApp: AppDir;
  let pulumiApp: AppDir;

  beforeAll(() => {
    // prepack builds lib/ first: packing from a clean clone ships the compiled library
    const name = run('npm', ['pack', '--pack-destination', work, '--silent'], ROOT).trim().split('\n').pop()!;
    tarball = path.join(work, name);
    // a cdk8s app as `cdk8s init typescript-app` makes it: CommonJS, classic node resolution (typesVersions)
    cdk8sApp = freshApp('cdk8s-app', [], { module: 'commonjs', moduleResolution: 'node' }, tarball);
    // a Pulumi program with Node's own resolution (package.json exports)
    pulumiApp = freshApp('pulumi-app', ['@pulumi/pulumi', '@pulumi/kubernetes'], { module: 'node16', moduleResolution: 'node16' }, tarball);
  }, 240_000);

  test('the tarball holds the compiled library, its declarations, docs and license, and no TypeScript sources or maps', () => {
    const files = run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const entry of Object.values(PKG.exports as Record<string, string | { types: string; default: string }>)) {
      for (const target of typeof entry === 'string' ? [entry] : [entry.types, entry.default]) expect(files).toContain(target.replace(/^\.\//, ''));
    }
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'docs/library.md', 'lib/constructs/validation/data/spark-conf-keys.json']));
    expect(files.filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /^lib\/stacks\/(environments|synth|pulumi\/(main|program))/.test(f))).toEqual([]);
  });

  test('a cdk8s-only app installs no Pulumi package', () => {
    expect(fs.existsSync(path.join(cdk8sApp.dir, 'node_modules', '@pulumi'))).toBe(false);
    expect(fs.existsSync(path.join(pulumiApp.dir, 'node_modules', '@pulumi', 'pulumi'))).toBe(true);
  });

  test.each([['cdk8s-app (classic resolution, typesVersions)', () => cdk8sApp], ['pulumi-app (node16 resolution, exports)', () => pulumiApp]])(
    'every docs example compiles with strict TypeScript in the %s',
    (_label, app) => {
      const { dir, examples: chosen, compileErrors } = app();
      expect(chosen.length).toBeGreaterThanOrEqual(3);
      expect(compileErrors).toBe('');
      for (const e of chosen) expect(fs.existsSync(path.join(dir, 'out', `${e.name}.js`))).toBe(true);
    },
  );

  test('the first example synthesizes: dist/dev in apply order, sources annotated', () => {
    const first = cdk8sApp.examples.find((e) => e.code.includes('app.synth()') && e.code.includes('SparkJob'))!;
    run(process.execPath, [path.join('out', `${first.name}.js`)], cdk8sApp.dir);
    const out = path.join(cdk8sApp.dir, 'dist', 'dev');
    expect(fs.readdirSync(out).sort()).toEqual(['00-crds.yaml', '01-tenants.yaml', '02-operator.yaml', '03-jobs.yaml', 'kustomization.yaml']);
    const jobs = YAML.parseAllDocuments(fs.readFileSync(path.join(out, '03-jobs.yaml'), 'utf8')).map((d) => d.toJSON());
    const app = jobs.find((o) => o.kind === 'SparkApplication');
    expect(app.metadata.annotations).toEqual({ 'spark-platform.io/source': 'dev/jobs/spark-pi/Resource', 'argocd.argoproj.io/sync-wave': '3' });
  });

  test('the configuration example builds the whole platform into the app', () => {
    const example = cdk8sApp.examples.find((e) => e.code.includes('buildPlatform'))!;
    const stdout = run(process.execPath, [path.join('out', `${example.name}.js`)], cdk8sApp.dir);
    expect(stdout).toMatch(/History Server: http:\/\/spark-history\.spark-platform\.svc\.cluster\.local:18080/);
    expect(fs.readdirSync(path.join(cdk8sApp.dir, 'dist', 'staging'))).toContain('kustomization.yaml');
  });

  test('the Pulumi example registers every planned resource under mocks', () => {
    const example = pulumiApp.examples.find((e) => e.code.includes('new SparkPlatform('))!;
    fs.writeFileSync(path.join(pulumiApp.dir, 'run-mocked.js'), `
const pulumi = require('@pulumi/pulumi');
const registered = [];
pulumi.runtime.setMocks({
  newResource: (a) => { registered.push(a.type); return { id: a.name + '-id', state: a.inputs }; },
  call: (a) => a.inputs,
}, 'library-user', 'dev', false);
const program = require('./out/${example.name}.js');
process.once('beforeExit', () => console.log(JSON.stringify({ registered, resources: program.resources })));
`);
    const result = JSON.parse(run(process.execPath, ['run-mocked.js'], pulumiApp.dir).trim().split('\n').pop()!);
    expect(result.registered).toEqual(expect.arrayContaining(['spark-platform:index:SparkPlatform', 'pulumi:providers:kubernetes', 'kubernetes:core/v1:Namespace']));
    expect(result.registered.filter((t: string) => t.startsWith('kubernetes:')).length).toBe(result.resources);
    expect(result.resources).toBeGreaterThan(5);
  });

  test('a bad prop fails with the field and fix, and the stack trace names the package\'s JavaScript, never a .ts source', () => {
    fs.writeFileSync(path.join(cdk8sApp.dir, 'bad-prop.js'), `
const { App, Chart } = require('cdk8s');
const { SparkNamespace } = require('spark-platform');
try {
  new SparkNamespace(new Chart(new App(), 'c'), 'x', { name: 'Team_A' });
} catch (e) {
  console.log(JSON.stringify({ message: e.message, stack: e.stack }));
}
`);
    const { message, stack } = JSON.parse(run(process.execPath, ['bad-prop.js'], cdk8sApp.dir));
    expect(message).toMatch(/name.*Team_A.*Fix: /);
    expect(stack).toMatch(/node_modules\/spark-platform\/lib\/constructs\/.+\.js:\d+/);
    expect(stack).not.toMatch(/\.ts:\d+/);
  });
});
