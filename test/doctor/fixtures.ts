/**
 * Minimal hand-made objects for doctor tests: each rule is triggered by the smallest tree that
 * shows the problem, built from plain ApiObjects (so constructor-time checks do not get in the
 * way), and a test implementation of IClientModeDriver.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CLIENT_MODE_DRIVER, DoctorFinding, DoctorOptions, DoctorReport, IClientModeDriver, attachDoctor } from '../../constructs/doctor';
import { SparkImage } from '../../constructs/spark-image';
import { SPARK_LINES } from '../../constructs/versions';

/** The official Spark 4.0 image (pinned). */
export const SPARK_40 = SPARK_LINES['4.0'].image;
/** The official Spark 3.5 image (pinned). */
export const SPARK_35 = SPARK_LINES['3.5'].image;

type J = Record<string, unknown>;

/** A fresh app with one chart; `build` fills the chart, then the doctor runs. */
export function doctor(build: (chart: Chart, app: App) => void, options: DoctorOptions = {}): DoctorReport {
  const app = new App();
  const chart = new Chart(app, 'c');
  build(chart, app);
  return attachDoctor(app, options).report();
}

/** The findings of one rule. */
export function of(report: DoctorReport, rule: string): DoctorFinding[] {
  return report.findings.filter((f) => f.rule === rule);
}

/** A SparkApplication that passes every rule unless `spec` says otherwise (driver/executor merged). */
export function sparkApp(chart: Construct, id: string, options: { namespace?: string; name?: string; spec?: J; kind?: 'SparkApplication' | 'ScheduledSparkApplication' } = {}): ApiObject {
  const extra = options.spec ?? {};
  const spec: J = {
    type: 'Scala',
    mode: 'cluster',
    sparkVersion: '4.0.3',
    image: SPARK_40,
    mainClass: 'org.apache.spark.examples.SparkPi',
    mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
    timeToLiveSeconds: 3600,
    ...extra,
    driver: { cores: 1, memory: '1g', serviceAccount: 'spark-driver', ...(extra.driver as J | undefined) },
    executor: { instances: 2, cores: 1, memory: '1g', ...(extra.executor as J | undefined) },
  };
  const kind = options.kind ?? 'SparkApplication';
  const metadata = { name: options.name ?? id.toLowerCase(), namespace: options.namespace ?? 'team' };
  return new ApiObject(chart, id, {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind,
    metadata,
    spec: kind === 'ScheduledSparkApplication' ? { schedule: '@daily', concurrencyPolicy: 'Forbid', template: spec } : spec,
  });
}

/** A Namespace. */
export function namespace(chart: Construct, name: string): ApiObject {
  return new ApiObject(chart, `ns-${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** A ResourceQuota. */
export function quota(chart: Construct, ns: string, hard: Record<string, string>): ApiObject {
  return new ApiObject(chart, `quota-${ns}`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: ns }, spec: { hard } });
}

/** A ServiceAccount with a Role of `rules` bound to it. */
export function account(chart: Construct, ns: string, name: string, rules: Array<{ resources: string[]; verbs: string[] }>, extra: J = {}): void {
  new ApiObject(chart, `sa-${ns}-${name}`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns }, ...extra });
  new ApiObject(chart, `role-${ns}-${name}`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns },
    rules: rules.map((r) => ({ apiGroups: [''], ...r })),
  });
  new ApiObject(chart, `rb-${ns}-${name}`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
  });
}

/** Upstream's Spark driver rules. */
export const FULL_DRIVER_RULES = [{ resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] }];

/** A NetworkPolicy. */
export function netpol(chart: Construct, ns: string, name: string, spec: J): ApiObject {
  return new ApiObject(chart, `np-${ns}-${name}`, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
}

/** Default deny in and out, as a tenant has. */
export function denyAll(chart: Construct, ns: string): ApiObject {
  return netpol(chart, ns, 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
}

/** Spark pods (any spark-role) to and from each other, as a tenant's allow-spark-driver-executor. */
export function allowSpark(chart: Construct, ns: string): ApiObject {
  const spark = { matchExpressions: [{ key: 'spark-role', operator: 'Exists' }] };
  return netpol(chart, ns, 'spark', { podSelector: spark, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: spark }] }], egress: [{ to: [{ podSelector: spark }] }] });
}

/** A Deployment with one container. */
export function deployment(chart: Construct, id: string, container: J, pod: J = {}, ns = 'apps'): ApiObject {
  return new ApiObject(chart, id, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: id.toLowerCase(), namespace: ns },
    spec: {
      selector: { matchLabels: { app: id.toLowerCase() } },
      template: { metadata: { labels: { app: id.toLowerCase() } }, spec: { containers: [{ name: 'main', ...container }], ...pod } },
    },
  });
}

/** The StatefulSet of a notebook `nb` in `team` whose pod is the client-mode driver TestDriver describes. */
export function notebookPod(chart: Construct, container: J, pod: J = {}): ApiObject {
  return new ApiObject(chart, 'Sts', {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'nb', namespace: 'team' },
    spec: {
      serviceName: 'nb', selector: { matchLabels: { app: 'notebook', instance: 'nb' } },
      template: {
        metadata: { labels: { app: 'notebook', instance: 'nb' } },
        spec: { containers: [{ name: 'nb', image: SPARK_40, ...container }], ...pod },
      },
    },
  });
}

/** Props of TestDriver. */
export interface TestDriverProps {
  readonly namespace?: string;
  readonly driverImage?: SparkImage;
  readonly executorImage?: SparkImage;
  readonly serviceAccountName?: string;
  readonly conf?: Record<string, string>;
}

/** The client-mode wiring a notebook sets (driver host, fixed ports, namespace, executor image). */
export function clientConf(ns: string, executorImage: string): Record<string, string> {
  return {
    'spark.master': 'k8s://https://kubernetes.default.svc:443',
    'spark.submit.deployMode': 'client',
    'spark.kubernetes.namespace': ns,
    'spark.driver.host': '${env:POD_IP}',
    'spark.driver.port': '7078',
    'spark.driver.blockManager.port': '7079',
    'spark.kubernetes.container.image': executorImage,
    'spark.executor.instances': '2',
    'spark.executor.memory': '1g',
  };
}

/** A minimal client-mode driver (what a notebook construct implements). */
export class TestDriver extends Construct implements IClientModeDriver {
  public readonly [CLIENT_MODE_DRIVER] = true as const;
  public readonly workloadName = 'TestDriver "nb"';
  public readonly namespace: string;
  public readonly driverImage: SparkImage;
  public readonly executorImage: SparkImage;
  public readonly serviceAccountName: string;
  public readonly podLabels = { app: 'notebook', instance: 'nb' };
  public readonly executorPodLabels = { 'spark-role': 'executor', 'spark-platform.io/client-driver': 'nb' };
  private readonly conf: Record<string, string>;

  constructor(scope: Construct, id: string, props: TestDriverProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? 'team';
    this.driverImage = props.driverImage ?? SparkImage.official();
    this.executorImage = props.executorImage ?? this.driverImage;
    this.serviceAccountName = props.serviceAccountName ?? 'nb';
    this.conf = props.conf ?? clientConf(this.namespace, this.executorImage.image);
  }

  public sparkConf(): Record<string, string> {
    return { ...this.conf };
  }
}

/**
 * An Apache operator SparkApplication (`spark.apache.org/v1`) that passes every rule unless
 * `spec` says otherwise: SparkPi on the official 4.0 image, run as the drivers' account `spark`,
 * 2 executors of 1 core and 1g, a time to live. `sparkConf` is merged over the defaults (a key
 * set to undefined is dropped).
 */
export function apacheSparkApp(chart: Construct, id: string, options: { namespace?: string; name?: string; spec?: J } = {}): ApiObject {
  const extra = options.spec ?? {};
  const sparkConf: Record<string, unknown> = {
    'spark.kubernetes.container.image': SPARK_40,
    'spark.kubernetes.authenticate.driver.serviceAccountName': 'spark',
    'spark.executor.instances': '2',
    'spark.driver.memory': '1g',
    'spark.executor.memory': '1g',
    ...(extra.sparkConf as J | undefined),
  };
  for (const k of Object.keys(sparkConf)) if (sparkConf[k] === undefined) delete sparkConf[k];
  return new ApiObject(chart, id, {
    apiVersion: 'spark.apache.org/v1',
    kind: 'SparkApplication',
    metadata: { name: options.name ?? id.toLowerCase(), namespace: options.namespace ?? 'team' },
    spec: {
      mainClass: 'org.apache.spark.examples.SparkPi',
      jars: 'local:///opt/spark/examples/jars/spark-examples.jar',
      runtimeVersions: { sparkVersion: '4.0.3' },
      applicationTolerations: { ttlAfterStopMillis: 3600000 },
      ...extra,
      sparkConf,
    },
  });
}

/**
 * An Apache Spark operator as its chart renders it: a ConfigMap whose `spark-operator.properties`
 * holds `properties` (a string: the file as is), and a Deployment running the operator's main
 * class with that ConfigMap at /opt/spark-operator/conf. `watched` undefined = the key is absent.
 */
export function apacheOperator(chart: Construct, options: { id?: string; namespace?: string; watched?: string; properties?: string; javaOpts?: string; serviceAccount?: string; configMap?: boolean } = {}): ApiObject {
  const id = options.id ?? 'ApacheOp';
  const ns = options.namespace ?? 'spark-operator';
  const name = id.toLowerCase();
  const file = options.properties ?? `spark.kubernetes.operator.name=${name}\n${options.watched === undefined ? '' : `spark.kubernetes.operator.watchedNamespaces=${options.watched}\n`}`;
  if (options.configMap ?? true) {
    new ApiObject(chart, `${id}-conf`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-configuration`, namespace: ns }, data: { 'spark-operator.properties': file, 'log4j2.properties': '' } });
  }
  return new ApiObject(chart, id, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          serviceAccountName: options.serviceAccount ?? 'spark-operator',
          containers: [{
            name: 'spark-kubernetes-operator', image: 'apache/spark-kubernetes-operator:1.0.0',
            command: ['java', '-cp', './spark-kubernetes-operator.jar', '$(LOG_CONFIG)', '$(OPERATOR_JAVA_OPTS)', 'org.apache.spark.k8s.operator.SparkOperator'],
            env: [{ name: 'LOG_CONFIG', value: '-Dlog4j.configurationFile=/opt/spark-operator/conf/log4j2.properties' }, { name: 'OPERATOR_JAVA_OPTS', value: options.javaOpts ?? '-XX:+UseParallelGC' }],
            volumeMounts: [{ name: 'spark-operator-config-volume', mountPath: '/opt/spark-operator/conf' }, { name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'spark-operator-config-volume', configMap: { name: `${name}-configuration` } }, { name: 'tmp', emptyDir: {} }],
        },
      },
    },
  });
}
