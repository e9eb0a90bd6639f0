import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from '../config';
import { loadEnvironments } from '../environments/load';
import type { PlatformCharts } from '../platform';
import { SynthError, isUserError } from '../synth';
import { PlannedResource, planResources } from './plan';
import { RenderedPlatform, renderPlatform } from './render';
import { createResource, resourceFactory } from './resources';
import { resolveSecretData } from './secrets';
import { StackSettings, readStackSettings } from './settings';

/** The Pulumi type of the component every platform resource is a child of. */
export const PLATFORM_COMPONENT_TYPE = 'spark-platform:index:SparkPlatform';

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

/** Inputs of SparkPlatform. */
export interface SparkPlatformArgs {
  /** The environment's name. */
  readonly environment: string;
  /** What to register, in order, with dependencies (planResources). */
  readonly plan: readonly PlannedResource[];
  /** `data` of each target-created Secret of the plan, by `<namespace>/<name>` (Pulumi secrets). */
  readonly secretData: ReadonlyMap<string, pulumi.Input<Record<string, string>>>;
  /** The stack outputs. */
  readonly outputs: PlatformOutputs;
  /** Kubeconfig contents or path. @default - the ambient kubeconfig */
  readonly kubeconfig?: pulumi.Input<string>;
  /** Kubeconfig context. @default - the kubeconfig's current context */
  readonly context?: pulumi.Input<string>;
}

/**
 * The platform of one environment as Pulumi resources: one typed @pulumi/kubernetes resource per
 * object of the construct tree (CustomResource for custom resources), plus the Secrets the tree
 * reads by reference, created from stack secrets. Every resource is a child of this component,
 * goes through one explicit Kubernetes provider, and depends on what the plan says it needs.
 */
export class SparkPlatform extends pulumi.ComponentResource {
  /** The environment provisioned. */
  public readonly environment: string;
  /** The Kubernetes provider every resource uses. */
  public readonly provider: k8s.Provider;
  /** The registration plan: each resource's name, object and dependencies, in order. */
  public readonly plan: readonly PlannedResource[];
  /** The registered resources, by Pulumi name. */
  public readonly resources: ReadonlyMap<string, pulumi.CustomResource>;
  /** The stack outputs. */
  public readonly outputs: PlatformOutputs;

  constructor(name: string, args: SparkPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PLATFORM_COMPONENT_TYPE, name, {}, opts);
    this.environment = args.environment;
    this.plan = args.plan;
    this.outputs = args.outputs;
    this.provider = new k8s.Provider('kubernetes', {
      kubeconfig: args.kubeconfig,
      context: args.context,
      // Server-side apply (the default in v4, stated): fields other managers own, such as the
      // webhook's caBundle, stay theirs, as with `kubectl apply --server-side` of dist/.
      enableServerSideApply: true,
      // Update ConfigMaps and Secrets in place, as the GitOps door does, instead of replacing them.
      enableConfigMapMutable: true,
      enableSecretMutable: true,
    }, { parent: this });
    const resources = new Map<string, pulumi.CustomResource>();
    for (const planned of this.plan) {
      const ref = planned.secretRef;
      const object = ref ? { ...planned.object, data: args.secretData.get(`${ref.namespace}/${ref.name}`) } : planned.object;
      const dependsOn = planned.dependsOn.map((d) => resources.get(d)!);
      resources.set(planned.name, createResource(planned.name, object, { parent: this, provider: this.provider, dependsOn }));
    }
    this.resources = resources;
    this.registerOutputs({ ...this.outputs });
  }
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
export function deployPlatform(args: DeployPlatformArgs = {}): SparkPlatform {
  const config = args.config ?? new pulumi.Config();
  const settings: StackSettings = readStackSettings(config, args.environments ?? loadEnvironments());
  const environment = settings.platform.name;
  let rendered: RenderedPlatform;
  try {
    rendered = renderPlatform(settings.platform, settings.source);
  } catch (e) {
    throw isUserError(e) ? new SynthError(environment, e) : e;
  }
  const plan = planResources(environment, rendered.charts, rendered.secretRefs);
  for (const p of plan) resourceFactory(p.name, p.object); // throws on a kind without a resource class, before any registration
  const secretData = resolveSecretData(config, rendered.secretRefs);
  return new SparkPlatform(environment, {
    environment,
    plan,
    secretData,
    outputs: platformOutputs(environment, rendered.platform),
    kubeconfig: settings.kubeconfig,
    context: settings.context,
  }, args.opts);
}
