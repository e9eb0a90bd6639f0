import type { PlatformConfig } from '../config';

/**
 * `dev`: the embedded default. Small quotas and single replicas, for a laptop cluster (kind,
 * minikube) or a shared development cluster.
 */
export const dev: PlatformConfig = {
  name: 'dev',
  description: 'Small, single replicas: kind, minikube or a shared development cluster.',
  network: {
    // Laptop clusters put the API server on varying addresses; allow 443/6443 anywhere.
    apiServerCidrs: ['0.0.0.0/0'],
    // MinIO of the platform (deployed by the storage layer) in the platform namespace.
    objectStore: { namespace: 'spark-platform', podLabels: { 'app.kubernetes.io/name': 'minio' }, ports: [9000] },
  },
  operator: {
    workers: 4,
  },
  tenantDefaults: {
    quota: { cpu: '8', memory: '32Gi', pods: 40, persistentVolumeClaims: 10, storage: '50Gi' },
  },
  tenants: [
    { name: 'spark-jobs' },
  ],
};
