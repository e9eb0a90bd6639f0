import { SparkJob, SparkJobType, SparkNamespace, assertUserMetadata } from '../constructs';
import { testChart } from './helpers/manifests';

const job = (extra: Record<string, unknown>) => () => {
  const chart = testChart();
  new SparkJob(chart, 'Job', {
    namespace: SparkNamespace.fromName('spark-jobs'), name: 'pi', type: SparkJobType.SCALA,
    mainClass: 'org.apache.spark.examples.SparkPi', mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar', ...extra,
  });
};

describe('labels and annotations users give', () => {
  test.each([
    ['a platform-owned label on a job', { labels: { 'app.kubernetes.io/managed-by': 'me' } }, /SparkJob "pi" labels\["app\.kubernetes\.io\/managed-by"\]: "app\.kubernetes\.io\/managed-by" is set by the platform, Spark or the operator/],
    ['spark-role on the executors', { executor: { labels: { 'spark-role': 'driver' } } }, /executor\.labels\["spark-role"\]: "spark-role" is set by the platform, Spark or the operator/],
    ['a spark-platform.io annotation on the pods', { pods: { annotations: { 'spark-platform.io/source': 'x' } } }, /pods\.annotations\["spark-platform\.io\/source"\]: .* is under "spark-platform\.io\/"/],
    ['an operator label', { labels: { 'sparkoperator.k8s.io/app-name': 'x' } }, /is under "sparkoperator\.k8s\.io\/"/],
    ['a malformed key', { labels: { 'team name': 'a' } }, /labels\["team name"\]: "team name" is not a valid key/],
    ['a bad label value', { driver: { labels: { team: 'a b' } } }, /driver\.labels\["team"\]: "a b" is not a valid label value/],
  ])('SparkJob refuses %s', (_what, extra, message) => {
    expect(job(extra)).toThrow(message);
  });

  test('user keys, app.kubernetes.io/name and well-known annotations pass', () => {
    expect(job({ labels: { team: 'ml', 'app.kubernetes.io/name': 'pi' }, pods: { annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false', 'example.com/owner': 'a b c' } } })).not.toThrow();
  });

  test('a tenant namespace\'s labels may not override Pod Security or the platform', () => {
    expect(() => new SparkNamespace(testChart(), 'T', { name: 'team', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } }))
      .toThrow(/SparkNamespace "team" labels\["pod-security\.kubernetes\.io\/enforce"\]: .* is under "pod-security\.kubernetes\.io\/", which the platform, Pod Security or the operator own/);
    expect(() => new SparkNamespace(testChart(), 'T', { name: 'team', labels: { 'spark-platform.io/tenant': 'other' } })).toThrow(/is under "spark-platform\.io\/"/);
    expect(() => new SparkNamespace(testChart(), 'T', { name: 'team', labels: { 'cost-center': '42' } })).not.toThrow();
  });

  test('assertUserMetadata: annotation values are free text, label values are not', () => {
    expect(() => assertUserMetadata({ note: 'any text, at all' }, 'annotation', 'annotations')).not.toThrow();
    expect(() => assertUserMetadata({ note: 'any text' }, 'label', 'labels')).toThrow(/is not a valid label value/);
  });
});
