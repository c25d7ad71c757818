/**
 * The few ways the engine writes numbers, times and untrusted values into reasons, so every reason reads alike.
 */
import { formatDuration } from '../config/durations';

/** Longest tag value quoted back in a reason or problem: tag values are owner-controlled and may be hostile. */
const MAX_QUOTED = 64;

/**
 * Shortens an untrusted value for quoting: at most {@link MAX_QUOTED} characters, then `…`.
 *
 * @example clip('x'.repeat(300)).length // 65
 */
function clip(value: string): string {
  return value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
}

/** A percentage as people read it: at most one decimal, no trailing `.0` (`2.1%`, `5%`). */
function percent(value: number): string {
  return `${Number(value.toFixed(1))}%`;
}

/** The highest GPU utilization of a window, or `no data` when it has no datapoint. */
function peak(max: number | null): string {
  return max === null ? 'no data' : percent(max);
}

/** A 0–1 share as a whole percentage (`0.9667` → `97%`). */
function share(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** How far `at` is from `now`, in words: `in 30m`, `25m ago`, `now` (within a minute). */
function relative(at: Date, now: Date): string {
  const ms = at.getTime() - now.getTime();
  if (Math.abs(ms) < 60_000) return 'now';
  return ms > 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
}

/** An instant with its distance from now: `2025-01-01T12:00:00.000Z (in 30m)`. */
function when(at: Date, now: Date): string {
  return `${at.toISOString()} (${relative(at, now)})`;
}

export { clip, MAX_QUOTED, peak, percent, relative, share, when };
