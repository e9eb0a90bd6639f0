/**
 * A require hook for the project's own TypeScript (`node -r ./scripts/ts-cache.js main.ts`):
 * each .ts file is transpiled once (TypeScript's transpileModule, the transpile-only path ts-node
 * takes) and the JavaScript is kept under .cache/ts/, keyed by the file's content, the compiler
 * options and TypeScript's version. A run whose sources are all cached never loads the compiler:
 * `npm run synth` then starts like compiled JavaScript. `npm test` does the type check.
 *
 * Stack traces keep the .ts line numbers through an inline source map (Node's own source-map
 * support, turned on here unless SPARK_PLATFORM_TS_SOURCE_MAPS=0). Set SPARK_PLATFORM_TS_CACHE
 * to move the cache.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const CACHE = process.env.SPARK_PLATFORM_TS_CACHE || path.join(ROOT, '.cache', 'ts');
/** The options of tsconfig.json that change the emitted JavaScript (module format, target, interop). */
const COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'commonjs',
  esModuleInterop: true,
  isolatedModules: true,
  inlineSourceMap: true,
  inlineSources: false,
};
const TS_VERSION = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json', { paths: [ROOT] }), 'utf8')).version;
const SALT = `${TS_VERSION}\0${JSON.stringify(COMPILER_OPTIONS)}\0`;

let ts;
let compilerOptions;

function transpile(source, filename) {
  if (!ts) {
    ts = require(require.resolve('typescript', { paths: [ROOT] }));
    compilerOptions = ts.convertCompilerOptionsFromJson(COMPILER_OPTIONS, ROOT).options;
  }
  return ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}

function compiled(source, filename) {
  const key = crypto.createHash('sha256').update(SALT).update(filename).update('\0').update(source).digest('hex');
  const file = path.join(CACHE, key.slice(0, 2), `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    const js = transpile(source, filename);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // write then rename: a concurrent run never reads half a file
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, js);
      fs.renameSync(tmp, file);
    } catch {
      // a read-only checkout still runs, just without the cache
    }
    return js;
  }
}

// SPARK_PLATFORM_TS_SOURCE_MAPS=0 leaves them off: @pulumi/pulumi captures a stack per promise,
// and mapping each one costs more than the registration itself (see bench/results/NOTES.md).
if (process.env.SPARK_PLATFORM_TS_SOURCE_MAPS !== '0' && typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  if (filename.endsWith('.d.ts')) throw new Error(`${filename}: a declaration file cannot be run`);
  module._compile(compiled(fs.readFileSync(filename, 'utf8'), filename), filename);
};
