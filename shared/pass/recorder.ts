/**
 * Recording and announcing transitions, exactly once: each is committed with its state change, its audit item and
 * its outbox entry in one write, then published from the outbox. A failed publish stays in the outbox for the next
 * pass; every failure becomes one `ERROR` event per failure key and is reported (and counted) through `onProblem`.
 */

import type { ReaperEvent } from '../core/events';
import type { EventPublisher, Outbox, StateChange, TransitionLog } from '../core/ports';
import { instant, when } from '../engine/format';

/** What the recorder writes with and reports to. */
interface RecorderDeps {
  readonly log: TransitionLog;
  readonly outbox: Outbox;
  readonly publisher: EventPublisher;
  readonly passId: string;
  /** The pass's clock: the `at` of the `ERROR` events it records. */
  readonly now: Date;
  /** How long audit items and once-only markers are kept. */
  readonly ttlSeconds: number;
  /** Every failure, once: the pass counts these for its `Errors` metric. */
  readonly onProblem: (message: string, error: unknown) => void;
  /**
   * Records that a `WARNED` message reached the owner (the grace runs from then). @default nothing is recorded:
   * warnings count as delivered when issued
   */
  readonly onDelivered?: (event: ReaperEvent, at: Date) => Promise<unknown>;
  /** `warning.grace`: a warning delivered late tells the owner the action's new time. @default 0 */
  readonly graceMs?: number;
}

/** Records transitions and failures of one pass. */
interface Recorder {
  readonly passId: string;
  /** Every event this recorder committed, in commit order: the transitions of the pass. */
  readonly recorded: readonly ReaperEvent[];
  /**
   * Commits `change` with `event` and announces it. False when another pass made this transition first.
   * @throws AwsError when the commit fails (nothing was written)
   */
  record(change: StateChange, event: ReaperEvent): Promise<boolean>;
  /**
   * Commits `change` with `event` as an audit-only item: no outbox entry, no message, not in `recorded` (it is not a
   * transition anyone is told about). False when another pass wrote it first.
   * @throws AwsError when the commit fails (nothing was written)
   */
  audit(change: StateChange, event: ReaperEvent): Promise<boolean>;
  /** Records `event` (an `ERROR`) once per `key`, and announces it; never throws. */
  recordError(event: ReaperEvent, key: string): Promise<boolean>;
  /**
   * Publishes an event this pass holds in the outbox, then marks it sent. When publishing fails the entry is
   * released for the next pass and the failure recorded (once); false then. Never throws.
   */
  deliver(event: ReaperEvent): Promise<boolean>;
}

/** The message of a thrown value, for reasons and logs. */
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * An `ERROR` event about `base`'s instance: what failed (`reason`), at the pass's clock, with a transition id that
 * names the failure key, so each failure is recorded once.
 */
function errorEventFor(base: ReaperEvent, pass: { passId: string; now: Date }, key: string, reason: string) {
  const event: ReaperEvent = {
    ...base,
    transitionId: `${base.instanceId}:ERROR:${key}`,
    event: 'ERROR',
    at: pass.now.toISOString(),
    reason,
    passId: pass.passId,
  };
  return event;
}

/**
 * A `WARNED` message that goes out in a later pass than the one that issued it (its first publish failed): the
 * grace runs from now, so the owner is told the action's new time.
 */
function lateWarning(event: ReaperEvent, deps: Pick<RecorderDeps, 'now' | 'graceMs'>): ReaperEvent {
  const graceMs = deps.graceMs ?? 0;
  if (event.event !== 'WARNED' || graceMs === 0 || event.actAt === null) return event;
  if (Date.parse(event.at) >= deps.now.getTime()) return event;
  const due = Math.max(Date.parse(event.actAt), deps.now.getTime() + graceMs);
  if (due <= Date.parse(event.actAt)) return event;
  const issued = instant(new Date(event.at), deps.now);
  const note = `this warning could not be delivered when it was issued (${issued}), so the ${event.action} moves to ${when(new Date(due), deps.now)}`;
  return { ...event, actAt: new Date(due).toISOString(), reason: `${event.reason}; ${note}` };
}

/**
 * The recorder of one pass.
 * @example
 * const recorder = createRecorder({ log, outbox, publisher, passId, now, ttlSeconds, onProblem });
 * if (await recorder.record({ kind: 'warn', claim }, warned)) events.push(warned);
 */
function createRecorder(deps: RecorderDeps): Recorder {
  const { passId, onProblem } = deps;
  const options = { ttlSeconds: deps.ttlSeconds, passId };
  const recorded: ReaperEvent[] = [];
  const commit = async (change: StateChange, event: ReaperEvent) => {
    const made = await deps.log.commit(change, event, options);
    if (made) recorded.push(event);
    return made;
  };

  const announce = async (event: ReaperEvent): Promise<boolean> => {
    try {
      await deps.publisher.publish(lateWarning(event, deps));
    } catch (error) {
      onProblem(`notification of ${event.event} for ${event.instanceId} failed; kept for the next pass`, error);
      await deps.outbox
        .release(event.instanceId, event.transitionId, passId)
        .catch((e) => onProblem(`releasing the notification ${event.transitionId} failed; retried after its lease`, e));
      return false;
    }
    if (event.event === 'WARNED' && deps.onDelivered) {
      // Not recorded: the warning counts as undelivered and a later pass postpones, never a wrong early action.
      await deps
        .onDelivered(event, deps.now)
        .catch((e) => onProblem(`recording the delivery of the warning for ${event.instanceId} failed`, e));
    }
    // A failure here only risks a second copy after the lease, never a lost notification.
    await deps.outbox
      .markSent(event.instanceId, event.transitionId, passId)
      .catch((e) => onProblem(`marking the notification ${event.transitionId} sent failed`, e));
    return true;
  };

  const recordError = async (event: ReaperEvent, key: string): Promise<boolean> => {
    try {
      const change: StateChange = { kind: 'notice', instanceId: event.instanceId, key, ttlSeconds: deps.ttlSeconds };
      if (!(await commit(change, event))) return false;
      // Its own failed publish stays in the outbox; it does not beget another ERROR.
      await announce(event);
      return true;
    } catch (error) {
      onProblem(`recording ERROR ${key} for ${event.instanceId} failed`, error);
      return false;
    }
  };

  const deliver = async (event: ReaperEvent): Promise<boolean> => {
    if (await announce(event)) return true;
    if (event.event !== 'ERROR') {
      const key = `publish:${event.transitionId}`;
      const reason = `notification of ${event.event} failed; it is kept and sent by a later pass`;
      await recordError(errorEventFor(event, deps, key, reason), `error:${key}`);
    }
    return false;
  };

  const record = async (change: StateChange, event: ReaperEvent): Promise<boolean> => {
    if (!(await commit(change, event))) return false;
    await deliver(event);
    return true;
  };

  const audit = (change: StateChange, event: ReaperEvent): Promise<boolean> =>
    deps.log.commit(change, event, { ...options, announce: false });

  return { passId, recorded, record, audit, recordError, deliver };
}

export type { Recorder, RecorderDeps };
export { createRecorder, errorEventFor, lateWarning, messageOf };
