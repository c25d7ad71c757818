/**
 * The fleet audit's aggregation (shared/report/fleet-audit.ts) on table-driven histories at $60/h (one running
 * minute = $1), so every number below is a count of minutes worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { InstanceHistory } from '../../../shared/engine/replay/types';
import { COSTLIEST_RUNS, FleetAuditor, fleetAudit, groupValue } from '../../../shared/report/fleet-audit';
import { config, FROM, history, series } from '../replay/histories';

const DAY = 1440;
const RANGE = { from: FROM, to: new Date(FROM.getTime() + DAY * 60_000) };
const iso = (minute: number) => new Date(FROM.getTime() + minute * 60_000).toISOString();

/**
 * A: research/llm: 100 minutes at 50, 60 at 2, a 20-minute gap (ends the stretch), 60 at 10: two runs.
 * B: " team " vision, no Project: 30 minutes at 1 with a 5-minute gap inside: never used, $5 unknown.
 * C: untagged, no price: the last 10 minutes at 80, still running at the end.
 * D: no datapoint: not an instance of the period.
 */
const FLEET: readonly InstanceHistory[] = [
  history(series(DAY, [0, 100, 50], [100, 60, 2], [180, 60, 10]), {
    instanceId: 'i-0aaaaaaaaaaaaaaa1',
    tags: { Team: 'research', Project: 'llm', Owner: 'alice@example.com' },
  }),
  history(series(DAY, [0, 10, 1], [15, 15, 1]), {
    instanceId: 'i-0bbbbbbbbbbbbbbb2',
    owner: 'bob@example.com',
    tags: { ' team ': 'vision' },
  }),
  history(series(DAY, [DAY - 10, 10, 80]), {
    instanceId: 'i-0ccccccccccccccc3',
    instanceType: 'unknown',
    hourlyUsd: null,
    owner: null,
    tags: {},
  }),
  history(series(DAY), { instanceId: 'i-0ddddddddddddddd4' }),
];

describe('fleetAudit', () => {
  const audit = fleetAudit(FLEET, config(), RANGE);

  it('totals spend by band and never used with the backtest definitions', () => {
    expect(audit).toMatchObject({
      from: FROM.toISOString(),
      to: RANGE.to.toISOString(),
      instances: 3,
      spendUsd: 250,
      spendByBand: { below5: 85, from5to30: 60, above30: 100, unknown: 5 },
      neverUsed: 1,
    });
  });

  it('groups by each report.groupBy tag, matching the key ignoring case and spaces, (untagged) without it', () => {
    expect(audit.groups).toEqual({
      Team: {
        research: {
          instances: 1,
          spendUsd: 220,
          spendByBand: { below5: 60, from5to30: 60, above30: 100, unknown: 0 },
          neverUsed: 0,
        },
        vision: {
          instances: 1,
          spendUsd: 30,
          spendByBand: { below5: 25, from5to30: 0, above30: 0, unknown: 5 },
          neverUsed: 1,
        },
        '(untagged)': {
          instances: 1,
          spendUsd: 0,
          spendByBand: { below5: 0, from5to30: 0, above30: 0, unknown: 0 },
          neverUsed: 0,
        },
      },
      Project: {
        llm: {
          instances: 1,
          spendUsd: 220,
          spendByBand: { below5: 60, from5to30: 60, above30: 100, unknown: 0 },
          neverUsed: 0,
        },
        '(untagged)': {
          instances: 2,
          spendUsd: 30,
          spendByBand: { below5: 25, from5to30: 0, above30: 0, unknown: 5 },
          neverUsed: 1,
        },
      },
    });
  });

  it('lists runs costliest first with their busy share over minutes with a datapoint', () => {
    expect(audit.runs.map((run) => [run.instanceId, run.start, run.end, run.spendUsd, run.busyShare])).toEqual([
      ['i-0aaaaaaaaaaaaaaa1', iso(0), iso(160), 160, 0.625],
      ['i-0aaaaaaaaaaaaaaa1', iso(180), iso(240), 60, 1],
      // 25 of 25 measured minutes below the threshold; the 5 unmeasured ones are not in the share.
      ['i-0bbbbbbbbbbbbbbb2', iso(0), iso(30), 30, 0],
      // Still running at the end of the period: no end.
      ['i-0ccccccccccccccc3', iso(DAY - 10), null, 0, 1],
    ]);
    expect(audit.runs[0]).toMatchObject({
      instanceType: 'g5.xlarge',
      owner: 'alice@example.com',
      tags: { Team: 'research' },
    });
  });

  it('keeps the 20 costliest runs of a larger fleet', () => {
    const many = Array.from({ length: 30 }, (_, k) =>
      history(series(DAY, [0, k + 1, 50]), { instanceId: `i-${String(k).padStart(17, '0')}` }),
    );
    const runs = fleetAudit(many, config(), RANGE).runs;
    expect(runs).toHaveLength(COSTLIEST_RUNS);
    expect(runs.map((run) => run.spendUsd)).toEqual(Array.from({ length: 20 }, (_, k) => 30 - k));
  });

  it('gives the same audit streamed in batches and merged by region as all at once', () => {
    const streamed = new FleetAuditor(config(), RANGE);
    streamed.addAll(FLEET.slice(0, 2));
    const other = new FleetAuditor(config(), RANGE);
    other.addAll(FLEET.slice(2));
    streamed.merge(other);
    expect(streamed.result()).toEqual(audit);
  });

  it('rounds money to the cent', () => {
    const odd = history(series(DAY, [0, 7, 50]), { hourlyUsd: 1.006 });
    // 7 minutes at $1.006/h = $0.117366…
    expect(fleetAudit([odd], config(), RANGE).spendUsd).toBe(0.12);
  });

  it('groups by the configured keys only', () => {
    const byOwner = fleetAudit(FLEET, config({ report: { groupBy: ['Owner'] } }), RANGE);
    expect(Object.keys(byOwner.groups)).toEqual(['Owner']);
    expect(Object.keys(byOwner.groups.Owner!)).toEqual(['alice@example.com', '(untagged)']);
  });

  it('lists right-sizing suggestions and the multi-GPU instances it cannot judge', () => {
    const perGpu = history(series(DAY, [0, 600, 90]), {
      instanceId: 'i-0eeeeeeeeeeeeeee5',
      instanceType: 'g5.12xlarge',
      hourlyUsd: 5.672,
      gpuTelemetry: 'per-gpu',
      gpuCount: 4,
      busyGpus: new Uint8Array(DAY).fill(1, 0, 600),
    });
    const rollup = history(series(DAY, [0, 60, 90]), {
      instanceId: 'i-0fffffffffffffff6',
      instanceType: 'p4d.24xlarge',
      hourlyUsd: 21.9576,
      gpuTelemetry: 'rollup',
    });
    const result = fleetAudit([perGpu, rollup, ...FLEET], config(), RANGE);
    // (5.672 − 1.006) × 10 h × 7 days / 1 day
    expect(result.rightSizing).toEqual([
      expect.objectContaining({
        instanceId: 'i-0eeeeeeeeeeeeeee5',
        suggestedType: 'g5.xlarge',
        weeklySavingUsd: 326.62,
      }),
    ]);
    expect(result.rightSizingUnjudged).toEqual([
      expect.objectContaining({ instanceId: 'i-0fffffffffffffff6', gpus: 8, reason: expect.stringMatching(/rollup/) }),
    ]);
  });
});

describe('groupValue', () => {
  it.each([
    [{ Team: 'research' }, 'research'],
    [{ team: 'vision' }, 'vision'],
    [{ ' TEAM ': 'speech ' }, 'speech'],
    [{ Team: '', team: 'x' }, '(untagged)'],
    [{}, '(untagged)'],
  ])('reads %j as %s', (tags, expected) => {
    expect(groupValue(tags, 'Team')).toBe(expected);
  });
});
