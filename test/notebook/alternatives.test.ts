import { parse } from 'yaml';
import {
  JupyterHubSpark, NetworkEndpoint, ObjectStoreConnection, S3ObjectStore, SPARK_CONNECT_PORT, SparkConnectServer, SparkImage,
  SparkNamespace, SparkNotebookImage,
} from '../../constructs';
import { Obj, expectValidManifests, findObject, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator } from '../helpers/netpol';
import { RbacEvaluator } from '../helpers/rbac';

const minio = NetworkEndpoint.pods({ namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'minio' }, ports: [{ port: 9000 }] });
const store = S3ObjectStore.external({ endpoint: 'http://minio.spark-platform.svc.cluster.local:9000', buckets: ['spark-logs'] });
const IMAGE = 'registry.example.com/spark-notebook:4.0.3-jupyterlab4.6.6';

function conf(objects: readonly Obj[], name: string): Record<string, string> {
  const text: string = findObject(objects, 'ConfigMap', `${name}-spark-conf`).data['spark-defaults.conf'];
  return Object.fromEntries(text.trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
}

describe('SparkConnectServer (the alternative to a driver in the notebook)', () => {
  function build(image?: SparkImage) {
    const chart = testChart();
    const namespace = new SparkNamespace(chart, 'T', { name: 'spark-jobs', objectStore: minio, apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.1/32'], [443]), packageRepository: NetworkEndpoint.cidrs(['192.0.2.10/32'], [{ port: 443 }]) });
    const server = new SparkConnectServer(chart, 'Connect', { name: 'connect', namespace, image, clients: [{ namespace: 'spark-jobs', labels: { app: 'analytics' } }] });
    new ObjectStoreConnection({ store, eventLogDir: 's3a://spark-logs/events' }).connect(server);
    return { server, objects: synth(chart) };
  }

  test('a client-mode driver in a StatefulSet, gRPC Service on 15002, valid; snapshot', () => {
    const { objects, server } = build();
    expectValidManifests(objects);
    expect(server.url).toBe('sc://connect.spark-jobs.svc.cluster.local:15002');
    const pod = findObject(objects, 'StatefulSet', 'connect').spec.template.spec;
    expect(pod.containers[0].command).toEqual(['/opt/spark/sbin/start-connect-server.sh']);
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([{ name: 'SPARK_NO_DAEMONIZE', value: 'true' }, { name: 'SPARK_LOG_DIR', value: '/tmp/spark-logs' }]));
    expect(findObject(objects, 'Service', 'connect').spec.ports).toEqual([{ name: 'grpc', port: SPARK_CONNECT_PORT, targetPort: 'grpc', appProtocol: 'grpc' }]);
    expect(conf(objects, 'connect')).toMatchObject({
      'spark.connect.grpc.binding.port': '15002',
      'spark.driver.host': 'connect-driver.spark-jobs.svc.cluster.local',
      'spark.kubernetes.driver.pod.name': 'connect-0',
      'spark.kubernetes.container.image': SparkImage.official().image,
      'spark.eventLog.dir': 's3a://spark-logs/events',
    });
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/instance'] === 'connect')).toMatchSnapshot();
  });

  test('Spark 3.5 needs the spark-connect package; 4.x has it', () => {
    expect(conf(build(SparkImage.official('3.5')).objects, 'connect')['spark.jars.packages']).toContain('org.apache.spark:spark-connect_2.12:3.5.8');
    expect(conf(build().objects, 'connect')['spark.jars.packages']).not.toContain('spark-connect');
  });

  test('only the named clients reach gRPC; executors reach the driver', () => {
    const { objects } = build();
    const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: { 'kube-system': {}, 'spark-platform': {} } });
    const server = { namespace: 'spark-jobs', labels: findObject(objects, 'StatefulSet', 'connect').spec.template.metadata.labels };
    const executor = { namespace: 'spark-jobs', labels: { 'spark-role': 'executor', 'spark-platform.io/client-driver': 'connect' } };
    expect(net.allows({ from: { namespace: 'spark-jobs', labels: { app: 'analytics' } }, to: server, port: 15002 })).toBe(true);
    expect(net.allows({ from: { namespace: 'spark-jobs', labels: { app: 'other' } }, to: server, port: 15002 })).toBe(false);
    expect(net.allows({ from: executor, to: server, port: 7078 })).toBe(true);
    expect(net.allows({ from: executor, to: server, port: 15002 })).toBe(false);
  });
});

describe('JupyterHubSpark (z2jh values fragment)', () => {
  function build() {
    const chart = testChart();
    const namespace = new SparkNamespace(chart, 'T', { name: 'hub-users', objectStore: minio, apiServer: NetworkEndpoint.kubeApiServer(['10.0.0.1/32'], [443]), packageRepository: NetworkEndpoint.cidrs(['192.0.2.10/32'], [{ port: 443 }]) });
    const hub = new JupyterHubSpark(chart, 'Hub', { namespace, image: SparkNotebookImage.unified({ image: IMAGE }) });
    new ObjectStoreConnection({ store }).connect(hub);
    return { hub, objects: synth(chart) };
  }

  test('the manifests hold the account, conf and executor policy; valid', () => {
    const { objects } = build();
    expectValidManifests(objects);
    const mine = objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/instance'] === 'jupyterhub-spark').map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(mine).toEqual(['ConfigMap/jupyterhub-spark-spark-conf', 'NetworkPolicy/jupyterhub-spark-executors', 'Role/jupyterhub-spark', 'RoleBinding/jupyterhub-spark', 'ServiceAccount/jupyterhub-spark']);
    expect(conf(objects, 'jupyterhub-spark')).toMatchObject({
      // No Service per user: the pod IP and the pod's own name, substituted by Spark from the env.
      'spark.driver.host': '${env:POD_IP}',
      'spark.kubernetes.driver.pod.name': '${env:POD_NAME}',
      'spark.kubernetes.namespace': 'hub-users',
    });
    const rbac = new RbacEvaluator(objects);
    expect(rbac.can({ kind: 'ServiceAccount', namespace: 'hub-users', name: 'jupyterhub-spark' }, { verb: 'create', resource: 'pods', namespace: 'hub-users' })).toBe(true);
  });

  test('values: image, account, env, conf mounts, network policy rules, security contexts', () => {
    const { hub, objects } = build();
    const values = hub.values() as any;
    expect(values.singleuser.image).toEqual({ name: 'registry.example.com/spark-notebook', tag: '4.0.3-jupyterlab4.6.6' });
    expect(values.singleuser.serviceAccountName).toBe('jupyterhub-spark');
    expect(values.singleuser.uid).toBe(185);
    expect(values.singleuser.extraEnv).toEqual({
      POD_NAME: { valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      POD_IP: { valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      AWS_ACCESS_KEY_ID: { valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_ACCESS_KEY_ID' } } },
      AWS_SECRET_ACCESS_KEY: { valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_SECRET_ACCESS_KEY' } } },
    });
    expect(values.singleuser.storage.extraVolumes).toEqual([{ name: 'spark-conf', configMap: { name: 'jupyterhub-spark-spark-conf' } }]);
    expect(values.singleuser.storage.extraVolumeMounts).toContainEqual({ name: 'spark-conf', mountPath: '/opt/spark/conf/spark-defaults.conf', subPath: 'spark-defaults.conf', readOnly: true });
    // The rules, as a NetworkPolicy of the user pods, admit exactly the wiring's paths.
    const userPolicy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'singleuser', namespace: 'hub-users' }, spec: { podSelector: { matchLabels: { component: 'singleuser-server' } }, policyTypes: ['Ingress', 'Egress'], ...values.singleuser.networkPolicy } };
    expectValidManifests([userPolicy]);
    const net = new NetworkPolicyEvaluator([...objects, userPolicy], { namespaceLabels: { 'kube-system': {}, 'spark-platform': {} } });
    const user = { namespace: 'hub-users', labels: { component: 'singleuser-server' } };
    const executor = { namespace: 'hub-users', labels: { ...parse(findObject(objects, 'ConfigMap', 'jupyterhub-spark-spark-conf').data['executor-pod-template.yaml']).metadata.labels } };
    expect(net.allows({ from: executor, to: user, port: 7078 })).toBe(true);
    expect(net.allows({ from: executor, to: user, port: 7081 })).toBe(true);
    expect(net.allows({ from: user, to: executor, port: 7079 })).toBe(true);
    expect(net.allows({ from: user, to: { ip: '10.0.0.1' }, port: 443 })).toBe(true);
    expect(net.allows({ from: executor, to: user, port: 8888 })).toBe(false);
    expect(values.hub.config.KubeSpawner.container_security_context).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  test('a mismatched pair is refused here too', () => {
    const chart = testChart();
    const namespace = SparkNamespace.fromName('hub-users');
    expect(() => new JupyterHubSpark(chart, 'H', {
      namespace,
      image: SparkNotebookImage.jupyterStack({ image: 'quay.io/jupyter/pyspark-notebook:2026-10-05', sparkVersion: '4.0.3', pythonVersion: '3.13', executor: SparkImage.official() }),
    })).toThrow(/Python 3\.13 in .* vs 3\.10 in/);
  });
});
