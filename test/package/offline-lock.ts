import { createHash } from 'crypto';
import * as fs from 'fs';

/**
 * A package-lock.json for a fresh app whose packages are all in the project's own lock (so in the
 * npm cache `npm ci` filled): `npm ci --offline` then installs it from the cache alone. Offline,
 * npm cannot resolve a range (it has no registry metadata), but it installs a complete lock by
 * integrity. The app's tree is the closure of its dependencies in the project's tree, copied
 * with the same paths (the project's tree is a valid tree for them), plus the packed tarball.
 */

/** One `packages` entry of a lockfile v3. */
interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly [k: string]: unknown;
}

/** The app: its name, dependencies (each a version in the project's lock, or the tarball) and the tarball. */
export interface OfflineApp {
  readonly name: string;
  readonly dependencies: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  /** The packed library: its package name, the tarball file and the spec the app uses (`file:...`). */
  readonly tarball: { readonly name: string; readonly file: string; readonly spec: string };
}

/** The lockfile for `app`, from `projectLock` (a parsed package-lock.json v3) and the tarball's own package.json. */
export function offlineLock(projectLock: { packages: Record<string, LockEntry> }, app: OfflineApp, packed: LockEntry): unknown {
  const source = projectLock.packages;
  const tarballPath = `node_modules/${app.tarball.name}`;
  const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(app.tarball.file)).digest('base64')}`;
  const { name: _n, scripts: _s, devDependencies: _d, files: _f, exports: _e, typesVersions: _t, config: _c, main: _m, types: _ty, description: _de, keywords: _k, repository: _r, author: _a, ...meta } = packed;
  const tarballEntry: LockEntry = { ...meta, resolved: app.tarball.spec, integrity };
  const out = new Map<string, LockEntry>([[tarballPath, tarballEntry]]);
  const queue: string[] = [];
  const visit = (from: string, name: string, optional: boolean): void => {
    if (name === app.tarball.name) return;
    const found = resolve(source, from, name);
    if (!found) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || 'the app'}) is not in the project's package-lock.json: add it to the project's devDependencies so npm ci caches it`);
    }
    if (out.has(found)) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = source[found];
    out.set(found, entry);
    queue.push(found);
  };
  for (const name of [...Object.keys(app.dependencies), ...Object.keys(app.devDependencies ?? {})]) visit('', name, false);
  queue.push(tarballPath);
  while (queue.length > 0) {
    const path = queue.shift()!;
    const entry = out.get(path)!;
    const from = path === tarballPath ? '' : path;
    for (const name of Object.keys(entry.dependencies ?? {})) visit(from, name, false);
    for (const name of Object.keys(entry.optionalDependencies ?? {})) visit(from, name, true);
    for (const name of Object.keys(entry.peerDependencies ?? {})) visit(from, name, entry.peerDependenciesMeta?.[name]?.optional === true);
  }
  const packages: Record<string, unknown> = {
    '': { name: app.name, version: '0.0.0', dependencies: app.dependencies, devDependencies: app.devDependencies ?? {} },
  };
  for (const key of [...out.keys()].sort()) packages[key] = out.get(key);
  return { name: app.name, version: '0.0.0', lockfileVersion: 3, requires: true, packages };
}

/** Node's resolution over lockfile paths: `from`'s own node_modules, then each ancestor's, then the root's. */
function resolve(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const i = dir.lastIndexOf('node_modules/');
    dir = i <= 0 ? '' : dir.slice(0, i - 1);
  }
}
