import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
/**
 * The secret detector (scanForSecrets) and the doctor rule that runs it over every rendered
 * object (`secret-in-output`): each secret class found in each kind of place with its path and
 * never its value, a near miss for each that must not fire, base64-wrapped variants, SealedSecret
 * ciphertext that is not ciphertext, suppressions, and the whole synth path (renderAll) on the
 * examples of the issue. Test secrets are assembled at run time, so no literal token is in the repo.
 */
import { createHash } from 'crypto';
import { ApiObject, App, Chart } from 'cdk8s';
import { Doctor, DoctorFinding, attachDoctor } from '../../constructs/doctor';
import { SparkEnvValue } from '../../constructs/spark-env';
import { SecretSource } from '../../constructs/storage/credentials';
import { SecretKind, isLiteral, isSecretName, scanForSecrets } from '../../constructs/validation/secret-scan';
import { ENVIRONMENTS } from '../../stacks/environments';
import { renderAll } from '../../stacks/synth';
import { LEAKS, SECRET_RULE as RULE, b64, chars, expectNoValue, leakyEnvironment, secretRuleLines } from '../helpers/secret-leaks';

/** A Kubernetes object as plain JSON. */
type K8s = { apiVersion: string; kind: string; [k: string]: unknown };

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0234567';
/** Bytes that look like kubeseal output: binary, base64-encoded. */
const ciphertext = (seed: string) => Buffer.concat([Buffer.from([0x02, 0x00]), ...Array.from({ length: 10 }, (_, i) => createHash('sha256').update(`${seed}${i}`).digest())]).toString('base64');

/** One secret of each class the detector knows by its format, the label a message gives it, and its secret part (`secret`, default the whole value). */
const SECRETS: ReadonlyArray<{ name: string; value: string; kind: SecretKind; label: RegExp; prefix?: string; secret?: string }> = [
  { name: 'URL user info', value: `https://deploy:${chars(12, 'url')}@repo.example.com/maven`, secret: chars(12, 'url'), kind: 'url-credentials', label: /a password in URL user info/ },
  { name: 'AWS access key id', value: `AKIA${chars(16, 'aws', UPPER)}`, kind: 'aws-access-key-id', label: /an AWS access key id \(AKIA…\)/, prefix: 'AKIA' },
  { name: 'GitHub token', value: `ghp_${chars(36, 'gh')}`, kind: 'github-token', label: /a GitHub token \(ghp_…\)/, prefix: 'ghp_' },
  { name: 'GitHub fine-grained token', value: `github_pat_${chars(22, 'pat1')}_${chars(59, 'pat2')}`, kind: 'github-token', label: /a GitHub token \(github_pat_…\)/, prefix: 'github_pat_' },
  { name: 'Slack token', value: `xoxb-${chars(12, 's1', '0123456789')}-${chars(24, 's2')}`, kind: 'slack-token', label: /a Slack token \(xoxb-…\)/, prefix: 'xoxb-' },
  { name: 'JWT', value: `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"spark","iat":1700000000}')}.${chars(43, 'sig')}`, kind: 'jwt', label: /a JWT \(eyJ…\)/, prefix: 'eyJ' },
  { name: 'PEM private key', value: `-----BEGIN ${'RSA PRIVATE'} KEY-----\n${chars(64, 'pem')}\n-----END RSA PRIVATE KEY-----\n`, kind: 'private-key', label: /a PEM private key/ },
  { name: 'Google API key', value: `AIza${chars(35, 'google')}`, kind: 'google-api-key', label: /a Google API key \(AIza…\)/, prefix: 'AIza' },
  { name: 'Stripe live key', value: `sk_${'live'}_${chars(24, 'stripe')}`, kind: 'stripe-key', label: /a Stripe live key \(sk_live_…\)/, prefix: 'sk_live_' },
];

/** Near misses of each class: the same shapes, short of a secret. */
const NEAR_MISSES: ReadonlyArray<[string, string]> = [
  ['a URL with a user and no password', 'https://deploy@repo.example.com/maven'],
  ['a URL whose password is a reference', 'https://deploy:${env:REPO_PASSWORD}@repo.example.com/maven'],
  ['the in-cluster master URL', 'k8s://https://kubernetes.default.svc:443'],
  ['an access key id one character short', `AKIA${chars(15, 'aws', UPPER)}`],
  ['an access key id in lower case', `akia${chars(16, 'aws', UPPER).toLowerCase()}`],
  ['a GitHub prefix with a short body', `ghp_${chars(20, 'gh')}`],
  ['an unknown GitHub-like prefix', `ghx_${chars(36, 'gh')}`],
  ['a Slack-like prefix Slack does not use', `xoxz-${chars(30, 's')}`],
  ['eyJ segments that are not a JWT header', `eyJ${chars(12, 'j1')}.${chars(12, 'j2')}.${chars(12, 'j3')}`],
  ['a certificate', `-----BEGIN CERTIFICATE-----\n${chars(64, 'cert')}\n-----END CERTIFICATE-----`],
  ['a public key', `-----BEGIN PUBLIC KEY-----\n${chars(64, 'pub')}\n-----END PUBLIC KEY-----`],
  ['a Google-like prefix with a short body', `AIza${chars(20, 'google')}`],
  ['a Stripe publishable key', `pk_${'live'}_${chars(24, 'stripe')}`],
  ['an image digest', `docker.io/apache/spark@sha256:${createHash('sha256').update('image').digest('hex')}`],
  ['a checksum', createHash('sha512').update('jar').digest('base64')],
  ['base64 of harmless text', b64('hello from the spark platform, nothing to see here')],
];

/** Places a string can be in, each an object with the string at a known path. */
const PLACES: ReadonlyArray<{ name: string; object: (v: string) => Record<string, unknown>; path: string }> = [
  { name: 'a sparkConf value', object: (v) => sparkApplication({ sparkConf: { 'spark.app.note': v } }), path: 'spec.sparkConf["spark.app.note"]' },
  { name: 'a container arg', object: (v) => job(['--verbose', v]), path: 'spec.template.spec.containers[0].args[1]' },
  { name: 'an env value', object: (v) => deployment([{ name: 'NOTE', value: v }]), path: 'spec.template.spec.containers[0].env[0].value' },
  { name: 'an annotation', object: (v) => ({ ...configMap({}), metadata: { name: 'c', namespace: 'team', annotations: { 'example.com/note': v } } }), path: 'metadata.annotations["example.com/note"]' },
  { name: 'a ConfigMap file', object: (v) => configMap({ 'notes.txt': `first line\n${v}\n` }), path: 'data["notes.txt"]' },
  { name: 'a SparkApplication argument', object: (v) => sparkApplication({ arguments: ['--in', v] }), path: 'spec.arguments[1]' },
  { name: 'a Secret stringData value', object: (v) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team' }, stringData: { note: v } }), path: 'stringData.note' },
];

describe('scanForSecrets: every format in every place, by path, never the value', () => {
  const cases = SECRETS.flatMap((s) => PLACES.map((p) => [`${s.name} in ${p.name}`, s, p] as const));
  test.each(cases)('%s', (_name, secret, place) => {
    const findings = scanForSecrets(place.object(secret.value));
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ path: place.path, kind: secret.kind, what: expect.stringMatching(secret.label) })]));
    expectNoValue(JSON.stringify(findings), secret.secret ?? secret.value, secret.prefix);
  });

  test.each(SECRETS.map((s) => [s.name, s] as const))('%s, base64-wrapped, in a ConfigMap and in an annotation', (_name, secret) => {
    const wrapped = b64(secret.value);
    const findings = [...scanForSecrets(configMap({ blob: wrapped })), ...scanForSecrets(deployment([], { 'example.com/blob': `prefix ${wrapped}` }))];
    expect(findings.map((f) => [f.path, f.kind, f.what.startsWith('base64 of ')])).toEqual(expect.arrayContaining([
      ['data.blob', secret.kind, true],
      ['metadata.annotations["example.com/blob"]', secret.kind, true],
    ]));
    expectNoValue(JSON.stringify(findings), secret.secret ?? secret.value, secret.prefix);
    expectNoValue(JSON.stringify(findings), wrapped);
  });

  test.each(NEAR_MISSES)('near miss, nowhere: %s', (_name, value) => {
    for (const place of PLACES) expect(scanForSecrets(place.object(value))).toEqual([]);
    expect(scanForSecrets(configMap({ blob: b64(value) }))).toEqual([]);
  });

  test('a 40-character secret access key next to an access key id, in the same string or as a sibling', () => {
    const id = `AKIA${chars(16, 'aws', UPPER)}`;
    const key = chars(40, 'sak', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
    expect(scanForSecrets(configMap({ creds: `${id}:${key}` })).map((f) => f.kind)).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
    expect(scanForSecrets(configMap({ a: id, b: key })).map((f) => `${f.path} ${f.kind}`)).toEqual(['data.a aws-access-key-id', 'data.b aws-secret-access-key']);
    // Without an access key id beside it, 40 characters are just 40 characters (a SHA-1, a token of anything).
    expect(scanForSecrets(configMap({ b: key }))).toEqual([]);
  });
});

describe('scanForSecrets: literals under secret names, where name and value are an explicit pair', () => {
  const value = `lit-${chars(10, 'named')}`;
  const found: ReadonlyArray<[string, Record<string, unknown>, string, RegExp]> = [
    ['env API_KEY (SparkEnvValue.fromValue)', deployment([{ name: 'API_KEY', value }]), 'spec.template.spec.containers[0].env[0].value', /env API_KEY holds a literal value/],
    ['env DB_PASSWORD', deployment([{ name: 'DB_PASSWORD', value }]), 'spec.template.spec.containers[0].env[0].value', /env DB_PASSWORD/],
    ['env AWS_SECRET_ACCESS_KEY', deployment([{ name: 'AWS_SECRET_ACCESS_KEY', value }]), 'spec.template.spec.containers[0].env[0].value', /env AWS_SECRET_ACCESS_KEY/],
    ['env AWS_ACCESS_KEY_ID', deployment([{ name: 'AWS_ACCESS_KEY_ID', value }]), 'spec.template.spec.containers[0].env[0].value', /env AWS_ACCESS_KEY_ID/],
    ['sparkConf spark.ssl.keyStorePassword', sparkApplication({ sparkConf: { 'spark.ssl.keyStorePassword': value } }), 'spec.sparkConf["spark.ssl.keyStorePassword"]', /"spark\.ssl\.keyStorePassword" holds a literal value/],
    ['sparkConf spark.authenticate.secret', sparkApplication({ sparkConf: { 'spark.authenticate.secret': value } }), 'spec.sparkConf["spark.authenticate.secret"]', /spark\.authenticate\.secret/],
    ['sparkConf oauthToken', sparkApplication({ sparkConf: { 'spark.kubernetes.authenticate.submission.oauthToken': value } }), 'spec.sparkConf["spark.kubernetes.authenticate.submission.oauthToken"]', /oauthToken/],
    ['hadoopConf fs.s3a.secret.key', sparkApplication({ hadoopConf: { 'fs.s3a.secret.key': value } }), 'spec.hadoopConf["fs.s3a.secret.key"]', /fs\.s3a\.secret\.key/],
    ['SparkApplication driver envVars', sparkApplication({ driver: { envVars: { GITHUB_TOKEN: value } } }), 'spec.driver.envVars.GITHUB_TOKEN', /"GITHUB_TOKEN" holds a literal value/],
    ['an annotation named token', deployment([], { 'example.com/api-token': value }), 'metadata.annotations["example.com/api-token"]', /"example\.com\/api-token"/],
    ['ConfigMap data key private_key', configMap({ private_key: value }), 'data.private_key', /"private_key"/],
    ['--conf key=value in args', job(['--conf', `spark.ssl.keyStorePassword=${value}`]), 'spec.template.spec.containers[0].args[1]', /spark\.ssl\.keyStorePassword=… sets a literal value/],
    ['-Dkey=value in extraJavaOptions', sparkApplication({ sparkConf: { 'spark.driver.extraJavaOptions': `-Dx=1 -Djavax.net.ssl.keyStorePassword=${value}` } }), 'spec.sparkConf["spark.driver.extraJavaOptions"]', /javax\.net\.ssl\.keyStorePassword=…/],
    ['--password=value in args', job([`--password=${value}`]), 'spec.template.spec.containers[0].args[0]', /password=…/],
    ['a token in a URL query', job([`https://api.example.com/v1?user=spark&token=${value}`]), 'spec.template.spec.containers[0].args[0]', /token=…/],
    ['spark-defaults.conf line', configMap({ 'spark-defaults.conf': `spark.master k8s://x\nspark.hadoop.fs.s3a.access.key ${value}\n` }), 'data["spark-defaults.conf"]', /spark\.hadoop\.fs\.s3a\.access\.key … sets a literal value \(line 2\)/],
    ['a properties line', configMap({ 'app.properties': `a=1\ndb.password = ${value}\n` }), 'data["app.properties"]', /db\.password=… sets a literal value \(line 2\)/],
    ['a Hadoop XML property', configMap({ 'core-site.xml': `<configuration><property><name>fs.s3a.secret.key</name><value>${value}</value></property></configuration>` }), 'data["core-site.xml"]', /<name>fs\.s3a\.secret\.key<\/name>/],
    ['a JSON pair in a file', configMap({ 'config.txt': `{"user": "spark", "apiKey": "${value}"}` }), 'data["config.txt"]', /"apiKey": …/],
    ['env in a pod template carried as YAML', configMap({ 'driver-template.yaml': `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n      env:\n        - name: API_TOKEN\n          value: ${value}\n` }), 'data["driver-template.yaml"]#spec.containers[0].env[0].value', /env API_TOKEN/],
    ['a secret-named key in a YAML file', configMap({ 'app.yaml': `db:\n  host: db.example.com\n  password: ${value}\n` }), 'data["app.yaml"]#db.password', /"password" holds a literal value/],
    ['env in a YAML template that also has the usual token and secretKeyRef lines', configMap({ 'executor-template.yaml': `spec:\n  automountServiceAccountToken: false\n  containers:\n    - name: c\n      env:\n        - name: AWS_ACCESS_KEY_ID\n          valueFrom:\n            secretKeyRef:\n              name: s3-credentials\n              key: AWS_ACCESS_KEY_ID\n        - name: SERVICE_TOKEN\n          value: ${value}\n` }), 'data["executor-template.yaml"]#spec.containers[0].env[1].value', /env SERVICE_TOKEN/],
    ['a Secret data key named password (base64)', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: b64(value) } }, 'data.password', /"password" holds a literal value/],
    ['base64 of password=value in an annotation', deployment([], { 'example.com/blob': b64(`password=${value}`) }), 'metadata.annotations["example.com/blob"]', /base64 of password=… sets a literal value/],
  ];
  test.each(found)('%s', (_name, object, path, what) => {
    const findings = scanForSecrets(object);
    expect(findings).toEqual([expect.objectContaining({ path, kind: 'named-literal', what: expect.stringMatching(what) })]);
    expectNoValue(JSON.stringify(findings), value);
  });

  const quiet: ReadonlyArray<[string, Record<string, unknown>]> = [
    ['a pod template as YAML with the token switch and Secret references only', configMap({ 'driver-template.yaml': 'spec:\n  automountServiceAccountToken: true\n  containers:\n    - name: c\n      env:\n        - name: AWS_SECRET_ACCESS_KEY\n          valueFrom:\n            secretKeyRef:\n              name: s3-credentials\n              key: AWS_SECRET_ACCESS_KEY\n' })],
    ['a YAML file whose secret-named keys hold no literal', configMap({ 'app.yaml': 'tls:\n  secretName: web-tls\n  tokenTtl: 3600\n  passwordless: true\n' })],
    ['env from a Secret (SparkEnvValue.fromSecret)', deployment([{ name: 'API_KEY', ...SparkEnvValue.fromSecret('api', 'key').toEnvVar('API_KEY') }])],
    ['an empty env value', deployment([{ name: 'JUPYTER_TOKEN', value: '' }])],
    ['an env value that is a kubelet reference', deployment([{ name: 'DB_PASSWORD', value: '$(PASSWORD_FROM_FILE)' }])],
    ['env names that point at files or name Secrets', deployment([{ name: 'API_KEY_FILE', value: '/etc/api/key' }, { name: 'TOKEN_SECRET_NAME', value: 'lab-token' }, { name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/run/gcp/key.json' }, { name: 'PWD', value: 'hunter' }])],
    ['conf that points at a file or env var', sparkApplication({ sparkConf: { 'spark.authenticate.secret.file': '/etc/spark/secret', 'spark.ssl.keyStorePassword': '${env:KEYSTORE_PASSWORD}', 'spark.ssl.keyStore': '/etc/ssl/ks.jks', 'spark.hadoop.fs.s3a.secret.key': '${env.AWS_SECRET_ACCESS_KEY}' } })],
    ['conf that references Secrets by name', sparkApplication({ sparkConf: { 'spark.kubernetes.driver.secretKeyRef.API_KEY': 'api:key', 'spark.kubernetes.executor.secrets.spark-token': '/etc/token', 'spark.hadoop.fs.s3a.aws.credentials.provider': 'software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider', 'spark.authenticate.secretBitLength': '256' } })],
    ['secretKeyRef, Secret names and key names', deployment([{ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'AWS_SECRET_ACCESS_KEY' } } }], { 'example.com/token-secret': '' })],
    ['placeholders and booleans', configMap({ token: '<token>', password: '********', secret: '__SUBMITTER_POD_UID__', 'require-token': 'true', api_key: '{{ .Values.apiKey }}' })],
    ['args with references and files', job(['--conf', 'spark.ssl.keyStorePassword=${env:KS_PASSWORD}', '--password-file=/etc/p', '--token=$(TOKEN)', 'password=$DB_PASSWORD'])],
    ['a spark-defaults file pointing at files', configMap({ 'spark-defaults.conf': 'spark.authenticate.secret.file /etc/secret\nspark.ssl.keyStorePassword ${env:KS}\n# password: see the runbook\n' })],
    ['automountServiceAccountToken and quota counts', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { secrets: '20', 'count/secrets': '20' } } }],
    ['an ExternalSecret mapping keys', { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e' }, spec: { data: [{ secretKey: 'password', remoteRef: { key: 'db/password', property: 'password' } }] } }],
  ];
  test.each(quiet)('not: %s', (_name, object) => {
    expect(scanForSecrets(object)).toEqual([]);
  });

  test.each([
    ['spark.ssl.keyStorePassword', true], ['API_KEY', true], ['apiKey', true], ['APIKey', true], ['fs.s3a.secret.key', true], ['fs.s3a.access.key', true],
    ['AWS_ACCESS_KEY_ID', true], ['client_secret', true], ['dbPassword', true], ['private-key', true], ['credentials', true], ['sessiontoken', true],
    ['spark.authenticate.secret.file', false], ['secretName', false], ['secretKeyRef', false], ['automountServiceAccountTokens', false], ['secrets', false],
    ['tokenPath', false], ['key', false], ['spark.ssl.keyStore', false], ['spark.kubernetes.driver.secretKeyRef.API_KEY', false], ['PWD', false],
  ])('isSecretName(%s) is %s', (name, expected) => {
    expect(isSecretName(name)).toBe(expected);
  });

  test.each([
    ['abc', true], ['', false], ['  ', false], ['${env:X}', false], ['$(X)', false], ['$X', false], ['/etc/x', false], ['file:/x', false], ['<value>', false], ['true', false], ['***', false],
  ])('isLiteral(%j) is %s', (v, expected) => {
    expect(isLiteral(v)).toBe(expected);
  });
});

describe('SealedSecret encryptedData must be ciphertext', () => {
  const sealed = (data: Record<string, string>) => ({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 's', namespace: 'team' }, spec: { encryptedData: data } });
  const plain = `correct-horse-battery-${chars(10, 'plain')}`;

  test.each([
    ['base64 of plain text', b64(plain), 'unsealed-value', /^base64 of plain text, not Sealed Secrets ciphertext$/],
    ['plain text (not base64)', plain, 'unsealed-value', /not Sealed Secrets ciphertext \(not base64\)/],
    ['base64 of a GitHub token', b64(SECRETS[2].value), 'github-token', /^base64 of a GitHub token \(ghp_…\), not Sealed Secrets ciphertext$/],
  ])('%s is a finding, with the kubeseal fix', (_name, value, kind, what) => {
    const findings = scanForSecrets(sealed({ password: value }));
    expect(findings).toEqual([{ path: 'spec.encryptedData.password', kind, what: expect.stringMatching(what), fix: expect.stringMatching(/kubeseal --raw --namespace team --name s --from-file=\/dev\/stdin\).*SecretSource\.sealedSecret/) }]);
    expectNoValue(JSON.stringify(findings), plain);
  });

  test('real-looking ciphertext under any key name is fine (SecretSource.sealedSecret)', () => {
    expect(scanForSecrets(sealed({ password: ciphertext('a'), token: ciphertext('b'), 'aws-secret-access-key': ciphertext('c') }))).toEqual([]);
    const app = new App();
    SecretSource.sealedSecret('s', { token: ciphertext('d') }).emit(new Chart(app, 'c'), 'S', 'team', ['token']);
    expect(attachDoctor(app).report().findings.filter((f) => f.rule === RULE)).toEqual([]);
  });
});

describe(`the ${RULE} doctor rule`, () => {
  test.each(SECRETS.map((s) => [s.name, s] as const))('%s: an error naming the object, the path, the kind and the fix, without the value', (_name, secret) => {
    const findings = doctorFindings((c) => new ApiObject(c, 'Web', deployment([{ name: 'NOTE', value: secret.value }])));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: RULE, severity: 'error', object: 'Deployment/apps/web', path: 'c/Web' });
    expect(findings[0].message).toMatch(new RegExp(`^spec\\.template\\.spec\\.containers\\[0\\]\\.env\\[0\\]\\.value: ${secret.label.source}.* Fix: `));
    expectNoValue(JSON.stringify(findings), secret.secret ?? secret.value, secret.prefix);
  });

  test('the fix names the construct to use, by where the secret is', () => {
    const messages = doctorFindings((c) => {
      new ApiObject(c, 'Env', deployment([{ name: 'API_KEY', value: 'abc123' }]));
      new ApiObject(c, 'App', sparkApplication({ sparkConf: { 'spark.ssl.keyStorePassword': 'abc123', 'spark.hadoop.fs.s3a.access.key': 'abc123', 'spark.hadoop.fs.s3a.endpoint': 'https://u:p4ss@s3.example.com' }, deps: { repositories: ['https://u:p4ss@repo.example.com/maven'] } }));
      new ApiObject(c, 'Sealed', { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 's', namespace: 'team' }, spec: { encryptedData: { token: b64('plain-text-token-value') } } });
    }).map((f) => f.message);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^spec\.template\.spec\.containers\[0\]\.env\[0\]\.value: env API_KEY .*Fix: read it from a Secret: SparkEnvValue\.fromSecret/),
      expect.stringMatching(/^spec\.sparkConf\["spark\.ssl\.keyStorePassword"\]: .*Fix: take it out of the conf: Spark substitutes \$\{env:NAME\}/),
      expect.stringMatching(/^spec\.sparkConf\["spark\.hadoop\.fs\.s3a\.access\.key"\]: .*Fix: remove it: the object store's keys come from the Secret named by storage\.credentialsSecret/),
      expect.stringMatching(/^spec\.sparkConf\["spark\.hadoop\.fs\.s3a\.endpoint"\]: a password in URL user info.*Fix: write the endpoint without user:password@ \(storage\.external\.endpoint/),
      expect.stringMatching(/^spec\.deps\.repositories\[0\]: a password in URL user info.*Fix: drop user:password@ from the repository URL.*spark\.jars\.ivySettings/),
      expect.stringMatching(/^spec\.encryptedData\.token: base64 of plain text.*Fix: seal the value/),
    ]));
    expect(messages.join('\n')).not.toMatch(/abc123|p4ss|plain-text-token-value/);
  });

  test('suppressed with a reason (options or Doctor.suppress), refused without one', () => {
    const leak = (c: Chart) => new ApiObject(c, 'Web', deployment([{ name: 'API_KEY', value: 'abc123' }]));
    const reason = 'a public demo key of the sandbox API, revoked nightly';
    const byOptions = doctorReport(leak, { suppressions: [{ rule: RULE, path: 'Deployment/apps/web', reason }] });
    expect(byOptions.errors).toEqual([]);
    expect(byOptions.suppressed).toEqual([expect.objectContaining({ rule: RULE, object: 'Deployment/apps/web', suppressed: reason })]);

    // app.synth() writes files: to a temporary directory, never the project's dist/.
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'secret-scan-')) });
    const chart = new Chart(app, 'c');
    leak(chart);
    const doctor = attachDoctor(app);
    expect(doctor.report().errors.map((f) => f.rule)).toEqual([RULE]);
    expect(() => Doctor.suppress(chart, RULE, '')).toThrow(/reason: is empty/);
    Doctor.suppress(chart, RULE, reason);
    expect(doctor.report().errors).toEqual([]);
    expect(() => app.synth()).not.toThrow();
    fs.rmSync(app.outdir, { recursive: true, force: true });

    expect(() => doctorReport(leak, { suppressions: [{ rule: RULE, path: 'Deployment/apps/web', reason: ' ' }] })).toThrow(/suppressions\[0\]\.reason: is empty/);
  });

  test('an unsuppressed finding fails the synth, without the value', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'secret-scan-')) });
    new ApiObject(new Chart(app, 'c'), 'Web', deployment([{ name: 'API_KEY', value: 'abc123' }]));
    attachDoctor(app);
    expect(() => app.synth()).toThrow(/secret-in-output c\/Web \(Deployment\/apps\/web\): spec\.template\.spec\.containers\[0\]\.env\[0\]\.value: env API_KEY holds a literal value/);
    try {
      app.synth();
    } catch (e) {
      expect((e as Error).message).not.toContain('abc123');
    }
  });
});

describe('the whole synth path (renderAll): the examples of the issue each fail it', () => {
  test('repository URL, S3 endpoint, API_KEY env, keyStorePassword, a token annotation, base64 plaintext as SealedSecret data', () => {
    let error: unknown;
    try {
      renderAll([leakyEnvironment()]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeDefined();
    const lines = secretRuleLines(error).join('\n');
    expect(lines).toMatch(/SparkApplication\/spark-jobs\/spark-pi\): spec\.deps\.repositories\[0\]: a password in URL user info/);
    expect(lines).toMatch(/\(ConfigMap\/[a-z-]+\/[a-z-]+\): data\["spark-defaults\.conf"\]: a password in URL user info \(scheme:\/\/user:password@host\) \(line \d+\).*Fix: write the endpoint without user:password@/);
    expect(lines).toMatch(/SparkApplication\/spark-jobs\/spark-pi\): spec\.(driver|executor)\.template\.spec\.containers\[0\]\.env\[\d+\]\.value: env API_KEY holds a literal value/);
    expect(lines).toMatch(/SparkApplication\/spark-jobs\/spark-pi\): spec\.sparkConf\["spark\.ssl\.keyStorePassword"\]: "spark\.ssl\.keyStorePassword" holds a literal value/);
    expect(lines).toMatch(/SparkApplication\/spark-jobs\/spark-pi\): metadata\.annotations\["example\.com\/deploy-token"\]: a GitHub token \(ghp_…\)/);
    expect(lines).toMatch(/SealedSecret\/spark-jobs\/lab-token\): spec\.encryptedData\.token: base64 of plain text, not Sealed Secrets ciphertext/);
    const message = String((error as Error).message);
    for (const v of Object.values(LEAKS)) expectNoValue(message, v, v.startsWith('ghp_') ? 'ghp_' : undefined);
    expect(message).not.toContain(b64(LEAKS.plain));
  });

  test('dev and prod have no finding of the rule, not even a suppressed one', () => {
    const reports: unknown[] = [];
    renderAll(ENVIRONMENTS, (env) => reports.push(...(env.doctor?.findings ?? []).filter((f) => f.rule === RULE)));
    expect(reports).toEqual([]);
  });
});

function doctorReport(build: (c: Chart) => void, options = {}) {
  const app = new App();
  build(new Chart(app, 'c'));
  return attachDoctor(app, options).report();
}

function doctorFindings(build: (c: Chart) => void): DoctorFinding[] {
  return doctorReport(build).findings.filter((f) => f.rule === RULE);
}

function deployment(env: ReadonlyArray<Record<string, unknown>>, annotations?: Record<string, string>): K8s {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps', ...(annotations ? { annotations } : {}) },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', env }] } } },
  };
}

function job(args: readonly string[]): K8s {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'team' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', args }] } } } };
}

function configMap(data: Record<string, string>): K8s {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team' }, data };
}

function sparkApplication(spec: Record<string, unknown>): K8s {
  return { apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 'app', namespace: 'team' }, spec: { type: 'Scala', mode: 'cluster', ...spec } };
}
