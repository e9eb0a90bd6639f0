import type { PeerConfig, PlatformConfig } from '../config';

/**
 * The Prometheus of kube-prometheus-stack (namespace `monitoring`): the pods admitted to the
 * tenants' and the operator's metrics ports.
 */
const PROMETHEUS: PeerConfig = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };

/**
 * `prod`: an example production environment. Larger quotas per team, a LimitRange that bounds
 * containers, API server egress narrowed to the control plane's addresses, Prometheus monitoring
 * by kube-prometheus-stack (installed separately, in namespace `monitoring`).
 *
 * Replace `apiServerCidrs` with your cluster's API server endpoints
 * (`kubectl get endpoints kubernetes -n default -o jsonpath='{.subsets[*].addresses[*].ip}'`).
 */
export const prod: PlatformConfig = {
  name: 'prod',
  description: 'Example production: HA settings, per-team quotas, narrowed egress.',
  network: {
    apiServerCidrs: ['10.0.0.0/28'],
    apiServerPorts: [443],
    // MinIO of the platform, for the teams' jobs (applied outside this environment).
    objectStore: { namespace: 'spark-platform', podLabels: { 'app.kubernetes.io/name': 'minio' }, ports: [9000] },
    // Drivers resolve the s3a jars at start: narrow to your Maven proxy, or bake the jars into
    // the images and set storage.jars to "image".
    packageRepository: { cidrs: ['0.0.0.0/0'], ports: [443] },
  },
  operator: {
    // HA: two controllers per shard elect a leader; a PodDisruptionBudget keeps one up.
    replicas: 2,
    workers: 20,
    // Prometheus scrapes the controllers' metrics port (monitoring.operator below).
    metricsAccess: [PROMETHEUS],
  },
  tenantDefaults: {
    quota: { cpu: '64', memory: '256Gi', pods: 200, persistentVolumeClaims: 50, storage: '1Ti', configMaps: 400, services: 200 },
    containerDefaults: { cpuRequest: '250m', memoryRequest: '512Mi', memoryLimit: '1Gi', maxCpu: '16', maxMemory: '64Gi' },
    // Each team must be able to run at least a 4-executor job of 2 cores / 4 GiB each.
    minimumJob: { driverCores: 1, driverMemory: '2Gi', executorCores: 2, executorMemory: '4Gi', executors: 4 },
    // Prometheus scrapes the Spark pods' spark-ui and jmx-exporter ports (allow-spark-metrics).
    metricsAccess: [PROMETHEUS],
  },
  // kube-prometheus-stack's Prometheus selects PodMonitors by its release label, and Grafana's
  // dashboard sidecar reads ConfigMaps labelled grafana_dashboard in its own namespace.
  monitoring: {
    podMonitors: { labels: { release: 'kube-prometheus-stack' } },
    operator: true,
    dashboard: { namespace: 'monitoring' },
  },
  // Distributed MinIO: 4 servers x 2 drives, erasure-coded, with a PodDisruptionBudget.
  storage: {
    minio: { mode: 'distributed', replicas: 4, drivesPerNode: 2, size: '500Gi' },
  },
  // The platform doctor: the workers' allocatable shape (16 vCPU / 64 GiB machines, e.g.
  // m6i.4xlarge, n2-standard-16, D16s v5, minus kubelet and system reservations). Turn on
  // requireDigests once versions.ts pins every image by digest.
  doctor: {
    nodes: [{ name: 'general', cpu: '15', memory: '56Gi' }],
    requireDigests: false,
    // Managed control planes (EKS, GKE, AKS) serve the API on 443 at their endpoints too, so
    // apiServerPorts [443] is right after kube-proxy's DNAT; check with
    // `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`.
    apiServer: { port: 443 },
  },
  tenants: [
    { name: 'spark-analytics', labels: { team: 'analytics' } },
    { name: 'spark-data-eng', labels: { team: 'data-eng' } },
    {
      name: 'spark-ml',
      labels: { team: 'ml' },
      quota: { cpu: '128', memory: '512Gi', pods: 300 },
    },
  ],
};
