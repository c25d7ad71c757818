/**
 * How long an instance's GPU has been idle up to now, and what that idle time cost: the numbers that put a price on
 * a decision ("idle 2h10m, $2.18 burned"). Pure: the price comes in as data, the clock as `now`.
 */
import type { RuleContext } from './rules/context';
import { GpuActivity, gpuActivity, MINUTE_MS, windowStats } from './telemetry';
import type { GpuPoint } from './types';

/** The last datapoint and the last busy one (at or above `threshold`) inside `[from, to)`. */
function lastPoints(points: readonly GpuPoint[], from: number, to: number, threshold: number) {
  let last: GpuPoint | undefined;
  let lastBusy: GpuPoint | undefined;
  for (const point of points) {
    if (point.at < from || point.at >= to) continue;
    last = point;
    if (point.max >= threshold) lastBusy = point;
  }
  return { last, lastBusy };
}

/** Where the idle run began when no busy minute is in the telemetry: at launch when that is proven, else the read's start. */
function unboundedRunStart({ instance, telemetry, config }: RuleContext, readFrom: number): number {
  const launch = instance.launchTime.getTime();
  const idleSinceLaunch =
    launch >= telemetry.from.getTime() ||
    (telemetry.sinceLaunchMax !== null && telemetry.sinceLaunchMax < config.idle.threshold);
  // Without proof of idleness since launch, the run is at least the telemetry read: a lower bound, never a guess.
  return idleSinceLaunch ? launch : readFrom;
}

/**
 * Whole minutes the GPU has been idle up to `now`: the trailing run of minutes whose per-minute maximum is below
 * `idle.threshold`. 0 when the latest minute is busy; `null` when the telemetry cannot tell (a read error, no
 * series, no datapoint, or a run whose recent part is covered less than `idle.minCoverage`: unknown is never idle).
 *
 * @example idleRunMinutes(context) // 130 (busy until 2h10m ago, idle since)
 */
function idleRunMinutes(context: RuleContext): number | null {
  const { instance, telemetry, config, policy, now } = context;
  if (telemetry.status !== 'ok') return null;
  const { threshold, minCoverage } = config.idle;
  const nowMs = now.getTime();
  const launchMinute = Math.floor(instance.launchTime.getTime() / MINUTE_MS) * MINUTE_MS;
  const readFrom = Math.max(telemetry.from.getTime(), launchMinute);
  const { last, lastBusy } = lastPoints(telemetry.points, readFrom, nowMs, threshold);
  if (last === undefined) return null;
  if (last.max >= threshold) return 0;
  const runStart = lastBusy ? lastBusy.at + MINUTE_MS : unboundedRunStart(context, readFrom);
  const windowStart = context.windowEnd.getTime() - policy.idleWindowMs;
  if (runStart <= windowStart) {
    // The run spans the whole idle window: hold it to exactly the idle rule's standard of evidence.
    const stats = windowStats(telemetry.points, new Date(windowStart), context.windowEnd);
    if (gpuActivity(telemetry.status, stats, threshold, minCoverage) !== GpuActivity.idle) return null;
  } else {
    // A shorter run is judged on its complete minutes: the current one cannot have a datapoint yet.
    const stats = windowStats(telemetry.points, new Date(runStart), context.windowEnd);
    if (stats.minutes > 0 && stats.coverage < minCoverage) return null;
  }
  return Math.max(0, Math.floor((nowMs - runStart) / MINUTE_MS));
}

/**
 * The money burned while idle: `idleMinutes / 60 × hourlyUsd`, rounded to the cent.
 *
 * @returns `null` when the idle time or the price is unknown
 * @example idleCostUsd(130, 1.006) // 2.18
 */
function idleCostUsd(idleMinutes: number | null | undefined, hourlyUsd: number | null): number | null {
  if (idleMinutes == null || hourlyUsd === null) return null;
  return Math.round((idleMinutes / 60) * hourlyUsd * 100) / 100;
}

/** A price the engine can use: finite and not negative, else unknown. */
function usablePrice(hourlyUsd: number | null | undefined): number | null {
  return typeof hourlyUsd === 'number' && Number.isFinite(hourlyUsd) && hourlyUsd >= 0 ? hourlyUsd : null;
}

export { idleCostUsd, idleRunMinutes, usablePrice };
