/**
 * The Pulumi program refuses secrets in the objects it would register (and so keep in its
 * state) exactly as `npm run synth` refuses to write them: the same doctor rule
 * (`secret-in-output`), the same messages, nothing registered, no value in the error.
 */
import * as pulumi from '@pulumi/pulumi';
import { deployPlatform } from '../../stacks/pulumi/program';
import { SynthError, renderAll } from '../../stacks/synth';
import { installPulumiMocks, setStackConfig } from '../helpers/pulumi-mocks';
import { LEAKS, SECRET_RULE, chars, expectNoValue, leakyEnvironment, secretRuleLines } from '../helpers/secret-leaks';

jest.setTimeout(60_000);

const PROJECT = 'spark-platform';
const recorder = installPulumiMocks(PROJECT, 'test');

/** What `run` threw (the test fails when it does not throw). */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

test('the examples of the issue fail the program with the synth\'s messages; nothing is registered', () => {
  // GIVEN an environment with user:password URLs, a literal API_KEY, a keyStorePassword in the conf, a token annotation and base64 plaintext as SealedSecret data
  const env = leakyEnvironment();
  const synthLines = secretRuleLines(thrown(() => renderAll([env])));
  recorder.clear();
  // WHEN the Pulumi program deploys it
  const error = thrown(() => deployPlatform({ config: setStackConfig(PROJECT, { environment: env.name }), environments: [env] }));
  // THEN it fails before registering anything, as the synth does, line for line
  expect(error).toBeInstanceOf(SynthError);
  expect(recorder.registrations.size).toBe(0);
  const lines = secretRuleLines(error);
  expect(lines.length).toBeGreaterThanOrEqual(6);
  expect(lines).toEqual(synthLines);
  expect(lines.join('\n')).toMatch(/spec\.deps\.repositories\[0\]: a password in URL user info/);
  expect(lines.join('\n')).toMatch(/env API_KEY holds a literal value/);
  expect(lines.join('\n')).toMatch(/spec\.sparkConf\["spark\.ssl\.keyStorePassword"\]/);
  expect(lines.join('\n')).toMatch(/metadata\.annotations\["example\.com\/deploy-token"\]: a GitHub token/);
  expect(lines.join('\n')).toMatch(/SealedSecret\/spark-jobs\/lab-token\): spec\.encryptedData\.token: base64 of plain text/);
  for (const v of Object.values(LEAKS)) expectNoValue(error.message, v, v.startsWith('ghp_') ? 'ghp_' : undefined);
});

test('a password in storage.external.endpoint set through the stack config (overrides) fails the program, without the value', () => {
  const password = `Pw-${chars(12, 'pulumi-override')}`;
  recorder.clear();
  setStackConfig(PROJECT, {
    environment: 'dev',
    overrides: {
      storage: { minio: null, external: { endpoint: `https://deploy:${password}@s3.example.com` } },
      network: { objectStore: { namespace: null, podLabels: null, cidrs: ['192.0.2.20/32'], ports: [443] } },
    },
  });
  const error = thrown(() => deployPlatform());
  expect(recorder.registrations.size).toBe(0);
  expect(error.message).toMatch(new RegExp(`${SECRET_RULE} .*: a password in URL user info \\(scheme://user:password@host\\).*Fix: write the endpoint without user:password@ \\(storage\\.external\\.endpoint`));
  expectNoValue(error.message, password);
});

test('a suppression with a reason in the environment lets the program register', async () => {
  const env = leakyEnvironment();
  const reason = 'throwaway values of a test fixture';
  const suppressed = { ...env, doctor: { ...env.doctor, suppressions: ['jobs', 'notebooks', 'storage'].map((path) => ({ rule: SECRET_RULE, path, reason })) } };
  recorder.clear();
  const platform = deployPlatform({ config: setStackConfig(PROJECT, { environment: env.name, secrets: { 's3-credentials': { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' } } }, ['secrets']), environments: [suppressed] });
  await new Promise<void>((resolve) => pulumi.all([...platform.resources.values()].map((r) => r.urn)).apply(() => resolve()));
  expect(recorder.registrations.size).toBeGreaterThan(10);
});
