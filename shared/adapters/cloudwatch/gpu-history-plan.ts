/**
 * Which GetMetricData calls a history read makes: the range split by the finest period CloudWatch still keeps for
 * each part (1-minute data for 15 days, 5-minute for 63 days, hourly beyond, measured from the wall clock), then
 * each part cut into calls of at most `budget` datapoints (queries × periods).
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
/**
 * Periods by age: [how long data of that period is kept, the period in seconds, the coarser period after it]. An
 * edge sits on the coarser period's boundary, so the coarser datapoints next to it are whole.
 */
const RETENTION: readonly (readonly [number, number, number])[] = [
  [15 * DAY_MS, 60, 300],
  [63 * DAY_MS, 300, 3600],
];
/** Retention edges move while we read: stay this far inside them. */
const RETENTION_MARGIN_MS = 10 * MINUTE_MS;

/** A stretch of time read at one period. */
interface Segment {
  readonly startMs: number;
  readonly endMs: number;
  readonly periodSeconds: number;
}

/**
 * Splits `[fromMs, toMs)` by the finest period CloudWatch still keeps for each part.
 *
 * @example resolutionSegments(now - 20 * DAY, now, now) // [{ …, periodSeconds: 300 }, { …, periodSeconds: 60 }]
 */
function resolutionSegments(fromMs: number, toMs: number, wallNowMs: number): Segment[] {
  const segments: Segment[] = [];
  let endMs = toMs;
  for (const [keptMs, periodSeconds, coarserSeconds] of RETENTION) {
    const alignMs = coarserSeconds * 1000;
    const edge = Math.ceil((wallNowMs - keptMs + RETENTION_MARGIN_MS) / alignMs) * alignMs;
    const startMs = Math.max(fromMs, edge);
    if (startMs < endMs) segments.unshift({ startMs, endMs, periodSeconds });
    endMs = Math.min(endMs, startMs);
    if (endMs <= fromMs) return segments;
  }
  segments.unshift({ startMs: fromMs, endMs, periodSeconds: 3600 });
  return segments;
}

/**
 * The GetMetricData calls of one chunk of series over one segment, each within the datapoint budget (call
 * windows start on a period boundary, as CloudWatch rounds them anyway).
 *
 * @example callWindows({ startMs: 0, endMs: 86_400_000, periodSeconds: 60 }, 500, 100_800) // 8 windows of 201 minutes
 */
function callWindows(segment: Segment, queries: number, budget: number): [number, number][] {
  const periodMs = segment.periodSeconds * 1000;
  const spanMs = Math.max(1, Math.floor(budget / Math.max(1, queries))) * periodMs;
  const windows: [number, number][] = [];
  for (let start = floorTo(segment.startMs, periodMs); start < segment.endMs; start += spanMs) {
    windows.push([start, Math.min(segment.endMs, start + spanMs)]);
  }
  return windows;
}

export type { Segment };
export { callWindows, resolutionSegments };
