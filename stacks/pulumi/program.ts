import * as pulumi from '@pulumi/pulumi';
import { SparkPlatformError } from '../../constructs/errors';
import type { PlatformConfig } from '../config';
import { loadEnvironments } from '../environments/load';
import { SparkPlatformApp } from '../gitops';
import { PlatformCharts, buildPlatform } from '../platform';
import { SynthError, isUserError } from '../synth';
import { PLATFORM_COMPONENT_TYPE, SparkPlatform } from './component';
import { CONFIG_WHERE } from './secrets';
import { StackSettings, readStackSettings } from './settings';

export { PLATFORM_COMPONENT_TYPE, SparkPlatform };

/** What the stack exports: where the platform's services are. */
export interface PlatformOutputs {
  /** The environment provisioned. */
  readonly environment: string;
  /** The s3a endpoint jobs use; undefined without storage or for AWS S3 (the SDK's default endpoint). */
  readonly objectStoreEndpoint?: string;
  /** The History Server's in-cluster URL, when it is deployed. */
  readonly historyServerUrl?: string;
  /** The Spark operator's namespace. */
  readonly operatorNamespace: string;
  /** The tenant namespaces Spark jobs run in. */
  readonly jobNamespaces: readonly string[];
  /** Notebook (`<tenant>/<name>`) → in-cluster URL; empty when the environment has no notebooks. */
  readonly notebookUrls: Readonly<Record<string, string>>;
}

/** The outputs of a built platform, read from what buildPlatform returned. */
export function platformOutputs(environment: string, platform: PlatformCharts): PlatformOutputs {
  return {
    environment,
    objectStoreEndpoint: platform.connection?.store.endpoint,
    historyServerUrl: platform.historyServer?.url,
    operatorNamespace: platform.sparkOperator.namespace,
    jobNamespaces: [...platform.tenantNamespaces.keys()],
    notebookUrls: notebookUrls(platform),
  };
}

/** Each notebook's URL, by `<tenant>/<name>`. */
function notebookUrls(platform: PlatformCharts): Record<string, string> {
  return Object.fromEntries([...platform.sparkNotebooks].map(([key, notebook]) => [key, notebook.url]));
}

/** Options of deployPlatform. */
export interface DeployPlatformArgs {
  /** The stack configuration. @default new pulumi.Config() (the project's) */
  readonly config?: pulumi.Config;
  /** The environments `environment` chooses from. @default loadEnvironments() (every TypeScript and YAML file of stacks/environments) */
  readonly environments?: readonly PlatformConfig[];
  /** Options of the SparkPlatform component. @default - none */
  readonly opts?: pulumi.ComponentResourceOptions;
}

/**
 * The Pulumi program: reads the stack configuration (see CONFIG_KEYS), builds the chosen
 * environment with buildPlatform exactly as `npm run synth` does (validations included), plans
 * the resources, checks that every kind has a resource class and every Secret value is
 * configured, then registers the platform. Nothing is registered when any of that fails; input
 * errors name the environment or config key, the field and the fix.
 */
export function deployPlatform(args: DeployPlatformArgs = {}): SparkPlatform<PlatformOutputs> {
  const config = args.config ?? new pulumi.Config();
  const settings: StackSettings = readStackSettings(config, args.environments ?? loadEnvironments());
  const environment = settings.platform.name;
  try {
    const app = new SparkPlatformApp({ name: environment });
    const platform = buildPlatform(app, settings.platform, settings.source);
    return new SparkPlatform(environment, {
      app,
      config,
      outputs: platformOutputs(environment, platform),
      kubeconfig: settings.kubeconfig,
      context: settings.context,
    }, args.opts);
  } catch (e) {
    throw isUserError(e) && !isStackConfigError(e) ? new SynthError(environment, e) : e;
  }
}

/** A stack config error (the Secrets' values) names its config key already, not the environment. */
function isStackConfigError(e: unknown): boolean {
  return e instanceof SparkPlatformError && e.message.startsWith(CONFIG_WHERE);
}
