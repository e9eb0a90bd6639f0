import { show } from '../../errors';
import { Json, isRecord } from '../evaluators/k8s-json';
import { containersOf, stringMap } from '../pods';
import { SparkAppView, SparkPodView, confKeysWithPrefix } from '../spark-apps';
import { DoctorRule, Severity } from '../types';
import { DoctorView } from '../view';
import { appTarget } from './common';
import { operatorRole } from './operator-spec';

/** One literal setting of a Python executable, and where it is written. */
interface PythonSetting {
  readonly value: string;
  readonly field: string;
}

/** What Python launches the workers when nothing says otherwise (PySpark's default). */
const DEFAULT_PYTHON = 'python3';

/**
 * Env values of a container: literal ones, and an empty value for those set from elsewhere
 * (valueFrom), which are unknown: they hide what a lower source set, and are never compared.
 */
function containerEnv(container: Json | undefined, field: string): Map<string, PythonSetting> {
  const out = new Map<string, PythonSetting>();
  if (!container || !Array.isArray(container.env)) return out;
  container.env.forEach((e, i) => {
    if (isRecord(e) && typeof e.name === 'string') out.set(e.name, { value: typeof e.value === 'string' ? e.value : '', field: `${field}.env[${i}]` });
  });
  return out;
}

/** The Spark container of a pod template spec: by Spark's container name, else the first one. */
function sparkContainer(spec: Json | undefined, role: 'driver' | 'executor'): { container: Json; field: string } | undefined {
  if (!spec) return undefined;
  const containers = containersOf(spec).filter((c) => !c.init);
  const c = containers.find((x) => x.container.name === `spark-kubernetes-${role}`) ?? containers[0];
  return c ? { container: c.container, field: c.field } : undefined;
}

/**
 * The environment a Spark pod starts with, by variable: its template's Spark container, then the
 * operator's typed `env`/`envVars`, then the conf (`spark.kubernetes.driverEnv.*`,
 * `spark.executorEnv.*`), later sources winning, as Spark and the operator apply them.
 */
function sparkPodEnv(view: DoctorView, app: SparkAppView, pod: SparkPodView | undefined, role: 'driver' | 'executor'): Map<string, PythonSetting> {
  const env = new Map<string, PythonSetting>();
  const templ = sparkContainer(pod?.template, role);
  if (templ) for (const [k, v] of containerEnv(templ.container, `${pod?.templateField ?? `${role} template`}.spec.${templ.field}`)) env.set(k, v);
  const typed = operatorRole(view, app, role);
  if (typed) {
    for (const [k, v] of containerEnv(typed.json, typed.field)) env.set(k, v);
    for (const [k, v] of Object.entries(stringMap(typed.json.envVars))) env.set(k, { value: v, field: `${typed.field}.envVars[${show(k)}]` });
  }
  const prefix = role === 'driver' ? 'spark.kubernetes.driverEnv.' : 'spark.executorEnv.';
  for (const k of confKeysWithPrefix(app.conf, prefix)) env.set(k.slice(prefix.length), { value: app.conf[k], field: app.confField(k) });
  return env;
}

/** The env of a client-mode driver's own pod: the workload whose pods carry the driver's labels. */
function clientDriverEnv(view: DoctorView, app: SparkAppView): Map<string, PythonSetting> {
  const driver = app.clientDriver!;
  const labels = Object.entries(driver.podLabels);
  for (const w of view.workloadsIn(driver.namespace)) {
    if (labels.length === 0 || !labels.every(([k, v]) => w.pod.labels[k] === v)) continue;
    const c = containersOf(w.pod.spec).find((x) => !x.init);
    if (c) return containerEnv(c.container, `${w.object.label} ${w.pod.field ? `${w.pod.field}.` : ''}spec.${c.field}`);
  }
  return new Map();
}

function conf(app: SparkAppView, key: string): PythonSetting | undefined {
  const v = app.conf[key];
  return v === undefined || v.trim() === '' ? undefined : { value: v.trim(), field: app.confField(key) };
}

/** `value (field)`. */
function where(s: PythonSetting): string {
  return `${show(s.value)} (${s.field})`;
}

/**
 * `pyspark-python-mismatch`: the Python the driver runs and the Python executors start their
 * workers with must be the same interpreter, or the first Python UDF (any RDD map, pandas UDF)
 * fails with "Python in worker has different version ... than that in driver". spark-submit runs
 * the driver with `spark.pyspark.driver.python`, else `spark.pyspark.python`, else the driver's
 * PYSPARK_DRIVER_PYTHON, else its PYSPARK_PYTHON; the driver then tells executors to start
 * `spark.pyspark.python`, else its own PYSPARK_PYTHON, else `python3`. A driver-only setting
 * that differs from what the workers start, or an executor PYSPARK_PYTHON
 * (`spark.executorEnv.PYSPARK_PYTHON`, the executor template or typed env) that differs from the
 * driver's Python, is a mismatch (the latter at best does not do what it says). Checked for
 * Python applications in every mode, the client-mode driver's (notebook's) own env included;
 * values are compared as written (valueFrom is unknown and not compared).
 */
export const pysparkPythonMismatch: DoctorRule = {
  id: 'pyspark-python-mismatch',
  severity: Severity.ERROR,
  summary: 'Python in worker has different version than that in driver: spark.pyspark.(driver.)python / PYSPARK_PYTHON differ between driver and executors',
  check(view, report) {
    for (const app of view.apps) {
      if (!app.python) continue;
      const driverEnv = app.clientDriver ? clientDriverEnv(view, app) : sparkPodEnv(view, app, app.driver, 'driver');
      const executorEnv = sparkPodEnv(view, app, app.executor, 'executor');
      const envSetting = (env: Map<string, PythonSetting>, name: string): PythonSetting | undefined => {
        const s = env.get(name);
        return s && s.value.trim() !== '' ? { value: s.value.trim(), field: `${s.field} ${name}` } : undefined;
      };
      const driverPython = conf(app, 'spark.pyspark.driver.python') ?? conf(app, 'spark.pyspark.python')
        ?? envSetting(driverEnv, 'PYSPARK_DRIVER_PYTHON') ?? envSetting(driverEnv, 'PYSPARK_PYTHON');
      const workerPython = conf(app, 'spark.pyspark.python') ?? envSetting(driverEnv, 'PYSPARK_PYTHON');
      const executorDeclared = envSetting(executorEnv, 'PYSPARK_PYTHON');
      const problems: string[] = [];
      const fix: string[] = [];
      if (driverPython && driverPython.value !== (workerPython?.value ?? DEFAULT_PYTHON)) {
        problems.push(`the driver runs ${where(driverPython)} but executors start their Python workers with ${workerPython ? where(workerPython) : `${show(DEFAULT_PYTHON)} (the default: neither spark.pyspark.python nor the driver's PYSPARK_PYTHON is set)`}`);
        fix.push('set spark.pyspark.python to the one interpreter both use and drop spark.pyspark.driver.python / PYSPARK_DRIVER_PYTHON');
      }
      const driverRuns = driverPython?.value ?? DEFAULT_PYTHON;
      if (executorDeclared && executorDeclared.value !== driverRuns) {
        problems.push(`the executors are given PYSPARK_PYTHON ${where(executorDeclared)} while the driver runs ${driverPython ? where(driverPython) : `${show(DEFAULT_PYTHON)} (the default)`}`);
        fix.push('give the executors the same PYSPARK_PYTHON as the driver (or set only spark.pyspark.python, which covers both)');
      }
      if (problems.length === 0) continue;
      report(appTarget(app), `${problems.join('; ')}: two interpreters, so the first Python UDF fails with "Python in worker has different version than that in driver" (or workers start a Python without the driver's packages). Fix: ${[...new Set(fix)].join('; ')}, and run driver and executors on images with the same Python`);
    }
  },
};
