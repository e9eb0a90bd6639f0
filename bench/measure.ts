/**
 * One benchmark measurement in a fresh process (so peak RSS belongs to one platform size):
 *   node -r ./scripts/ts-cache.js bench/measure.ts synth <jobs> [dump.json]
 *   node -r ./scripts/ts-cache.js bench/measure.ts floor <jobs> <dump.json>
 *   node -r ./scripts/ts-cache.js bench/measure.ts pulumi <jobs>
 * prints one JSON line. See bench/run.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'cdk8s';
import { collectSecretRefs } from '../constructs/secret-refs';
import { SparkPlatformApp, toYaml, writeTreeAtomically } from '../stacks/gitops';
import { timed } from '../stacks/gitops/timings';
import { buildPlatform } from '../stacks/platform';
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
  /**
   * Dependencies between constructs in the tree (`node.dependencies`, summed): cdk8s expands
   * chart-level dependencies into object pairs, a term quadratic in the platform's size.
   */
  readonly dependencyEdges: number;
  /** Where the synth's time went (stacks/gitops/timings.ts phases), ms. */
  readonly phases: Readonly<Record<string, number>>;
}

/** What one floor measurement reports: the same objects from plain JSON, straight to YAML files. */
export interface FloorMeasurement {
  readonly jobs: number;
  /** JSON -> YAML -> files written (reading the JSON excluded). */
  readonly floorMs: number;
  /** Peak RSS of the floor's own process (it holds every object and its YAML), MiB. */
  readonly floorPeakRssMiB: number;
}

/**
 * The full pipeline for `jobs` jobs, as renderEnvironment runs it (kept apart to count the
 * tree's dependency edges). With `dumpTo`, the objects per file are written there as JSON for the
 * floor's own process.
 */
function synth(jobs: number, dumpTo?: string): SynthMeasurement {
  const config = benchPlatform(jobs);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-bench-'));
  const phases: Record<string, number> = {};
  (globalThis as { __sparkPlatformTimings?: Record<string, number> }).__sparkPlatformTimings = phases;
  try {
    const t0 = performance.now();
    const app = new SparkPlatformApp({ name: config.name });
    timed('buildMs', () => buildPlatform(app, config));
    const rendered = app.render();
    const files = new Map([...rendered.files].map(([file, content]) => [`${config.name}/${file}`, content]));
    timed('writeMs', () => writeTreeAtomically(files, path.join(out, 'pipeline')));
    const synthMs = performance.now() - t0;
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const dependencyEdges = app.node.findAll().reduce((n, c) => n + c.node.dependencies.length, 0);
    if (dumpTo) {
      fs.writeFileSync(dumpTo, JSON.stringify({ name: config.name, charts: rendered.charts.map((c) => ({ file: c.file, objects: c.objects })) }));
    }
    const bytes = [...files.values()].reduce((n, s) => n + Buffer.byteLength(s), 0);
    return { jobs, tenants: config.tenants.length, objects: rendered.objects.length, bytes, synthMs, peakRssMiB, dependencyEdges, phases };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** The floor, in a process of its own: the dumped objects, from plain JSON, to YAML files. */
function floor(jobs: number, dump: string): FloorMeasurement {
  const plain = JSON.parse(fs.readFileSync(dump, 'utf8')) as { name: string; charts: Array<{ file: string; objects: unknown[] }> };
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-bench-floor-'));
  try {
    const t1 = performance.now();
    const files = new Map<string, string>();
    for (const c of plain.charts) files.set(`${plain.name}/${c.file}`, toYaml(c.objects));
    writeTreeAtomically(files, out);
    const floorMs = performance.now() - t1;
    return { jobs, floorMs, floorPeakRssMiB: process.resourceUsage().maxRSS / 1024 };
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
  // loaded here only: the synth and floor processes' memory must not include the Pulumi SDK
  const pulumi = await import('@pulumi/pulumi');
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
  const [kind, size, dump] = process.argv.slice(2);
  if (kind === 'synth') {
    process.stdout.write(`${JSON.stringify(synth(Number(size), dump))}\n`);
  } else if (kind === 'floor') {
    process.stdout.write(`${JSON.stringify(floor(Number(size), dump))}\n`);
  } else if (kind === 'pulumi') {
    process.stdout.write(`${JSON.stringify(await pulumiProgram(Number(size)))}\n`);
    process.exit(0);
  } else {
    process.stderr.write('usage: measure.ts synth <jobs> [dump.json] | floor <jobs> <dump.json> | pulumi <jobs>\n');
    process.exitCode = 2;
  }
}

void main();
