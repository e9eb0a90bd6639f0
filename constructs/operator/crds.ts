/**
 * The CustomResourceDefinitions of the Kubeflow Spark operator's `sparkoperator.k8s.io` API
 * (SparkApplication and ScheduledSparkApplication in v1beta2, SparkConnect in v1alpha1), authored
 * by this project. The operator needs all three installed: its controller watches SparkConnects
 * whether or not any exist, and exits when it cannot.
 *
 * Upstream's CRDs expand every embedded Kubernetes type and weigh about 0.8 MB each, too much for
 * client-side apply (kubeflow/spark-operator#2151). Ours type every Spark-specific field as the
 * operator does and keep embedded Kubernetes objects open (`x-kubernetes-preserve-unknown-fields`),
 * naming their Kubernetes type in an annotation that offline validation reads.
 * `npm run crds` writes them to constructs/operator/crds/ and generates imports/ from them.
 * @see https://github.com/kubeflow/spark-operator/tree/v2.5.2/charts/spark-operator-chart/crds
 */
import { k8s } from 'cdk8s-plus-28';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkProps } from '../validation/props';
import { stringify } from 'yaml';
import { platformLabels } from '../labels';
import { EMBEDDED_KUBERNETES_TYPES_ANNOTATION } from '../validation/embedded-types';
import { embeddedTypesJson, obj, Schema, str } from './crd-schema';
import {
  scheduledSparkApplicationSpecSchema,
  scheduledSparkApplicationStatusSchema,
  sparkApplicationSpecSchema,
  sparkApplicationStatusSchema,
} from './spark-application-schema';
import { sparkConnectSpecSchema, sparkConnectStatusSchema } from './spark-connect-schema';

/** API group of the Spark operator. */
export const SPARK_OPERATOR_GROUP = 'sparkoperator.k8s.io';

/** The one API version of SparkApplication and ScheduledSparkApplication the operator serves. */
export const SPARK_OPERATOR_API_VERSION = 'v1beta2';

/** The one API version of SparkConnect the operator serves. */
export const SPARK_CONNECT_API_VERSION = 'v1alpha1';

/**
 * `*.k8s.io` groups are reserved for Kubernetes: the API server accepts a CRD in one only with this
 * annotation, pointing at where the API was approved. The operator's CRDs cite its PR #1298.
 * @see https://github.com/kubernetes/enhancements/pull/1111
 */
const API_APPROVED = { 'api-approved.kubernetes.io': 'https://github.com/kubeflow/spark-operator/pull/1298' };

/** The SparkApplication CRD: one Spark job run by the operator. */
export function sparkApplicationCrd(): k8s.KubeCustomResourceDefinitionProps {
  return crd({
    kind: 'SparkApplication',
    plural: 'sparkapplications',
    shortName: 'sparkapp',
    schema: root(
      'A Spark application the Spark operator submits and watches.',
      sparkApplicationSpecSchema('What to run and how: spark-submit arguments, driver and executors.'),
      sparkApplicationStatusSchema(),
    ),
    columns: [
      { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
      { name: 'Status', type: 'string', jsonPath: '.status.applicationState.state' },
      { name: 'Attempts', type: 'integer', jsonPath: '.status.executionAttempts' },
      // `string`, not `date`: kubectl then shows the time itself rather than an age
      { name: 'Start', type: 'string', jsonPath: '.status.lastSubmissionAttemptTime' },
      { name: 'Finish', type: 'string', jsonPath: '.status.terminationTime' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
}

/** The ScheduledSparkApplication CRD: a SparkApplication created on a cron schedule. */
export function scheduledSparkApplicationCrd(): k8s.KubeCustomResourceDefinitionProps {
  return crd({
    kind: 'ScheduledSparkApplication',
    plural: 'scheduledsparkapplications',
    shortName: 'scheduledsparkapp',
    schema: root(
      'A SparkApplication the Spark operator creates on a schedule.',
      scheduledSparkApplicationSpecSchema(),
      scheduledSparkApplicationStatusSchema(),
    ),
    columns: [
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
      { name: 'TimeZone', type: 'string', jsonPath: '.spec.timeZone' },
      { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
      { name: 'Last Run', type: 'date', jsonPath: '.status.lastRun' },
      { name: 'Last Run Name', type: 'string', jsonPath: '.status.lastRunName' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
}

/** The SparkConnect CRD: a long-running Spark Connect server and its executors. */
export function sparkConnectCrd(): k8s.KubeCustomResourceDefinitionProps {
  return crd({
    kind: 'SparkConnect',
    plural: 'sparkconnects',
    shortName: 'sparkconn',
    version: SPARK_CONNECT_API_VERSION,
    schema: root(
      'A Spark Connect server the Spark operator runs, with its executors.',
      sparkConnectSpecSchema(),
      sparkConnectStatusSchema(),
    ),
    columns: [
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Status', type: 'string', jsonPath: '.status.state' },
      { name: 'PodName', type: 'string', jsonPath: '.status.server.podName' },
    ],
  });
}

/** One CRD as a file of constructs/operator/crds/. */
export interface CrdManifestFile {
  /** File name, `<group>_<plural>.yaml` as upstream names its files. */
  readonly file: string;
  /** The YAML text. */
  readonly text: string;
}

/**
 * The CRDs as the YAML files `npm run crds` writes to constructs/operator/crds/ (and `cdk8s import`
 * reads): the same bytes on every run, so a test can tell when the committed files are stale.
 */
export function crdManifestFiles(): CrdManifestFile[] {
  return [sparkApplicationCrd(), scheduledSparkApplicationCrd(), sparkConnectCrd()].map((props) => {
    const manifest = k8s.KubeCustomResourceDefinition.manifest(props) as { spec: { names: { plural: string } } };
    // lineWidth 0: no folded lines; no aliases: every node written out, as kubectl expects
    const body = stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false });
    return {
      file: `${SPARK_OPERATOR_GROUP}_${manifest.spec.names.plural}.yaml`,
      text: `# Generated by \`npm run crds\` from constructs/operator/crds.ts. Do not edit.\n${body}`,
    };
  });
}

/** Properties of SparkOperatorCrds. */
export interface SparkOperatorCrdsProps {
  /**
   * Extra labels on every CRD; the platform's own labels win on a clash.
   * @default - the platform labels only
   */
  readonly labels?: { readonly [key: string]: string };
}

/**
 * The Spark operator's CRDs (SparkApplication, ScheduledSparkApplication, SparkConnect), to install
 * before the operator and before any custom resource. Apply them server-side: CRDs are large, and
 * client-side apply copies each into an annotation.
 */
export class SparkOperatorCrds extends Construct {
  /** The SparkApplication CRD. */
  public readonly sparkApplication: ApiObject;
  /** The ScheduledSparkApplication CRD. */
  public readonly scheduledSparkApplication: ApiObject;
  /** The SparkConnect CRD. */
  public readonly sparkConnect: ApiObject;

  constructor(scope: Construct, id: string, props: SparkOperatorCrdsProps = {}) {
    super(scope, id);
    checkProps('SparkOperatorCrdsProps', props, 'SparkOperatorCrds');
    const withLabels = (def: k8s.KubeCustomResourceDefinitionProps): k8s.KubeCustomResourceDefinitionProps => ({
      ...def,
      metadata: { ...def.metadata, labels: { ...props.labels, ...def.metadata?.labels } },
    });
    this.sparkApplication = new k8s.KubeCustomResourceDefinition(this, 'SparkApplication', withLabels(sparkApplicationCrd()));
    this.scheduledSparkApplication = new k8s.KubeCustomResourceDefinition(this, 'ScheduledSparkApplication', withLabels(scheduledSparkApplicationCrd()));
    this.sparkConnect = new k8s.KubeCustomResourceDefinition(this, 'SparkConnect', withLabels(sparkConnectCrd()));
  }
}

interface CrdOptions {
  readonly kind: string;
  readonly plural: string;
  readonly shortName: string;
  /** @default SPARK_OPERATOR_API_VERSION */
  readonly version?: string;
  readonly schema: Schema;
  readonly columns: readonly k8s.CustomResourceColumnDefinition[];
}

function crd(options: CrdOptions): k8s.KubeCustomResourceDefinitionProps {
  return {
    metadata: {
      name: `${options.plural}.${SPARK_OPERATOR_GROUP}`,
      labels: platformLabels(),
      annotations: {
        ...API_APPROVED,
        [EMBEDDED_KUBERNETES_TYPES_ANNOTATION]: embeddedTypesJson(options.schema),
      },
    },
    spec: {
      group: SPARK_OPERATOR_GROUP,
      scope: 'Namespaced',
      names: {
        kind: options.kind,
        listKind: `${options.kind}List`,
        plural: options.plural,
        singular: options.kind.toLowerCase(),
        shortNames: [options.shortName],
      },
      versions: [{
        name: options.version ?? SPARK_OPERATOR_API_VERSION,
        served: true,
        storage: true,
        schema: { openApiv3Schema: options.schema.props },
        subresources: { status: {} },
        additionalPrinterColumns: [...options.columns],
      }],
    },
  };
}

/** The root of a custom resource: the envelope every object has, then spec and status. */
function root(description: string, spec: Schema, status: Schema): Schema {
  return obj({
    apiVersion: str({ description: 'API version of the object.' }),
    kind: str({ description: 'Kind of the object.' }),
    // The API server validates metadata as ObjectMeta whatever the schema says; `type` is all it allows here.
    metadata: { props: { type: 'object' }, embedded: new Map() },
    spec,
    status,
  }, { required: ['metadata', 'spec'], description });
}
