/**
 * The act step of a decision: claim the action, re-describe and re-decide on fresh facts, record the intended event
 * on the state, call EC2, then commit the event. A pass that dies after its EC2 call leaves the intent for the next
 * pass's recovery; an EC2 call that failed hands the action over at once, since it may have taken effect anyway.
 */

import { parseDuration } from '../config';
import type { AuditEventName, ReaperEvent } from '../core/events';
import type { StateChange, StoredWarning, TransitionLog } from '../core/ports';
import type { Decision, InstanceFacts, InstanceInput } from '../engine';
import { decideInstance } from '../engine';
import type { CarryOutContext } from './carry-out';
import { actionEventName, buildEvent } from './event-builder';
import { hibernates, withHibernation } from './hibernation';
import type { RegionActor } from './types';

/** What the act step gets from `carryOut`. */
interface ActStep {
  readonly ctx: CarryOutContext & { readonly log: TransitionLog };
  readonly decision: Decision;
  readonly input: InstanceInput & { stored?: StoredWarning };
  readonly actor: RegionActor;
  readonly warnedTag: string;
  /** Commits a transition built from a decision, then announces it; false when another pass made it. */
  readonly record: (
    change: StateChange,
    d: Decision,
    name: AuditEventName,
    extra?: { reason?: string; key?: string },
  ) => Promise<boolean>;
  /** Commits a ready-built event (the intent), then announces it. */
  readonly recordEvent: (change: StateChange, event: ReaperEvent) => Promise<boolean>;
  /** A failure that does not change the decision: reported, and one `ERROR` per key. */
  readonly fail: (d: Decision, key: string, what: string, error: unknown) => Promise<void>;
  /**
   * How the fresh facts are judged right before acting. An owner's "stop it now" asks only what may forbid a stop
   * (opt-out, management, protection), not whether the rule still holds. @default the engine decides again: the
   * rule must still hold and the action be due
   */
  readonly recheck?: (fresh: InstanceFacts, stored: StoredWarning) => Decision;
}

/** Carries out an `act` decision. @throws when a step fails; the claim is released or lapsed first */
async function act(given: ActStep): Promise<Decision> {
  // The engine acts on a stored warning, or at once when warnings are off (warning.grace 0m).
  const stored = given.input.stored ?? (await unwarnedState(given));
  if (!stored || !given.decision.rule || !given.decision.actAt) return given.decision;
  const step: ActStep = { ...given, input: { ...given.input, stored } };
  const { ctx, decision } = step;
  const { instanceId } = decision;
  const { passId, mode } = ctx.stamp;
  const note = (reason: string): Decision => ({ ...decision, reason: `${decision.reason} (${reason})` });
  if (stored.phase === 'acted') return note(`already ${mode === 'dry-run' ? 'recorded as would-act' : 'done'}`);
  if (stored.phase === 'protected') {
    return { ...decision, outcome: 'skip', rule: 'protected', reason: `${decision.reason}; protection is on` };
  }
  const expected = { rule: stored.rule, actAt: stored.actAt };
  if (!(await ctx.store.claimAct(instanceId, expected, passId))) return note('another pass is acting on it');

  let intended = false;
  try {
    return await actClaimed(step, expected, () => {
      intended = true;
    });
  } catch (error) {
    // With an intent recorded the EC2 call may have taken effect: recovery checks; without, the warning stands.
    const giveBack = intended ? ctx.log.lapseAct(instanceId, passId) : ctx.store.releaseAct(instanceId, passId);
    await giveBack.catch((e) => ctx.onProblem(`handing back the claim on ${instanceId} failed`, e));
    throw error;
  }
}

/**
 * With warnings off (`warning.grace` 0m) the engine acts without an earlier warning, so there is no stored state to
 * claim. The state is created here first, silently (no warning was given, so no WARNED is recorded), through the
 * table's conditional write: overlapping passes still act once.
 */
async function unwarnedState(step: ActStep): Promise<StoredWarning | undefined> {
  const { ctx, decision, input } = step;
  const change = decision.warningChange;
  // Only then: with warnings on, acting without a stored warning would be acting without warning.
  if (change.kind !== 'act' || parseDuration(ctx.config.warning.grace) !== 0) return undefined;
  const launchTime = input.instance.launchTime.toISOString();
  const warnedAt = ctx.stamp.now;
  const claim = { ...change.warning, warnedAt, launchTime, passId: ctx.stamp.passId };
  const won = await ctx.store.claimWarn({ instanceId: decision.instanceId, region: decision.region, ...claim });
  return won ? { ...claim, phase: 'warned' } : undefined;
}

async function actClaimed(
  step: ActStep,
  expected: { readonly rule: StoredWarning['rule']; readonly actAt: Date },
  onIntent: () => void,
): Promise<Decision> {
  const { ctx, decision, input, actor, record, warnedTag } = step;
  const { instanceId } = decision;
  const { passId, mode } = ctx.stamp;
  const clear: StateChange = { kind: 'clear', instanceId, expected, passId };

  // Fresh facts right before acting: the owner may have opted out, snoozed or protected it since the scan.
  const fresh = await actor.describeForAction(instanceId);
  if (fresh?.state !== 'running') {
    const reason = `warning cleared: stopped outside the reaper (the instance is ${fresh ? fresh.state : 'gone'})`;
    const cleared: Decision = { ...decision, outcome: 'keep', action: null, reason };
    await record(clear, cleared, 'CLEARED', { reason });
    return { ...cleared, rule: null, actAt: null };
  }
  const again = step.recheck
    ? step.recheck(fresh, input.stored!)
    : decideInstance(
        { instance: fresh, telemetry: input.telemetry, warning: input.stored!, hourlyUsd: decision.hourlyUsd },
        ctx.config,
        ctx.stamp.now,
      );
  if (again.rule === 'protected') {
    await record({ kind: 'finish', instanceId, phase: 'protected', passId }, again, 'SKIPPED');
    return again;
  }
  const action = again.action;
  if (again.outcome !== 'act' || again.rule !== decision.rule || (action !== 'stop' && action !== 'terminate')) {
    const reason = `warning cleared on fresh data: ${again.reason}`;
    if (await record(clear, { ...again, rule: expected.rule, actAt: decision.actAt }, 'CLEARED', { reason })) {
      const key = `untag:cleared:${expected.rule}:${expected.actAt.toISOString()}`;
      await actor.removeTags(instanceId, [warnedTag]).catch((e) => step.fail(again, key, 'untag failed', e));
    }
    return again;
  }

  const done: Decision = { ...withHibernation(again, fresh, ctx.config), executed: mode === 'enforce' };
  const event = buildEvent(ctx.stamp, done, actionEventName(action, mode));
  const finish: StateChange = { kind: 'finish', instanceId, phase: 'acted', passId };
  if (mode === 'dry-run') {
    await step.recordEvent(finish, event);
    return done;
  }
  // The intent (with its `at` fixed) goes first: whatever happens after the EC2 call, a later pass can finish it.
  if (!(await ctx.log.recordIntent(instanceId, passId, event))) {
    return { ...decision, reason: `${decision.reason} (another pass took the action over)` };
  }
  onIntent();
  if (action === 'stop') await actor.stop(instanceId, { hibernate: hibernates(fresh, ctx.config) });
  else await actor.terminate(instanceId);
  await step.recordEvent(finish, event);
  await actor
    .removeTags(instanceId, [warnedTag])
    .catch((e) => step.fail(done, `untag:${event.transitionId}`, `removing the ${warnedTag} tag failed`, e));
  return done;
}

export type { ActStep };
export { act };
