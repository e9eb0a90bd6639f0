/**
 * The Pulumi program's entry (`main` in stacks/Pulumi.yaml): loads stacks/pulumi/main.ts through
 * the project's transpile cache (scripts/ts-cache.js), as `npm run synth` loads main.ts. Pulumi's
 * own TypeScript support (ts-node) would load the compiler and transpile every module on every
 * `pulumi preview`/`up`; `npm test` does the type check either way.
 *
 * Source maps stay off here unless SPARK_PLATFORM_TS_SOURCE_MAPS=1: @pulumi/pulumi formats a stack
 * trace for every promise it makes, and mapping each one through a source map cost more than the
 * registration itself (bench/results/NOTES.md). Input errors are reported without a stack anyway.
 *
 * SparkPlatform also registers its resources with Error.stackTraceLimit at 0 (restored after; see
 * stacks/pulumi/stack-traces.ts and docs/pulumi.md): SPARK_PLATFORM_PULUMI_STACKS=1 keeps the
 * SDK's per-promise stacks, e.g. to see where a leaked promise was made.
 */
'use strict';
if (process.env.SPARK_PLATFORM_TS_SOURCE_MAPS === undefined) process.env.SPARK_PLATFORM_TS_SOURCE_MAPS = '0';
require('../../scripts/ts-cache');
module.exports = require('./main.ts');
