/**
 * Type checks of built-in kinds with the precompiled ajv validators of `kubernetes-models`.
 *
 * Version skew: kubernetes-models 4.5.1 carries the OpenAPI schemas of Kubernetes 1.27 while the
 * platform targets 1.28. The 1.28 additions are few and additive, so a 1.28 manifest passes the
 * 1.27 types; a kind that only exists in 1.28 is not found here and is recognised by the field
 * catalogue of known-fields.ts instead. These validators do NOT reject unknown fields (the schemas
 * carry no `additionalProperties: false`); known-fields.ts adds that check.
 */
import { dirname } from 'path';
import { FieldProblem, isRecord, problemsFromAjv } from './problems';

/** A kubernetes-models model class: built from the object, `validate()` throws with ajv errors. */
interface ModelClass {
  new (data: Record<string, unknown>): { validate(): void };
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
}

/** `group/version` or `version` (core), each part as Kubernetes spells them; guards the require path. */
const API_VERSION = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/)?(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/** Loaded model classes by `apiVersion kind`; null remembers "not a built-in kind". One require per kind and process. */
const models = new Map<string, ModelClass | null>();
/** The same for nested types, by `apiVersion definition`. */
const definitionModels = new Map<string, ModelClass | null>();
let objectMetaModel: ModelClass | undefined;

/** Type problems of a built-in object, or undefined when kubernetes-models does not know `apiVersion`/`kind`. */
export function builtinTypeProblems(apiVersion: string, kind: string, obj: Record<string, unknown>): FieldProblem[] | undefined {
  const model = builtinModel(apiVersion, kind);
  return model ? problemsOf(model, obj, '') : undefined;
}

/** Whether kubernetes-models has a model for `apiVersion`/`kind` (including API versions Kubernetes removed since). */
export function hasBuiltinModel(apiVersion: string, kind: string): boolean {
  return builtinModel(apiVersion, kind) !== undefined;
}

/**
 * Type problems of a value of the OpenAPI definition `definition` (e.g. `io.k8s.api.core.v1.Toleration`,
 * whose package serves `apiVersion`) found at `path`, such as an object embedded in a custom
 * resource; undefined when kubernetes-models has no model of that definition.
 */
export function definitionTypeProblems(definition: string, apiVersion: string, value: Record<string, unknown>, path: string): FieldProblem[] | undefined {
  const model = definitionModel(definition, apiVersion);
  return model ? problemsOf(model, value, path) : undefined;
}

/** Whether kubernetes-models has a model of the OpenAPI definition `definition` in the package serving `apiVersion`. */
export function hasDefinitionModel(definition: string, apiVersion: string): boolean {
  return definitionModel(definition, apiVersion) !== undefined;
}

/** Type problems of a custom resource's `metadata`, checked as the ObjectMeta the API server reads it as. */
export function objectMetaTypeProblems(metadata: unknown, path: string): FieldProblem[] {
  if (!isRecord(metadata)) return [{ path, message: 'must be object' }];
  objectMetaModel ??= loadObjectMetaModel();
  return problemsOf(objectMetaModel, metadata, path);
}

function definitionModel(definition: string, apiVersion: string): ModelClass | undefined {
  const key = `${apiVersion} ${definition}`;
  if (!definitionModels.has(key)) definitionModels.set(key, loadDefinitionModel(definition, apiVersion) ?? null);
  return definitionModels.get(key) ?? undefined;
}

function builtinModel(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion} ${kind}`;
  if (!models.has(key)) models.set(key, loadModel(apiVersion, kind) ?? null);
  return models.get(key) ?? undefined;
}

/**
 * `require` (not `import()`: the project is CommonJS and jest runs it as such) of the one module
 * of the kind, e.g. `kubernetes-models/apps/v1/Deployment`; the package's "exports" map publishes
 * `./<group>/<version>/*`, and the core group lives under `./v1/*`.
 */
function loadModel(apiVersion: string, kind: string): ModelClass | undefined {
  if (!API_VERSION.test(apiVersion) || !KIND.test(kind)) return undefined;
  const exported = requireIfPresent(`kubernetes-models/${apiVersion}/${kind}`)?.[kind];
  // The same folders also hold nested types (DeploymentSpec, ...): only top-level kinds carry
  // their own apiVersion and kind.
  if (!isModelClass(exported) || exported.apiVersion !== apiVersion || exported.kind !== kind) return undefined;
  return exported;
}

/**
 * Nested types sit beside the kinds of their package (`kubernetes-models/v1/Toleration`), and each
 * module also exports its model under the definition's own name (`IoK8sApiCoreV1Toleration`):
 * checking that alias makes sure the class is the one of `definition`, not a namesake.
 */
function loadDefinitionModel(definition: string, apiVersion: string): ModelClass | undefined {
  const name = definition.slice(definition.lastIndexOf('.') + 1);
  if (!API_VERSION.test(apiVersion) || !KIND.test(name)) return undefined;
  const module = requireIfPresent(`kubernetes-models/${apiVersion}/${name}`);
  const exported = module?.[name];
  const alias = definition.split('.').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
  return isModelClass(exported) && module?.[alias] === exported ? exported : undefined;
}

/**
 * ObjectMeta lives in @kubernetes-models/apimachinery, a dependency of kubernetes-models rather
 * than of this project: resolve it from kubernetes-models' own folder so that it is found however
 * the package manager lays node_modules out.
 */
function loadObjectMetaModel(): ModelClass {
  const from = dirname(require.resolve('kubernetes-models'));
  const file = require.resolve('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta', { paths: [from] });
  const exported = (require(file) as Record<string, unknown>).ObjectMeta;
  if (!isModelClass(exported)) throw new Error(`${file} does not export the ObjectMeta model`);
  return exported;
}

function requireIfPresent(id: string): Record<string, unknown> | undefined {
  try {
    return require(id) as Record<string, unknown>;
  } catch (err) {
    const code = isRecord(err) ? err.code : undefined;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined;
    throw err;
  }
}

function isModelClass(value: unknown): value is ModelClass {
  return typeof value === 'function' && typeof (value.prototype as { validate?: unknown } | undefined)?.validate === 'function';
}

/** Runs the model's validator; its ajv errors come back relative to `obj`, so they are re-rooted at `path`. */
function problemsOf(model: ModelClass, obj: Record<string, unknown>, path: string): FieldProblem[] {
  try {
    new model(obj).validate();
    return [];
  } catch (err) {
    if (!isRecord(err) || !Array.isArray(err.errors)) throw err;
    return problemsFromAjv(err.errors).map((p) => ({ path: path + p.path, message: p.message }));
  }
}
