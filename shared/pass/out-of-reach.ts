/**
 * Escape hatches, made visible: an instance kept out of the reaper's reach (opted out, notify-only, managed by
 * another system by its tags, snoozed for long) is recorded in the audit trail, so `gpu-reaper report` and the
 * weekly digest can list it with its owner, hours and dollars.
 *
 * These records are audit-only: they never send a message. The owner chose the escape (or another system owns the
 * instance), so telling them again every launch or every day would only teach them to filter the reaper's mail,
 * and the one who needs to see escapes is the admin, who reads the report and the digest.
 */
import type { Config } from '../config';
import type { StateChange } from '../core/ports';
import {
  ASG_TAG_KEY,
  clip,
  type Decision,
  type InstanceInput,
  type RuleName,
  readTags,
  serviceTagKey,
  TagName,
} from '../engine';
import { buildEvent, type PassStamp } from './event-builder';
import type { Recorder } from './recorder';

/** The ways an instance is kept out of the reaper's reach, most protective first. */
const OUT_OF_REACH_KINDS = ['opt-out', 'managed-by-service', 'managed-by-asg', 'notify-only', 'long-snooze'] as const;
type OutOfReachKind = (typeof OUT_OF_REACH_KINDS)[number];

/** A snooze that spans more than this, from when the reaper first saw its value to its (capped) end, is long. */
const LONG_SNOOZE_HOURS = 12;
const HOUR_MS = 3_600_000;

/** Why and since when one instance is out of reach. */
interface OutOfReach {
  readonly kind: OutOfReachKind;
  /** From when it counts: the instance's launch, or for a long snooze the first sighting of its value. */
  readonly since: Date;
  /** When it ends by itself (a long snooze's end); `null` when it lasts as long as the tag. */
  readonly until: Date | null;
  readonly reason: string;
}

/** The rule an out-of-reach record is filed under; `null` for notify-only (no rule skips it: none acts on it). */
const RULE_OF: Readonly<Record<OutOfReachKind, RuleName | null>> = {
  'opt-out': 'opt-out',
  'managed-by-service': 'managed-by-service',
  'managed-by-asg': 'managed-by-asg',
  'notify-only': null,
  'long-snooze': 'snoozed',
};

/**
 * Whether, and how, an instance is out of the reaper's reach; only the most protective way counts (an opted-out
 * instance with a notify tag is opted out). Tags are read as the engine reads them (keys ignoring case, colliding
 * keys resolved, `action` only among `actions.ownerChoices`).
 *
 * @example outOfReachOf(input, config, now)?.kind // 'notify-only'
 */
function outOfReachOf(input: InstanceInput, config: Config, now: Date): OutOfReach | null {
  const { instance } = input;
  const launch = instance.launchTime;
  const tags = readTags(instance.tags, config, now, input.snooze ?? null);
  if (tags.optOutBy !== null) {
    const { key, value } = tags.optOutBy;
    return of('opt-out', launch, `opted out by tag ${clip(key)}=${JSON.stringify(clip(value))}`);
  }
  const serviceKey = serviceTagKey(instance.tags);
  if (serviceKey !== undefined) {
    return of('managed-by-service', launch, `managed by another service (tag ${clip(serviceKey)}): no rule acts on it`);
  }
  const group = instance.tags[ASG_TAG_KEY];
  if (group !== undefined && config.actions.asgMembers === 'skip') {
    const reason = `member of Auto Scaling group ${JSON.stringify(clip(group))} (actions.asgMembers: skip)`;
    return of('managed-by-asg', launch, reason);
  }
  if (tags.action === 'notify') {
    const reason = `tag ${config.tagPrefix}${TagName.action}=notify: every rule only tells the owner, none stops it`;
    return of('notify-only', launch, reason);
  }
  const until = tags.snoozeUntil;
  const since = tags.snooze?.firstSeenAt;
  if (until && since && until > now && until.getTime() - since.getTime() > LONG_SNOOZE_HOURS * HOUR_MS) {
    const hours = Math.round((until.getTime() - since.getTime()) / HOUR_MS);
    const tag = `${config.tagPrefix}${TagName.snoozeUntil}`;
    const reason = `snoozed by tag ${tag} until ${until.toISOString()}, ${hours}h from when the reaper first saw it`;
    return { kind: 'long-snooze', since, until, reason: `kept out of reach: ${reason}` };
  }
  return null;
}

function of(kind: OutOfReachKind, since: Date, reason: string): OutOfReach {
  return { kind, since, until: null, reason: `kept out of reach: ${reason}` };
}

/** What recording an out-of-reach instance needs (a subset of the carry-out context). */
interface OutOfReachContext {
  readonly config: Config;
  readonly stamp: PassStamp;
  readonly recorder: Recorder;
  readonly ttlSeconds: number;
}

/**
 * Records an out-of-reach instance in the audit trail as an audit-only `SKIPPED` item (evidence `outOfReach`: the
 * kind): once per launch and kind, and again once per UTC day while it lasts. The daily sighting is what lets a
 * report of any period see an escape that began before it, and tell when the instance was last seen out of reach.
 *
 * @returns whether this pass wrote the item (false: out of reach, already recorded today, or not out of reach)
 * @throws AwsError when the write fails
 */
async function recordOutOfReach(ctx: OutOfReachContext, decision: Decision, input: InstanceInput): Promise<boolean> {
  const found = outOfReachOf(input, ctx.config, ctx.stamp.now);
  if (found === null) return false;
  const launch = input.instance.launchTime.toISOString();
  const day = ctx.stamp.now.toISOString().slice(0, 10);
  const since = found.since.toISOString();
  const key = `reach:${found.kind}:${launch}${found.kind === 'long-snooze' ? `:${since}` : ''}:${day}`;
  const record: Decision = {
    ...decision,
    outcome: 'skip',
    rule: RULE_OF[found.kind],
    action: null,
    actAt: null,
    reason: found.reason,
    evidence: {
      ...decision.evidence,
      outOfReach: found.kind,
      outOfReachSince: since,
      ...(found.until ? { outOfReachUntil: found.until.toISOString() } : {}),
    },
  };
  const change: StateChange = { kind: 'notice', instanceId: decision.instanceId, key, ttlSeconds: ctx.ttlSeconds };
  return ctx.recorder.audit(change, buildEvent(ctx.stamp, record, 'SKIPPED', { key }));
}

export type { OutOfReach, OutOfReachKind };
export { LONG_SNOOZE_HOURS, OUT_OF_REACH_KINDS, outOfReachOf, recordOutOfReach };
