import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { platformLabels } from '../labels';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../security';
import { SPARK_OPERATOR } from '../versions';

/** The one port the operator binary serves health probes on (`--health-probe-bind-address`). */
export const OPERATOR_HEALTH_PORT = 8081;

/** The port the controller and the webhook serve Prometheus metrics on (`--metrics-bind-address`). */
export const OPERATOR_METRICS_PORT = 8080;

/** The metrics flags of one operator process, with `labels` already joined (`--metrics-labels`). */
export function metricsArgs(labels: string): string[] {
  return ['--enable-metrics=true', `--metrics-bind-address=:${OPERATOR_METRICS_PORT}`, '--metrics-endpoint=/metrics', '--metrics-prefix=', `--metrics-labels=${labels}`];
}

/** What differs between the operator's controller and webhook Deployments. */
export interface OperatorDeploymentOptions {
  /** Name of the Deployment, its ServiceAccount and PodDisruptionBudget. */
  readonly name: string;
  readonly namespace: string;
  /** Selector labels (the pods carry them plus the platform labels). */
  readonly labels: Record<string, string>;
  readonly replicas: number;
  readonly image: string;
  readonly containerName: string;
  readonly args: readonly string[];
  /** The ports it serves (besides health probes). */
  readonly ports: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  readonly resources: k8s.ResourceRequirements;
  /** The one writable directory (an emptyDir under a read-only root filesystem). */
  readonly writableDir: { readonly name: string; readonly mountPath: string };
  /** @default - none */
  readonly affinity?: k8s.Affinity;
}

/**
 * A Deployment of the operator binary (controller or webhook): restricted security contexts,
 * health probes, one emptyDir for what it writes, and a PodDisruptionBudget when replicated.
 */
export function operatorDeployment(scope: Construct, o: OperatorDeploymentOptions): void {
  const metadata = { name: o.name, namespace: o.namespace, labels: platformLabels(o.labels) };
  const probe = (path: string, periodSeconds: number): k8s.Probe => ({ httpGet: { path, port: k8s.IntOrString.fromNumber(OPERATOR_HEALTH_PORT) }, periodSeconds });
  new k8s.KubeDeployment(scope, 'Deployment', {
    metadata,
    spec: {
      replicas: o.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: o.labels },
      template: {
        metadata: { labels: platformLabels(o.labels) },
        spec: {
          serviceAccountName: o.name,
          automountServiceAccountToken: true,
          securityContext: restrictedPodSecurityContext(SPARK_OPERATOR.uid),
          affinity: o.affinity,
          containers: [{
            name: o.containerName,
            image: o.image,
            imagePullPolicy: 'IfNotPresent',
            args: [...o.args],
            ports: o.ports.map((p) => ({ ...p })),
            livenessProbe: probe('/healthz', 20),
            readinessProbe: probe('/readyz', 10),
            resources: o.resources,
            securityContext: restrictedContainerSecurityContext(),
            volumeMounts: [{ name: o.writableDir.name, mountPath: o.writableDir.mountPath }],
          }],
          volumes: [{ name: o.writableDir.name, emptyDir: {} }],
        },
      },
    },
  });
  if (o.replicas > 1) {
    new k8s.KubePodDisruptionBudget(scope, 'Pdb', { metadata, spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: o.labels } } });
  }
}

/** The operator's logs (controller-runtime's zap flags). */
export interface OperatorLogging {
  /** `--zap-log-level`. @default "info" */
  readonly level?: 'debug' | 'info' | 'error';
  /** `--zap-encoder`: `console` lines or `json` objects. @default "console" */
  readonly format?: 'console' | 'json';
}

/** The zap flags of one operator process, with the chart's defaults. */
export function loggingArgs(logging: OperatorLogging | undefined): string[] {
  return [`--zap-log-level=${logging?.level ?? 'info'}`, `--zap-encoder=${logging?.format ?? 'console'}`];
}
