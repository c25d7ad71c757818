/**
 * `gpu-reaper backtest` against moto seeded with two weeks of GPU history (see seeded-fleet.ts): the reported
 * numbers must be the seeded truth. The command runs in-process with a small datapoint budget per GetMetricData
 * call: moto answers GetMetricData in time quadratic in the range asked for, so 14 days in one call would take it
 * many minutes, while an hour at a time takes it milliseconds (real CloudWatch is fine with 100,800 datapoints).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtestCommand } from '../../../cli/backtest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { runCli } from '../../helpers/cli';
import { useMoto } from '../../helpers/moto';
import { DAY, FLEET, seedFleet } from './seeded-fleet';

const moto = useMoto();
const MINUTE_MS = 60_000;
/** The end of the history: the last whole hour (1-minute data within CloudWatch's 15 days of the wall clock). */
const TO = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const FROM_MS = TO.getTime() - 14 * DAY * MINUTE_MS;
/** An hour of one call's worth of series: the fleet has 6 series. */
const HISTORY = { datapointsPerCall: 6 * 60, concurrency: 2 };

interface Document {
  fleet: Record<string, unknown> & { spendByBand: Record<string, number> };
  instances: {
    instanceId: string;
    instanceType: string;
    owner: string | null;
    hourlyUsd: number | null;
    spendUsd: number;
    spendByBand: Record<string, number>;
    neverUsed: boolean;
    actions: { at: string; rule: string; action: string; savedUsd: number; falseKill: boolean }[];
  }[];
  sweep?: unknown[];
}

const usd = (minutes: number, hourly: number) => (minutes * hourly) / 60;
let ids: Map<string, string>;

async function backtest(extra: Record<string, unknown> = {}, history = HISTORY): Promise<Document> {
  let out = '';
  const code = await backtestCommand(
    { days: '14', now: TO.toISOString(), json: true, region: [moto.region], ...extra },
    { write: (text) => (out += text), history },
  );
  expect(code).toBe(0);
  return JSON.parse(out) as Document;
}

beforeAll(async () => {
  const options = clientOptions(moto.region);
  ids = await seedFleet(new EC2Client(options), new CloudWatchClient(options), FROM_MS);
}, 300_000);

describe('gpu-reaper backtest against two weeks of seeded history', () => {
  it('reports spend by band, never used, actions, savings and false kills as seeded', async () => {
    const document = await backtest({ sweep: true });
    expect(document.instances).toHaveLength(FLEET.length);
    let spend = 0;
    for (const seeded of FLEET) {
      const found = document.instances.find((entry) => entry.instanceId === ids.get(seeded.key));
      const { minutes, neverUsed, actions } = seeded.truth;
      const running = minutes.below5 + minutes.from5to30 + minutes.above30 + minutes.unknown;
      spend += usd(running, seeded.hourlyUsd);
      expect(found, seeded.key).toMatchObject({
        instanceType: seeded.instanceType,
        owner: seeded.owner,
        hourlyUsd: seeded.hourlyUsd,
        neverUsed,
      });
      expect(found?.spendUsd).toBeCloseTo(usd(running, seeded.hourlyUsd), 2);
      for (const band of ['below5', 'from5to30', 'above30', 'unknown'] as const) {
        expect(found?.spendByBand[band], `${seeded.key} ${band}`).toBeCloseTo(usd(minutes[band], seeded.hourlyUsd), 2);
      }
      expect(found?.actions.map((action) => [action.at, action.rule, action.action, action.falseKill])).toEqual(
        actions.map(([minute, rule, , falseKill]) => [
          new Date(FROM_MS + minute * MINUTE_MS).toISOString(),
          rule,
          'stop',
          falseKill,
        ]),
      );
      found?.actions.forEach((action, index) => {
        expect(action.savedUsd).toBeCloseTo(usd(actions[index]![2], seeded.hourlyUsd), 2);
      });
    }
    expect(document.fleet).toMatchObject({ instances: 5, neverUsed: 1, actions: 16, falseKills: 14 });
    expect(document.fleet.spendUsd as number).toBeCloseTo(spend, 1);
    expect(document.sweep?.length).toBeGreaterThanOrEqual(12);
  });

  it('reads older history at 5-minute resolution and, with stretches on 5-minute edges, finds the same spend', async () => {
    // A wall clock 5 days later: the first 4 days are past CloudWatch's 15 days of 1-minute data.
    const later = { ...HISTORY, clock: () => Date.now() + 5 * DAY * MINUTE_MS };
    const fine = await backtest();
    const coarse = await backtest({}, later);
    expect(coarse.fleet.spendByBand).toEqual(fine.fleet.spendByBand);
    expect(coarse.fleet.actions).toBe(fine.fleet.actions);
  });

  it('exits 2 with one clear line when --days is missing or not a positive whole number', async () => {
    const cases = [['backtest'], ['backtest', '--days', '0'], ['backtest', '--days', '2.5']];
    const runs = await Promise.all(cases.map((args) => runCli(args, process.env)));
    runs.forEach((run, index) => {
      expect(run.code, cases[index]!.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/--days/);
      expect(run.stdout).toBe('');
    });
  });
});
