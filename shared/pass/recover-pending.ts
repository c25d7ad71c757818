/**
 * The start of every `run` pass: finish what earlier passes left. An action in flight whose pass died (its lease
 * ran out) is checked on fresh facts — the instance is no longer running, or was restarted since: the action
 * happened, so its event is recorded (once, with the `at` fixed when it was intended); still running: the warning
 * goes back to `warned` and the normal path of this pass retries. Then every notification still in the outbox is
 * published by exactly one pass. Stopped instances are not in the scan, so none of this depends on it.
 */

import type { Outbox, PendingAction, TransitionLog } from '../core/ports';
import { mapWithConcurrency } from './concurrency';
import { errorEventFor, messageOf, type Recorder } from './recorder';
import type { RegionActor } from './types';

/** What recovery needs. */
interface RecoveryContext {
  readonly log: TransitionLog;
  readonly outbox: Outbox;
  readonly recorder: Recorder;
  readonly now: Date;
  /** The regions this pass serves: work of other regions is left to their passes. */
  readonly regions: readonly string[];
  readonly actorFor: (region: string) => RegionActor;
  /** The `warned` tag, removed once a recovered action is recorded. */
  readonly warnedTag: string;
  readonly onProblem: (message: string, error: unknown) => void;
  /**
   * The member account this pass serves (many accounts share one table): actions of other accounts are left to
   * their passes. @default every account
   */
  readonly accountId?: string;
}

/** What recovery did (the events it recorded are in the recorder's list). */
interface Recovered {
  /** Actions found in flight and settled (recorded, or handed back to the normal path). */
  readonly actions: number;
  /** Notifications left by earlier passes and published now. */
  readonly notifications: number;
}

/** Whether the intended action took effect: the instance is no longer running, is gone, or was restarted since. */
function happened(pending: PendingAction, fresh: Awaited<ReturnType<RegionActor['describeForAction']>>): boolean {
  if (fresh === null || fresh.state !== 'running') return true;
  return pending.launchTime !== null && fresh.launchTime.toISOString() !== pending.launchTime;
}

/** Settles one abandoned action; true when this pass took it over. */
async function settleAction(ctx: RecoveryContext, found: PendingAction): Promise<boolean> {
  const { recorder } = ctx;
  const pending = await ctx.log.takeOverAction(found.instanceId, recorder.passId);
  if (!pending) return false;
  const { instanceId, event } = pending;
  const actor = ctx.actorFor(pending.region);
  try {
    if (!happened(pending, await actor.describeForAction(instanceId))) {
      await ctx.log.releaseIntent(instanceId, recorder.passId);
      return true;
    }
    const finish = { kind: 'finish', instanceId, phase: 'acted', passId: recorder.passId } as const;
    await recorder.record(finish, event);
    if (event.event === 'STOPPED' || event.event === 'TERMINATED') {
      await actor.removeTags(instanceId, [ctx.warnedTag]).catch((e) => ctx.onProblem('untag failed', e));
    }
  } catch (error) {
    // Nothing recorded: hand the action to the next pass at once rather than after another lease.
    ctx.onProblem(`recovering the ${event.action ?? 'action'} of ${instanceId} failed`, error);
    await ctx.log.lapseAct(instanceId, recorder.passId).catch((e) => ctx.onProblem('lapsing the claim failed', e));
    const key = `recover:${event.transitionId}`;
    const reason = `checking the ${event.action ?? 'action'} in flight failed, retried next pass: ${messageOf(error)}`;
    await recorder.recordError(
      errorEventFor(event, { passId: recorder.passId, now: ctx.now }, key, reason),
      `error:${key}`,
    );
  }
  return true;
}

/** Publishes one outbox entry if this pass wins its claim; true when published. */
async function drainEntry(ctx: RecoveryContext, entry: { instanceId: string; transitionId: string }) {
  const event = await ctx.outbox.claim(entry.instanceId, entry.transitionId, ctx.recorder.passId);
  return event !== null && (await ctx.recorder.deliver(event));
}

/**
 * Settles abandoned actions, then drains the outbox. Never throws: a failure is reported and the work stays for
 * the next pass.
 */
async function recoverPending(ctx: RecoveryContext): Promise<Recovered> {
  const guard = <T>(what: string, work: () => Promise<T>, fallback: T) =>
    work().catch((error: unknown) => {
      ctx.onProblem(what, error);
      return fallback;
    });

  const found = await guard('listing actions in flight failed', () => ctx.log.pendingActions(), []);
  const ours = found.filter(
    (pending) =>
      ctx.regions.includes(pending.region) &&
      (ctx.accountId === undefined || pending.event.accountId === ctx.accountId),
  );
  const settled = await mapWithConcurrency(ours, 4, (pending) =>
    guard(`taking over the action of ${pending.instanceId} failed`, () => settleAction(ctx, pending), false),
  );

  const due = await guard('listing unsent notifications failed', () => ctx.outbox.due(), []);
  const published = await mapWithConcurrency(due, 4, (entry) =>
    guard(`claiming the notification ${entry.transitionId} failed`, () => drainEntry(ctx, entry), false),
  );
  return {
    actions: settled.filter(Boolean).length,
    notifications: published.filter(Boolean).length,
  };
}

export type { Recovered, RecoveryContext };
export { recoverPending };
