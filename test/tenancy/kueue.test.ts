import { App, Chart } from 'cdk8s';
import {
  ApacheSparkOperator, Cpu, KUEUE_QUEUE_LABEL, KueueQueues, ManifestValidator, Memory, SparkJob, SparkJobMode, SparkJobProps, SparkNamespace,
  SparkNamespaceProps, SparkOperator, SparkOperatorCrds, TenantQueueOptions, formatIssues,
} from '../../constructs';
import { PlatformConfig, buildPlatform, parsePlatformConfig } from '../../stacks/platform';
import { dev, prod } from '../../stacks/environments';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { SPARK_PI_JOB } from '../helpers/jobs';

const SPARK_PI = SPARK_PI_JOB;

/** Two tenants with queues in one cohort; `a` gets `options`. */
function queues(options: TenantQueueOptions = {}, tenantA: Partial<SparkNamespaceProps> = {}): { chart: Chart; objects: Obj[]; kueue: KueueQueues } {
  const chart = testChart();
  const a = new SparkNamespace(chart, 'A', { name: 'team-a', ...tenantA });
  const b = new SparkNamespace(chart, 'B', { name: 'team-b' });
  const kueue = new KueueQueues(chart, 'Kueue', { cohort: 'analytics' });
  kueue.addTenant(a, options);
  kueue.addTenant(b);
  return { chart, objects: synth(chart), kueue };
}

describe('KueueQueues', () => {
  test('a ResourceFlavor, and per tenant a ClusterQueue in the cohort and a LocalQueue pointing at it; valid against the Kueue CRDs', () => {
    const { objects } = queues();
    expectValidManifests(objects);
    expect(ofKind(objects, 'ResourceFlavor').map((o) => o.metadata.name)).toEqual(['default-flavor']);
    const cq = findObject(objects, 'ClusterQueue', 'team-a');
    expect(cq.apiVersion).toBe('kueue.x-k8s.io/v1beta1');
    expect(cq.metadata.namespace).toBeUndefined();
    expect(cq.spec).toEqual({
      cohort: 'analytics',
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } },
      queueingStrategy: 'BestEffortFIFO',
      resourceGroups: [{
        coveredResources: ['cpu', 'memory', 'pods'],
        // The tenant's ResourceQuota defaults (8 CPU, 32Gi, 50 pods); nothing left to borrow.
        flavors: [{ name: 'default-flavor', resources: [
          { name: 'cpu', nominalQuota: '8', borrowingLimit: '0' },
          { name: 'memory', nominalQuota: '32Gi', borrowingLimit: '0' },
          { name: 'pods', nominalQuota: 50, borrowingLimit: 0 },
        ] }],
      }],
    });
    expect(findObject(objects, 'LocalQueue', 'spark', 'team-b').spec).toEqual({ clusterQueue: 'team-b' });
  });

  test('a smaller guaranteed quota borrows up to the ResourceQuota by default; limits are written as given', () => {
    const { objects } = queues({ quota: { cpu: Cpu.cores(2), memory: Memory.gibibytes(8), pods: 10 }, lendingLimit: { cpu: Cpu.cores(1) } });
    const resources = findObject(objects, 'ClusterQueue', 'team-a').spec.resourceGroups[0].flavors[0].resources;
    expect(resources).toEqual([
      { name: 'cpu', nominalQuota: '2', borrowingLimit: '6', lendingLimit: '1' },
      { name: 'memory', nominalQuota: '8Gi', borrowingLimit: '24Gi' },
      { name: 'pods', nominalQuota: 10, borrowingLimit: 40 },
    ]);
  });

  test('an unknown field in a Kueue object is rejected by the offline check', () => {
    const { objects } = queues();
    const cq = structuredClone(findObject(objects, 'ClusterQueue', 'team-a'));
    cq.spec.resourceGroups[0].flavors[0].resources[0].nominalQuotta = '1';
    const lq = structuredClone(findObject(objects, 'LocalQueue', 'spark', 'team-a'));
    lq.spec.clusterQueueName = 'x';
    const issues = formatIssues(new ManifestValidator().validateAll([cq, lq]));
    expect(issues).toMatch(/ClusterQueue.*nominalQuotta/);
    expect(issues).toMatch(/LocalQueue.*clusterQueueName/);
  });

  test.each<[string, TenantQueueOptions, Partial<SparkNamespaceProps>, RegExp]>([
    ['a quota above the ResourceQuota', { quota: { cpu: Cpu.cores(9) } }, {},
      /KueueQueues tenant "team-a" quota\.cpu: 9 is above the namespace's ResourceQuota \(8\).*Fix: set quota\.cpu to at most 8/],
    ['quota plus borrowing above the ResourceQuota', { quota: { pods: 40 }, borrowingLimit: { pods: 11 } }, {},
      /borrowingLimit\.pods: quota\.pods 40 plus 11 borrowed is above the namespace's ResourceQuota \(50\).*Fix: borrow at most 10/],
    ['lending more than the quota', { quota: { memory: Memory.gibibytes(4) }, lendingLimit: { memory: Memory.gibibytes(5) } }, {},
      /lendingLimit\.memory: 5Gi is above the tenant's quota\.memory 4Gi.*Fix: lend at most 4Gi/],
    ['a LocalQueue name that is not a DNS subdomain', { localQueueName: 'Spark_Q' }, {}, /localQueueName/],
    ['the same ClusterQueue name as another tenant', { clusterQueueName: 'team-b' }, {}, /clusterQueueName: "team-b" is another tenant's ClusterQueue/],
  ])('refuses %s', (_, options, tenant, message) => {
    // team-b is added second, so a clash is reported on it: add it first here.
    const chart = testChart();
    const b = new SparkNamespace(chart, 'B', { name: 'team-b' });
    const a = new SparkNamespace(chart, 'A', { name: 'team-a', ...tenant });
    const kueue = new KueueQueues(chart, 'Kueue');
    kueue.addTenant(b);
    expect(() => kueue.addTenant(a, options)).toThrow(message);
  });

  test('a namespace made elsewhere needs its quota given', () => {
    const chart = testChart();
    const kueue = new KueueQueues(chart, 'Kueue');
    expect(() => kueue.addTenant(SparkNamespace.fromName('ext'))).toThrow(/quota\.cpu: is not given and the namespace's ResourceQuota is unknown/);
    const q = kueue.addTenant(SparkNamespace.fromName('ext'), { quota: { cpu: Cpu.cores(4), memory: Memory.gibibytes(16), pods: 20 } });
    expect(q.localQueueName).toBe('spark');
    expect(() => kueue.addTenant(SparkNamespace.fromName('ext'), { quota: { cpu: Cpu.cores(4), memory: Memory.gibibytes(16), pods: 20 } })).toThrow(/"ext" already has a queue/);
  });
});

describe('SparkJob queue', () => {
  function job(props: Partial<SparkJobProps>): Obj[] {
    const chart = testChart();
    new SparkOperatorCrds(chart, 'Crds');
    const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    new KueueQueues(chart, 'Kueue').addTenant(tenant);
    const operator = new SparkOperator(chart, 'Operator', { jobNamespaces: [tenant] });
    new SparkJob(chart, 'Job', { ...SPARK_PI, namespace: tenant, operator, ...props });
    const objects = synth(chart);
    expectValidManifests(objects);
    return objects;
  }

  test('operator mode: the SparkApplication carries the queue label and starts suspended; its pods do not carry the label', () => {
    const app = findObject(job({ queue: 'spark' }), 'SparkApplication', 'spark-pi');
    expect(app.metadata.labels![KUEUE_QUEUE_LABEL]).toBe('spark');
    expect(app.spec.suspend).toBe(true);
    expect(app.spec.driver.labels?.[KUEUE_QUEUE_LABEL]).toBeUndefined();
    expect(JSON.stringify(app.spec.driver.template)).not.toContain(KUEUE_QUEUE_LABEL);
  });

  test('submit mode: the Job carries the label and is suspended; the submitter pod does not carry the label', () => {
    const objects = job({ queue: 'spark', mode: SparkJobMode.SUBMIT });
    const j = findObject(objects, 'Job', 'spark-pi');
    expect(j.metadata.labels![KUEUE_QUEUE_LABEL]).toBe('spark');
    expect(j.spec.suspend).toBe(true);
    expect(j.spec.template.metadata.labels[KUEUE_QUEUE_LABEL]).toBeUndefined();
  });

  test('submit mode with a schedule: the CronJob\'s job template carries label and suspension', () => {
    const cron = findObject(job({ queue: 'spark', mode: SparkJobMode.SUBMIT, schedule: { cron: '0 3 * * *' } }), 'CronJob', 'spark-pi');
    expect(cron.metadata.labels![KUEUE_QUEUE_LABEL]).toBeUndefined();
    expect(cron.spec.jobTemplate.metadata.labels[KUEUE_QUEUE_LABEL]).toBe('spark');
    expect(cron.spec.jobTemplate.spec.suspend).toBe(true);
    expect(cron.spec.suspend).toBeUndefined();
  });

  test.each([SparkJobMode.OPERATOR, SparkJobMode.SUBMIT])('%s mode without a queue: no label, not suspended', (mode) => {
    const o = job({ mode }).find((x) => x.metadata.name === 'spark-pi' && (x.kind === 'SparkApplication' || x.kind === 'Job'))!;
    expect(o.metadata.labels![KUEUE_QUEUE_LABEL]).toBeUndefined();
    expect(o.spec.suspend).toBeUndefined();
  });

  test.each<[string, Partial<SparkJobProps>, RegExp]>([
    ['a queue name that is not a DNS subdomain', { queue: 'My Queue' }, /SparkJob "spark-pi" queue: .*LocalQueue/],
    ['a scheduled operator-mode job', { queue: 'spark', schedule: { cron: '0 3 * * *' } }, /queue: is set on a scheduled operator-mode job.*ScheduledSparkApplication.*Fix: use SparkJobMode\.SUBMIT/],
  ])('refuses %s', (_, props, message) => {
    expect(() => job(props)).toThrow(message);
  });

  test('apache-operator mode is refused: Kueue has no integration for spark.apache.org', () => {
    const chart = testChart();
    const tenant = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
    const operator = new ApacheSparkOperator(chart, 'Operator', { jobNamespaces: [tenant] });
    expect(() => new SparkJob(chart, 'Job', { ...SPARK_PI, namespace: tenant, operator, queue: 'spark' }))
      .toThrow(/queue: is set in apache-operator mode, but Kueue has no integration for spark\.apache\.org.*Fix:/);
    expect(() => new SparkJob(chart, 'Job2', { ...SPARK_PI, name: 'other', namespace: tenant, operator })).not.toThrow();
  });
});

describe('PlatformConfig kueue', () => {
  const withKueue = (kueue: PlatformConfig['kueue'], queue: string | undefined = 'spark', tenants: PlatformConfig['tenants'] = dev.tenants): PlatformConfig => ({
    ...dev,
    tenants,
    kueue,
    jobs: dev.jobs!.map((j) => ({ ...j, queue })),
  });

  test('every tenant gets its queue; jobs carry the label; the doctor passes and every manifest is valid', () => {
    const app = new App();
    const built = buildPlatform(app, withKueue({ cohort: 'dev', tenants: [{ tenant: 'spark-jobs', quota: { cpu: '8' }, lendingLimit: { cpu: '2' } }] }));
    expect(built.kueue?.tenantQueues.get('spark-jobs')?.clusterQueueName).toBe('spark-jobs');
    const tenants = synth(built.tenants);
    expectValidManifests(tenants);
    const cq = findObject(tenants, 'ClusterQueue', 'spark-jobs');
    expect(cq.spec.cohort).toBe('dev');
    expect(cq.spec.resourceGroups[0].flavors[0].resources[0]).toEqual({ name: 'cpu', nominalQuota: '8', borrowingLimit: '4', lendingLimit: '2' });
    const jobs = synth(built.jobs!);
    expect(findObject(jobs, 'SparkApplication', 'spark-pi').metadata.labels![KUEUE_QUEUE_LABEL]).toBe('spark');
    expect(findObject(jobs, 'Job', 'spark-pi-python').spec.suspend).toBe(true);
    expect(built.doctor.report().errors).toEqual([]);
  });

  test.each<[string, PlatformConfig, RegExp]>([
    ['a job queue without a kueue section', withKueue(undefined), /jobs\[0\]\.queue: is "spark", but the environment has no kueue section.*Fix: add a kueue section/],
    ['a job queue other than the tenants\' LocalQueue', withKueue({}, 'batch'), /jobs\[0\]\.queue: "batch" is not the tenants' LocalQueue \("spark"\)\. Fix: set queue to "spark"/],
    ['a kueue tenant that is not a tenant', withKueue({ tenants: [{ tenant: 'nope' }] }), /kueue\.tenants\[0\]\.tenant: "nope" is not one of the tenants/],
    ['a kueue tenant listed twice', withKueue({ tenants: [{ tenant: 'spark-jobs' }, { tenant: 'spark-jobs' }] }), /kueue\.tenants\[1\]\.tenant: "spark-jobs" is already kueue\.tenants\[0\]/],
  ])('refuses %s', (_, config, message) => {
    expect(() => parsePlatformConfig(config)).toThrow(message);
  });

  test('a construct error names the configuration path', () => {
    expect(() => buildPlatform(new App(), withKueue({ tenants: [{ tenant: 'spark-jobs', quota: { cpu: '13' } }] })))
      .toThrow(/kueue\.tenants\[0\]\.quota\.cpu: 13 is above the namespace's ResourceQuota \(12\)/);
    expect(() => buildPlatform(new App(), withKueue({ tenants: [{ tenant: 'spark-jobs', quota: { cpu: 'lots' } }] })))
      .toThrow(/kueue\.tenants\[0\]\.quota\.cpu/);
  });

  test('dev and prod have no kueue section and no queued job', () => {
    for (const env of [dev, prod]) {
      expect(env.kueue).toBeUndefined();
      expect((env.jobs ?? []).filter((j) => j.queue !== undefined)).toEqual([]);
    }
  });
});
