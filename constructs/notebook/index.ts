export * from './client-mode';
export * from './notebook-image';
export * from './spark-notebook';
