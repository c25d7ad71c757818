/**
 * Money and GPU-hours avoided, estimated from audit items alone, with exact numbers: hours until the instance's next
 * start (or next action, the end of the report, 24h at most) × hourlyUsd, and × GPU count.
 */
import { describe, expect, it } from 'vitest';
import { avoidedSpend } from '../../../shared/report/avoided-spend';
import { item, TO, WEEK } from '../../helpers/audit-items';

describe('avoidedSpend', () => {
  const { avoided, wouldHaveAvoided } = avoidedSpend(WEEK, TO);

  it('totals the money and GPU-hours the actions avoided', () => {
    expect(avoided).toMatchObject({
      actions: 4,
      hours: 34.5,
      usd: 272.66,
      gpuHours: 79,
      idleUsdBefore: 8.51,
      unpriced: 1,
    });
    expect(avoided.horizonHours).toBe(24);
    expect(avoided.method).toMatch(/^For each STOPPED or TERMINATED event: the hours from the action until/);
  });

  it('breaks them down by rule, owner and instance type, largest amount first', () => {
    expect(avoided.byRule).toEqual({
      'never-used': { actions: 1, hours: 4, usd: 220.16, gpuHours: 32, idleUsdBefore: 0, unpriced: 0 },
      idle: { actions: 2, hours: 6.5, usd: 28.36, gpuHours: 23, idleUsdBefore: 8.51, unpriced: 1 },
      'max-runtime': { actions: 1, hours: 24, usd: 24.14, gpuHours: 24, idleUsdBefore: 0, unpriced: 0 },
    });
    expect(Object.keys(avoided.byRule)).toEqual(['never-used', 'idle', 'max-runtime']);
    expect(avoided.byOwner).toEqual({
      'bo@example.com': { actions: 1, hours: 4, usd: 220.16, gpuHours: 32, idleUsdBefore: 0, unpriced: 0 },
      'ana@example.com': { actions: 2, hours: 29, usd: 52.5, gpuHours: 44, idleUsdBefore: 8.51, unpriced: 0 },
      unknown: { actions: 1, hours: 1.5, usd: 0, gpuHours: 3, idleUsdBefore: 0, unpriced: 1 },
    });
    expect(Object.keys(avoided.byInstanceType)).toEqual(['p5.48xlarge', 'g5.12xlarge', 'g5.xlarge', 'g9.mega']);
    expect(avoided.byInstanceType['g5.xlarge']).toMatchObject({ usd: 24.14, gpuHours: 24 });
  });

  it('counts dry-run actions apart, as what enforcing would have avoided', () => {
    expect(wouldHaveAvoided).toMatchObject({ actions: 1, hours: 10, usd: 5.26, gpuHours: 10, unpriced: 0 });
    expect(wouldHaveAvoided.byOwner).toEqual({
      'bo@example.com': { actions: 1, hours: 10, usd: 5.26, gpuHours: 10, idleUsdBefore: 0, unpriced: 0 },
    });
  });

  it('never counts past the next action on the same instance', () => {
    const twice = [
      item('i-7', 'WOULD_STOP', '2024-05-02T00:00:00.000Z'),
      item('i-7', 'WOULD_STOP', '2024-05-02T02:00:00.000Z'),
    ];
    expect(avoidedSpend(twice, TO).wouldHaveAvoided).toMatchObject({ actions: 2, hours: 24, usd: 24.14 });
  });

  it('never takes the launch before the action for a restart, nor another instance for this one', () => {
    const items = [
      item('i-8', 'STOPPED', '2024-05-02T20:00:00.000Z', { launchTime: '2024-05-02T08:00:00.000Z' }),
      item('i-8', 'NOTIFIED', '2024-05-02T21:00:00.000Z', { launchTime: '2024-05-02T08:00:00.000Z' }),
      item('i-9', 'WARNED', '2024-05-02T21:00:00.000Z', { launchTime: '2024-05-02T20:30:00.000Z' }),
    ];
    expect(avoidedSpend(items, TO).avoided).toMatchObject({ actions: 1, hours: 4 });
  });

  it('reports nothing when nothing was acted on', () => {
    const { avoided: none } = avoidedSpend([item('i-1', 'WARNED', '2024-05-01T09:30:00.000Z')], TO);
    expect(none).toMatchObject({
      actions: 0,
      hours: 0,
      usd: 0,
      gpuHours: 0,
      byRule: {},
      byOwner: {},
      byInstanceType: {},
    });
  });
});
