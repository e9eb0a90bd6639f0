/**
 * Pulumi's own mocks (`pulumi.runtime.setMocks`) plus a record of what the engine would be asked:
 * each RegisterResource request's type, name, inputs, provider and direct dependencies. The
 * dependencies are read from the request the SDK sends (after dependsOn is resolved to URNs), not
 * from the program's own bookkeeping, so a test on them fails when the program's ordering breaks.
 */
import * as pulumi from '@pulumi/pulumi';
import { MockMonitor } from '@pulumi/pulumi/runtime/mocks';
import { specialSecretSig, specialSigKey } from '@pulumi/pulumi/runtime/rpc';

/** One resource registration as the (mock) engine saw it. */
export interface Registration {
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
  readonly type: string;
  /** The resource name (the last part of the URN). */
  readonly name: string;
  /** Inputs, deserialized: secrets appear as `{ [specialSigKey]: specialSecretSig, value }`. */
  readonly inputs: Record<string, unknown>;
  /** The provider reference (`<provider urn>::<id>`), for custom resources. */
  readonly provider?: string;
  /** Names of the resources this one directly depends on (dependsOn and input dependencies). */
  readonly dependencies: readonly string[];
}

/** The registrations since the last `clear()`, by name. */
export interface MockRecorder {
  readonly registrations: Map<string, Registration>;
  clear(): void;
}

const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf('::') + 2);

/**
 * Installs the mocks for `project`/`stack` and returns the recorder. Call once per test file
 * (each jest file has its own Pulumi runtime state), before any resource is created.
 */
export function installPulumiMocks(project = 'spark-platform', stack = 'test'): MockRecorder {
  const registrations = new Map<string, Registration>();
  const dependencies = new Map<string, string[]>();
  const proto = MockMonitor.prototype as unknown as { registerResource: (req: any, cb: any) => Promise<void> };
  const original = proto.registerResource;
  if (!(original as { __recording?: boolean }).__recording) {
    const recording = function (this: MockMonitor, req: any, cb: any) {
      dependencies.set(req.getName(), (req.getDependenciesList() as string[]).map(nameOfUrn));
      return original.call(this, req, cb);
    };
    (recording as { __recording?: boolean }).__recording = true;
    proto.registerResource = recording;
  }
  void pulumi.runtime.setMocks({
    newResource: (args) => {
      registrations.set(args.name, {
        type: args.type, name: args.name, inputs: args.inputs, provider: args.provider,
        dependencies: dependencies.get(args.name) ?? [],
      });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  }, project, stack, false);
  return { registrations, clear: () => { registrations.clear(); dependencies.clear(); } };
}

/** Sets the stack configuration (keys without the project prefix; objects as JSON); `secret` keys are marked secret. */
export function setStackConfig(project: string, values: Record<string, unknown>, secret: readonly string[] = []): pulumi.Config {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) all[`${project}:${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(all, secret.map((k) => `${project}:${k}`));
  return new pulumi.Config(project);
}

/** The value of an Output (resolved by the mocks). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Whether a deserialized input value is a Pulumi secret. */
export function isSecretValue(v: unknown): v is { value: unknown } {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}
