import { PlatformConfig, operatorProps, parsePlatformConfig, tenantProps } from '../../stacks/config';
import { dev, prod } from '../../stacks/environments';
import { renderEnvironment } from '../../stacks/synth';
import { SparkImage } from '../../constructs/spark-image';

const minimal = { name: 'test', tenants: [{ name: 'spark-jobs' }] };
const minimalConfig: PlatformConfig = minimal;
const job = { tenant: 'spark-jobs', name: 'pi', type: 'Scala', mainClass: 'org.apache.spark.examples.SparkPi', mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar' };

describe('parsePlatformConfig', () => {
  test('accepts the shipped environments as they are', () => {
    expect(parsePlatformConfig(dev, 'dev')).toBe(dev);
    expect(parsePlatformConfig(prod, 'prod')).toBe(prod);
  });

  test.each<[string, unknown, RegExp]>([
    ['a misspelled field, with a suggestion', { ...minimal, tenants: [{ name: 'a', qouta: {} }] },
      /x\.yaml: tenants\[0\]\.qouta: is not a known field\. Fix: did you mean "quota"\?/],
    ['an unknown top-level field', { ...minimal, replicas: 2 }, /x\.yaml: replicas: is not a known field\. Fix: remove it; known fields: name, description/],
    ['a missing name', { tenants: [] }, /x\.yaml: name: is required \(Environment name: a DNS-1123 label.*\)\. Fix: set name/],
    ['a missing tenant name', { name: 'x', tenants: [{}] }, /tenants\[0\]\.name: is required/],
    ['an invalid environment name', { ...minimal, name: 'Dev Env' }, /name: "Dev Env" is not a valid DNS-1123 label/],
    ['a quantity in Spark syntax', { ...minimal, tenantDefaults: { quota: { memory: '32g' } } },
      /x\.yaml: tenantDefaults\.quota\.memory: "32g" is Spark memory syntax, not a Kubernetes quantity\. Fix: write "32Gi"/],
    ['a CPU that is not a quantity', { ...minimal, tenants: [{ name: 'a', quota: { cpu: 'eight' } }] }, /tenants\[0\]\.quota\.cpu: "eight" is not a Kubernetes quantity/],
    ['a count that is a string', { ...minimal, tenants: [{ name: 'a', quota: { pods: '10' } }] }, /tenants\[0\]\.quota\.pods: "10" is not a whole number\. Fix: write the number without quotes: 10/],
    ['an unknown Pod Security level', { ...minimal, tenants: [{ name: 'a', podSecurity: 'strict' }] }, /podSecurity: "strict" is not one of "restricted", "baseline", "privileged"/],
    ['a duplicate tenant', { ...minimal, tenants: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] }, /tenants\[2\]\.name: "a" is already tenants\[0\]\. Fix: give each tenant its own namespace/],
    ['a label value that is not a string', { ...minimal, tenants: [{ name: 'a', labels: { team: 1 } }] }, /tenants\[0\]\.labels\.team: 1 is not a string\. Fix: quote it: "1"/],
    ['a port out of range in a list', { ...minimal, network: { apiServerPorts: [0] } }, /network\.apiServerPorts\[0\]: 0 is less than 1\. Fix: use 1 or more/],
    ['a webhook without a certificate source', { ...minimal, operator: { webhook: {} } }, /x\.yaml: operator\.webhook\.certificate: is required/],
    ['an unknown certificate source', { ...minimal, operator: { webhook: { certificate: 'vault' } } }, /operator\.webhook\.certificate: "vault" is not one of "self-signed", "cert-manager"/],
    ['a History Server image given as a string', { ...minimal, storage: { historyServer: { image: 'docker.io/apache/spark:4.0.3' } } },
      /storage\.historyServer\.image: "docker\.io\/apache\/spark:4\.0\.3" is not a SparkImage\. Fix: build it with SparkImage\.official\(\.\.\.\) or SparkImage\.custom\(\.\.\.\)/],
    ['a job in an unknown tenant', { ...minimal, jobs: [{ ...job, tenant: 'nope' }] }, /x\.yaml: jobs\[0\]\.tenant: "nope" is not one of the tenants \(spark-jobs\)\. Fix: run the job in a tenant namespace/],
    ['a job without a name', { ...minimal, jobs: [{ ...job, name: undefined }] }, /jobs\[0\]\.name: is required/],
    ['two jobs of one name in a tenant', { ...minimal, jobs: [job, job] }, /jobs\[1\]\.name: "pi" is already jobs\[0\] in tenant "spark-jobs"/],
    ['a config that is not an object', 'dev', /x\.yaml: environment: "dev" is not an object\. Fix: write an object/],
  ])('fails on %s', (_name, input, message) => {
    expect(() => parsePlatformConfig(input, 'x.yaml')).toThrow(message);
  });
});

describe('operatorProps', () => {
  test('maps the webhook certificate source', () => {
    const withCertManager = operatorProps({ ...minimalConfig, operator: { webhook: { certificate: 'cert-manager', issuer: { kind: 'ClusterIssuer', name: 'ca' } } } }, []);
    expect(withCertManager.webhook?.certificate).toMatchObject({ kind: 'cert-manager', issuer: { kind: 'ClusterIssuer', name: 'ca' } });
    expect(operatorProps({ ...minimalConfig, operator: { webhook: { certificate: 'self-signed' } } }, []).webhook?.certificate.kind).toBe('self-signed');
    expect(operatorProps(minimalConfig, []).webhook).toBeUndefined();
  });
});

describe('tenantProps', () => {
  const config: PlatformConfig = {
    name: 'test',
    network: { apiServerCidrs: ['10.0.0.1/32'], objectStore: { namespace: 'spark-platform', podLabels: { app: 'minio' }, ports: [9000] } },
    tenantDefaults: { quota: { cpu: '16', memory: '64Gi' }, containerDefaults: { maxCpu: '8' } },
    tenants: [{ name: 'a' }, { name: 'b', quota: { cpu: '32' } }],
  };

  test('applies tenant defaults field by field; the tenant wins', () => {
    const a = tenantProps(config, 0);
    const b = tenantProps(config, 1);
    expect(a.quota?.cpu?.toKubernetes()).toBe('16');
    expect(b.quota?.cpu?.toKubernetes()).toBe('32');
    expect(b.quota?.memory?.toKubernetes()).toBe('64Gi');
    expect(b.containerDefaults?.maxCpu?.toKubernetes()).toBe('8');
  });

  test('turns the network facts into endpoints', () => {
    const a = tenantProps(config, 0);
    expect(a.apiServer?.toPeers()).toEqual([{ ipBlock: { cidr: '10.0.0.1/32' } }]);
    expect(a.objectStore?.namespace).toBe('spark-platform');
  });

  test.each<[string, PlatformConfig['network'], RegExp]>([
    ['an endpoint with both pods and CIDRs', { objectStore: { namespace: 'x', cidrs: ['10.0.0.0/8'], ports: [9000] } }, /network\.objectStore: sets both namespace and cidrs/],
    ['an endpoint without ports', { objectStore: { namespace: 'x' } }, /network\.objectStore\.ports: no ports are given/],
    ['an endpoint with neither', { objectStore: { ports: [9000] } }, /network\.objectStore: sets neither namespace nor cidrs/],
    ['a malformed CIDR', { apiServerCidrs: ['10.0.0.1'] }, /cidrs\[0\]: "10\.0\.0\.1" is not a CIDR\. Fix: write an address with a prefix length/],
  ])('fails on %s', (_name, network, message) => {
    expect(() => tenantProps({ ...config, network }, 0)).toThrow(message);
  });
});

describe('storage.historyServer.image', () => {
  test('runs the History Server on that image; with jars "image" nothing is downloaded at start', () => {
    const image = SparkImage.custom({
      image: 'docker.io/example/spark-s3a:4.0.3',
      sparkVersion: '4.0.3',
      pythonVersion: '3.10',
      jars: ['org.apache.hadoop:hadoop-aws:3.4.1', 'software.amazon.awssdk:bundle:2.24.6', 'org.apache.spark:spark-hadoop-cloud_2.13:4.0.3'],
    });
    const { objects } = renderEnvironment({ ...dev, name: 'hs', storage: { ...dev.storage, jars: 'image', historyServer: { image } }, jobs: [], notebooks: [] });
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'spark-history') as any;
    expect(deployment.spec.template.spec.containers[0].image).toBe('docker.io/example/spark-s3a:4.0.3');
    expect(deployment.spec.template.spec.initContainers ?? []).toEqual([]);
    // the default stays the official image of the default line, with the jars downloaded first
    const plain = renderEnvironment(dev).objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'spark-history') as any;
    expect(plain.spec.template.spec.containers[0].image).toBe('docker.io/apache/spark:4.0.3-scala2.13-java17-python3-ubuntu');
    expect(plain.spec.template.spec.initContainers).toHaveLength(1);
  });
});
