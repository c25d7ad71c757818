/**
 * The threshold sweep: the same replay under a grid of `idle.threshold` × `idle.window` values around the configured
 * ones, so an admin can pick a policy from the savings vs false-kill trade-off. Every row judges false kills by the
 * configured `idle.threshold` (what "busy again" means must not move with the row, or the rows would not compare).
 */
import { parseDuration } from '../../config/durations';
import type { Config } from '../../config/schema';
import { prepareFleet, replayPrepared } from './replay-fleet';
import { sweepRow } from './replay-result';
import type { InstanceHistory, ReplayWindow, SweepGrid, SweepRow } from './types';

const DEFAULT_THRESHOLDS: readonly number[] = [2, 5, 10, 15];
const DEFAULT_WINDOWS: readonly string[] = ['30m', '1h', '2h'];

/** The thresholds and windows a sweep tries: the grid's plus the configured ones, sorted, without duplicates. */
function sweepAxes(config: Config, grid: SweepGrid = {}): { thresholds: number[]; windows: string[] } {
  const thresholds = [...new Set([...(grid.thresholds ?? DEFAULT_THRESHOLDS), config.idle.threshold])]
    .filter((value) => Number.isFinite(value) && value >= 0 && value <= 100)
    .sort((a, b) => a - b);
  // Windows are compared by length, so `60m` and `1h` are one window (the configured spelling wins).
  const byMs = new Map<number, string>();
  for (const text of [config.idle.window, ...(grid.windows ?? DEFAULT_WINDOWS)]) {
    const ms = parseDuration(text);
    if (ms !== undefined && ms > 0 && !byMs.has(ms)) byMs.set(ms, text);
  }
  const windows = [...byMs.entries()].sort(([a], [b]) => a - b).map(([, text]) => text);
  return { thresholds, windows };
}

/**
 * Replays every grid point and returns one row each, thresholds ascending, then windows by length.
 *
 * @example sweep(histories, config, window, { thresholds: [5, 10], windows: ['1h'] })
 *   // [{ threshold: 5, window: '1h', actions: 3, savedUsd: 41.2, falseKills: 0, configured: true }, …]
 */
function sweep(
  histories: readonly InstanceHistory[],
  config: Config,
  window: ReplayWindow,
  grid: SweepGrid = {},
): SweepRow[] {
  const prepared = prepareFleet(histories, config, window);
  const { thresholds, windows } = sweepAxes(config, grid);
  const configuredMs = parseDuration(config.idle.window);
  const rows: SweepRow[] = [];
  for (const threshold of thresholds) {
    for (const idleWindow of windows) {
      const variant: Config = { ...config, idle: { ...config.idle, threshold, window: idleWindow } };
      const result = replayPrepared(prepared, variant, { busyThreshold: config.idle.threshold });
      const configured = threshold === config.idle.threshold && parseDuration(idleWindow) === configuredMs;
      rows.push(sweepRow(threshold, idleWindow, result.fleet, configured));
    }
  }
  return rows;
}

export { sweep, sweepAxes };
