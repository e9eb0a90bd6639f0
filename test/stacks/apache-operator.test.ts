import { SparkJobMode, SparkJobType } from '../../constructs';
import type { JobConfig, PlatformConfig } from '../../stacks/config';
import { KubeObject } from '../../stacks/gitops';
import { renderEnvironment } from '../../stacks/synth';

/**
 * An environment with Apache Spark's Kubernetes operator beside the Kubeflow one (issue 19):
 * each tenant watched by exactly one operator, jobs defaulting to their operator's mode, and a
 * job's mode switched by one prop with dist/ showing exactly what changes.
 */

const SPARK_PI: Omit<JobConfig, 'tenant'> = {
  name: 'spark-pi',
  type: SparkJobType.SCALA,
  mainClass: 'org.apache.spark.examples.SparkPi',
  mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
  arguments: ['100'],
};

function environment(jobs: readonly JobConfig[], overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  return {
    name: 'mixed',
    tenants: [{ name: 'spark-jobs' }, { name: 'team-apache' }],
    network: { apiServerCidrs: ['10.96.0.1/32'], apiServerPorts: [443] },
    apacheOperator: { tenants: ['team-apache'] },
    jobs,
    doctor: { apiServer: { port: 443 } },
    ...overrides,
  };
}

const id = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('an environment with both operators', () => {
  const rendered = renderEnvironment(environment([
    { tenant: 'team-apache', ...SPARK_PI },
    { tenant: 'spark-jobs', ...SPARK_PI },
  ]));
  const find = (kind: string, name: string, namespace?: string) => rendered.objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace)!;

  test('each tenant is watched by one operator; the CRDs of both are applied first; the doctor finds nothing', () => {
    const kubeflow = find('Deployment', 'spark-operator-controller', 'spark-operator') as any;
    expect(kubeflow.spec.template.spec.containers[0].args).toContain('--namespaces=spark-jobs');
    const properties = (find('ConfigMap', 'spark-kubernetes-operator-configuration', 'spark-kubernetes-operator') as any).data['spark-operator.properties'];
    expect(properties).toMatch(/^spark\.kubernetes\.operator\.watchedNamespaces=team-apache$/m);
    expect(rendered.charts[0].objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort()).toEqual([
      'scheduledsparkapplications.sparkoperator.k8s.io', 'sparkapplications.spark.apache.org', 'sparkapplications.sparkoperator.k8s.io',
      'sparkclusters.spark.apache.org', 'sparkconnects.sparkoperator.k8s.io',
    ]);
    expect(rendered.doctor?.errors).toEqual([]);
  });

  test('a job defaults to the mode of the operator watching its tenant', () => {
    expect(find('SparkApplication', 'spark-pi', 'team-apache').apiVersion).toBe('spark.apache.org/v1');
    expect(find('SparkApplication', 'spark-pi', 'spark-jobs').apiVersion).toBe('sparkoperator.k8s.io/v1beta2');
  });

  test('bad input names the field and the fix', () => {
    expect(() => renderEnvironment(environment([], { apacheOperator: { tenants: ['team-x'] } }))).toThrow(/apacheOperator\.tenants\[0\]: "team-x" is not one of the tenants \(spark-jobs, team-apache\)/);
    expect(() => renderEnvironment(environment([], { apacheOperator: { tenants: ['team-apache', 'spark-jobs'] } }))).toThrow(/apacheOperator\.tenants: lists every tenant.*Fix: leave at least one tenant to the Kubeflow operator/);
    expect(() => renderEnvironment(environment([{ tenant: 'team-apache', ...SPARK_PI, mode: SparkJobMode.OPERATOR }])))
      .toThrow(/mode: operator mode needs a SparkOperator \(the Kubeflow operator\), but the operator given runs apache-operator mode/);
  });
});

describe('switching one job between submit mode and the Apache operator: what changes in dist/', () => {
  const submit = renderEnvironment(environment([{ tenant: 'team-apache', ...SPARK_PI, mode: SparkJobMode.SUBMIT }]));
  const apache = renderEnvironment(environment([{ tenant: 'team-apache', ...SPARK_PI }]));
  const byId = (objects: readonly KubeObject[]) => new Map(objects.map((o) => [id(o), JSON.stringify(o)]));

  test('only the job\'s own objects, and submit mode\'s API egress for its submitter pod', () => {
    const before = byId(submit.objects);
    const after = byId(apache.objects);
    const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
    const added = [...after.keys()].filter((k) => !before.has(k)).sort();
    const changed = [...before.keys()].filter((k) => after.has(k) && after.get(k) !== before.get(k)).sort();
    expect(removed).toEqual([
      'ConfigMap team-apache/spark-pi-spark-submit',
      'Job team-apache/spark-pi',
      'NetworkPolicy team-apache/allow-spark-submit-kube-api',
      'Role team-apache/spark-pi-submitter',
      'RoleBinding team-apache/spark-pi-submitter',
      'ServiceAccount team-apache/spark-pi-submitter',
    ]);
    expect(added).toEqual(['SparkApplication team-apache/spark-pi']);
    expect(changed).toEqual([]);
  });

  test('the files: the jobs file and the tenants file (the submitter\'s egress policy); nothing else', () => {
    const changedFiles = [...submit.files.keys()].filter((f) => apache.files.get(f) !== submit.files.get(f)).sort();
    expect(changedFiles).toEqual(['mixed/01-tenants.yaml', 'mixed/03-jobs.yaml']);
  });
});
