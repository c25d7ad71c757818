import { describe, expect, it } from 'vitest';
import { classifyHost, describeHost, publishingPeriodMs } from '../../../shared/engine/host-activity';
import type { HostPoint } from '../../../shared/engine/types';

const MIN = 60_000;
const T0 = Date.parse('2026-12-07T14:00:00Z');
const thresholds = { cpu: 10, networkMiBPerMinute: 5 };
const MiB = 1024 * 1024;

/** Periods of `stepMin` minutes from T0, each with the CPU max and network MiB/min given. */
function periods(stepMin: number, values: readonly [cpu: number | null, mibPerMin: number | null][]): HostPoint[] {
  return values.map(([cpu, rate], i) => ({
    at: T0 + i * stepMin * MIN,
    cpuMax: cpu,
    networkBytes: rate === null ? null : rate * MiB * stepMin,
  }));
}
const window = (minutes: number) => [new Date(T0), new Date(T0 + minutes * MIN)] as const;

describe('publishingPeriodMs', () => {
  it('detects detailed monitoring from datapoints a minute apart', () => {
    expect(
      publishingPeriodMs(
        periods(1, [
          [1, 0],
          [1, 0],
          [1, 0],
        ]),
      ),
    ).toBe(MIN);
  });
  it('detects basic monitoring from datapoints five minutes apart', () => {
    expect(
      publishingPeriodMs(
        periods(5, [
          [1, 0],
          [1, 0],
        ]),
      ),
    ).toBe(5 * MIN);
  });
  it('takes a lone datapoint as basic monitoring', () => {
    expect(publishingPeriodMs(periods(5, [[1, 0]]))).toBe(5 * MIN);
  });
});

describe('classifyHost', () => {
  it('finds a host downloading a dataset busy (basic monitoring, 12 periods in an hour)', () => {
    const host = classifyHost(
      {
        status: 'ok',
        points: periods(
          5,
          Array.from({ length: 12 }, () => [60, 300] as [number, number]),
        ),
      },
      ...window(60),
      thresholds,
    );
    expect(host).toMatchObject({ state: 'busy', periods: 12, reportedPeriods: 12, busyPeriods: 12, period: 300 });
    expect(host.cpuMax).toBe(60);
    expect(host.networkMiBPerMinuteMax).toBeCloseTo(300);
  });

  it('reads detailed monitoring per minute', () => {
    const values = Array.from({ length: 20 }, (_, i) => [i < 10 ? 50 : 1, 0] as [number, number]);
    const host = classifyHost({ status: 'ok', points: periods(1, values) }, ...window(20), thresholds);
    expect(host).toMatchObject({ state: 'busy', periods: 20, busyPeriods: 10, period: 60 });
  });

  it('is busy at exactly half of the periods, quiet one below half', () => {
    const half = Array.from({ length: 12 }, (_, i) => [i < 6 ? 20 : 1, 0] as [number, number]);
    expect(classifyHost({ status: 'ok', points: periods(5, half) }, ...window(60), thresholds).state).toBe('busy');
    const below = Array.from({ length: 12 }, (_, i) => [i < 5 ? 20 : 1, 0] as [number, number]);
    expect(classifyHost({ status: 'ok', points: periods(5, below) }, ...window(60), thresholds).state).toBe('quiet');
  });

  it('counts a period busy on network alone, per minute of the period', () => {
    // 6 MiB/min over a 5-minute period is 30 MiB in it: above 5 MiB/min.
    const points = periods(5, [
      [1, 6],
      [1, 6],
      [1, 0],
      [1, 0],
    ]);
    const host = classifyHost({ status: 'ok', points }, ...window(20), thresholds);
    expect(host).toMatchObject({ state: 'busy', busyPeriods: 2, periods: 4 });
    // 4 MiB/min is below the threshold even though the period's sum (20 MiB) is above it.
    const slow = classifyHost(
      {
        status: 'ok',
        points: periods(5, [
          [1, 4],
          [1, 4],
        ]),
      },
      ...window(10),
      thresholds,
    );
    expect(slow.state).toBe('quiet');
  });

  it('is quiet for a host that died at setup (CPU 1%, no network)', () => {
    const points = periods(
      5,
      Array.from({ length: 4 }, () => [1, 0.01] as [number, number]),
    );
    expect(classifyHost({ status: 'ok', points }, ...window(20), thresholds).state).toBe('quiet');
  });

  it('is unknown without datapoints, after a failed read, or when nothing was read', () => {
    expect(classifyHost({ status: 'ok', points: [] }, ...window(60), thresholds)).toMatchObject({
      state: 'unknown',
      unknownBecause: 'no host datapoint',
    });
    const failed = classifyHost({ status: 'error', points: [], error: 'Throttling' }, ...window(60), thresholds);
    expect(failed.state).toBe('unknown');
    expect(failed.unknownBecause).toContain('Throttling');
    expect(classifyHost(undefined, ...window(60), thresholds).state).toBe('unknown');
    expect(classifyHost({ status: 'missing', points: [] }, ...window(60), thresholds).state).toBe('unknown');
  });

  it('is unknown when the missing periods could turn a quiet host busy, and decides when they could not', () => {
    // 4 of 12 periods reported, all quiet: 8 missing could be busy.
    const partial = periods(
      5,
      Array.from({ length: 4 }, () => [1, 0] as [number, number]),
    );
    expect(classifyHost({ status: 'ok', points: partial }, ...window(60), thresholds).state).toBe('unknown');
    // 11 of 12 reported, all quiet: one missing period cannot make half.
    const nearly = periods(
      5,
      Array.from({ length: 11 }, () => [1, 0] as [number, number]),
    );
    expect(classifyHost({ status: 'ok', points: nearly }, ...window(60), thresholds).state).toBe('quiet');
    // 6 of 12 reported, all busy: already half.
    const busy = periods(
      5,
      Array.from({ length: 6 }, () => [90, 0] as [number, number]),
    );
    expect(classifyHost({ status: 'ok', points: busy }, ...window(60), thresholds).state).toBe('busy');
  });

  it('counts only complete periods inside the window', () => {
    // [14:02, 14:23): the 5-minute periods starting 14:05, 14:10, 14:15 are complete; 14:00 and 14:20 are not.
    const points = periods(5, [
      [90, 0],
      [90, 0],
      [1, 0],
      [1, 0],
      [90, 0],
    ]);
    const host = classifyHost({ status: 'ok', points }, new Date(T0 + 2 * MIN), new Date(T0 + 23 * MIN), thresholds);
    expect(host).toMatchObject({ periods: 3, reportedPeriods: 3, busyPeriods: 1, state: 'quiet' });
  });

  it('is unknown for a window shorter than one period', () => {
    const host = classifyHost(
      {
        status: 'ok',
        points: periods(5, [
          [90, 0],
          [90, 0],
        ]),
      },
      ...window(4),
      thresholds,
    );
    expect(host.state).toBe('unknown');
  });
});

describe('describeHost', () => {
  it('says the numbers a person checks', () => {
    const points = periods(
      5,
      Array.from({ length: 12 }, (_, i) => [i === 11 ? 5 : 87.26, 42.04] as [number, number]),
    );
    const text = describeHost(classifyHost({ status: 'ok', points }, ...window(60), thresholds));
    expect(text).toBe('CPU max 87.3%, network up to 42 MiB/min; busy in 12 of 12 5-minute periods');
  });
  it('says why the host is unknown', () => {
    expect(describeHost(classifyHost(undefined, ...window(60), thresholds))).toBe('host activity unknown (not read)');
  });
});
