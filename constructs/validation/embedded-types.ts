/**
 * Validation of Kubernetes objects embedded in custom resources.
 *
 * A CRD may keep an embedded Kubernetes type (a Toleration, a Volume, a PodTemplateSpec, ...) open
 * with `x-kubernetes-preserve-unknown-fields` instead of copying its schema, which keeps the CRD
 * small; the API server then checks nothing there. Such a CRD names the type of each open node in
 * the annotation `spark-platform.io/embedded-kubernetes-types`: compact JSON mapping a path
 * pattern to an OpenAPI definition of the Kubernetes API, e.g.
 * `{"spec.driver.tolerations[]":"io.k8s.api.core.v1.Toleration","spec.driver.template":"io.k8s.api.core.v1.PodTemplateSpec"}`.
 * Patterns are field names joined by `.`, `[]` standing for every item of a list and `{}` for every
 * value of a map. Every object found there is checked as the built-in kinds are: types by
 * kubernetes-models (builtin-kinds.ts), unknown fields by the 1.28 field catalogue (known-fields.ts).
 */
import { definitionTypeProblems, hasDefinitionModel } from './builtin-kinds';
import { apiVersionOfDefinition, knowsDefinition, unknownDefinitionFields } from './known-fields';
import { FieldProblem, isRecord, pointer } from './problems';

/** The annotation of a CRD naming the Kubernetes types its open (preserve-unknown-fields) nodes hold. */
export const EMBEDDED_KUBERNETES_TYPES_ANNOTATION = 'spark-platform.io/embedded-kubernetes-types';

/** One open node of a CRD and the Kubernetes type it holds. */
export interface EmbeddedType {
  /** e.g. `spec.driver.tolerations[]` */
  readonly pattern: string;
  /** e.g. `io.k8s.api.core.v1.Toleration` */
  readonly definition: string;
  /** The apiVersion of the definition's package, e.g. `v1`. */
  readonly apiVersion: string;
  /** The pattern split into field names, `[]` and `{}`. */
  readonly tokens: readonly string[];
}

/** The parsed annotation: the embedded types, or why the annotation cannot be used. */
export type EmbeddedTypes = { readonly types: readonly EmbeddedType[] } | { readonly error: string };

/** A field name, then any number of `[]`/`{}`; fields joined by dots. */
const PATTERN = /^[A-Za-z0-9_$-]+(\[\]|\{\})*(\.[A-Za-z0-9_$-]+(\[\]|\{\})*)*$/;
const TOKEN = /[^.[\]{}]+|\[\]|\{\}/g;

/** The embedded types a CRD declares in its metadata; none when it has no such annotation. */
export function embeddedTypesOf(metadata: unknown): EmbeddedTypes {
  const annotations = isRecord(metadata) && isRecord(metadata.annotations) ? metadata.annotations : {};
  const text = annotations[EMBEDDED_KUBERNETES_TYPES_ANNOTATION];
  if (text === undefined) return { types: [] };
  let parsed: unknown;
  try {
    parsed = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch (err) {
    return { error: `is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!isRecord(parsed)) return { error: 'must be a JSON object mapping path patterns to Kubernetes definition names' };
  const types: EmbeddedType[] = [];
  for (const [pattern, definition] of Object.entries(parsed)) {
    if (!PATTERN.test(pattern)) return { error: `${JSON.stringify(pattern)} is not a path pattern such as "spec.volumes[]" or "spec.driver.template"` };
    const apiVersion = typeof definition === 'string' ? apiVersionOfDefinition(definition) : undefined;
    if (typeof definition !== 'string' || apiVersion === undefined || !(knowsDefinition(definition) || hasDefinitionModel(definition, apiVersion))) {
      return { error: `${JSON.stringify(pattern)}: ${JSON.stringify(definition)} is not a definition of the Kubernetes 1.28 API, such as "io.k8s.api.core.v1.Toleration"` };
    }
    types.push({ pattern, definition, apiVersion, tokens: pattern.match(TOKEN) ?? [] });
  }
  return { types };
}

/** Problems of the embedded Kubernetes objects of a custom resource, each at its full path (`/spec/driver/tolerations/0/efect`). */
export function embeddedTypeProblems(types: readonly EmbeddedType[], obj: unknown): FieldProblem[] {
  return types.flatMap((type) => locate(obj, type.tokens, '').flatMap(({ path, value }) => [
    ...(definitionTypeProblems(type.definition, type.apiVersion, value, path) ?? []),
    ...(unknownDefinitionFields(type.definition, value, path) ?? []),
  ]));
}

/**
 * The objects the pattern matches. Values of the wrong JSON type are skipped: the CRD's own
 * schema (`type: object` / `type: array` on open nodes) already reports them.
 */
function locate(value: unknown, tokens: readonly string[], path: string): { path: string; value: Record<string, unknown> }[] {
  if (tokens.length === 0) return isRecord(value) ? [{ path, value }] : [];
  const [head, ...rest] = tokens;
  if (head === '[]') return Array.isArray(value) ? value.flatMap((item, i) => locate(item, rest, pointer(path, i))) : [];
  if (!isRecord(value)) return [];
  if (head === '{}') return Object.entries(value).flatMap(([key, item]) => locate(item, rest, pointer(path, key)));
  return head !== undefined && value[head] !== undefined ? locate(value[head], rest, pointer(path, head)) : [];
}
