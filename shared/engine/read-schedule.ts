/**
 * Reads that can change a decision, and no others. After a busy minute, `idle` cannot hold until a full
 * `idle.window` later, `no-telemetry` not until `noTelemetry.after` later (a busy datapoint in its window proves the
 * GPU is measured and busy), and `never-used` never again; max-runtime and expiry need no metrics at all. So an
 * instance whose last reading shows a busy minute need not be read again until the earlier of those two spans has
 * passed: its decisions are the same as reading every pass. The telemetry-outage brake is the one input that can
 * need it sooner (with `idle` off its last busy minute leaves the brake's window first); brake.ts has those read
 * only when they can change a decision.
 *
 * An instance out of reach by its tags (opted out, managed by another system) needs no reading at all for its
 * decision (its rule skips it whatever its GPUs do, and the brake counts it neither way); only its out-of-reach
 * record in the audit trail, written once per launch and once per UTC day, reports its idle time. So it is read at
 * most hourly, and on the first pass of each UTC day.
 */
import type { Config } from '../config/schema';
import { policyOf } from './policy';
import { ASG_TAG_KEY } from './rules/managed-by-asg';
import { serviceTagKey } from './rules/managed-by-service';
import { approvalsCount } from './rules/unapproved';
import { readTags } from './tags';
import { MINUTE_MS } from './telemetry';
import type { GpuTelemetry, InstanceFacts } from './types';

/** The latest instant a Date can hold: "no telemetry rule can ever hold again". */
const NEVER = new Date(8.64e15);

/**
 * The earliest time a telemetry rule could hold for this instance, derived from its last reading; `null` when it
 * must be read every pass (no busy minute since launch, or the reading failed or was missing).
 *
 * @example nextTelemetryRead({ instance, telemetry }, defaultConfig()) // last busy minute + 1m + 30m
 */
function nextTelemetryRead(
  input: { readonly instance: InstanceFacts; readonly telemetry: GpuTelemetry },
  config: Config,
): Date | null {
  const { instance, telemetry } = input;
  if (telemetry.status !== 'ok') return null;
  // Busy for every telemetry rule at once: at or above both thresholds (a partial minute proves busy too).
  const busyAt = Math.max(config.idle.threshold, config.neverUsed.threshold);
  const launchMinute = Math.floor(instance.launchTime.getTime() / MINUTE_MS) * MINUTE_MS;
  let lastBusy: number | null = null;
  for (const point of telemetry.points) {
    if (point.at >= launchMinute && point.max >= busyAt && (lastBusy === null || point.at > lastBusy)) {
      lastBusy = point.at;
    }
  }
  if (lastBusy === null) return null;
  const policy = policyOf(config);
  const spans = [
    ...(config.idle.enabled ? [policy.idleWindowMs] : []),
    ...(config.noTelemetry.enabled ? [policy.noTelemetryAfterMs] : []),
  ];
  if (spans.length === 0) return NEVER;
  return new Date(lastBusy + MINUTE_MS + Math.min(...spans));
}

/** How often an instance out of reach by its tags is read: for its out-of-reach record, never for its decision. */
const OUT_OF_REACH_READ_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * Whether this instance's decision is a skip out of the brake's count whatever its telemetry, from its tags alone:
 * managed by another service, a member of an Auto Scaling group under `actions.asgMembers: skip` (neither is ever
 * gated, and every rule before theirs skips too), or opted out while no rule before `opt-out` can hold (`unapproved`
 * cannot while approvals mean nothing: no gating, no budgets). Checked against the instance's current tags on
 * every pass, so a schedule it allowed ends with the tag.
 *
 * @example surelyOutOfReach(instance({ tags: { 'gpu-reaper:opt-out': 'true' } }), defaultConfig(), now) // true
 */
function surelyOutOfReach(instance: Pick<InstanceFacts, 'tags'>, config: Config, now: Date): boolean {
  if (serviceTagKey(instance.tags) !== undefined) return true;
  if (instance.tags[ASG_TAG_KEY] !== undefined && config.actions.asgMembers === 'skip') return true;
  if (approvalsCount(config)) return false;
  return readTags(instance.tags, config, now, null).optOutBy !== null;
}

/**
 * When an instance out of reach by its tags (see {@link surelyOutOfReach}) must next be read: an hour after this
 * reading, and no later than the next UTC midnight, so each day's out-of-reach record carries a fresh idle time.
 * `null` when it is not surely out of reach (it is read as any other).
 *
 * @example outOfReachRead(optedOut, defaultConfig(), at('10:20Z')) // 11:20Z; at('23:40Z') → 00:00Z next day
 */
function outOfReachRead(instance: Pick<InstanceFacts, 'tags'>, config: Config, now: Date): Date | null {
  if (!surelyOutOfReach(instance, config, now)) return null;
  const midnight = (Math.floor(now.getTime() / DAY_MS) + 1) * DAY_MS;
  return new Date(Math.min(now.getTime() + OUT_OF_REACH_READ_MS, midnight));
}

/**
 * Until when an instance not read since `nextReadAt` was set surely still has its last busy minute in the idle
 * window, i.e. has GPU telemetry as the telemetry-outage brake counts it; `null` when the schedule cannot say
 * (`idle` and `no-telemetry` both off: it never comes due). The schedule was written by `nextTelemetryRead` under
 * this same config (a config change voids it), so with `idle` off it is the last busy minute + 1m +
 * `noTelemetry.after`; with `idle` on it comes due no later than the window after that minute.
 *
 * @example busyInWindowUntil(lastBusy + 1m + 3h, { idle: off, window 1h, noTelemetry.after 3h }) // lastBusy + 1m + 1h
 */
function busyInWindowUntil(nextReadAt: Date, config: Config): Date | null {
  if (config.idle.enabled) return nextReadAt;
  if (!config.noTelemetry.enabled) return null;
  const policy = policyOf(config);
  return new Date(nextReadAt.getTime() - policy.noTelemetryAfterMs + policy.idleWindowMs);
}

/**
 * Telemetry for an instance this pass did not read because no telemetry rule can hold before `nextReadAt`: never
 * evidence of anything, and never `missing`.
 */
function unreadTelemetry(now: Date, lookbackMs: number, nextReadAt: Date): GpuTelemetry {
  return {
    status: 'unread',
    source: 'none',
    points: [],
    from: new Date(now.getTime() - lookbackMs),
    to: now,
    sinceLaunchMax: null,
    nextReadAt,
  };
}

export {
  busyInWindowUntil,
  NEVER,
  nextTelemetryRead,
  OUT_OF_REACH_READ_MS,
  outOfReachRead,
  surelyOutOfReach,
  unreadTelemetry,
};
