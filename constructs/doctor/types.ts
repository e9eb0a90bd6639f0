import { IConstruct } from 'constructs';
import type { DoctorView } from './view';

/** How bad a finding is. */
export enum Severity {
  /** Breaks at run time: fails the synth (a cdk8s validation error). */
  ERROR = 'error',
  /** Degrades at run time or at scale: printed, the synth goes on. */
  WARNING = 'warning',
}

/** One thing the doctor found. */
export interface DoctorFinding {
  /** The rule's id, e.g. `pod-exceeds-node`. */
  readonly rule: string;
  /** The rule's severity. */
  readonly severity: Severity;
  /** The construct path of what it concerns (an ApiObject, or a construct such as a notebook). */
  readonly path: string;
  /** The Kubernetes object, as `Kind/namespace/name` (`Kind/name` when cluster-scoped), when there is one. */
  readonly object?: string;
  /** What is wrong, why it fails at run time, and `Fix: ...`. Never contains a secret value. */
  readonly message: string;
  /** Why it is accepted, when a suppression matched: the finding is then neither error nor warning. */
  readonly suppressed?: string;
}

/** What a rule reports: the thing concerned and the message; the engine adds the rest. */
export interface RuleTarget {
  /** The construct concerned (suppressions on it and its ancestors apply). */
  readonly construct: IConstruct;
  /** `Kind/namespace/name` of the object, when the target is a Kubernetes object. */
  readonly object?: string;
}

/** Reports one finding of the running rule. */
export type Reporter = (target: RuleTarget, message: string) => void;

/**
 * One check. `check` reads the indexed view of the tree (built once per run) and reports each
 * problem through `report`; it must not walk the construct tree itself.
 */
export interface DoctorRule {
  /** Stable kebab-case id: what suppressions and reports name. */
  readonly id: string;
  /** Error (stops the synth) or warning (printed). */
  readonly severity: Severity;
  /** The run-time symptom it prevents, one line (listed by `npm run doctor -- --rules`). */
  readonly summary: string;
  /** Reports every problem of the tree. */
  check(view: DoctorView, report: Reporter): void;
}

/** The outcome of one doctor run over a tree. */
export interface DoctorReport {
  /** Every finding: errors, then warnings, then suppressed ones; by rule and path within each. */
  readonly findings: readonly DoctorFinding[];
  /** Unsuppressed errors: each fails the synth. */
  readonly errors: readonly DoctorFinding[];
  /** Unsuppressed warnings. */
  readonly warnings: readonly DoctorFinding[];
  /** Suppressed findings, with their reasons. */
  readonly suppressed: readonly DoctorFinding[];
  /** Suppressions from the options that matched nothing (stale, or a typo in the path). */
  readonly unusedSuppressions: ReadonlyArray<{ readonly rule: string; readonly path: string; readonly reason: string }>;
}
