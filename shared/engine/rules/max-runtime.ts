/**
 * Rule 5, `max-runtime`: running since the last start (`LaunchTime`) for the tag's or the default max runtime. A
 * `max-runtime` tag applies even when the default is disabled; it is capped at `maxRuntime.ceiling`. An approval
 * (`approved-until`, cost-gating) replaces the deadline: the approved budget is the run's time.
 */
import { formatDuration } from '../../config/durations';
import { when } from '../format';
import { TagName } from '../tags';
import type { Rule } from './context';
import { approvalsCount, deadlineOfEndedApproval } from './unapproved';

/**
 * Finds the max-runtime deadline (launch + limit), warned `warnAhead` before it so the action lands on it.
 */
const maxRuntime: Rule = (context) => {
  const { instance, tags, config, policy, now, runningForMs } = context;
  // An approval that has ended stays the deadline it set: its warning acts at it (see unapproved.ts).
  const ended = deadlineOfEndedApproval(context) ? tags.approvalEndedAt : null;
  const approved = approvalsCount(config) ? (tags.approvedUntil ?? ended) : null;
  if (approved !== null) {
    // The approved budget is the run's deadline, warned warnAhead ahead as usual (docs/cost-gating.md).
    const capped = tags.approvalCapped ? `, capped at the ${config.maxRuntime.ceiling} ceiling` : '';
    return {
      rule: 'max-runtime',
      verdict: 'act',
      action: config.actions.maxRuntime,
      deadline: approved,
      warnFrom: new Date(approved.getTime() - policy.warnAheadMs),
      reason:
        `running ${formatDuration(runningForMs)}, ${approved > now ? 'approved until' : 'its approval ended'} ${when(approved, now)} ` +
        `(tag ${config.tagPrefix}${TagName.approvedUntil}${capped}): the approval is the deadline`,
      evidence: {
        approvedUntil: approved.toISOString(),
        deadline: approved.toISOString(),
        ...(tags.approvalCapped ? { approvalCapped: true } : {}),
      },
    };
  }
  const limit = tags.maxRuntimeMs ?? (config.maxRuntime.enabled ? policy.maxRuntimeDefaultMs : null);
  if (limit === null) return null;
  const deadline = new Date(instance.launchTime.getTime() + limit);
  const ceiling = tags.maxRuntimeCapped ? `, capped at the ${config.maxRuntime.ceiling} ceiling` : '';
  const source =
    tags.maxRuntimeMs === null ? 'maxRuntime.default' : `tag ${config.tagPrefix}${TagName.maxRuntime}${ceiling}`;
  return {
    rule: 'max-runtime',
    verdict: 'act',
    action: config.actions.maxRuntime,
    deadline,
    warnFrom: new Date(deadline.getTime() - policy.warnAheadMs),
    reason:
      `running ${formatDuration(runningForMs)} of a ${formatDuration(limit)} max runtime (${source}), ` +
      `deadline ${when(deadline, now)}`,
    evidence: {
      maxRuntime: formatDuration(limit),
      deadline: deadline.toISOString(),
      ...(tags.maxRuntimeCapped ? { maxRuntimeCapped: true } : {}),
    },
  };
};

export { maxRuntime };
