/**
 * `gpu-reaper report --json --since 7d` (the real bin) against moto seeded with a week of GPU history at 5-minute
 * resolution (one datapoint per 5 minutes, as CloudWatch keeps a week at the period the fleet audit reads): the
 * `fleet` section must be the hand computation below, to the cent.
 *
 * - busy (g5.xlarge, $1.006/h; Team research, Project llm): 20 h at 70 % on day 1, 4 h at 2 % on day 3;
 * - never (g5.xlarge; Team research): 2 days at 1 %: never used;
 * - wide (g5.12xlarge, $5.672/h, per-GPU series; Team vision): 30 h with GPU 0 at 60 %, the 3 others at 0 %;
 * - rollup (g5.12xlarge, rollup only; Team vision): 10 h at 20 %;
 * - loose (g4dn.xlarge, $0.526/h; no Team, `project` cv): 6 h at 3 %, then 6 h at 40 %.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { createAuditTable } from '../../../shared/adapters/dynamodb/audit-table-setup';
import type { FleetAudit } from '../../../shared/report/fleet-audit-types';
import { runCli } from '../../helpers/cli';
import { launchInstances, putGpuSeries, type SeriesPoint } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The end of the week: the last whole hour (5-minute boundaries line up with it). */
const TO = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
const FROM_MS = TO.getTime() - 7 * DAY_MS;

/** One datapoint every 5 minutes for `hours` from `startMs`. */
function every5(startMs: number, hours: number, value: SeriesPoint['value']): SeriesPoint[] {
  return Array.from({ length: hours * 12 }, (_, k) => ({ at: startMs + k * 5 * MINUTE_MS, value }));
}

const day = (n: number, hour = 0) => FROM_MS + n * DAY_MS + hour * HOUR_MS;
let ids: Record<string, string> = {};
let fleet: FleetAudit;
let stderr = '';

beforeAll(async () => {
  const options = clientOptions(moto.region);
  const ec2 = new EC2Client(options);
  const cw = new CloudWatchClient(options);
  const launch = async (key: string, instanceType: string, tags: Record<string, string>) => {
    const [id] = await launchInstances(ec2, { instanceType, tags: { Owner: `${key}@example.com`, ...tags } });
    ids[key] = id!;
    return id!;
  };
  ids = {};
  const busy = await launch('busy', 'g5.xlarge', { Team: 'research', Project: 'llm' });
  await putGpuSeries(cw, busy, [...every5(day(1, 2), 20, 70), ...every5(day(3, 6), 4, 2)]);
  const never = await launch('never', 'g5.xlarge', { Team: 'research' });
  await putGpuSeries(cw, never, every5(day(2), 48, 1));
  const wide = await launch('wide', 'g5.12xlarge', { Team: 'vision' });
  await putGpuSeries(cw, wide, every5(day(4, 1), 30, [60, 0, 0, 0]));
  const rollup = await launch('rollup', 'g5.12xlarge', { Team: 'vision' });
  await putGpuSeries(cw, rollup, every5(day(5, 3), 10, 20));
  const loose = await launch('loose', 'g4dn.xlarge', { project: 'cv' });
  await putGpuSeries(cw, loose, [...every5(day(0, 8), 6, 3), ...every5(day(0, 14), 6, 40)]);

  const table = `fleet-report-${Date.now()}`;
  await createAuditTable(new DynamoDBClient(options), table);
  const run = await runCli(['report', '--json', '--since', '7d', '--now', TO.toISOString(), '--table', table]);
  stderr = run.stderr;
  expect(run.code, run.stderr).toBe(0);
  fleet = JSON.parse(run.stdout).fleet as FleetAudit;
}, 300_000);

describe('gpu-reaper report --since 7d: the fleet audit', () => {
  it('reads the week of the configured regions (the home region without regions)', () => {
    expect(fleet).toMatchObject({
      from: new Date(FROM_MS).toISOString(),
      to: TO.toISOString(),
      regions: [moto.region],
      regionErrors: [],
    });
    expect(stderr).toBe('');
  });

  it('reports spend by band and never used as computed by hand', () => {
    // below 5: busy 4 h × 1.006 + never 48 h × 1.006 + loose 6 h × 0.526 = 4.024 + 48.288 + 3.156
    // 5 to 30: rollup 10 h × 5.672; above 30: busy 20 h × 1.006 + wide 30 h × 5.672 + loose 6 h × 0.526
    expect(fleet).toMatchObject({
      instances: 5,
      spendUsd: 305.62,
      spendByBand: { below5: 55.47, from5to30: 56.72, above30: 193.44, unknown: 0 },
      neverUsed: 1,
    });
  });

  it('groups by Team and Project, the key matched ignoring case, (untagged) without one', () => {
    expect(fleet.groups.Team).toEqual({
      vision: {
        instances: 2,
        spendUsd: 226.88,
        spendByBand: { below5: 0, from5to30: 56.72, above30: 170.16, unknown: 0 },
        neverUsed: 0,
      },
      research: {
        instances: 2,
        spendUsd: 72.43,
        spendByBand: { below5: 52.31, from5to30: 0, above30: 20.12, unknown: 0 },
        neverUsed: 1,
      },
      '(untagged)': {
        instances: 1,
        spendUsd: 6.31,
        spendByBand: { below5: 3.16, from5to30: 0, above30: 3.16, unknown: 0 },
        neverUsed: 0,
      },
    });
    expect(Object.keys(fleet.groups.Project ?? {})).toEqual(['(untagged)', 'llm', 'cv']);
    expect(fleet.groups.Project?.cv).toMatchObject({ instances: 1, spendUsd: 6.31 });
  });

  it('lists the runs costliest first, with their busy share', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(fleet.runs.map((run) => [run.instanceId, run.start, run.end, run.spendUsd, run.busyShare])).toEqual([
      [ids.wide, iso(day(4, 1)), iso(day(4, 31)), 170.16, 1],
      [ids.rollup, iso(day(5, 3)), iso(day(5, 13)), 56.72, 1],
      [ids.never, iso(day(2)), iso(day(4)), 48.29, 0],
      [ids.busy, iso(day(1, 2)), iso(day(1, 22)), 20.12, 1],
      [ids.loose, iso(day(0, 8)), iso(day(0, 20)), 6.31, 0.5],
      [ids.busy, iso(day(3, 6)), iso(day(3, 10)), 4.02, 0],
    ]);
    expect(fleet.runs[0]).toMatchObject({
      instanceType: 'g5.12xlarge',
      owner: 'wide@example.com',
      tags: { Team: 'vision' },
    });
  });

  it('suggests g5.xlarge for the g5.12xlarge that used one GPU, and leaves the rollup-only one unjudged', () => {
    // (5.672 − 1.006) × 30 h, over a 7-day week
    expect(fleet.rightSizing).toEqual([
      {
        instanceId: ids.wide,
        instanceType: 'g5.12xlarge',
        gpus: 4,
        gpusEverBusy: 1,
        suggestedType: 'g5.xlarge',
        weeklySavingUsd: 139.98,
      },
    ]);
    expect(fleet.rightSizingUnjudged).toEqual([
      {
        instanceId: ids.rollup,
        instanceType: 'g5.12xlarge',
        gpus: 4,
        reason: expect.stringMatching(/rollup over its GPUs/),
      },
    ]);
  });

  it('prints the fleet section in the table, within 100 columns', async () => {
    const table = `fleet-report-text-${Date.now()}`;
    await createAuditTable(new DynamoDBClient(clientOptions(moto.region)), table);
    const run = await runCli(['report', '--since', '7d', '--now', TO.toISOString(), '--table', table]);
    expect(run.code, run.stderr).toBe(0);
    // Long sentences wrap at the table width: read them as one line.
    const text = run.stdout.replace(/\n {2}/g, ' ');
    expect(text).toContain(
      `Fleet (${moto.region}): $305.62 on GPUs over 7 days: 18% below 5% utilization; 1 of 5 instances never used.`,
    );
    expect(text).toContain('Right-sizing could save $139.98/week (1 instance; a suggestion only, never an action):');
    expect(text).toContain('1 multi-GPU instance not judged for right-sizing');
    expect(text).toMatch(/│ g5\.12xlarge +│ 1 of 4 +│ g5\.xlarge +│ \$139\.98\/week/);
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  }, 120_000);
});
