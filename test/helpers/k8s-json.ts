/** Moved to the library (the platform doctor uses it): re-exported so tests keep their imports. */
export * from '../../constructs/doctor/evaluators/k8s-json';
