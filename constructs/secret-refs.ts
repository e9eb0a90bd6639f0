import { IConstruct } from 'constructs';
import { SparkPlatformError, show } from './errors';
import { NameRule, assertName } from './names';

/**
 * A Secret a construct reads but does not emit: "I read Secret `name` with `keys` in
 * `namespace`". The manifests only reference it (GitOps creates it out of band); a deploy target
 * that holds the values (the Pulumi program) creates it from this declaration.
 */
export interface SecretRef {
  /** Namespace of the Secret: the reader's own (Secrets are namespaced). */
  readonly namespace: string;
  /** Name of the Secret. */
  readonly name: string;
  /** The keys the reader needs in it. */
  readonly keys: readonly string[];
  /** Who reads it and why, for messages, e.g. `MinIO rootCredentials`. */
  readonly purpose: string;
}

/** The construct metadata type a SecretRef is stored under. */
export const SECRET_REF_METADATA = 'spark-platform:secret-ref';

/** Keys of a Secret's data: alphanumerics, '-', '_' and '.'. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Declares that `scope` reads a Secret it does not emit. The declaration is stored on the
 * construct (node metadata, never written to a manifest) and found by `collectSecretRefs`.
 */
export function declareSecretRef(scope: IConstruct, ref: SecretRef): void {
  const where = `${scope.node.path || 'root'}: secret reference`;
  assertName(ref.namespace, NameRule.DNS1123_LABEL, 'namespace', where);
  assertName(ref.name, NameRule.DNS1123_SUBDOMAIN, 'name', where);
  if (!Array.isArray(ref.keys) || ref.keys.length === 0) {
    throw new SparkPlatformError('keys', 'is empty', 'list the keys the construct reads from the Secret', where);
  }
  for (const key of ref.keys) {
    if (typeof key !== 'string' || !SECRET_KEY.test(key) || key.length > 253) {
      throw new SparkPlatformError('keys', `${show(key)} is not a valid Secret key`, "use letters, digits, '-', '_' and '.'", where);
    }
  }
  if (typeof ref.purpose !== 'string' || ref.purpose.trim() === '') {
    throw new SparkPlatformError('purpose', 'is empty', 'say who reads the Secret and why, e.g. "MinIO rootCredentials"', where);
  }
  scope.node.addMetadata(SECRET_REF_METADATA, { namespace: ref.namespace, name: ref.name, keys: [...ref.keys], purpose: ref.purpose });
}

/**
 * Every Secret declared under `root` (e.g. an App), one entry per namespace and name, in
 * construct-tree order: the keys of all declarations of the same Secret (in first-declared
 * order) and their purposes joined with "; " (the first three, then how many more: a thousand
 * jobs reading one Secret make one short line). Linear in the size of the tree.
 */
export function collectSecretRefs(root: IConstruct, deferred?: { readonly at: IConstruct; readonly refs: readonly SecretRef[] }): SecretRef[] {
  const merged = new Map<string, { namespace: string; name: string; keys: Set<string>; purposes: Set<string> }>();
  const add = (ref: SecretRef) => {
    const id = `${ref.namespace}/${ref.name}`;
    let m = merged.get(id);
    if (!m) {
      m = { namespace: ref.namespace, name: ref.name, keys: new Set(), purposes: new Set() };
      merged.set(id, m);
    }
    for (const k of ref.keys) m.keys.add(k);
    m.purposes.add(ref.purpose);
  };
  for (const c of root.node.findAll()) {
    for (const ref of declaredSecretRefs([c])) add(ref);
    if (c === deferred?.at) deferred.refs.forEach(add);
  }
  return [...merged.values()].map((m) => ({ namespace: m.namespace, name: m.name, keys: [...m.keys], purpose: summarize([...m.purposes]) }));
}

/**
 * The Secret reads `constructs` declare themselves (not their children), one entry per
 * declaration, in order: what collectSecretRefs merges. A synth that builds a chart's children
 * one batch at a time ({@link DeferredChildren}) keeps these of each batch for the merge.
 */
export function declaredSecretRefs(constructs: Iterable<IConstruct>): SecretRef[] {
  const out: SecretRef[] = [];
  for (const c of constructs) {
    for (const entry of c.node.metadata) {
      if (entry.type === SECRET_REF_METADATA) out.push(entry.data as SecretRef);
    }
  }
  return out;
}

function summarize(purposes: readonly string[]): string {
  const shown = purposes.slice(0, 3).join('; ');
  return purposes.length > 3 ? `${shown}; and ${purposes.length - 3} more` : shown;
}
