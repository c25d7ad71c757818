/**
 * Rule 0, `unapproved` (cost-gating, docs/cost-gating.md): a run whose projected cost reaches `gating.threshold`
 * needs an approver's `approved-until` tag. It comes before `opt-out`, so an owner cannot opt out of or snooze the
 * admins' approval; instances another system manages (an Auto Scaling group, EKS, Batch, …) are not gated. A team
 * over its monthly budget needs approval for every run (a threshold of 0) until the month ends.
 */
import { formatDuration } from '../../config/durations';
import { formatHourlyUsd, formatUsd } from '../../render/text/money';
import { instant } from '../format';
import { costEvidence, projectedCost } from '../projected-cost';
import { TagName } from '../tags';
import type { Rule, RuleContext } from './context';
import { ASG_TAG_KEY } from './managed-by-asg';
import { serviceTagKey } from './managed-by-service';

/** The gate that applies to an instance: the configured threshold, or 0 for a team over its budget. */
interface Gate {
  readonly threshold: number;
  /** Why the gate applies, as the reason's opening words. */
  readonly because: string;
  readonly overBudget: boolean;
}

/** Whether approvals mean anything under this config: gating is on, or budgets can put a team under the gate. */
function approvalsCount(config: RuleContext['config']): boolean {
  return config.gating !== null || config.budgets !== null;
}

/** The gate of this instance, or `null` when neither gating nor an exhausted budget applies to it. */
function gateOf({ config, budget }: RuleContext): Gate | null {
  if (budget !== null && budget.monthUsd >= budget.budgetUsd) {
    return {
      threshold: 0,
      overBudget: true,
      because:
        `team ${JSON.stringify(budget.team)} is over its ${formatUsd(budget.budgetUsd)} monthly budget ` +
        `(${formatUsd(budget.monthUsd)} spent this month): every run needs approval until the month ends`,
    };
  }
  if (config.gating === null) return null;
  return { threshold: config.gating.threshold, overBudget: false, because: '' };
}

/** Whether another system manages the instance: its runs are that system's to approve. */
function managedElsewhere({ instance }: RuleContext): boolean {
  return instance.tags[ASG_TAG_KEY] !== undefined || serviceTagKey(instance.tags) !== undefined;
}

/**
 * Whether the approval ended at its deadline with that deadline's warning pending: the max-runtime warning then
 * acts at the approved deadline, as promised, instead of a new warning starting another grace.
 */
function deadlineOfEndedApproval({ tags, pending }: RuleContext): boolean {
  const ended = tags.approvalEndedAt;
  return ended !== null && pending?.rule === 'max-runtime' && pending.actAt.getTime() <= ended.getTime();
}

/** What the reason says about a missing approval: none, or one that has ended. */
function approvalText(context: RuleContext): string {
  const tag = `${context.config.tagPrefix}${TagName.approvedUntil}`;
  const ended = context.tags.approvalEndedAt;
  return ended === null ? `no approval (tag ${tag})` : `its approval ended ${instant(ended, context.now)} (tag ${tag})`;
}

/**
 * Warns, then acts with `actions.unapproved`, on a run that needs an approval it does not have.
 *
 * @example unapproved(context)?.reason
 *   // 'projected cost $263.52 (p4d.24xlarge at $21.96/h × 12h, maxRuntime.default) reaches the $200.00 approval threshold, and no approval (tag gpu-reaper:approved-until)'
 */
const unapproved: Rule = (context) => {
  const gate = gateOf(context);
  if (gate === null || managedElsewhere(context) || context.tags.approvedUntil !== null) return null;
  if (deadlineOfEndedApproval(context)) return null;
  const cost = projectedCost(context);
  // Without a price nothing can be projected: only a team over budget (threshold 0) still needs the approval.
  if (cost === null && gate.threshold > 0) return null;
  if (cost !== null && cost.projectedUsd < gate.threshold) return null;
  const projected =
    cost === null
      ? 'projected cost unknown (no price)'
      : `projected cost ${formatUsd(cost.projectedUsd)} (${context.instance.instanceType} at ` +
        `${formatHourlyUsd(cost.hourlyUsd)} × ${formatDuration(cost.allowedRuntimeMs)}, ${cost.bound})`;
  const reason = gate.overBudget
    ? `${gate.because}; ${projected}, and ${approvalText(context)}`
    : `${projected} reaches the ${formatUsd(gate.threshold)} approval threshold, and ${approvalText(context)}`;
  return {
    rule: 'unapproved',
    verdict: 'act',
    action: context.config.actions.unapproved,
    deadline: null,
    warnFrom: null,
    reason,
    evidence: {
      ...(cost === null ? { hourlyUsd: null, projectedUsd: null } : costEvidence(cost)),
      approvalThresholdUsd: gate.threshold,
      approvers: context.config.gating?.approvers ?? [],
      ...(gate.overBudget ? { overBudget: true } : {}),
    },
  };
};

export type { Gate };
export { approvalsCount, deadlineOfEndedApproval, gateOf, managedElsewhere, unapproved };
