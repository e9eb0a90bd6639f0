/**
 * The real Kubeflow Spark operator (built by e2e/setup.sh), started as its rendered Deployment
 * says: the Deployment's args, its own ServiceAccount's token (so real RBAC applies), pyspark
 * at the image's SPARK_HOME (/opt/spark) in a sandbox. Differences from the pod, all forced by
 * running on this machine: servers that would listen on every interface (metrics, health) get
 * loopback addresses, and the serving-certs emptyDir of the webhook lives under the sandbox's /tmp.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Cluster, VERSIONS, cacheDir } from '../cluster';
import { serviceAccountKubeconfig } from './kube';
import { spawnSandboxed } from './sandbox';

/** pyspark's install: bin/spark-submit and Spark's jars, mounted where the image has SPARK_HOME. */
export function sparkHome(): string {
  const dir = path.join(cacheDir(), 'venv', `pyspark-${VERSIONS.pyspark}`, 'lib');
  const py = fs.existsSync(dir) ? fs.readdirSync(dir).find((d) => d.startsWith('python3')) : undefined;
  const home = py ? path.join(dir, py, 'site-packages', 'pyspark') : '';
  if (!home || !fs.existsSync(path.join(home, 'bin', 'spark-submit'))) throw new Error(`pyspark ${VERSIONS.pyspark} is not installed in ${dir} (bash e2e/setup.sh)`);
  // The official image's working directory exists under SPARK_HOME.
  fs.mkdirSync(path.join(home, 'work-dir'), { recursive: true });
  return home;
}

export function operatorBinary(): string {
  const p = path.join(cacheDir(), 'bin', `spark-operator-${VERSIONS.sparkOperator.version}`, 'spark-operator');
  if (!fs.existsSync(p)) throw new Error(`${p} is missing (bash e2e/setup.sh)`);
  return p;
}

export interface RunningOperator {
  readonly process: ChildProcess;
  readonly log: string;
  readonly args: readonly string[];
}

/**
 * Starts the component (`controller` or `webhook`) of the rendered operator Deployment found in
 * `objects`, against `cluster`. `work` is a directory outside /tmp, /opt and /run.
 */
export async function startOperator(cluster: Cluster, objects: any[], component: 'controller' | 'webhook', work: string): Promise<RunningOperator> {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === component);
  if (!deployment) throw new Error(`no ${component} Deployment in the manifests`);
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const sa = await serviceAccountKubeconfig(cluster.kubeconfig, deployment.metadata.namespace, pod.serviceAccountName, path.join(work, `${component}-account`));
  const args: string[] = container.args.map((a: string) => a.replace(/^(--metrics-bind-address|--health-probe-bind-address)=.*$/, '$1=127.0.0.1:0'));
  if (component === 'webhook') {
    const certs = (container.volumeMounts ?? []).find((m: any) => m.name === 'serving-certs');
    if (!certs) throw new Error('the webhook container mounts no serving-certs volume');
    args.push(`--webhook-cert-dir=/tmp${certs.mountPath}`);
  }
  const log = path.join(work, `${component}.log`);
  const port = new URL(cluster.server).port;
  const child = spawnSandboxed([operatorBinary(), ...args], {
    workDir: path.join(work, `${component}-sandbox`),
    logFile: log,
    binds: [[sparkHome(), '/opt/spark']],
    env: {
      PATH: process.env.PATH, HOME: '/tmp',
      KUBECONFIG: sa.kubeconfig, SPARK_HOME: '/opt/spark',
      KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port,
    },
  });
  return { process: child, log, args };
}

/** The last lines of a log file, for failure messages. */
export function tail(file: string, lines = 60): string {
  if (!fs.existsSync(file)) return '(no log)';
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
