#!/usr/bin/env node
/**
 * `npm run synth`: runs `cdk8s synth` (which runs main.ts) and passes its output through, minus
 * cdk8s-cli's own stack trace when the app fails. main.ts has already printed what is wrong (the
 * environment, the field, the fix, "dist/ is left as it was"); cdk8s-cli then adds
 * `Error: command "..." returned a non-zero exit code 1` and a trace of its own code, which says
 * nothing about the input. The exit code is kept. Plain JavaScript, so it adds no compile step.
 */
'use strict';
const { spawn } = require('child_process');
const path = require('path');
const readline = require('readline');

const cli = path.join(__dirname, '..', 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const child = spawn(process.execPath, [cli, 'synth', ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'pipe'],
  env: { CDK8S_CHECK_UPGRADE: 'false', ...process.env },
});

// cdk8s-cli's failure report: its message line, then the frames of its own stack.
const CLI_FAILURE = /^Error: command ".*returned a non-zero exit code \d+$/;
let inCliTrace = false;
readline.createInterface({ input: child.stderr }).on('line', (line) => {
  if (CLI_FAILURE.test(line)) {
    inCliTrace = true;
    return;
  }
  if (inCliTrace && /^\s+at /.test(line)) return;
  inCliTrace = false;
  process.stderr.write(`${line}\n`);
});
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
