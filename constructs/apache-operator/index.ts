export * from './crds';
export * from './apache-operator';
export { APACHE_OPERATOR_JOB_RULES, APACHE_OPERATOR_LEASE_RULES, APACHE_WORKLOAD_RULES } from './operator-rbac';
export * from './spark-cluster';
