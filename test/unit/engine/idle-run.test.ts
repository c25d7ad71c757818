/**
 * How long the GPU has been idle, read straight from the rule context: the boundaries of the trailing idle run
 * (which minute starts it, which minute is busy, which data is too thin to tell). The priced view of the same
 * numbers, through decisions, is in idle-cost.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { decideInstance, type GpuPoint, idleRunMinutes } from '../../../shared/engine';
import { ago, config, context, failed, input, NOW, points, type Scenario, telemetry } from './fixtures';

const idleAfter = (busyMinutes: number) => points((i) => (i < busyMinutes ? 80 : 1));
const without = (series: readonly GpuPoint[], ...indexes: number[]) => series.filter((_, i) => !indexes.includes(i));

describe('idleRunMinutes', () => {
  it.each<[string, Scenario, number | null]>([
    [
      'counts from the launch when the coarse read since launch stayed below the threshold',
      { telemetry: telemetry(points(1), { sinceLaunchMax: 2 }) },
      180,
    ],
    [
      'counts only the read when the coarse read since launch is exactly at the threshold',
      { telemetry: telemetry(points(1), { sinceLaunchMax: 5 }) },
      60,
    ],
    [
      'counts whole minutes since a launch inside the read, not since the launch minute',
      {
        instance: { launchTime: new Date(ago('45m').getTime() + 30_000) },
        telemetry: telemetry(points(1, { span: '45m' })),
      },
      44,
    ],
    ['counts from the minute after a busy first minute of the read', { telemetry: telemetry(idleAfter(1)) }, 59],
    [
      'never counts minutes before the launch, busy or not (a previous run)',
      {
        instance: { launchTime: ago('45m') },
        telemetry: telemetry([{ at: ago('55m').getTime(), max: 90 }, ...points(1, { span: '45m' })]),
      },
      45,
    ],
    [
      'counts a minute at exactly the threshold as busy',
      { telemetry: telemetry(points((i) => (i === 30 ? 5 : 1))) },
      29,
    ],
    [
      'ignores a point stamped at now: that minute has not happened yet',
      { telemetry: telemetry([...points(1), { at: NOW.getTime(), max: 90 }]) },
      60,
    ],
    [
      'says 0 when the latest datapoint is busy, even when the series stopped minutes ago',
      { telemetry: telemetry(points(5, { until: '10m' })) },
      0,
    ],
    [
      'never counts a whole window covered less than minCoverage',
      { telemetry: telemetry(points(1).filter((_, i) => i % 2 === 0)) },
      null,
    ],
    ['counts a short run covered exactly at minCoverage', { telemetry: telemetry(without(idleAfter(50), 52, 54)) }, 10],
    [
      'never counts a short run covered less than minCoverage',
      { telemetry: telemetry(without(idleAfter(50), 52, 54, 56)) },
      null,
    ],
    [
      'never counts idle minutes from a failed read, whatever points came with it',
      { telemetry: failed('GetMetricData: Throttling', { points: idleAfter(50) }) },
      null,
    ],
  ])('%s', (_, scenario, minutes) => {
    expect(idleRunMinutes(context(scenario))).toBe(minutes);
  });

  it('says 0, not unknown, when the GPU went idle less than a minute ago', () => {
    const now = new Date(NOW.getTime() + 30_000);
    const series = [...points(80), { at: NOW.getTime(), max: 1 }];
    expect(idleRunMinutes(context({ telemetry: telemetry(series, { to: now }), now }))).toBe(0);
  });
});

describe('the price of idle time', () => {
  it('prices an instance that costs nothing at $0, not as unknown', () => {
    const decision = decideInstance({ ...input({}, telemetry(points(1))), hourlyUsd: 0 }, config(), NOW);
    expect(decision.hourlyUsd).toBe(0);
    expect(decision.evidence).toMatchObject({ idleMinutes: 60, idleUsd: 0 });
  });
});
