import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { App, Chart } from 'cdk8s';
import { SparkPlatformError, show } from '../../constructs/errors';
import { isJobTemplate } from '../../constructs/jobs/template-mode';
import { SecretRef, collectSecretRefs } from '../../constructs/secret-refs';
import { RenderAppOptions, RenderedApp, SparkPlatformApp, renderApp } from '../gitops/app';
import { KubeObject, RenderedChart, SYNC_WAVE_ANNOTATION } from '../gitops/output';
import { ChartManifests, PlannedResource, planResources } from './plan';
import { createResource, resourceFactory } from './resources';
import { resolveSecretData } from './secrets';
import { keepsStackCapture, withoutStackCapture } from './stack-traces';

/** The Pulumi type of the component every platform resource is a child of. */
export const PLATFORM_COMPONENT_TYPE = 'spark-platform:index:SparkPlatform';

/** Inputs of SparkPlatform. */
export interface SparkPlatformArgs<O extends object = object> extends RenderAppOptions {
  /**
   * The cdk8s app to provision: a SparkPlatformApp (rendered with its own options) or any App
   * (rendered with the options here: the doctor, the CRD check and the schema check run either way).
   * @default - the app of `charts`
   */
  readonly app?: App;
  /**
   * Only these charts of one app, in their planned order. The whole app is still checked.
   * @default - every chart of `app`
   */
  readonly charts?: readonly Chart[];
  /**
   * The stack configuration whose `secrets` object holds the values of the Secrets the objects
   * read by name (`pulumi config set --secret --path 'secrets["<secret>"].<key>' <value>`).
   * @default new pulumi.Config() (the project's namespace)
   */
  readonly config?: pulumi.Config;
  /** Kubeconfig contents or path, for the provider this component creates. @default - the ambient kubeconfig */
  readonly kubeconfig?: pulumi.Input<string>;
  /** Kubeconfig context. @default - the kubeconfig's current context */
  readonly context?: pulumi.Input<string>;
  /** A Kubernetes provider to use instead of the one this component creates. @default - a new provider (server-side apply) */
  readonly provider?: k8s.Provider;
  /** Values registered as the component's outputs and kept in `outputs`. @default - none */
  readonly outputs?: O;
}

/** What SparkPlatform registers, computed before anything is registered. */
interface Prepared {
  readonly environment: string;
  readonly rendered: RenderedApp;
  readonly plan: readonly PlannedResource[];
  readonly secretData: ReadonlyMap<string, pulumi.Input<Record<string, string>>>;
  /** Keep V8's stack capture on while registering (SPARK_PLATFORM_PULUMI_STACKS=1). */
  readonly keepStacks: boolean;
}

/**
 * A cdk8s app as Pulumi resources: one typed @pulumi/kubernetes resource per object
 * (CustomResource for custom resources), plus the Secrets the objects read by name, created from
 * stack secrets. The app is rendered and checked exactly as the GitOps output is (doctor, CRDs,
 * schemas); every resource is a child of this component, goes through one Kubernetes provider,
 * and depends on what the plan says it needs (planResources: namespaces, CRDs, accounts and
 * their RBAC, Secrets, the charts' order). Nothing is registered when any check fails.
 *
 * Resource names are `<name>:<namespace>/<kind>/<name>`, where the first `<name>` is the
 * SparkPlatformApp's name, or this component's.
 */
export class SparkPlatform<O extends object = object> extends pulumi.ComponentResource {
  /** The name resource names start with (the environment). */
  public readonly environment: string;
  /** The Kubernetes provider every resource uses. */
  public readonly provider: k8s.Provider;
  /** The registration plan: each resource's name, object and dependencies, in order. */
  public readonly plan: readonly PlannedResource[];
  /** The registered resources, by Pulumi name. */
  public readonly resources: ReadonlyMap<string, pulumi.CustomResource>;
  /** The doctor's report of the app (warnings and suppressed findings). */
  public readonly rendered: RenderedApp;
  /** The outputs given in the args. */
  public readonly outputs: O;

  constructor(name: string, args: SparkPlatformArgs<O>, opts?: pulumi.ComponentResourceOptions) {
    // Everything that can fail on the input runs before the component registers.
    const prepared = prepare(name, args);
    super(PLATFORM_COMPONENT_TYPE, name, {}, opts);
    this.environment = prepared.environment;
    this.plan = prepared.plan;
    this.rendered = prepared.rendered;
    this.outputs = args.outputs ?? ({} as O);
    // Registration only: the SDK's per-promise stacks are not captured (see withoutStackCapture).
    const registered = withoutStackCapture(() => this.register(args, prepared), prepared.keepStacks);
    this.provider = registered.provider;
    this.resources = registered.resources;
    this.registerOutputs({ ...this.outputs });
  }

  /** Creates the provider (unless one is given) and one resource per planned object, in plan order. */
  private register(args: SparkPlatformArgs<O>, prepared: Prepared): { provider: k8s.Provider; resources: Map<string, pulumi.CustomResource> } {
    const provider = args.provider ?? new k8s.Provider('kubernetes', {
      kubeconfig: args.kubeconfig,
      context: args.context,
      // Server-side apply (the default in v4, stated): fields other managers own, such as the
      // webhook's caBundle, stay theirs, as with `kubectl apply --server-side` of the GitOps files.
      enableServerSideApply: true,
      // Update ConfigMaps and Secrets in place, as the GitOps door does, instead of replacing them.
      enableConfigMapMutable: true,
      enableSecretMutable: true,
    }, { parent: this });
    const resources = new Map<string, pulumi.CustomResource>();
    for (const planned of prepared.plan) {
      const ref = planned.secretRef;
      const object = ref ? { ...planned.object, data: prepared.secretData.get(`${ref.namespace}/${ref.name}`) } : planned.object;
      const dependsOn = planned.dependsOn.map((d) => resources.get(d)!);
      resources.set(planned.name, createResource(planned.name, object, { parent: this, provider, dependsOn }));
    }
    return { provider, resources };
  }
}

/** Renders and checks the app, plans the resources, resolves the Secrets' values: throws on the first problem. */
function prepare<O extends object>(name: string, args: SparkPlatformArgs<O>): Prepared {
  const app = appOf(args);
  const { app: _app, charts: _charts, config: _config, kubeconfig: _k, context: _c, provider: _p, outputs: _o, ...renderOptions } = args;
  let rendered: RenderedApp;
  let environment: string;
  if (app instanceof SparkPlatformApp) {
    const given = Object.entries(renderOptions).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (given.length > 0) {
      throw new SparkPlatformError(`SparkPlatform ${show(name)} ${given[0]}`, 'is set, but a SparkPlatformApp renders with its own options', `set ${given.join(', ')} on the SparkPlatformApp instead`);
    }
    // the objects only: Pulumi needs no YAML files
    rendered = app.check();
    environment = app.name ?? name;
  } else {
    environment = renderOptions.name ?? name;
    rendered = renderApp(app, { ...renderOptions, name: environment });
  }
  const selected = args.charts ? new Set(args.charts.map((c) => c.node.id)) : undefined;
  const charts = chartManifests(rendered.charts.filter((c) => !selected || selected.has(c.chart)), selected);
  const secretRefs: readonly SecretRef[] = args.charts ? args.charts.flatMap((c) => collectSecretRefs(c)) : rendered.secretRefs;
  const plan = planResources(environment, charts, secretRefs);
  for (const p of plan) resourceFactory(p.name, p.object); // a kind without a resource class fails before any registration
  const secretData = resolveSecretData(args.config ?? new pulumi.Config(), secretRefs);
  return { environment, rendered, plan, secretData, keepStacks: keepsStackCapture() };
}

function appOf(args: SparkPlatformArgs<object>): App {
  if (args.charts && args.charts.length === 0) {
    throw new SparkPlatformError('charts', 'is empty', 'list the charts to provision, or pass app for all of them');
  }
  const roots = new Set((args.charts ?? []).map((c) => c.node.root));
  if (roots.size > 1) throw new SparkPlatformError('charts', 'come from more than one cdk8s app', 'provision each app with its own SparkPlatform');
  const root = [...roots][0];
  if (args.app && root && root !== args.app) throw new SparkPlatformError('charts', 'are not charts of `app`', 'pass charts of that app, or leave app out');
  const app = args.app ?? root;
  if (!(app instanceof App)) throw new SparkPlatformError('app', 'is not set', 'pass the cdk8s App to provision (or charts of one)');
  return app;
}

/**
 * Charts as the plan takes them: the GitOps objects without Argo CD's sync wave (dependsOn orders
 * instead), and never a SparkJob template (an orchestrator submits it per run; renderApp takes
 * templates out of the charts already, this holds for charts rendered any other way).
 */
export function chartManifests(charts: readonly RenderedChart[], selected?: ReadonlySet<string>): ChartManifests[] {
  return charts.map((c) => ({
    id: c.chart,
    dependsOn: c.dependsOn.filter((d) => !selected || selected.has(d)),
    objects: c.objects.filter((o) => !isJobTemplate(o)).map(withoutSyncWave),
  }));
}

function withoutSyncWave(o: KubeObject): KubeObject {
  const { [SYNC_WAVE_ANNOTATION]: _wave, ...annotations } = o.metadata.annotations ?? {};
  const { annotations: _all, ...metadata } = o.metadata;
  return { ...o, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata };
}
