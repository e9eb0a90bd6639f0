/**
 * One benchmark measurement in a fresh process (so peak RSS belongs to one platform size):
 *   node -r ./scripts/ts-cache.js bench/measure.ts synth <jobs> [keep-dir]
 *   node -r ./scripts/ts-cache.js bench/measure.ts dump <keep-dir> <dump.json>
 *   node -r ./scripts/ts-cache.js bench/measure.ts floor <jobs> <dump.json>
 *   node -r ./scripts/ts-cache.js bench/measure.ts pulumi <jobs>
 *   node -r ./scripts/ts-cache.js bench/measure.ts pulumi-plan <jobs> <plan.json>
 *   node -r ./scripts/ts-cache.js bench/measure.ts pulumi-floor <plan.json>
 *   node --expose-gc -r ./scripts/ts-cache.js bench/measure.ts census <jobs>
 * prints one JSON line. See bench/run.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as v8 from 'v8';
import { App } from 'cdk8s';
import { collectSecretRefs } from '../constructs/secret-refs';
import { DeferredChildren } from '../constructs/deferred';
import * as YAML from 'yaml';
import { type KubeObject, SparkPlatformApp, StagedTree, writeTreeAtomically } from '../stacks/gitops';
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
 * The full pipeline for `jobs` jobs, as `npm run synth` runs it (SparkPlatformApp.synth: each
 * object rendered, checked and appended to its chart's file in a staging directory as it is made,
 * then the directory swapped in),
 * kept apart to count the tree's dependency edges. With `keep`, the output is written there and
 * kept for the floor's own process; otherwise to a temporary directory, removed after.
 */
function synth(jobs: number, keep?: string): SynthMeasurement {
  const config = benchPlatform(jobs);
  const out = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'spark-bench-'));
  const phases: Record<string, number> = {};
  (globalThis as { __sparkPlatformTimings?: Record<string, number> }).__sparkPlatformTimings = phases;
  try {
    const t0 = performance.now();
    const app = new SparkPlatformApp({ name: config.name, outdir: out });
    timed('buildMs', () => buildPlatform(app, config, undefined, { deferJobs: true }));
    let bytes = 0;
    let objects = 0;
    const tree = new StagedTree(path.join(out, config.name));
    try {
      objects = app.stream((file, chunk) => {
        bytes += Buffer.byteLength(chunk);
        tree.append(file, chunk);
      }).objectCount;
    } catch (e) {
      tree.abort();
      throw e;
    }
    timed('writeMs', () => tree.commit());
    const synthMs = performance.now() - t0;
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const dependencyEdges = app.node.findAll().reduce((n, c) => n + c.node.dependencies.length, 0);
    const rounded = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)]));
    return { jobs, tenants: config.tenants.length, objects, bytes, synthMs, peakRssMiB, dependencyEdges, phases: rounded };
  } finally {
    if (!keep) fs.rmSync(out, { recursive: true, force: true });
  }
}

/**
 * The synth's files read back as JSON (`dump <keep-dir> <dump.json>`, a process of its own, untimed):
 * the floor's input, so the floor's process holds no YAML parser garbage.
 */
function dump(dir: string, to: string): void {
  const name = fs.readdirSync(dir)[0];
  const kustomization = YAML.parse(fs.readFileSync(path.join(dir, name, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  const charts = kustomization.resources.map((file) => ({
    file,
    objects: YAML.parseAllDocuments(fs.readFileSync(path.join(dir, name, file), 'utf8')).map((d) => d.toJS() as unknown),
  }));
  fs.writeFileSync(to, JSON.stringify({ name, charts }));
}

/**
 * The floor, in a process of its own: the same objects, from plain JSON (the dump), serialized by
 * the yaml library as plain YAML and written, one file per chart (the naive way: every object and
 * all of its YAML held at once).
 */
function floor(jobs: number, dumped: string): FloorMeasurement {
  const plain = JSON.parse(fs.readFileSync(dumped, 'utf8')) as { name: string; charts: Array<{ file: string; objects: unknown[] }> };
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-bench-floor-'));
  try {
    const t1 = performance.now();
    const files = new Map<string, string>();
    for (const c of plain.charts) {
      files.set(`${plain.name}/${c.file}`, c.objects.map((o) => YAML.stringify(o, { lineWidth: 0, indent: 2, aliasDuplicateObjects: false })).join('---\n'));
    }
    writeTreeAtomically(files, out);
    const floorMs = performance.now() - t1;
    return { jobs, floorMs, floorPeakRssMiB: process.resourceUsage().maxRSS / 1024 };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/**
 * What the heap holds at the synth's turning points, each after a full garbage collection (a
 * process of its own: forced collections would change the timed run's peak). The difference
 * between this and peak RSS is V8's pacing: after a major collection it lets the heap grow to a
 * multiple of what survived (up to 4x when the heap limit is 2 GiB or more, as on this machine)
 * before it collects again.
 */
export interface HeapCensus {
  readonly jobs: number;
  /** V8's heap limit in this process, MiB (it sets how far the heap grows between collections). */
  readonly heapLimitMiB: number;
  /** Modules loaded, nothing built, MiB. */
  readonly baselineMiB: number;
  /** The construct tree built, its jobs deferred (the platform without them), MiB. */
  readonly treeMiB: number;
  /**
   * The most of any tenant's batch: its jobs built, judged by the doctor with the platform, and
   * rendered, just before they are released (the pipeline's live peak), MiB.
   */
  readonly batchMiB: number;
  /** At the first object streamed: the tree, the doctor's view of the platform and its JSON, MiB. */
  readonly renderingMiB: number;
  /** After the last object: the tree and the report, MiB. */
  readonly streamedMiB: number;
}

function census(jobs: number): HeapCensus {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('census needs node --expose-gc');
  const live = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const baselineMiB = live();
  const config = benchPlatform(jobs);
  const app = new SparkPlatformApp({ name: config.name });
  buildPlatform(app, config, undefined, { deferJobs: true });
  const treeMiB = live();
  // Measured as each batch is let go (the synth's own batches: the same as npm run synth's).
  const release = DeferredChildren.prototype.release;
  let batchMiB = 0;
  DeferredChildren.prototype.release = function measured(this: DeferredChildren, built) {
    batchMiB = Math.max(batchMiB, live());
    release.call(this, built);
  };
  let renderingMiB = 0;
  try {
    app.stream(() => undefined, { object: () => { if (renderingMiB === 0) renderingMiB = live(); } });
  } finally {
    DeferredChildren.prototype.release = release;
  }
  const streamedMiB = live();
  return { jobs, heapLimitMiB: v8.getHeapStatistics().heap_size_limit / 2 ** 20, baselineMiB, treeMiB, batchMiB, renderingMiB, streamedMiB };
}

/** What the Pulumi measurement reports. */
export interface PulumiMeasurement {
  readonly jobs: number;
  /** Resources the engine was asked to register (provider and component included). */
  readonly resources: number;
  /** From calling the program to the last registration reaching the (mock) engine. */
  readonly registrationMs: number;
  /**
   * From calling the program to its return: the platform built and checked and every resource
   * constructed (the SDK's registration work goes on asynchronously after it).
   */
  readonly constructMs: number;
}

/**
 * The mock engine both Pulumi measurements run under (the floor is only a floor with the same
 * one): each resource's state is its inputs, as an engine returns the object it created. Returns
 * how many registrations it has received so far.
 */
async function countingMocks(pulumi: typeof import('@pulumi/pulumi')): Promise<() => number> {
  let registered = 0;
  await pulumi.runtime.setMocks({
    newResource: (args) => {
      registered++;
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  }, 'spark-platform', 'bench', false);
  return () => registered;
}

/** Resolves once the mock engine has received `expected` registrations. */
async function received(registered: () => number, expected: number): Promise<void> {
  while (registered() < expected) await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * The dummy value of a Secret's key in the Pulumi measurements: the program gets it from its
 * config (as `pulumi config set --secret` would give it), the floor's saved plan holds it
 * base64-encoded, as the program writes it into the Secret's data.
 */
function benchSecretValue(secret: string, key: string): string {
  return `bench-${secret}-${key}`;
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
    secrets[ref.name] = Object.fromEntries(ref.keys.map((k) => [k, benchSecretValue(ref.name, k)]));
  }
  const registered = await countingMocks(pulumi);
  pulumi.runtime.setAllConfig({
    'spark-platform:environment': config.name,
    'spark-platform:secrets': JSON.stringify(secrets),
  }, ['spark-platform:secrets']);
  // Loaded after the mocks, as the program would be by the engine.
  const { deployPlatform } = await import('../stacks/pulumi/program');
  const t0 = performance.now();
  const platform = deployPlatform({ config: new pulumi.Config('spark-platform'), environments: [config] });
  const constructMs = performance.now() - t0;
  await received(registered, platform.resources.size + 2); // + the provider and the component
  return { jobs, resources: registered(), registrationMs: performance.now() - t0, constructMs };
}

/** The Pulumi program's registrations, saved: each resource's name, object and dependencies. */
interface SavedPlan {
  readonly jobs: number;
  readonly resources: ReadonlyArray<{ readonly name: string; readonly object: KubeObject; readonly dependsOn: readonly string[] }>;
}

/**
 * What the program registers for `jobs` jobs (`pulumi-plan`, a process of its own, untimed): the
 * planned resources in order, a Secret the target creates with the dummy values the program is
 * given. The input of the Pulumi floor.
 */
async function pulumiPlan(jobs: number, to: string): Promise<void> {
  const { chartManifests, planResources } = await import('../stacks/pulumi');
  const config = benchPlatform(jobs);
  const app = new SparkPlatformApp({ name: config.name });
  buildPlatform(app, config);
  const rendered = app.check();
  const plan = planResources(config.name, chartManifests(rendered.charts), rendered.secretRefs);
  const resources = plan.map((p) => {
    const ref = p.secretRef;
    const object = ref ? { ...p.object, data: Object.fromEntries(ref.keys.map((k) => [k, Buffer.from(benchSecretValue(ref.name, k), 'utf8').toString('base64')])) } : p.object;
    return { name: p.name, object, dependsOn: p.dependsOn };
  });
  fs.writeFileSync(to, JSON.stringify({ jobs, resources } satisfies SavedPlan));
}

/** What the Pulumi floor reports. */
export interface PulumiFloorMeasurement {
  /** Resources the (mock) engine received: the saved plan's, a provider and a component. */
  readonly floorResources: number;
  /** From the first registration to the last reaching the mock engine. */
  readonly floorRegistrationMs: number;
}

/**
 * The Pulumi floor, in a process of its own: the same registrations as the program (the saved
 * plan's objects, through the same @pulumi/kubernetes classes, one provider, one parent
 * component, the same dependencies) under the same mocks, with no platform code in between: no
 * build, no doctor, no schema check, no planning. What the SDK and its mock engine cost for these
 * objects, whatever the program does.
 */
async function pulumiFloor(planFile: string): Promise<PulumiFloorMeasurement> {
  const pulumi = await import('@pulumi/pulumi');
  const k8s = await import('@pulumi/kubernetes');
  const saved = JSON.parse(fs.readFileSync(planFile, 'utf8')) as SavedPlan;
  const registered = await countingMocks(pulumi);
  const { createResource } = await import('../stacks/pulumi/resources');
  const t0 = performance.now();
  const parent = new pulumi.ComponentResource('spark-platform:bench:Floor', 'floor', {});
  const provider = new k8s.Provider('kubernetes', { enableServerSideApply: true }, { parent });
  const made = new Map<string, import('@pulumi/pulumi').CustomResource>();
  for (const r of saved.resources) {
    made.set(r.name, createResource(r.name, r.object, { parent, provider, dependsOn: r.dependsOn.map((d) => made.get(d)!) }));
  }
  await received(registered, saved.resources.length + 2); // + the provider and the parent
  return { floorResources: registered(), floorRegistrationMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const [kind, size, file] = process.argv.slice(2);
  if (kind === 'synth') {
    process.stdout.write(`${JSON.stringify(synth(Number(size), file))}\n`);
  } else if (kind === 'dump') {
    dump(size, file);
    process.stdout.write('{}\n');
  } else if (kind === 'floor') {
    process.stdout.write(`${JSON.stringify(floor(Number(size), file))}\n`);
  } else if (kind === 'census') {
    process.stdout.write(`${JSON.stringify(census(Number(size)))}\n`);
  } else if (kind === 'pulumi-plan') {
    await pulumiPlan(Number(size), file);
    process.stdout.write('{}\n');
  } else if (kind === 'pulumi-floor') {
    process.stdout.write(`${JSON.stringify(await pulumiFloor(size))}\n`);
    process.exit(0);
  } else if (kind === 'pulumi') {
    process.stdout.write(`${JSON.stringify(await pulumiProgram(Number(size)))}\n`);
    process.exit(0);
  } else {
    process.stderr.write('usage: measure.ts synth <jobs> [keep-dir] | dump <keep-dir> <dump.json> | floor <jobs> <dump.json> | pulumi <jobs> | pulumi-plan <jobs> <plan.json> | pulumi-floor <plan.json> | census <jobs>\n');
    process.exitCode = 2;
  }
}

void main();
