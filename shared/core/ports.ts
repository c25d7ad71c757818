/**
 * The stateful collaborators of a `run` pass, as narrow interfaces: the DynamoDB warning store and audit trail and
 * the SNS publisher implement them; tests may pass in-memory ones.
 */
import type { Action, RuleName, WarningState } from '../engine';
import type { SpendEntry } from '../engine/budget';
import type { SnoozeSighting } from '../engine/tags';
import type { ReaperEvent } from './events';

/** Phase of a stored warning: warned and waiting, being acted on by a pass, acted, or blocked by protection. */
type WarningPhase = 'warned' | 'acting' | 'acted' | 'protected';

/** A warning as kept in the state table. */
interface StoredWarning extends WarningState {
  readonly phase: WarningPhase;
  /** The instance's LaunchTime when warned: a later restart makes the warning stale. */
  readonly launchTime: string | null;
  readonly passId: string;
}

/**
 * When an instance's GPU telemetry must next be read: no telemetry rule can hold before `nextReadAt` (its last
 * reading was busy), or its tags keep it out of reach (`outOfReach`). Void after a restart (another launch time) or
 * a config change (another config hash).
 */
interface ReadSchedule {
  readonly nextReadAt: Date;
  readonly launchTime: string;
  readonly configHash: string;
  /**
   * Written for an instance out of reach by its tags (opted out, managed elsewhere): it holds only while the
   * instance's current tags still keep it out of reach. @default false (holds whatever the tags)
   */
  readonly outOfReach?: boolean;
}

/** What a warning records when it is claimed. */
interface WarnClaim {
  readonly instanceId: string;
  readonly region: string;
  readonly rule: RuleName;
  readonly action: Action;
  readonly actAt: Date;
  readonly warnedAt: Date;
  /** The instance's LaunchTime (ISO): a later restart makes this warning stale. */
  readonly launchTime: string;
  readonly passId: string;
}

/** Per-instance warning state; every transition is a conditional write that succeeds for one pass only. */
interface StateStore {
  load(instanceIds: readonly string[]): Promise<Map<string, StoredWarning>>;
  /** When each instance's GPU telemetry must next be read (instances never scheduled are absent). */
  loadReadSchedules?(instanceIds: readonly string[]): Promise<Map<string, ReadSchedule>>;
  /** Records when an instance's GPU telemetry must next be read: one small write, only when it moves. */
  saveReadSchedule?(instanceId: string, schedule: ReadSchedule): Promise<void>;
  /** When each instance's current `snooze-until` value was first seen (instances without one are absent). */
  loadSnoozes?(instanceIds: readonly string[]): Promise<Map<string, SnoozeSighting>>;
  /** When each instance's current `approved-until` value was first seen (instances without one are absent). */
  loadApprovals?(instanceIds: readonly string[]): Promise<Map<string, SnoozeSighting>>;
  claimWarn(warning: WarnClaim): Promise<boolean>;
  claimAct(
    instanceId: string,
    expected: { readonly rule: RuleName; readonly actAt: Date },
    passId: string,
  ): Promise<boolean>;
  finishAct(instanceId: string, phase: 'acted' | 'protected', passId: string): Promise<void>;
  releaseAct(instanceId: string, passId: string): Promise<void>;
  /** With `passId`, refuses while another pass holds an acting claim. */
  claimClear(
    instanceId: string,
    expected: { readonly rule: RuleName; readonly actAt: Date },
    passId?: string,
  ): Promise<boolean>;
  claimNotice(instanceId: string, key: string, ttlSeconds: number): Promise<boolean>;
  /**
   * The warning's message reached the owner at `at`: its grace runs from then. A no-op once recorded, or when the
   * state no longer promises `expected`.
   */
  markDelivered?(
    instanceId: string,
    expected: { readonly rule: RuleName; readonly actAt: Date },
    at: Date,
  ): Promise<void>;
}

/**
 * The budgets' ledger (state table): each instance's spend counted once per pass into its team's month total, and
 * the once-a-month budget notices.
 */
interface BudgetLedger {
  /** What each instance's spend was counted up to (instances never counted are absent). */
  loadMarks(instanceIds: readonly string[]): Promise<Map<string, Date>>;
  /** Adds each entry once (its mark moves from `previous` to `countedTo`); returns the ids another pass counted. */
  add(entries: readonly SpendEntry[], month: string): Promise<string[]>;
  /** The month's total per team. */
  loadTotals(month: string): Promise<Map<string, number>>;
  /** A once-a-month notice of a team's `warn` or `over` level: true the first time only. */
  claimNotice(month: string, team: string, level: 'warn' | 'over'): Promise<boolean>;
}

/** Where events are recorded: the audit trail. Returns false when the event was already written. */
interface AuditSink {
  write(event: ReaperEvent, retention: { readonly ttlSeconds: number }): Promise<boolean>;
}

/** Where events are announced: SNS, or memory for runs without a topic. */
interface EventPublisher {
  publish(event: ReaperEvent): Promise<unknown>;
  publishAdmin?(subject: string, text: string): Promise<unknown>;
}

/** The warning-state change a transition makes; committed together with the transition's event. */
type StateChange =
  | { readonly kind: 'warn'; readonly claim: Parameters<StateStore['claimWarn']>[0] }
  | {
      readonly kind: 'clear';
      readonly instanceId: string;
      readonly expected: { readonly rule: RuleName; readonly actAt: Date };
      /** Refuse while another pass holds an `acting` claim (see `StateStore.claimClear`). */
      readonly passId?: string;
    }
  | {
      readonly kind: 'finish';
      readonly instanceId: string;
      readonly phase: 'acted' | 'protected';
      readonly passId: string;
    }
  | { readonly kind: 'notice'; readonly instanceId: string; readonly key: string; readonly ttlSeconds: number }
  | {
      /** A `snooze-until` value seen for the first time: remembered, so its ceiling counts from now. */
      readonly kind: 'snooze';
      readonly instanceId: string;
      readonly value: string;
      readonly firstSeenAt: Date;
      readonly ttlSeconds: number;
    }
  | {
      /** An `approved-until` value seen for the first time: remembered, so its ceiling counts from now. */
      readonly kind: 'approval';
      readonly instanceId: string;
      readonly value: string;
      readonly firstSeenAt: Date;
      readonly ttlSeconds: number;
    };

/** An action in flight: the event a pass recorded right before its EC2 call. */
interface PendingAction {
  readonly instanceId: string;
  readonly region: string;
  /** The instance's LaunchTime when warned: a different one now means the action happened and it was restarted. */
  readonly launchTime: string | null;
  /** The event to record once the action is known to have happened (its `at` is fixed). */
  readonly event: ReaperEvent;
}

/**
 * Transitions as one commit each: the state change, the audit item and an outbox entry for the notification are
 * written together or not at all, so a transition is never half-recorded, even by a pass that dies.
 */
interface TransitionLog {
  /**
   * Commits `change` with `event`; the outbox entry starts held by `options.passId`, which announces it right
   * after. False when a condition refused it (another pass made this transition first).
   *
   * @param options.ttlSeconds how long the audit item is kept
   * @param options.announce `false` for an audit-only item: no outbox entry, so no message ever goes out for it.
   *   @default true
   */
  commit(
    change: StateChange,
    event: ReaperEvent,
    options: { readonly ttlSeconds: number; readonly passId: string; readonly announce?: boolean },
  ): Promise<boolean>;
  /** On the `acting` state `passId` holds: the event about to happen, findable as pending work. */
  recordIntent(instanceId: string, passId: string, event: ReaperEvent): Promise<boolean>;
  /** Ends `passId`'s lease on an action in flight at once, so the next pass's recovery checks what happened. */
  lapseAct(instanceId: string, passId: string): Promise<void>;
  /** Back to `warned`, intent dropped: the action did not happen and the normal path may retry it. */
  releaseIntent(instanceId: string, passId: string): Promise<void>;
  /** Actions in flight whose lease has run out (their pass died or gave them up). */
  pendingActions(): Promise<PendingAction[]>;
  /** Takes an abandoned action over for `passId`; `null` when another pass did first or it is no longer pending. */
  takeOverAction(instanceId: string, passId: string): Promise<PendingAction | null>;
}

/** Notifications not yet published, kept until one pass publishes them. */
interface Outbox {
  /** Entries nobody holds: released after a failed publish, or held by a pass whose lease ran out. */
  due(): Promise<{ readonly instanceId: string; readonly transitionId: string }[]>;
  /** Claims one entry for `passId`; its event, or `null` when another pass holds it or it was sent. */
  claim(instanceId: string, transitionId: string, passId: string): Promise<ReaperEvent | null>;
  /** Published: the entry leaves the queue (a small marker stays, so the transition is never queued again). */
  markSent(instanceId: string, transitionId: string, passId: string): Promise<void>;
  /** Publishing failed: the entry goes back to the queue for the next pass. */
  release(instanceId: string, transitionId: string, passId: string): Promise<void>;
}

export type {
  AuditSink,
  BudgetLedger,
  EventPublisher,
  Outbox,
  PendingAction,
  ReadSchedule,
  StateChange,
  StateStore,
  StoredWarning,
  TransitionLog,
  WarnClaim,
  WarningPhase,
};
