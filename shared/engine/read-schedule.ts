/**
 * Reads that can change a decision, and no others. After a busy minute, `idle` cannot hold until a full
 * `idle.window` later, `no-telemetry` not until `noTelemetry.after` later (a busy datapoint in its window proves the
 * GPU is measured and busy), and `never-used` never again; max-runtime and expiry need no metrics at all. So an
 * instance whose last reading shows a busy minute need not be read again until the earlier of those two spans has
 * passed: its decisions are the same as reading every pass. The telemetry-outage brake is the one input that can
 * need it sooner (with `idle` off its last busy minute leaves the brake's window first); brake.ts has those read
 * only when they can change a decision.
 */
import type { Config } from '../config/schema';
import { policyOf } from './policy';
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

export { busyInWindowUntil, NEVER, nextTelemetryRead, unreadTelemetry };
