/**
 * The engine's entry point for one instance: run the rules in priority order, then warn before acting, respect
 * protection, and clear a warning whose condition no longer holds. Pure: the clock comes in as `now`.
 */
import type { Config } from '../config/schema';
import { buildContext } from './build-context';
import { baseEvidence, hostKeep, keepReason } from './describe';
import { firstHolding } from './evaluate-rules';
import { clip } from './format';
import { idleCostUsd, usablePrice } from './idle-run';
import { pendingWarning } from './pending-warning';
import type { ActingFinding, RuleContext } from './rules/context';
import { approvalsCount } from './rules/unapproved';
import type { SnoozeSighting } from './tags';
import type { BudgetStanding, Decision, Evidence, GpuTelemetry, InstanceFacts, WarningState } from './types';
import { warnThenAct } from './warn-then-act';

/** What the engine needs to decide for one instance. */
interface InstanceInput {
  readonly instance: InstanceFacts;
  readonly telemetry: GpuTelemetry;
  /**
   * The pending warning from the state table. `undefined`: read it from the `warned` tag instead; `null`: the
   * table says there is none.
   */
  readonly warning?: WarningState | null;
  /**
   * On-demand $/hour of the instance, priced by the pass (config overrides, then live, then bundled prices): data
   * in, like the clock; the engine never looks a price up. @default null (unknown)
   */
  readonly hourlyUsd?: number | null;
  /**
   * When the reaper first saw the instance's current `snooze-until` value (the state table); a snooze is capped at
   * that moment + `snooze.ceiling`. @default null (first seen now)
   */
  readonly snooze?: SnoozeSighting | null;
  /**
   * When the reaper first saw the instance's current `approved-until` value (the state table); an approval is
   * capped at that moment + `maxRuntime.ceiling`. @default null (first seen now)
   */
  readonly approval?: SnoozeSighting | null;
  /** The instance's team against its monthly budget (`budgets`). @default null (no budgets) */
  readonly budget?: BudgetStanding | null;
}

/** A decision's varying parts; {@link decideInstance} fills in the rest. */
interface Draft extends Pick<Decision, 'outcome' | 'rule' | 'action' | 'actAt' | 'warningChange' | 'reason'> {
  readonly evidence?: Partial<Evidence>;
}

const NO_CHANGE = { kind: 'none' } as const;

/** Warn or act for an acting rule that holds, unless protection forbids the action. */
function acting(
  finding: ActingFinding,
  action: 'stop' | 'terminate',
  notes: readonly string[],
  input: InstanceInput,
  context: RuleContext,
): Draft {
  const { instance, policy, now } = context;
  const protection = instance.protection;
  if (protection && (action === 'stop' ? protection.stop : protection.termination)) {
    // The warning, if any, stays: should protection be lifted, the action is still due on the same terms.
    const kind = action === 'stop' ? 'stop' : 'termination';
    return {
      outcome: 'skip',
      rule: 'protected',
      action,
      actAt: null,
      warningChange: NO_CHANGE,
      reason: [finding.reason, ...notes, `would ${action}, but ${kind} protection is on`].join('; '),
      evidence: { ...finding.evidence, protection },
    };
  }
  const warning = pendingWarning(input.warning, context, action);
  if (warning?.phase === 'protected') {
    // Found protected at an earlier action pass and told once: no slot of the cap, no new attempt this launch.
    return {
      outcome: 'skip',
      rule: 'protected',
      action,
      actAt: null,
      warningChange: NO_CHANGE,
      reason: [finding.reason, ...notes, `would ${action}, but EC2 protection blocked it at the action pass`].join(
        '; ',
      ),
      evidence: finding.evidence,
    };
  }
  const step = warnThenAct({
    rule: finding.rule,
    action,
    deadline: finding.deadline,
    warning,
    // An unapproved run has its own, usually shorter, grace: the approvers' time to answer.
    graceMs: finding.rule === 'unapproved' ? policy.gatingGraceMs : policy.graceMs,
    now,
  });
  const hostFailure = context.telemetry.host?.status === 'error' && finding.evidence.host !== undefined;
  if (step.outcome === 'act' && hostFailure) {
    // The host may have started working since the warning: a failed host read never turns a keep into a stop.
    const error = clip(context.telemetry.host?.error ?? 'error');
    return {
      outcome: 'warn',
      rule: finding.rule,
      action,
      actAt: step.actAt.toISOString(),
      warningChange: NO_CHANGE,
      reason: [finding.reason, ...notes, `the ${action} waits for a pass that can read the host (${error})`].join('; '),
      evidence: finding.evidence,
    };
  }
  return {
    outcome: step.outcome,
    rule: finding.rule,
    action,
    actAt: step.actAt.toISOString(),
    warningChange: step.change,
    reason: [finding.reason, ...notes, step.note].join('; '),
    evidence: finding.evidence,
  };
}

/** Keep, skip and notify: a warning still pending is cleared, since what it warned of no longer holds. */
function passive(draft: Omit<Draft, 'actAt' | 'warningChange'>, input: InstanceInput, context: RuleContext): Draft {
  const previous = pendingWarning(input.warning, context);
  if (previous === null) return { ...draft, actAt: null, warningChange: NO_CHANGE };
  const reason = `warning for ${previous.rule} (${previous.action}) cleared: ${draft.reason}`;
  return { ...draft, actAt: null, warningChange: { kind: 'clear', previous }, reason };
}

function draftOf(input: InstanceInput, context: RuleContext): Draft {
  const holding = firstHolding(context);
  if (holding === null) {
    if (context.telemetry.status !== 'error') {
      const host = hostKeep(context);
      const reason = keepReason(context, host?.reason ?? null);
      return passive({ outcome: 'keep', rule: null, action: null, reason, ...host }, input, context);
    }
    // A read error proves nothing either way: the pending warning, if any, is neither kept alive nor cleared.
    const error = clip(context.telemetry.error ?? 'unknown error');
    const reason = `the GPU telemetry could not be read (${error}): nothing can be decided this pass`;
    return { outcome: 'error', rule: null, action: null, actAt: null, warningChange: NO_CHANGE, reason };
  }
  if (holding.plan === null) {
    const { verdict, rule, reason, evidence } = holding.finding;
    const action = verdict === 'notify' ? 'notify' : null;
    return passive({ outcome: verdict, rule, action, reason, evidence }, input, context);
  }
  const { finding, plan } = holding;
  if (plan.kind === 'act') return acting(finding, plan.action, plan.notes, input, context);
  const reason = [finding.reason, ...plan.notes].join('; ');
  const action = plan.kind === 'notify' ? 'notify' : null;
  return passive(
    { outcome: plan.kind, rule: finding.rule, action, reason, evidence: finding.evidence },
    input,
    context,
  );
}

/** What the reason adds whatever the outcome: a guessed GPU, and every tag value that was ignored. */
function notesOf({ instance, tags }: RuleContext): string[] {
  const notes: string[] = [];
  if (instance.gpu.source === 'family-fallback') {
    notes.push(`GPU assumed from the instance family (${instance.instanceType} unknown to DescribeInstanceTypes)`);
  }
  notes.push(...tags.notes);
  for (const problem of tags.problems) {
    notes.push(`tag ${problem.tag}=${JSON.stringify(problem.value)} ignored: ${problem.message}`);
  }
  return notes;
}

/**
 * Decides what to do with one instance at `now`.
 *
 * @param input the instance, its GPU telemetry, its pending warning (see {@link InstanceInput.warning}) and its price
 * @param config the validated config
 * @param now the evaluation clock
 * @example
 * const decision = decideInstance({ instance, telemetry, warning: null }, defaultConfig(), now);
 * decision.outcome; // 'warn'
 * decision.reason; // 'GPU max 2.1% < 5% for every minute of the last 1h (58/60 min, coverage 97%); will stop at …'
 */
function decideInstance(input: InstanceInput, config: Config, now: Date): Decision {
  const hourlyUsd = usablePrice(input.hourlyUsd);
  const built = buildContext(input.instance, input.telemetry, config, now, input.snooze ?? null, {
    hourlyUsd,
    budget: input.budget ?? null,
    approval: input.approval ?? null,
  });
  const context: RuleContext = { ...built, pending: pendingWarning(input.warning, built) };
  const draft = draftOf(input, context);
  const { instance, tags } = context;
  const evidence: Evidence = { ...baseEvidence(context), ...draft.evidence };
  return {
    instanceId: instance.instanceId,
    accountId: instance.accountId,
    region: instance.region,
    instanceType: instance.instanceType,
    owner: tags.owner,
    outcome: draft.outcome,
    rule: draft.rule,
    action: draft.action,
    executed: false,
    actAt: draft.actAt,
    reason: [draft.reason, ...notesOf(context)].join('; '),
    hourlyUsd,
    evidence: { ...evidence, idleUsd: idleCostUsd(evidence.idleMinutes, hourlyUsd) },
    tagProblems: tags.problems,
    warningChange: draft.warningChange,
    snoozeSeen: newSnooze(input, context),
    approvalSeen: newApproval(input, context),
  };
}

/** An `approved-until` value in force that the state table has not seen yet: recorded (`APPROVED`) once. */
function newApproval(input: InstanceInput, { tags, config }: RuleContext): Decision['approvalSeen'] {
  const seen = tags.approval;
  if (seen === null || tags.approvedUntil === null || !approvalsCount(config)) return null;
  if (input.approval?.value === seen.value) return null;
  return { ...seen, until: tags.approvedUntil, capped: tags.approvalCapped };
}

/** A `snooze-until` value in force that the state table has not seen yet: the pass records it (`SNOOZED`) once. */
function newSnooze(input: InstanceInput, { tags, now }: RuleContext): Decision['snoozeSeen'] {
  const seen = tags.snooze;
  if (seen === null || tags.snoozeUntil === null || tags.snoozeUntil <= now) return null;
  if (input.snooze?.value === seen.value) return null;
  return { ...seen, until: tags.snoozeUntil, capped: tags.snoozeCapped };
}

export type { InstanceInput };
export { decideInstance };
