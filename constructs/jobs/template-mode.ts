/**
 * Template mode: a SparkJob rendered as a file an orchestrator submits once per run
 * (Airflow's SparkKubernetesOperator `application_file`) instead of an object GitOps or Pulumi
 * applies.
 *
 * The construct tree holds the job as an ordinary SparkApplication with every parameter at its
 * default, so the doctor and the schema check see a concrete job. That object carries
 * {@link TEMPLATE_ANNOTATION}: the parameters and the fields holding placeholders, as JSON. The
 * GitOps writer takes such objects out of the charts (and so out of the kustomization and the
 * Pulumi plan) and writes them with {@link renderJobTemplate}: the same object, with Jinja
 * expressions in those fields and every other Jinja delimiter escaped, in YAML that parses before
 * and after templating.
 *
 * What Airflow does with the file (apache/airflow, providers/cncf/kubernetes,
 * operators/spark_kubernetes.py and operators/custom_object_launcher.py): `application_file` is a
 * template field with `template_ext` yaml/yml/json, so the file is rendered with Jinja (the task's
 * context: `params`, `ds`, `run_id`, ...) before it is parsed; the launcher reads `apiVersion`,
 * `kind`, `metadata` and `spec`, replaces `metadata.name` (the file's name plus a random suffix,
 * `random_name_suffix`) and `metadata.namespace` (the operator's `namespace`), and follows
 * `status.applicationState` and the `<name>-driver` pod: the Kubeflow SparkApplication's shape.
 */
import { ApiObject } from 'cdk8s';
import * as YAML from 'yaml';
import { SparkPlatformError, show } from '../errors';
import { NameRule, nameProblem } from '../names';
import type { ResolvedSparkJob } from './resolved-job';
import { SparkJobMode, SparkJobProps } from './spark-job-options';

/** Annotation marking a SparkJob's object as a template (value: its {@link JobTemplateMarker} as JSON); never written out. */
export const TEMPLATE_ANNOTATION = 'spark-platform.io/template';

/** The directory of the GitOps output that holds templates, next to the chart files. */
export const TEMPLATES_DIR = 'templates';

/** `{{ name }}`: a declared parameter in a prop value (Spark's own `{{APP_ID}}` is upper-case, so never one). */
const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;
const PARAMETER_NAME = /^[a-z][a-z0-9_]*$/;
/** What Jinja reads as the start of a tag: an expression, a statement, a comment. */
const JINJA_DELIMITER = /\{\{|\{%|\{#/;
const RAW_OPEN = '{% raw %}';
const RAW_CLOSE = '{% endraw %}';

/**
 * How the file inserts a parameter's expression: its value as a string, JSON-escaped without the
 * JSON quotes (Jinja's `tojson`), which is exactly the text of a YAML double-quoted string. A
 * value passed at run time, whatever it holds (`"`, `\\`, a line break), stays inside the one
 * string it is inserted into: it cannot add fields to the SparkApplication.
 */
export function safeExpression(expression: string): string {
  return `((${expression}) | string | tojson)[1:-1]`;
}
const SAFE_EXPRESSION = /^\(\((.*)\) \| string \| tojson\)\[1:-1\]$/s;

/** What Jinja's `tojson` makes of a string (json.dumps, then <, >, & and ' as \\u escapes), without the quotes. */
function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027');
}

/** `{{ name }}`: how a prop value refers to the template parameter `name`. */
export function templateParameter(name: string): string {
  return `{{ ${name} }}`;
}

/** A parameter with its defaults applied. */
export interface TemplateParameter {
  readonly name: string;
  readonly description: string;
  readonly default: string;
  /** The Jinja expression in the file. */
  readonly expression: string;
}

/** A field of the object whose value in the file holds placeholders. */
export interface TemplateField {
  /** Its path in the object, e.g. `['spec', 'arguments', 1]`. */
  readonly path: ReadonlyArray<string | number>;
  /** The value as written in the props, with `{{ name }}` placeholders. */
  readonly value: string;
}

/** What {@link TEMPLATE_ANNOTATION} holds. */
export interface JobTemplateMarker {
  readonly parameters: readonly TemplateParameter[];
  readonly fields: readonly TemplateField[];
  /** Appended to `metadata.name` in the file, with placeholders. */
  readonly nameSuffix?: string;
}

/** A template job's props with every placeholder at its default, and the marker for its object. */
export interface PreparedTemplate {
  readonly props: SparkJobProps;
  readonly marker: JobTemplateMarker;
}

/**
 * Checks `props.template` and what refers to it, and returns the props the job is built and
 * checked with (placeholders replaced by the defaults) with the marker for its object; undefined
 * for a job that is not a template.
 */
export function prepareTemplate(props: SparkJobProps): PreparedTemplate | undefined {
  const t = props.template;
  if (t === undefined) return undefined;
  const where = `SparkJob ${show(props.name)}`;
  const fail = (field: string, problem: string, fix: string): never => {
    throw new SparkPlatformError(field, problem, fix, where);
  };
  const parameters = checkParameters(t.parameters ?? {}, fail);
  const byName = new Map(parameters.map((p) => [p.name, p]));
  const used = new Set<string>();
  const fill = (value: string, field: string): string => value.replace(PLACEHOLDER, (_, name: string) => {
    const p = byName.get(name) ?? fail(field, `${show(`{{ ${name} }}`)} is not a parameter of the template`, `declare ${show(name)} in template.parameters (description and default), or remove the placeholder`);
    used.add(name);
    return p.default;
  });
  const fields: TemplateField[] = [];
  const args = (props.arguments ?? []).map((a, i) => {
    const filled = fill(a, `arguments[${i}]`);
    if (filled !== a) fields.push({ path: ['spec', 'arguments', i], value: a });
    return filled;
  });
  const conf: Record<string, string> = {};
  for (const [key, value] of Object.entries(props.sparkConf ?? {})) {
    conf[key] = fill(value, `sparkConf[${show(key)}]`);
    if (conf[key] !== value) fields.push({ path: ['spec', 'sparkConf', key], value });
  }
  if (t.nameSuffix !== undefined) {
    const name = `${props.name}${fill(t.nameSuffix, 'template.nameSuffix')}`;
    const problem = nameProblem(name, NameRule.DNS1035_LABEL) ?? (name.length + 7 > 63 ? `makes the driver pod ${show(`${name}-driver`)} longer than 63 characters` : undefined);
    if (problem) fail('template.nameSuffix', `with the defaults the name is ${show(name)}: ${problem}`, 'use a short suffix of lower-case letters, digits and "-" (with its defaults, and at run time)');
  }
  for (const p of parameters) {
    if (!used.has(p.name)) fail(`template.parameters[${show(p.name)}]`, 'is used nowhere', `write ${show(templateParameter(p.name))} in arguments, a sparkConf value or template.nameSuffix, or remove the parameter`);
  }
  return {
    props: {
      ...props,
      ...(props.arguments !== undefined ? { arguments: args } : {}),
      ...(props.sparkConf !== undefined ? { sparkConf: conf } : {}),
    },
    marker: { parameters, fields, ...(t.nameSuffix !== undefined ? { nameSuffix: t.nameSuffix } : {}) },
  };
}

function checkParameters(given: Readonly<Record<string, { description: string; default: string; expression?: string }>>, fail: (field: string, problem: string, fix: string) => never): TemplateParameter[] {
  const expressions = new Map<string, string>();
  return Object.entries(given).map(([name, p]) => {
    const field = `template.parameters[${show(name)}]`;
    if (!PARAMETER_NAME.test(name)) fail(field, 'is not a lower-case snake_case name', 'name it with lower-case letters, digits and "_", starting with a letter (e.g. "run_date")');
    if (/[\n\r]/.test(p.default) || JINJA_DELIMITER.test(p.default)) {
      fail(`${field}.default`, `${show(p.default)} has a line break or a Jinja delimiter`, 'use a plain one-line value (a date, a number, a path): it is also written in the template\'s header');
    }
    if (p.description.trim() === '' || /[\n\r]/.test(p.description) || JINJA_DELIMITER.test(p.description)) {
      fail(`${field}.description`, 'is empty, has a line break or a Jinja delimiter', 'say in one line what the value is: it is written in the template\'s header');
    }
    const expression = (p.expression ?? `params.${name}`).trim();
    if (expression === '' || /[{}%#\n\r]/.test(expression)) {
      fail(`${field}.expression`, `${show(p.expression)} is empty or has braces, "%", "#" or a line break`, 'write the bare Jinja expression, e.g. "ds" or "params.day or ds" (the file wraps it in double braces)');
    }
    const other = expressions.get(expression);
    if (other !== undefined) fail(`${field}.expression`, `${show(expression)} is also the expression of ${show(other)}`, 'give each parameter its own expression, or use one parameter');
    expressions.set(expression, name);
    return { name, description: p.description.trim(), default: p.default, expression };
  });
}

/** Refuses what a template job cannot be: run after the props are resolved, before anything is rendered. */
export function checkTemplateJob(job: ResolvedSparkJob, where: string): void {
  if (job.mode === SparkJobMode.APACHE_OPERATOR) {
    throw new SparkPlatformError('template', 'is set on an Apache-operator job, but Airflow\'s launcher reads spec.driver and follows status.applicationState and the <name>-driver pod, which only the Kubeflow SparkApplication has', 'use SparkJobMode.OPERATOR for a job an orchestrator submits, or leave template out', where);
  }
  if (job.mode !== SparkJobMode.OPERATOR) {
    throw new SparkPlatformError('template', `is set on a ${job.mode}-mode job, but an orchestrator's SparkKubernetesOperator submits a SparkApplication, not a Job`, 'use SparkJobMode.OPERATOR (the tenant\'s Spark operator runs it), or leave template out', where);
  }
  if (job.schedule) {
    throw new SparkPlatformError('schedule', 'is set on a template: the orchestrator decides when each run starts', 'leave schedule out (schedule the DAG instead), or leave template out for a ScheduledSparkApplication', where);
  }
}

/** Marks the job's object as a template (read by the GitOps writer and the Pulumi component). */
export function markTemplate(resource: ApiObject, marker: JobTemplateMarker): void {
  resource.metadata.addAnnotation(TEMPLATE_ANNOTATION, JSON.stringify(marker));
}

/** The parts of a rendered object the template functions read. */
export interface TemplateObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly annotations?: Readonly<Record<string, string>>; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** Whether a rendered object is a SparkJob template (not to be applied). */
export function isJobTemplate(o: { readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> } }): boolean {
  return o.metadata?.annotations?.[TEMPLATE_ANNOTATION] !== undefined;
}

/** A template as the GitOps writer emits it. */
export interface RenderedJobTemplate {
  /** Its path in the environment's output: `templates/<namespace>-<name>.yaml`. */
  readonly file: string;
  readonly namespace: string;
  readonly name: string;
  /** The file: a header listing the parameters, then the object with Jinja expressions. */
  readonly yaml: string;
  readonly parameters: readonly TemplateParameter[];
  /** The file rendered with every parameter at its default and parsed: what the schema check validates. */
  readonly withDefaults: Record<string, unknown>;
}

/**
 * The template file of a marked object ({@link isJobTemplate}): the object without the marker,
 * each marked field with `{{ <expression> }}` in place of `{{ <name> }}`, every other `{{`, `{%`
 * or `{#` wrapped in a raw block, and strings holding either double-quoted.
 */
export function renderJobTemplate(object: TemplateObject): RenderedJobTemplate {
  const { [TEMPLATE_ANNOTATION]: markerJson, ...annotations } = object.metadata.annotations ?? {};
  const where = `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
  if (markerJson === undefined) throw new Error(`${where} is not a template (no ${TEMPLATE_ANNOTATION} annotation)`);
  const marker = JSON.parse(markerJson) as JobTemplateMarker;
  const byName = new Map(marker.parameters.map((p) => [p.name, p]));
  const body = structuredClone({ ...object, metadata: { ...object.metadata, annotations } }) as Record<string, unknown> & { metadata: Record<string, unknown> };
  if (Object.keys(annotations).length === 0) delete body.metadata.annotations;
  const filled = (raw: string) => raw.replace(PLACEHOLDER, (m, name: string) => byName.get(name)?.default ?? m);
  for (const f of marker.fields) {
    const at = valueAt(body, f.path);
    if (at !== filled(f.value)) {
      throw new SparkPlatformError(`template (${f.path.join('.')})`, `holds ${show(at)}, not the parameter defaults ${show(filled(f.value))}: it was changed after the job was built`, 'set per-run values in the props with {{ name }}, not by editing the rendered object', where);
    }
  }
  escapeStrings(body, where, []);
  const jinja = (raw: string) => raw.split(PLACEHOLDER).map((part, i) => (i % 2 === 1 ? `{{ ${safeExpression(byName.get(part)?.expression ?? part)} }}` : escape(part))).join('');
  for (const f of marker.fields) setAt(body, f.path, jinja(f.value));
  if (marker.nameSuffix !== undefined) body.metadata.name = `${object.metadata.name}${jinja(marker.nameSuffix)}`;

  const doc = new YAML.Document(body, { aliasDuplicateObjects: false });
  YAML.visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && JINJA_DELIMITER.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  const namespace = object.metadata.namespace ?? 'default';
  const name = object.metadata.name ?? '';
  const yaml = header(namespace, name, marker) + doc.toString({ lineWidth: 0, indent: 2 });
  const values = Object.fromEntries(marker.parameters.map((p) => [p.expression, p.default]));
  return {
    file: `${TEMPLATES_DIR}/${namespace}-${name}.yaml`,
    namespace,
    name,
    yaml,
    parameters: marker.parameters,
    withDefaults: YAML.parse(fillTemplate(yaml, values)) as Record<string, unknown>,
  };
}

function header(namespace: string, name: string, marker: JobTemplateMarker): string {
  const lines = [
    `SparkApplication template ${namespace}/${name}: an orchestrator submits one per run. Neither`,
    'kustomization.yaml nor Pulumi applies it. Airflow: SparkKubernetesOperator(application_file=<this',
    `file>, namespace="${namespace}"); it renders the file with Jinja, then sets metadata.name (plus a`,
    'random suffix with random_name_suffix, the default) and metadata.namespace.',
  ];
  if (marker.parameters.length > 0) {
    lines.push('Parameters: name, Jinja expression in the file, default (what the platform checked), meaning.');
    for (const p of marker.parameters) lines.push(`  ${p.name}: ${p.expression}, default "${p.default}": ${p.description}`);
  } else {
    lines.push('Parameters: none.');
  }
  return lines.map((l) => `# ${l}`.trimEnd()).join('\n') + '\n';
}

/** A literal for Jinja: unchanged unless it holds a delimiter, else inside a raw block. */
function escape(text: string): string {
  if (!JINJA_DELIMITER.test(text)) return text;
  if (text.includes('endraw')) {
    throw new SparkPlatformError('template', `the value ${show(text)} has Jinja delimiters and "endraw", so it cannot be kept literal in the file`, 'remove the Jinja syntax from the value');
  }
  return `${RAW_OPEN}${text}${RAW_CLOSE}`;
}

/** Escapes every string of `value` in place (`escape`); a key with a Jinja delimiter is an error. */
function escapeStrings(value: unknown, where: string, path: ReadonlyArray<string | number>): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (typeof v === 'string') value[i] = escape(v);
      else escapeStrings(v, where, [...path, i]);
    });
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(record)) {
      if (JINJA_DELIMITER.test(k)) throw new SparkPlatformError(`${[...path, k].join('.')}`, 'is a key with a Jinja delimiter, which a template cannot keep literal', 'rename the key', where);
      if (typeof v === 'string') record[k] = escape(v);
      else escapeStrings(v, where, [...path, k]);
    }
  }
}

function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), root);
}

function setAt(root: unknown, path: ReadonlyArray<string | number>, value: string): void {
  const parent = valueAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]] = value;
}

/**
 * Renders a template file the way Jinja renders what {@link renderJobTemplate} writes: raw blocks
 * become their text and `{{ <expression> }}` the value given for that expression. Anything else
 * Jinja would read (another tag, an expression without a value) is an error: the checks never
 * guess what an orchestrator would make of it.
 */
export function fillTemplate(text: string, values: Readonly<Record<string, string>>): string {
  let out = '';
  let i = 0;
  for (;;) {
    const next = text.slice(i).search(JINJA_DELIMITER);
    if (next === -1) return out + text.slice(i);
    out += text.slice(i, i + next);
    i += next;
    if (text.startsWith(RAW_OPEN, i)) {
      const end = text.indexOf(RAW_CLOSE, i);
      if (end === -1) throw new Error(`unclosed ${RAW_OPEN} at offset ${i}`);
      out += text.slice(i + RAW_OPEN.length, end);
      i = end + RAW_CLOSE.length;
    } else if (text.startsWith('{{', i)) {
      const end = text.indexOf('}}', i);
      const written = end === -1 ? '' : text.slice(i + 2, end).trim();
      const safe = SAFE_EXPRESSION.exec(written);
      const expression = safe ? safe[1] : written;
      if (end === -1 || !Object.prototype.hasOwnProperty.call(values, expression)) throw new Error(`no value for the Jinja expression ${show(text.slice(i, end === -1 ? undefined : end + 2))}`);
      out += safe ? jsonEscaped(values[expression]) : values[expression];
      i = end + 2;
    } else {
      throw new Error(`unexpected Jinja tag at offset ${i}: ${show(text.slice(i, i + 20))}`);
    }
  }
}
