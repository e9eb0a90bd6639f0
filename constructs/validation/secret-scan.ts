import { parseAllDocuments } from 'yaml';

/**
 * What a secret finding is. Formats (`aws-access-key-id`, `github-token`, ...) are recognized by
 * their shape wherever they are; `named-literal` is a literal under a name that says it is secret
 * (`API_KEY`, `spark.ssl.keyStorePassword`); `unsealed-value` is a SealedSecret value that is not
 * ciphertext.
 */
export type SecretKind =
  | 'url-credentials'
  | 'aws-access-key-id'
  | 'aws-secret-access-key'
  | 'github-token'
  | 'gitlab-token'
  | 'slack-token'
  | 'slack-webhook'
  | 'jwt'
  | 'private-key'
  | 'google-api-key'
  | 'stripe-key'
  | 'npm-token'
  | 'hugging-face-token'
  | 'azure-storage-key'
  | 'http-credentials'
  | 'named-literal'
  | 'unsealed-value';

/** One secret found in a rendered object. Never holds the value, only where and what it is. */
export interface SecretFinding {
  /** Where in the object, e.g. `spec.sparkConf["spark.ssl.keyStorePassword"]` or `data["a.yaml"]#spec.containers[0].env[1].value`. */
  readonly path: string;
  /** What kind of secret. */
  readonly kind: SecretKind;
  /** What was found, for messages: the kind, the name it is under, at most a format's fixed prefix (`ghp_…`). */
  readonly what: string;
  /** The construct or mechanism to use instead. */
  readonly fix: string;
}

/** Options of `scanForSecrets`. */
export interface SecretScanOptions {
  /**
   * Parses a file carried in the object (`*.yaml` / `*.json` keys of a ConfigMap), so its fields
   * are scanned as fields; undefined when it does not parse. @default - the `yaml` package
   */
  readonly yaml?: (text: string) => readonly unknown[] | undefined;
}

/** The fixes a finding names, by where the secret is. */
export const SECRET_FIXES = {
  storage: "remove it: the object store's keys come from the Secret named by storage.credentialsSecret (ObjectStoreConnection credentials, default s3-credentials), which gives the pods AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY through secretKeyRef",
  endpoint: 'write the endpoint without user:password@ (storage.external.endpoint, S3ObjectStore.external); the keys come from the Secret named by storage.credentialsSecret',
  repository: 'drop user:password@ from the repository URL; for a repository that needs credentials, mount an Ivy settings file holding them from a Secret (SparkJob volumes and pods.volumeMounts) and point spark.jars.ivySettings at it',
  authSecret: 'leave it unset (Spark on Kubernetes generates one per application) or use spark.authenticate.secret.file with a file mounted from a Secret',
  env: 'read it from a Secret: SparkEnvValue.fromSecret(secret, key) in SparkJob or notebook env (other pods: env valueFrom.secretKeyRef), the Secret provided by SecretSource (existing, sealedSecret made with kubeseal, or externalSecret)',
  conf: 'take it out of the conf: Spark substitutes ${env:NAME} in conf values, so write ${env:NAME} and give NAME with SparkEnvValue.fromSecret(secret, key), the Secret provided by SecretSource',
  metadata: 'labels and annotations are read by anyone who can list the object: drop the value and keep it in a Secret (SecretSource), read through secretKeyRef',
  args: 'container args show in every manifest and process list: give the value as an env var from a Secret (secretKeyRef, SparkEnvValue.fromSecret) and write $(NAME) in the args',
  configMap: 'a ConfigMap is not secret: keep the value in a Secret (SecretSource) and mount it or read it through secretKeyRef',
  sealed: 'seal the value (echo -n "<value>" | kubeseal --raw --namespace <namespace> --name <name> --from-file=/dev/stdin) and give the ciphertext to SecretSource.sealedSecret',
  secret: 'emit no Secret with values: SecretSource.existing (made out of band; the Pulumi program creates it from `pulumi config set --secret`), SecretSource.sealedSecret (kubeseal) or SecretSource.externalSecret',
  generic: 'move it into a Secret (SecretSource.existing, made out of band or by the Pulumi program from `pulumi config set --secret`; SecretSource.sealedSecret made with kubeseal; or SecretSource.externalSecret) and reference it (secretKeyRef, SparkEnvValue.fromSecret)',
} as const;

/** A format recognized anywhere in a string. `label` may show the format's fixed prefix, never more. */
interface Format {
  readonly kind: SecretKind;
  readonly re: RegExp;
  readonly label: (match: string) => string;
  /** A second look at a match, where the shape alone is not enough. */
  readonly confirm?: (match: string) => boolean;
}

const FORMATS: readonly Format[] = [
  { kind: 'private-key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g, label: () => 'a PEM private key' },
  { kind: 'aws-access-key-id', re: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g, label: (m) => `an AWS access key id (${m.slice(0, 4)}…)` },
  { kind: 'github-token', re: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}(?![A-Za-z0-9_])/g, label: (m) => `a GitHub token (${m.slice(0, 4)}…)` },
  { kind: 'github-token', re: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{50,}/g, label: () => 'a GitHub token (github_pat_…)' },
  { kind: 'gitlab-token', re: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/g, label: () => 'a GitLab token (glpat-…)' },
  { kind: 'slack-token', re: /(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}/g, label: (m) => `a Slack token (${m.slice(0, 5)}…)` },
  { kind: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/g, label: () => 'a Slack webhook URL' },
  { kind: 'jwt', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, label: () => 'a JWT (eyJ…)', confirm: isJwt },
  { kind: 'google-api-key', re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, label: () => 'a Google API key (AIza…)' },
  { kind: 'stripe-key', re: /(?<![A-Za-z0-9_])[sr]k_live_[0-9A-Za-z]{20,}/g, label: (m) => `a Stripe live key (${m.slice(0, 8)}…)` },
  { kind: 'npm-token', re: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g, label: () => 'an npm token (npm_…)' },
  { kind: 'hugging-face-token', re: /(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9])/g, label: () => 'a Hugging Face token (hf_…)' },
  { kind: 'azure-storage-key', re: /AccountKey=[A-Za-z0-9+/]{80,}={0,2}/g, label: () => 'an Azure storage account key (AccountKey=…)' },
  { kind: 'http-credentials', re: /\bBasic\s+[A-Za-z0-9+/]{8,}={0,2}/g, label: () => 'HTTP Basic credentials', confirm: (m) => /^[^:\s]*:\S+$/.test(decodeText(m.replace(/^Basic\s+/, '')) ?? '') },
  { kind: 'http-credentials', re: /\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*/g, label: () => 'an HTTP Bearer token', confirm: (m) => !isReference(m.replace(/^Bearer\s+/, '')) },
];

/** Every string that may hold a format contains one of these: one cheap test per string first. */
const MAYBE_FORMAT = /PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|hooks\.slack|eyJ|AIza|k_live_|npm_|hf_|AccountKey=|Basic\s|Bearer\s/;
/** `scheme://user:password@host`: the password is group 1. */
const URL_CREDENTIALS = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:'"]*:([^\s/?#@'"]+)@[^\s/?#@'"]/g;
/** A name that may be sensitive is in the string: one cheap test before the assignment scans. */
const MAYBE_NAME = /pass|secret|token|credential|api.?key|access.?key|private.?key/i;
/** `key=value` in a string (args, `-Dkey=value`, `--flag=value`, query strings): key group 1, value group 2. */
const ASSIGNMENT = /(?:^|[\s,;?&"'(\[{])(?:-D|--?)?([A-Za-z_][\w.\-/]*)[ \t]*=[ \t]*("[^"]*"|'[^']*'|[^\s,;&"')\]}]*)/g;
/** `"key": "value"` (JSON carried in a string). */
const JSON_PAIR = /"([^"\\\n]{1,200})"\s*:\s*"((?:[^"\\\n]|\\.)*)"/g;
/** `key: value` on its own line (properties, YAML that did not parse). */
const LINE_COLON = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][\w.\-]*)[ \t]*:[ \t]+(\S.*?)[ \t]*$/gm;
/** `spark.conf.key value` on its own line (spark-defaults.conf). */
const LINE_SPACE = /^[ \t]*([a-z][\w-]*(?:\.[\w-]+)+)[ \t]+([^\s=:#].*?)[ \t]*$/gm;
/** A Hadoop XML property. */
const XML_PROPERTY = /<name>\s*([^<\s]+)\s*<\/name>\s*<value>\s*([^<]*?)\s*<\/value>/g;
/** A run of base64 (or base64url) long enough to carry a credential. */
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/_=-])/g;
/** Forty characters a secret access key is made of, standing alone in a text. */
const AWS_SECRET_IN_TEXT = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/;
/** A whole value shaped like a secret access key. */
const AWS_SECRET_VALUE = /^[A-Za-z0-9+/]{40}$/;

/** Last words of a name that say its value is secret. */
const SECRET_WORDS = new Set(['password', 'passwd', 'passphrase', 'secret', 'token', 'credential', 'credentials', 'apikey', 'secretkey', 'accesskey', 'privatekey']);
/** Words before `key` that make it a credential (`api key`, `secret key`, `access key`, `private key`). */
const KEY_QUALIFIERS = new Set(['api', 'secret', 'access', 'private']);
/** Segments of a conf key that make its value a reference (`spark.kubernetes.driver.secretKeyRef.ENV=secret:key`, `...secrets.NAME=/path`). */
const REFERENCE_SEGMENTS = /(^|[./])(secretKeyRef|secrets|configMapKeyRef|secretRef|valueFrom)([./]|$)/i;

/**
 * Finds secrets in one rendered object (any Kubernetes object as JSON): it walks every string
 * and reports, with its path in the object,
 * - URL user info with a password (`scheme://user:password@host`), anywhere in a string;
 * - well-known token formats anywhere: AWS access key ids (and 40-character secret keys next to
 *   them), GitHub, GitLab, Slack, npm and Hugging Face tokens, Slack webhooks, JWTs, PEM private
 *   keys, Google API keys, Stripe live keys, Azure storage keys, HTTP Basic/Bearer credentials;
 * - literal values under names that say they are secret (password, secret, token, credential,
 *   api key, access key, private key) where name and value are an explicit pair: an env var's
 *   name and value, a map key and its value (conf, annotations, ConfigMap data), `key=value`
 *   in a string (`--conf spark.ssl.keyStorePassword=x`, `-Dx.password=y`), lines of a file
 *   (`key value`, `key: value`, `key=value`), JSON pairs and Hadoop XML properties;
 * - base64 strings that decode to any of the above;
 * - SealedSecret `encryptedData` values that are not ciphertext (not base64, or base64 of text).
 *
 * References are not literals: empty values, `${env:X}`-style and `$(X)`/`$X` references,
 * `{{ }}` templates, `<placeholders>`, `__PLACEHOLDERS__`, file paths (`/etc/x`, `file:`,
 * `local:`), booleans, names ending in file/path/name/ref/... (`spark.authenticate.secret.file`),
 * and conf under `secretKeyRef` or `secrets`. Files carried in ConfigMaps as `*.yaml` or
 * `*.json` are parsed and scanned field by field. Findings never contain the value.
 */
export function scanForSecrets(obj: unknown, options: SecretScanOptions = {}): SecretFinding[] {
  const meta = isRecord(obj) && isRecord(obj.metadata) ? obj.metadata : {};
  const scan = new Scan(
    isRecord(obj) && typeof obj.kind === 'string' ? obj.kind : '',
    { name: typeof meta.name === 'string' ? meta.name : '<name>', namespace: typeof meta.namespace === 'string' ? meta.namespace : '<namespace>' },
    options.yaml ?? parseYaml,
  );
  scan.walk(obj, '');
  return scan.findings;
}

/**
 * A field's path as findings name it (`spec.driver.env[0].value`), written out only when asked:
 * most fields have no finding, and building every path was a third of the scan.
 */
type FieldPath = string | ChildPath;

class ChildPath {
  private text?: string;
  constructor(private readonly parent: FieldPath, private readonly step: string | number) {}

  public toString(): string {
    this.text ??= typeof this.step === 'number' ? `${String(this.parent)}[${this.step}]` : join(String(this.parent), this.step);
    return this.text;
  }
}

class Scan {
  public readonly findings: SecretFinding[] = [];
  private readonly seen = new Set<string>();
  /** AWS access key ids found so far: only then are siblings looked at for their secret keys. */
  private keyIds = 0;

  constructor(
    private readonly kind: string,
    private readonly names: { readonly name: string; readonly namespace: string },
    private readonly yaml: (text: string) => readonly unknown[] | undefined,
  ) {}

  public walk(node: unknown, path: FieldPath): void {
    if (typeof node === 'string') {
      this.string(node, path, undefined);
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => this.walk(item, new ChildPath(path, i)));
      if (this.keyIds > 0) this.awsSecretSiblings(node.map((v, i) => [new ChildPath(path, i), v] as const));
    } else if (isRecord(node)) {
      if (this.kind === 'SealedSecret' && String(path) === 'spec.encryptedData') {
        this.sealed(node, String(path));
        return;
      }
      const entries = Object.entries(node);
      for (const [k, v] of entries) {
        const at = new ChildPath(path, k);
        if (typeof v !== 'string') {
          this.walk(v, at);
          continue;
        }
        // Files are parsed only where a field could pair a secret name with a literal: parsing is
        // the cost of the scan (a pod template per submit-mode job), and the raw text is scanned
        // for formats, URLs, assignments and base64 either way.
        if (this.kind === 'ConfigMap' && /^(data|binaryData)$/.test(String(path)) && /\.(ya?ml|json)$/i.test(k) && (/\.json$/i.test(k) || yamlMayPairNames(v)) && this.file(v, String(at))) continue;
        this.string(v, at, k);
        if (k === 'value' && typeof node.name === 'string') this.pair(node.name, v, at, () => `${/\.env\[\d+\]$/.test(String(path)) ? 'env' : 'name'} ${node.name}`);
        else if (!(this.kind === 'ExternalSecret' && k === 'secretKey')) this.pair(k, v, at, () => show(k));
      }
      if (this.keyIds > 0) this.awsSecretSiblings(entries.map(([k, v]) => [new ChildPath(path, k), v] as const));
    }
  }

  /** A file carried as YAML/JSON, scanned field by field; false when it does not parse. */
  private file(text: string, path: string): boolean {
    const docs = this.yaml(text);
    if (!docs) return false;
    docs.forEach((doc, i) => this.walk(doc, docs.length > 1 ? `${path}#${i}.` : `${path}#`));
    return true;
  }

  /** Formats, URL credentials, assignments and base64 in one string. */
  private string(value: string, path: FieldPath, name: string | undefined): void {
    for (const f of stringFindings(value)) this.add(String(path), f.kind, f.what, f.name ?? name);
  }

  /** An explicit name/value pair: a literal under a secret-sounding name. */
  private pair(name: string, value: string, path: FieldPath, label: () => string): void {
    if (!isSecretName(name) || !isLiteral(value) || this.seen.has(String(path))) return;
    this.add(String(path), 'named-literal', `${label()} holds a literal value`, name);
  }

  private sealed(data: Record<string, unknown>, path: string): void {
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string' || v === '') continue;
      const at = join(path, k);
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v)) {
        this.add(at, 'unsealed-value', 'not Sealed Secrets ciphertext (not base64): a plaintext value', undefined);
        continue;
      }
      const text = decodeText(v);
      if (text === undefined) continue; // binary: ciphertext
      const inner = textFindings(text, 1);
      if (inner.length > 0) for (const f of inner) this.add(at, f.kind, `base64 of ${f.what}, not Sealed Secrets ciphertext`, undefined);
      else this.add(at, 'unsealed-value', 'base64 of plain text, not Sealed Secrets ciphertext', undefined);
    }
  }

  /** 40-character secret-key-shaped strings beside an AWS access key id (in the same object or list). */
  private awsSecretSiblings(children: ReadonlyArray<readonly [FieldPath, unknown]>): void {
    const keyIds = children.filter(([p, v]) => typeof v === 'string' && this.findings.some((f) => f.path === String(p) && f.kind === 'aws-access-key-id'));
    if (keyIds.length === 0) return;
    for (const [p, v] of children) {
      if (typeof v === 'string' && AWS_SECRET_VALUE.test(v)) this.add(String(p), 'aws-secret-access-key', 'an AWS secret access key (next to an access key id)', undefined);
    }
  }

  private add(path: string, kind: SecretKind, what: string, name: string | undefined): void {
    const key = `${path}\u0000${what}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.seen.add(path);
    if (kind === 'aws-access-key-id') this.keyIds++;
    const fix = fixFor(this.kind, path, name, kind);
    this.findings.push({ path, kind, what, fix: fix === SECRET_FIXES.sealed ? fix.replace('<namespace>', this.names.namespace).replace('<name>', this.names.name) : fix });
  }
}

/** A finding in a piece of text, with the name it is assigned to there, if any (`spark.jars.repositories=...`). */
interface TextFinding {
  readonly kind: SecretKind;
  readonly what: string;
  readonly name?: string;
}

/** What one piece of text holds: formats, URL credentials, assignments, base64 of any of them. */
function textFindings(text: string, depth: number): TextFinding[] {
  const out: TextFinding[] = [];
  const at = (index: number) => (depth === 0 && text.includes('\n') ? ` (line ${lineOf(text, index)})` : '');
  if (MAYBE_FORMAT.test(text)) {
    for (const f of FORMATS) {
      for (const m of text.matchAll(f.re)) {
        if (!f.confirm || f.confirm(m[0])) out.push({ kind: f.kind, what: `${f.label(m[0])}${at(m.index ?? 0)}`, name: keyBefore(text, m.index ?? 0) });
      }
    }
    if (out.some((f) => f.kind === 'aws-access-key-id')) {
      const others = text.replace(FORMATS[1].re, ' ');
      if (AWS_SECRET_IN_TEXT.test(others)) out.push({ kind: 'aws-secret-access-key', what: 'an AWS secret access key (next to an access key id)' });
    }
  }
  if (text.includes('://')) {
    for (const m of text.matchAll(URL_CREDENTIALS)) {
      if (isLiteral(m[1])) out.push({ kind: 'url-credentials', what: `a password in URL user info (scheme://user:password@host)${at(m.index ?? 0)}`, name: keyBefore(text, m.index ?? 0) });
    }
  }
  if (MAYBE_NAME.test(text)) out.push(...assignments(text));
  if (depth < 2) {
    for (const m of text.matchAll(BASE64_RUN)) {
      const decoded = decodeText(m[0]);
      if (decoded === undefined) continue;
      for (const f of textFindings(decoded, depth + 1)) out.push({ kind: f.kind, what: `base64 of ${f.what}${at(m.index ?? 0)}`, name: f.name ?? keyBefore(text, m.index ?? 0) });
    }
  }
  return out;
}

/** A YAML value that holds no literal: empty, a boolean, null, a number, an empty collection. */
const YAML_NON_LITERAL = /^(|true|false|null|~|-?\d+(\.\d+)?|\{\}|\[\])$/;

/**
 * Whether a YAML file could hold a name-based finding that only its fields show: a line whose
 * key sounds secret and carries a literal, or an env entry (`name:` with a secret-sounding name,
 * then `value:`). Lines the test cannot read count as could. `automountServiceAccountToken: true`
 * or a `secretKeyRef` (`name:` then `key:`) cannot.
 */
function yamlMayPairNames(text: string): boolean {
  if (!MAYBE_NAME.test(text)) return false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!MAYBE_NAME.test(lines[i])) continue;
    const m = /^\s*(?:-\s+)?(["']?)([^"':#]+)\1\s*:(?:\s+(.*?))?\s*$/.exec(lines[i]);
    if (!m) return true;
    const key = m[2].trim();
    const value = (m[3] ?? '').replace(/^(["'])(.*)\1$/, '$2');
    if (key === 'name') {
      if (/^\s*(?:-\s+)?value\s*:/.test(lines[i + 1] ?? '')) return true;
      continue;
    }
    if (MAYBE_NAME.test(key) && !YAML_NON_LITERAL.test(value)) return true;
  }
  return false;
}

/** Secret-named literals in `key=value`, JSON pairs, XML properties and (in multi-line text) lines. */
function assignments(text: string): TextFinding[] {
  const out: TextFinding[] = [];
  const lines = text.includes('\n');
  const check = (name: string, raw: string, form: string, index: number) => {
    const value = raw.replace(/^(["'])(.*)\1$/, '$2');
    if (!isSecretName(name) || !isLiteral(value)) return;
    const line = lines ? ` (line ${lineOf(text, index)})` : '';
    out.push({ kind: 'named-literal', what: `${form.replace('NAME', name)} sets a literal value${line}`, name });
  };
  const forms: ReadonlyArray<[RegExp, string, boolean]> = [
    [ASSIGNMENT, 'NAME=…', true], [JSON_PAIR, '"NAME": …', true], [XML_PROPERTY, '<name>NAME</name>', true],
    [LINE_COLON, 'NAME: …', lines], [LINE_SPACE, 'NAME …', lines],
  ];
  for (const [re, form, applies] of forms) {
    if (!applies) continue;
    // The key's own position (a match may start with the character before it).
    for (const m of text.matchAll(re)) check(m[1], m[2], form, (m.index ?? 0) + m[0].indexOf(m[1]));
  }
  return out;
}

/**
 * Whether a name says its value is secret: its last word is password, secret, token, credential
 * (or `api key`, `secret key`, `access key`, `access key id`, `private key`), in any case style
 * (`keyStorePassword`, `API_KEY`, `fs.s3a.secret.key`). Names ending in file, path, name, ref,
 * type, provider, ... (`spark.authenticate.secret.file`, `secretName`) are not, nor conf under
 * `secretKeyRef` / `secrets` (references to Secrets).
 */
export function isSecretName(name: string): boolean {
  let known = secretNames.get(name);
  if (known === undefined) {
    known = secretName(name);
    remember(secretNames, name, known);
  }
  return known;
}

/**
 * What a string or name has been found to hold, by value: a tree of thousands of jobs repeats
 * the same keys and values (images, conf, labels) in every one, and the answer depends on the
 * text alone. Bounded, so a huge tree cannot grow them without limit.
 */
const secretNames = new Map<string, boolean>();
const textResults = new Map<string, readonly TextFinding[]>();
const MEMO_LIMIT = 200_000;

function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}

/** Findings of a whole string (depth 0), remembered by value. */
function stringFindings(text: string): readonly TextFinding[] {
  let found = textResults.get(text);
  if (found === undefined) {
    found = textFindings(text, 0);
    if (text.length <= 4096) remember(textResults, text, found);
  }
  return found;
}

function secretName(name: string): boolean {
  if (REFERENCE_SEGMENTS.test(name)) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const [last, prev, before] = [words[words.length - 1], words[words.length - 2], words[words.length - 3]];
  if (last === undefined) return false;
  if (SECRET_WORDS.has(last) || /.(password|passwd|token|secret)$/.test(last)) return true;
  if (last === 'key') return prev !== undefined && KEY_QUALIFIERS.has(prev);
  if (last === 'id') return (prev === 'key' && before === 'access') || prev === 'accesskey';
  return false;
}

/**
 * Whether a value is a literal rather than a reference or placeholder: not empty, no
 * `${...}`/`$(...)`/`$NAME` reference, no `{{ }}` template, not `<placeholder>`,
 * `__PLACEHOLDER__` or masked (`****`), not a file (`/path`, `file:`, `local:`), not a boolean.
 */
export function isLiteral(value: string): boolean {
  const v = value.trim();
  if (v === '') return false;
  if (isReference(v)) return false;
  if (/^<[^<>]+>$/.test(v) || /^__[A-Z0-9_]+__$/.test(v) || /^[*xX•]+$/.test(v)) return false;
  if (/^(\/|~\/|file:|local:)\S*$/.test(v)) return false;
  if (/^(true|false|yes|no|null|none)$/i.test(v)) return false;
  return true;
}

/** The 1-based line of `index` in `text`. */
function lineOf(text: string, index: number): string {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return String(line);
}

/** The key a value at `index` of a text is assigned to on its line (`key=`, `key: `, `key `), if any. */
function keyBefore(text: string, index: number): string | undefined {
  const line = text.slice(text.lastIndexOf('\n', index - 1) + 1, index);
  return /([A-Za-z_][\w.\-/]*)[ \t]*(?:=|:[ \t]|[ \t])[ \t]*["']?$/.exec(line)?.[1];
}

function isReference(v: string): boolean {
  return /\$[({A-Za-z_0-9]|\{\{/.test(v);
}

/** The text base64 decodes to, when it is text (valid UTF-8, no control characters); undefined for binary. */
function decodeText(b64: string): string | undefined {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length < 6) return undefined;
  const text = buf.toString('utf8');
  if (text.includes('\uFFFD') || /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)) return undefined;
  return text;
}

/** A JWT's header is base64url JSON naming its algorithm or type. */
function isJwt(token: string): boolean {
  const header = decodeText(token.slice(0, token.indexOf('.')));
  return header !== undefined && /^\s*\{/.test(header) && /"(alg|typ)"\s*:/.test(header);
}

/** The fix for a finding, by where it is: the object kind, its path and the name it is under. */
function fixFor(objectKind: string, path: string, name: string | undefined, kind: SecretKind): string {
  const n = name ?? '';
  if (objectKind === 'SealedSecret' && path.startsWith('spec.encryptedData')) return SECRET_FIXES.sealed;
  if (objectKind === 'Secret' && /^(data|stringData)\b/.test(path)) return SECRET_FIXES.secret;
  if (/fs\.s3a\.(bucket\.[^.]+\.)?(access\.key|secret\.key|session\.(key|token))$|^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$|\.(driverEnv|executorEnv|appMasterEnv)\.AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/.test(n)) return SECRET_FIXES.storage;
  if (kind === 'url-credentials' || kind === 'named-literal') {
    if (/endpoint/i.test(n) || /endpoint/i.test(path)) return SECRET_FIXES.endpoint;
    if (/repositor/i.test(n) || /repositor/i.test(path)) return SECRET_FIXES.repository;
  }
  if (n === 'spark.authenticate.secret') return SECRET_FIXES.authSecret;
  if (/\.env\[\d+\]\.value$|\.envVars\b|\.env\b/.test(path) || /\.(driverEnv|executorEnv|appMasterEnv)\./.test(n)) return SECRET_FIXES.env;
  if (/^(spark|fs|hadoop|javax|hive)\./.test(n) || /\b(sparkConf|hadoopConf)\b/.test(path)) return SECRET_FIXES.conf;
  if (/(^|\.)metadata\.(labels|annotations)\b/.test(path)) return SECRET_FIXES.metadata;
  if (/\.(args|command)\[\d+\]$/.test(path)) return SECRET_FIXES.args;
  if (objectKind === 'ConfigMap') return SECRET_FIXES.configMap;
  return SECRET_FIXES.generic;
}

function join(path: string, key: string): string {
  const segment = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
  if (path === '') return segment.startsWith('"') ? `[${segment}]` : segment;
  if (path.endsWith('#') || path.endsWith('.')) return segment.startsWith('"') ? `${path}[${segment}]` : `${path}${segment}`;
  return segment.startsWith('"') ? `${path}[${segment}]` : `${path}.${segment}`;
}

function show(name: string): string {
  return JSON.stringify(name);
}

function parseYaml(text: string): readonly unknown[] | undefined {
  try {
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
    return docs.map((d) => d.toJSON() as unknown);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
