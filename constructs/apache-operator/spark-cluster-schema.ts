/**
 * The schemas of the `spark.apache.org` SparkCluster of Apache Spark's Kubernetes operator 1.0.0:
 * a standalone Spark cluster (one master, a scalable set of workers), written for this project with
 * the DSL of ../operator/crd-schema.ts. Field names, types, enums and required lists follow the
 * operator's Java model as its generated CRD states them; test/apache-operator/crds.test.ts
 * compares them with that CRD.
 *
 * The StatefulSets, Services and HorizontalPodAutoscaler the operator creates are configured
 * through embedded Kubernetes types, recorded with `kube()`, not described.
 * @see https://github.com/apache/spark-kubernetes-operator/tree/v1.0.0
 */
import { int, kube, KubernetesDefinition, obj, Schema, str } from '../operator/crd-schema';
import { ApacheSparkOperatorVersion, runtimeVersionsSchema, sparkConfSchema, stateTransitionHistorySchema } from './common-schema';

const OBJECT_META: KubernetesDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The summaries of the states a SparkCluster goes through. */
export const CLUSTER_STATE_SUMMARIES: readonly string[] = ['Failed', 'ResourceReleased', 'RunningHealthy', 'SchedulingFailure', 'Submitted'];

/** The `spec` of a SparkCluster. */
export function apacheSparkClusterSpecSchema(): Schema {
  return obj({
    clusterTolerations: obj({
      instanceConfig: obj({
        initWorkers: int({ description: 'Workers started with the cluster.' }),
        maxWorkers: int({ description: 'Most workers.' }),
        minWorkers: int({ description: 'Fewest workers.' }),
      }, { required: ['initWorkers', 'maxWorkers', 'minWorkers'], description: 'How many workers the cluster has.' }),
    }, { required: ['instanceConfig'], description: 'How the operator sizes the cluster.' }),
    masterSpec: obj(roleFields('master'), { description: 'The master: its StatefulSet and Service.' }),
    runtimeVersions: runtimeVersionsSchema(),
    sparkConf: sparkConfSchema(),
    workerSpec: obj({
      horizontalPodAutoscalerSpec: kube('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec', 'Spec of the HorizontalPodAutoscaler scaling the workers.'),
      ...roleFields('worker'),
    }, { description: 'The workers: their StatefulSet, Service and autoscaler.' }),
  }, { required: ['clusterTolerations', 'runtimeVersions'], description: 'The standalone cluster: size, versions, Spark properties, master and workers.' });
}

/** The `status` of a SparkCluster, written by the operator; `attemptInfo.restartCounter` is new in v1. */
export function apacheSparkClusterStatusSchema(version: ApacheSparkOperatorVersion): Schema {
  const state = obj({
    currentStateSummary: str({ enum: CLUSTER_STATE_SUMMARIES, description: 'The state, in one word.' }),
    lastTransitionTime: str({ description: 'When the state was entered.' }),
    message: str({ description: 'Details, for people.' }),
  });
  const attempt = (which: string): Schema => obj({
    attemptInfo: obj({
      id: int({ description: 'Number of the attempt.' }),
      ...(version === 'v1' && { restartCounter: int({ description: 'Restarts so far.' }) }),
    }, { description: 'Which attempt this is.' }),
    stateTransitionHistory: stateTransitionHistorySchema(state),
  }, { description: `The ${which} attempt.` });
  return obj({
    currentAttemptSummary: attempt('current'),
    currentState: { ...state, props: { ...state.props, description: 'The state the cluster is in.' } },
    previousAttemptSummary: attempt('previous'),
    stateTransitionHistory: stateTransitionHistorySchema(state),
  }, { description: 'Observed state of the cluster.' });
}

/** The StatefulSet and the Service of the master or of the workers. */
function roleFields(role: 'master' | 'worker') {
  const pods = role === 'master' ? 'the master' : 'the workers';
  return {
    serviceMetadata: kube(OBJECT_META, `Metadata of the Service in front of ${pods}.`),
    serviceSpec: kube('io.k8s.api.core.v1.ServiceSpec', `Spec of the Service in front of ${pods}.`),
    statefulSetMetadata: kube(OBJECT_META, `Metadata of the StatefulSet of ${pods}.`),
    statefulSetSpec: kube('io.k8s.api.apps.v1.StatefulSetSpec', `Spec of the StatefulSet of ${pods}; the operator fills in what it needs.`),
  };
}
