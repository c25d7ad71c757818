/**
 * Hostile GPU telemetry: NaN, ±Infinity, negative, over 100, duplicated timestamps, out of order, far in the future.
 * The engine normalizes (drops what is not a reading, clamps to 100, one point per minute by its maximum) and never
 * lets data it cannot read make an instance look idle or never used.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeMinutes } from '../../../shared/adapters/cloudwatch/gpu-minutes';
import { type GpuPoint, normalizePoints, windowStats } from '../../../shared/engine';
import { ago, decide, later, NOW, points, telemetry } from '../engine/fixtures';

const MINUTE = 60_000;
const HOUR_AGO = ago('1h').getTime();
const at = (minute: number) => HOUR_AGO + minute * MINUTE;

describe('normalizePoints with hostile values', () => {
  it.each([
    ['NaN', Number.NaN, []],
    ['Infinity', Number.POSITIVE_INFINITY, []],
    ['-Infinity', Number.NEGATIVE_INFINITY, []],
    ['negative', -1, []],
    ['over 100', 250, [{ at: at(0), max: 100 }]],
    ['exactly 100', 100, [{ at: at(0), max: 100 }]],
    ['zero', 0, [{ at: at(0), max: 0 }]],
  ])('reads a %s value as the engine defines it', (_, max, expected) => {
    expect(normalizePoints([{ at: at(0), max }])).toEqual(expected);
  });

  it('drops a point whose time is not a number', () => {
    expect(normalizePoints([{ at: Number.NaN, max: 50 }])).toEqual([]);
  });

  it('keeps one point per minute, its maximum, whatever the order of duplicates', () => {
    const duplicates = [1, 80, Number.NaN, -5, 3].map((max, n) => ({ at: at(0) + n * 1_000, max }));
    expect(normalizePoints(duplicates)).toEqual([{ at: at(0), max: 80 }]);
    expect(normalizePoints([...duplicates].reverse())).toEqual([{ at: at(0), max: 80 }]);
  });

  it('sorts points that arrive out of order', () => {
    const shuffled = [5, 2, 9, 0].map((minute) => ({ at: at(minute), max: minute }));
    expect(normalizePoints(shuffled).map((point) => point.at)).toEqual([0, 2, 5, 9].map(at));
  });
});

describe('windowStats with hostile timestamps', () => {
  it('counts a minute reported 60 times once', () => {
    const stats = windowStats(Array(60).fill({ at: at(10), max: 1 }), ago('1h'), NOW);
    expect(stats).toMatchObject({ minutes: 60, datapoints: 1, max: 1 });
    expect(stats.coverage).toBeCloseTo(1 / 60);
  });

  it('ignores points from the future and from before the window', () => {
    const stray = [later('1m'), later('365d'), ago('2h')].map((time) => ({ at: time.getTime(), max: 1 }));
    expect(windowStats(stray, ago('1h'), NOW)).toMatchObject({ datapoints: 0, coverage: 0, max: null });
  });
});

describe('decisions on hostile telemetry never take the unknown for idle', () => {
  const every = (max: number) => points(max);

  it.each([
    ['NaN every minute', every(Number.NaN)],
    ['negative every minute', every(-1)],
    ['-Infinity every minute', every(Number.NEGATIVE_INFINITY)],
    ['the same minute 60 times', Array(60).fill({ at: at(30), max: 1 })],
    ['an idle hour, but in the future', points(1, { now: later('1h') })],
    ['an idle hour, but a day ago', points(1, { now: ago('1d') })],
  ])('neither warns nor acts on %s', (_, series: GpuPoint[]) => {
    const decision = decide({ telemetry: telemetry(series) });
    expect(['warn', 'act']).not.toContain(decision.outcome);
    expect(decision.rule).not.toBe('idle');
    expect(decision.rule).not.toBe('never-used');
  });

  it('treats a window whose points are all unreadable as no telemetry, never as idle', () => {
    expect(decide({ telemetry: telemetry(every(Number.NaN)) })).toMatchObject({
      outcome: 'notify',
      rule: 'no-telemetry',
    });
  });

  it('holds off when a third of the minutes are unreadable (coverage below minCoverage)', () => {
    const series = points((minute) => (minute % 3 === 0 ? Number.NaN : 1));
    const decision = decide({ telemetry: telemetry(series) });
    expect(decision).toMatchObject({ outcome: 'notify', rule: 'no-telemetry' });
    expect(decision.reason).toContain('too sparse to judge');
  });

  it('reads a value over 100 as busy, and one busy duplicate among idle ones as busy', () => {
    expect(decide({ telemetry: telemetry(points((m) => (m === 7 ? 250 : 1))) }).outcome).toBe('keep');
    const hidden = [...points(1), { at: at(42) + 30_000, max: 60 }, { at: at(42), max: Number.NaN }];
    expect(decide({ telemetry: telemetry(hidden) }).outcome).toBe('keep');
  });

  it.each([Number.NaN, -1, Number.NEGATIVE_INFINITY])(
    'never proves never-used from a since-launch maximum of %s',
    (sinceLaunchMax) => {
      const decision = decide({ telemetry: telemetry(points(1), { sinceLaunchMax }) });
      expect(decision.rule).not.toBe('never-used');
      expect(decision.rule).toBe('idle');
    },
  );

  it('never acts on idle-looking points when the read failed', () => {
    const decision = decide({ telemetry: telemetry(points(1), { status: 'error', error: 'GetMetricData: boom' }) });
    expect(decision.outcome).toBe('error');
  });
});

/** One trusted series merged alone: the per-minute maximum, as a rollup's. */
const mergeByMinute = (samples: readonly { at: number; value: number }[], from: number, to: number) =>
  mergeMinutes([{ source: 's', gpu: null, stat: 'Maximum', trusted: true, samples }], 1, from, to);

describe('mergeByMinute (the CloudWatch adapter) with hostile per-GPU samples', () => {
  const from = HOUR_AGO;
  const to = NOW.getTime();

  it('never lets a NaN from one GPU hide another GPU that is busy', () => {
    const samples = [
      { at: at(3), value: Number.NaN },
      { at: at(3), value: 90 },
      { at: at(4), value: 90 },
      { at: at(4), value: Number.NaN },
    ];
    expect(mergeByMinute(samples, from, to)).toEqual([
      { at: at(3), max: 90 },
      { at: at(4), max: 90 },
    ]);
  });

  it('takes the busiest of 8 GPUs, never their average', () => {
    const samples = Array.from({ length: 8 }, (_, gpu) => ({ at: at(0), value: gpu === 5 ? 97 : 0 }));
    expect(mergeByMinute(samples, from, to)).toEqual([{ at: at(0), max: 97 }]);
  });

  it('leaves out samples outside the window, however far', () => {
    const samples = [
      { at: to, value: 1 },
      { at: from - 1, value: 1 },
      { at: 8.64e15, value: 1 },
    ];
    expect(mergeByMinute(samples, from, to)).toEqual([]);
  });
});

describe('garbage around a series never changes the decision (property)', () => {
  const minuteValue = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined });
  const garbageValue = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -1e9);
  const garbageTime = fc.oneof(
    fc.integer({ min: 0, max: 59 }).map(at),
    fc.constantFrom(Number.NaN, later('1h').getTime(), later('3650d').getTime(), ago('3h').getTime()),
  );

  it('unreadable values anywhere, stray times, duplicates and shuffling leave the decision as it was', () => {
    fc.assert(
      fc.property(
        fc.array(minuteValue, { minLength: 60, maxLength: 60 }),
        fc.array(fc.record({ at: garbageTime, max: garbageValue }), { maxLength: 40 }),
        fc.array(fc.record({ at: garbageTime, max: fc.double({ min: 0, max: 100, noNaN: true }) }), {
          maxLength: 5,
        }),
        (values, garbage, stray) => {
          const clean = values.flatMap((max, minute) => (max === undefined ? [] : [{ at: at(minute), max }]));
          // A stray readable point only counts if it is inside the window: keep those out of the comparison.
          const outside = stray.filter((point) => !(point.at >= HOUR_AGO && point.at < NOW.getTime()));
          const noisy = [...garbage, ...clean, ...outside, ...clean.map((point) => ({ ...point, max: point.max / 2 }))];
          const expected = decide({ telemetry: telemetry(clean) });
          const actual = decide({ telemetry: telemetry(noisy.reverse()) });
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
