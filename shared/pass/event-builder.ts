/**
 * Turns a decision into the reaper event (transition) that is audited and notified.
 */

import type { AuditEventName, ReaperEvent } from '../core/events';
import type { Decision } from '../engine';

/** What every event of one pass shares. */
interface PassStamp {
  readonly passId: string;
  readonly now: Date;
  readonly mode: 'dry-run' | 'enforce';
  readonly configHash: string;
  readonly tagPrefix: string;
  readonly accountIdOf: (instanceId: string) => string | null;
  /**
   * Who makes the transitions: the reaper's pass, an owner answering a message, or an approver approving from the
   * approvers' copy. @default 'reaper'
   */
  readonly by?: 'reaper' | 'owner' | 'approver';
}

/**
 * Builds the event for `decision`. The transition id is deterministic in (instance, event, rule, due time, key) so
 * a retried pass writes the same id and the audit's conditional put refuses a second copy.
 */
function buildEvent(
  stamp: PassStamp,
  decision: Decision,
  event: AuditEventName,
  overrides: { readonly reason?: string; readonly key?: string } = {},
): ReaperEvent {
  const due = decision.actAt ?? stamp.now.toISOString();
  const key = overrides.key ? `:${overrides.key}` : '';
  return {
    transitionId: `${decision.instanceId}:${event}:${decision.rule ?? 'none'}:${due}${key}`,
    event,
    instanceId: decision.instanceId,
    region: decision.region,
    accountId: stamp.accountIdOf(decision.instanceId),
    at: stamp.now.toISOString(),
    rule: decision.rule,
    action: decision.action,
    actAt: decision.actAt,
    mode: stamp.mode,
    reason: overrides.reason ?? decision.reason,
    evidence: decision.evidence,
    instanceType: decision.instanceType,
    owner: decision.owner,
    // The pass priced the instance once (overrides, live, bundled): the event says what the decision said.
    hourlyUsd: decision.hourlyUsd,
    passId: stamp.passId,
    configHash: stamp.configHash,
    tagPrefix: stamp.tagPrefix,
    by: stamp.by ?? 'reaper',
  };
}

/** The event that records an action: done in enforce mode, "would" in dry-run. */
function actionEventName(action: 'stop' | 'terminate', mode: 'dry-run' | 'enforce'): AuditEventName {
  if (mode === 'dry-run') return action === 'stop' ? 'WOULD_STOP' : 'WOULD_TERMINATE';
  return action === 'stop' ? 'STOPPED' : 'TERMINATED';
}

export type { PassStamp };
export { actionEventName, buildEvent };
