/**
 * Every renderer gives each Spark container a writable place for every path its process writes
 * to, for the official 3.5/4.0/4.1 images, the unified notebook image and a custom image with
 * another layout. The expected paths are written out here from what Spark and the images do
 * (not computed by writable-paths.ts), and checked against the rendered objects: a path is
 * covered when a writable volume (emptyDir, PVC) is mounted at it or above it.
 */
import { parse } from 'yaml';
import {
  SparkConnectServer, SparkHistoryServer, SparkImage, SparkJob, SparkJobMode, SparkJobType, SparkNamespace, SparkNotebook,
  SparkNotebookImage, ObjectStoreConnection, S3ObjectStore, NetworkEndpoint,
} from '../constructs';
import { SparkProcess, sparkWriteSites, writableVolumes } from '../constructs/writable-paths';
import { Obj, findObject, synth, testChart } from './helpers/manifests';

type Json = Record<string, any>;

/** The images of the table, with the layout facts the test expects (from their Dockerfiles). */
const IMAGES: Array<{ name: string; image: () => SparkImage; workdir: string; ivyDefault: string }> = [
  { name: 'official 3.5', image: () => SparkImage.official('3.5'), workdir: '/opt/spark/work-dir', ivyDefault: '/nonexistent/.ivy2' },
  { name: 'official 4.0', image: () => SparkImage.official('4.0'), workdir: '/opt/spark/work-dir', ivyDefault: '/nonexistent/.ivy2.5.2' },
  { name: 'official 4.1', image: () => SparkImage.official('4.1'), workdir: '/opt/spark/work-dir', ivyDefault: '/nonexistent/.ivy2.5.2' },
  {
    name: 'unified notebook 4.0',
    image: () => SparkNotebookImage.unified({ image: 'registry.example.com/spark-notebook:4.0.3-jupyterlab4.6.6' }).notebook,
    workdir: '/home/spark', ivyDefault: '/nonexistent/.ivy2.5.2',
  },
  {
    name: 'custom (workdir /srv/app)',
    image: () => SparkImage.custom({ image: 'registry.example.com/team/spark:4.0.3-app1', sparkVersion: '4.0.3', pythonVersion: '3.10', workingDirectory: '/srv/app', homeDirectory: '/home/app', uid: 1001 }),
    workdir: '/srv/app', ivyDefault: '/home/app/.ivy2.5.2',
  },
];

const IVY = '/tmp/.ivy2';

/** Whether a writable volume of `pod` is mounted in `container` at `path` or above it. */
function covered(pod: Json, container: Json, path: string): boolean {
  const readOnlyKinds = ['configMap', 'secret', 'downwardAPI', 'projected'];
  const volumes = new Map<string, Json>((pod.volumes ?? []).map((v: Json) => [v.name, v]));
  const claims = new Set<string>(pod.__claims ?? []);
  return (container.volumeMounts ?? []).some((m: Json) => {
    if (m.readOnly) return false;
    const v = volumes.get(m.name);
    if (v ? readOnlyKinds.some((k) => k in v) : !claims.has(m.name)) return false;
    return path === m.mountPath || path.startsWith(`${m.mountPath}/`);
  });
}

function expectCovered(pod: Json, container: Json, paths: string[], where: string): void {
  const missing = paths.filter((p) => !covered(pod, container, p));
  expect({ where, missing }).toEqual({ where, missing: [] });
}

function tenant(chart: ReturnType<typeof testChart>): SparkNamespace {
  return new SparkNamespace(chart, 'T', { name: 'spark-jobs', packageRepository: NetworkEndpoint.cidrs(['0.0.0.0/0'], [{ port: 443 }]) });
}

const store = S3ObjectStore.external({
  endpoint: 'http://minio.spark-platform.svc.cluster.local:9000',
  buckets: ['spark-data', 'spark-logs'],
  networkEndpoint: NetworkEndpoint.pods({ namespace: 'spark-platform', labels: { app: 'minio' }, ports: [{ port: 9000 }] }),
});

describe.each(IMAGES)('$name', ({ image, workdir }) => {
  test.each([SparkJobMode.OPERATOR, SparkJobMode.SUBMIT])('SparkJob in %s mode: driver, executors (and the submitter)', (mode) => {
    const chart = testChart();
    const img = image();
    new SparkJob(chart, 'Job', {
      namespace: tenant(chart), mode, name: 'job', type: SparkJobType.PYTHON, image: img,
      mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
      deps: { packages: ['org.apache.spark:spark-avro_2.13:4.0.3'] },
    });
    const objects = synth(chart);
    let templates: { driver: Json; executor: Json };
    if (mode === SparkJobMode.OPERATOR) {
      const app = findObject(objects, 'SparkApplication', 'job', 'spark-jobs');
      expect(app.spec.sparkConf['spark.jars.ivy']).toBe(IVY);
      templates = { driver: app.spec.driver.template.spec, executor: app.spec.executor.template.spec };
    } else {
      const files = findObject(objects, 'ConfigMap', 'job-spark-submit', 'spark-jobs').data;
      templates = { driver: parse(files['driver-template.yaml']).spec, executor: parse(files['executor-template.yaml']).spec };
      const job = findObject(objects, 'Job', 'job', 'spark-jobs');
      const pod = job.spec.template.spec;
      const submitter = pod.containers[0];
      expect(submitter.args).toContain(`spark.jars.ivy=${IVY}`);
      expectCovered(pod, submitter, ['/tmp', IVY], 'submitter');
    }
    // Driver: spark-submit downloads jars and --packages into the working directory; Ivy; /tmp.
    expectCovered(templates.driver, templates.driver.containers[0], ['/tmp', workdir, IVY], 'driver');
    // Executors: fetch added jars and files into their working directory; /tmp.
    expectCovered(templates.executor, templates.executor.containers[0], ['/tmp', workdir], 'executor');
    expect(templates.driver.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('client mode: the notebook (or Connect server) driver and its executors', () => {
    const chart = testChart();
    const img = image();
    const ns = tenant(chart);
    let driverPod: Json;
    let driverContainer: Json;
    let objects: Obj[];
    if (img.pythonVersion) {
      const nbImage = SparkNotebookImage.custom({ notebook: img, executor: img, homeDirectory: '/home/nb', command: () => ['jupyter', 'lab'] });
      const nb = new SparkNotebook(chart, 'Nb', { name: 'lab', namespace: ns, image: nbImage });
      new ObjectStoreConnection({ store }).connect(nb);
      objects = synth(chart);
      const sts = findObject(objects, 'StatefulSet', 'lab', 'spark-jobs');
      driverPod = { ...sts.spec.template.spec, __claims: sts.spec.volumeClaimTemplates.map((c: Json) => c.metadata.name) };
      driverContainer = driverPod.containers[0];
      // The kernel starts in the notebook root, on the home volume; Ivy and /tmp on emptyDirs.
      expectCovered(driverPod, driverContainer, ['/tmp', '/home/nb', IVY], 'notebook driver');
    }
    const chart2 = testChart();
    const server = new SparkConnectServer(chart2, 'Connect', { name: 'connect', namespace: tenant(chart2), image: img });
    new ObjectStoreConnection({ store }).connect(server);
    const connectObjects = synth(chart2);
    const sts = findObject(connectObjects, 'StatefulSet', 'connect', 'spark-jobs');
    // The server's warehouse defaults below its working directory; it resolves packages (3.5).
    expectCovered(sts.spec.template.spec, sts.spec.template.spec.containers[0], ['/tmp', workdir, IVY], 'connect driver');
    const conf = findObject(connectObjects, 'ConfigMap', 'connect-spark-conf', 'spark-jobs').data;
    expect(conf['spark-defaults.conf']).toContain(`spark.jars.ivy ${IVY}\n`);
    const template = parse(conf['executor-pod-template.yaml']).spec;
    expectCovered(template, template.containers[0], ['/tmp', workdir], 'client-mode executors');
  });

  test('History Server', () => {
    const chart = testChart();
    const img = image();
    new SparkHistoryServer(chart, 'H', { connection: new ObjectStoreConnection({ store }), logDirectory: 's3a://spark-logs/events', image: img });
    const d = findObject(synth(chart), 'Deployment', 'spark-history', 'spark-platform');
    const pod = d.spec.template.spec;
    expectCovered(pod, pod.containers[0], ['/tmp'], 'history server');
  });
});

describe('the derivation', () => {
  test('the default Ivy home follows user.home and the Spark line', () => {
    for (const { image, ivyDefault } of IMAGES) {
      const sites = sparkWriteSites(SparkProcess.CLIENT_DRIVER, image(), {});
      expect(sites.find((s) => s.kind === 'ivy')?.path).toBe(ivyDefault);
    }
  });

  test('conf adds paths: spark.local.dir (client driver), a local warehouse, a history store', () => {
    const img = SparkImage.official();
    const paths = (p: SparkProcess, conf: Record<string, string>) => sparkWriteSites(p, img, conf).map((s) => s.path);
    expect(paths(SparkProcess.CLIENT_DRIVER, { 'spark.local.dir': '/scratch/a, /scratch/b', 'spark.sql.warehouse.dir': 'file:///data/wh', 'spark.jars.ivy': IVY }))
      .toEqual(['/tmp', '/opt/spark/work-dir', IVY, '/scratch/a', '/scratch/b', '/data/wh']);
    // Spark mounts its own local dirs in the pods it creates; a remote warehouse is not a path.
    expect(paths(SparkProcess.EXECUTOR, { 'spark.local.dir': '/scratch/a', 'spark.sql.warehouse.dir': 's3a://b/wh' })).toEqual(['/tmp', '/opt/spark/work-dir']);
    expect(paths(SparkProcess.HISTORY_SERVER, { 'spark.history.store.path': '/var/history' })).toEqual(['/tmp', '/var/history']);
  });

  test('one emptyDir per outermost uncovered path, /tmp first, named by kind', () => {
    const sites = sparkWriteSites(SparkProcess.CLIENT_DRIVER, SparkImage.official(), { 'spark.jars.ivy': IVY, 'spark.local.dir': '/opt/spark/work-dir/local' });
    expect(writableVolumes(sites)).toEqual({
      volumes: [{ name: 'spark-platform-tmp', emptyDir: {} }, { name: 'spark-platform-workdir', emptyDir: {} }],
      mounts: [{ name: 'spark-platform-tmp', mountPath: '/tmp' }, { name: 'spark-platform-workdir', mountPath: '/opt/spark/work-dir' }],
    });
    // A writable mount above a site covers it; a read-only one does not.
    expect(writableVolumes(sites, [{ mountPath: '/opt' }]).mounts.map((m) => m.mountPath)).toEqual(['/tmp']);
    expect(writableVolumes(sites, [{ mountPath: '/opt', readOnly: true }]).mounts.map((m) => m.mountPath)).toEqual(['/tmp', '/opt/spark/work-dir']);
  });
});
