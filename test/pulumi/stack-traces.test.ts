/**
 * SparkPlatform registers its resources with V8's stack capture off (Error.stackTraceLimit = 0)
 * and restores the limit after; SPARK_PLATFORM_PULUMI_STACKS=1 keeps it on. The SDK still sends
 * each resource's source position and stack (it raises the limit itself for that one capture).
 */
import * as pulumi from '@pulumi/pulumi';
import { MockMonitor } from '@pulumi/pulumi/runtime/mocks';
import { App } from 'cdk8s';
import { SparkPlatform } from '../../stacks/pulumi';
import { PULUMI_STACKS_ENV, keepsStackCapture, withoutStackCapture } from '../../stacks/pulumi/stack-traces';
import { buildLibraryExample } from '../helpers/library-app';
import { installPulumiMocks, setStackConfig, valueOf } from '../helpers/pulumi-mocks';

const recorder = installPulumiMocks('stack-traces', 'test');
const config = setStackConfig('stack-traces', {});

/** Each RegisterResource request's source position (URI and line) and stack frame count, by resource name. */
const positions = new Map<string, { uri: string; frames: number }>();
{
  const proto = MockMonitor.prototype as unknown as { registerResource: (req: any, cb: any) => Promise<void> };
  const recording = proto.registerResource;
  proto.registerResource = function (this: MockMonitor, req: any, cb: any) {
    const position = req.getSourceposition();
    positions.set(req.getName(), { uri: position ? `${position.getUri()}:${position.getLine()}` : '', frames: req.getStacktrace()?.getFramesList().length ?? 0 });
    return recording.call(this, req, cb);
  };
}

async function settled(platform: SparkPlatform): Promise<void> {
  await Promise.all([platform.urn, platform.provider.urn, ...[...platform.resources.values()].map((r) => r.urn)].map((o) => valueOf(o)));
}

/** Builds the library example as a SparkPlatform, recording Error.stackTraceLimit as each resource is constructed. */
function platformRecordingLimits(name: string): { platform: SparkPlatform; limits: Map<string, number> } {
  const limits = new Map<string, number>();
  const app = new App();
  buildLibraryExample(app);
  // A transformation runs synchronously in every resource's constructor (the component's own and,
  // inherited, each child's): the limit it sees is the one the SDK's promises are made under.
  const record: pulumi.ResourceTransformation = (args) => {
    limits.set(args.name, Error.stackTraceLimit);
    return undefined;
  };
  const platform = new SparkPlatform(name, { app, config }, { transformations: [record] });
  return { platform, limits };
}

function withEnv<T>(value: string | undefined, fn: () => T): T {
  const previous = process.env[PULUMI_STACKS_ENV];
  if (value === undefined) delete process.env[PULUMI_STACKS_ENV];
  else process.env[PULUMI_STACKS_ENV] = value;
  try {
    return fn();
  } finally {
    if (previous === undefined) delete process.env[PULUMI_STACKS_ENV];
    else process.env[PULUMI_STACKS_ENV] = previous;
  }
}

describe('withoutStackCapture', () => {
  const original = Error.stackTraceLimit;
  afterEach(() => {
    Error.stackTraceLimit = original;
  });

  test('runs the function with the limit at 0 and restores the previous limit', () => {
    Error.stackTraceLimit = 7;
    const seen = withoutStackCapture(() => Error.stackTraceLimit, false);
    expect(seen).toBe(0);
    expect(Error.stackTraceLimit).toBe(7);
  });

  test('restores the limit when the function throws, and the error keeps its message', () => {
    Error.stackTraceLimit = 7;
    expect(() => withoutStackCapture(() => {
      throw new Error('registration failed');
    }, false)).toThrow('registration failed');
    expect(Error.stackTraceLimit).toBe(7);
  });

  test('keep leaves the limit alone', () => {
    Error.stackTraceLimit = 7;
    expect(withoutStackCapture(() => Error.stackTraceLimit, true)).toBe(7);
    expect(Error.stackTraceLimit).toBe(7);
  });
});

describe('keepsStackCapture', () => {
  test.each([
    [undefined, false],
    ['', false],
    ['0', false],
    ['1', true],
  ])('%p -> %p', (value, expected) => {
    expect(keepsStackCapture(value === undefined ? {} : { [PULUMI_STACKS_ENV]: value })).toBe(expected);
  });

  test('another value is an error naming the variable and the values it takes', () => {
    expect(() => keepsStackCapture({ [PULUMI_STACKS_ENV]: 'yes' })).toThrow(
      /environment variable SPARK_PLATFORM_PULUMI_STACKS: is "yes"\. Fix: set it to 1 .*or to 0 \(or unset it\)/,
    );
  });
});

describe('SparkPlatform', () => {
  test('registers every resource with the limit at 0, restores it; each request still carries its stack', async () => {
    recorder.clear();
    positions.clear();
    const before = Error.stackTraceLimit;
    const { platform, limits } = withEnv(undefined, () => platformRecordingLimits('fast'));
    expect(Error.stackTraceLimit).toBe(before);
    await settled(platform);
    const children = [...platform.resources.keys()];
    expect(children.length).toBeGreaterThan(20);
    for (const name of children) expect(limits.get(name)).toBe(0);
    expect(limits.get('kubernetes')).toBe(0); // the provider
    expect(limits.get('fast')).toBe(before); // the component registers before the window
    // The SDK captures each resource's stack with its own limit: every request still carries it.
    for (const name of children) expect(positions.get(name)?.frames).toBeGreaterThan(0);
  });

  test('SPARK_PLATFORM_PULUMI_STACKS=1 keeps the limit during registration; the engine is asked the same', async () => {
    recorder.clear();
    positions.clear();
    const before = Error.stackTraceLimit;
    // Both built from the same call depth: the stacks the SDK sends depend on it.
    const fast = withEnv(undefined, () => platformRecordingLimits('fastpath'));
    const kept = withEnv('1', () => platformRecordingLimits('keptpath'));
    expect(Error.stackTraceLimit).toBe(before);
    await Promise.all([settled(fast.platform), settled(kept.platform)]);
    for (const name of kept.platform.resources.keys()) expect(kept.limits.get(name)).toBe(before);
    // Apart from the name resources start with, the requests are the same: type, inputs,
    // provider, dependencies, and the source position and stack the SDK sends with each.
    const requests = (prefix: string) => [...recorder.registrations.values()]
      .filter((r) => r.name === prefix || r.name.startsWith(`${prefix}:`))
      .map((r) => ({ ...r, position: positions.get(r.name) }));
    expect(requests('fastpath').length).toBeGreaterThan(20);
    expect(JSON.stringify(requests('keptpath')).replace(/keptpath/g, 'fastpath')).toEqual(JSON.stringify(requests('fastpath')));
  });

  test('an invalid SPARK_PLATFORM_PULUMI_STACKS fails before anything is registered', () => {
    recorder.clear();
    expect(() => withEnv('true', () => platformRecordingLimits('invalid'))).toThrow(/SPARK_PLATFORM_PULUMI_STACKS: is "true"/);
    expect(recorder.registrations.size).toBe(0);
  });
});
