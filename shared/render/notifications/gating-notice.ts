/**
 * The words of cost-gating and budgets in a notification (docs/cost-gating.md): why a run needs approval, what
 * approvers are asked, what an approval does, and what a budget notice says. The owner's copy never offers an
 * approval or an opt-out as a way out (neither holds the gate); the approvers' copy carries the approve links.
 */

import type { ReaperEvent } from '../../core/events';
import type { Evidence } from '../../engine/types';
import { formatHourlyUsd, formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';
import { formatUtc } from '../text/utc-time';

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** `$263.49 ($21.9576/h × 12h allowed runtime)`, or what is known of it. */
function projectedText(evidence: Evidence, hourlyUsd: number | null = null): string {
  const projected = num(evidence.projectedUsd);
  const hourly = num(evidence.hourlyUsd) ?? hourlyUsd ?? undefined;
  const runtime = str(evidence.allowedRuntime);
  if (projected === undefined) return 'an unknown cost (no price for its type)';
  const how =
    hourly !== undefined && runtime ? ` (${formatHourlyUsd(hourly)} × ${cleanText(runtime, 16)} allowed runtime)` : '';
  return `${formatUsd(projected)}${how}`;
}

/** Why the gate holds, as the notification's "because …" clause. */
function gateWhy(evidence: Evidence): string {
  if (evidence.overBudget === true) {
    return `its team is over its monthly GPU budget, so every run needs an approver's approval until the month ends; this run is projected at ${projectedText(evidence)}`;
  }
  const threshold = num(evidence.approvalThresholdUsd);
  const limit = threshold === undefined ? 'the approval threshold' : `the ${formatUsd(threshold)} approval threshold`;
  return `its projected cost of ${projectedText(evidence)} reaches ${limit} and no approver has approved it`;
}

/** The approvers named in the evidence, for the owner's copy. */
function approversText(event: ReaperEvent): string {
  const list = Array.isArray(event.evidence.approvers)
    ? event.evidence.approvers.filter((a): a is string => typeof a === 'string').map((a) => cleanText(a, 120))
    : [];
  return list.length > 0 ? list.join(', ') : 'the approvers';
}

/** The opening sentence of the approvers' copy of an unapproved warning. */
function approverHeadline(event: ReaperEvent, it: string, due: string): string {
  const owner = event.owner === null ? 'no owner tag' : `owner ${cleanText(event.owner, 200)}`;
  const done = event.action === 'terminate' ? 'terminated' : 'stopped';
  return `Approval needed: ${it} (${owner}) will be ${done} at ${due} because ${gateWhy(event.evidence)}. Approve it below to let it run; an approval becomes its deadline.`;
}

/** What the owner's copy says they can do: ask an approver, or shorten the run under the threshold. */
function ownerGateAdvice(event: ReaperEvent): string[] {
  const prefix = cleanText(event.tagPrefix, 64);
  const lines = [
    `Ask ${approversText(event)} to approve it: they received this warning with one-click approve links. An approval before the planned ${event.action ?? 'action'} keeps it running until the approval ends.`,
    `Opting out or snoozing does not exempt it: only an approver's ${prefix}approved-until tag does.`,
  ];
  const threshold = num(event.evidence.approvalThresholdUsd);
  const hourly = num(event.evidence.hourlyUsd);
  if (threshold !== undefined && threshold > 0 && hourly !== undefined && hourly > 0) {
    // The longest whole-hour runtime whose projected cost stays under the threshold.
    const hours = Math.ceil(threshold / hourly) - 1;
    if (hours >= 1) {
      lines.push(
        `Or, if it needs less time, set ${prefix}max-runtime=${hours}h: ${hours}h × ${formatHourlyUsd(hourly)} = ${formatUsd(hours * hourly)}, under the threshold.`,
      );
    }
  }
  return lines;
}

/** The opening sentence of an APPROVED event. */
function approvedHeadline(event: ReaperEvent, it: string): string {
  const until = str(event.evidence.approvedUntil);
  const how = event.reason.includes('by tag')
    ? `by its ${cleanText(event.tagPrefix, 64)}approved-until tag`
    : 'by an approver';
  return `${it} is approved ${how} until ${until ? formatUtc(until) : 'later'}: it is not stopped for its cost, and that instant is its deadline (warned ahead as usual).`;
}

/** The opening sentence of a budget notice. */
function budgetHeadline(event: ReaperEvent): string {
  const team = cleanText(str(event.evidence.team) ?? 'unknown', 128);
  const month = num(event.evidence.monthUsd);
  const budget = num(event.evidence.budgetUsd);
  const share = num(event.evidence.share);
  const spent =
    month !== undefined && budget !== undefined
      ? `${formatUsd(month)} of its ${formatUsd(budget)} monthly GPU budget${share === undefined ? '' : ` (${Math.round(share * 100)}%)`}`
      : 'most of its monthly GPU budget';
  return event.evidence.budgetLevel === 'over'
    ? `Team ${team} has spent ${spent} this month and is over budget: until the month ends (UTC), every GPU run of the team needs an approver's approval, or it is stopped after a short grace.`
    : `Team ${team} has spent ${spent} this month. At 100% every GPU run of the team will need an approver's approval until the month ends.`;
}

export { approvedHeadline, approverHeadline, budgetHeadline, gateWhy, ownerGateAdvice, projectedText };
