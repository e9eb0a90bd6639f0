/**
 * The Pulumi program (`main` in stacks/Pulumi.yaml): provisions the environment the stack's
 * `environment` config selects, from the same construct tree `npm run synth` writes to dist/.
 * See docs/pulumi.md for config keys, secrets and outputs.
 */
import * as pulumi from '@pulumi/pulumi';
import { SynthError, isUserError } from '../synth';
import { PlatformOutputs, deployPlatform } from './program';

function main(): PlatformOutputs {
  try {
    return deployPlatform().outputs;
  } catch (e) {
    // An input error (config, props, schema) is reported as its message, without a stack trace.
    if (e instanceof SynthError || isUserError(e)) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const outputs = main();

/** The environment provisioned. */
export const environment = outputs.environment;
/** The s3a endpoint Spark jobs use (absent for AWS S3 or without storage). */
export const objectStoreEndpoint = outputs.objectStoreEndpoint;
/** The History Server's in-cluster URL (absent when it is off). */
export const historyServerUrl = outputs.historyServerUrl;
/** The Spark operator's namespace. */
export const operatorNamespace = outputs.operatorNamespace;
/** The tenant namespaces Spark jobs run in. */
export const jobNamespaces = outputs.jobNamespaces;
/** Notebook name → in-cluster URL (empty without notebooks). */
export const notebookUrls = outputs.notebookUrls;
