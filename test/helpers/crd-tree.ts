/**
 * Walking the `openAPIV3Schema` of a CustomResourceDefinition (wire form) in tests: children by
 * path token (field name, `[]` for list items, `{}` for map values), every path below a node, the
 * node at a path pattern, and the structural-schema rules the API server enforces.
 */
type Json = Record<string, any>;

/** The children of a schema node: properties by name, list items as `[]`, map values as `{}`. */
export function children(node: Json): [string, Json][] {
  const out: [string, Json][] = Object.entries((node.properties ?? {}) as Record<string, Json>);
  if (node.items && typeof node.items === 'object' && !Array.isArray(node.items)) out.push(['[]', node.items]);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') out.push(['{}', node.additionalProperties]);
  return out;
}

/** `spec` + `jars` is `spec.jars`, `spec.driverArgs` + `[]` is `spec.driverArgs[]`. */
export function joinPath(parent: string, token: string): string {
  if (parent === '') return token;
  return token === '[]' || token === '{}' ? parent + token : `${parent}.${token}`;
}

/** The tokens of a path pattern: `spec.configMapSpecs[].name` is `spec`, `configMapSpecs`, `[]`, `name`. */
export function pathTokens(pattern: string): string[] {
  return pattern.match(/[^.[\]{}]+|\[\]|\{\}/g) ?? [];
}

/** Every node below `node` (not the node itself): path, tokens and node, depth first. */
export function allPaths(node: Json, prefix = ''): [string, string[], Json][] {
  return children(node).flatMap(([token, child]) => {
    const p = joinPath(prefix, token);
    return [[p, [token], child] as [string, string[], Json], ...allPaths(child, p).map(([q, tokens, n]) => [q, [token, ...tokens], n] as [string, string[], Json])];
  });
}

/** The node at a path pattern, or undefined when the schema has none there. */
export function nodeAt(root: Json, pattern: string): Json | undefined {
  return pathTokens(pattern).reduce<Json | undefined>((node, token) => (node ? children(node).find(([t]) => t === token)?.[1] : undefined), root);
}

/**
 * The API server's structural-schema rules that matter for hand-written schemas: every node has a
 * `type` unless it is int-or-string or preserve-unknown-fields; properties and additionalProperties
 * exclude each other; arrays have one `items` schema; logical junctors (anyOf, ...) carry no types,
 * descriptions or defaults, except the int-or-string pair.
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
export function structuralProblems(node: Json, at: string): string[] {
  const problems: string[] = [];
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const open = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.type === undefined && !intOrString && !open) problems.push(`${at}: no type`);
  if (node.properties !== undefined && node.additionalProperties !== undefined) problems.push(`${at}: properties and additionalProperties`);
  if (node.type === 'array' && (typeof node.items !== 'object' || Array.isArray(node.items))) problems.push(`${at}: array without one items schema`);
  if (node.$ref !== undefined) problems.push(`${at}: $ref`);
  for (const junctor of ['allOf', 'anyOf', 'oneOf', 'not']) {
    if (node[junctor] === undefined) continue;
    const isIntOrStringPair = junctor === 'anyOf' && intOrString && JSON.stringify(node.anyOf) === JSON.stringify([{ type: 'integer' }, { type: 'string' }]);
    const branches: Json[] = Array.isArray(node[junctor]) ? node[junctor] : [node[junctor]];
    if (!isIntOrStringPair && branches.some((b) => ['type', 'description', 'default', 'nullable', 'additionalProperties'].some((k) => k in b))) {
      problems.push(`${at}: ${junctor} branches declare types or defaults`);
    }
  }
  for (const [token, child] of children(node)) problems.push(...structuralProblems(child, joinPath(at, token)));
  return problems;
}
