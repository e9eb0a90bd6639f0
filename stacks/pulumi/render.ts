import { App, Chart } from 'cdk8s';
import { SecretRef, collectSecretRefs } from '../../constructs/secret-refs';
import { assertValidManifests } from '../../constructs/validation';
import type { PlatformConfig } from '../config';
import { KubeObject, SYNC_WAVE_ANNOTATION, chartDependencies, renderCharts } from '../gitops';
import { PlatformCharts, buildPlatform } from '../platform';
import type { ChartManifests } from './plan';

/** One environment built and checked for Pulumi: the same construct tree `npm run synth` writes. */
export interface RenderedPlatform {
  /** The cdk8s app holding the tree. */
  readonly app: App;
  /** What buildPlatform returned (outputs come from it). */
  readonly platform: PlatformCharts;
  /** Each chart's objects, in dependency order. */
  readonly charts: readonly ChartManifests[];
  /** The Secrets the tree reads without emitting them. */
  readonly secretRefs: readonly SecretRef[];
}

/**
 * Builds `config` with buildPlatform on a fresh App and renders it as `npm run synth` does
 * (stacks/synth.ts): `renderCharts` (the cdk8s validations, charts in dependency order), then the
 * Kubernetes and CRD schema check of every object. The objects are the GitOps files' without
 * Argo CD's sync-wave annotation, which means nothing to Pulumi (dependsOn orders instead).
 */
export function renderPlatform(config: PlatformConfig, source?: string): RenderedPlatform {
  const app = new App();
  const platform = buildPlatform(app, config, source);
  const charts = renderCharts(app).map((rendered) => ({
    id: rendered.chart,
    // Read after rendering, so cdk8s' inferred dependencies are included.
    dependsOn: chartDependencies(app.node.findChild(rendered.chart) as Chart).map((c) => c.node.id),
    objects: rendered.objects.map(withoutSyncWave),
  }));
  assertValidManifests(charts.flatMap((c) => c.objects));
  return { app, platform, charts, secretRefs: collectSecretRefs(app) };
}


function withoutSyncWave(o: KubeObject): KubeObject {
  const { [SYNC_WAVE_ANNOTATION]: _wave, ...annotations } = o.metadata.annotations ?? {};
  const { annotations: _all, ...metadata } = o.metadata;
  return { ...o, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata };
}
