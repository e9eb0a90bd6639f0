#!/usr/bin/env node
/**
 * `npm run synth`: runs the cdk8s app (main.ts) with the transpile cache (scripts/ts-cache.js),
 * in this process. main.ts renders every environment, checks it and swaps the result into dist/
 * itself, so the cdk8s CLI (`cdk8s synth`, which still works: see cdk8s.yaml) adds nothing here
 * but its start-up time and a stack trace of its own after a failure. main.ts reports on stderr
 * and sets the exit code. Plain JavaScript, so it adds no compile step.
 *
 * SPARK_PLATFORM_TIMINGS=1 prints where the time went (start-up, loading and transpiling the
 * sources, then main.ts' own phases) as one JSON line on stderr; `npm run bench` reads it.
 */
'use strict';
const { performance } = require('perf_hooks');
const path = require('path');

const timings = process.env.SPARK_PLATFORM_TIMINGS === '1';
const started = performance.now();
const root = path.join(__dirname, '..');
process.chdir(root);
require('./ts-cache');
const hooked = performance.now();
if (timings) {
  globalThis.__sparkPlatformTimings = {};
  process.on('exit', () => {
    const phases = globalThis.__sparkPlatformTimings ?? {};
    process.stderr.write(`${JSON.stringify({
      timings: {
        // from the process' start (node itself) to this script's first line
        processStartMs: Math.round(started),
        cacheHookMs: Math.round(hooked - started),
        ...Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])),
        totalMs: Math.round(performance.now()),
      },
    })}\n`);
  });
}
require(path.join(root, 'main.ts'));
