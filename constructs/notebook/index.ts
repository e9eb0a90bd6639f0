export * from './client-mode';
export * from './notebook-image';
export * from './spark-notebook';
export * from './jupyterhub';
export * from './spark-connect';
