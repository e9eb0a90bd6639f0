/**
 * Storage for real, on the real node: the storage layer of e2e-real (dev's: MinIO standalone,
 * the bucket Job, s3a for every job, the History Server on s3a://spark-logs/events) with the
 * Secrets dev expects out of band. A job writes Parquet through s3a with the magic committer and
 * reads it back; its event log lands in the log bucket and the History Server lists it. The
 * bucket contents are read with `mc` (built by setup.sh) from this machine, on the MinIO pod's
 * address on the node's bridge.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { REAL_TENANT, ROUNDTRIP_PATH } from '../environments/e2e-real';
import { E2eEnv, describeReal, getJson, kubectl, kubectlOk, waitFor } from '../lib/kube';
import { applyBaseLayers, jobFinished, layerFile, storeCredentials } from '../lib/real';
import { NODE_NETWORK, cacheDir } from '../node';

const ENV_NAME = 'e2e-real';
const NS = REAL_TENANT;
const STORAGE_NS = 'spark-platform';

/** The mc binary setup.sh built (e2e/images/build-minio.sh). */
function mcBinary(): string {
  const bin = path.join(cacheDir(), 'bin');
  const dir = fs.readdirSync(bin).filter((d) => /^mc-/.test(d) && fs.existsSync(path.join(bin, d, 'mc'))).sort().pop();
  if (!dir) throw new Error(`no mc in ${bin} (run: bash e2e/setup.sh images)`);
  return path.join(bin, dir, 'mc');
}

/** Only the node's own pods: the pod bridge. */
function assertPodAddress(ip: string): void {
  const prefix = NODE_NETWORK.podSubnet.split('.').slice(0, 3).join('.');
  if (!ip.startsWith(`${prefix}.`)) throw new Error(`refusing ${ip}: not an address of the node's pod bridge`);
}

function httpGetJson(ip: string, port: number, urlPath: string): Promise<any> {
  assertPodAddress(ip);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port, path: urlPath, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += String(c); });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`GET ${urlPath}: HTTP ${res.statusCode} ${body.slice(0, 300)}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${urlPath}: timed out`)));
    req.on('error', reject);
  });
}

describeReal('Storage for real: MinIO, s3a with the magic committer, event logs, the History Server', (base) => {
  let env: E2eEnv;
  let mcConfig: string;

  /** mc against the MinIO pod (alias `e2e`), with a private config dir. */
  const mc = (...args: string[]) => {
    const r = spawnSync(mcBinary(), ['--config-dir', mcConfig, '--no-color', ...args], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`mc ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const podIp = async (ns: string, selector: string) => {
    const pods = (await getJson(env.kubeconfig, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
    const ip = pods.find((p: any) => p.status?.phase === 'Running')?.status?.podIP;
    if (!ip) throw new Error(`no running pod ${selector} in ${ns}`);
    return ip as string;
  };

  beforeAll(async () => {
    const dist = process.env.E2E_DIST_E2E;
    if (!dist) throw new Error('E2E_DIST_E2E is not set (npm run e2e synthesizes e2e/environments/)');
    env = { ...base, dist };
    await applyBaseLayers(env, ENV_NAME);
    mcConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-e2e-mc-'));
    const ip = await podIp(STORAGE_NS, 'app.kubernetes.io/name=minio');
    assertPodAddress(ip);
    const { user, password } = await storeCredentials(env);
    mc('alias', 'set', 'e2e', `http://${ip}:9000`, user, password, '--api', 'S3v4', '--path', 'on');
  }, 600_000);

  afterAll(() => {
    if (mcConfig) fs.rmSync(mcConfig, { recursive: true, force: true });
  });

  test('MinIO serves and the bucket Job made the buckets and the event-log prefix', async () => {
    const buckets = mc('ls', 'e2e').split('\n').map((l) => l.trim().split(/\s+/).pop()).filter(Boolean);
    expect(buckets).toEqual(expect.arrayContaining(['spark-data/', 'spark-logs/']));
    expect(mc('cat', 'e2e/spark-logs/events/.keep')).toContain('spark-platform placeholder');
  });

  test('a job writes Parquet through s3a with the magic committer, reads it back, and its event log lands in the log bucket', async () => {
    const t0 = Date.now();
    await kubectlOk(env.kubeconfig, ['apply', '--server-side', '--validate=strict', '-f', layerFile(env, ENV_NAME, 'jobs')!, '-l', 'spark-platform.io/job=s3a-roundtrip']);
    const job = await jobFinished(env, NS, 's3a-roundtrip', 480_000);
    const driver = (await getJson(env.kubeconfig, `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent('spark-platform.io/job=s3a-roundtrip,spark-role=driver')}`)).items[0];
    const log = (await kubectl(env.kubeconfig, ['logs', '-n', NS, driver.metadata.name, '--tail=-1'])).stdout;
    const line = /ROUNDTRIP rows=(\d+) sum=(\d+) committer=(\S+)/.exec(log);
    console.log(`s3a-roundtrip: ${line?.[0] ?? '(no result line)'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!job.status.conditions.some((c: any) => c.type === 'Complete' && c.status === 'True')) {
      throw new Error(`the job failed; driver log tail:\n${log.split('\n').slice(-40).join('\n')}`);
    }
    expect(line?.slice(1)).toEqual(['10000', String(10000 * 9999), 'magic']);

    // the data: Parquet parts and the S3A committers' _SUCCESS manifest (JSON), written by "magic"
    const key = ROUNDTRIP_PATH.replace(/^s3a:\/\//, '');
    const listing = mc('ls', '--recursive', `e2e/${key}/`);
    expect(listing).toMatch(/part-\S+\.parquet/);
    const success = JSON.parse(mc('cat', `e2e/${key}/_SUCCESS`));
    expect(success.committer).toBe('magic');
    expect(success.filenames.length).toBeGreaterThan(0);
    // nothing pending is left under the magic path
    expect(listing).not.toMatch(/__magic/);

    // the event log of this application, in the log bucket
    const appId = /application ID (spark-[0-9a-f]+)|Submitted application (spark-[0-9a-f]+)/.exec(log)?.slice(1).find(Boolean)
      ?? /spark\.app\.id[= ](spark-[0-9a-f]+)/.exec(log)?.[1];
    const events = mc('ls', 'e2e/spark-logs/events/');
    expect(events).toMatch(/spark-[0-9a-f]{32}/);
    if (appId) expect(events).toContain(appId);
  }, 600_000);

  test('the History Server lists the finished application from the log bucket', async () => {
    const ip = await podIp(STORAGE_NS, 'app.kubernetes.io/name=spark-history-server');
    const apps = await waitFor('the History Server to list s3a-roundtrip', async () => {
      const list: any[] = await httpGetJson(ip, 18080, '/api/v1/applications');
      return list.some((a) => a.name === 's3a-roundtrip') ? list : undefined;
    }, 180_000, 3000);
    const app = apps.find((a) => a.name === 's3a-roundtrip');
    console.log(`History Server: ${apps.length} applications: ${apps.map((a) => a.name).join(', ')}`);
    expect(app.attempts[0].completed).toBe(true);
  }, 300_000);
});
