/**
 * Host activity across passes, wired as the CLI and the Lambda wire a run against moto: a warning issued on a quiet
 * host is cleared at the action pass when the host started working during the grace, and GPUs unused on a busy
 * host are told of once per launch, never acted on.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { putHostSeries } from '../../helpers/host-series';
import { useMoto } from '../../helpers/moto';
import { runFixture } from '../run/run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

describe('host activity across passes', () => {
  let launch: number;
  let period: number;
  beforeEach(async () => {
    await moto.reset();
    launch = Math.floor(Date.now() / MIN) * MIN;
    period = Math.ceil(launch / (5 * MIN)) * 5 * MIN;
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000);

  it('clears an idle warning when the host became busy during the grace, and says the host is working', async () => {
    const fx = await runFixture(moto.region, { mode: 'enforce' });
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'ana@example.com' } });
    await putGpuSeries(fx.cloudwatch, id!, [...minutes(launch, 5, 50), ...minutes(launch + 5 * MIN, 195, 1)]);
    // Quiet until 1h10m, then re-caching features on every core.
    await putHostSeries(fx.cloudwatch, id!, [
      { start: period, count: 14, cpu: 2, mibPerMinute: 0.01 },
      { start: period + 70 * MIN, count: 12, cpu: 97, mibPerMinute: 0.5 },
    ]);

    const first = await fx.pass(at(70));
    expect(first.decisions[0]).toMatchObject({ outcome: 'warn', rule: 'idle' });
    expect(first.decisions[0]!.reason).toContain('host quiet');

    const due = await fx.pass(at(115));
    expect(due.decisions[0]).toMatchObject({ outcome: 'keep', rule: null, executed: false });
    expect(due.decisions[0]!.reason).toMatch(
      /^warning for idle \(stop\) cleared: GPU idle for the last 1h .*host is busy: CPU max 97%/,
    );
    expect(await fx.stateOf(id!)).toBe('running');
    expect((await fx.audit.byInstance(id!)).map((item) => item.event)).toEqual(['WARNED', 'CLEARED']);
    const inbox = await fx.inbox();
    expect(inbox.map((message) => message.attributes.event)).toEqual(['WARNED', 'CLEARED']);
  });

  it('tells the owner of GPUs unused for 2h on a busy host once per launch, and never stops for it', async () => {
    const fx = await runFixture(moto.region, { mode: 'enforce' });
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'cpu@example.com' } });
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 240, 0));
    await putHostSeries(fx.cloudwatch, id!, [{ start: period, count: 48, cpu: 85, mibPerMinute: 1 }]);

    const early = await fx.pass(at(90));
    expect(early.decisions[0]).toMatchObject({ outcome: 'keep', rule: null });
    const told = await fx.pass(at(125));
    expect(told.decisions[0]).toMatchObject({ outcome: 'notify', rule: 'gpu-idle-host-busy', action: 'notify' });
    const again = await fx.pass(at(180));
    expect(again.decisions[0]).toMatchObject({ outcome: 'notify', rule: 'gpu-idle-host-busy' });
    expect(again.events).toHaveLength(0);
    expect(await fx.stateOf(id!)).toBe('running');
    expect((await fx.audit.byInstance(id!)).map((item) => item.event)).toEqual(['NOTIFIED']);
    const inbox = await fx.inbox();
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.attributes).toMatchObject({ event: 'NOTIFIED', rule: 'gpu-idle-host-busy' });
  });

  it('still stops at max-runtime on a busy host', async () => {
    const fx = await runFixture(moto.region, { mode: 'enforce', warning: { grace: '0m' } });
    const [id] = await launchInstances(fx.ec2, {
      instanceType: 'g5.xlarge',
      tags: { Owner: 'late@example.com', 'gpu-reaper:max-runtime': '1h' },
    });
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 90, 0));
    await putHostSeries(fx.cloudwatch, id!, [{ start: period, count: 18, cpu: 85, mibPerMinute: 1 }]);
    const pass = await fx.pass(at(65));
    expect(pass.decisions[0]).toMatchObject({ outcome: 'act', rule: 'max-runtime', executed: true });
  });
});
