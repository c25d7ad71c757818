/**
 * Carries out one decision's transition, exactly once across overlapping or retried passes: each transition is one
 * commit of its state change, its audit item and its outbox entry (the conditions let one pass only), then
 * announced; for actions, re-describe and re-decide on fresh facts first (carry-out-act.ts).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config';
import type { AuditEventName, ReaperEvent } from '../core/events';
import type { StateChange, StateStore, StoredWarning, TransitionLog } from '../core/ports';
import type { Decision, InstanceInput } from '../engine';
import { clip, instant } from '../engine/format';
import { act } from './carry-out-act';
import { buildEvent, type PassStamp } from './event-builder';
import { recordOutOfReach } from './out-of-reach';
import { messageOf, type Recorder } from './recorder';
import type { RegionActor } from './types';

/** What carrying out a pass's decisions needs. */
interface CarryOutContext {
  readonly config: Config;
  readonly stamp: PassStamp;
  readonly store: StateStore;
  /** Intents of actions in flight (the commits themselves go through `recorder`). */
  readonly log: TransitionLog;
  readonly recorder: Recorder;
  readonly actorFor: (region: string) => RegionActor;
  readonly ttlSeconds: number;
  /** Every failure, once (a tag that could not be written, a failed publish); the pass counts them. */
  readonly onProblem: (message: string, error: unknown) => void;
}

/** The decision as carried out, and the events it produced. */
interface CarriedOut {
  readonly decision: Decision;
  readonly events: readonly ReaperEvent[];
}

type Extra = { reason?: string; key?: string };

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

/**
 * How one instance's transitions are recorded: each committed event is pushed to `events`. Shared by a pass and by
 * an owner's answer to a message (owner-actions), so both record through the same recorder, the same way.
 */
function transitionSteps(ctx: CarryOutContext, events: ReaperEvent[]) {
  const recordEvent = async (change: StateChange, event: ReaperEvent) => {
    const made = await ctx.recorder.record(change, event);
    if (made) events.push(event);
    return made;
  };
  const record = (change: StateChange, d: Decision, name: AuditEventName, extra?: Extra) =>
    recordEvent(change, buildEvent(ctx.stamp, d, name, extra));
  // A failure that does not change the decision: reported (and counted), and one ERROR per failure key.
  const fail = async (d: Decision, key: string, what: string, error: unknown) => {
    ctx.onProblem(`${what} (${d.instanceId})`, error);
    const event = buildEvent(ctx.stamp, d, 'ERROR', { key, reason: `${what}: ${messageOf(error)}` });
    if (await ctx.recorder.recordError(event, `error:${key}`)) events.push(event);
  };
  return { record, recordEvent, fail };
}

/** Carries out one decision; never throws (a failure becomes an `error` outcome and an `ERROR` event). */
async function carryOut(
  ctx: CarryOutContext,
  decision: Decision,
  input: InstanceInput & { stored?: StoredWarning },
): Promise<CarriedOut> {
  const events: ReaperEvent[] = [];
  const { record, recordEvent, fail } = transitionSteps(ctx, events);
  const notice = (key: string): StateChange => ({
    kind: 'notice',
    instanceId: decision.instanceId,
    key,
    ttlSeconds: ctx.ttlSeconds,
  });
  const launch = input.instance.launchTime.toISOString();

  try {
    for (const problem of decision.tagProblems) {
      const key = `tag:${problem.tag}:${shortHash(problem.value)}`;
      // The engine already clipped and cleaned the value; quote it as the decision's reason does.
      const reason = `tag ${problem.tag}=${JSON.stringify(problem.value)} ignored: ${problem.message}`;
      await record(notice(key), decision, 'NOTIFIED', { reason, key });
    }
    if (decision.snoozeSeen !== null) await recordSnooze(ctx, decision, decision.snoozeSeen, record);
    if (decision.approvalSeen !== null) await recordApproval(ctx, decision, decision.approvalSeen, recordEvent);
    // Audit-only, never a message (see out-of-reach.ts); a failed write is counted, the decision stands.
    await recordOutOfReach(ctx, decision, input).catch((error) =>
      ctx.onProblem(`recording ${decision.instanceId} as out of reach failed`, error),
    );
    const actor = ctx.actorFor(decision.region);
    const warnedTag = `${ctx.config.tagPrefix}warned`;
    const change = decision.warningChange;
    let result = decision;
    if (change.kind === 'act') {
      result = await act({ ctx, decision, input, actor, warnedTag, record, recordEvent, fail });
    } else if (change.kind === 'warn') {
      const { warning } = change;
      const claim = {
        instanceId: decision.instanceId,
        region: decision.region,
        rule: warning.rule,
        action: warning.action,
        actAt: warning.actAt,
        warnedAt: warning.warnedAt ?? ctx.stamp.now,
        launchTime: launch,
        passId: ctx.stamp.passId,
      };
      if (await record({ kind: 'warn', claim }, decision, 'WARNED')) {
        // The table is the source of truth; the tag only shows the owner what is planned.
        const tag = `${warning.rule}@${warning.actAt.toISOString()}`;
        await actor
          .setTags(decision.instanceId, { [warnedTag]: tag })
          .catch((error) => fail(decision, `tag-warned:${tag}`, `tagging as warned failed`, error));
      }
    } else if (change.kind === 'clear') {
      const { previous } = change;
      const expected = { rule: previous.rule, actAt: previous.actAt };
      const cleared = { ...decision, rule: previous.rule, actAt: previous.actAt.toISOString() };
      const clear: StateChange = { kind: 'clear', instanceId: decision.instanceId, expected, passId: ctx.stamp.passId };
      if (await record(clear, cleared, 'CLEARED')) {
        const key = `untag:cleared:${previous.rule}:${cleared.actAt}`;
        await actor
          .removeTags(decision.instanceId, [warnedTag])
          .catch((error) => fail(cleared, key, `removing the ${warnedTag} tag failed`, error));
      }
    } else if (decision.outcome === 'notify') {
      // Once per condition: no telemetry at all, and too sparse to judge, are each told once per launch.
      const gap = typeof decision.evidence.telemetryGap === 'string' ? `:${decision.evidence.telemetryGap}` : '';
      await record(notice(`notify:${decision.rule}${gap}:${launch}`), decision, 'NOTIFIED');
    } else if (decision.outcome === 'error') {
      const day = ctx.stamp.now.toISOString().slice(0, 10);
      await record(notice(`error:telemetry:${day}`), decision, 'ERROR', { key: `telemetry:${day}` });
    }
    return { decision: result, events };
  } catch (error) {
    const failed: Decision = {
      ...decision,
      outcome: 'error',
      reason: `${decision.reason} — failed: ${messageOf(error)}`,
    };
    await fail(
      failed,
      `${decision.rule ?? 'none'}:${decision.actAt ?? launch}`,
      `carrying out ${decision.outcome} failed`,
      error,
    );
    return { decision: failed, events };
  }
}

/**
 * A `snooze-until` value seen for the first time: its first sighting is kept (so re-reading a far-future value never
 * renews the ceiling) and audited once as `SNOOZED`, owner told until when it holds.
 */
async function recordSnooze(
  ctx: CarryOutContext,
  decision: Decision,
  seen: NonNullable<Decision['snoozeSeen']>,
  record: (change: StateChange, d: Decision, name: AuditEventName, extra?: Extra) => Promise<boolean>,
): Promise<void> {
  const tag = `${ctx.config.tagPrefix}snooze-until`;
  const capped = seen.capped ? `, capped at the ${ctx.config.snooze.ceiling} ceiling from now` : '';
  const snoozed: Decision = {
    ...decision,
    rule: 'snoozed',
    action: null,
    actAt: null,
    reason: `snoozed until ${instant(seen.until, ctx.stamp.now)} by tag ${tag}=${JSON.stringify(clip(seen.value))}${capped}`,
    evidence: {
      ...decision.evidence,
      snoozeUntil: seen.until.toISOString(),
      ...(seen.capped ? { snoozeCapped: true } : {}),
    },
  };
  const change: StateChange = {
    kind: 'snooze',
    instanceId: decision.instanceId,
    value: seen.value,
    firstSeenAt: seen.firstSeenAt,
    ttlSeconds: ctx.ttlSeconds,
  };
  await record(change, snoozed, 'SNOOZED', { key: `snooze:${shortHash(seen.value)}` });
}

/**
 * An `approved-until` value seen for the first time (an approver wrote the tag by hand: only approvers may): its
 * first sighting is kept, so its ceiling counts from now, and it is audited once as `APPROVED` by the approver.
 */
async function recordApproval(
  ctx: CarryOutContext,
  decision: Decision,
  seen: NonNullable<Decision['approvalSeen']>,
  recordEvent: (change: StateChange, event: ReaperEvent) => Promise<boolean>,
): Promise<void> {
  const tag = `${ctx.config.tagPrefix}approved-until`;
  const capped = seen.capped ? `, capped at the ${ctx.config.maxRuntime.ceiling} ceiling from now` : '';
  const approved: Decision = {
    ...decision,
    rule: 'unapproved',
    action: null,
    actAt: null,
    reason:
      `approved until ${instant(seen.until, ctx.stamp.now)} by tag ${tag}=${JSON.stringify(clip(seen.value))}` +
      `${capped}; the approval is the run's max-runtime deadline`,
    evidence: {
      ...decision.evidence,
      approvedUntil: seen.until.toISOString(),
      ...(seen.capped ? { approvalCapped: true } : {}),
    },
  };
  const change: StateChange = {
    kind: 'approval',
    instanceId: decision.instanceId,
    value: seen.value,
    firstSeenAt: seen.firstSeenAt,
    ttlSeconds: ctx.ttlSeconds,
  };
  const event = buildEvent(ctx.stamp, approved, 'APPROVED', { key: `approval:${shortHash(seen.value)}` });
  await recordEvent(change, { ...event, by: 'approver' });
}

export type { CarriedOut, CarryOutContext };
export { carryOut, shortHash, transitionSteps };
