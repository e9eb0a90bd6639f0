export * from './spark-namespace';
export * from './orchestrator-access';
export * from './kueue';
