export * from './dashboard';
export * from './jmx-rules';
export * from './metric-names';
export * from './spark-jobs-monitoring';
