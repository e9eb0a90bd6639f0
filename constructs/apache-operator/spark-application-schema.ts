/**
 * The schemas of the `spark.apache.org` SparkApplication of Apache Spark's Kubernetes operator
 * 1.0.0, written for this project with the DSL of ../operator/crd-schema.ts. Field names, types,
 * enums, defaults and required lists follow the operator's Java model as its generated CRD states
 * them; test/apache-operator/crds.test.ts compares them with that CRD.
 *
 * Kubernetes objects the operator passes on (pod templates, Service, Ingress, their metadata, the
 * driver's PodStatus) are embedded types, recorded with `kube()`, not described: the upstream CRD
 * inlines them and weighs 1 MB.
 * @see https://github.com/apache/spark-kubernetes-operator/tree/v1.0.0
 */
import { arr, int, kube, KubernetesDefinition, obj, Schema, str, stringList, stringMap } from '../operator/crd-schema';
import {
  ApacheSparkOperatorVersion, gatewayApiObject, runtimeVersionsSchema, sparkConfSchema, stateTransitionHistorySchema, withDefault,
} from './common-schema';

const OBJECT_META: KubernetesDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const SERVICE_SPEC: KubernetesDefinition = 'io.k8s.api.core.v1.ServiceSpec';

/** The summaries of the states a SparkApplication goes through; `RunningWithPartialCapacity` is new in v1. */
export function applicationStateSummaries(version: ApacheSparkOperatorVersion): string[] {
  return [
    'DriverEvicted', 'DriverReady', 'DriverReadyTimedOut', 'DriverRequested', 'DriverStartTimedOut', 'DriverStarted',
    'ExecutorsStartTimedOut', 'Failed', 'InitializedBelowThresholdExecutors', 'ResourceReleased', 'RunningHealthy',
    'RunningWithBelowThresholdExecutors', ...(version === 'v1' ? ['RunningWithPartialCapacity'] : []), 'ScheduledToRestart',
    'SchedulingFailure', 'Submitted', 'Succeeded', 'TerminatedWithoutReleaseResources',
  ];
}

/** The `spec` of a SparkApplication. */
export function apacheSparkApplicationSpecSchema(version: ApacheSparkOperatorVersion): Schema {
  const v1 = version === 'v1';
  return obj({
    applicationTolerations: applicationTolerationsSchema(version),
    configMapSpecs: arr(obj({
      annotations: stringMap({ description: 'Annotations of the ConfigMap.' }),
      data: stringMap({ description: 'Files of the ConfigMap, by name.' }),
      labels: stringMap({ description: 'Labels of the ConfigMap.' }),
      name: str({ description: 'Name of the ConfigMap.' }),
    }, { required: ['name'] }), { description: 'ConfigMaps the operator creates with the application and deletes with it.' }),
    deploymentMode: str({ enum: ['ClientMode', 'ClusterMode'], description: 'Where the driver runs; the operator supports ClusterMode.' }),
    driverArgs: stringList({ description: 'Arguments of the main class or script.' }),
    ...(v1 && {
      driverGrpcRouteList: arr(routeSchema('grpcRoute', 'GRPCRoute'), { description: 'Gateway API GRPCRoutes to the driver, each with its Service.' }),
      driverHttpRouteList: arr(routeSchema('httpRoute', 'HTTPRoute'), { description: 'Gateway API HTTPRoutes to the driver, each with its Service.' }),
    }),
    driverServiceIngressList: arr(obj({
      ingressMetadata: kube(OBJECT_META, 'Metadata of the Ingress.'),
      ingressSpec: kube('io.k8s.api.networking.v1.IngressSpec', 'Spec of the Ingress.'),
      serviceMetadata: kube(OBJECT_META, 'Metadata of the Service in front of the driver.'),
      serviceSpec: kube(SERVICE_SPEC, 'Spec of the Service in front of the driver.'),
    }, { required: ['ingressMetadata', 'serviceMetadata', 'serviceSpec'] }), { description: 'Ingresses to the driver (e.g. its UI), each with its Service.' }),
    driverSpec: podSpecSchema('the driver'),
    executorSpec: podSpecSchema('each executor'),
    files: str({ description: 'Comma-separated files placed in the working directory of each executor (--files).' }),
    jars: str({ description: 'Comma-separated jars for the driver and executor classpaths (--jars); the first holds the main class.' }),
    mainClass: str({ description: 'Main class of a Java or Scala application (--class).' }),
    proxyUser: str({ description: 'User to impersonate when submitting (--proxy-user).' }),
    pyFiles: str({ description: 'Comma-separated Python files; the first is the entry point, the rest go on the PYTHONPATH.' }),
    runtimeVersions: runtimeVersionsSchema(),
    sparkConf: sparkConfSchema(),
    sparkRFiles: str({ description: 'The R file to run.' }),
  }, { required: ['runtimeVersions'], description: 'What to run and how: entry point, dependencies, Spark properties, pod templates.' });
}

/** The `status` of a SparkApplication, written by the operator; v1 adds restart counters to each attempt. */
export function apacheSparkApplicationStatusSchema(version: ApacheSparkOperatorVersion): Schema {
  const state = obj({
    currentStateSummary: str({ enum: applicationStateSummaries(version), description: 'The state, in one word.' }),
    lastObservedDriverStatus: kube('io.k8s.api.core.v1.PodStatus', 'Status of the driver pod when the state was entered.'),
    lastTransitionTime: str({ description: 'When the state was entered.' }),
    message: str({ description: 'Details, for people.' }),
  });
  const attempt = (which: string): Schema => obj({
    attemptInfo: obj({
      ...(version === 'v1' && { failureRestartCounter: int({ description: 'Restarts after failures so far.' }) }),
      id: int({ description: 'Number of the attempt.' }),
      ...(version === 'v1' && {
        restartCounter: int({ description: 'Restarts so far.' }),
        schedulingFailureRestartCounter: int({ description: 'Restarts after scheduling failures so far.' }),
      }),
    }, { description: 'Which attempt this is; v1beta1 has its number only.' }),
    stateTransitionHistory: stateTransitionHistorySchema(state),
  }, { description: `The ${which} attempt.` });
  return obj({
    currentAttemptSummary: attempt('current'),
    currentState: { ...state, props: { ...state.props, description: 'The state the application is in.' } },
    previousAttemptSummary: attempt('previous'),
    stateTransitionHistory: stateTransitionHistorySchema(state),
  }, { description: 'Observed state of the application.' });
}

/** Restarts, timeouts, executor counts and clean-up: how the operator treats the application. */
function applicationTolerationsSchema(version: ApacheSparkOperatorVersion): Schema {
  const v1 = version === 'v1';
  const millis = (what: string) => int({ description: `${what}, in milliseconds.` });
  return obj({
    applicationTimeoutConfig: obj({
      driverReadyTimeoutMillis: millis('How long the driver may take to become ready'),
      driverStartTimeoutMillis: millis('How long the driver pod may take to start'),
      executorStartTimeoutMillis: millis('How long the executors may take to start'),
      forceTerminationGracePeriodMillis: millis('Grace period of pods deleted on termination'),
      terminationRequeuePeriodMillis: millis('How often the operator checks that resources are gone'),
    }, { description: 'Timeouts of the start-up and of the clean-up.' }),
    instanceConfig: obj({
      initExecutors: int({ description: 'Executors requested at start.' }),
      maxExecutors: int({ description: 'Most executors.' }),
      minExecutors: int({ description: 'Fewest executors for the application to count as running healthy.' }),
    }, { description: 'How many executors the application needs.' }),
    ...(v1 && { resourceRetainDurationMillis: withDefault(millis('How long resources are kept after the application stops, -1 for no limit'), -1) }),
    resourceRetainPolicy: str({ enum: ['Always', 'Never', 'OnFailure'], description: 'When to keep the driver and its resources after the application stops.' }),
    restartConfig: obj({
      maxRestartAttempts: int({ description: 'Most restarts.' }),
      ...(v1 && {
        maxRestartOnFailure: int({ description: 'Most restarts after failures.' }),
        maxRestartOnSchedulingFailure: int({ description: 'Most restarts after scheduling failures.' }),
      }),
      restartBackoffMillis: millis('Wait before a restart'),
      ...(v1 && {
        restartBackoffMillisForFailure: millis('Wait before a restart after a failure'),
        restartBackoffMillisForSchedulingFailure: millis('Wait before a restart after a scheduling failure'),
        restartCounterResetMillis: withDefault(millis('Running time after which the restart counters reset, -1 for never'), -1),
      }),
      restartPolicy: str({ enum: ['Always', 'Never', 'OnFailure', 'OnInfrastructureFailure'], description: 'When to restart the application.' }),
    }, { description: 'When and how often to restart.' }),
    ...(v1 && { ttlAfterStopMillis: withDefault(millis('How long the application object is kept after it stops, -1 for ever'), -1) }),
  }, { description: 'How the operator restarts, times out and cleans up the application.' });
}

/** The pod template of the driver or of each executor. */
function podSpecSchema(pods: string): Schema {
  return obj({
    podTemplateSpec: kube('io.k8s.api.core.v1.PodTemplateSpec', `Pod template of ${pods}; Spark overrides what it sets itself.`),
  }, { description: `The pod of ${pods}.` });
}

/** A Gateway API route to the driver (`grpcRoute` or `httpRoute`) with the Service it points at. */
function routeSchema(prefix: 'grpcRoute' | 'httpRoute', kind: string): Schema {
  return obj({
    [`${prefix}Metadata`]: kube(OBJECT_META, `Metadata of the ${kind}.`),
    [`${prefix}Spec`]: gatewayApiObject(`Spec of the ${kind} (Gateway API).`),
    serviceMetadata: kube(OBJECT_META, 'Metadata of the Service in front of the driver.'),
    serviceSpec: kube(SERVICE_SPEC, 'Spec of the Service in front of the driver.'),
  }, { required: [`${prefix}Metadata`, 'serviceMetadata', 'serviceSpec'] });
}
