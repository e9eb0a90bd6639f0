import { Json, isRecord } from './evaluators/k8s-json';
import { stringList } from './pods';
import type { IndexedObject, PodWorkload } from './indexed';

/** Which operator runs an application kind: Kubeflow's (`sparkoperator.k8s.io`) or Apache's (`spark.apache.org`). */
export type OperatorKind = 'kubeflow' | 'apache';

/** What one operator controller watches: namespaces, or every namespace (undefined). */
export interface OperatorWatch {
  /** The operator's Deployment. */
  readonly object: IndexedObject;
  /** Whose applications it runs. */
  readonly kind: OperatorKind;
  readonly namespaces?: ReadonlySet<string>;
  /** Where the watched namespaces come from, for messages (a flag, a properties file, a default). */
  readonly source: string;
  /** The ServiceAccount its pods run as (it creates the driver pods of Apache applications). */
  readonly serviceAccount: string;
  /** The namespace it runs in. */
  readonly namespace: string;
}

/** How the watch discovery reads ConfigMaps of the tree. */
export type ConfigMapLookup = (namespace: string, name: string) => Readonly<Record<string, string>> | undefined;

/** A Kubeflow spark-operator process of the tree: its workload and the namespaces its flags give it. */
export interface KubeflowProcess {
  readonly workload: PodWorkload;
  /** Undefined: every namespace. */
  readonly namespaces?: ReadonlySet<string>;
  /** The flag the namespaces come from, for messages. */
  readonly source: string;
}

/**
 * Kubeflow spark-operator processes: a Deployment container running `<command> start`
 * (`controller` or `webhook`) from a spark-operator image. `--namespaces=a,b` lists their
 * namespaces; none (or an empty entry), or a `--namespace-selector`, means every namespace.
 */
export function kubeflowProcesses(workloads: readonly PodWorkload[], command: 'controller' | 'webhook'): KubeflowProcess[] {
  const out: KubeflowProcess[] = [];
  for (const w of workloads) {
    if (w.object.kind !== 'Deployment') continue;
    for (const c of Array.isArray(w.pod.spec.containers) ? w.pod.spec.containers : []) {
      if (!isRecord(c)) continue;
      const args = [...stringList(c.command), ...stringList(c.args)];
      const at = args.indexOf(command);
      if (at < 0 || args[at + 1] !== 'start' || typeof c.image !== 'string' || !c.image.includes('spark-operator')) continue;
      const flag = args.find((a) => a.startsWith('--namespaces='));
      const selector = args.some((a) => a.startsWith('--namespace-selector='));
      const list = flag?.slice('--namespaces='.length).split(',').map((s) => s.trim());
      const all = selector || !list || list.includes('');
      out.push({ workload: w, namespaces: all ? undefined : new Set(list), source: selector ? '--namespace-selector' : flag ?? 'no --namespaces flag' });
    }
  }
  return out;
}

/** Kubeflow spark-operator controllers ({@link kubeflowProcesses} running `controller start`) and what they watch. */
export function kubeflowWatches(workloads: readonly PodWorkload[]): OperatorWatch[] {
  return kubeflowProcesses(workloads, 'controller').map(({ workload: w, namespaces, source }) => ({
    object: w.object, kind: 'kubeflow', namespaces, source, serviceAccount: serviceAccountOf(w.pod.spec), namespace: w.namespace,
  }));
}

/** The Apache operator's entry point (its chart and ApacheSparkOperator both run `java ... <it>`). */
const APACHE_MAIN_CLASS = 'org.apache.spark.k8s.operator.SparkOperator';
/** Where the operator reads its bootstrap properties, unless a system property names another file. */
const APACHE_PROPERTIES_FILE = '/opt/spark-operator/conf/spark-operator.properties';
const APACHE_PROPERTIES_FILE_KEY = 'spark.kubernetes.operator.basePropertyFileName';
const WATCHED = 'spark.kubernetes.operator.watchedNamespaces';
const DYNAMIC = 'spark.kubernetes.operator.dynamicConfig.enabled';
/** The operator's default for `watchedNamespaces` (also used when the value is empty). */
const WATCHED_DEFAULT = 'default';

/**
 * Apache Spark Kubernetes operators: a Deployment container whose command line runs
 * `org.apache.spark.k8s.operator.SparkOperator`. Like the operator (1.0.0), the watched namespaces
 * come from `spark.kubernetes.operator.watchedNamespaces` in `spark-operator.properties` (the
 * ConfigMap mounted at /opt/spark-operator/conf), over a `-D` system property of the command
 * line, else the default `default`; an empty value also means `default`, and `*` (or a list of
 * blanks) means every namespace. Unknown (every namespace, so nothing is reported) when the file
 * comes from a ConfigMap outside the tree, a volume of another kind, or the image itself, and when
 * dynamic configuration may change the list at run time.
 */
export function apacheWatches(workloads: readonly PodWorkload[], configMap: ConfigMapLookup): OperatorWatch[] {
  const out: OperatorWatch[] = [];
  for (const w of workloads) {
    if (w.object.kind !== 'Deployment') continue;
    for (const c of Array.isArray(w.pod.spec.containers) ? w.pod.spec.containers : []) {
      if (!isRecord(c)) continue;
      const tokens = commandLine(c);
      if (!tokens.includes(APACHE_MAIN_CLASS)) continue;
      const system: Record<string, string> = {};
      for (const t of tokens) {
        const m = /^-D([^=]+)=(.*)$/.exec(t);
        if (m) system[m[1]] = m[2];
      }
      const path = system[APACHE_PROPERTIES_FILE_KEY] ?? APACHE_PROPERTIES_FILE;
      const file = mountedConfigMapFile(path, c, w.pod.spec, w.namespace, configMap);
      const base = { object: w.object, kind: 'apache' as const, serviceAccount: serviceAccountOf(w.pod.spec), namespace: w.namespace };
      if (file === undefined) {
        out.push({ ...base, source: `${path} is not read from a ConfigMap of the manifests` });
        continue;
      }
      // The file's properties override the JVM's system properties (SparkOperatorConfManager).
      const props = { ...system, ...parseJavaProperties(file.text) };
      if (props[DYNAMIC]?.trim().toLowerCase() === 'true') {
        out.push({ ...base, source: `${DYNAMIC}=true (the list may change at run time)` });
        continue;
      }
      const raw = props[WATCHED];
      const value = raw === undefined || raw === '' ? WATCHED_DEFAULT : raw;
      const where = raw === undefined
        ? `ConfigMap ${w.namespace}/${file.configMap} ${file.key} sets no ${WATCHED} (default ${WATCHED_DEFAULT})`
        : `ConfigMap ${w.namespace}/${file.configMap} ${file.key}: ${WATCHED}=${raw}${raw === '' ? ` (empty: default ${WATCHED_DEFAULT})` : ''}`;
      const list = value.trim() === '*' ? [] : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      out.push({ ...base, namespaces: list.length === 0 ? undefined : new Set(list), source: where });
    }
  }
  return out;
}

/** A pod's ServiceAccount. */
function serviceAccountOf(spec: Json): string {
  return typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '' ? spec.serviceAccountName : 'default';
}

/**
 * A container's command line as the process gets it: `$(VAR)` replaced by the container's
 * literal env values (as the kubelet does), then split at white space, so options passed through
 * a variable (the chart's `$(OPERATOR_JAVA_OPTS)`) are seen one by one.
 */
function commandLine(c: Json): string[] {
  const env = new Map<string, string>();
  if (Array.isArray(c.env)) for (const e of c.env) if (isRecord(e) && typeof e.name === 'string' && typeof e.value === 'string') env.set(e.name, e.value);
  return [...stringList(c.command), ...stringList(c.args)]
    .map((t) => t.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name: string) => env.get(name) ?? all))
    .flatMap((t) => t.split(/\s+/))
    .filter((t) => t !== '');
}

/** The text of a file a container sees at `path`, when a ConfigMap of the tree provides it. */
function mountedConfigMapFile(path: string, c: Json, spec: Json, namespace: string, configMap: ConfigMapLookup): { text: string; configMap: string; key: string } | undefined {
  const volumes = new Map<string, Json>();
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) if (isRecord(v) && typeof v.name === 'string') volumes.set(v.name, v);
  // The deepest mount containing the path is the one the container sees.
  const mounts = (Array.isArray(c.volumeMounts) ? c.volumeMounts.filter(isRecord) : [])
    .filter((m) => typeof m.mountPath === 'string' && (path === m.mountPath || path.startsWith(`${(m.mountPath as string).replace(/\/$/, '')}/`)))
    .sort((a, b) => (b.mountPath as string).length - (a.mountPath as string).length);
  const m = mounts[0];
  if (!m) return undefined;
  const volume = typeof m.name === 'string' ? volumes.get(m.name) : undefined;
  const cm = volume && isRecord(volume.configMap) && typeof volume.configMap.name === 'string' ? volume.configMap : undefined;
  if (!cm) return undefined;
  const mountPath = (m.mountPath as string).replace(/\/$/, '');
  let file = path === m.mountPath ? '' : path.slice(mountPath.length + 1);
  if (typeof m.subPath === 'string' && m.subPath !== '') {
    if (path !== m.mountPath) return undefined; // a single file mounted; nothing below it
    file = m.subPath;
  }
  const item = Array.isArray(cm.items) ? cm.items.find((it) => isRecord(it) && it.path === file) : undefined;
  if (Array.isArray(cm.items) && !item) return undefined; // items project only the listed keys
  const key = isRecord(item) && typeof item.key === 'string' ? item.key : file;
  const data = configMap(namespace, cm.name as string);
  const text = data?.[key];
  return text === undefined ? undefined : { text, configMap: cm.name as string, key };
}

/**
 * A Java properties file as `Properties.load` reads it: `#`/`!` comments, `=`, `:` or white
 * space between key and value, leading white space of values dropped, `\` continuation lines and
 * escapes; a later key wins.
 */
export function parseJavaProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    }
    let k = 0;
    let key = '';
    for (; k < line.length; k++) {
      const ch = line[k];
      if (ch === '\\' && k + 1 < line.length) {
        key += unescape(line[++k]);
        continue;
      }
      if (ch === '=' || ch === ':' || ch === ' ' || ch === '\t' || ch === '\f') break;
      key += ch;
    }
    let rest = line.slice(k).replace(/^[ \t\f]*/, '');
    if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
    let value = '';
    for (let v = 0; v < rest.length; v++) value += rest[v] === '\\' && v + 1 < rest.length ? unescape(rest[++v]) : rest[v];
    out[key] = value;
  }
  return out;
}

function unescape(ch: string): string {
  return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[ch] ?? ch;
}
