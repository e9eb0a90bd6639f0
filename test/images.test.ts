import { imagePinProblem, imageReferenceProblem, parseImageReference, SparkImage } from '../constructs';
import { doctor, deployment, of } from './doctor/fixtures';

const HEX = 'a'.repeat(64);

describe('image references follow the distribution grammar', () => {
  test.each([
    ['docker.io/apache/spark:4.0.3-scala2.13-java17-python3-ubuntu', { name: 'docker.io/apache/spark', tag: '4.0.3-scala2.13-java17-python3-ubuntu' }],
    ['localhost:5001/spark-notebook:4.0.3-jupyterlab4.6.6', { name: 'localhost:5001/spark-notebook', tag: '4.0.3-jupyterlab4.6.6' }],
    ['[::1]:5000/team/app:v1', { name: '[::1]:5000/team/app', tag: 'v1' }],
    [`quay.io/minio/mc@sha256:${HEX}`, { name: 'quay.io/minio/mc', digest: `sha256:${HEX}` }],
    [`ghcr.io/kubeflow/spark-operator/controller:2.5.2@sha256:${HEX}`, { name: 'ghcr.io/kubeflow/spark-operator/controller', tag: '2.5.2', digest: `sha256:${HEX}` }],
    ['registry.example.com/a__b/c-d.e:T_1', { name: 'registry.example.com/a__b/c-d.e', tag: 'T_1' }],
  ])('%s parses', (image, parsed) => {
    expect(imageReferenceProblem(image)).toBeUndefined();
    expect(parseImageReference(image)).toEqual(expect.objectContaining(parsed));
  });

  test.each([
    ['apache/spark:', /has an empty tag/],
    ['apache/spark@', /has an empty digest/],
    [' apache/spark:4.0.3', /contains white space/],
    ['apache/spark:4.0.3 ', /contains white space/],
    ['apache/Spark:4.0.3', /upper-case letters in its repository path/],
    ['apache/spark@sha256:abc', /malformed digest/],
    ['apache/spark:-bad', /is not a valid image reference/],
    [`apache/spark:${'x'.repeat(129)}`, /is not a valid image reference/],
    ['apache//spark:1', /is not a valid image reference/],
    ['', /is not an image reference/],
  ])('%s is refused', (image, problem) => {
    expect(imageReferenceProblem(image)).toMatch(problem);
    expect(imagePinProblem(image)).toMatch(problem);
  });

  test('the constructs refuse a malformed reference, naming the field', () => {
    expect(() => SparkImage.custom({ image: 'registry.example.com/spark:', sparkVersion: '4.0.3' })).toThrow(/SparkImage "registry\.example\.com\/spark:" image: "registry\.example\.com\/spark:" has an empty tag\. Fix: pin an explicit version tag/);
  });

  test('the doctor\'s image-not-pinned flags a malformed reference in any workload, and passes a valid pinned one', () => {
    const bad = of(doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27 ' })), 'image-not-pinned');
    expect(bad).toHaveLength(1);
    expect(bad[0].message).toMatch(/contains white space/);
    expect(of(doctor((c) => deployment(c, 'Web', { image: 'nginx:1.27' })), 'image-not-pinned')).toEqual([]);
  });
});
