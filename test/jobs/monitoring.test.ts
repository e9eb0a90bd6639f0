/**
 * Monitoring of SparkJob (issue 18): the Prometheus JMX exporter as a Java agent in all three
 * modes. Operator mode writes `spec.monitoring` (the operator adds the agent); submit and
 * Apache-operator modes do the same themselves. What Spark ends up running is read back by the
 * independent model (test/helpers/spark-effective.ts), so "same pods in every mode" is one toEqual.
 */
import { SparkImage, SparkJobMode, SparkJobProps } from '../../constructs';
import { jmxExporterConfig } from '../../constructs/monitoring/jmx-rules';
import { webhookOnlyFields } from '../../constructs/operator/webhook-fields';
import { Obj, expectValidManifests, findObject, ofKind } from '../helpers/manifests';
import { EffectiveApp, effectiveFromApacheSparkApplication, effectiveFromSparkApplication, effectiveFromSubmitJob } from '../helpers/spark-effective';
import { Json } from '../helpers/k8s-json';
import { SPARK_PI_JOB, renderJobInMode } from '../helpers/jobs';

const NAME = SPARK_PI_JOB.name;
const JAR = 'local:///opt/spark/jmx/jmx_prometheus_javaagent.jar';
const AGENT = '-javaagent:/opt/spark/jmx/jmx_prometheus_javaagent.jar=8090:/etc/spark-platform/metrics/jmx-exporter.yaml';
const MODES = [SparkJobMode.OPERATOR, SparkJobMode.SUBMIT, SparkJobMode.APACHE_OPERATOR];

function render(mode: SparkJobMode, props: Partial<SparkJobProps> = {}): Obj[] {
  return renderJobInMode(mode, { ...SPARK_PI_JOB, monitoring: { jmxExporter: { jar: JAR } }, ...props });
}

function effective(mode: SparkJobMode, props: Partial<SparkJobProps> = {}): EffectiveApp {
  const objects = render(mode, props);
  if (mode === SparkJobMode.SUBMIT) return effectiveFromSubmitJob(objects, NAME);
  const app = findObject(objects, 'SparkApplication', NAME, 'spark-jobs');
  return mode === SparkJobMode.OPERATOR ? effectiveFromSparkApplication(app, { webhook: false }) : effectiveFromApacheSparkApplication(app);
}

function container(pod: Json): Json {
  return ((pod.spec as Json).containers as Json[])[0];
}

describe('JMX exporter: the same pods in every mode', () => {
  test.each(MODES)('%s: the manifests validate (CRD schemas, Kubernetes kinds) and the ConfigMap carries both files', (mode) => {
    const objects = render(mode);
    expectValidManifests(objects);
    const cm = findObject(objects, 'ConfigMap', `${NAME}-jmx-exporter`, 'spark-jobs');
    expect(Object.keys(cm.data).sort()).toEqual(['jmx-exporter.yaml', 'metrics.properties']);
    expect(cm.data['metrics.properties']).toContain('*.sink.jmx.class=org.apache.spark.metrics.sink.JmxSink');
    expect(cm.data['jmx-exporter.yaml']).toBe(jmxExporterConfig());
  });

  test.each(MODES)('%s: both JVMs load the agent, read the mounted metrics.properties, and declare the port', (mode) => {
    const app = effective(mode);
    expect(app.conf['spark.driver.extraJavaOptions']).toBe(AGENT);
    expect(app.conf['spark.executor.extraJavaOptions']).toBe(AGENT);
    expect(app.conf['spark.metrics.conf']).toBe('/etc/spark-platform/metrics/metrics.properties');
    expect(app.conf['spark.metrics.namespace']).toBe(`spark-jobs.${NAME}`);
    for (const pod of [app.driverPod, app.executorPod]) {
      expect(container(pod).ports).toEqual([{ name: 'jmx-exporter', containerPort: 8090, protocol: 'TCP' }]);
      expect(container(pod).volumeMounts).toContainEqual({ name: 'spark-platform-metrics', mountPath: '/etc/spark-platform/metrics', readOnly: true });
      expect((pod.spec as Json).volumes).toContainEqual({ name: 'spark-platform-metrics', configMap: { name: `${NAME}-jmx-exporter` } });
    }
    // The operator's scrape annotations on both pods, in every mode.
    for (const role of ['driver', 'executor']) {
      expect(app.conf[`spark.kubernetes.${role}.annotation.prometheus.io/port`]).toBe('8090');
      expect(app.conf[`spark.kubernetes.${role}.annotation.prometheus.io/path`]).toBe('/metrics');
    }
  });

  // The whole-app equality across modes is same-pods.test.ts's sample "jmx-exporter".
  test('operator and submit modes are equal, and the user\'s extraJavaOptions are merged, never replaced', () => {
    const props = { sparkConf: { 'spark.driver.extraJavaOptions': '-XX:+UseG1GC', 'spark.executor.extraJavaOptions': '-Dfoo=bar' } };
    const [operator, submit, apache] = MODES.map((m) => effective(m, props));
    expect(submit).toEqual(operator);
    for (const app of [operator, submit, apache]) {
      // the user's options first, the agent after
      expect(app.conf['spark.driver.extraJavaOptions']).toBe(`-XX:+UseG1GC ${AGENT}`);
      expect(app.conf['spark.executor.extraJavaOptions']).toBe(`-Dfoo=bar ${AGENT}`);
      expect(app.executorPod).toEqual(operator.executorPod);
      expect(app.driverPod).toEqual(operator.driverPod);
    }
  });

  test('operator mode: spec.monitoring with both files in the image, the user\'s options in javaOptions', () => {
    const objects = render(SparkJobMode.OPERATOR, { sparkConf: { 'spark.driver.extraJavaOptions': '-XX:+UseG1GC' } });
    const spec = findObject(objects, 'SparkApplication', NAME).spec;
    expect(spec.monitoring).toEqual({
      exposeDriverMetrics: true,
      exposeExecutorMetrics: true,
      metricsPropertiesFile: '/etc/spark-platform/metrics/metrics.properties',
      prometheus: { jmxExporterJar: '/opt/spark/jmx/jmx_prometheus_javaagent.jar', port: 8090, portName: 'jmx-exporter', configFile: '/etc/spark-platform/metrics/jmx-exporter.yaml' },
    });
    // in sparkConf it would be replaced by the operator's own --conf from javaOptions
    expect(spec.sparkConf['spark.driver.extraJavaOptions']).toBeUndefined();
    expect(spec.driver.javaOptions).toBe('-XX:+UseG1GC');
    expect(spec.executor.javaOptions).toBeUndefined();
  });

  test('driver only: the executors get no agent, port, mount or annotation', () => {
    for (const mode of MODES) {
      const app = effective(mode, { monitoring: { jmxExporter: { jar: JAR, port: 9404, executors: false } } });
      expect(app.conf['spark.driver.extraJavaOptions']).toBe(AGENT.replace('8090', '9404'));
      expect(app.conf['spark.executor.extraJavaOptions']).toBeUndefined();
      expect(container(app.driverPod).ports).toEqual([{ name: 'jmx-exporter', containerPort: 9404, protocol: 'TCP' }]);
      expect(container(app.executorPod).ports).toBeUndefined();
      expect(JSON.stringify(app.executorPod)).not.toContain('spark-platform-metrics');
      expect(app.conf['spark.kubernetes.executor.annotation.prometheus.io/port']).toBeUndefined();
    }
  });

  test('the jar comes from the image when the job names none', () => {
    const image = SparkImage.custom({ image: 'registry.example.com/spark:4.0.3-jmx', sparkVersion: '4.0.3', jmxExporterJar: 'local:///opt/jmx/agent.jar' });
    const app = effective(SparkJobMode.SUBMIT, { image, monitoring: { jmxExporter: {} } });
    expect(app.conf['spark.driver.extraJavaOptions']).toBe('-javaagent:/opt/jmx/agent.jar=8090:/etc/spark-platform/metrics/jmx-exporter.yaml');
  });

  test('a config of the user replaces the platform rules in the ConfigMap', () => {
    const config = 'rules:\n  - pattern: ".*"\n';
    const cm = findObject(render(SparkJobMode.SUBMIT, { monitoring: { jmxExporter: { jar: JAR, config } } }), 'ConfigMap', `${NAME}-jmx-exporter`);
    expect(cm.data['jmx-exporter.yaml']).toBe(config);
  });

  test.each(MODES)('%s: without jmxExporter nothing changes (no ConfigMap, no spec.monitoring, no agent, no port)', (mode) => {
    const objects = render(mode, { monitoring: undefined });
    expect(ofKind(objects, 'ConfigMap').map((c) => c.metadata.name)).not.toContain(`${NAME}-jmx-exporter`);
    expect(JSON.stringify(objects)).not.toMatch(/javaagent|jmx-exporter|spark\.metrics\.conf"/);
    if (mode !== SparkJobMode.SUBMIT) expect(findObject(objects, 'SparkApplication', NAME).spec.monitoring).toBeUndefined();
    // Spark's servlet stays on, as before
    const app = effective(mode, { monitoring: undefined });
    expect(app.conf['spark.ui.prometheus.enabled']).toBe('true');
  });
});

describe('JMX exporter errors name the field and the fix', () => {
  const noJar = SparkImage.custom({ image: 'registry.example.com/spark:4.0.3', sparkVersion: '4.0.3' });
  const otherJar = SparkImage.custom({ image: 'registry.example.com/spark:4.0.3-b', sparkVersion: '4.0.3', jmxExporterJar: 'local:///other/agent.jar' });
  const withJar = SparkImage.custom({ image: 'registry.example.com/spark:4.0.3-a', sparkVersion: '4.0.3', jmxExporterJar: 'local:///opt/jmx/agent.jar' });
  test.each([
    ['no jar anywhere', { image: noJar, monitoring: { jmxExporter: {} } }, /monitoring\.jmxExporter\.jar: is not set, and image "registry\.example\.com\/spark:4\.0\.3" declares no jmxExporterJar.*Fix: .*jmxExporterJar/],
    ['images ship it at different paths', { image: withJar, executorImage: otherJar, monitoring: { jmxExporter: {} } }, /monitoring\.jmxExporter\.jar: .*different paths.*Fix: give jar explicitly/],
    ['a remote jar', { monitoring: { jmxExporter: { jar: 'https://repo1.maven.org/agent.jar' } } }, /monitoring\.jmxExporter\.jar: "https:\/\/repo1\.maven\.org\/agent\.jar" is not a jar in the image.*Fix: write local:\/\/\//],
    ['a privileged port', { monitoring: { jmxExporter: { jar: JAR, port: 80 } } }, /monitoring\.jmxExporter\.port: 80 is not a port from 1024 to 49151.*Fix:/],
    ['the UI port', { monitoring: { jmxExporter: { jar: JAR, port: 4040 } } }, /monitoring\.jmxExporter\.port: 4040 is a port Spark itself listens on.*Fix:/],
    ['spark.ui.port moved onto it', { sparkConf: { 'spark.ui.port': '8090' }, monitoring: { jmxExporter: { jar: JAR } } }, /monitoring\.jmxExporter\.port: 8090 is a port Spark itself listens on/],
    ['both roles off', { monitoring: { jmxExporter: { jar: JAR, driver: false, executors: false } } }, /monitoring\.jmxExporter: turns the agent off in the driver and in the executors.*Fix: remove jmxExporter/],
    ['metrics conf set by hand', { sparkConf: { 'spark.metrics.conf': '/opt/spark/conf/metrics.properties' }, monitoring: { jmxExporter: { jar: JAR } } }, /sparkConf\["spark\.metrics\.conf"\]: is set, but monitoring\.jmxExporter sets it.*Fix: remove the key/],
    ['metrics namespace set by hand', { sparkConf: { 'spark.metrics.namespace': 'x' }, monitoring: { jmxExporter: { jar: JAR } } }, /sparkConf\["spark\.metrics\.namespace"\]/],
    ['a config that is not YAML', { monitoring: { jmxExporter: { jar: JAR, config: 'rules: [' } } }, /monitoring\.jmxExporter\.config: is not YAML.*Fix:/],
    ['a config that is a list', { monitoring: { jmxExporter: { jar: JAR, config: '- a\n- b\n' } } }, /monitoring\.jmxExporter\.config: is not a YAML mapping/],
    ['an unknown field', { monitoring: { jmxExporter: { jar: JAR, prot: 8090 } } }, /prot/],
  ] as Array<[string, Record<string, unknown>, RegExp]>)('%s', (_what, props, message) => {
    expect(() => render(SparkJobMode.SUBMIT, props as Partial<SparkJobProps>)).toThrow(message);
  });

  test('a jmxExporterJar on SparkImage that is not a local jar is refused there', () => {
    expect(() => SparkImage.custom({ image: 'registry.example.com/spark:4.0.3', sparkVersion: '4.0.3', jmxExporterJar: '/opt/jmx/agent.jar' }))
      .toThrow(/jmxExporterJar: "\/opt\/jmx\/agent\.jar" is not a jar in the image.*Fix: write local:\/\/\//);
  });
});

describe('the model of spec.monitoring refuses what it does not model', () => {
  test('the operator\'s own ConfigMap (a file not given in the image) is not modelled', () => {
    const app = JSON.parse(JSON.stringify(findObject(render(SparkJobMode.OPERATOR), 'SparkApplication', NAME)));
    delete app.spec.monitoring.metricsPropertiesFile;
    expect(() => effectiveFromSparkApplication(app, { webhook: false })).toThrow(/spec\.monitoring without both metricsPropertiesFile and prometheus\.configFile.*not modelled/);
  });

  test('an unknown monitoring field is refused', () => {
    const app = JSON.parse(JSON.stringify(findObject(render(SparkJobMode.OPERATOR), 'SparkApplication', NAME)));
    app.spec.monitoring.prometheus.configuration = 'rules: []';
    expect(() => effectiveFromSparkApplication(app, { webhook: false })).toThrow('spec.monitoring.prometheus: configuration not modelled');
  });
});

describe('the operator\'s webhook check', () => {
  test.each([
    ['both files in the image: the webhook adds nothing, nothing flagged', { metricsPropertiesFile: '/m.properties', prometheus: { jmxExporterJar: '/j.jar', configFile: '/p.yaml' } }, []],
    ['no metricsPropertiesFile: the webhook mounts the operator\'s ConfigMap', { prometheus: { jmxExporterJar: '/j.jar', configFile: '/p.yaml' } }, ['spec.monitoring.prometheus']],
    ['no configFile: likewise', { metricsPropertiesFile: '/m.properties', prometheus: { jmxExporterJar: '/j.jar' } }, ['spec.monitoring.prometheus']],
  ])('%s', (_what, monitoring, flagged) => {
    expect(webhookOnlyFields({ monitoring })).toEqual(flagged);
  });
});
