/**
 * Running stretches and spend, from the GPU history alone (docs/json-output.md): an instance ran during the minutes
 * that have a datapoint; a gap of 15 minutes or more without one ends a running stretch, and a shorter gap is inside
 * the stretch (running, GPU unknown). A stretch ends after its last datapoint's minute: what ran after it is not seen.
 */
import type { MinuteSeries, SpendByBand } from './types';

/** Minutes without a datapoint that end a running stretch. */
const STRETCH_GAP_MINUTES = 15;

/** Running stretches of one instance: `starts[i]` to `ends[i]` (exclusive), minute indexes, ascending. */
interface Stretches {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly count: number;
}

/** What one instance's history says whatever the policy: minutes by band, and the GPU peak. */
interface SpendProfile {
  readonly stretches: Stretches;
  /** Running minutes by band (`unknown`: inside a short gap). */
  readonly minutes: SpendByBand;
  readonly runningMinutes: number;
  /** Highest datapoint, or `null` without any. */
  readonly max: number | null;
}

/**
 * Finds the running stretches of a per-minute series.
 *
 * @example findStretches([1, NaN, 2, ...Array(15).fill(NaN), 3]) // starts [0, 18], ends [3, 19]
 */
function findStretches(minutes: MinuteSeries, gapMinutes = STRETCH_GAP_MINUTES): Stretches {
  const starts: number[] = [];
  const ends: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (let minute = 0; minute < minutes.length; minute++) {
    // NaN fails every comparison, so `!(value >= 0)` is "no datapoint".
    if (!((minutes[minute] as number) >= 0)) continue;
    if (minute - last - 1 >= gapMinutes) {
      if (starts.length > 0) ends.push(last + 1);
      starts.push(minute);
    }
    last = minute;
  }
  if (starts.length > 0) ends.push(last + 1);
  return { starts: Int32Array.from(starts), ends: Int32Array.from(ends), count: starts.length };
}

/** The band of one minute's GPU maximum (fixed by the contract, not by config): < 5, 5 to 30 inclusive, > 30. */
function bandOf(value: number): keyof SpendByBand {
  if (!(value >= 0)) return 'unknown';
  if (value < 5) return 'below5';
  return value <= 30 ? 'from5to30' : 'above30';
}

/**
 * Stretches, running minutes by band and the peak of one instance.
 *
 * @example spendProfile([1, 50]).minutes // { below5: 1, from5to30: 0, above30: 1, unknown: 0 }
 */
function spendProfile(minutes: MinuteSeries): SpendProfile {
  const stretches = findStretches(minutes);
  const counts = { below5: 0, from5to30: 0, above30: 0, unknown: 0 };
  let max: number | null = null;
  for (let s = 0; s < stretches.count; s++) {
    for (let minute = stretches.starts[s]!; minute < stretches.ends[s]!; minute++) {
      const value = minutes[minute] as number;
      counts[bandOf(value)] += 1;
      if (value >= 0 && (max === null || value > max)) max = value;
    }
  }
  const runningMinutes = counts.below5 + counts.from5to30 + counts.above30 + counts.unknown;
  return { stretches, minutes: counts, runningMinutes, max: max === null ? null : Math.min(max, 100) };
}

/** Money of `minutes` running minutes at `hourlyUsd` (0 when the price is unknown). */
function minutesUsd(minutes: number, hourlyUsd: number | null): number {
  return hourlyUsd === null ? 0 : (minutes * hourlyUsd) / 60;
}

/** Spend by band from minutes by band. */
function bandsUsd(minutes: SpendByBand, hourlyUsd: number | null): SpendByBand {
  return {
    below5: minutesUsd(minutes.below5, hourlyUsd),
    from5to30: minutesUsd(minutes.from5to30, hourlyUsd),
    above30: minutesUsd(minutes.above30, hourlyUsd),
    unknown: minutesUsd(minutes.unknown, hourlyUsd),
  };
}

export type { SpendProfile, Stretches };
export { bandOf, bandsUsd, findStretches, minutesUsd, STRETCH_GAP_MINUTES, spendProfile };
