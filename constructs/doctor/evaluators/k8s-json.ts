/**
 * Generic parsing of untyped Kubernetes JSON, shared by the policy evaluators ({@link ./rbac} and
 * {@link ./netpol}, used by the platform doctor and the tests): `kind: List` flattening, metadata,
 * optional arrays, label selectors (parsed, validated like metav1.LabelSelectorAsSelector, and
 * matched) and duplicate-object rejection.
 *
 * Everything that can fail comes from {@link jsonReader}, which prefixes its errors with the
 * evaluator's name (`RbacEvaluator: ...`), so each evaluator keeps its own error messages.
 */

/** An untyped JSON object. */
export type Json = Record<string, unknown>;

/** Whether `value` is a JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Expands `kind: List` (kubectl output), recursively, so the objects inside are not silently skipped. */
export function flattenLists(objects: readonly unknown[]): unknown[] {
  return objects.flatMap((o) =>
    isRecord(o) && o.kind === 'List' && Array.isArray(o.items) ? flattenLists(o.items) : [o],
  );
}

/** The metadata the evaluators read: name (required), namespace ('' = absent) and the string-valued labels. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
}

/** The operators of a label selector's matchExpressions. */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** A parsed metav1.LabelSelector: matchLabels plus matchExpressions, all ANDed. */
export interface LabelSelector {
  matchLabels: Readonly<Record<string, string>>;
  matchExpressions: ReadonlyArray<{ key: string; operator: SelectorOperator; values: readonly string[] }>;
}

/** Every operator metav1.LabelSelectorAsSelector accepts. */
export const SELECTOR_OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** metav1.LabelSelectorAsSelector semantics: all terms ANDed; an empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(labels, key);
  const labelsOk = Object.entries(selector.matchLabels).every(([k, v]) => has(k) && labels[k] === v);
  return (
    labelsOk &&
    selector.matchExpressions.every(({ key, operator, values }) => {
      switch (operator) {
        case 'In':
          return has(key) && values.includes(labels[key] as string);
        case 'NotIn': // a missing label is "not in" any set
          return !has(key) || !values.includes(labels[key] as string);
        case 'Exists':
          return has(key);
        case 'DoesNotExist':
          return !has(key);
      }
    })
  );
}

/** Options for {@link jsonReader}. */

/** The parsers of {@link jsonReader}; their errors start with the owner's name. Plain functions: destructure freely. */
export interface JsonReader {
  /** The object's metadata; throws when metadata.name is missing or empty. */
  metadata(obj: Json, kind: string): ObjectMeta;
  /** An optional array field: absent/null = []; anything else but an array throws. */
  listOf(value: unknown, where: string): unknown[];
  /** An optional array of strings: absent/null = []; throws on a non-array or a non-string item. */
  stringList(value: unknown, where: string): string[];
  /** `obj[key]` as a non-empty string; throws `<where>.<key> is required` otherwise. */
  requiredString(obj: Json, key: string, where: string): string;
  /** A metav1.LabelSelector, rejecting what LabelSelectorAsSelector rejects (bad operator, values vs operator, ...). */
  parseSelector(value: unknown, where: string): LabelSelector;
  /** Flattens Lists and parses each object (undefined = not the owner's kind, skipped), rejecting duplicate keys. */
  parseObjects<T extends { key: string }>(objects: readonly unknown[], parse: (obj: unknown) => T | undefined): T[];
}

/** Parsers of untyped Kubernetes JSON whose errors read `${owner}: ...` (owner: the evaluator's name). */
export function jsonReader(owner: string): JsonReader {
  function fail(message: string): never {
    throw new Error(`${owner}: ${message}`);
  }

  function metadata(obj: Json, kind: string): ObjectMeta {
    const meta = isRecord(obj.metadata) ? obj.metadata : {};
    if (typeof meta.name !== 'string' || meta.name === '') fail(`${kind} without metadata.name`);
    const labels: Record<string, string> = {};
    if (isRecord(meta.labels)) {
      for (const [k, v] of Object.entries(meta.labels)) if (typeof v === 'string') labels[k] = v;
    }
    const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
    return { name: meta.name, ...(namespace ? { namespace } : {}), labels };
  }

  function listOf(value: unknown, where: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) fail(`${where} must be an array`);
    return value;
  }

  function stringList(value: unknown, where: string): string[] {
    return listOf(value, where).map((v) => (typeof v === 'string' ? v : fail(`${where} must contain strings`)));
  }

  function requiredString(obj: Json, key: string, where: string): string {
    const value = obj[key];
    if (typeof value !== 'string' || value === '') fail(`${where}.${key} is required`);
    return value;
  }

  function parseSelector(value: unknown, where: string): LabelSelector {
    if (!isRecord(value)) fail(`${where} must be an object`);
    const matchLabels: Record<string, string> = {};
    const labels = value.matchLabels;
    if (labels !== undefined && labels !== null && !isRecord(labels)) {
      fail(`${where}.matchLabels must be an object`);
    }
    if (isRecord(labels)) {
      for (const [k, v] of Object.entries(labels)) {
        if (typeof v !== 'string') fail(`${where}.matchLabels.${k} must be a string`);
        matchLabels[k] = v;
      }
    }
    const matchExpressions = listOf(value.matchExpressions, `${where}.matchExpressions`).map((e, i) =>
      parseExpression(e, `${where}.matchExpressions[${i}]`),
    );
    return { matchLabels, matchExpressions };
  }

  /** Rejects what LabelSelectorAsSelector rejects, so a selector the API server refuses fails loudly. */
  function parseExpression(
    value: unknown,
    where: string,
  ): { key: string; operator: SelectorOperator; values: string[] } {
    if (!isRecord(value)) fail(`${where} must be an object`);
    const key = requiredString(value, 'key', where);
    const operator = SELECTOR_OPERATORS.find((op) => op === value.operator);
    if (!operator) fail(`${where}.operator ${JSON.stringify(value.operator)} is not supported`);
    const values = stringList(value.values, `${where}.values`);
    const needsValues = operator === 'In' || operator === 'NotIn';
    if (needsValues !== values.length > 0) fail(`${where}: ${operator} ${needsValues ? 'requires' : 'forbids'} values`);
    return { key, operator, values };
  }

  function parseObjects<T extends { key: string }>(
    objects: readonly unknown[],
    parse: (obj: unknown) => T | undefined,
  ): T[] {
    const out: T[] = [];
    const seen = new Set<string>();
    for (const obj of flattenLists(objects)) {
      const parsed = parse(obj);
      if (!parsed) continue;
      // Duplicates would make the result depend on apply order (last write wins): reject them.
      if (seen.has(parsed.key)) fail(`duplicate object ${parsed.key}`);
      seen.add(parsed.key);
      out.push(parsed);
    }
    return out;
  }

  return { metadata, listOf, stringList, requiredString, parseSelector, parseObjects };
}
