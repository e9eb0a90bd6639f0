/** Offline schema validation of synthesized Kubernetes manifests (built-in kinds and custom resources). */
export { assertValidManifests, formatIssues, ManifestValidationError, ManifestValidator } from './manifest-validator';
export type { ManifestIssue, ManifestValidatorOptions } from './manifest-validator';
export { readManifestDir, validateEnvironments } from './manifest-dir';
export type { EnvironmentReport, ManifestFile } from './manifest-dir';
export { EMBEDDED_KUBERNETES_TYPES_ANNOTATION } from './embedded-types';
export * from './external-crds';
export * from './spark-conf-keys';
