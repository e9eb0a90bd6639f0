export { assignShards } from './operator-shards';
export type { OperatorShard } from './operator-shards';
export type { OperatorMonitoring, OperatorPodMonitor } from './monitoring';
export * from './operator-webhook';
export * from './spark-operator';
export * from './webhook-fields';
export * from './crds';
export type { OperatorLogging } from './operator-deployment';
