/**
 * A reaper event: one transition of one instance (warned, acted, cleared, protected, notified, error). Each is
 * audited once (DynamoDB) and notified once (SNS); both adapters take this same plain shape.
 */
import type { Action, Evidence, RuleName } from '../engine';

/** The audit event names (docs/events.md). */
const AUDIT_EVENTS = [
  'WARNED',
  'STOPPED',
  'TERMINATED',
  'WOULD_STOP',
  'WOULD_TERMINATE',
  'CLEARED',
  'SKIPPED',
  'NOTIFIED',
  'SNOOZED',
  'APPROVED',
  'ERROR',
] as const;
type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** One transition, as audited and notified. */
interface ReaperEvent {
  /** Deterministic id of the transition (instance, event, rule, due time): the same transition never gets two. */
  readonly transitionId: string;
  readonly event: AuditEventName;
  readonly instanceId: string;
  readonly region: string;
  readonly accountId: string | null;
  /** When the transition happened (the pass's clock), ISO. */
  readonly at: string;
  readonly rule: RuleName | null;
  readonly action: Action | null;
  /** When the action is (or was) due, ISO. */
  readonly actAt: string | null;
  readonly mode: 'dry-run' | 'enforce';
  readonly reason: string;
  readonly evidence: Evidence;
  readonly instanceType: string;
  readonly owner: string | null;
  /** On-demand price of the instance type, when known. */
  readonly hourlyUsd: number | null;
  readonly passId: string;
  readonly configHash: string;
  /** The tag prefix in force, so messages can name the tags that keep an instance. */
  readonly tagPrefix: string;
  /**
   * Who made it happen: the reaper's own pass, the owner answering a message, or an approver (an approval link, or
   * the `approved-until` tag that only approvers may write). @default 'reaper'
   */
  readonly by?: 'reaper' | 'owner' | 'approver';
  /**
   * The owner's one-click answers (a `WARNED` message as published only: signed when it goes out, never stored in
   * the audit trail or the outbox). @default none: the message gives the tag instructions only
   */
  readonly links?: readonly OwnerLink[];
  /**
   * Who a message copy is for: `approvers` for the approvers' copy of an `unapproved` warning (it carries the approve
   * links, is routed by the `audience` attribute, and never carries the `owner` attribute). Message-only, like
   * `links`. @default the owner's copy
   */
  readonly audience?: 'approvers';
}

/** One signed link of a `WARNED` message: it opens a confirmation page whose button acts. */
interface OwnerLink {
  /**
   * `keep:<duration>` (a snooze from the click, capped by `snooze.ceiling`), `stop` (stop it now), or, in the
   * approvers' copy only, `approve:<duration>` (`approved-until` written for that long from the click).
   */
  readonly action: 'stop' | `keep:${string}` | `approve:${string}`;
  /** What the link does, in words (`Keep it for 4h`, `Stop it now`). */
  readonly label: string;
  readonly url: string;
  /** The link is refused from then on (the planned action + 24h), ISO. */
  readonly expiresAt: string;
}

export type { AuditEventName, OwnerLink, ReaperEvent };
export { AUDIT_EVENTS };
