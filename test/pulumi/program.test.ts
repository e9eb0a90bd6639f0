/**
 * The Pulumi program against Pulumi's own mocks (no CLI, no cluster): what it registers equals
 * what `npm run synth` writes, plus the Secrets Pulumi holds the values of; dependencies as the
 * engine would receive them; secrets stay secret; outputs; errors.
 */
import { parseAllDocuments } from 'yaml';
import { installPulumiMocks, isSecretValue, setStackConfig, valueOf, type Registration } from '../helpers/pulumi-mocks';
import type { KubeObject } from '../../stacks/gitops';
import { SYNC_WAVE_ANNOTATION } from '../../stacks/gitops';
import { ENVIRONMENTS } from '../../stacks/environments';
import { renderEnvironment } from '../../stacks/synth';
import { PLATFORM_COMPONENT_TYPE, PlatformOutputs, SparkPlatform, deployPlatform } from '../../stacks/pulumi/program';
import { isCustomResource } from '../../stacks/pulumi/resources';
import { SECRET_PURPOSE_ANNOTATION } from '../../stacks/pulumi/plan';

jest.setTimeout(60_000);

const PROJECT = 'spark-platform';
const recorder = installPulumiMocks(PROJECT, 'test');

/**
 * The Secrets an environment reads without emitting them, found independently of the program:
 * every secretKeyRef (also inside the pod templates ConfigMaps carry as YAML) to a Secret that
 * no Secret, SealedSecret or ExternalSecret of the environment provides. `<namespace>/<name>` → keys.
 */
function referencedSecrets(objects: readonly KubeObject[]): Map<string, Set<string>> {
  const provided = new Set<string>();
  for (const o of objects) {
    const target = (o.spec as { target?: { name?: string } } | undefined)?.target?.name;
    if (['Secret', 'SealedSecret', 'ExternalSecret'].includes(o.kind)) provided.add(`${o.metadata.namespace}/${target ?? o.metadata.name}`);
  }
  const refs = new Map<string, Set<string>>();
  const walk = (v: unknown, ns: string): void => {
    if (typeof v === 'string') {
      if (/^(apiVersion|kind): /m.test(v)) for (const doc of parseAllDocuments(v)) walk(doc.toJSON(), ns);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, ns));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const ref = child as { name?: string; key?: string };
        if (k === 'secretKeyRef' && ref.name && ref.key) {
          const id = `${ns}/${ref.name}`;
          if (!provided.has(id)) refs.set(id, (refs.get(id) ?? new Set()).add(ref.key));
        } else walk(child, ns);
      }
    }
  };
  for (const o of objects) if (o.metadata.namespace) walk(o, o.metadata.namespace);
  return refs;
}

/** Distinctive plaintexts (the test looks for them, and their base64, in every other resource); generated ones for Secrets added later. */
const KNOWN_SECRETS: Record<string, Record<string, string>> = {
  'minio-root': { rootUser: 'admin-Quokka-7f3a', rootPassword: 'pw-Narwhal-91be-2c4d' },
  's3-credentials': { AWS_ACCESS_KEY_ID: 'akid-Pangolin-55e1', AWS_SECRET_ACCESS_KEY: 'sak-Axolotl-0d9c-b7e2' },
};
/** The `secrets` config an environment needs: every value it reads, known or generated. */
function secretsFor(env: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [id, keys] of referencedSecrets(synthObjects(env))) {
    const name = id.slice(id.indexOf('/') + 1);
    for (const key of keys) {
      out[name] ??= {};
      out[name][key] = KNOWN_SECRETS[name]?.[key] ?? `value-${name}-${key}-Wombat-3e8f`;
    }
  }
  return out;
}
const SECRETS = Object.fromEntries(ENVIRONMENTS.map((e) => [e.name, secretsFor(e.name)]));
const PLAINTEXTS = [...new Set(Object.values(SECRETS).flatMap((s) => Object.values(s).flatMap((keys) => Object.values(keys))))];
/** How many values dev needs (Secret name and key; one value serves every namespace). */
const DEV_VALUES = new Set([...referencedSecrets(synthObjects('dev'))].flatMap(([id, keys]) => [...keys].map((k) => `${id.split('/')[1]}.${k}`))).size;

/** Deploys under mocks with `config` (secrets included unless given) and waits until every registration is done. */
async function deploy(config: Record<string, unknown>): Promise<SparkPlatform<PlatformOutputs>> {
  recorder.clear();
  const cfg = setStackConfig(PROJECT, { secrets: SECRETS[String(config.environment)], ...config }, ['secrets']);
  const platform = deployPlatform({ config: cfg });
  await Promise.all([platform.urn, platform.provider.urn, ...[...platform.resources.values()].map((r) => r.urn)].map((o) => valueOf(o)));
  return platform;
}

const kubeType = (o: { apiVersion: string; kind: string }) => `kubernetes:${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;
const identity = (o: { apiVersion: unknown; kind: unknown; metadata?: unknown }) => {
  const m = (o.metadata ?? {}) as { namespace?: string; name?: string };
  return `${o.apiVersion} ${o.kind} ${m.namespace ?? ''}/${m.name}`;
};
/** Kubernetes objects registered with Pulumi (not the provider or the component). */
const kubeRegistrations = () => [...recorder.registrations.values()].filter((r) => r.type.startsWith('kubernetes:'));
const isTargetSecret = (r: Registration) => r.type === 'kubernetes:core/v1:Secret' && (r.inputs.metadata as KubeObject['metadata']).annotations?.[SECRET_PURPOSE_ANNOTATION] !== undefined;

/** The synthesized objects without Argo CD's sync-wave annotation (the only thing the GitOps files add). */
function synthObjects(name: string): KubeObject[] {
  const env = ENVIRONMENTS.find((e) => e.name === name)!;
  return renderEnvironment(env).objects.map((o) => {
    const { [SYNC_WAVE_ANNOTATION]: _wave, ...annotations } = o.metadata.annotations ?? {};
    const metadata: Record<string, unknown> = { ...o.metadata, annotations };
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
    return { ...o, metadata } as KubeObject;
  });
}

describe.each(['dev', 'prod'])('environment %s', (env) => {
  let platform: SparkPlatform<PlatformOutputs>;
  let expected: KubeObject[];
  beforeAll(async () => {
    expected = synthObjects(env);
    platform = await deploy({ environment: env });
  });

  test('parity: the objects registered are exactly the synth of the environment, with the same content and typed resources', () => {
    // GIVEN the synth of the same environment, WHEN registered through Pulumi
    const registered = kubeRegistrations().filter((r) => !isTargetSecret(r));
    // THEN the same (apiVersion, kind, namespace, name) set ...
    expect(registered.map((r) => identity(r.inputs as KubeObject)).sort()).toEqual(expected.map(identity).sort());
    expect(new Set(registered.map((r) => r.name)).size).toBe(registered.length);
    // ... each with the synthesized content, as the typed class (or CustomResource) of its kind
    const byIdentity = new Map(registered.map((r) => [identity(r.inputs as KubeObject), r]));
    for (const o of expected) {
      const r = byIdentity.get(identity(o))!;
      expect(r.type).toBe(kubeType(o));
      expect(r.inputs).toEqual(JSON.parse(JSON.stringify(o)));
    }
    expect(registered.some((r) => isCustomResource((r.inputs as KubeObject).apiVersion))).toBe(true); // dev's SparkApplication, prod's PodMonitors
  });

  test('every resource is a child of the component and uses the explicit kubernetes provider', () => {
    const component = [...recorder.registrations.values()].filter((r) => r.type === PLATFORM_COMPONENT_TYPE);
    expect(component.map((c) => c.name)).toEqual([env]);
    const provider = [...recorder.registrations.values()].filter((r) => r.type === 'pulumi:providers:kubernetes');
    expect(provider).toHaveLength(1);
    expect(provider[0].inputs).toMatchObject({ enableServerSideApply: 'true' });
    for (const r of kubeRegistrations()) {
      expect(r.provider).toMatch(/\$pulumi:providers:kubernetes::kubernetes::/);
      expect(r.name.startsWith(`${env}:`)).toBe(true);
    }
  });

  test('resource names are <env>:<namespace>/<kind>/<name>, or <env>:<kind>/<name> when cluster-scoped', () => {
    for (const r of kubeRegistrations()) {
      const o = r.inputs as KubeObject;
      expect(r.name).toBe(o.metadata.namespace ? `${env}:${o.metadata.namespace}/${o.kind}/${o.metadata.name}` : `${env}:${o.kind}/${o.metadata.name}`);
    }
  });

  test('outputs come from the built platform', () => {
    const config = ENVIRONMENTS.find((e) => e.name === env)!;
    const notebooks = (config.notebooks ?? []).map((n) => `${n.tenant}/${n.name}`);
    expect(platform.outputs).toEqual({
      environment: env,
      objectStoreEndpoint: 'http://minio.spark-platform.svc.cluster.local:9000',
      historyServerUrl: 'http://spark-history.spark-platform.svc.cluster.local:18080',
      operatorNamespace: 'spark-operator',
      jobNamespaces: env === 'dev' ? ['spark-jobs'] : ['spark-analytics', 'spark-data-eng', 'spark-ml'],
      notebookUrls: expect.any(Object),
    });
    expect(Object.keys(platform.outputs.notebookUrls).sort()).toEqual(notebooks.sort());
    if (env === 'dev') expect(notebooks).toContain('spark-jobs/lab');
    // Each URL points at a Service of the platform in the notebook's namespace.
    for (const url of Object.values(platform.outputs.notebookUrls)) {
      const m = /^http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:\d+(\/.*)?$/.exec(url);
      expect(m).not.toBeNull();
      expect(expected.some((o) => o.kind === 'Service' && o.metadata.name === m![1] && o.metadata.namespace === m![2])).toBe(true);
    }
  });
});

describe('secrets', () => {
  let platform: SparkPlatform<PlatformOutputs>;
  beforeAll(async () => {
    platform = await deploy({ environment: 'dev' });
  });

  test.each(['dev', 'prod'])('%s: Pulumi creates exactly the Secrets the platform reads by reference, where they are read', async (env) => {
    await deploy({ environment: env });
    const created = kubeRegistrations().filter(isTargetSecret).map((r) => {
      const o = r.inputs as KubeObject & { data: { value: object } };
      expect(o.type).toBe('Opaque');
      return [`${o.metadata.namespace}/${o.metadata.name}`, Object.keys(o.data.value).sort()] as const;
    });
    const expected = [...referencedSecrets(synthObjects(env))].map(([id, keys]) => [id, [...keys].sort()] as const);
    expect(new Map(created)).toEqual(new Map(expected));
    // MinIO's root credentials (SecretSource.existing) and the s3a credentials of the History
    // Server; in dev also those of the tenant's jobs (prod's tenants run no jobs yet).
    const ids = created.map(([id]) => id);
    expect(ids).toEqual(expect.arrayContaining(['spark-platform/minio-root', 'spark-platform/s3-credentials', ...(env === 'dev' ? ['spark-jobs/s3-credentials'] : [])]));
    if (env === 'prod') expect(ids.filter((id) => id.endsWith('/s3-credentials'))).toEqual(['spark-platform/s3-credentials']);
    expect(created.find(([id]) => id === 'spark-platform/minio-root')?.[1]).toEqual(['rootPassword', 'rootUser']);
    await deploy({ environment: 'dev' }); // the tests below read dev's registrations
  });

  test('the values are Pulumi secrets in the registered inputs, base64 of the configured plaintext', async () => {
    const minio = recorder.registrations.get('dev:spark-platform/Secret/minio-root')!;
    expect(isSecretValue(minio.inputs.data)).toBe(true);
    const data = (minio.inputs.data as { value: Record<string, string> }).value;
    expect(Buffer.from(data.rootPassword, 'base64').toString()).toBe(SECRETS.dev['minio-root'].rootPassword);
    expect(Buffer.from(data.rootUser, 'base64').toString()).toBe(SECRETS.dev['minio-root'].rootUser);
    const s3 = recorder.registrations.get('dev:spark-jobs/Secret/s3-credentials')!;
    expect(isSecretValue(s3.inputs.data)).toBe(true);
    expect(Buffer.from((s3.inputs.data as { value: Record<string, string> }).value.AWS_SECRET_ACCESS_KEY, 'base64').toString()).toBe(SECRETS.dev['s3-credentials'].AWS_SECRET_ACCESS_KEY);
    // The resource's output is a secret too.
    const resource = platform.resources.get('dev:spark-platform/Secret/minio-root') as unknown as { data: import('@pulumi/pulumi').Output<unknown> };
    expect(await (resource.data as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  });

  test('no plaintext value (nor its base64) appears in any other resource, the provider or the outputs', () => {
    const others = [...recorder.registrations.values()].filter((r) => !(r.type === 'kubernetes:core/v1:Secret'));
    const text = JSON.stringify(others.map((r) => r.inputs)) + JSON.stringify(platform.outputs);
    expect(text.length).toBeGreaterThan(10_000);
    for (const p of PLAINTEXTS) {
      expect(text).not.toContain(p);
      expect(text).not.toContain(Buffer.from(p).toString('base64'));
    }
    // Only the data of the Secrets holds them, and only as secrets.
    for (const r of kubeRegistrations().filter(isTargetSecret)) {
      const { data, ...rest } = r.inputs;
      expect(isSecretValue(data)).toBe(true);
      for (const p of PLAINTEXTS) expect(JSON.stringify(rest)).not.toContain(p);
    }
  });
});

describe('ordering (dependencies as sent to the engine)', () => {
  let registrations: Registration[];
  beforeAll(async () => {
    await deploy({ environment: 'dev' });
    registrations = kubeRegistrations();
  });

  test('custom resources after their CRD, namespaced objects after their Namespace, workloads after their accounts, RBAC and Secrets', () => {
    expect(orderingViolations(registrations)).toEqual([]);
  });

  test('chart order: the jobs wait for the operator and the storage layer; the operator for the CRDs', () => {
    const reach = reachability(registrations);
    expect(reach('dev:spark-jobs/SparkApplication/spark-pi')).toContain('dev:spark-operator/Deployment/spark-operator-controller');
    expect(reach('dev:spark-jobs/Job/spark-pi-python')).toContain('dev:spark-platform/StatefulSet/minio');
    expect(reach('dev:spark-operator/Deployment/spark-operator-controller')).toContain('dev:CustomResourceDefinition/sparkapplications.sparkoperator.k8s.io');
    // The spark-submit Job's drivers run as spark-driver (named in its --conf) and read the s3a Secret.
    expect(reach('dev:spark-jobs/Job/spark-pi-python')).toEqual(expect.arrayContaining(['dev:spark-jobs/ServiceAccount/spark-driver', 'dev:spark-jobs/Secret/s3-credentials']));
  });

  test('the check fails when ordering breaks (negative control)', () => {
    // GIVEN the same registrations with the SparkApplication's and MinIO's dependencies dropped
    const broken = registrations.map((r) => (r.name === 'dev:spark-jobs/SparkApplication/spark-pi' || r.name === 'dev:spark-platform/StatefulSet/minio' ? { ...r, dependencies: [] } : r));
    // THEN each missing order is reported
    const violations = orderingViolations(broken).join('\n');
    expect(violations).toMatch(/SparkApplication\/spark-pi: not after .*CustomResourceDefinition\/sparkapplications/);
    expect(violations).toMatch(/SparkApplication\/spark-pi: not after .*Namespace\/spark-jobs/);
    expect(violations).toMatch(/SparkApplication\/spark-pi: not after .*ServiceAccount\/spark-driver/);
    expect(violations).toMatch(/StatefulSet\/minio: not after .*Secret\/minio-root/);
  });
});

describe('configuration', () => {
  test('overrides are merged onto the environment and checked like any config', async () => {
    const platform = await deploy({ environment: 'dev', overrides: { operator: { replicas: 2 }, tenants: [{ name: 'spark-jobs' }, { name: 'team-b' }] } });
    expect(platform.outputs.jobNamespaces).toEqual(['spark-jobs', 'team-b']);
    const deployment = recorder.registrations.get('dev:spark-operator/Deployment/spark-operator-controller')!;
    expect((deployment.inputs.spec as { replicas: number }).replicas).toBe(2);
    expect(recorder.registrations.has('dev:team-b/Namespace/team-b') || recorder.registrations.has('dev:Namespace/team-b')).toBe(true);
  });

  test('fails on an override field the config does not know, naming it', () => {
    setStackConfig(PROJECT, { environment: 'dev', secrets: SECRETS.dev, overrides: { operator: { replicaz: 2 } } }, ['secrets']);
    expect(() => deployPlatform()).toThrow(/operator\.replicaz: is not a known field\. Fix: did you mean "replicas"/);
  });

  test('passes kubeconfig and context to the provider, kubeconfig as a secret', async () => {
    await deploy({ environment: 'dev', context: 'kind-spark', kubeconfig: 'apiVersion: v1\nkind: Config\n' });
    const provider = [...recorder.registrations.values()].find((r) => r.type === 'pulumi:providers:kubernetes')!;
    expect(provider.inputs.context).toBe('kind-spark');
    expect(isSecretValue(provider.inputs.kubeconfig)).toBe(true);
  });
});

describe('errors', () => {
  test('fails on an unknown environment, listing the known ones and the command', () => {
    recorder.clear();
    setStackConfig(PROJECT, { environment: 'staging', secrets: SECRETS.dev }, ['secrets']);
    expect(() => deployPlatform()).toThrow('spark-platform:environment: "staging" is not an environment; the known ones are dev, prod. Fix: pulumi config set environment dev');
    expect(recorder.registrations.size).toBe(0);
  });

  test('fails when no environment is configured', () => {
    setStackConfig(PROJECT, {});
    expect(() => deployPlatform()).toThrow(/spark-platform:environment: is not set.*Fix: pulumi config set environment dev/);
  });

  test('fails on a missing secret value, naming each key and its pulumi config set command; nothing is registered', () => {
    recorder.clear();
    const { rootPassword: _omitted, ...minio } = SECRETS.dev['minio-root'];
    setStackConfig(PROJECT, { environment: 'dev', secrets: { ...SECRETS.dev, 'minio-root': minio } }, ['secrets']);
    let message = '';
    try {
      deployPlatform();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('spark-platform:secrets: misses a value the platform\'s Secrets need: secrets["minio-root"].rootPassword (Secret "minio-root" in namespace "spark-platform", read by MinIO rootCredentials)');
    expect(message).toContain('Fix: set it as a secret: pulumi config set --secret --path \'secrets["minio-root"].rootPassword\' <value>');
    expect(recorder.registrations.size).toBe(0);
  });

  test('fails without any secrets, listing every value', () => {
    setStackConfig(PROJECT, { environment: 'dev' });
    expect(() => deployPlatform()).toThrow(new RegExp(`misses ${DEV_VALUES} values.*secrets\\["minio-root"\\]\\.rootUser.*secrets\\["s3-credentials"\\]\\.AWS_SECRET_ACCESS_KEY`));
  });

  test('fails on a value for a Secret the environment does not read (a typo)', () => {
    setStackConfig(PROJECT, { environment: 'dev', secrets: { ...SECRETS.dev, 'minio-rot': { rootUser: 'x' } } }, ['secrets']);
    expect(() => deployPlatform()).toThrow(/secrets\["minio-rot"\]: is not a Secret this environment reads \(it reads minio-root, s3-credentials/);
  });
});

/** For every registration, the names it reaches through dependencies (memoized DFS). */
function reachability(registrations: readonly Registration[]): (name: string) => string[] {
  const deps = new Map(registrations.map((r) => [r.name, r.dependencies]));
  const memo = new Map<string, Set<string>>();
  const reach = (name: string): Set<string> => {
    const known = memo.get(name);
    if (known) return known;
    const out = new Set<string>();
    memo.set(name, out);
    for (const d of deps.get(name) ?? []) {
      out.add(d);
      for (const t of reach(d)) out.add(t);
    }
    return out;
  };
  return (name) => [...reach(name)];
}

/**
 * What the test requires of the order, read from the objects themselves (independently of the
 * planner): a custom resource after its CRD; a namespaced object after its Namespace; a workload
 * after the ServiceAccounts its pods run as and the RoleBindings binding them, and after each
 * Pulumi-created Secret it reads by secretKeyRef; a Pulumi-created Secret after its Namespace.
 */
function orderingViolations(registrations: readonly Registration[]): string[] {
  const reach = reachability(registrations);
  const byIdentity = new Map<string, string>();
  for (const r of registrations) {
    const o = r.inputs as KubeObject;
    byIdentity.set(`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, r.name);
  }
  const crdOf = new Map<string, string>();
  for (const r of registrations) {
    const o = r.inputs as KubeObject & { spec: { group: string; names: { kind: string } } };
    if (o.kind === 'CustomResourceDefinition') crdOf.set(`${o.spec.group}/${o.spec.names.kind}`, r.name);
  }
  const bindingsOf = new Map<string, string[]>();
  for (const r of registrations) {
    const o = r.inputs as KubeObject & { subjects?: Array<{ kind: string; name: string; namespace?: string }> };
    if (o.kind !== 'RoleBinding' && o.kind !== 'ClusterRoleBinding') continue;
    for (const s of o.subjects ?? []) if (s.kind === 'ServiceAccount') bindingsOf.set(`${s.namespace ?? o.metadata.namespace}/${s.name}`, [...(bindingsOf.get(`${s.namespace ?? o.metadata.namespace}/${s.name}`) ?? []), r.name]);
  }
  const violations: string[] = [];
  const requireAfter = (r: Registration, target: string | undefined) => {
    if (target !== undefined && target !== r.name && !reach(r.name).includes(target)) violations.push(`${r.name}: not after ${target}`);
  };
  for (const r of registrations) {
    const o = r.inputs as KubeObject & { spec?: any };
    const ns = o.metadata.namespace;
    if (ns) requireAfter(r, byIdentity.get(`Namespace /${ns}`));
    if (isCustomResource(o.apiVersion)) requireAfter(r, crdOf.get(`${o.apiVersion.split('/')[0]}/${o.kind}`));
    const accounts = new Set<string>();
    const podSpec = o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
    if (podSpec?.serviceAccountName) accounts.add(podSpec.serviceAccountName);
    if (o.kind === 'SparkApplication') for (const role of ['driver', 'executor']) if (o.spec?.[role]?.serviceAccount) accounts.add(o.spec[role].serviceAccount);
    for (const a of accounts) {
      requireAfter(r, byIdentity.get(`ServiceAccount ${ns}/${a}`));
      for (const b of bindingsOf.get(`${ns}/${a}`) ?? []) requireAfter(r, b);
    }
    for (const secret of secretKeyRefs(o)) {
      const target = byIdentity.get(`Secret ${ns}/${secret}`);
      if (target && registrations.find((x) => x.name === target && isTargetSecret(x))) requireAfter(r, target);
    }
  }
  return violations;
}

/** Names of the Secrets an object reads through secretKeyRef. */
function secretKeyRefs(o: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (k === 'secretKeyRef' && typeof (child as { name?: unknown }).name === 'string') out.add((child as { name: string }).name);
        else walk(child);
      }
    }
  };
  walk(o);
  return out;
}
