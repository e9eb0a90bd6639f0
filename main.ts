/**
 * The cdk8s app: `npm run synth` (`cdk8s synth`) runs this file. It renders every environment in
 * stacks/environments/ (TypeScript and YAML files), each built on a SparkPlatformApp (the package's
 * own safety net: doctor, CRD and schema checks; see stacks/synth.ts), to dist/<env>/, and exits
 * non-zero, leaving dist/ as it was, when any input or object is invalid.
 *
 * Environment variables: SPARK_PLATFORM_OUTDIR (default "dist"); CDK8S_OUTDIR is set by
 * `cdk8s synth` (see cdk8s.yaml) to the staging directory it lists the manifests from.
 */
import { loadEnvironments } from './stacks/environments/load';
import { runSynth } from './stacks/synth';

// `cdk8s synth` swallows the app's stdout, so the report goes to stderr.
const report = (message: string) => process.stderr.write(`${message}\n`);

process.exitCode = runSynth({
  // Loaded inside runSynth, so an error raised while a file is imported is reported, not thrown.
  environments: () => loadEnvironments(),
  outdir: process.env.SPARK_PLATFORM_OUTDIR ?? 'dist',
  stagingDir: process.env.CDK8S_OUTDIR,
}, { log: report, error: report });
