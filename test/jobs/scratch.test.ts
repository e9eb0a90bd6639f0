/**
 * Scratch space (issue 18): `{driver,executor}.scratch` gives Spark a bounded local dir in every
 * mode. What Spark makes of the rendered conf and templates is read back by the independent model
 * (sparkLocalDirs in test/helpers/spark-effective.ts), not by the construct's own helpers; quota
 * counting is checked at synth (SparkJob) and by the doctor, and bad input fails with the field.
 */
import { parse } from 'yaml';
import { Memory, ScratchMedium, SparkJob, SparkJobMode, SparkJobProps, SparkNamespace, SparkNamespaceQuota } from '../../constructs';
import { attachDoctor } from '../../constructs/doctor';
import { ApiObject, App, Chart } from 'cdk8s';
import { SPARK_PI_JOB, operatorForMode, renderJobInMode } from '../helpers/jobs';
import { Obj, expectValidManifests, findObject } from '../helpers/manifests';
import {
  EffectiveApp, SparkLocalDir, effectiveFromApacheSparkApplication, effectiveFromSparkApplication, effectiveFromSubmitJob, sparkLocalDirs,
} from '../helpers/spark-effective';
import { Json } from '../helpers/k8s-json';
import { doctor, of, quota, sparkApp } from '../doctor/fixtures';

type Props = Partial<Omit<SparkJobProps, 'namespace' | 'operator' | 'mode'>>;
const MODES = [SparkJobMode.OPERATOR, SparkJobMode.SUBMIT, SparkJobMode.APACHE_OPERATOR] as const;
/** Where SparkJob mounts the scratch volume (written down again, not imported). */
const SCRATCH_PATH = '/var/data/spark-scratch';

/** The job in `mode` in a tenant namespace (quota given), with the operator of the mode and its CRDs. */
function render(mode: SparkJobMode, props: Props, tenantQuota?: SparkNamespaceQuota): Obj[] {
  return renderJobInMode(mode, { ...SPARK_PI_JOB, ...props }, { quota: tenantQuota });
}

/** What Spark makes of the rendered job, per the independent model of each mode. */
function effective(mode: SparkJobMode, objects: Obj[]): EffectiveApp {
  if (mode === SparkJobMode.SUBMIT) return effectiveFromSubmitJob(objects, 'spark-pi');
  const app = findObject(objects, 'SparkApplication', 'spark-pi', 'spark-jobs');
  return mode === SparkJobMode.OPERATOR ? effectiveFromSparkApplication(app, { webhook: false }) : effectiveFromApacheSparkApplication(app);
}

/** The pod templates as Pods (an image added: templates leave it to Spark), for the schema check. */
function templatePods(app: EffectiveApp): Json[] {
  return (['driverPod', 'executorPod'] as const).map((k) => {
    const pod = JSON.parse(JSON.stringify(app[k])) as Json;
    const spec = pod.spec as Json;
    spec.containers = (spec.containers as Json[]).map((c) => ({ ...c, image: 'spark:test' }));
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name: k.toLowerCase(), namespace: 'spark-jobs' }, spec };
  });
}

const GIB = (n: number) => Memory.gibibytes(n);

/** Each kind, with the local dirs Spark ends up with (driver, executor) in every mode. */
const KINDS: ReadonlyArray<[string, Props, { driver: Partial<SparkLocalDir>; executor: Partial<SparkLocalDir> }]> = [
  ['disk emptyDirs', { driver: { scratch: { emptyDir: { sizeLimit: GIB(5) } } }, executor: { scratch: { emptyDir: { medium: ScratchMedium.DISK, sizeLimit: GIB(50) } } } }, {
    driver: { path: SCRATCH_PATH, from: 'template', volume: { name: 'spark-local-dir-1', emptyDir: { sizeLimit: '5Gi' } } },
    executor: { path: SCRATCH_PATH, from: 'template', volume: { name: 'spark-local-dir-1', emptyDir: { sizeLimit: '50Gi' } } },
  }],
  ['memory emptyDir (driver), ephemeral claim (executors)', {
    driver: { memoryOverhead: GIB(1), scratch: { emptyDir: { medium: ScratchMedium.MEMORY, sizeLimit: Memory.mebibytes(512) } } },
    executor: { scratch: { ephemeral: { storageClass: 'fast-ssd', size: GIB(40) } } },
  }, {
    driver: { path: SCRATCH_PATH, from: 'template', volume: { name: 'spark-local-dir-1', emptyDir: { medium: 'Memory', sizeLimit: '512Mi' } } },
    executor: {
      path: SCRATCH_PATH, from: 'template',
      volume: { name: 'spark-local-dir-1', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '40Gi' } } } } } },
    },
  }],
  ['ephemeral claim of the default class (driver), on-demand claims (executors)', {
    driver: { scratch: { ephemeral: { size: GIB(2) } } },
    executor: { scratch: { onDemandClaim: { storageClass: 'standard', size: GIB(20) } } },
  }, {
    driver: { from: 'template', volume: { name: 'spark-local-dir-1', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } } } } },
    executor: {
      path: SCRATCH_PATH, from: 'conf', createdClaim: { storageClassName: 'standard', storage: '20Gi' },
      volume: { name: 'spark-local-dir-1', persistentVolumeClaim: { claimName: 'spark-pi-exec-<id>-pvc-0', readOnly: false } },
    },
  }],
];

describe('each kind of scratch, in each mode: valid manifests, and Spark uses it as its local dir', () => {
  test.each(KINDS.flatMap(([what, props, expected]) => MODES.map((mode) => [what, mode, props, expected] as const)))('%s, %s mode', (_what, mode, props, expected) => {
    const objects = render(mode, props);
    expectValidManifests(objects);
    const app = effective(mode, objects);
    expectValidManifests(templatePods(app));
    for (const role of ['driver', 'executor'] as const) {
      const dirs = sparkLocalDirs(app, role);
      // one local dir, the scratch volume: Spark adds no emptyDir of its own
      expect(dirs).toHaveLength(1);
      expect(dirs[0]).toEqual({ path: SCRATCH_PATH, ...expected[role] });
    }
  });

  test('without scratch Spark adds its own unbounded emptyDir (what the doctor warns about)', () => {
    for (const mode of MODES) {
      const dirs = sparkLocalDirs(effective(mode, render(mode, {})), 'executor');
      expect(dirs).toEqual([{ path: '/var/data/spark-<uuid>', from: 'spark', volume: { name: 'spark-local-dir-1', emptyDir: {} } }]);
    }
  });

  test('the same conf and templates in every mode: the on-demand claim and its reuse settings are Spark conf', () => {
    const props = KINDS[2][1];
    const confs = MODES.map((mode) => Object.fromEntries(Object.entries(effective(mode, render(mode, props)).conf).filter(([k]) => /PersistentVolumeClaim$|volumes\./.test(k))));
    expect(confs[0]).toEqual({
      'spark.kubernetes.executor.volumes.persistentVolumeClaim.spark-local-dir-1.mount.path': SCRATCH_PATH,
      'spark.kubernetes.executor.volumes.persistentVolumeClaim.spark-local-dir-1.mount.readOnly': 'false',
      'spark.kubernetes.executor.volumes.persistentVolumeClaim.spark-local-dir-1.options.claimName': 'OnDemand',
      'spark.kubernetes.executor.volumes.persistentVolumeClaim.spark-local-dir-1.options.sizeLimit': '20Gi',
      'spark.kubernetes.executor.volumes.persistentVolumeClaim.spark-local-dir-1.options.storageClass': 'standard',
      'spark.kubernetes.driver.ownPersistentVolumeClaim': 'true',
      'spark.kubernetes.driver.reusePersistentVolumeClaim': 'true',
      'spark.kubernetes.driver.waitToReusePersistentVolumeClaim': 'true',
    });
    expect(confs[1]).toEqual(confs[0]);
    expect(confs[2]).toEqual(confs[0]);
    const noWait = effective(SparkJobMode.SUBMIT, render(SparkJobMode.SUBMIT, { executor: { scratch: { onDemandClaim: { storageClass: 'standard', size: GIB(20), reuse: false, waitToReuse: false } } } })).conf;
    expect(noWait).toMatchObject({ 'spark.kubernetes.driver.reusePersistentVolumeClaim': 'false', 'spark.kubernetes.driver.waitToReusePersistentVolumeClaim': 'false' });
  });

  test('a disk emptyDir is requested as ephemeral-storage (Spark keeps the template\'s other requests); memory and claims are not', () => {
    const app = effective(SparkJobMode.SUBMIT, render(SparkJobMode.SUBMIT, KINDS[1][1]));
    const container = (pod: Json) => ((pod.spec as Json).containers as Json[])[0];
    expect(container(app.driverPod).resources).toBeUndefined();
    expect(container(app.executorPod).resources).toBeUndefined();
    const disk = effective(SparkJobMode.SUBMIT, render(SparkJobMode.SUBMIT, KINDS[0][1]));
    expect(container(disk.executorPod).resources).toEqual({ requests: { 'ephemeral-storage': '50Gi' } });
  });

  test('restricted Pod Security: only allowed volume types, and fsGroup makes the claims writable to Spark\'s user', () => {
    const allowed = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
    for (const [, props] of KINDS) {
      const app = effective(SparkJobMode.SUBMIT, render(SparkJobMode.SUBMIT, props));
      for (const pod of [app.driverPod, app.executorPod]) {
        const spec = pod.spec as Json;
        for (const v of spec.volumes as Json[]) expect(allowed).toContain(Object.keys(v).find((k) => k !== 'name'));
        expect(spec.securityContext).toMatchObject({ fsGroup: 185, runAsUser: 185, runAsNonRoot: true });
      }
      for (const dir of ['driver', 'executor'] as const) expect(allowed).toContain(Object.keys(sparkLocalDirs(app, dir)[0].volume).find((k) => k !== 'name'));
    }
  });
});

describe('quota: scratch claims count at synth', () => {
  const claims = { executor: { instances: 4, scratch: { onDemandClaim: { storageClass: 'standard', size: GIB(20) } } } };
  test.each([
    ['claims above persistentVolumeClaims', claims, { persistentVolumeClaims: 3 }, /executor\.scratch\.onDemandClaim: the driver's and 4 executor\(s\)' scratch volumes are 4 PersistentVolumeClaim\(s\) of 80Gi at start, above namespace "spark-jobs"'s quota of 3 claims.*Fix: run fewer executors, use a sized emptyDir, or raise the tenant's quota\.persistentVolumeClaims/],
    ['storage above requests.storage', claims, { storage: GIB(60) }, /executor\.scratch\.onDemandClaim: .*4 PersistentVolumeClaim\(s\) of 80Gi at start, above namespace "spark-jobs"'s quota of 60Gi storage/],
    ['a driver ephemeral claim counts too', { driver: { scratch: { ephemeral: { size: GIB(200) } } } }, { storage: GIB(100) }, /driver\.scratch\.ephemeral: .*1 PersistentVolumeClaim\(s\) of 200Gi/],
  ])('%s', (_what, props, q, error) => {
    expect(() => render(SparkJobMode.SUBMIT, props, q)).toThrow(error);
  });

  test('within the quota it renders; emptyDirs need no claim', () => {
    expect(() => render(SparkJobMode.SUBMIT, claims, { persistentVolumeClaims: 4, storage: GIB(80) })).not.toThrow();
    expect(() => render(SparkJobMode.SUBMIT, KINDS[0][1], { persistentVolumeClaims: 0 })).not.toThrow();
  });
});

/** A namespace's hand-made quota and LimitRange, with a SparkApplication whose executors have `executor` (merged into the fixture's). */
function doctorWith(hard: Record<string, string>, executor: Json, sparkConf: Record<string, string> = {}, limitRange = false) {
  return doctor((c) => {
    quota(c, 'team', hard);
    if (limitRange) new ApiObject(c, 'lr', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'team' }, spec: { limits: [{ type: 'Container', default: { 'ephemeral-storage': '2Gi' } }] } });
    sparkApp(c, 'App', { spec: { sparkConf, executor } });
  });
}

const onDemandConf = (size: string, storageClass = 'standard') => ({
  'spark.kubernetes.executor.volumes.persistentVolumeClaim.spark-local-dir-1.mount.path': '/scratch',
  'spark.kubernetes.executor.volumes.persistentVolumeClaim.spark-local-dir-1.options.claimName': 'OnDemand',
  'spark.kubernetes.executor.volumes.persistentVolumeClaim.spark-local-dir-1.options.storageClass': storageClass,
  'spark.kubernetes.executor.volumes.persistentVolumeClaim.spark-local-dir-1.options.sizeLimit': size,
});
const diskTemplate = (sizeLimit: string) => ({
  template: { spec: { containers: [{ name: 'spark-kubernetes-executor', resources: { requests: { 'ephemeral-storage': sizeLimit } }, volumeMounts: [{ name: 'spark-local-dir-1', mountPath: '/scratch' }] }], volumes: [{ name: 'spark-local-dir-1', emptyDir: { sizeLimit } }] } },
});

describe('the doctor counts scratch in the namespace quota (job-exceeds-quota)', () => {
  test.each([
    ['on-demand claims above persistentvolumeclaims', { persistentvolumeclaims: '1' }, {}, onDemandConf('20Gi'), /persistentvolumeclaims 1 \(scratch claims: needs 2\)/],
    ['their storage above requests.storage', { 'requests.storage': '30Gi' }, {}, onDemandConf('20Gi'), /requests\.storage 30Gi \(scratch claims: needs 40Gi\)/],
    ['per storage class', { 'fast.storageclass.storage.k8s.io/requests.storage': '10Gi' }, {}, onDemandConf('20Gi', 'fast'), /fast\.storageclass\.storage\.k8s\.io\/requests\.storage 10Gi \(needs 40Gi\)/],
    ['disk emptyDirs above requests.ephemeral-storage', { 'requests.ephemeral-storage': '50Gi' }, diskTemplate('40Gi'), {}, /requests\.ephemeral-storage 50Gi \(scratch emptyDirs: needs 80Gi\)/],
  ])('%s', (_what, hard, executor, conf, message) => {
    const f = of(doctorWith(hard, executor, conf), 'job-exceeds-quota');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(message);
  });

  test.each([
    ['claims within the quota', { persistentvolumeclaims: '2', 'requests.storage': '40Gi', 'standard.storageclass.storage.k8s.io/requests.storage': '40Gi' }, {}, onDemandConf('20Gi')],
    ['another class is not charged to fast', { 'fast.storageclass.storage.k8s.io/requests.storage': '1Gi' }, {}, onDemandConf('20Gi', 'standard')],
    ['emptyDirs within requests.ephemeral-storage', { 'requests.ephemeral-storage': '80Gi' }, diskTemplate('40Gi'), {}],
  ])('no finding: %s', (_what, hard, executor, conf) => {
    expect(of(doctorWith(hard, executor, conf), 'job-exceeds-quota')).toEqual([]);
  });
});

describe('unbounded-scratch (doctor rule)', () => {
  const meters = { 'requests.ephemeral-storage': '500Gi' };
  test('fires where the namespace meters ephemeral storage and Spark\'s own emptyDir takes the shuffle', () => {
    for (const report of [doctorWith(meters, {}), doctorWith({ pods: '50' }, {}, {}, true)]) {
      const f = of(report, 'unbounded-scratch');
      expect(f).toHaveLength(1);
      expect(f[0]).toMatchObject({ severity: 'warning', object: 'SparkApplication/team/app' });
      expect(f[0].message).toMatch(/the driver's \(Spark's own emptyDir on the node's disk, without sizeLimit\) and the executors' .*Namespace team meters node disk \((ResourceQuota q|LimitRange lr)\).*Fix: give the job bounded scratch \(SparkJob: driver\.scratch and executor\.scratch/);
    }
  });

  test('an emptyDir without sizeLimit named spark-local-dir-* is unbounded too', () => {
    const executor = { template: { spec: { containers: [{ name: 'spark-kubernetes-executor', volumeMounts: [{ name: 'spark-local-dir-1', mountPath: '/s' }] }], volumes: [{ name: 'spark-local-dir-1', emptyDir: {} }] } } };
    expect(of(doctorWith(meters, executor), 'unbounded-scratch')[0].message).toMatch(/the executors' \(an emptyDir without sizeLimit/);
  });

  test.each([
    ['a namespace that does not meter ephemeral storage', { pods: '50' }, {}, {}],
    ['sized emptyDirs and claims everywhere', meters, diskTemplate('40Gi'), {
      ...onDemandConf('20Gi'),
      'spark.kubernetes.driver.volumes.emptyDir.spark-local-dir-1.mount.path': '/scratch',
      'spark.kubernetes.driver.volumes.emptyDir.spark-local-dir-1.options.sizeLimit': '5Gi',
    }],
    ['tmpfs local dirs (bounded by the memory limit)', meters, {}, { 'spark.kubernetes.local.dirs.tmpfs': 'true' }],
  ])('silent: %s', (_what, hard, executor, conf) => {
    expect(of(doctorWith(hard, executor, conf), 'unbounded-scratch')).toEqual([]);
  });

  test('a SparkJob with scratch on both pods passes in every mode; without it, it is reported', () => {
    for (const mode of MODES) {
      for (const [scratch, findings] of [[true, 0], [false, 1]] as const) {
        const app = new App();
        const chart = new Chart(app, 'c');
        const ns = new SparkNamespace(chart, 'Tenant', { name: 'spark-jobs' });
        quota(chart, 'spark-jobs', meters);
        new SparkJob(chart, 'Job', { ...SPARK_PI_JOB, ...(scratch ? KINDS[2][1] : {}), namespace: ns, operator: operatorForMode(chart, mode, ns), mode });
        expect(of(attachDoctor(app, {}).report(), 'unbounded-scratch')).toHaveLength(findings);
      }
    }
  });
});

describe('bad input names the field and the fix', () => {
  test.each<[string, Props, RegExp]>([
    ['sizeLimit not a quantity (a string)', { executor: { scratch: { emptyDir: { sizeLimit: '10Gi' as unknown as Memory } } } }, /executor\.scratch\.emptyDir\.sizeLimit/],
    ['sizeLimit below 1Mi', { executor: { scratch: { emptyDir: { sizeLimit: Memory.bytes(512) } } } }, /executor\.scratch\.emptyDir\.sizeLimit: 512 is below 1Mi.*Fix: give the scratch a real size/],
    ['an unknown medium', { executor: { scratch: { emptyDir: { medium: 'ssd' as ScratchMedium, sizeLimit: GIB(1) } } } }, /executor\.scratch\.emptyDir\.medium/],
    ['a memory emptyDir bigger than the pod\'s non-heap memory', { executor: { scratch: { emptyDir: { medium: ScratchMedium.MEMORY, sizeLimit: GIB(2) } } } }, /executor\.scratch\.emptyDir\.sizeLimit: 2Gi in memory is more than the executor's non-heap memory \(overhead 384Mi of a 1408Mi container limit\).*OOM-killed.*Fix: raise executor\.memoryOverhead to at least 2432Mi .*or use ScratchMedium\.DISK/],
    ['no kind', { driver: { scratch: {} } }, /driver\.scratch: names no kind of volume.*Fix: set exactly one of emptyDir, ephemeral or onDemandClaim/],
    ['two kinds', { executor: { scratch: { emptyDir: { sizeLimit: GIB(1) }, ephemeral: { size: GIB(1) } } } }, /executor\.scratch: names 2 kinds \(emptyDir, ephemeral\)/],
    ['an empty storage class', { executor: { scratch: { ephemeral: { storageClass: '', size: GIB(10) } } } }, /executor\.scratch\.ephemeral\.storageClass: is empty.*Fix: name a StorageClass/],
    ['a storage class that is no name', { executor: { scratch: { onDemandClaim: { storageClass: 'Fast SSD', size: GIB(10) } } } }, /executor\.scratch\.onDemandClaim\.storageClass: /],
    ['an on-demand claim without storage class (Spark would create none)', { executor: { scratch: { onDemandClaim: { size: GIB(10) } as never } } }, /onDemandClaim/],
    ['OnDemand for the driver (its claim would be made by the submitter or operator, which may not)', { driver: { scratch: { onDemandClaim: { storageClass: 'standard', size: GIB(10) } } } }, /driver\.scratch\.onDemandClaim: is for executors.*Fix: give the driver an ephemeral volume/],
    ['waitToReuse without reuse', { executor: { scratch: { onDemandClaim: { storageClass: 'standard', size: GIB(10), reuse: false } } } }, /executor\.scratch\.onDemandClaim\.waitToReuse: is on while reuse is off/],
    ['an unknown field', { executor: { scratch: { emptyDir: { sizeLimit: GIB(1), sizelimit: GIB(1) } as never } } }, /sizelimit/],
    ['a user mount over the scratch path', { executor: { scratch: { emptyDir: { sizeLimit: GIB(1) } }, volumeMounts: [{ volume: 'v', path: '/var/data' }] }, volumes: [{ name: 'v', emptyDir: {} }] }, /executor\.volumeMounts\[0\]\.path: "\/var\/data" overlaps \/var\/data\/spark-scratch/],
    ['a user volume named spark-local-dir-*', { volumes: [{ name: 'spark-local-dir-x', emptyDir: {} }] }, /volumes\[0\]\.name: "spark-local-dir-x" would become Spark's local dir.*Fix: for scratch space use driver\.scratch \/ executor\.scratch/],
    ['spark.local.dir in sparkConf', { sparkConf: { 'spark.local.dir': '/data' } }, /sparkConf\["spark\.local\.dir"\]: .*contradicts the typed prop \{driver,executor\}\.scratch/],
    ['a spark-local-dir volume in sparkConf', { sparkConf: { 'spark.kubernetes.executor.volumes.emptyDir.spark-local-dir-1.mount.path': '/x' } }, /contradicts the typed prop \{driver,executor\}\.scratch/],
    ['the tmpfs switch in sparkConf', { sparkConf: { 'spark.kubernetes.local.dirs.tmpfs': 'true' } }, /scratch\.emptyDir\.medium/],
    ['the claim reuse keys in sparkConf', { sparkConf: { 'spark.kubernetes.driver.reusePersistentVolumeClaim': 'false' } }, /executor\.scratch\.onDemandClaim\.reuse/],
  ])('%s', (_what, props, error) => {
    expect(() => render(SparkJobMode.SUBMIT, props)).toThrow(error);
  });

  test('the memory check is the pod\'s overhead: an explicit memoryOverhead makes room', () => {
    expect(() => render(SparkJobMode.OPERATOR, { executor: { memoryOverhead: GIB(3), scratch: { emptyDir: { medium: ScratchMedium.MEMORY, sizeLimit: GIB(2) } } } })).not.toThrow();
  });
});

test('the model reads submit mode\'s templates from the ConfigMap, as mounted by the submitter', () => {
  // guards the comparisons above: the executor template in the ConfigMap carries the scratch volume
  const objects = render(SparkJobMode.SUBMIT, KINDS[0][1]);
  const cm = findObject(objects, 'ConfigMap', 'spark-pi-spark-submit', 'spark-jobs');
  const template = parse(cm.data['executor-template.yaml']) as Json;
  expect((template.spec as Json).volumes).toContainEqual({ name: 'spark-local-dir-1', emptyDir: { sizeLimit: '50Gi' } });
});
