/**
 * Offline schema validation of synthesized Kubernetes manifests, before they reach a cluster.
 *
 * - Built-in kinds: types and required fields by the precompiled validators of kubernetes-models
 *   (Kubernetes 1.27 schemas; we target 1.28, see builtin-kinds.ts), unknown fields by the
 *   Kubernetes 1.28 field catalogue shipped in cdk8s-plus-28 (see known-fields.ts).
 * - Custom resources: the openAPIV3Schema of their CustomResourceDefinition, unknown fields
 *   rejected as `kubectl --validate=strict` does (see crd-schemas.ts), plus the Kubernetes objects
 *   embedded in open nodes that the CRD names in an annotation (see embedded-types.ts).
 * - Anything else is an issue: a kind nobody can check is not a kind we can ship.
 */
import { builtinTypeProblems, hasBuiltinModel, objectMetaTypeProblems } from './builtin-kinds';
import { crdInfo, CrdInfo, crdSchemaCheck } from './crd-schemas';
import { EMBEDDED_KUBERNETES_TYPES_ANNOTATION, embeddedTypeProblems } from './embedded-types';
import { apiVersionsOfKind, servesApiVersion, unknownBuiltinFields, unknownObjectMetaFields } from './known-fields';
import { dedupe, FieldProblem, isRecord, pointer, requiredFieldMessage } from './problems';
import { EXTERNAL_CRDS } from './external-crds';

/** One thing wrong with one object of a manifest set. */
export interface ManifestIssue {
  /** e.g. "apps/v1 Deployment spark-operator/controller" */
  readonly object: string;
  /** JSON pointer inside the object, e.g. "/spec/replicas" ("" for the root) */
  readonly path: string;
  /** What is wrong, e.g. `must be integer` or `unknown field "imag"`. */
  readonly message: string;
}

/** Options of a ManifestValidator. */
export interface ManifestValidatorOptions {
  /**
   * CRDs whose schemas validate custom resources, in addition to CRDs found among the validated
   * objects and to the external kinds the platform emits without installing (EXTERNAL_CRDS:
   * cert-manager's Certificate and Issuer).
   * @default - none
   */
  readonly crds?: readonly unknown[];
}

/** CRDs by `group/kind`: the API server serves one definition per group and kind. */
type CrdIndex = ReadonlyMap<string, CrdInfo>;

/** Validates Kubernetes objects (parsed YAML/JSON) without a cluster; see the module comment for what is checked. */
export class ManifestValidator {
  private readonly crds: CrdIndex;

  /** @throws Error when an entry of `options.crds` is not an apiextensions.k8s.io/v1 CustomResourceDefinition */
  constructor(options: ManifestValidatorOptions = {}) {
    const crds = new Map<string, CrdInfo>();
    for (const crd of EXTERNAL_CRDS) {
      const info = crdInfo(crd);
      if (info) crds.set(crdKey(info.group, info.kind), info);
    }
    (options.crds ?? []).forEach((crd, i) => {
      const info = crdInfo(crd);
      if (!info) throw new Error(`options.crds[${i}] is not an apiextensions.k8s.io/v1 CustomResourceDefinition with spec.group, spec.names.kind and spec.versions`);
      crds.set(crdKey(info.group, info.kind), info);
    });
    this.crds = crds;
  }

  /**
   * Validates one object against the built-in kinds and the CRDs of the options. `index`, its
   * position in a set, names an object that has no name (`objects[3]`), as validateAll does.
   */
  public validate(obj: unknown, index?: number): ManifestIssue[] {
    return checkObject(obj, this.crds, index);
  }

  /** Validates a set: CRDs in the set are registered first (for this call only), then every object is checked. */
  public validateAll(objs: readonly unknown[]): ManifestIssue[] {
    const crds = new Map(this.crds);
    for (const obj of objs) {
      const info = crdInfo(obj); // a malformed CRD is not registered; its own validation reports why
      if (info) crds.set(crdKey(info.group, info.kind), info);
    }
    return objs.flatMap((obj, i) => checkObject(obj, crds, i));
  }
}

/** Thrown by assertValidManifests: the message lists every issue, one per line. */
export class ManifestValidationError extends Error {
  /** Every issue found. */
  public readonly issues: readonly ManifestIssue[];

  constructor(issues: readonly ManifestIssue[]) {
    super(`${issues.length} manifest issue${issues.length === 1 ? '' : 's'}:\n${formatIssues(issues)}`);
    this.name = 'ManifestValidationError';
    this.issues = issues;
  }
}

/** Convenience: validateAll + throw ManifestValidationError listing every issue (one line each: object, path, message) when there is any. */
export function assertValidManifests(objs: readonly unknown[], options?: ManifestValidatorOptions): void {
  const issues = new ManifestValidator(options).validateAll(objs);
  if (issues.length > 0) throw new ManifestValidationError(issues);
}

/** One line per issue: `<object> at <path>: <message>` (`<object>: <message>` for the root). */
export function formatIssues(issues: readonly ManifestIssue[]): string {
  return issues.map((i) => `${i.object}${i.path ? ` at ${i.path}` : ''}: ${i.message}`).join('\n');
}

// ---------------------------------------------------------------------------------------------

function checkObject(obj: unknown, crds: CrdIndex, index: number | undefined): ManifestIssue[] {
  const label = describeObject(obj, index);
  return dedupe(problemsOf(obj, crds)).map((p) => ({ object: label, ...p }));
}

function problemsOf(obj: unknown, crds: CrdIndex): FieldProblem[] {
  if (!isRecord(obj)) return [{ path: '', message: `must be an object, not ${obj === null ? 'null' : Array.isArray(obj) ? 'an array' : typeof obj}` }];
  const typeMeta = typeMetaProblems(obj);
  if (typeMeta.length > 0) return typeMeta;
  const apiVersion = obj.apiVersion as string;
  const kind = obj.kind as string;
  const checked = builtinProblems(apiVersion, kind, obj) ?? customResourceProblems(apiVersion, kind, obj, crds);
  if (checked === undefined) {
    return [{ path: '', message: `unknown kind: ${apiVersion} ${kind} is neither a built-in kind of Kubernetes 1.28 nor defined by a CustomResourceDefinition of the set` }];
  }
  return [...nameProblems(obj), ...checked];
}

/** apiVersion and kind decide everything else: without them there is nothing more to check. */
function typeMetaProblems(obj: Record<string, unknown>): FieldProblem[] {
  return (['apiVersion', 'kind'] as const).flatMap((field): FieldProblem[] => {
    const value = obj[field];
    if (value === undefined) return [{ path: `/${field}`, message: requiredFieldMessage(field) }];
    if (typeof value !== 'string' || value === '') return [{ path: `/${field}`, message: 'must be a non-empty string' }];
    return [];
  });
}

/** The API server names objects by generateName too, but `kubectl apply` and GitOps tools need a fixed name. */
function nameProblems(obj: Record<string, unknown>): FieldProblem[] {
  if (!isRecord(obj.metadata)) return obj.metadata === undefined ? [{ path: '/metadata', message: requiredFieldMessage('metadata') }] : [];
  const name = obj.metadata.name;
  return name === undefined || name === '' ? [{ path: '/metadata/name', message: requiredFieldMessage('name') }] : [];
}

/**
 * Types (kubernetes-models, 1.27) and field names (cdk8s-plus-28, 1.28); undefined when neither
 * knows the kind. A kind only kubernetes-models knows, under an API version 1.28 no longer serves,
 * is an issue: the cluster would refuse it.
 */
function builtinProblems(apiVersion: string, kind: string, obj: Record<string, unknown>): FieldProblem[] | undefined {
  const fields = unknownBuiltinFields(apiVersion, kind, obj);
  if (fields === undefined && !servesApiVersion(apiVersion)) {
    return hasBuiltinModel(apiVersion, kind) ? [{ path: '/apiVersion', message: removedApiMessage(apiVersion, kind) }] : undefined;
  }
  const types = builtinTypeProblems(apiVersion, kind, obj);
  if (types === undefined && fields === undefined) return undefined;
  const crd = crdInfo(obj);
  return [...(types ?? []), ...(fields ?? []), ...(crd ? [...crdCompileProblems(crd), ...embeddedTypesProblems(crd)] : [])];
}

/** Where a CRD's embedded-types annotation sits, as a JSON pointer. */
const EMBEDDED_TYPES_PATH = pointer('/metadata/annotations', EMBEDDED_KUBERNETES_TYPES_ANNOTATION);

/** An embedded-types annotation that cannot be read would leave embedded objects unchecked: say so on the CRD itself. */
function embeddedTypesProblems(crd: CrdInfo): FieldProblem[] {
  return 'error' in crd.embeddedTypes ? [{ path: EMBEDDED_TYPES_PATH, message: crd.embeddedTypes.error }] : [];
}

function removedApiMessage(apiVersion: string, kind: string): string {
  const served = apiVersionsOfKind(kind);
  return `${apiVersion} ${kind} is not served by Kubernetes 1.28 (removed API version)${served.length > 0 ? `; use ${served.join(' or ')}` : ''}`;
}

/** A CRD whose schema does not compile could not validate anything: say so on the CRD itself. */
function crdCompileProblems(crd: CrdInfo): FieldProblem[] {
  return crd.versions.flatMap((version): FieldProblem[] => {
    const compiled = crdSchemaCheck(crd, version);
    return 'error' in compiled ? [{ path: `/spec/versions/${version.index}/schema/openAPIV3Schema`, message: `cannot be compiled: ${compiled.error}` }] : [];
  });
}

/** The CRD's schema for the object's version plus ObjectMeta checks; undefined when no CRD defines the kind. */
function customResourceProblems(apiVersion: string, kind: string, obj: Record<string, unknown>, crds: CrdIndex): FieldProblem[] | undefined {
  const slash = apiVersion.indexOf('/');
  const crd = slash < 0 ? undefined : crds.get(crdKey(apiVersion.slice(0, slash), kind));
  if (crd === undefined) return undefined;
  const versionName = apiVersion.slice(slash + 1);
  const version = crd.versions.find((v) => v.name === versionName && v.served);
  if (version === undefined) {
    const served = crd.versions.filter((v) => v.served).map((v) => v.name);
    return [{ path: '/apiVersion', message: `version ${JSON.stringify(versionName)} is not served by CustomResourceDefinition ${crd.name} (served: ${served.join(', ') || 'none'})` }];
  }
  const compiled = crdSchemaCheck(crd, version);
  if ('error' in compiled) return [{ path: '', message: `cannot be checked: the schema of CustomResourceDefinition ${crd.name} ${version.name} does not compile: ${compiled.error}` }];
  const embedded = crd.embeddedTypes;
  if ('error' in embedded) return [{ path: '', message: `cannot be checked: the annotation ${EMBEDDED_KUBERNETES_TYPES_ANNOTATION} of CustomResourceDefinition ${crd.name} ${embedded.error}` }];
  const metadata = obj.metadata === undefined ? [] : [...objectMetaTypeProblems(obj.metadata, '/metadata'), ...unknownObjectMetaFields(obj.metadata, '/metadata')];
  return [...compiled.check(obj), ...embeddedTypeProblems(embedded.types, obj), ...metadata];
}

function crdKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** "apps/v1 Deployment spark-operator/controller"; objects that cannot be named by their position in the set. */
function describeObject(obj: unknown, index: number | undefined): string {
  const position = index === undefined ? 'object' : `objects[${index}]`;
  if (!isRecord(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return position;
  const metadata = isRecord(obj.metadata) ? obj.metadata : {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : `(unnamed ${position})`;
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? `${metadata.namespace}/` : '';
  return `${obj.apiVersion} ${obj.kind} ${namespace}${name}`;
}
