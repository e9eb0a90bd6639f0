import type { App } from 'cdk8s';
import type { SecretRef } from '../../constructs/secret-refs';
import type { PlatformConfig } from '../config';
import { SparkPlatformApp } from '../gitops';
import { PlatformCharts, buildPlatform } from '../platform';
import { chartManifests } from './component';
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
 * Builds `config` with buildPlatform on a fresh SparkPlatformApp and renders it as `npm run synth`
 * does (stacks/synth.ts) and as the SparkPlatform component does: the objects are the GitOps
 * files' without Argo CD's sync-wave annotation, which means nothing to Pulumi (dependsOn orders
 * instead).
 */
export function renderPlatform(config: PlatformConfig, source?: string): RenderedPlatform {
  const app = new SparkPlatformApp({ name: config.name });
  const platform = buildPlatform(app, config, source);
  const rendered = app.check();
  return { app, platform, charts: chartManifests(rendered.charts), secretRefs: rendered.secretRefs };
}
