export * from './operator-webhook';
export * from './spark-operator';
export * from './webhook-fields';
