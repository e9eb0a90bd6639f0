import { Construct } from 'constructs';
import { SparkPlatformError, show } from '../errors';
import { TENANT_LABEL, platformLabels } from '../labels';
import { NameRule, assertName } from '../names';
import { Rule, grantRules } from '../operator/operator-rbac';
import { checkProps } from '../validation/props';
import { SparkNamespace } from './spark-namespace';

/** A tenant namespace an orchestrator serves: a SparkNamespace, or anything with a name (the operator's IJobNamespace). */
export interface IServedNamespace {
  /** The namespace name. */
  readonly name: string;
}

/** What OrchestratorAccess asks of the Spark operator: which namespaces it watches. SparkOperator is one. */
export interface IWatchingOperator {
  /** The shard watching `namespace`, or undefined when none does. */
  shardOf(namespace: string): unknown;
}

/** Properties of an OrchestratorAccess. */
export interface OrchestratorAccessProps {
  /**
   * The orchestrator's name (a DNS-1123 label, e.g. "airflow"): the Role and RoleBinding in each
   * tenant namespace are called `<name>-orchestrator`.
   */
  readonly name: string;
  /** The orchestrator's own namespace, where its ServiceAccount lives; not a tenant namespace. */
  readonly namespace: string;
  /**
   * The ServiceAccount the orchestrator submits with (Airflow's workers, or its triggerer for
   * deferrable tasks). It already exists, made by the orchestrator's own chart: it is not created here.
   */
  readonly serviceAccountName: string;
  /** The tenant namespaces it submits Spark applications to; at least one. */
  readonly tenants: readonly IServedNamespace[];
  /** Also ScheduledSparkApplications (the same rights on them). @default false */
  readonly scheduled?: boolean;
  /**
   * The Spark operator that runs the applications: each tenant must be one it watches (an
   * application in another namespace is never run and never gets a status, so the orchestrator
   * would wait forever). @default - not checked
   */
  readonly operator?: IWatchingOperator;
}

const SPARK_GROUP = 'sparkoperator.k8s.io';

/**
 * What submitting and following one application run takes, per resource kind (see
 * docs/environments.md "Orchestrators (Airflow)" for which provider call needs each verb).
 */
function applicationRules(plural: string): Rule[] {
  return [
    { apiGroups: [SPARK_GROUP], resources: [plural], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
    { apiGroups: [SPARK_GROUP], resources: [`${plural}/status`], verbs: ['get'] },
  ];
}

/** Following the driver: its pod's state, its log, the namespace's events about it. */
const FOLLOW_DRIVER_RULES: readonly Rule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] },
];

/**
 * An orchestrator (Airflow's `SparkKubernetesOperator`, or any scheduler that submits a
 * SparkApplication per run and waits for it) allowed to do exactly that in the tenant
 * namespaces it serves, and nothing else anywhere.
 *
 * Emits, in each tenant namespace, a Role and a RoleBinding `<name>-orchestrator` for the
 * orchestrator's existing ServiceAccount: SparkApplications create/get/list/watch/delete, their
 * status get, pods get/list/watch, pods/log get, events list/watch (and the same on
 * ScheduledSparkApplications with `scheduled`). No ClusterRole, no Secrets, no pod writes.
 *
 * Nothing is emitted in the orchestrator's namespace: its pods' egress to the API server is that
 * namespace's business (its chart's NetworkPolicies, if any).
 */
export class OrchestratorAccess extends Construct {
  /** The orchestrator's name. */
  public readonly name: string;
  /** The orchestrator's namespace. */
  public readonly namespace: string;
  /** The orchestrator's ServiceAccount name. */
  public readonly serviceAccountName: string;
  /** The tenant namespaces it may submit to, in the order given. */
  public readonly tenants: readonly string[];
  /** Whether it may submit ScheduledSparkApplications too. */
  public readonly scheduled: boolean;
  /** The rules of the Role in each tenant namespace. */
  public readonly rules: readonly Rule[];

  constructor(scope: Construct, id: string, props: OrchestratorAccessProps) {
    super(scope, id);
    checkProps('OrchestratorAccessProps', props, `OrchestratorAccess ${show(props?.name)}`);
    const where = `OrchestratorAccess ${show(props.name)}`;
    assertName(props.name, NameRule.DNS1123_LABEL, 'name', where);
    assertName(props.namespace, NameRule.DNS1123_LABEL, 'namespace', where);
    assertName(props.serviceAccountName, NameRule.DNS1123_SUBDOMAIN, 'serviceAccountName', where);
    this.name = props.name;
    this.namespace = props.namespace;
    this.serviceAccountName = props.serviceAccountName;
    this.scheduled = props.scheduled ?? false;
    this.tenants = checkTenants(props, where);
    this.refuseTenantNamespace(where);

    this.rules = [
      ...applicationRules('sparkapplications'),
      ...(this.scheduled ? applicationRules('scheduledsparkapplications') : []),
      ...FOLLOW_DRIVER_RULES,
    ];
    const roleName = `${this.name}-orchestrator`;
    for (const ns of this.tenants) {
      grantRules(new Construct(this, ns), '', {
        name: roleName,
        namespace: ns,
        rules: this.rules,
        serviceAccount: { name: this.serviceAccountName, namespace: this.namespace },
        labels: platformLabels({ 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/component': 'orchestrator', [TENANT_LABEL]: ns }),
      });
    }
    // A tenant onboarded after this construct is only known once the tree is complete.
    this.node.addValidation({ validate: () => this.tenantNamespaceProblems(where).map((e) => e.message) });
  }

  /** The orchestrator's namespace may not be a tenant namespace: its account would hold tenant rights next to the tenant's Spark pods. */
  private refuseTenantNamespace(where: string): void {
    const problem = this.tenantNamespaceProblems(where)[0];
    if (problem !== undefined) throw problem;
  }

  private tenantNamespaceProblems(where: string): SparkPlatformError[] {
    const tenant = this.node.root.node.findAll().find((c): c is SparkNamespace => c instanceof SparkNamespace && c.name === this.namespace);
    if (tenant === undefined) return [];
    return [new SparkPlatformError('namespace', `${show(this.namespace)} is a tenant namespace (${tenant.node.path}): the orchestrator's pods would run next to the tenant's Spark pods, under its quota and NetworkPolicies`,
      'run the orchestrator in a namespace of its own (e.g. "airflow") and list the tenant under tenants', where)];
  }
}

function checkTenants(props: OrchestratorAccessProps, where: string): string[] {
  if (props.tenants.length === 0) {
    throw new SparkPlatformError('tenants', 'is empty, so the orchestrator could submit nowhere', 'list the tenant namespaces it submits Spark applications to', where);
  }
  const names = props.tenants.map((t) => t.name);
  names.forEach((n, i) => {
    assertName(n, NameRule.DNS1123_LABEL, `tenants[${i}]`, where);
    if (names.indexOf(n) !== i) throw new SparkPlatformError(`tenants[${i}]`, `${show(n)} is listed twice`, 'list each tenant namespace once', where);
    if (n === props.namespace) {
      throw new SparkPlatformError('namespace', `${show(n)} is also tenants[${i}]: the orchestrator's pods would run next to the tenant's Spark pods`, 'run the orchestrator in a namespace of its own (e.g. "airflow") and keep the tenant in tenants', where);
    }
    if (props.operator && props.operator.shardOf(n) === undefined) {
      throw new SparkPlatformError(`tenants[${i}]`, `${show(n)} is not watched by the Spark operator, so an application submitted there would never run and the orchestrator would wait until its timeout`,
        'add the namespace to the operator\'s jobNamespaces (make it a tenant), or remove it from tenants', where);
    }
  });
  return names;
}
