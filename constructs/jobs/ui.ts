import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { show } from '../errors';
import { JOB_LABEL, SPARK_ROLE_LABEL, SparkRole, assertUserMetadata, platformLabels } from '../labels';
import { NameRule, nameProblem } from '../names';
import { NetworkEndpoint } from '../network';
import type { FailFn } from './containers';
import { SPARK_DEFAULT_PORTS } from './containers';
import { ResolvedSparkJob, ResolvedUi } from './resolved-job';
import { SparkJobMode, SparkJobProps } from './spark-job-options';

/** Names of what a job's UI Ingress adds: the Service to the driver, the Ingress, the NetworkPolicy. */
export function uiNames(jobName: string): { service: string; ingress: string; policy: string } {
  return { service: `${jobName}-ui`, ingress: `${jobName}-ui`, policy: `${jobName}-ui-ingress` };
}

/**
 * Checks `ui`: Service settings only where the mode has them (the Kubeflow operator's
 * `sparkUIOptions`; Spark itself offers only the driver Service's annotations and labels), an
 * Ingress with a host, a path, a pinned network peer, and the UI on.
 */
export function resolveUi(props: SparkJobProps, mode: SparkJobMode, where: string, fail: FailFn): ResolvedUi | undefined {
  const ui = props.ui;
  if (!ui) return undefined;
  const conf = props.sparkConf ?? {};
  if (conf['spark.ui.enabled'] === 'false') fail('ui', 'is set, but sparkConf["spark.ui.enabled"] is "false": there is no UI to expose', 'remove ui, or the spark.ui.enabled key');
  const portText = conf['spark.ui.port'];
  const uiPort = portText === undefined ? SPARK_DEFAULT_PORTS.ui : Number(portText);
  if (!Number.isInteger(uiPort) || uiPort < 1 || uiPort > 65535) fail('sparkConf["spark.ui.port"]', `${show(portText)} is not a fixed port (the UI Service and Ingress need one)`, 'give a port number such as "4040", or remove the key');
  if (mode !== SparkJobMode.OPERATOR) {
    for (const key of ['serviceType', 'servicePort', 'servicePortName'] as const) {
      if (ui[key] !== undefined) {
        fail(`ui.${key}`, `is a setting of the Kubeflow operator's UI Service; in ${mode} mode Spark creates the driver Service itself (headless, ClusterIP) and offers only its annotations and labels`, 'use ui.ingress to reach the UI (SparkJob adds a Service to the driver for it), or SparkJobMode.OPERATOR');
      }
    }
  }
  if (ui.serviceType !== undefined && !['ClusterIP', 'NodePort', 'LoadBalancer'].includes(ui.serviceType)) fail('ui.serviceType', `${show(ui.serviceType)} is not a Service type for the UI`, 'use "ClusterIP", "NodePort" or "LoadBalancer"');
  if (ui.servicePort !== undefined && (!Number.isInteger(ui.servicePort) || ui.servicePort < 1 || ui.servicePort > 65535)) fail('ui.servicePort', `${show(ui.servicePort)} is not a port number`, 'use 1..65535');
  if (ui.servicePortName !== undefined && (!/^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(ui.servicePortName) || ui.servicePortName.length > 15)) fail('ui.servicePortName', `${show(ui.servicePortName)} is not a port name`, 'use at most 15 lower-case letters, digits and "-", e.g. "spark-ui"');
  const both = Object.keys(conf).find((k) => /^spark\.kubernetes\.driver\.service\.(annotation|label)\./.test(k));
  if (both && (Object.keys(ui.serviceAnnotations ?? {}).length > 0 || Object.keys(ui.serviceLabels ?? {}).length > 0)) {
    fail(`sparkConf[${show(both)}]`, 'sets the driver Service\'s metadata beside ui.serviceAnnotations / ui.serviceLabels', 'set them in one place: ui.serviceAnnotations / ui.serviceLabels');
  }
  assertUserMetadata(ui.serviceAnnotations, 'annotation', 'ui.serviceAnnotations', where);
  assertUserMetadata(ui.serviceLabels, 'label', 'ui.serviceLabels', where);
  const ingress = ui.ingress;
  if (ingress) {
    const host = nameProblem(ingress.host, NameRule.DNS1123_SUBDOMAIN);
    if (host) fail('ui.ingress.host', host, 'give the lower-case host name the UI is served at, e.g. "spark-ui.example.com"');
    if (ingress.path !== undefined && !/^\/[^\s]*$/.test(ingress.path)) fail('ui.ingress.path', `${show(ingress.path)} is not an absolute path`, 'start it with "/"');
    if (ingress.className !== undefined) {
      const problem = nameProblem(ingress.className, NameRule.DNS1123_SUBDOMAIN);
      if (problem) fail('ui.ingress.className', problem, 'name an IngressClass, e.g. "nginx"');
    }
    if (ingress.tlsSecretName !== undefined) {
      const problem = nameProblem(ingress.tlsSecretName, NameRule.DNS1123_SUBDOMAIN);
      if (problem) fail('ui.ingress.tlsSecretName', problem, 'name the TLS Secret in the job\'s namespace');
    }
    assertUserMetadata(ingress.annotations, 'annotation', 'ui.ingress.annotations', where);
    if (!(ingress.from instanceof NetworkEndpoint)) fail('ui.ingress.from', 'is not a NetworkEndpoint', 'pass the ingress controller\'s pods, e.g. NetworkEndpoint.pods({ namespace: "ingress-nginx", labels: { "app.kubernetes.io/name": "ingress-nginx" }, ports: [{ port: 443 }] })');
    if (props.name.length + 3 > 63) fail('name', `${show(props.name)} is too long for the UI Service ${show(uiNames(props.name).service)}`, 'shorten the name to at most 60 characters');
  }
  return {
    serviceType: ui.serviceType,
    servicePort: ui.servicePort,
    servicePortName: ui.servicePortName,
    serviceAnnotations: { ...(ui.serviceAnnotations ?? {}) },
    serviceLabels: { ...(ui.serviceLabels ?? {}) },
    ingress,
    uiPort,
  };
}

/** The operator-mode `sparkUIOptions` (the operator's UI Service), or undefined. */
export function sparkUIOptions(ui: ResolvedUi | undefined): Record<string, unknown> | undefined {
  if (!ui) return undefined;
  const out: Record<string, unknown> = {
    serviceType: ui.serviceType,
    servicePort: ui.servicePort,
    servicePortName: ui.servicePortName,
    serviceAnnotations: Object.keys(ui.serviceAnnotations).length > 0 ? { ...ui.serviceAnnotations } : undefined,
    serviceLabels: Object.keys(ui.serviceLabels).length > 0 ? { ...ui.serviceLabels } : undefined,
  };
  return Object.values(out).some((v) => v !== undefined) ? JSON.parse(JSON.stringify(out)) : undefined;
}

/** Submit and Apache-operator modes: the driver Service's annotations and labels as Spark conf. */
export function uiServiceConf(ui: ResolvedUi | undefined): Record<string, string> {
  const conf: Record<string, string> = {};
  if (!ui) return conf;
  for (const [k, v] of Object.entries(ui.serviceAnnotations)) conf[`spark.kubernetes.driver.service.annotation.${k}`] = v;
  for (const [k, v] of Object.entries(ui.serviceLabels)) conf[`spark.kubernetes.driver.service.label.${k}`] = v;
  return conf;
}

/**
 * The UI Ingress of a job, the same in every mode: a ClusterIP Service `<name>-ui` selecting the
 * job's driver pod (its job label and Spark's role label), an Ingress to it, and a NetworkPolicy
 * admitting `ingress.from` to the driver's UI port only (tenant namespaces deny ingress).
 */
export function renderUiIngress(scope: Construct, job: ResolvedSparkJob): void {
  const ui = job.ui;
  if (!ui?.ingress) return;
  const ing = ui.ingress;
  const names = uiNames(job.name);
  const ns = job.namespace.name;
  const labels = platformLabels({ ...job.labels, [JOB_LABEL]: job.name });
  const driver = { [JOB_LABEL]: job.name, [SPARK_ROLE_LABEL]: SparkRole.DRIVER };
  new k8s.KubeService(scope, 'UiService', {
    metadata: { name: names.service, namespace: ns, labels },
    spec: { type: 'ClusterIP', selector: driver, ports: [{ name: 'spark-ui', port: ui.uiPort, targetPort: k8s.IntOrString.fromNumber(ui.uiPort), protocol: 'TCP' }] },
  });
  new k8s.KubeIngress(scope, 'UiIngress', {
    metadata: { name: names.ingress, namespace: ns, labels, annotations: ing.annotations && Object.keys(ing.annotations).length > 0 ? { ...ing.annotations } : undefined },
    spec: {
      ingressClassName: ing.className,
      tls: ing.tlsSecretName ? [{ hosts: [ing.host], secretName: ing.tlsSecretName }] : undefined,
      rules: [{
        host: ing.host,
        http: { paths: [{ path: ing.path ?? '/', pathType: 'Prefix', backend: { service: { name: names.service, port: { number: ui.uiPort } } } }] },
      }],
    },
  });
  new k8s.KubeNetworkPolicy(scope, 'UiNetworkPolicy', {
    metadata: { name: names.policy, namespace: ns, labels },
    spec: {
      podSelector: { matchLabels: driver },
      policyTypes: ['Ingress'],
      ingress: [{ from: ing.from.toPeers(), ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(ui.uiPort) }] }],
    },
  });
}
