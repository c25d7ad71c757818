import { describe, expect, it } from 'vitest';
import { sweep, sweepAxes } from '../../../shared/engine/replay';
import { config, history, idleOnly, series, window } from './histories';

/** Four instances idling at 1, 3, 8 and 12 % for 5 hours, then busy for an hour. */
function fleet() {
  return [1, 3, 8, 12].map((level) =>
    history(series(360, [0, 300, level], [300, 60, 70]), { instanceId: `i-level-${level}` }),
  );
}

describe('sweepAxes', () => {
  it('adds the configured threshold and window to the grid, sorted, one entry per window length', () => {
    const axes = sweepAxes(config({ idle: { threshold: 7, window: '60m' } }));
    expect(axes.thresholds).toEqual([2, 5, 7, 10, 15]);
    expect(axes.windows).toEqual(['30m', '60m', '2h']);
  });
});

describe('sweep', () => {
  it('returns one row per threshold and window, and marks the configured policy', () => {
    const rows = sweep(fleet(), idleOnly(), window(360), { thresholds: [5, 10], windows: ['1h', '2h'] });
    expect(rows.map((row) => [row.threshold, row.window, row.configured])).toEqual([
      [5, '1h', true],
      [5, '2h', false],
      [10, '1h', false],
      [10, '2h', false],
    ]);
  });

  it('acts on more instances and saves more as the threshold rises, and saves less as the window grows', () => {
    const rows = sweep(fleet(), idleOnly(), window(360));
    const byWindow = (text: string) => rows.filter((row) => row.window === text);
    for (const text of ['30m', '1h', '2h']) {
      const line = byWindow(text);
      for (let i = 1; i < line.length; i++) {
        expect(line[i]!.actions).toBeGreaterThanOrEqual(line[i - 1]!.actions);
        expect(line[i]!.savedUsd).toBeGreaterThanOrEqual(line[i - 1]!.savedUsd);
      }
    }
    for (const threshold of [2, 5, 10, 15]) {
      const line = rows.filter((row) => row.threshold === threshold);
      for (let i = 1; i < line.length; i++) expect(line[i]!.savedUsd).toBeLessThanOrEqual(line[i - 1]!.savedUsd);
    }
    // Threshold 15 with a 30-minute window: all four act at minute 65 (35 + 30 grace) and are busy again at 300.
    expect(rows.find((row) => row.threshold === 15 && row.window === '30m')).toMatchObject({
      actions: 4,
      savedUsd: 4 * (360 - 65),
      falseKills: 4,
    });
    expect(rows.find((row) => row.threshold === 2 && row.window === '1h')).toMatchObject({ actions: 1 });
  });
});
