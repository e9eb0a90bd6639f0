import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { HeapCensus, PulumiFloorMeasurement, PulumiMeasurement } from '../../bench/measure';

/**
 * The bench's measurement modes still run and measure what they say (issue 21): no figure is
 * asserted (tests time nothing), only what each mode must agree on. Each mode is a process of its
 * own, as `npm run bench` runs it, at a size of 10 jobs.
 */

const ROOT = path.join(__dirname, '..', '..');

function measure<T>(nodeFlags: readonly string[], ...args: string[]): T {
  const out = execFileSync(process.execPath, [...nodeFlags, '-r', path.join(ROOT, 'scripts', 'ts-cache.js'), path.join(ROOT, 'bench', 'measure.ts'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SPARK_PLATFORM_TS_SOURCE_MAPS: '0' },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

describe('bench/measure.ts', () => {
  test('census: the live heap grows from the modules to the tree to a tenant\'s batch and the rendering, and the heap limit is reported', () => {
    const c = measure<HeapCensus>(['--expose-gc'], 'census', '10');
    expect(c.jobs).toBe(10);
    expect(c.treeMiB).toBeGreaterThan(c.baselineMiB);
    expect(c.batchMiB).toBeGreaterThan(c.treeMiB);
    expect(c.renderingMiB).toBeGreaterThan(c.treeMiB);
    expect(c.streamedMiB).toBeGreaterThan(c.baselineMiB);
    expect(c.heapLimitMiB).toBeGreaterThan(0);
  }, 60_000);

  test('census refuses to run without --expose-gc instead of reporting uncollected figures', () => {
    expect(() => measure([], 'census', '10')).toThrow(/census needs node --expose-gc/);
  }, 60_000);

  test('the Pulumi floor replays exactly the registrations the program makes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-measure-'));
    try {
      const plan = path.join(dir, 'plan.json');
      const program = measure<PulumiMeasurement>([], 'pulumi', '10');
      measure<unknown>([], 'pulumi-plan', '10', plan);
      const saved = JSON.parse(fs.readFileSync(plan, 'utf8')) as { jobs: number; resources: Array<{ name: string; dependsOn: string[] }> };
      // every dependency is a resource registered before it, as the program registers them
      const seen = new Set<string>();
      for (const r of saved.resources) {
        for (const d of r.dependsOn) expect(seen.has(d)).toBe(true);
        seen.add(r.name);
      }
      const floor = measure<PulumiFloorMeasurement>([], 'pulumi-floor', plan);
      // the program's resources plus its provider and component, against the plan's plus the floor's provider and parent
      expect(floor.floorResources).toBe(program.resources);
      expect(floor.floorResources).toBe(saved.resources.length + 2);
      expect(floor.floorRegistrationMs).toBeGreaterThan(0);
      // the program's synchronous part is a part of its registration time
      expect(program.constructMs).toBeGreaterThan(0);
      expect(program.constructMs).toBeLessThanOrEqual(program.registrationMs);
      // the floor without V8's stack capture (as `npm run bench` runs it) replays the same registrations
      const bare = measure<PulumiFloorMeasurement>(['--stack-trace-limit=0'], 'pulumi-floor', plan);
      expect(bare.floorResources).toBe(program.resources);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
