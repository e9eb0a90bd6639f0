import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Memory, Cpu } from '../../constructs/units';
import { MINIO } from '../../constructs/versions';
import { SecretSource } from '../../constructs/storage/credentials';
import { MinIO, MinIOMode, MinIOProps } from '../../constructs/storage/minio';
import { SparkHistoryServer } from '../../constructs/storage/history-server';
import { ObjectStoreConnection } from '../../constructs/storage/s3a';
import { ManifestValidator, formatIssues } from '../../constructs/validation';
import { Obj, expectValidManifests, findObject, ofKind, synth, testChart } from '../helpers/manifests';
import { NetworkPolicyEvaluator } from '../helpers/netpol';

/** Looks like kubeseal output: base64, well over 40 characters. Not a real ciphertext. */
const SEALED = (n: number) => `AgB${'Qm9ndXNDaXBoZXJ0ZXh0Rm9yVGVzdHM'.repeat(3)}${n}==`;
const SEALED_ROOT = { rootUser: SEALED(1), rootPassword: SEALED(2) };
/** A password a careless construct could leak; the tests check it never appears. */
const PLAIN_PASSWORD = 'minio123-plaintext';

function build(props: Partial<MinIOProps> = {}): { minio: MinIO; objects: Obj[] } {
  const chart = testChart();
  const minio = new MinIO(chart, 'MinIO', { rootCredentials: SecretSource.existing('minio-root'), ...props });
  return { minio, objects: synth(chart) };
}

const server = (objects: Obj[], name = 'minio', ns = 'spark-platform') => findObject(objects, 'StatefulSet', name, ns);
const container = (objects: Obj[]) => server(objects).spec.template.spec.containers[0];
const env = (c: any, name: string) => c.env.find((e: any) => e.name === name);

describe('MinIO standalone (default)', () => {
  test('every object valid; StatefulSet, Services, namespace; snapshot (dev-like)', () => {
    const { minio, objects } = build({ buckets: ['spark-events', 'spark-data'] });
    expectValidManifests(objects);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      `Job/${minio.bucketJobName}`, 'Namespace/spark-platform', 'NetworkPolicy/default-deny-all', 'NetworkPolicy/minio-buckets', 'NetworkPolicy/minio-egress', 'NetworkPolicy/minio-ingress',
      'Service/minio', 'Service/minio-hl', 'StatefulSet/minio',
    ]);
    const sts = server(objects);
    expect(sts.spec).toMatchObject({ serviceName: 'minio-hl', replicas: 1, podManagementPolicy: 'Parallel' });
    expect(sts.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/instance': 'minio' });
    expect(sts.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/instance': 'minio', 'app.kubernetes.io/managed-by': 'spark-platform' });
    expect(sts.spec.volumeClaimTemplates).toEqual([
      { metadata: { name: 'data-0' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } } },
    ]);
    const c = container(objects);
    expect(c.image).toBe(MINIO.image);
    expect(c.args).toEqual(['server', '/data', '--console-address', ':9001']);
    expect(c.ports).toEqual([{ name: 'api', containerPort: 9000 }, { name: 'console', containerPort: 9001 }]);
    expect(c.volumeMounts).toEqual([{ name: 'data-0', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } });
    expect(env(c, 'MINIO_PROMETHEUS_AUTH_TYPE')).toEqual({ name: 'MINIO_PROMETHEUS_AUTH_TYPE', value: 'public' });
    expect(env(c, 'HOME')).toEqual({ name: 'HOME', value: '/tmp' });
    expect(env(c, 'MINIO_SITE_REGION')).toEqual({ name: 'MINIO_SITE_REGION', value: 'us-east-1' });
    expect(findObject(objects, 'Namespace', 'spark-platform').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.28',
    });
    expect(ofKind(objects, 'PodDisruptionBudget')).toHaveLength(0);
    expect(objects).toMatchSnapshot();
  });

  test('IObjectStore: endpoint, region, path-style, plain http, network endpoint of the server pods', () => {
    const { minio } = build({ name: 'store', namespace: 'data', buckets: ['lake'], region: 'eu-west-1' });
    expect(minio.endpoint).toBe('http://store.data.svc.cluster.local:9000');
    expect(minio.region).toBe('eu-west-1');
    expect(minio.pathStyleAccess).toBe(true);
    expect(minio.ssl).toBe(false);
    expect(minio.buckets).toEqual(['lake']);
    expect(minio.networkEndpoint?.namespace).toBe('data');
    expect(minio.networkEndpoint?.toPeers()).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/instance': 'store' } },
    }]);
    expect(minio.networkEndpoint?.ports).toEqual([{ port: 9000 }]);
  });

  test('services: client on 9000/9001, headless on 9000, both selecting the server pods', () => {
    const { objects } = build();
    const selector = { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/instance': 'minio' };
    const client = findObject(objects, 'Service', 'minio');
    expect(client.spec.selector).toEqual(selector);
    expect(client.spec.ports).toEqual([{ name: 'api', port: 9000, targetPort: 'api' }, { name: 'console', port: 9001, targetPort: 'console' }]);
    const hl = findObject(objects, 'Service', 'minio-hl');
    expect(hl.spec).toEqual({ clusterIP: 'None', publishNotReadyAddresses: true, selector, ports: [{ name: 'api', port: 9000, targetPort: 'api' }] });
  });

  test('createNamespace: false emits no Namespace', () => {
    expect(ofKind(build({ createNamespace: false }).objects, 'Namespace')).toHaveLength(0);
  });

  test('storage, storage class and resources are overridable; several drives use /data{0...M-1}', () => {
    const { objects } = build({
      storage: Memory.gibibytes(100), storageClassName: 'fast-ssd', drivesPerNode: 4,
      resources: { cpu: Cpu.cores(1), memory: Memory.gibibytes(4) },
    });
    expectValidManifests(objects);
    const sts = server(objects);
    expect(sts.spec.volumeClaimTemplates.map((v: any) => [v.metadata.name, v.spec.storageClassName, v.spec.resources.requests.storage])).toEqual([
      ['data-0', 'fast-ssd', '100Gi'], ['data-1', 'fast-ssd', '100Gi'], ['data-2', 'fast-ssd', '100Gi'], ['data-3', 'fast-ssd', '100Gi'],
    ]);
    const c = container(objects);
    expect(c.args).toEqual(['server', '/data{0...3}', '--console-address', ':9001']);
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/data0', '/data1', '/data2', '/data3', '/tmp']);
    expect(c.resources).toEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '4Gi' } });
  });
});

describe('MinIO distributed', () => {
  const distributed = (props: Partial<MinIOProps> = {}) => build({ mode: MinIOMode.DISTRIBUTED, replicas: 4, drivesPerNode: 2, ...props });

  test('4 servers x 2 drives: three-dot expansion, Parallel, PDB, headless Service publishes not-ready addresses', () => {
    const { minio, objects } = distributed();
    expectValidManifests(objects);
    expect(minio.replicas).toBe(4);
    const sts = server(objects);
    expect(sts.spec.replicas).toBe(4);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.volumeClaimTemplates.map((v: any) => v.metadata.name)).toEqual(['data-0', 'data-1']);
    expect(container(objects).args).toEqual([
      'server', 'http://minio-{0...3}.minio-hl.spark-platform.svc.cluster.local/data{0...1}', '--console-address', ':9001',
    ]);
    expect(container(objects).volumeMounts.map((m: any) => m.mountPath)).toEqual(['/data0', '/data1', '/tmp']);
    expect(container(objects).resources.limits.memory).toBe('2Gi');
    const pdb = findObject(objects, 'PodDisruptionBudget', 'minio', 'spark-platform');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/instance': 'minio' } } });
    expect(findObject(objects, 'Service', 'minio-hl').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(sts.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
  });

  test('one drive per server: /data without expansion; default 4 replicas', () => {
    const { objects } = build({ mode: MinIOMode.DISTRIBUTED, name: 'lake', namespace: 'storage' });
    expect(server(objects, 'lake', 'storage').spec.template.spec.containers[0].args[1]).toBe('http://lake-{0...3}.lake-hl.storage.svc.cluster.local/data');
  });

  test('snapshot (prod-like: external secret, storage class, buckets)', () => {
    const chart = testChart();
    new MinIO(chart, 'MinIO', {
      name: 'lake',
      namespace: 'storage',
      mode: MinIOMode.DISTRIBUTED,
      replicas: 4,
      drivesPerNode: 2,
      storage: Memory.gibibytes(500),
      storageClassName: 'local-xfs',
      resources: { cpu: Cpu.cores(2), memory: Memory.gibibytes(8) },
      rootCredentials: SecretSource.externalSecret('lake-root', {
        secretStore: { name: 'vault', kind: 'ClusterSecretStore' },
        data: { rootUser: { key: 'storage/lake', property: 'user' }, rootPassword: { key: 'storage/lake', property: 'password' } },
      }),
      buckets: ['spark-events', 'spark-warehouse', 'raw'],
      region: 'eu-central-1',
    });
    const objects = synth(chart);
    expectValidManifests(objects);
    expect(objects).toMatchSnapshot();
  });
});

describe('security', () => {
  test('server and bucket Job pods run restricted, read-only root, /tmp emptyDir', () => {
    const { minio, objects } = build({ buckets: ['spark-events'] });
    const job = findObject(objects, 'Job', minio.bucketJobName!);
    for (const pod of [server(objects).spec.template.spec, job.spec.template.spec]) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: MINIO.uid, runAsGroup: MINIO.uid, fsGroup: MINIO.uid, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers[0].securityContext).toEqual({
        allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.enableServiceLinks).toBe(false);
      expect(pod.automountServiceAccountToken).toBe(false);
    }
    expect(server(objects).spec.template.spec.securityContext.fsGroupChangePolicy).toBe('OnRootMismatch');
  });

  test('probes: live and ready health endpoints on the API port', () => {
    const c = container(build().objects);
    expect(c.livenessProbe).toEqual({
      httpGet: { path: '/minio/health/live', port: 9000, scheme: 'HTTP' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6,
    });
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/minio/health/ready', port: 9000, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3,
    });
  });

  test('credentials come from the Secret: secretKeyRef only, no Secret object, no literal credential anywhere', () => {
    const { objects } = build({ rootCredentials: SecretSource.existing('minio-root'), buckets: ['spark-events'] });
    const ref = (key: string) => ({ secretKeyRef: { name: 'minio-root', key } });
    const c = container(objects);
    expect(env(c, 'MINIO_ROOT_USER')).toEqual({ name: 'MINIO_ROOT_USER', valueFrom: ref('rootUser') });
    expect(env(c, 'MINIO_ROOT_PASSWORD')).toEqual({ name: 'MINIO_ROOT_PASSWORD', valueFrom: ref('rootPassword') });
    const job = ofKind(objects, 'Job')[0].spec.template.spec.containers[0];
    expect(env(job, 'MINIO_ROOT_USER')).toEqual({ name: 'MINIO_ROOT_USER', valueFrom: ref('rootUser') });
    expect(env(job, 'MINIO_ROOT_PASSWORD')).toEqual({ name: 'MINIO_ROOT_PASSWORD', valueFrom: ref('rootPassword') });
    expect(ofKind(objects, 'Secret')).toHaveLength(0);
    const all = JSON.stringify(objects);
    expect(all).not.toContain(PLAIN_PASSWORD);
    expect(all).not.toMatch(/MINIO_ROOT_PASSWORD=/);
    expect(all).not.toMatch(/MINIO_ROOT_(USER|PASSWORD)","value"/);
  });

  test('a plaintext value passed as sealed data is refused without being echoed', () => {
    let message = '';
    try {
      SecretSource.sealedSecret('minio-root', { rootUser: 'admin', rootPassword: PLAIN_PASSWORD });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^SecretSource\.sealedSecret encryptedData\.rootUser: does not look like Sealed Secrets ciphertext.*Fix: seal it: .*kubeseal --raw --namespace <namespace> --name minio-root/);
    expect(message).not.toContain(PLAIN_PASSWORD);
    expect(message).not.toContain('admin');
  });
});

describe('bucket Job', () => {
  const job = (buckets: string[], props: Partial<MinIOProps> = {}) => {
    const { minio, objects } = build({ buckets, ...props });
    return { minio, job: findObject(objects, 'Job', minio.bucketJobName!, 'spark-platform'), objects };
  };

  test('waits for MinIO (bounded) then creates each bucket idempotently; no TTL', () => {
    const { job: j } = job(['spark-events', 'warehouse']);
    expect(j.metadata.name).toMatch(/^minio-buckets-[0-9a-f]{8}$/);
    expect(j.spec.backoffLimit).toBe(6);
    expect(j.spec.ttlSecondsAfterFinished).toBeUndefined();
    const pod = j.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const c = pod.containers[0];
    expect(c.image).toBe(MINIO.clientImage);
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const script: string = c.command[2];
    expect(script).toMatch(/until mc admin info minio >\/dev\/null 2>&1; do/);
    expect(script).toMatch(/if \[ "\$tries" -ge 60 \]; then/);
    expect(script).toMatch(/sleep 5/);
    expect(script.split('\n').filter((l) => l.startsWith('mc mb'))).toEqual([
      'mc mb --ignore-existing minio/spark-events',
      'mc mb --ignore-existing minio/warehouse',
    ]);
    expect(c.env).toEqual([
      { name: 'MC_CONFIG_DIR', value: '/tmp/.mc' },
      { name: 'MINIO_ROOT_USER', valueFrom: { secretKeyRef: { name: 'minio-root', key: 'rootUser' } } },
      { name: 'MINIO_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'minio-root', key: 'rootPassword' } } },
    ]);
    // The credentials reach mc verbatim (no URL form a password with @ / : # ? % would break).
    expect(script.split('\n')[1]).toBe(`mc alias set minio 'http://minio.spark-platform.svc.cluster.local:9000' "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" --api S3v4 --path on >/dev/null`);
  });

  const haveSh = spawnSync('/bin/sh', ['-c', 'true']).status === 0;
  if (!haveSh) console.warn('skipped: /bin/sh not found; the bucket script test needs it');
  (haveSh ? test : test.skip)('the script, run for real against a fake mc: a password with URL characters arrives verbatim', () => {
    const { job: j } = job(['spark-events', 'spark-logs'], { prefixes: ['spark-logs/events'] });
    const c = j.spec.template.spec.containers[0];
    const dir = mkdtempSync(path.join(tmpdir(), 'mc-'));
    try {
      // A fake mc: records each call's arguments, one per line, and succeeds.
      const log = path.join(dir, 'calls');
      writeFileSync(path.join(dir, 'mc'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> '${log}'\necho --- >> '${log}'\ncat >/dev/null 2>&1 </dev/null\n`);
      chmodSync(path.join(dir, 'mc'), 0o755);
      const password = `p@ss/w:rd#?%&'"$(id)\\`;
      const r = spawnSync(c.command[0], c.command.slice(1), {
        env: { PATH: `${dir}:/usr/bin:/bin`, MINIO_ROOT_USER: 'root:user@x', MINIO_ROOT_PASSWORD: password },
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const calls = readFileSync(log, 'utf8').split('---\n').filter((x) => x.length > 0).map((x) => x.replace(/\n$/, '').split('\n'));
      expect(calls[0]).toEqual(['alias', 'set', 'minio', 'http://minio.spark-platform.svc.cluster.local:9000', 'root:user@x', password, '--api', 'S3v4', '--path', 'on']);
      expect(calls[1]).toEqual(['admin', 'info', 'minio']);
      expect(calls).toContainEqual(['mb', '--ignore-existing', 'minio/spark-events']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('its pods are not selected by the Services', () => {
    const { job: j, objects } = job(['spark-events']);
    const labels = j.spec.template.metadata.labels;
    for (const svc of ofKind(objects, 'Service')) {
      const selected = Object.entries(svc.spec.selector as Record<string, string>).every(([k, v]) => labels[k] === v);
      expect(selected).toBe(false);
    }
  });

  test('the name changes when the buckets or the image change, not when the order does', () => {
    const base = job(['a-bucket', 'b-bucket']).minio.bucketJobName;
    expect(job(['b-bucket', 'a-bucket']).minio.bucketJobName).toBe(base);
    expect(job(['a-bucket', 'b-bucket', 'c-bucket']).minio.bucketJobName).not.toBe(base);
    expect(job(['a-bucket', 'b-bucket'], { clientImage: 'quay.io/minio/mc:RELEASE.2025-07-01T00-00-00Z' }).minio.bucketJobName).not.toBe(base);
  });

  test('no buckets, no Job', () => {
    const { minio, objects } = build();
    expect(minio.bucketJobName).toBeUndefined();
    expect(ofKind(objects, 'Job')).toHaveLength(0);
  });
});

describe('SecretSource', () => {
  test('sealedSecret emits a SealedSecret for the Secret, in the MinIO namespace', () => {
    const { objects } = build({ rootCredentials: SecretSource.sealedSecret('minio-root', SEALED_ROOT) });
    expectValidManifests(objects);
    const sealed = findObject(objects, 'SealedSecret', 'minio-root', 'spark-platform');
    expect(sealed.apiVersion).toBe('bitnami.com/v1alpha1');
    expect(sealed.spec.encryptedData).toEqual(SEALED_ROOT);
    expect(sealed.spec.template.metadata).toMatchObject({ name: 'minio-root', namespace: 'spark-platform' });
    expect(ofKind(objects, 'Secret')).toHaveLength(0);
  });

  test('externalSecret emits an ExternalSecret owning the Secret (refresh 1h by default)', () => {
    const { objects } = build({
      rootCredentials: SecretSource.externalSecret('minio-root', {
        secretStore: { name: 'aws', kind: 'SecretStore' },
        data: { rootUser: { key: 'minio/root', property: 'user' }, rootPassword: { key: 'minio/root-password' } },
      }),
    });
    expectValidManifests(objects);
    const es = findObject(objects, 'ExternalSecret', 'minio-root', 'spark-platform');
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { name: 'aws', kind: 'SecretStore' },
      target: { name: 'minio-root', creationPolicy: 'Owner' },
      data: [
        { secretKey: 'rootUser', remoteRef: { key: 'minio/root', property: 'user' } },
        { secretKey: 'rootPassword', remoteRef: { key: 'minio/root-password' } },
      ],
    });
  });

  test('the validator checks the SealedSecret and ExternalSecret fields', () => {
    const validator = new ManifestValidator();
    const sealed = { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 's', namespace: 'n' }, spec: { encryptedData: { a: 1 }, templat: {} } };
    expect(formatIssues(validator.validate(sealed))).toMatch(/\/spec\/encryptedData\/a[\s\S]*\/spec\/templat|\/spec\/templat[\s\S]*\/spec\/encryptedData\/a/);
    const external = { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace: 'n' }, spec: { target: { creationPolicy: 'Own' }, data: [{ secretKey: 'k' }] } };
    const issues = formatIssues(validator.validate(external));
    expect(issues).toMatch(/\/spec\/target\/creationPolicy/);
    expect(issues).toMatch(/remoteRef/);
  });

  test('existing emits nothing', () => {
    const { objects } = build({ rootCredentials: SecretSource.existing('minio-root') });
    expect(objects.filter((o) => ['SealedSecret', 'ExternalSecret', 'Secret'].includes(o.kind))).toHaveLength(0);
  });
});

describe('errors name the prop and the fix', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['distributed with 3 servers', () => build({ mode: MinIOMode.DISTRIBUTED, replicas: 3 }),
      /MinIO replicas: is 3, but distributed MinIO needs at least 4 servers\. Fix: set replicas to 4 or more/],
    ['standalone with 2 servers', () => build({ replicas: 2 }),
      /MinIO replicas: is 2, but a standalone MinIO is one server\. Fix: leave replicas at 1, or set mode: MinIOMode\.DISTRIBUTED/],
    ['drives that do not split into erasure sets', () => build({ mode: MinIOMode.DISTRIBUTED, replicas: 17 }),
      /MinIO drivesPerNode: 17 servers x 1 drives = 17 drives, which MinIO cannot split into erasure sets of 2 to 16 drives\. Fix: choose replicas and drivesPerNode/],
    ['a bucket name with capitals and _', () => build({ buckets: ['spark-events', 'Spark_Data'] }),
      /MinIO buckets\[1\]: "Spark_Data" is not a valid bucket name.*Fix: use a name such as "spark-data"/],
    ['a too short bucket name', () => build({ buckets: ['ab'] }),
      /MinIO buckets\[0\]: "ab" is 2 characters; a bucket name has 3 to 63\. Fix: use a name such as/],
    ['a bucket name shaped as an IP address', () => build({ buckets: ['192.168.1.1'] }),
      /MinIO buckets\[0\]: "192\.168\.1\.1" is formatted as an IP address\. Fix:/],
    ['a duplicate bucket', () => build({ buckets: ['spark-events', 'raw', 'spark-events'] }),
      /MinIO buckets\[2\]: "spark-events" is listed twice\. Fix: list each bucket once/],
    ['an unpinned server image', () => build({ image: 'quay.io/minio/minio' }),
      /MinIO image: "quay\.io\/minio\/minio" has no tag, so it means :latest.*Fix: pin an explicit version tag/],
    ['a latest client image', () => build({ clientImage: MINIO.clientImage.replace(/:[^:]+$/, ':latest') }),
      exactly(`MinIO clientImage: "${MINIO.clientImage.replace(/:[^:]+$/, ':latest')}" uses the mutable tag latest. Fix: pin an explicit version tag`)],
    ['no root credentials', () => build({ rootCredentials: undefined as never }),
      /MinIO rootCredentials: is required \(The Secret holding the root credentials.*\)\. Fix: set rootCredentials with SecretSource\.existing\(\.\.\.\) or SecretSource\.sealedSecret\(\.\.\.\) or SecretSource\.externalSecret\(\.\.\.\)/],
    ['a sealed secret missing rootPassword', () => build({ rootCredentials: SecretSource.sealedSecret('minio-root', { rootUser: SEALED(1) }) }),
      /MinIO rootCredentials\.encryptedData\.rootPassword: is missing: Secret "minio-root" must have the keys rootUser, rootPassword\. Fix: seal the value with kubeseal \(--namespace spark-platform --name minio-root\) and add it as encryptedData\.rootPassword/],
    ['an external secret missing rootUser', () => build({ rootCredentials: SecretSource.externalSecret('minio-root', { secretStore: { name: 'v', kind: 'ClusterSecretStore' }, data: { rootPassword: { key: 'k' } } }) }),
      /MinIO rootCredentials\.data\.rootUser: is missing: .*Fix: add data\.rootUser: \{ key: "<remote key>"/],
    ['a plaintext-looking sealed value', () => SecretSource.sealedSecret('minio-root', { rootUser: SEALED(1), rootPassword: 'changeme' }),
      /SecretSource\.sealedSecret encryptedData\.rootPassword: does not look like Sealed Secrets ciphertext \(base64, at least 40 characters\).*Fix: seal it/],
    ['a bad refresh interval', () => SecretSource.externalSecret('x', { secretStore: { name: 'v', kind: 'SecretStore' }, data: { a: { key: 'k' } }, refreshInterval: 'hourly' }),
      /SecretSource\.externalSecret refreshInterval: "hourly" is not a duration\. Fix: write a Go duration/],
    ['a name too long for the Job', () => build({ name: 'm'.repeat(47) }),
      /MinIO name: "m+" is 47 characters; at most 46 .*Fix: use a shorter name/],
    ['a bad region', () => build({ region: 'EU West' }),
      /MinIO region: "EU West" is not a region name\. Fix:/],
  ])('%s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});

describe('MinIO prefixes', () => {
  test('the bucket Job writes a placeholder per prefix, so "directories" such as the event log exist', () => {
    const { objects, minio } = build({ buckets: ['spark-logs'], prefixes: ['spark-logs/events'] });
    const script: string = findObject(objects, 'Job', minio.bucketJobName!).spec.template.spec.containers[0].command[2];
    expect(script).toContain('mc pipe minio/spark-logs/events/.keep');
  });

  test('fails on a prefix outside the buckets', () => {
    expect(() => build({ buckets: ['data'], prefixes: ['spark-logs/events'] })).toThrow(/prefixes\[0\]: bucket "spark-logs" is not in buckets\. Fix: add the bucket to buckets/);
  });
});

/** A RegExp matching `text` literally (the mutable tag is derived, never written out). */
function exactly(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
}

describe('who reaches MinIO: a NetworkPolicy on its pods', () => {
  const namespaces = { 'spark-jobs': { 'spark-platform.io/tenant': 'spark-jobs' }, 'default': {}, 'backup': { team: 'backup' } };
  const store = { namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/instance': 'minio' } };
  const executor = { namespace: 'spark-jobs', labels: { 'spark-role': 'executor' } };
  const history = { namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'spark-history-server', 'app.kubernetes.io/instance': 'spark-history' } };
  const stranger = { namespace: 'default', labels: { 'spark-role': 'executor' } };
  const backup = { namespace: 'backup', labels: { app: 'restic' } };

  // MinIO with the History Server connected to it, as an environment builds them.
  function withHistoryServer(props: Partial<MinIOProps> = {}): Obj[] {
    const chart = testChart();
    const minio = new MinIO(chart, 'MinIO', { rootCredentials: SecretSource.existing('minio-root'), buckets: ['spark-logs'], ...props });
    new SparkHistoryServer(chart, 'History', { connection: new ObjectStoreConnection({ store: minio }), logDirectory: 's3a://spark-logs/events' });
    return synth(chart);
  }
  const bucketJob = { namespace: 'spark-platform', labels: { 'app.kubernetes.io/name': 'mc', 'app.kubernetes.io/instance': 'minio', 'app.kubernetes.io/component': 'buckets' } };
  const otherPod = { namespace: 'spark-platform', labels: { app: 'debug' } };
  const peer = { namespace: 'spark-platform', labels: { ...store.labels, 'apps.kubernetes.io/pod-index': '1' } };
  const dns = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

  test.each([
    ['a tenant pod -> the S3 API', { from: executor, to: store, port: 9000 }, true],
    ['the History Server (same namespace) -> the S3 API', { from: history, to: store, port: 9000 }, true],
    ['the bucket Job -> the S3 API', { from: bucketJob, to: store, port: 9000 }, true],
    ['the bucket Job -> DNS', { from: bucketJob, to: dns, port: 53, protocol: 'UDP' }, true],
    ['a pod of another namespace, even labelled like Spark -> the S3 API', { from: stranger, to: store, port: 9000 }, false],
    ['a tenant pod -> the console', { from: executor, to: store, port: 9001 }, false],
    ['an address outside the pod network -> the S3 API', { from: { ip: '192.0.2.7' }, to: store, port: 9000 }, false],
    // the namespace denies by default: a pod that admits nothing for itself sends nothing
    ['another pod of MinIO\'s namespace -> the S3 API', { from: otherPod, to: store, port: 9000 }, false],
    ['MinIO -> the outside', { from: store, to: { ip: '192.0.2.7' }, port: 443 }, false],
    ['the History Server -> the outside', { from: history, to: { ip: '192.0.2.7' }, port: 80 }, false],
    ['anyone in the cluster -> the History Server UI (no uiAccess)', { from: executor, to: history, port: 18080 }, false],
  ])('%s: %p', (_name, connection, allowed) => {
    const net = new NetworkPolicyEvaluator(withHistoryServer(), { namespaceLabels: namespaces });
    expect({ allowed: net.allows(connection as never), why: net.explain(connection as never) }).toMatchObject({ allowed });
  });

  test('distributed: the servers reach each other\'s S3 port, standalone has no peer egress', () => {
    const objects = withHistoryServer({ mode: MinIOMode.DISTRIBUTED, rootCredentials: SecretSource.existing('minio-root') });
    expect(new NetworkPolicyEvaluator(objects, { namespaceLabels: namespaces }).allows({ from: store, to: peer, port: 9000 })).toBe(true);
    expect(new NetworkPolicyEvaluator(withHistoryServer(), { namespaceLabels: namespaces }).allows({ from: store, to: peer, port: 9000 })).toBe(false);
  });

  test('the namespace MinIO creates denies by default; with createNamespace: false nothing namespace-wide is emitted', () => {
    expect(findObject(build().objects, 'NetworkPolicy', 'default-deny-all', 'spark-platform').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(build({ createNamespace: false }).objects.filter((o) => o.metadata.name === 'default-deny-all')).toEqual([]);
  });

  test('apiClients adds peers, e.g. a backup namespace', () => {
    const { objects } = build({ apiClients: [{ namespaceSelector: { matchLabels: { team: 'backup' } } }] });
    const net = new NetworkPolicyEvaluator(objects, { namespaceLabels: namespaces });
    expect(net.allows({ from: backup, to: store, port: 9000 })).toBe(true);
    expect(net.allows({ from: stranger, to: store, port: 9000 })).toBe(false);
  });
});
