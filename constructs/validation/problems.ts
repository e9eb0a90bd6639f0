/**
 * The shape every check in this folder reports in, before the validator attaches the object's
 * name: a JSON pointer inside one object and what is wrong there. Also turns ajv errors (from
 * both kubernetes-models' precompiled validators and our CRD schemas) into that shape.
 */

/** One problem inside one object. */
export interface FieldProblem {
  /** JSON pointer inside the object ("" for the root). */
  readonly path: string;
  /** What is wrong, e.g. `must be integer` or `unknown field "imag"`. */
  readonly message: string;
}

/** The parts of an ajv error we read; typed loosely because kubernetes-models hands them over untyped. */
interface AjvErrorLike {
  readonly instancePath?: unknown;
  readonly keyword?: unknown;
  readonly message?: unknown;
  readonly params?: unknown;
}

/** True for plain JSON objects (not arrays, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `parent` extended by one reference token, escaped as RFC 6901 requires. */
export function pointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The message for a field the schema does not declare; the same wording for built-in kinds and custom resources. */
export function unknownFieldMessage(name: string): string {
  return `unknown field ${JSON.stringify(name)}`;
}

/** The message for a missing required field; one wording everywhere so duplicates collapse. */
export function requiredFieldMessage(name: string): string {
  return `required field ${JSON.stringify(name)} is missing`;
}

/** Human-readable problems for a list of ajv errors, noise removed and duplicates collapsed. */
export function problemsFromAjv(errors: readonly unknown[]): FieldProblem[] {
  const typed = errors.filter(isRecord) as AjvErrorLike[];
  return dedupe(withoutAlternativesNoise(typed).map(toProblem));
}

/** Problems with the same path and message once, in first-seen order. */
export function dedupe(problems: readonly FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toProblem(error: AjvErrorLike): FieldProblem {
  const at = typeof error.instancePath === 'string' ? error.instancePath : '';
  const params = isRecord(error.params) ? error.params : {};
  const message = typeof error.message === 'string' ? error.message : `fails "${String(error.keyword)}"`;
  switch (error.keyword) {
    // ajv reports both on the parent object; pointing at the field itself is what kubectl does.
    case 'additionalProperties':
      return { path: pointer(at, String(params.additionalProperty)), message: unknownFieldMessage(String(params.additionalProperty)) };
    case 'required':
      return { path: pointer(at, String(params.missingProperty)), message: requiredFieldMessage(String(params.missingProperty)) };
    case 'enum':
      return { path: at, message: Array.isArray(params.allowedValues) ? `${message}: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : message };
    default:
      return { path: at, message };
  }
}

/**
 * A value that fits none of the alternatives of an int-or-string or quantity field fails several
 * ways at once: each alternative's `type`, the `oneOf`/`anyOf` itself and, for CRDs, the
 * `x-kubernetes-int-or-string` keyword. Say it once per path: the int-or-string error when there is
 * one, else a merged "must be integer or string".
 */
function withoutAlternativesNoise(errors: readonly AjvErrorLike[]): AjvErrorLike[] {
  const byPath = new Map<unknown, AjvErrorLike[]>();
  for (const e of errors) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  return [...byPath.values()].flatMap(collapseAlternatives);
}

function collapseAlternatives(atPath: AjvErrorLike[]): AjvErrorLike[] {
  const isAlternative = (e: AjvErrorLike) => e.keyword === 'type' || e.keyword === 'anyOf' || e.keyword === 'oneOf';
  if (!atPath.some((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) return atPath;
  if (atPath.some((e) => e.keyword === 'x-kubernetes-int-or-string')) return atPath.filter((e) => !isAlternative(e));
  if (!atPath.every(isAlternative)) return atPath;
  const types = atPath.flatMap((e) => (e.keyword === 'type' && isRecord(e.params) ? [String(e.params.type)] : []));
  if (types.length === 0) return atPath; // the alternatives failed deeper down: those errors say why
  return [{ instancePath: atPath[0]!.instancePath, keyword: 'type', message: `must be ${[...new Set(types)].join(' or ')}` }];
}
