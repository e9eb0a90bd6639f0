/**
 * The program entry (`main: pulumi/run.js` in stacks/Pulumi.yaml, loading pulumi/main.ts) as
 * `pulumi up` loads it: under Pulumi's mocks with the stack config of stacks/Pulumi.dev.yaml, its
 * exports are the stack outputs; an input error surfaces as a RunError (message only, no stack
 * trace).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { installPulumiMocks, setStackConfig } from '../helpers/pulumi-mocks';
import { ENVIRONMENTS } from '../../stacks/environments';
import { renderPlatform } from '../../stacks/pulumi/render';

jest.setTimeout(60_000);

const STACKS = path.join(__dirname, '..', '..', 'stacks');
const recorder = installPulumiMocks('spark-platform', 'dev');

/** A value for every Secret key dev reads. */
function devSecrets(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const ref of renderPlatform(ENVIRONMENTS.find((e) => e.name === 'dev')!).secretRefs) {
    for (const key of ref.keys) (out[ref.name] ??= {})[key] = `v-${ref.name}-${key}`;
  }
  return out;
}

test('Pulumi.yaml runs stacks/pulumi/run.js as plain JavaScript, and Pulumi.dev.yaml selects dev', () => {
  const project = parse(fs.readFileSync(path.join(STACKS, 'Pulumi.yaml'), 'utf8'));
  expect(project).toMatchObject({ name: 'spark-platform', runtime: { name: 'nodejs', options: { typescript: false } }, main: 'pulumi/run.js' });
  expect(fs.existsSync(path.join(STACKS, project.main))).toBe(true);
  const stack = parse(fs.readFileSync(path.join(STACKS, 'Pulumi.dev.yaml'), 'utf8'));
  expect(stack.config['spark-platform:environment']).toBe('dev');
});

test('run.js loads the program through the transpile cache: its outputs, no ts-node, nothing transpiled once the cache is warm', () => {
  // GIVEN a process as Pulumi's nodejs host makes it (plain require of `main`), under mocks
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-run-cache-'));
  const stack = parse(fs.readFileSync(path.join(STACKS, 'Pulumi.dev.yaml'), 'utf8')).config as Record<string, unknown>;
  const config = { ...stack, 'spark-platform:secrets': JSON.stringify(devSecrets()) };
  const script = `
    const pulumi = require('@pulumi/pulumi');
    pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + '-id', state: a.inputs }), call: (a) => a.inputs }, 'spark-platform', 'dev', false);
    pulumi.runtime.setAllConfig(${JSON.stringify(config)}, ['spark-platform:secrets']);
    const outputs = require(${JSON.stringify(path.join(STACKS, 'pulumi', 'run.js'))});
    const loaded = Object.keys(require.cache);
    pulumi.output(outputs.environment).apply((environment) => {
      console.log(JSON.stringify({
        exports: Object.keys(outputs).sort(),
        environment,
        // (@pulumi/pulumi loads the typescript package itself, for closure serialization)
        tsNode: loaded.some((f) => /[\\/]node_modules[\\/]ts-node[\\/]/.test(f)),
      }));
    });`;
  const run = () => {
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: STACKS,
      encoding: 'utf8',
      env: { ...process.env, SPARK_PLATFORM_TS_CACHE: cache, SPARK_PLATFORM_TS_SOURCE_MAPS: '' },
    });
    expect(r.stderr).toBe('');
    const files = fs.readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.js')).length;
    return { ...JSON.parse(r.stdout.trim().split('\n').pop()!), files };
  };
  try {
    // WHEN it runs on an empty cache, then again
    const cold = run();
    const warm = run();
    // THEN the exports are the stack outputs; the cold run filled the cache, the warm one only read it
    expect(cold.exports).toEqual(['environment', 'historyServerUrl', 'jobNamespaces', 'notebookUrls', 'objectStoreEndpoint', 'operatorNamespace']);
    expect(warm.environment).toBe('dev');
    expect(cold.files).toBeGreaterThan(50);
    expect(warm.files).toBe(cold.files);
    expect([cold.tsNode, warm.tsNode]).toEqual([false, false]);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('the entry module exports the stack outputs', async () => {
  // GIVEN the dev stack's config plus its secrets
  const stack = parse(fs.readFileSync(path.join(STACKS, 'Pulumi.dev.yaml'), 'utf8')).config as Record<string, unknown>;
  const plain = Object.fromEntries(Object.entries(stack).map(([k, v]) => [k.replace(/^spark-platform:/, ''), v]));
  setStackConfig('spark-platform', { ...plain, secrets: devSecrets() }, ['secrets']);
  // WHEN pulumi loads the program
  const outputs = await import('../../stacks/pulumi/main');
  // THEN its exports are the outputs, and the platform was registered
  expect(outputs.environment).toBe('dev');
  expect(outputs.operatorNamespace).toBe('spark-operator');
  expect(outputs.jobNamespaces).toEqual(['spark-jobs']);
  expect(outputs.objectStoreEndpoint).toBe('http://minio.spark-platform.svc.cluster.local:9000');
  expect(outputs.historyServerUrl).toBe('http://spark-history.spark-platform.svc.cluster.local:18080');
  expect(Object.keys(outputs.notebookUrls)).toEqual([...(ENVIRONMENTS.find((e) => e.name === 'dev')!.notebooks ?? [])].map((n) => `${n.tenant}/${n.name}`));
  const registered = () => [...recorder.registrations.values()].some((r) => r.type === 'kubernetes:apps/v1:StatefulSet');
  for (let i = 0; i < 100 && !registered(); i++) await new Promise((resolve) => setTimeout(resolve, 50)); // registrations are asynchronous
  expect(registered()).toBe(true);
});

test('an input error becomes a RunError with the message only', () => {
  jest.isolateModules(() => {
    setStackConfig('spark-platform', { environment: 'staging' });
    let error: unknown;
    try {
      require('../../stacks/pulumi/main');
    } catch (e) {
      error = e;
    }
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^Pulumi stack config: spark-platform:environment: "staging" is not an environment/);
  });
});
