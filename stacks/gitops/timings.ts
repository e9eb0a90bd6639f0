/**
 * Where a synth's time goes, for `npm run bench` (SPARK_PLATFORM_TIMINGS=1 npm run synth): phases
 * add their wall time (ms, unrounded: a phase may run once per chart) to
 * `globalThis.__sparkPlatformTimings` when scripts/synth.js has created it, and cost nothing otherwise.
 */
import { performance } from 'perf_hooks';

type Timings = Record<string, number>;

function sink(): Timings | undefined {
  return (globalThis as { __sparkPlatformTimings?: Timings }).__sparkPlatformTimings;
}

/** Runs `fn`, adding its wall time (ms) to `phase` when timings are being collected. */
export function timed<T>(phase: string, fn: () => T): T {
  const out = sink();
  if (!out) return fn();
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    out[phase] = (out[phase] ?? 0) + performance.now() - t0;
  }
}
