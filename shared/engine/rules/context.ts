/**
 * What every rule reads and what it answers. Rules are small pure functions of one {@link RuleContext}; the
 * registry (`rules/index.ts`) runs them in the priority order of docs/rules.md.
 */
import type { Config } from '../../config/schema';
import type { Policy } from '../policy';
import type { ReadTags } from '../tags';
import type { Action, BudgetStanding, Evidence, GpuTelemetry, InstanceFacts, RuleName, WarningState } from '../types';

/** Everything a rule may look at for one instance at one instant. */
interface RuleContext {
  readonly instance: InstanceFacts;
  /** Telemetry with normalized points (see `normalizePoints`). */
  readonly telemetry: GpuTelemetry;
  readonly tags: ReadTags;
  readonly config: Config;
  /** The config's durations in milliseconds. */
  readonly policy: Policy;
  readonly now: Date;
  /**
   * Where every telemetry window ends: the start of the current minute. The minute in progress cannot be complete
   * yet, so counting it would make full coverage (`idle.minCoverage: 1`) unreachable.
   */
  readonly windowEnd: Date;
  /**
   * Why no configured source can measure this instance's GPUs (`AMD`, `Habana`: no nvidia-smi), when none has a
   * series for it: the telemetry rules then do not apply at all. `null` otherwise.
   */
  readonly telemetryUnsupported: string | null;
  /** Since the last start (`LaunchTime`); never negative. */
  readonly runningForMs: number;
  /** On-demand $/hour as the pass priced it; `null` when unknown. */
  readonly hourlyUsd: number | null;
  /** The instance's team against its monthly budget (`budgets`); `null` without budgets. */
  readonly budget: BudgetStanding | null;
  /**
   * The pending warning (state table, else the `warned` tag), when the decision knows it: an approval that ended
   * lets its max-runtime warning act at the approved deadline instead of starting a new one. @default null
   */
  readonly pending?: WarningState | null;
}

/** What every finding says: the rule, what holds with its numbers, and the evidence. */
interface FindingBase {
  readonly rule: RuleName;
  /** What holds, with its numbers: the first part of the decision's reason. */
  readonly reason: string;
  readonly evidence: Partial<Evidence>;
}

/** Leave the instance alone (opt-out, snoozed, managed by another system), or tell the owner only (no-telemetry). */
interface PassiveFinding extends FindingBase {
  readonly verdict: 'skip' | 'notify';
}

/** The rule's configured `action` is due at `deadline` (`null`: due now), to be warned about from `warnFrom`. */
interface ActingFinding extends FindingBase {
  readonly verdict: 'act';
  readonly action: Action;
  /** When the action is due; `null` for conditions that hold now (idle, never-used). */
  readonly deadline: Date | null;
  /** When the warning goes out (deadline − `maxRuntime.warnAhead`); `null` when due now. */
  readonly warnFrom: Date | null;
}

/** What a rule found: a passive finding (skip, notify) or an acting one. */
type RuleFinding = PassiveFinding | ActingFinding;

/** One rule: a finding, or `null` when the rule does not apply. */
type Rule = (context: RuleContext) => RuleFinding | null;

export type { ActingFinding, PassiveFinding, Rule, RuleContext, RuleFinding };
