/**
 * The stateful collaborators of a `run` pass, as narrow interfaces: the DynamoDB warning store and audit trail and
 * the SNS publisher implement them; tests may pass in-memory ones.
 */
import type { Action, RuleName, WarningState } from '../engine';
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

/** Per-instance warning state; every transition is a conditional write that succeeds for one pass only. */
interface StateStore {
  load(instanceIds: readonly string[]): Promise<Map<string, StoredWarning>>;
  claimWarn(warning: {
    readonly instanceId: string;
    readonly region: string;
    readonly rule: RuleName;
    readonly action: Action;
    readonly actAt: Date;
    readonly warnedAt: Date;
    readonly launchTime: string;
    readonly passId: string;
  }): Promise<boolean>;
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

export type { AuditSink, EventPublisher, StateStore, StoredWarning, WarningPhase };
