/**
 * Figures the end-to-end suite measures against real components, kept for `npm run bench` (which
 * puts them beside its own): files under `<e2e cache>/measurements/`. Only fs, os and path here,
 * so the bench can read them without loading the suite.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The e2e cache (`SPARK_E2E_CACHE`, default ~/.cache/spark-platform-e2e): built binaries, images, measurements. */
export function cacheDir(): string {
  return process.env.SPARK_E2E_CACHE || path.join(os.homedir(), '.cache', 'spark-platform-e2e');
}

/** `pulumi up` of an environment by the real engine and Kubernetes provider, against a local API server. */
export interface PulumiUpMeasurement {
  /** When it was measured (ISO 8601). */
  readonly date: string;
  /** The environment provisioned. */
  readonly environment: string;
  /** The API server's Kubernetes version. */
  readonly kubernetes: string;
  /** The Pulumi CLI's and the Kubernetes provider's versions. */
  readonly cli: string;
  readonly provider: string;
  /** Resources the up created. */
  readonly resources: number;
  /** Wall time of the whole up (program, engine, provider, API server), ms. */
  readonly upMs: number;
}

const file = (name: string) => path.join(cacheDir(), 'measurements', `${name}.json`);

/** Keeps the latest `pulumi up` measurement (written whole, then renamed). */
export function recordPulumiUp(m: PulumiUpMeasurement): void {
  const target = file('pulumi-up');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(`${target}.tmp`, `${JSON.stringify(m, null, 2)}\n`);
  fs.renameSync(`${target}.tmp`, target);
}

/** The latest `pulumi up` measurement on this machine, if the e2e suite has run here. */
export function latestPulumiUp(): PulumiUpMeasurement | undefined {
  try {
    return JSON.parse(fs.readFileSync(file('pulumi-up'), 'utf8')) as PulumiUpMeasurement;
  } catch {
    return undefined;
  }
}
