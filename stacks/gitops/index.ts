/**
 * `spark-platform/gitops`: the GitOps writer. Charts become ordered files with Argo CD sync
 * waves and a kustomization, checked by the doctor and the schemas, swapped into place whole.
 * SparkPlatformApp is the one-line way to get all of it.
 */
export { SparkPlatformApp, renderApp, streamApp } from './app';
export type { CrdDefinition, RenderAppOptions, RenderedApp, RenderedPlatformApp, SparkPlatformAppProps, StreamedApp } from './app';
export {
  KIND_ORDER, SOURCE_ANNOTATION, SYNC_WAVE_ANNOTATION, chartDependencies, chartOrder, deployAfter, kustomization, prepareCharts, renderCharts, toYaml,
} from './output';
export type { KubeObject, PlannedChart, PreparedCharts, RenderChartsOptions, RenderedChart } from './output';
export { StagedTree, writeTreeAtomically } from './write';
