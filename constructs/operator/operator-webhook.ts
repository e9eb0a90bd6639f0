import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NetworkEndpoint, podPolicy } from '../network';
import { checkProps } from '../validation/props';
import { platformLabels } from '../labels';
import { OPERATOR_HEALTH_PORT, OPERATOR_METRICS_PORT, OperatorLogging, loggingArgs, metricsArgs, operatorDeployment } from './operator-deployment';
import { WEBHOOK_JOB_RULES, grantRules, leaderElectionRules, webhookClusterRules, webhookSecretRules } from './operator-rbac';

/** A cert-manager issuer the webhook certificate is requested from. */
export interface CertManagerIssuer {
  /** `Issuer` (in the operator's namespace) or `ClusterIssuer`. */
  readonly kind: 'Issuer' | 'ClusterIssuer';
  /** Its name. */
  readonly name: string;
}

/** Where the webhook's serving certificate comes from. */
export class WebhookCertificate {
  /**
   * The webhook generates a CA and serving certificate into its own Secret and patches `caBundle`
   * into both webhook configurations itself (upstream's default). The manifests own neither the
   * Secret nor `caBundle`, so GitOps never fights the webhook over them.
   */
  public static selfSigned(): WebhookCertificate {
    return new WebhookCertificate('self-signed');
  }

  /**
   * cert-manager (installed separately) issues the certificate into the webhook's Secret, and its
   * CA injector writes `caBundle` (annotation `cert-manager.io/inject-ca-from`); the webhook runs
   * with `--enable-cert-manager`. Without an issuer, a self-signed Issuer is emitted next to it.
   */
  public static certManager(issuer?: CertManagerIssuer): WebhookCertificate {
    return new WebhookCertificate('cert-manager', issuer);
  }

  private constructor(
    /** The kind of source. */
    public readonly kind: 'self-signed' | 'cert-manager',
    /** The cert-manager issuer; undefined = a self-signed Issuer emitted with the webhook. */
    public readonly issuer?: CertManagerIssuer,
  ) {}
}

/** The fields of a cert-manager.io/v1 Certificate spec this construct sets. */
interface CertificateSpec {
  readonly secretName: string;
  readonly dnsNames: readonly string[];
  readonly duration: string;
  readonly renewBefore: string;
  readonly privateKey: { readonly algorithm: 'ECDSA'; readonly size: number; readonly rotationPolicy: 'Always' };
  readonly usages: readonly string[];
  readonly issuerRef: { readonly name: string; readonly kind: string; readonly group: 'cert-manager.io' };
}

/** Properties of SparkOperatorWebhook (set by SparkOperator). */
export interface SparkOperatorWebhookProps {
  /** Name prefix of the operator's objects. */
  readonly operatorName: string;
  /** The operator's namespace. */
  readonly namespace: string;
  /** Job namespaces; empty = all. */
  readonly jobNamespaces: readonly string[];
  /** The operator image. */
  readonly image: string;
  /** Replicas. */
  readonly replicas: number;
  /** The certificate source. */
  readonly certificate: WebhookCertificate;
  /** `--enable-resource-quota-enforcement`. */
  readonly resourceQuotaEnforcement: boolean;
  /** Its Kubernetes API client rate limit (`--kube-api-qps`, `--kube-api-burst`), the controller's. */
  readonly kubeApi: { readonly qps: number; readonly burst: number };
  /** Its logs (`--zap-*`), the controller's. @default - info, console */
  readonly logging?: OperatorLogging;
  /** `--metrics-labels`, the controller's (joined). */
  readonly metricsLabels: string;
  /** Pods that may scrape its metrics port, the controller's. @default - none */
  readonly metricsPeers?: readonly k8s.NetworkPolicyPeer[];
  /** The API server as the webhook's pods reach it (egress). @default NetworkEndpoint.kubeApiServer() */
  readonly apiServer?: NetworkEndpoint;
  /** The cluster DNS. @default NetworkEndpoint.kubeDns() */
  readonly dns?: NetworkEndpoint;
}

const PORT = 9443;
const HEALTH_PORT = OPERATOR_HEALTH_PORT;

/** One admission webhook of the operator: its name in the configuration, path, and what it intercepts. */
interface Hook {
  readonly name: string;
  readonly path: string;
  readonly rule: k8s.RuleWithOperations;
  readonly objectSelector?: k8s.LabelSelector;
}

/** Webhooks of the operator, named and routed as the operator's webhook server serves them. */
function hooks(kind: 'mutate' | 'validate'): Hook[] {
  const spark = (resource: string, version: string): Hook => {
    const base = `${kind}-sparkoperator-k8s-io-${version}-${resource}`;
    return {
      name: `${base}.sparkoperator.k8s.io`,
      path: `/${base}`,
      rule: { apiGroups: ['sparkoperator.k8s.io'], apiVersions: [version], resources: [`${resource}s`], operations: ['CREATE', 'UPDATE'] },
    };
  };
  const apps = [spark('sparkapplication', 'v1beta2'), spark('scheduledsparkapplication', 'v1beta2'), spark('sparkconnect', 'v1alpha1')];
  if (kind === 'validate') return apps;
  return [
    {
      name: 'mutate--v1-pod.sparkoperator.k8s.io',
      path: '/mutate--v1-pod',
      rule: { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] },
      // only pods the operator launched
      objectSelector: { matchLabels: { 'sparkoperator.k8s.io/launched-by-spark-operator': 'true' } },
    },
    ...apps,
  ];
}

/**
 * The operator's admission webhook: Deployment, Service, RBAC and the Mutating/Validating
 * webhook configurations, scoped to the job namespaces. Created by SparkOperator.
 */
export class SparkOperatorWebhook extends Construct {
  /** Name of the webhook Deployment, ServiceAccount, ClusterRole and both configurations. */
  public readonly name: string;
  /** Name of the webhook's Service. */
  public readonly serviceName: string;
  /** Name of the Secret the webhook writes its certificate to (not emitted: the webhook creates it). */
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: SparkOperatorWebhookProps) {
    super(scope, id);
    checkProps('SparkOperatorWebhookProps', props, 'SparkOperatorWebhook');
    this.name = `${props.operatorName}-webhook`;
    this.serviceName = `${this.name}-svc`;
    this.secretName = `${this.name}-certs`;
    const ns = props.namespace;
    const lock = `${this.name}-lock`;
    const labels = {
      'app.kubernetes.io/name': 'spark-operator',
      'app.kubernetes.io/instance': props.operatorName,
      'app.kubernetes.io/component': 'webhook',
    };
    const meta = (name = this.name) => ({ name, namespace: ns, labels: platformLabels(labels) });

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta(), automountServiceAccountToken: true });
    // In: the API server calls the webhook port (from addresses a policy cannot know: any source,
    // this port only). Out: DNS and the API server (its configurations, its certificate Secret).
    podPolicy(this, 'NetworkPolicy', {
      ...meta(),
      podSelector: { matchLabels: { ...labels } },
      ingress: [
        { ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(PORT) }] },
        ...((props.metricsPeers ?? []).length > 0 ? [{ from: [...props.metricsPeers!], ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(OPERATOR_METRICS_PORT) }] }] : []),
      ],
      egress: [(props.dns ?? NetworkEndpoint.kubeDns()).toEgressRule(), (props.apiServer ?? NetworkEndpoint.kubeApiServer()).toEgressRule()],
    });
    const allNamespaces = props.jobNamespaces.length === 0;
    const grant = { name: this.name, serviceAccount: { name: this.name, namespace: ns }, labels: platformLabels(labels) };
    grantRules(this, '', { ...grant, rules: [...webhookClusterRules(this.name), ...(allNamespaces ? WEBHOOK_JOB_RULES : [])] });
    grantRules(this, 'Own', { ...grant, namespace: ns, rules: [...webhookSecretRules(this.secretName), ...leaderElectionRules(lock)] });
    for (const jobNs of props.jobNamespaces) grantRules(this, `Job-${jobNs}`, { ...grant, namespace: jobNs, rules: WEBHOOK_JOB_RULES });

    const args = [
      'webhook', 'start',
      ...(allNamespaces ? [] : [`--namespaces=${props.jobNamespaces.join(',')}`]),
      `--webhook-port=${PORT}`,
      `--webhook-secret-name=${this.secretName}`,
      `--webhook-secret-namespace=${ns}`,
      `--webhook-svc-name=${this.serviceName}`,
      `--webhook-svc-namespace=${ns}`,
      `--mutating-webhook-name=${this.name}`,
      `--validating-webhook-name=${this.name}`,
      `--health-probe-bind-address=:${HEALTH_PORT}`,
      '--leader-election=true',
      `--leader-election-lock-name=${lock}`,
      `--leader-election-lock-namespace=${ns}`,
      ...metricsArgs(props.metricsLabels),
      `--kube-api-qps=${props.kubeApi.qps}`,
      `--kube-api-burst=${props.kubeApi.burst}`,
      ...loggingArgs(props.logging),
      ...(props.resourceQuotaEnforcement ? ['--enable-resource-quota-enforcement=true'] : []),
      ...(props.certificate.kind === 'cert-manager' ? ['--enable-cert-manager=true'] : []),
    ];
    operatorDeployment(this, {
      name: this.name,
      namespace: ns,
      labels,
      replicas: props.replicas,
      image: props.image,
      containerName: 'spark-operator-webhook',
      args,
      ports: [{ name: 'webhook', containerPort: PORT }, { name: 'metrics', containerPort: OPERATOR_METRICS_PORT }],
      resources: {
        requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
        limits: { memory: k8s.Quantity.fromString('256Mi') },
      },
      // the webhook writes its serving certificate here; the root filesystem stays read-only
      writableDir: { name: 'serving-certs', mountPath: '/etc/k8s-webhook-server/serving-certs' },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: meta(this.serviceName),
      spec: { selector: labels, ports: [{ name: 'webhook', port: PORT, targetPort: k8s.IntOrString.fromString('webhook') }] },
    });

    const namespaceSelector: k8s.LabelSelector | undefined = allNamespaces
      ? undefined
      : { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...props.jobNamespaces] }] };
    const certificate = props.certificate.kind === 'cert-manager' ? this.certManagerCertificate(props, labels) : undefined;
    const configMeta = {
      name: this.name,
      labels: platformLabels(labels),
      // caBundle is written by the webhook (or cert-manager's CA injector): compare server-side, so
      // Argo CD does not report (or revert) a field these manifests never set.
      annotations: {
        'argocd.argoproj.io/compare-options': 'ServerSideDiff=true',
        'argocd.argoproj.io/sync-options': 'ServerSideApply=true',
        ...(certificate ? { 'cert-manager.io/inject-ca-from': `${ns}/${certificate}` } : {}),
      },
    };
    const toWebhook = (h: Hook) => ({
      name: h.name,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Fail',
      timeoutSeconds: 10,
      clientConfig: { service: { name: this.serviceName, namespace: ns, port: PORT, path: h.path } },
      rules: [h.rule],
      namespaceSelector,
      objectSelector: h.objectSelector,
    });
    new k8s.KubeMutatingWebhookConfiguration(this, 'Mutating', { metadata: configMeta, webhooks: hooks('mutate').map(toWebhook) });
    new k8s.KubeValidatingWebhookConfiguration(this, 'Validating', { metadata: configMeta, webhooks: hooks('validate').map(toWebhook) });
  }

  /** A Certificate for the webhook Service's names into the webhook's Secret (and a self-signed Issuer if none is given); returns its name. */
  private certManagerCertificate(props: SparkOperatorWebhookProps, labels: Record<string, string>): string {
    const ns = props.namespace;
    const name = `${props.operatorName}-certificate`;
    const metadata = (n: string) => ({ name: n, namespace: ns, labels: platformLabels(labels) });
    let issuer = props.certificate.issuer;
    if (!issuer) {
      issuer = { kind: 'Issuer', name: `${props.operatorName}-self-signed` };
      new ApiObject(this, 'Issuer', { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: metadata(issuer.name), spec: { selfSigned: {} } });
    }
    const svc = this.serviceName;
    const spec: CertificateSpec = {
      secretName: this.secretName,
      dnsNames: [svc, `${svc}.${ns}`, `${svc}.${ns}.svc`, `${svc}.${ns}.svc.cluster.local`],
      duration: '8760h',
      renewBefore: '720h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['digital signature', 'key encipherment', 'server auth'],
      issuerRef: { name: issuer.name, kind: issuer.kind, group: 'cert-manager.io' },
    };
    new ApiObject(this, 'Certificate', { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: metadata(name), spec });
    return name;
  }
}
