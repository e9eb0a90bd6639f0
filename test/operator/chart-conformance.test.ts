/**
 * SparkOperator against the upstream v2.5.2 chart's own rendering (`helm template` of
 * ../shared/upstream/kubeflow-spark-operator-v2.5.2/chart), for the same settings:
 * - RBAC, evaluated on both sides with RbacEvaluator and compared both ways (nothing missing,
 *   nothing extra) for the controller, the webhook and the Spark driver account;
 * - the controller's and the webhook's container args, flag by flag, both ways.
 * Names differ (the chart prefixes its release's fullname): NAME_MAP maps them explicitly.
 * Every difference that remains is listed below with its reason, and a listed difference that no
 * longer occurs fails the test, so the lists cannot go stale.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { SparkNamespace, SparkOperator, SparkOperatorProps, WebhookCertificate } from '../../constructs';
import { helmTemplate } from '../helpers/helm-chart';
import { Obj, findObject, synth, testChart } from '../helpers/manifests';
import { Grant, RbacEvaluator, Subject } from '../helpers/rbac';
import { describeWithShared } from '../helpers/shared';

/** The release: its fullname ("upstream-spark-operator") differs from our name on purpose, so the name map is exercised. */
const RELEASE = 'upstream';
const CHART_FULLNAME = 'upstream-spark-operator';
/** Our operator's name and namespace (SparkOperator's defaults); the chart is installed in the same namespace. */
const OURS = 'spark-operator';
const OPERATOR_NAMESPACE = 'spark-operator';
/** The Spark driver account SparkNamespace creates in each tenant (its default). */
const OUR_DRIVER_SA = 'spark-driver';

/**
 * Chart name -> our name, for every name the comparison meets (ServiceAccounts, resourceNames in
 * rules, names in flags). Only names: what they grant or configure is compared after mapping.
 */
const NAME_MAP: Readonly<Record<string, string>> = {
  [`${CHART_FULLNAME}-controller`]: `${OURS}-controller`, // ServiceAccount, Deployment, Roles
  [`${CHART_FULLNAME}-controller-lock`]: `${OURS}-controller-lock`, // leader-election Lease
  [`${CHART_FULLNAME}-webhook`]: `${OURS}-webhook`, // ServiceAccount, both webhook configurations
  [`${CHART_FULLNAME}-webhook-lock`]: `${OURS}-webhook-lock`,
  [`${CHART_FULLNAME}-webhook-certs`]: `${OURS}-webhook-certs`, // the Secret the webhook writes
  [`${CHART_FULLNAME}-webhook-svc`]: `${OURS}-webhook-svc`,
  // The chart's per-namespace Spark account; ours is SparkNamespace's driver account (executors get
  // their own account without rights, which the chart has no counterpart for).
  [`${CHART_FULLNAME}-spark`]: OUR_DRIVER_SA,
};
const mapName = (name: string): string => NAME_MAP[name] ?? name;

/** One set of settings, expressed both as our props and as the chart's values. */
interface Settings {
  /** Job namespaces, or 'all' (our watchAllNamespaces; the chart's empty spark.jobNamespaces). */
  readonly namespaces: readonly string[] | 'all';
  readonly webhook?: { readonly certManager?: boolean; readonly resourceQuotaEnforcement?: boolean };
  readonly workers?: number;
  readonly kubeApi?: { readonly qps: number; readonly burst: number };
  readonly workqueue?: { readonly qps: number; readonly burst: number };
  readonly maxTrackedExecutorsPerApp?: number;
  readonly batchScheduler?: { readonly kubeSchedulerNames?: readonly string[]; readonly default?: 'volcano' | 'yunikorn' };
}

const CASES: ReadonlyArray<[string, Settings]> = [
  ['two job namespaces, webhook off', { namespaces: ['team-a', 'team-b'] }],
  ['two job namespaces, webhook on (self-signed)', { namespaces: ['team-a', 'team-b'], webhook: {} }],
  ['three job namespaces, webhook with cert-manager and quota enforcement', { namespaces: ['t1', 't2', 't3'], webhook: { certManager: true, resourceQuotaEnforcement: true } }],
  ['watchAllNamespaces, webhook off', { namespaces: 'all' }],
  ['watchAllNamespaces, webhook on', { namespaces: 'all', webhook: {} }],
  ['tuned: workers, API client, workqueue, tracked executors', { namespaces: ['team-a'], workers: 40, kubeApi: { qps: 100, burst: 200 }, workqueue: { qps: 200, burst: 1000 }, maxTrackedExecutorsPerApp: 50 }],
  ['batch scheduling: Volcano by default, a kube-scheduler profile', { namespaces: ['team-a', 'team-b'], batchScheduler: { default: 'volcano', kubeSchedulerNames: ['gang-scheduler'] } }],
  ['batch scheduling, watching every namespace', { namespaces: 'all', batchScheduler: {} }],
];

/** Our side: the tenants (SparkNamespace) and the operator, synthesized. */
function ourObjects(s: Settings): Obj[] {
  const chart = testChart();
  const tenants = s.namespaces === 'all' ? [] : s.namespaces.map((n) => new SparkNamespace(chart, n, { name: n }));
  const props: SparkOperatorProps = {
    ...(s.namespaces === 'all' ? { watchAllNamespaces: true } : { jobNamespaces: tenants }),
    ...(s.webhook ? {
      webhook: {
        certificate: s.webhook.certManager ? WebhookCertificate.certManager() : WebhookCertificate.selfSigned(),
        resourceQuotaEnforcement: s.webhook.resourceQuotaEnforcement,
      },
    } : {}),
    workers: s.workers,
    kubeApi: s.kubeApi,
    workqueue: s.workqueue,
    maxTrackedExecutorsPerApp: s.maxTrackedExecutorsPerApp,
    batchScheduler: s.batchScheduler,
  };
  new SparkOperator(chart, 'Operator', props);
  return synth(chart);
}

/** The chart's values for the same settings; what we never change (leader election on, metrics on, UI Service on) is set explicitly too. */
function chartValues(s: Settings): Record<string, unknown> {
  return {
    spark: { jobNamespaces: s.namespaces === 'all' ? [] : [...s.namespaces] },
    controller: {
      leaderElection: { enable: true },
      uiService: { enable: true },
      ...(s.workers !== undefined ? { workers: s.workers } : {}),
      ...(s.kubeApi ? { kubeAPIQPS: s.kubeApi.qps, kubeAPIBurst: s.kubeApi.burst } : {}),
      ...(s.workqueue ? { workqueueRateLimiter: { bucketQPS: s.workqueue.qps, bucketSize: s.workqueue.burst } } : {}),
      ...(s.maxTrackedExecutorsPerApp !== undefined ? { maxTrackedExecutorPerApp: s.maxTrackedExecutorsPerApp } : {}),
      ...(s.batchScheduler ? { batchScheduler: { enable: true, kubeSchedulerNames: [...(s.batchScheduler.kubeSchedulerNames ?? [])], default: s.batchScheduler.default ?? '' } } : {}),
    },
    webhook: {
      enable: s.webhook !== undefined,
      leaderElection: { enable: true },
      resourceQuotaEnforcement: { enable: s.webhook?.resourceQuotaEnforcement ?? false },
    },
    certManager: { enable: s.webhook?.certManager ?? false },
    prometheus: { metrics: { enable: true, port: 8080 } },
  };
}

/** Key paths of `values` that the chart's values.yaml does not declare (the chart has no values.schema.json, so a typo would be ignored silently). */
function undeclaredKeys(values: unknown, defaults: unknown, at = ''): string[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return [];
  return Object.entries(values as Record<string, unknown>).flatMap(([k, v]) => {
    const d = (defaults as Record<string, unknown> | undefined)?.[k];
    return d === undefined ? [`${at}${k}`] : undeclaredKeys(v, d, `${at}${k}.`);
  });
}

/** Grants as comparable strings "namespace|group|resource|verb|resourceName", chart names mapped to ours. */
function grantStrings(grants: readonly Grant[]): string[] {
  return grants.map((g) => `${g.namespace}|${g.apiGroup}|${g.resource}|${g.verb}|${g.resourceName === undefined ? '' : mapName(g.resourceName)}`).sort();
}

const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', namespace, name });

/** A deliberate difference, or a known gap: present on one side only. */
interface Difference {
  /** The grant string or flag ("--name=value") as it appears on its side. */
  readonly item: string;
  /** 'missing' = the chart has it and we do not; 'extra' = we have it and the chart does not. */
  readonly side: 'missing' | 'extra';
  readonly reason: string;
}

/**
 * RBAC differences we accept. Empty: our grants equal the chart's for every account and case.
 * (Names are not differences: they go through NAME_MAP.)
 */
const RBAC_DIFFERENCES: readonly Difference[] = [];

/** Flag differences of the controller that are deliberate. */
const CONTROLLER_FLAG_DIFFERENCES: readonly Difference[] = [
  { item: '--health-probe-bind-address=:8081', side: 'extra', reason: 'every flag is passed explicitly (docs/operator.md): the probes in the Deployment target this port, so it is pinned rather than left to the binary default (also :8081)' },
];

/** Flag differences of the webhook that are deliberate. */
const WEBHOOK_FLAG_DIFFERENCES: readonly Difference[] = [
  { item: '--health-probe-bind-address=:8081', side: 'extra', reason: 'as for the controller: the probes target this port, so it is pinned' },
];

/**
 * Flags the chart passes and we do not, that NO documented choice explains: gaps, reported for
 * constructs/operator (owned elsewhere), kept visible here rather than dropped. When one is fixed,
 * its entry no longer occurs and the test fails until it is removed.
 */
const CONTROLLER_FLAG_GAPS: readonly Difference[] = [];

/** As CONTROLLER_FLAG_GAPS, for the webhook. */
const WEBHOOK_FLAG_GAPS: readonly Difference[] = [];

/**
 * Both-ways comparison: the items on one side only, minus the listed differences; and the listed
 * differences that did not occur (stale). A listed difference is keyed by side and item.
 */
function compare(chart: readonly string[], ours: readonly string[], listed: readonly Difference[]): { missing: string[]; extra: string[]; stale: string[] } {
  const chartSet = new Set(chart);
  const ourSet = new Set(ours);
  const missingAll = chart.filter((c) => !ourSet.has(c));
  const extraAll = ours.filter((o) => !chartSet.has(o));
  const isListed = (side: Difference['side'], item: string) => listed.some((d) => d.side === side && d.item === item);
  return {
    missing: missingAll.filter((m) => !isListed('missing', m)),
    extra: extraAll.filter((e) => !isListed('extra', e)),
    stale: listed.filter((d) => !(d.side === 'missing' ? missingAll : extraAll).includes(d.item)).map((d) => `${d.side} ${d.item}`),
  };
}

/** A container's args as "controller start" plus one "--flag=value" per flag, chart names mapped, sorted. */
function flags(deployment: Obj): { command: string[]; flags: string[] } {
  const args: string[] = deployment.spec.template.spec.containers[0].args;
  const command = args.filter((a) => !a.startsWith('--'));
  const mapped = args.filter((a) => a.startsWith('--')).map((a) => {
    const eq = a.indexOf('=');
    if (eq < 0) return a;
    return `${a.slice(0, eq)}=${a.slice(eq + 1).split(',').map(mapName).join(',')}`;
  });
  return { command, flags: mapped.sort() };
}

describeWithShared('SparkOperator conforms to the upstream v2.5.2 chart (helm template)', (shared) => {
  const chartDir = path.join(shared, 'upstream', 'kubeflow-spark-operator-v2.5.2', 'chart');
  const defaults: unknown = YAML.parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));

  /** Renders chart and ours once per case. */
  const rendered = new Map<string, { chart: Obj[]; ours: Obj[] }>();
  function render(name: string, s: Settings): { chart: Obj[]; ours: Obj[] } {
    let r = rendered.get(name);
    if (!r) {
      const values = chartValues(s);
      expect(undeclaredKeys(values, defaults)).toEqual([]);
      const certManagerApis = s.webhook?.certManager ? ['--api-versions', 'cert-manager.io/v1/Certificate', '--api-versions', 'cert-manager.io/v1/Issuer'] : [];
      r = { chart: helmTemplate(chartDir, { release: RELEASE, namespace: OPERATOR_NAMESPACE, values, args: certManagerApis }), ours: ourObjects(s) };
      rendered.set(name, r);
    }
    return r;
  }

  test('the values this test sets are all declared by the chart, and the fullname is what NAME_MAP assumes', () => {
    expect(undeclaredKeys({ controller: { workerz: 1 } }, defaults)).toEqual(['controller.workerz']); // the guard itself works
    const { chart } = render(CASES[1][0], CASES[1][1]);
    const serviceAccounts = chart.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name);
    expect([...new Set(serviceAccounts)].sort()).toEqual([`${CHART_FULLNAME}-controller`, `${CHART_FULLNAME}-spark`, `${CHART_FULLNAME}-webhook`]);
    for (const name of serviceAccounts) expect(NAME_MAP[name]).toBeDefined();
  });

  describe.each(CASES)('%s', (name, settings) => {
    const jobNamespaces = settings.namespaces === 'all' ? [] : settings.namespaces;

    test.each<[string, Subject, Subject]>([
      ['controller', sa(OPERATOR_NAMESPACE, `${CHART_FULLNAME}-controller`), sa(OPERATOR_NAMESPACE, `${OURS}-controller`)],
      ['webhook', sa(OPERATOR_NAMESPACE, `${CHART_FULLNAME}-webhook`), sa(OPERATOR_NAMESPACE, `${OURS}-webhook`)],
    ])('RBAC of the %s account: per job namespace, in the operator namespace, cluster-wide, both ways', (_who, chartSa, ourSa) => {
      const { chart, ours } = render(name, settings);
      const chartGrants = grantStrings(new RbacEvaluator(chart).grants(chartSa));
      const ourGrants = grantStrings(new RbacEvaluator(ours).grants(ourSa));
      expect(compare(chartGrants, ourGrants, RBAC_DIFFERENCES)).toEqual({ missing: [], extra: [], stale: [] });
      // A comparison of two empty sets would prove nothing: each side must grant in every scope it is expected to.
      const scopes = (grants: string[]) => [...new Set(grants.map((g) => g.split('|')[0]))].sort();
      const webhookOn = settings.webhook !== undefined;
      const isWebhook = chartSa.kind === 'ServiceAccount' && chartSa.name.endsWith('-webhook');
      const expectedScopes = isWebhook && !webhookOn ? [] : ['*', OPERATOR_NAMESPACE, ...jobNamespaces].sort();
      expect(scopes(ourGrants)).toEqual(expectedScopes);
    });

    test('RBAC of the Spark driver account in each job namespace, both ways', () => {
      const { chart, ours } = render(name, settings);
      const chartEval = new RbacEvaluator(chart);
      const ourEval = new RbacEvaluator(ours);
      for (const ns of jobNamespaces) {
        const chartGrants = grantStrings(chartEval.grants(sa(ns, `${CHART_FULLNAME}-spark`)));
        const ourGrants = grantStrings(ourEval.grants(sa(ns, OUR_DRIVER_SA)));
        expect(ourGrants.length).toBeGreaterThan(0);
        expect({ ns, ...compare(chartGrants, ourGrants, RBAC_DIFFERENCES) }).toEqual({ ns, missing: [], extra: [], stale: [] });
      }
      // Watching all namespaces, the chart creates no Spark account, and there is no tenant on our side.
      if (jobNamespaces.length === 0) expect(chart.filter((o) => o.metadata.name === `${CHART_FULLNAME}-spark`)).toEqual([]);
    });

    test('controller args: each chart flag passed with the same value, no unlisted extra', () => {
      const { chart, ours } = render(name, settings);
      const theirs = flags(findObject(chart, 'Deployment', `${CHART_FULLNAME}-controller`));
      const mine = flags(findObject(ours, 'Deployment', `${OURS}-controller`, OPERATOR_NAMESPACE));
      expect(mine.command).toEqual(theirs.command);
      expect(compare(theirs.flags, mine.flags, [...CONTROLLER_FLAG_DIFFERENCES, ...CONTROLLER_FLAG_GAPS])).toEqual({ missing: [], extra: [], stale: [] });
    });

    test('webhook: present on both sides or neither; args compared like the controller\'s', () => {
      const { chart, ours } = render(name, settings);
      const chartDeployments = chart.filter((o) => o.kind === 'Deployment').map((o) => mapName(o.metadata.name)).sort();
      const ourDeployments = ours.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort();
      expect(ourDeployments).toEqual(chartDeployments);
      if (settings.webhook === undefined) {
        expect(ourDeployments).toEqual([`${OURS}-controller`]);
        return;
      }
      const theirs = flags(findObject(chart, 'Deployment', `${CHART_FULLNAME}-webhook`));
      const mine = flags(findObject(ours, 'Deployment', `${OURS}-webhook`, OPERATOR_NAMESPACE));
      expect(mine.command).toEqual(theirs.command);
      expect(compare(theirs.flags, mine.flags, [...WEBHOOK_FLAG_DIFFERENCES, ...WEBHOOK_FLAG_GAPS])).toEqual({ missing: [], extra: [], stale: [] });
    });
  });

  test('the comparison catches a difference: a verb removed from our Role, a flag value changed, a stale listing', () => {
    const { chart, ours } = render(CASES[0][0], CASES[0][1]);
    const role = ours.find((o) => o.kind === 'Role' && o.metadata.namespace === 'team-a' && o.metadata.name === `${OURS}-controller`);
    const tampered = ours.map((o) => (o === role ? { ...o, rules: o.rules.map((r: { verbs: string[] }) => ({ ...r, verbs: r.verbs.filter((v) => v !== 'delete') })) } : o));
    const chartGrants = grantStrings(new RbacEvaluator(chart).grants(sa(OPERATOR_NAMESPACE, `${CHART_FULLNAME}-controller`)));
    const result = compare(chartGrants, grantStrings(new RbacEvaluator(tampered).grants(sa(OPERATOR_NAMESPACE, `${OURS}-controller`))), RBAC_DIFFERENCES);
    expect(result).toEqual({
      missing: ['team-a|extensions|ingresses|delete|', 'team-a|networking.k8s.io|ingresses|delete|', 'team-a|sparkoperator.k8s.io|sparkapplications|delete|', 'team-a||pods|delete|', 'team-a||services|delete|'],
      extra: [],
      stale: [],
    });
    const theirs = flags(findObject(chart, 'Deployment', `${CHART_FULLNAME}-controller`)).flags;
    const mine = flags(findObject(ours, 'Deployment', `${OURS}-controller`)).flags.map((f) => (f === '--controller-threads=10' ? '--controller-threads=11' : f));
    expect(compare(theirs, mine, [...CONTROLLER_FLAG_DIFFERENCES, ...CONTROLLER_FLAG_GAPS])).toMatchObject({ missing: ['--controller-threads=10'], extra: ['--controller-threads=11'] });
    // A listed difference that does not occur is reported as stale.
    expect(compare(['--a=1'], ['--a=1'], [{ item: '--a=1', side: 'missing', reason: 'test' }]).stale).toEqual(['missing --a=1']);
  });
});
