/**
 * `spark-platform/pulumi`: provisions any cdk8s app with Pulumi. SparkPlatform registers every
 * object as a typed @pulumi/kubernetes resource in the planned order, plus the Secrets the objects
 * read by name, from stack secrets. Needs the optional peer dependencies @pulumi/pulumi and
 * @pulumi/kubernetes. (The project's own program is stacks/pulumi/main.ts.)
 */
export { PLATFORM_COMPONENT_TYPE, SparkPlatform, chartManifests } from './component';
export type { SparkPlatformArgs } from './component';
export { SECRET_PURPOSE_ANNOTATION, planResources } from './plan';
export type { ChartManifests, PlannedResource } from './plan';
export { BUILTIN_RESOURCES, createResource, isCustomResource, resourceFactory, resourceName } from './resources';
export type { ResourceFactory } from './resources';
export { CONFIG_WHERE, SECRETS_CONFIG_KEY, resolveSecretData, secretConfigCommand, secretConfigPath } from './secrets';
export type { SecretValues } from './secrets';
