import { describe, expect, it } from 'vitest';
import { gpuActivity, normalizePoints, windowStats } from '../../../shared/engine';
import { ago, NOW, points } from './fixtures';

const minute = (n: number) => n * 60_000;

describe('normalizePoints', () => {
  it.each([
    [
      'drops NaN, infinities and negatives',
      [
        { at: 0, max: Number.NaN },
        { at: 0, max: Number.POSITIVE_INFINITY },
        { at: 0, max: -1 },
        { at: Number.NaN, max: 1 },
      ],
      [],
    ],
    ['clamps values above 100', [{ at: 0, max: 250 }], [{ at: 0, max: 100 }]],
    ['floors to the minute', [{ at: minute(1) + 59_999, max: 3 }], [{ at: minute(1), max: 3 }]],
    [
      'merges a minute by its maximum',
      [
        { at: minute(2) + 1, max: 3 },
        { at: minute(2) + 5, max: 9 },
        { at: minute(2), max: 4 },
      ],
      [{ at: minute(2), max: 9 }],
    ],
    [
      'sorts by time',
      [
        { at: minute(3), max: 1 },
        { at: minute(1), max: 2 },
      ],
      [
        { at: minute(1), max: 2 },
        { at: minute(3), max: 1 },
      ],
    ],
    ['keeps a zero', [{ at: minute(1), max: 0 }], [{ at: minute(1), max: 0 }]],
  ])('%s', (_, raw, expected) => {
    expect(normalizePoints(raw)).toEqual(expected);
  });
});

describe('windowStats', () => {
  it('counts the minutes of a minute-aligned window', () => {
    const stats = windowStats(points(2), ago('1h'), NOW);
    expect(stats).toEqual({ minutes: 60, datapoints: 60, coverage: 1, max: 2 });
  });

  it('counts the minute starts inside an unaligned window', () => {
    const from = new Date(ago('1h').getTime() + 27_000);
    const to = new Date(NOW.getTime() + 27_000);
    expect(windowStats([], from, to).minutes).toBe(60);
    expect(windowStats([], from, NOW).minutes).toBe(59);
  });

  it('ignores points outside [from, to)', () => {
    const series = [
      { at: ago('61m').getTime(), max: 90 },
      { at: ago('60m').getTime(), max: 1 },
      { at: NOW.getTime(), max: 90 },
    ];
    expect(windowStats(series, ago('1h'), NOW)).toEqual({ minutes: 60, datapoints: 1, coverage: 1 / 60, max: 1 });
  });

  it('counts a minute with several points once', () => {
    const at = ago('10m').getTime();
    const stats = windowStats(
      [
        { at, max: 1 },
        { at: at + 10_000, max: 7 },
      ],
      ago('1h'),
      NOW,
    );
    expect(stats.datapoints).toBe(1);
    expect(stats.max).toBe(7);
  });

  it('says max null and coverage 0 without datapoints, and for an empty window', () => {
    expect(windowStats([], ago('1h'), NOW)).toEqual({ minutes: 60, datapoints: 0, coverage: 0, max: null });
    expect(windowStats(points(1), NOW, NOW)).toEqual({ minutes: 0, datapoints: 0, coverage: 0, max: null });
    expect(windowStats([], NOW, ago('1h')).minutes).toBe(0);
  });

  it('skips unusable points and clamps high ones', () => {
    const at = ago('5m').getTime();
    const stats = windowStats(
      [
        { at, max: Number.NaN },
        { at, max: -3 },
        { at: at + 60_000, max: 400 },
      ],
      ago('1h'),
      NOW,
    );
    expect(stats).toMatchObject({ datapoints: 1, max: 100 });
  });
});

describe('gpuActivity: three states, never two', () => {
  const stats = (coverage: number, max: number | null) => ({
    minutes: 60,
    datapoints: Math.round(coverage * 60),
    coverage,
    max,
  });
  it.each([
    ['ok', stats(1, 1), 'idle'],
    ['ok', stats(0.8, 4.99), 'idle'],
    ['ok', stats(0.8, 5), 'busy'],
    ['ok', stats(0.79, 1), 'unknown'],
    ['ok', stats(0.1, 50), 'busy'],
    ['ok', stats(0, null), 'unknown'],
    ['missing', stats(0, null), 'unknown'],
    ['missing', stats(1, 1), 'unknown'],
    ['error', stats(1, 1), 'unknown'],
    ['error', stats(1, 80), 'unknown'],
  ] as const)('reads status %s with %o as %s', (status, window, expected) => {
    expect(gpuActivity(status, window, 5, 0.8)).toBe(expected);
  });

  it('never calls a window without datapoints busy, even at a threshold of 0', () => {
    expect(gpuActivity('ok', stats(0, null), 0, 0.8)).toBe('unknown');
    expect(gpuActivity('ok', stats(1, 0), 0, 0.8)).toBe('busy');
  });
});
