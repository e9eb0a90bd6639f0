import { SparkPlatformError, show } from '../../constructs/errors';

/**
 * The environment variable that keeps V8's stack capture on while SparkPlatform registers its
 * resources: `1` keeps it, unset (or `0`) turns it off for the registration (see
 * withoutStackCapture).
 */
export const PULUMI_STACKS_ENV = 'SPARK_PLATFORM_PULUMI_STACKS';

/**
 * Whether SparkPlatform keeps V8's stack capture on during registration: `SPARK_PLATFORM_PULUMI_STACKS`
 * is `1`. Unset or `0` turns it off; any other value is an error naming the variable, since a
 * typo would otherwise silently pick one behaviour.
 */
export function keepsStackCapture(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[PULUMI_STACKS_ENV];
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new SparkPlatformError(
    `environment variable ${PULUMI_STACKS_ENV}`,
    `is ${show(value)}`,
    `set it to 1 to keep a stack trace on each promise @pulumi/pulumi makes during registration, or to 0 (or unset it) for the fast path`,
  );
}

/**
 * Runs `register` with `Error.stackTraceLimit` at 0, then restores the previous limit (also when
 * `register` throws).
 *
 * @pulumi/pulumi records `new Error().stack` on each of the promises it makes while a resource is
 * constructed (about 26 per Kubernetes resource, runtime/debuggable.js; read back only to describe
 * a promise still pending when the program exits); capturing and formatting those stacks was about
 * two thirds of the constructors' cost (3.3-4.2 s against 1.2-1.4 s of CPU for 3,221 resources,
 * issue 21). With the limit at 0 each is the bare string `Error`. The source position and stack
 * the SDK sends the engine with each resource are unaffected: the SDK raises the limit itself
 * while it captures them. What is lost: the stacks in the SDK's leaked-promise report, and the
 * stack of an error created in this window, which includes the error the SDK prepares in each
 * constructor for a failed registration (its message, naming the resource and the engine's reason,
 * is kept).
 *
 * The limit is process-wide, so it is lowered only for this synchronous call: promise callbacks
 * the SDK runs later capture stacks as usual. `keep` (default: `SPARK_PLATFORM_PULUMI_STACKS=1`,
 * see keepsStackCapture) leaves the limit alone.
 */
export function withoutStackCapture<T>(register: () => T, keep: boolean = keepsStackCapture()): T {
  if (keep) return register();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return register();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
