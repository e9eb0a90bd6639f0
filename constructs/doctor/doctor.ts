import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { DeferredBatch, DeferredChildren } from '../deferred';
import { isClientModeDriver } from '../client-mode-driver';
import { checkProps } from '../validation/props';
import { SparkPlatformError, show } from '../errors';
import { DoctorOptions, DoctorSuppression, ResolvedDoctorOptions, checkDoctorOptions, resolveDoctorOptions } from './options';
import { DOCTOR_RULES } from './rules';
import { DoctorFinding, DoctorReport, DoctorRule, RuleTarget, Severity } from './types';
import { treeVersion } from '../tree-version';
import { DoctorView, IndexedObject, declaredImages } from './view';
import { SparkImage } from '../spark-image';

/** Suppressions made with `Doctor.suppress`, per construct (they cover its subtree). */
const constructSuppressions = new WeakMap<IConstruct, Array<{ rule: string; reason: string }>>();
/** Bumped by every `Doctor.suppress`, so a cached report is recomputed. */
let suppressVersion = 0;

const RULE_IDS: ReadonlySet<string> = new Set(DOCTOR_RULES.map((r) => r.id));

/**
 * The JSON each report of `run()` was computed from, until `report()` takes it for the renderer
 * (weakly held: a report of a direct `run()` keeps it no longer than its caller keeps the report).
 */
const RUN_JSON = new WeakMap<DoctorReport, ReadonlyMap<IConstruct, unknown>>();

/**
 * The platform doctor: rules that find at synth time what otherwise breaks Spark on Kubernetes
 * at run time (pods that fit no node or quota, images that cannot be pulled or do not match,
 * s3a without wiring, executors that cannot reach their driver, drivers without the rights
 * Spark needs, namespaces no operator watches, secrets in Git, ...).
 *
 * It is a construct with a cdk8s validation (`node.addValidation`), so `cdk8s synth`,
 * `npm run synth`, the Pulumi program and `Testing.synth` all run it: each error-severity
 * finding fails the validation with its rule, path and fix; warnings and suppressed findings
 * are only in `report()`. It reads the tree (every ApiObject's JSON, indexed once, plus facts
 * constructs declare) and owns no objects. Attach it with `attachDoctor`.
 */
export class Doctor extends Construct {
  /** The id of the doctor's construct under the scope it checks. */
  public static readonly ID = 'SparkPlatformDoctor';

  /** The doctor attached to `scope`, if any. */
  public static of(scope: IConstruct): Doctor | undefined {
    const child = scope.node.tryFindChild(Doctor.ID);
    return child instanceof Doctor ? child : undefined;
  }

  /**
   * Accepts findings of `rule` on `construct` and everything under it, for `reason`: they stay
   * in the report, marked suppressed with the reason, and no longer fail the synth.
   */
  public static suppress(construct: IConstruct, rule: string, reason: string): void {
    const where = `Doctor.suppress(${show(construct.node.path)})`;
    if (!RULE_IDS.has(rule)) throw new SparkPlatformError('rule', `${show(rule)} is not a doctor rule`, `use one of ${[...RULE_IDS].join(', ')}`, where);
    if (typeof reason !== 'string' || reason.trim() === '') throw new SparkPlatformError('reason', 'is empty', 'say why the finding is acceptable: the reason is kept in every report', where);
    const list = constructSuppressions.get(construct) ?? [];
    list.push({ rule, reason: reason.trim() });
    constructSuppressions.set(construct, list);
    suppressVersion++;
  }

  /** The options in effect. */
  public readonly options: ResolvedDoctorOptions;
  /** The rules it runs. */
  public readonly rules: readonly DoctorRule[];
  /**
   * The last report, the tree state it was computed for, and the JSON of every ApiObject it read
   * (kept for the renderer until released). The view itself (indexes, application models,
   * evaluators, memos) is dropped as soon as the report is made.
   */
  private cached?: { key: string; report: DoctorReport; json?: ReadonlyMap<IConstruct, unknown> };
  /** The deferred judgement under way (beginDeferred), if any. */
  private judging?: DeferredJudgement;

  constructor(scope: Construct, id: string, options: DoctorOptions = {}) {
    super(scope, id);
    try {
      checkProps('DoctorOptions', options, undefined, 'doctor');
      this.options = resolveDoctorOptions(options, 'doctor', RULE_IDS);
    } catch (e) {
      // Bad options leave no half-made doctor behind.
      scope.node.tryRemoveChild(id);
      throw e;
    }
    this.rules = DOCTOR_RULES;
    this.node.addValidation({ validate: () => (this.judging ? [] : this.report().errors.map(formatFinding)) });
  }

  /**
   * The findings over the checked tree. Computed on first use and kept while the tree has the
   * same constructs, none of them recorded a change (`treeChanged`: SparkJob, notebooks, the
   * History Server after add*()) and no suppression was added (cdk8s validates the whole app
   * once per chart rendered, so a synth reuses one run); `run()` always recomputes.
   */
  public report(): DoctorReport {
    const key = this.cacheKey();
    if (this.cached?.key !== key) {
      this.cached = undefined; // the old JSON may be garbage while the new run works
      const report = this.run();
      const json = RUN_JSON.get(report);
      RUN_JSON.delete(report);
      // The state after the run: judging deferred children builds them, and records changes.
      this.cached = { key: this.cacheKey(), report, json };
    }
    return this.cached.report;
  }

  /**
   * The JSON of every ApiObject the current report was computed from, while that report is
   * still valid (see `report()`): a renderer right after validation reuses it instead of
   * rendering every object a second time. Undefined when there is none or it may be stale.
   * Checked once per call: take it once per render, not per object.
   */
  public renderedJson(): ReadonlyMap<IConstruct, unknown> | undefined {
    if (!this.cached?.json || this.cached.key !== this.cacheKey()) return undefined;
    return this.cached.json;
  }

  /**
   * Drops the JSON kept for `renderedJson()` (the report stays): a renderer that has taken it,
   * and releases objects as it writes them, calls this so the doctor does not keep every object
   * alive until the end. `renderedJson()` is then undefined until the next run.
   */
  public releaseRenderedJson(): void {
    if (this.cached) this.cached = { key: this.cached.key, report: this.cached.report };
  }

  /**
   * Forgets the cached report and JSON: the next `report()` runs the rules anew. The cache key
   * sees only changes constructs record, and cdk8s allows others after a render (a JSON patch,
   * a label added to an object's metadata), so whatever starts a synth calls this once first
   * (`streamApp`, hence renderApp, `SparkPlatformApp.synth`/`check` and the Pulumi program): one
   * run per synth, reused by the validations cdk8s makes per chart, and never JSON rendered
   * before the synth began.
   */
  public invalidate(): void {
    this.cached = undefined;
    this.judging = undefined;
  }

  private cacheKey(): string {
    return `${this.node.scope!.node.findAll().length}/${suppressVersion}/${treeVersion()}`;
  }

  /** Runs every rule over the tree now. */
  public run(): DoctorReport {
    const { report, json } = this.evaluate();
    RUN_JSON.set(report, json);
    return report;
  }

  /**
   * Runs every rule over a view of the tree made for this run, and returns the report with the
   * JSON the view rendered; the view and everything derived from it is garbage afterwards.
   * A tree with deferred children is judged batch by batch (see evaluateDeferred).
   */
  private evaluate(): { report: DoctorReport; json: ReadonlyMap<IConstruct, unknown> } {
    const scope = this.node.scope!;
    const deferred = DeferredChildren.under(scope);
    if (deferred) return this.evaluateDeferred(deferred);
    const view = new DoctorView(scope.node.findAll(), this.options);
    return { report: this.reportOf(this.findings(view).map((f) => f.finding)), json: view.jsonByConstruct() };
  }

  /**
   * A tree whose jobs are deferred: every batch built, judged and released in turn (see
   * DeferredJudgement).
   */
  private evaluateDeferred(deferred: DeferredChildren): { report: DoctorReport; json: ReadonlyMap<IConstruct, unknown> } {
    const judgement = new DeferredJudgement(this, deferred);
    for (const batch of deferred.batches) {
      const built = deferred.materialize(batch);
      try {
        judgement.judge(batch, built);
      } finally {
        deferred.release(built);
      }
    }
    return judgement.finish();
  }

  /**
   * Starts judging a tree whose children are deferred (see DeferredJudgement), batch by batch as
   * a renderer builds them; `finish()` makes its report the doctor's, as `report()` would, its
   * JSON the renderer's (`renderedJson()`). Until then the doctor's cdk8s validation reports
   * nothing. Undefined when the tree has no deferred children.
   */
  public beginDeferred(): DeferredJudgement | undefined {
    const deferred = DeferredChildren.under(this.node.scope!);
    if (!deferred) return undefined;
    this.cached = undefined;
    const judgement = new DeferredJudgement(this, deferred);
    this.judging = judgement;
    return judgement;
  }

  /** @internal the findings of one view, with their targets (DeferredJudgement) */
  public _findings(view: DoctorView): RunFinding[] {
    return this.findings(view);
  }

  /** @internal a finished deferred judgement: its report becomes the doctor's (DeferredJudgement) */
  public _finished(judgement: DeferredJudgement, found: ReadonlyArray<RunFinding['finding']>, json: ReadonlyMap<IConstruct, unknown>): DoctorReport {
    const report = this.reportOf(found);
    if (this.judging === judgement) {
      this.judging = undefined;
      this.cached = { key: this.cacheKey(), report, json };
    }
    return report;
  }

  /** Every rule's findings over `view`, with their targets. */
  private findings(view: DoctorView): RunFinding[] {
    const out: RunFinding[] = [];
    for (const rule of this.rules) {
      const report = (target: RuleTarget, message: string) => {
        const path = target.construct.node.path;
        const hit = this.suppression(rule.id, target);
        out.push({
          target,
          finding: {
            rule: rule.id,
            severity: rule.severity,
            path,
            ...(target.object ? { object: target.object } : {}),
            message,
            ...(hit !== undefined ? { suppressed: hit.reason } : {}),
            ...(hit?.option ? { suppressedBy: hit.option } : {}),
          },
        });
      };
      try {
        rule.check(view, report);
      } catch (e) {
        if (e instanceof Error) e.message = `doctor rule ${rule.id} failed: ${e.message}`;
        throw e;
      }
    }
    return out;
  }

  /** The report of a run's findings (an option's suppression is used when it suppressed one). */
  private reportOf(found: ReadonlyArray<RunFinding['finding']>): DoctorReport {
    const used = new Set(found.flatMap((f) => (f.suppressedBy ? [f.suppressedBy] : [])));
    const findings: DoctorFinding[] = found.map(({ suppressedBy: _s, ...f }) => f);
    findings.sort(compareFindings);
    const active = findings.filter((f) => f.suppressed === undefined);
    return {
      findings,
      errors: active.filter((f) => f.severity === Severity.ERROR),
      warnings: active.filter((f) => f.severity === Severity.WARNING),
      suppressed: findings.filter((f) => f.suppressed !== undefined),
      unusedSuppressions: this.options.suppressions.filter((s) => !used.has(s)).map((s) => ({ rule: s.rule, path: s.path, reason: s.reason })),
    };
  }

  /** Why a finding is suppressed: by Doctor.suppress on the construct or an ancestor, or by the options (`option`). */
  private suppression(rule: string, target: RuleTarget): { reason: string; option?: DoctorSuppression } | undefined {
    for (let c: IConstruct | undefined = target.construct; c; c = c.node.scope) {
      const hit = constructSuppressions.get(c)?.find((s) => s.rule === rule);
      if (hit) return { reason: hit.reason };
    }
    const path = target.construct.node.path;
    const hit = this.options.suppressions.find((s) => s.rule === rule
      && (s.path === target.object || s.path === path || path.startsWith(`${s.path}/`)));
    if (!hit) return undefined;
    return { reason: hit.reason.trim(), option: hit };
  }
}

/**
 * The doctor's judgement of a tree whose children are deferred (DeferredChildren: one batch per
 * namespace), made without ever holding every batch: each batch is judged while it is built
 * (`judge`), with the rest of the tree (the base) minus the other batches' namespaces, so each
 * view is as large as its batch, its namespace, the platform's own namespaces and the
 * cluster-scoped objects; then the base alone, once every batch has added what it adds to its
 * namespace (`finish`). A batch's constructs are reported from its own view; a base construct from
 * the view of its namespace's batch (what it is judged against lives in its namespace: quotas,
 * policies, services, accounts), or from the base's view when no batch is in its namespace. Each
 * base object is rendered once, for every view and the renderer. The report is the one the whole
 * tree would get: the tests compare both.
 */
export class DeferredJudgement {
  private readonly kept: Array<RunFinding['finding']> = [];
  private readonly batched: ReadonlySet<string>;
  /** The base's objects, indexed by the first view that had them (a batch only adds objects). */
  private readonly indexed = new Map<IConstruct, IndexedObject>();
  private readonly namespaces = new Map<IConstruct, string | undefined>();
  /** The images the judged batches declared, each once, in the order the tree has them. */
  private readonly images: SparkImage[] = [];
  private readonly imageNames = new Set<string>();

  constructor(private readonly doctor: Doctor, private readonly deferred: DeferredChildren) {
    this.batched = new Set(deferred.batches.map((b) => b.namespace));
  }

  /**
   * Judges `batch`, whose constructs (`built`) are in the tree now, and returns the JSON of every
   * object of its view (the batch's rendered here once, for the renderer too).
   */
  public judge(batch: DeferredBatch, built: readonly IConstruct[]): ReadonlyMap<IConstruct, unknown> {
    const others = (c: IConstruct) => {
      const ns = this.namespaceOf(c);
      return ns !== undefined && ns !== batch.namespace && this.batched.has(ns);
    };
    const view = this.view(this.doctor.node.scope!.node.findAll().filter((c) => !others(c)));
    for (const f of this.doctor._findings(view)) {
      if (this.deferred.owns(f.target.construct) || targetNamespace(f.target.construct) === batch.namespace) this.kept.push(f.finding);
    }
    for (const c of built.flatMap((b) => b.node.findAll())) {
      for (const image of declaredImages(c)) {
        if (!this.imageNames.has(image.image)) this.images.push(image);
        this.imageNames.add(image.image);
      }
    }
    return view.jsonByConstruct();
  }

  /**
   * Judges the base, once every batch was judged (and added what it adds to its namespace), and
   * returns the report (it becomes the doctor's) with the JSON of the base's objects.
   */
  public finish(): { report: DoctorReport; json: ReadonlyMap<IConstruct, unknown> } {
    const view = this.view(this.doctor.node.scope!.node.findAll());
    for (const f of this.doctor._findings(view)) {
      const ns = targetNamespace(f.target.construct);
      if (ns === undefined || !this.batched.has(ns)) this.kept.push(f.finding);
    }
    const json = view.jsonByConstruct();
    return { report: this.doctor._finished(this, this.kept, json), json };
  }

  private view(constructs: readonly IConstruct[]): DoctorView {
    const view = new DoctorView(constructs, this.doctor.options, { indexed: this.indexed, declared: { at: this.deferred.chart, images: this.images } });
    for (const o of view.objects) {
      if (!this.indexed.has(o.construct) && !this.deferred.owns(o.construct)) this.indexed.set(o.construct, o);
    }
    return view;
  }

  /** The namespace of a construct of the base, for leaving other batches' namespaces out of a view. */
  private namespaceOf(c: IConstruct): string | undefined {
    if (this.namespaces.has(c)) return this.namespaces.get(c);
    const ns = c instanceof ApiObject ? (c.kind === 'Namespace' ? undefined : c.metadata.namespace) : isClientModeDriver(c) ? c.namespace : undefined;
    if (!this.deferred.owns(c)) this.namespaces.set(c, ns);
    return ns;
  }
}

/** A finding of one view, with its target (and the option that suppressed it, if one did). */
interface RunFinding {
  readonly target: RuleTarget;
  readonly finding: DoctorFinding & { readonly suppressedBy?: DoctorSuppression };
}

/**
 * The namespace a finding's target belongs to, for a deferred run: its object's (a Namespace's
 * own name), or the first object's under it; undefined when cluster-scoped or without objects.
 */
function targetNamespace(c: IConstruct): string | undefined {
  const o = c instanceof ApiObject ? c : c.node.findAll().find((x): x is ApiObject => x instanceof ApiObject);
  if (!o) return undefined;
  return o.kind === 'Namespace' ? o.name : o.metadata.namespace;
}

/**
 * Attaches the doctor to `scope` (an App: the whole tree; any other construct: its subtree) and
 * returns it. Every synth of the tree then runs the rules; error findings fail it.
 */
export function attachDoctor(scope: Construct, options: DoctorOptions = {}): Doctor {
  if (Doctor.of(scope)) {
    throw new SparkPlatformError('attachDoctor', `a doctor is already attached to ${show(scope.node.path || 'the app')}`, 'attach it once; get it with Doctor.of(scope)');
  }
  return new Doctor(scope, Doctor.ID, options);
}

/**
 * Checks doctor options read at run time (a PlatformConfig's `doctor`), naming the field
 * (`doctor.nodes[0].memory`); suppressions must name rules the doctor has.
 */
export function checkDoctorConfig(value: unknown, path: string): void {
  checkDoctorOptions(value, path, RULE_IDS);
}

/** One validation line: `<rule> <path> (<object>): <message>`. */
export function formatFinding(f: DoctorFinding): string {
  return `${f.rule} ${f.path}${f.object ? ` (${f.object})` : ''}: ${f.message}${f.suppressed !== undefined ? ` [suppressed: ${f.suppressed}]` : ''}`;
}

/** Errors, then warnings, then suppressed findings; by rule and path within each. */
function compareFindings(a: DoctorFinding, b: DoctorFinding): number {
  const sev = (f: DoctorFinding) => (f.suppressed !== undefined ? 2 : f.severity === Severity.ERROR ? 0 : 1);
  return sev(a) - sev(b) || cmp(a.rule, b.rule) || cmp(a.path, b.path) || cmp(a.message, b.message);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
