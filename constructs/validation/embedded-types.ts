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
 *
 * Some operators take an embedded object as a partial overlay that they complete themselves (a
 * StatefulSetSpec without `selector`, a pod template without `containers`). A CRD lists such
 * patterns in a second annotation, `spark-platform.io/partial-kubernetes-types` (a JSON array of
 * patterns of the first); required fields are not enforced there, everything else is.
 */
import { definitionTypeProblems, hasDefinitionModel } from './builtin-kinds';
import { apiVersionOfDefinition, knowsDefinition, unknownDefinitionFields } from './known-fields';
import { FieldProblem, isRecord, pointer, requiredFieldMessage } from './problems';

/** The annotation of a CRD naming the Kubernetes types its open (preserve-unknown-fields) nodes hold. */
export const EMBEDDED_KUBERNETES_TYPES_ANNOTATION = 'spark-platform.io/embedded-kubernetes-types';

/**
 * The annotation of a CRD listing (as a JSON array) the patterns of EMBEDDED_KUBERNETES_TYPES_ANNOTATION
 * whose objects are partial: the operator completes them, so their required fields are not enforced.
 */
export const PARTIAL_KUBERNETES_TYPES_ANNOTATION = 'spark-platform.io/partial-kubernetes-types';

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
  /** Whether the objects are partial (see PARTIAL_KUBERNETES_TYPES_ANNOTATION): required fields are not enforced. */
  readonly partial?: boolean;
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
  const partial = partialPatterns(annotations[PARTIAL_KUBERNETES_TYPES_ANNOTATION], types);
  if ('error' in partial) return partial;
  return { types: types.map((type) => (partial.patterns.has(type.pattern) ? { ...type, partial: true } : type)) };
}

/** The patterns of the partial-types annotation, each one of `types`; none when the annotation is absent. */
function partialPatterns(text: unknown, types: readonly EmbeddedType[]): { patterns: ReadonlySet<string> } | { error: string } {
  if (text === undefined) return { patterns: new Set() };
  let parsed: unknown;
  try {
    parsed = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  // Worded to follow "the annotation <embedded-types> of CustomResourceDefinition <name>", as the validator reports it.
  const partial = PARTIAL_KUBERNETES_TYPES_ANNOTATION;
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
    return { error: `comes with ${partial}, which must be a JSON array of its patterns, such as ["spec.driverSpec.podTemplateSpec"]` };
  }
  const unknown = parsed.filter((p) => !types.some((t) => t.pattern === p));
  if (unknown.length > 0) return { error: `lacks ${JSON.stringify(unknown[0])}, which ${partial} lists: add it, or remove it from ${partial}` };
  return { patterns: new Set(parsed) };
}

/** Problems of the embedded Kubernetes objects of a custom resource, each at its full path (`/spec/driver/tolerations/0/efect`). */
export function embeddedTypeProblems(types: readonly EmbeddedType[], obj: unknown): FieldProblem[] {
  return types.flatMap((type) => locate(obj, type.tokens, '').flatMap(({ path, value }) => [
    ...(definitionTypeProblems(type.definition, type.apiVersion, value, path) ?? []).filter((p) => !(type.partial && isMissingRequired(p))),
    ...(unknownDefinitionFields(type.definition, value, path) ?? []),
  ]));
}

/** Whether the problem is a required field missing at its path. */
function isMissingRequired(problem: FieldProblem): boolean {
  const field = problem.path.slice(problem.path.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');
  return problem.message === requiredFieldMessage(field);
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
