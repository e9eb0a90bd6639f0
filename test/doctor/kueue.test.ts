/**
 * The Kueue rules: each with the smallest hand-made tree that triggers it and the nearest one
 * that must not. Queues are hand-made ApiObjects too, so the rules are proven on what they read.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KUEUE_QUEUE_LABEL } from '../../constructs/tenancy';
import { doctor, of, sparkApp } from './fixtures';

type J = Record<string, unknown>;
const V = 'kueue.x-k8s.io/v1beta1';

/** A ClusterQueue with one flavor: `quota` is name -> [nominal, borrowingLimit?, lendingLimit?]. */
function clusterQueue(c: Construct, name: string, quota: Record<string, [string | number, (string | number)?, (string | number)?]>, cohort?: string, flavor = 'default-flavor'): void {
  const resources = Object.entries(quota).map(([r, [nominalQuota, borrowingLimit, lendingLimit]]) => ({ name: r, nominalQuota, borrowingLimit, lendingLimit }));
  new ApiObject(c, `CQ-${name}`, {
    apiVersion: V, kind: 'ClusterQueue', metadata: { name },
    spec: { cohort, namespaceSelector: {}, resourceGroups: [{ coveredResources: Object.keys(quota), flavors: [{ name: flavor, resources }] }] },
  });
}

function localQueue(c: Construct, ns: string, name: string, cq: string): void {
  new ApiObject(c, `LQ-${ns}-${name}`, { apiVersion: V, kind: 'LocalQueue', metadata: { name, namespace: ns }, spec: { clusterQueue: cq } });
}

/** A SparkApplication in namespace `team` labelled for `queue`. */
function queuedApp(c: Construct, queue: string | undefined, spec: J = {}, id = 'App'): ApiObject {
  const app = sparkApp(c, id, { spec });
  if (queue !== undefined) app.metadata.addLabel(KUEUE_QUEUE_LABEL, queue);
  return app;
}

/** A submit-mode Job (by hand), optionally labelled for `queue`. */
function submitJob(c: Construct, queue: string | undefined, conf: string[] = []): void {
  new ApiObject(c, 'Submit', {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'submit', namespace: 'team', labels: queue ? { [KUEUE_QUEUE_LABEL]: queue } : {} },
    spec: {
      suspend: true,
      ttlSecondsAfterFinished: 600,
      template: { spec: {
        restartPolicy: 'Never', serviceAccountName: 'spark-driver',
        containers: [{ name: 'submit', image: 'apache/spark:4.0.1', command: ['/opt/spark/bin/spark-submit'], args: ['--master', 'k8s://https://kubernetes.default.svc', '--deploy-mode', 'cluster', '--conf', 'spark.kubernetes.namespace=team', ...conf.flatMap((x) => ['--conf', x]), 'local:///opt/spark/examples/jars/spark-examples.jar'] }],
      } },
    },
  });
}

// The fixture app: driver 1 CPU + 1408Mi, 2 executors of 1 CPU + 1408Mi: 3 CPU, 4224Mi, 3 pods at start.

describe('kueue-dynamic-allocation', () => {
  const DA = { dynamicAllocation: { enabled: true, initialExecutors: 1, minExecutors: 1, maxExecutors: 4, shuffleTrackingEnabled: true } };

  test('a queued SparkApplication with dynamic allocation', () => {
    const f = of(doctor((c) => queuedApp(c, 'spark', DA)), 'kueue-dynamic-allocation');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/queued in Kueue LocalQueue "spark" with dynamic allocation on \(spec\.dynamicAllocation.*cannot account executors Spark adds later.*Fix: run a fixed number of executors/);
  });

  test('a queued spark-submit Job with dynamic allocation in its conf', () => {
    expect(of(doctor((c) => submitJob(c, 'spark', ['spark.dynamicAllocation.enabled=true', 'spark.dynamicAllocation.maxExecutors=4'])), 'kueue-dynamic-allocation')).toHaveLength(1);
  });

  test.each<[string, (c: Construct) => void]>([
    ['the same application not queued', (c) => { queuedApp(c, undefined, DA); }],
    ['a queued application with fixed executors', (c) => { queuedApp(c, 'spark'); }],
    ['a queued Job with fixed executors', (c) => submitJob(c, 'spark', ['spark.executor.instances=2'])],
  ])('quiet: %s', (_, build) => {
    expect(of(doctor(build), 'kueue-dynamic-allocation')).toEqual([]);
  });
});

describe('kueue-queue-missing', () => {
  test('a queue name with no LocalQueue of that name in the namespace, when the tree has LocalQueues', () => {
    const f = of(doctor((c) => {
      clusterQueue(c, 'team', { cpu: [8] });
      localQueue(c, 'team', 'spark', 'team');
      localQueue(c, 'other', 'batch', 'team');
      queuedApp(c, 'batch');
    }), 'kueue-queue-missing');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/names Kueue LocalQueue "batch", but namespace "team" has no LocalQueue of that name \(it has "spark"\).*stays suspended\. Fix:/);
  });

  test('the same for a submit-mode Job', () => {
    expect(of(doctor((c) => { localQueue(c, 'team', 'spark', 'team'); submitJob(c, 'nope'); }), 'kueue-queue-missing')).toHaveLength(1);
  });

  test.each<[string, (c: Construct) => void]>([
    ['the queue exists in the namespace', (c) => { localQueue(c, 'team', 'spark', 'team'); queuedApp(c, 'spark'); }],
    ['the tree declares no LocalQueue at all (queues made elsewhere)', (c) => { queuedApp(c, 'spark'); }],
    ['an unqueued application beside queues', (c) => { localQueue(c, 'team', 'spark', 'team'); queuedApp(c, undefined); }],
  ])('quiet: %s', (_, build) => {
    expect(of(doctor(build), 'kueue-queue-missing')).toEqual([]);
  });
});

describe('kueue-exceeds-cluster-queue', () => {
  const run = (build: (c: Construct) => void) => of(doctor((c) => {
    localQueue(c, 'team', 'spark', 'team');
    build(c);
  }), 'kueue-exceeds-cluster-queue');

  test('3 CPU at start above a nominal quota of 2 with no cohort', () => {
    const f = run((c) => {
      clusterQueue(c, 'team', { cpu: [2], memory: ['8Gi'], pods: [10] });
      queuedApp(c, 'spark');
    });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', object: 'SparkApplication/team/app' });
    expect(f[0].message).toMatch(/the driver and 2 executors .* ClusterQueue "team", which can never give them that much: cpu needs 3, at most 2 \(nominalQuota 2 in flavor "default-flavor", no cohort to borrow from\)\..*suspended forever\. Fix:/);
  });

  test('borrowing is capped by what the cohort lends and by the borrowingLimit', () => {
    // team: 2 CPU + what "other" lends (lendingLimit 500m) = 2500m < 3
    const lentLittle = run((c) => {
      clusterQueue(c, 'team', { cpu: [2], memory: ['8Gi'] }, 'co');
      clusterQueue(c, 'other', { cpu: [4, undefined, '500m'], memory: ['8Gi'] }, 'co');
      queuedApp(c, 'spark');
    });
    expect(lentLittle).toHaveLength(1);
    expect(lentLittle[0].message).toMatch(/cpu needs 3, at most 2500m \(nominalQuota 2 \+ 500m the cohort "co" can lend in flavor "default-flavor"\)/);
    // plenty to lend, but team may borrow only 500m
    const capped = run((c) => {
      clusterQueue(c, 'team', { cpu: [2, '500m'], memory: ['8Gi'] }, 'co');
      clusterQueue(c, 'other', { cpu: [4], memory: ['8Gi'] }, 'co');
      queuedApp(c, 'spark');
    });
    expect(capped[0].message).toMatch(/at most 2500m \(nominalQuota 2 \+ 500m the cohort "co" can lend \(borrowingLimit 500m\)/);
  });

  test('pods when covered, and a resource the ClusterQueue does not cover at all', () => {
    expect(run((c) => { clusterQueue(c, 'team', { cpu: [8], memory: ['8Gi'], pods: [2] }); queuedApp(c, 'spark'); })[0].message).toMatch(/pods needs 3, at most 2/);
    expect(run((c) => { clusterQueue(c, 'team', { cpu: [8] }); queuedApp(c, 'spark'); })[0].message).toMatch(/memory needs 4224Mi, at most 0 \(memory is not among the ClusterQueue's covered resources\)/);
  });

  test.each<[string, (c: Construct) => void]>([
    ['exactly the nominal quota', (c) => { clusterQueue(c, 'team', { cpu: [3], memory: ['4224Mi'], pods: [3] }); queuedApp(c, 'spark'); }],
    ['above nominal, within what the cohort lends', (c) => {
      clusterQueue(c, 'team', { cpu: [2], memory: ['8Gi'] }, 'co');
      clusterQueue(c, 'other', { cpu: [4, undefined, '1'], memory: ['8Gi'] }, 'co');
      queuedApp(c, 'spark');
    }],
    ['the same large job not queued', (c) => { clusterQueue(c, 'team', { cpu: [2], memory: ['8Gi'] }); queuedApp(c, undefined); }],
    ['a submit-mode Job (Kueue admits its submitter pod only)', (c) => { clusterQueue(c, 'team', { cpu: ['500m'], memory: ['1Gi'] }); submitJob(c, 'spark', ['spark.executor.instances=8']); }],
  ])('quiet: %s', (_, build) => {
    expect(run(build)).toEqual([]);
  });
});
