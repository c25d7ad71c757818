/**
 * `gpu-reaper backtest` replays host activity from EC2's own metrics in moto (`AWS/EC2`, seeded as EC2 publishes
 * them): a job that downloads for 75 minutes before it trains is one stop GPU-only judgement would have made, and
 * a false kill; the job that died at setup is stopped either way.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtestCommand } from '../../../cli/backtest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { putHostSeries } from '../../helpers/host-series';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();
const MIN = 60_000;
const TO = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);

interface Document {
  fleet: { actions: number; heldByHost: number | null; falseKillsAvoided: number | null };
  instances: { instanceId: string; actions: { rule: string; falseKill: boolean }[] }[];
}

describe('backtest with host activity', () => {
  const ids: Record<string, string> = {};
  let document: Document;

  beforeAll(async () => {
    const ec2 = new EC2Client(clientOptions(moto.region));
    const cw = new CloudWatchClient(clientOptions(moto.region));
    for (const name of ['download', 'died']) {
      const [id] = await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { Owner: `${name}@example.com` } });
      ids[name] = id!;
    }
    const start = TO.getTime() - 6 * 60 * MIN;
    await putGpuSeries(cw, ids.download!, [...minutes(start, 75, 0), ...minutes(start + 75 * MIN, 225, 90)]);
    await putHostSeries(cw, ids.download!, [
      { start, count: 15, cpu: 60, mibPerMinute: 300 },
      { start: start + 75 * MIN, count: 45, cpu: 30, mibPerMinute: 2 },
    ]);
    await putGpuSeries(cw, ids.died!, minutes(start, 300, 0));
    await putHostSeries(cw, ids.died!, [{ start, count: 60, cpu: 1, mibPerMinute: 0.01 }]);
    let out = '';
    const code = await backtestCommand(
      { days: '1', now: TO.toISOString(), json: true, region: [moto.region] },
      { write: (text) => (out += text), history: { datapointsPerCall: 2 * 60, concurrency: 2 } },
    );
    expect(code).toBe(0);
    document = JSON.parse(out) as Document;
  }, 180_000);

  const actionsOf = (name: string) => document.instances.find((row) => row.instanceId === ids[name])!.actions;

  it('keeps the job still downloading, as a live pass would', () => {
    expect(actionsOf('download')).toEqual([]);
  });

  it('stops the job that died at setup (quiet host)', () => {
    expect(actionsOf('died').map((action) => action.rule)).toEqual(['never-used']);
  });

  it('counts the stop GPU-only judgement would have made, and its false kill', () => {
    expect(document.fleet).toMatchObject({ actions: 1, heldByHost: 1, falseKillsAvoided: 1 });
  });
});
