/**
 * `npm run bench`: synth cost as the platform grows. For 10 to 10,000 SparkJobs (both modes,
 * storage, notebooks, every validation and the doctor on) it measures, each in a fresh process:
 * the full pipeline as `npm run synth` runs it (constructs -> doctor -> rendering, validation,
 * YAML and writing chart by chart) with its phases, peak RSS and the tree's dependency edges; then
 * the floor, in a fresh process of its own (the same objects, read back from the synth's files
 * into a JSON dump by another process, then serialized by the yaml library and written), so that
 * neither the pipeline's memory nor the YAML parser's garbage slows it. Up to 1,000 jobs both are
 * run three times, alternating, and the medians reported. Memory per job is the marginal peak RSS between consecutive sizes.
 * At the largest size, a heap census in another process (node --expose-gc, full collections at
 * the synth's turning points: modules loaded, tree built with its jobs deferred, one tenant's
 * jobs built, judged and rendered, first object written, last object written) separates what the pipeline holds from how far V8 lets the heap grow past it.
 * Then the Pulumi program's registration time under mocks for 1,000 jobs, next to its floor (the
 * same registrations replayed from a saved plan with no platform code: what the SDK and its mock
 * engine cost for these objects), measured as the SDK runs by default and with V8's stack capture
 * off (what no program registering these resources can go below), medians of three; and the real engine's
 * time per resource from the e2e suite's last `pulumi up` on this machine (e2e/measurements.ts).
 *
 * Writes bench/results/latest.json and bench/results/latest.md. No assertions: numbers for
 * people, not a test (the tests stay fast and deterministic).
 *
 * Options: --sizes 10,100 (default 10,100,1000,2000,5000,10000), --pulumi-jobs 1000 (0 to skip).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { latestPulumiUp } from '../e2e/measurements';
import type { FloorMeasurement, HeapCensus, PulumiFloorMeasurement, PulumiMeasurement, SynthMeasurement } from './measure';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function measure<T>(...args: string[]): T {
  return measureWith<T>([], ...args);
}

function measureWith<T>(nodeFlags: readonly string[], ...args: string[]): T {
  // the Pulumi program runs as stacks/pulumi/run.js loads it: source maps off
  const env = args[0].startsWith('pulumi') && process.env.SPARK_PLATFORM_TS_SOURCE_MAPS === undefined ? { SPARK_PLATFORM_TS_SOURCE_MAPS: '0' } : {};
  // through the transpile cache, as `npm run synth` runs: ts-node would load the TypeScript
  // compiler into every measured process (about 100 MiB of peak RSS and a second of start-up)
  const hook = path.join(__dirname, '..', 'scripts', 'ts-cache.js');
  const out = execFileSync(process.execPath, [...nodeFlags, '-r', hook, path.join(__dirname, 'measure.ts'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=8192`.trim() },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/**
 * `npm run synth` of the repository's environments, as a user runs it (scripts/synth.js), with
 * its phase timings (SPARK_PLATFORM_TIMINGS=1): once to fill the transpile cache, then measured.
 */
function synthBreakdown(): Record<string, number> {
  const run = (): string => {
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'synth.js')], {
      encoding: 'utf8',
      env: { ...process.env, SPARK_PLATFORM_TIMINGS: '1', SPARK_PLATFORM_OUTDIR: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-')) },
    });
    if (r.status !== 0) throw new Error(`npm run synth failed:\n${r.stderr}`);
    return r.stderr;
  };
  run();
  const lines = run().trim().split('\n');
  const timings = (JSON.parse(lines[lines.length - 1]) as { timings: Record<string, number> }).timings;
  // what no phase covers: loading the (cached) modules, and exit
  const phases = Object.entries(timings).filter(([k]) => k !== 'totalMs').reduce((sum, [, v]) => sum + v, 0);
  return { ...timings, otherMs: Math.max(0, timings.totalMs - phases) };
}

/** Sizes measured several times (their median reported): up to this many jobs. */
const REPEAT_UP_TO = 1000;
const REPEATS = 3;

/** The measurement whose `key` is the median (the middle one of an odd count). */
function median<T>(runs: readonly T[], key: (m: T) => number): T {
  return [...runs].sort((a, b) => key(a) - key(b))[Math.floor((runs.length - 1) / 2)];
}

/** The Pulumi figures: the program's and its floors' medians. */
type PulumiFigures = PulumiMeasurement & PulumiFloorMeasurement & {
  /** The floor's median with V8's stack capture off for its whole process (node --stack-trace-limit=0). */
  readonly floorWithoutStacksMs: number;
  readonly runs: number;
};

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

function main(): void {
  const sizes = option('sizes', '10,100,1000,2000,5000,10000').split(',').map(Number);
  const pulumiJobs = Number(option('pulumi-jobs', '1000'));
  const synth: Array<SynthMeasurement & FloorMeasurement & { runs: number }> = [];
  const dumpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-bench-dump-'));
  try {
    for (const jobs of sizes) {
      process.stderr.write(`synth ${jobs} jobs...\n`);
      const kept = path.join(dumpDir, String(jobs));
      const dumped = path.join(dumpDir, `${jobs}.json`);
      // Up to 1,000 jobs a run takes seconds and its time varies by a quarter from run to run on
      // a shared machine: the median of three alternating synth and floor runs (the output is
      // byte-identical, so one dump serves every floor run), each in a fresh process.
      const runs = jobs <= REPEAT_UP_TO ? REPEATS : 1;
      const synths: SynthMeasurement[] = [];
      const floors: FloorMeasurement[] = [];
      for (let i = 0; i < runs; i++) {
        synths.push(measure<SynthMeasurement>('synth', String(jobs), kept));
        if (i === 0) measure<unknown>('dump', kept, dumped);
        fs.rmSync(kept, { recursive: true, force: true });
        floors.push(measure<FloorMeasurement>('floor', String(jobs), dumped));
      }
      fs.rmSync(dumped, { force: true });
      synth.push({ ...median(synths, (m) => m.synthMs), ...median(floors, (m) => m.floorMs), runs });
    }
  } finally {
    fs.rmSync(dumpDir, { recursive: true, force: true });
  }
  // What the heap holds, apart from V8's pacing, at the largest size (forced collections: a process of its own)
  const largest = Math.max(...sizes);
  process.stderr.write(`heap census ${largest} jobs...\n`);
  const census = measureWith<HeapCensus>(['--expose-gc'], 'census', String(largest));
  let pulumi: PulumiFigures | undefined;
  if (pulumiJobs > 0) {
    process.stderr.write(`pulumi registration ${pulumiJobs} jobs...\n`);
    // the SDK's floor: the program's registrations, saved by one process and replayed by another
    const planDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-bench-plan-'));
    try {
      const plan = path.join(planDir, 'plan.json');
      measure<unknown>('pulumi-plan', String(pulumiJobs), plan);
      // Single runs of the same code varied from 7.8 to 10.1 s in one day: the median of three
      // alternating runs of the program and both floors, each in a fresh process.
      const programs: PulumiMeasurement[] = [];
      const floors: PulumiFloorMeasurement[] = [];
      const bareFloors: PulumiFloorMeasurement[] = [];
      for (let i = 0; i < REPEATS; i++) {
        programs.push(measure<PulumiMeasurement>('pulumi', String(pulumiJobs)));
        floors.push(measure<PulumiFloorMeasurement>('pulumi-floor', plan));
        bareFloors.push(measureWith<PulumiFloorMeasurement>(['--stack-trace-limit=0'], 'pulumi-floor', plan));
      }
      pulumi = {
        ...median(programs, (m) => m.registrationMs),
        ...median(floors, (m) => m.floorRegistrationMs),
        floorWithoutStacksMs: median(bareFloors, (m) => m.floorRegistrationMs).floorRegistrationMs,
        runs: REPEATS,
      };
    } finally {
      fs.rmSync(planDir, { recursive: true, force: true });
    }
  }
  process.stderr.write('npm run synth (the repository\'s environments)...\n');
  const breakdown = synthBreakdown();
  const at = (n: number) => synth.find((m) => m.jobs === n);
  const growth = at(10000) && at(1000) ? at(10000)!.synthMs / at(1000)!.synthMs : undefined;
  // memory per job: the marginal peak RSS from the previous size
  const realEngine = latestPulumiUp();
  const perJob = synth.map((m, i) => (i === 0 ? undefined : ((m.peakRssMiB - synth[i - 1].peakRssMiB) * 2 ** 20) / (m.jobs - synth[i - 1].jobs)));
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    synth: synth.map((m, i) => ({ ...m, ratioToFloor: m.synthMs / m.floorMs, marginalBytesPerJob: perJob[i] })),
    growth10kOver1k: growth,
    heapCensus: census,
    pulumi,
    pulumiUpRealEngine: realEngine,
    npmRunSynth: breakdown,
  };
  const mib = (m: number) => `${Math.round(m)} MiB`;
  const kb = (b: number | undefined) => (b === undefined ? '' : `${Math.round(b / 1024)} KB`);
  const lines = [
    `Measured ${results.date.slice(0, 10)} on ${results.machine.cpus} × ${results.machine.cpu ?? 'cpu'}, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}.`,
    '',
    `Up to ${REPEAT_UP_TO.toLocaleString('en-US')} jobs each figure is the median of ${REPEATS} runs (synth and floor alternating, each in a fresh process); above, one run.`,
    '',
    '| SparkJobs | tenants | objects | YAML | synth (full pipeline) | peak RSS | per added job | dependency edges | floor (JSON → YAML library → files, own process) | floor peak RSS | synth / floor |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.synth.map((m) => `| ${m.jobs.toLocaleString('en-US')} | ${m.tenants} | ${m.objects.toLocaleString('en-US')} | ${(m.bytes / 2 ** 20).toFixed(1)} MiB | ${fmt(m.synthMs)} | ${Math.round(m.peakRssMiB)} MiB | ${kb(m.marginalBytesPerJob)} | ${m.dependencyEdges.toLocaleString('en-US')} | ${fmt(m.floorMs)} | ${Math.round(m.floorPeakRssMiB)} MiB | ${m.ratioToFloor.toFixed(1)} |`),
    '',
    'Synth phases (ms): ' + results.synth.map((m) => `${m.jobs.toLocaleString('en-US')}: ${Object.entries(m.phases).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v}`).join(', ')}`).join('; ') + '.',
    '',
    `Heap census at ${census.jobs.toLocaleString('en-US')} jobs (own process, each after full collections): modules loaded ${mib(census.baselineMiB)}; tree built, jobs deferred ${mib(census.treeMiB)}; `
      + `at most with one tenant's jobs built, judged and rendered ${mib(census.batchMiB)}; `
      + `at the first object written ${mib(census.renderingMiB)}; after the last ${mib(census.streamedMiB)}. `
      + `V8's heap limit ${mib(census.heapLimitMiB)}: with a limit of 2 GiB or more V8 lets the heap grow to up to 4× what survived a major collection before it collects again, so peak RSS can be several times these figures (docs/benchmark.md).`,
    '',
    growth !== undefined ? `Growth: time(10,000) / time(1,000) = ${growth.toFixed(1)} (linear is 10).` : 'Growth: not measured (needs 1,000 and 10,000).',
    `\`npm run synth\` (dev and prod, transpile cache warm): ${fmt(breakdown.totalMs)} in all; ${Object.entries(breakdown).filter(([k]) => k !== 'totalMs').map(([k, v]) => `${k.replace(/Ms$/, '')} ${fmt(v)}`).join(', ')}.`,
    '',
    pulumi
      ? `Pulumi program under mocks, ${pulumi.jobs.toLocaleString('en-US')} jobs (each figure the median of ${pulumi.runs} alternating runs, each in a fresh process): `
        + `${pulumi.resources.toLocaleString('en-US')} resources registered in ${fmt(pulumi.registrationMs)}, of which the program's synchronous part (build, checks, resource constructors) ${fmt(pulumi.constructMs)}. `
        + `SDK floor (the same ${pulumi.floorResources.toLocaleString('en-US')} registrations replayed from a saved plan through the same classes and mocks, no platform code): `
        + `${fmt(pulumi.floorRegistrationMs)} as the SDK runs by default; ${fmt(pulumi.floorWithoutStacksMs)} with V8's stack capture off for the whole process (node --stack-trace-limit=0), the least a program registering these resources pays here. `
        + `Program / floor ${(pulumi.registrationMs / pulumi.floorRegistrationMs).toFixed(2)}; / floor without stacks ${(pulumi.registrationMs / pulumi.floorWithoutStacksMs).toFixed(2)}.`
      : '',
    realEngine
      ? `Real engine (the e2e suite's \`pulumi up\` of ${realEngine.environment}, Pulumi ${realEngine.cli}, provider ${realEngine.provider}, local API server ${realEngine.kubernetes}, ${realEngine.date.slice(0, 10)}): ${realEngine.resources} resources in ${fmt(realEngine.upMs)}, ${Math.round(realEngine.upMs / realEngine.resources)} ms per resource (the whole up: program, engine, provider and its waits for workloads to be ready).`
      : 'Real engine: not measured on this machine (`npm run e2e` records its `pulumi up`).',
  ];
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'latest.md'), `${lines.join('\n').trimEnd()}\n`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
