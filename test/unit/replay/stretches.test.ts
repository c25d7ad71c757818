import { describe, expect, it } from 'vitest';
import { bandOf, findStretches, scheduleIntervalMs, spendProfile } from '../../../shared/engine/replay';
import { series } from './histories';

describe('findStretches', () => {
  it('splits a stretch at a gap of 15 minutes or more', () => {
    const stretches = findStretches(series(40, [0, 10, 50], [25, 10, 50]));
    expect([...stretches.starts]).toEqual([0, 25]);
    expect([...stretches.ends]).toEqual([10, 35]);
  });

  it('keeps a gap of 14 minutes inside the stretch', () => {
    const stretches = findStretches(series(40, [0, 10, 50], [24, 10, 50]));
    expect([...stretches.starts]).toEqual([0]);
    expect([...stretches.ends]).toEqual([34]);
  });

  it('ends a stretch after its last datapoint, and finds none without data', () => {
    expect([...findStretches(series(30, [3, 2, 1])).ends]).toEqual([5]);
    expect(findStretches(series(30)).count).toBe(0);
  });
});

describe('spendProfile', () => {
  it('counts running minutes by band: < 5, 5 to 30 inclusive, > 30, and unknown inside short gaps', () => {
    const minutes = series(60, [0, 10, 2], [10, 10, 5], [20, 10, 30], [30, 10, 31], [45, 10, 50]);
    const profile = spendProfile(minutes);
    expect(profile.minutes).toEqual({ below5: 10, from5to30: 20, above30: 20, unknown: 5 });
    expect(profile.runningMinutes).toBe(55);
    expect(profile.stretches.count).toBe(1);
    expect(profile.max).toBe(50);
  });

  it('bands the edges exactly', () => {
    expect([4.99, 5, 30, 30.01, Number.NaN].map(bandOf)).toEqual([
      'below5',
      'from5to30',
      'from5to30',
      'above30',
      'unknown',
    ]);
  });
});

describe('scheduleIntervalMs', () => {
  it('reads rate() exactly and cron() by its spacing', () => {
    expect(scheduleIntervalMs('rate(5 minutes)')).toBe(300_000);
    expect(scheduleIntervalMs('rate(1 hour)')).toBe(3_600_000);
    expect(scheduleIntervalMs('cron(0/10 * * * ? *)')).toBe(600_000);
    expect(scheduleIntervalMs('cron(* * * * ? *)')).toBe(60_000);
    expect(scheduleIntervalMs('cron(0,30 * * * ? *)')).toBe(1_800_000);
    expect(scheduleIntervalMs('cron(15 * * * ? *)')).toBe(3_600_000);
    expect(scheduleIntervalMs('cron(0 8 * * ? *)')).toBe(86_400_000);
  });
});
