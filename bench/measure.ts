/**
 * One benchmark measurement in a fresh process (so peak RSS belongs to one platform size):
 *   ts-node --transpile-only bench/measure.ts synth <jobs>
 * prints one JSON line. See bench/run.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as pulumi from '@pulumi/pulumi';
import { App } from 'cdk8s';
import { collectSecretRefs } from '../constructs/secret-refs';
import { toYaml, writeTreeAtomically } from '../stacks/gitops';
import { buildPlatform } from '../stacks/platform';
import { renderEnvironment } from '../stacks/synth';
import { benchPlatform } from './platform';

/** What one synth measurement reports. */
export interface SynthMeasurement {
  readonly jobs: number;
  readonly tenants: number;
  readonly objects: number;
  readonly bytes: number;
  /** constructs -> validation -> doctor -> YAML files written. */
  readonly synthMs: number;
  /** Peak resident set size of the process after the pipeline, MiB. */
  readonly peakRssMiB: number;
  /** The same objects, from plain JSON, written with the yaml package: the serialization floor. */
  readonly floorMs: number;
}

function synth(jobs: number): SynthMeasurement {
  const config = benchPlatform(jobs);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-bench-'));
  try {
    const t0 = performance.now();
    const rendered = renderEnvironment(config);
    writeTreeAtomically(rendered.files, path.join(out, 'pipeline'));
    const synthMs = performance.now() - t0;
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;

    // The floor: the same objects as plain JSON, straight to YAML files.
    const plain = JSON.parse(JSON.stringify(rendered.charts.map((c) => ({ file: c.file, objects: c.objects })))) as Array<{ file: string; objects: unknown[] }>;
    const t1 = performance.now();
    const files = new Map<string, string>();
    for (const c of plain) files.set(`${config.name}/${c.file}`, toYaml(c.objects));
    writeTreeAtomically(files, path.join(out, 'floor'));
    const floorMs = performance.now() - t1;

    const bytes = [...rendered.files.values()].reduce((n, s) => n + Buffer.byteLength(s), 0);
    return { jobs, tenants: config.tenants.length, objects: rendered.objects.length, bytes, synthMs, peakRssMiB, floorMs };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** What the Pulumi measurement reports. */
export interface PulumiMeasurement {
  readonly jobs: number;
  /** Resources the engine was asked to register (provider and component included). */
  readonly resources: number;
  /** From calling the program to the last registration reaching the (mock) engine. */
  readonly registrationMs: number;
}

/** The Pulumi program for `jobs` jobs under Pulumi's mocks: no CLI, no cluster. */
async function pulumiProgram(jobs: number): Promise<PulumiMeasurement> {
  const config = benchPlatform(jobs);
  // Every Secret the platform reads gets a (dummy) value, as `pulumi config set --secret` would.
  const app = new App();
  buildPlatform(app, config);
  const secrets: Record<string, Record<string, string>> = {};
  for (const ref of collectSecretRefs(app)) {
    secrets[ref.name] = Object.fromEntries(ref.keys.map((k) => [k, `bench-${ref.name}-${k}`]));
  }
  let registered = 0;
  await pulumi.runtime.setMocks({
    newResource: (args) => {
      registered++;
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  }, 'spark-platform', 'bench', false);
  pulumi.runtime.setAllConfig({
    'spark-platform:environment': config.name,
    'spark-platform:secrets': JSON.stringify(secrets),
  }, ['spark-platform:secrets']);
  // Loaded after the mocks, as the program would be by the engine.
  const { deployPlatform } = await import('../stacks/pulumi/program');
  const t0 = performance.now();
  const platform = deployPlatform({ config: new pulumi.Config('spark-platform'), environments: [config] });
  const expected = platform.resources.size + 2; // + the provider and the component
  while (registered < expected) await new Promise((resolve) => setTimeout(resolve, 5));
  return { jobs, resources: registered, registrationMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const [kind, size] = process.argv.slice(2);
  if (kind === 'synth') {
    process.stdout.write(`${JSON.stringify(synth(Number(size)))}\n`);
  } else if (kind === 'pulumi') {
    process.stdout.write(`${JSON.stringify(await pulumiProgram(Number(size)))}\n`);
    process.exit(0);
  } else {
    process.stderr.write('usage: measure.ts synth|pulumi <jobs>\n');
    process.exitCode = 2;
  }
}

void main();
