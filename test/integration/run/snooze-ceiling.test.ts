/**
 * A snooze is capped at `snooze.ceiling` from when the reaper first saw its value, kept in the state table: a
 * far-future `snooze-until` does not renew itself pass after pass. Each new value is audited once as `SNOOZED`.
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

describe('a snooze without end', () => {
  let launch: number;
  beforeEach(async () => {
    await moto.reset();
    launch = Math.floor(Date.now() / MIN) * MIN;
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000);

  it('holds for snooze.ceiling from its first sighting, then the rules apply again; a new value snoozes anew', async () => {
    const fx = await runFixture(moto.region, { snooze: { ceiling: '2h' } });
    const [id] = await launchInstances(fx.ec2, {
      instanceType: 'g5.xlarge',
      tags: { Owner: 'ana@example.com', 'gpu-reaper:snooze-until': '2099-01-01T00:00:00Z' },
    });
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 400, 1));

    const first = await fx.pass(at(70));
    expect(first.decisions[0]).toMatchObject({ outcome: 'skip', rule: 'snoozed' });
    expect(first.events.map((e) => e.event)).toEqual(['SNOOZED']);
    expect(first.events[0]?.evidence.snoozeUntil).toBe(new Date(at(70).getTime() + 120 * MIN).toISOString());

    const again = await fx.pass(at(150));
    expect(again.decisions[0]).toMatchObject({ outcome: 'skip', rule: 'snoozed' });
    expect(again.events).toHaveLength(0);

    const over = await fx.pass(at(191));
    expect(over.decisions[0]).toMatchObject({ outcome: 'warn', rule: 'never-used' });

    await fx.ec2.send(
      new CreateTagsCommand({
        Resources: [id!],
        Tags: [{ Key: 'gpu-reaper:snooze-until', Value: '2098-01-01T00:00:00Z' }],
      }),
    );
    const renewed = await fx.pass(at(200));
    expect(renewed.decisions[0]).toMatchObject({ outcome: 'skip', rule: 'snoozed' });
    expect(renewed.events.map((e) => e.event).sort()).toEqual(['CLEARED', 'SNOOZED']);
    const events = (await fx.audit.byInstance(id!)).map((item) => item.event);
    expect(events.filter((e) => e === 'SNOOZED')).toHaveLength(2);
    const inbox = (await fx.inbox()).filter((m) => m.attributes.event === 'SNOOZED');
    expect(inbox).toHaveLength(2);
    expect(inbox[0]!.subject).toMatch(/SNOOZED .*snoozed until/);
  });

  it('tells the owner once that the telemetry is too sparse to judge, not every pass', async () => {
    const fx = await runFixture(moto.region);
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'bo@example.com' } });
    // One datapoint every 2 minutes at 0%: never enough to call it idle.
    await putGpuSeries(
      fx.cloudwatch,
      id!,
      minutes(launch, 300, 0).filter((_, i) => i % 2 === 0),
    );
    const first = await fx.pass(at(70));
    expect(first.decisions[0]).toMatchObject({ outcome: 'notify', rule: 'no-telemetry' });
    expect(first.decisions[0]?.reason).toContain('too sparse to judge');
    expect(first.events.map((e) => e.event)).toEqual(['NOTIFIED']);
    for (const m of [120, 180, 290]) expect((await fx.pass(at(m))).events).toHaveLength(0);
    expect((await fx.audit.byInstance(id!)).map((item) => item.event)).toEqual(['NOTIFIED']);
  });
});
