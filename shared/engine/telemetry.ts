/**
 * GPU telemetry as the rules read it: clean per-minute points and the statistics of a window. GPU activity has
 * three states, never two: `busy`, `idle` and `unknown`. Missing data, too few datapoints or a read error is
 * `unknown`, and `unknown` is never idle.
 */
import type { GpuPoint, GpuTelemetry } from './types';

/** One minute in milliseconds: the resolution of GPU telemetry. */
const MINUTE_MS = 60_000;

/** What a window of telemetry shows. */
interface WindowStats {
  /** Whole minutes (minute starts) inside `[from, to)`. */
  readonly minutes: number;
  /** Distinct minutes in the window that have a datapoint. */
  readonly datapoints: number;
  /** `datapoints / minutes`, 0–1 (0 for an empty window). */
  readonly coverage: number;
  /** Highest per-minute GPU maximum in the window; `null` without datapoints. */
  readonly max: number | null;
}

/** The three states of GPU activity. */
const GpuActivity = { busy: 'busy', idle: 'idle', unknown: 'unknown' } as const;
type GpuActivity = (typeof GpuActivity)[keyof typeof GpuActivity];

/**
 * The first minutes after a launch, while the CloudWatch agent starts: no datapoint is expected in them, so they
 * count neither for nor against the coverage of the run since launch.
 */
const AGENT_START_MS = 10 * MINUTE_MS;

/** The start of the minute `ms` falls in. */
function floorToMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

function isUsable(point: GpuPoint): boolean {
  return Number.isFinite(point.at) && Number.isFinite(point.max) && point.max >= 0;
}

/**
 * Cleans raw points: drops non-finite and negative values, clamps values above 100 to 100, floors `at` to the
 * minute, merges points of the same minute by their maximum, and sorts by time.
 *
 * @example normalizePoints([{ at: 90_000, max: 120 }, { at: 60_000, max: 3 }]) // [{ at: 60_000, max: 100 }]
 */
function normalizePoints(points: readonly GpuPoint[]): GpuPoint[] {
  const byMinute = new Map<number, { max: number; partial: boolean }>();
  for (const point of points) {
    if (!isUsable(point)) continue;
    const minute = Math.floor(point.at / MINUTE_MS) * MINUTE_MS;
    const seen = byMinute.get(minute);
    const max = Math.max(seen?.max ?? 0, Math.min(point.max, 100));
    // A minute is partial only when every reading of it is: one complete reading covers it.
    byMinute.set(minute, { max, partial: (seen?.partial ?? true) && point.partial === true });
  }
  return [...byMinute.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, { max, partial }]) => (partial ? { at, max, partial } : { at, max }));
}

/**
 * Statistics of the points whose minute starts inside `[from, to)`. Takes raw or normalized points alike. Partial
 * minutes (some GPUs silent) count toward the maximum, never toward the datapoints or the coverage.
 *
 * @example windowStats(points, new Date(now.getTime() - 3_600_000), now).coverage // 0.97
 */
function windowStats(points: readonly GpuPoint[], from: Date, to: Date): WindowStats {
  const start = from.getTime();
  const end = to.getTime();
  const minutes = Math.max(0, Math.ceil(end / MINUTE_MS) - Math.ceil(start / MINUTE_MS));
  const seen = new Set<number>();
  let max: number | null = null;
  for (const point of points) {
    if (!isUsable(point)) continue;
    const minute = Math.floor(point.at / MINUTE_MS) * MINUTE_MS;
    if (minute < start || minute >= end) continue;
    // A minute some GPUs were silent in is no coverage, but its maximum still counts: one busy GPU is busy.
    if (point.partial !== true) seen.add(minute);
    max = Math.max(max ?? 0, Math.min(point.max, 100));
  }
  return { minutes, datapoints: seen.size, coverage: minutes > 0 ? seen.size / minutes : 0, max };
}

/**
 * Classifies the GPU activity of a window. A read error or a coverage below `minCoverage` is `unknown` unless a
 * datapoint at or above `threshold` proves the GPU busy; only a well-covered window below it all is `idle`.
 *
 * @example gpuActivity('ok', windowStats(points, from, to), 5, 0.8) // 'idle'
 */
function gpuActivity(
  status: GpuTelemetry['status'],
  stats: WindowStats,
  threshold: number,
  minCoverage: number,
): GpuActivity {
  if (status === 'error') return GpuActivity.unknown;
  if (stats.max !== null && stats.max >= threshold) return GpuActivity.busy;
  if (status !== 'ok' || stats.coverage < minCoverage) return GpuActivity.unknown;
  return GpuActivity.idle;
}

export type { WindowStats };
export { AGENT_START_MS, floorToMinute, GpuActivity, gpuActivity, MINUTE_MS, normalizePoints, windowStats };
