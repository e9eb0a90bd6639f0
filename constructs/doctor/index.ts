/**
 * The platform doctor: synth-time rules over the whole construct tree that catch what breaks
 * Spark on Kubernetes at run time. See Doctor, attachDoctor and DOCTOR_RULES.
 */
export { Doctor, attachDoctor, checkDoctorConfig, formatFinding } from './doctor';
export { DOCTOR_RULES, SPARK_DRIVER_NEEDS, credentialFindings, unschedulable } from './rules';
export { Severity } from './types';
export type { DoctorFinding, DoctorReport, DoctorRule, Reporter, RuleTarget } from './types';
export {
  DEFAULT_PUBLIC_REGISTRIES, DEFAULT_SERVICE_LINKS_APP_THRESHOLD, checkDoctorOptions, resolveDoctorOptions,
} from './options';
export type { DoctorOptions, DoctorSuppression, NodeShape, ResolvedDoctorOptions, ResolvedNodeShape } from './options';
export { CLIENT_MODE_DRIVER, isClientModeDriver } from '../client-mode-driver';
export type { IClientModeDriver } from '../client-mode-driver';
export { DoctorView } from './view';
export type { IndexedObject, OperatorWatch, PodWorkload, QuotaView } from './view';
export type { SparkAppMode, SparkAppView, SparkPodView, DynamicAllocationView } from './spark-apps';
export { parseImageRef, inferOfficialFacts } from './image-refs';
export type { ImageFacts, ImageRef } from './image-refs';
export { formatReportTable, reportToJson } from './format';
export type { DoctorJsonEnvironment } from './format';
export { NetworkPolicyEvaluator } from './evaluators/netpol';
export type { Connection, Destination, NetworkPolicyEvaluatorOptions, PodRef } from './evaluators/netpol';
export { DEFAULT_VERBS, RbacEvaluator } from './evaluators/rbac';
export type { Grant, RbacEvaluatorOptions, ResourceRequest, Subject } from './evaluators/rbac';
