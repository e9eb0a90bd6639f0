import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENVIRONMENTS } from '../../stacks/environments';
import { EnvironmentFileError, environmentSource, loadEnvironments } from '../../stacks/environments/load';
import { isUserError } from '../../stacks/synth';

const CONSTRUCTS = path.resolve(__dirname, '../../constructs');
/** An image on the mutable tag, derived (the repository writes none out). */
const UNPINNED = 'registry.example.com/spark:4.0.3'.replace(/:[^:/]+$/, ':latest');

function dirWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-platform-envs-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('loadEnvironments: every TypeScript and YAML file of the directory, one by one', () => {
  test('the shipped directory gives exactly the environments index.ts lists (they cannot drift apart)', () => {
    expect(loadEnvironments().map((e) => e.name)).toEqual(ENVIRONMENTS.map((e) => e.name));
    expect(environmentSource(loadEnvironments()[0])).toMatch(/stacks\/environments\/dev\.ts$/);
  });

  test('default export, an export named after the file, and YAML, in file name order; index.ts and load.ts are not environments', () => {
    const dir = dirWith({
      'a.ts': "export default { name: 'a', tenants: [{ name: 'team-a' }] };\n",
      'prod-eu.ts': "export const prodEu = { name: 'prod-eu', tenants: [{ name: 'team-b' }] };\n",
      'staging.yaml': 'name: staging\ntenants:\n  - name: team-c\n',
      'index.ts': 'throw new Error("not an environment");\n',
      'load.ts': 'throw new Error("not an environment");\n',
      'notes.md': 'not an environment\n',
    });
    const envs = loadEnvironments(dir);
    expect(envs.map((e) => e.name)).toEqual(['a', 'prod-eu', 'staging']);
    expect(envs.map((e) => path.basename(environmentSource(e)!))).toEqual(['a.ts', 'prod-eu.ts', 'staging.yaml']);
    // the source is not part of the config: not enumerable, not in JSON
    expect(JSON.stringify(envs[2])).toBe('{"name":"staging","tenants":[{"name":"team-c"}]}');
  });

  test.each<[string, Record<string, string>, RegExp, boolean]>([
    ['a TypeScript file without the environment export', { 'x.ts': 'export const other = 1;\n' },
      /environment file .*x\.ts: export: has neither a default export nor one named "x"\. Fix: export the environment: export const x: PlatformConfig/, true],
    ['a YAML syntax error', { 'y.yaml': 'name: y\ntenants: [\n' }, /environment file .*y\.yaml: \(YAML\): .*Fix: fix the YAML syntax/, true],
    ['a YAML file with a key twice', { 'z.yaml': 'name: z\nname: w\ntenants: []\n' }, /environment file .*z\.yaml: \(YAML\): .*(unique|Map keys)/i, true],
    ['an input error raised while the file is imported', { 'bad.ts': `import { SparkImage } from '${CONSTRUCTS}/spark-image';\nSparkImage.custom({ image: '${UNPINNED}', sparkVersion: '4.0.3' });\nexport default {};\n` },
      /environment file .*bad\.ts: SparkImage "registry\.example\.com\/spark:latest" image: .*latest.*Fix: /, true],
    ['a bug in the file (not an input error: keeps its stack for the author)', { 'bug.ts': 'const x: any = undefined;\nexport default x.name;\n' }, /environment file .*bug\.ts: .*undefined/, false],
  ])('%s', (_name, files, message, userError) => {
    let error: unknown;
    try {
      loadEnvironments(dirWith(files));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentFileError);
    expect((error as Error).message).toMatch(message);
    expect(isUserError(error)).toBe(userError);
  });
});
