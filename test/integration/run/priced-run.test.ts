/**
 * A `run` pass against moto puts a price on everything it records: each decision, audit item and notification
 * carries `hourlyUsd` (config override, else the bundled table), how long the GPU has been idle and what that
 * idle time burned.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

describe('a priced run pass', () => {
  it('records hourlyUsd, idleMinutes and idleUsd on decisions, audit items and notifications', async () => {
    const fx = await runFixture(moto.region, { mode: 'dry-run', prices: { overrides: { 'g5.12xlarge': 6 } } });
    const owner = { Owner: 'ana@example.com' };
    const [idle] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: owner });
    const [unused] = await launchInstances(fx.ec2, { instanceType: 'g5.12xlarge', tags: owner });
    const [busy] = await launchInstances(fx.ec2, { instanceType: 'g5.2xlarge', tags: owner });
    // The clock from the never-used instance's own launch time, so its running time is 70 minutes exactly (and the
    // series start in its launch minute even when the launches cross a minute boundary).
    const described = await fx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [unused!] }));
    const launchTime = described.Reservations?.[0]?.Instances?.[0]?.LaunchTime ?? new Date();
    const launch = Math.floor(launchTime.getTime() / MIN) * MIN;
    // Busy for its first 5 minutes, idle since; never used at all; busy throughout.
    await putGpuSeries(fx.cloudwatch, idle!, [...minutes(launch, 5, 50), ...minutes(launch + 5 * MIN, 70, 1)]);
    // Its four GPUs each publish, with the agent's rollup beside them (the per-GPU series prove every GPU reported).
    await putGpuSeries(fx.cloudwatch, unused!, minutes(launch, 75, [1, 1, 1, 1]), { perGpu: 4, rollup: true });
    await putGpuSeries(fx.cloudwatch, busy!, minutes(launch, 75, 80));

    const result = await fx.pass(new Date(launchTime.getTime() + 70 * MIN + 10_000));
    const decisionOf = (id: string) => result.decisions.find((decision) => decision.instanceId === id);
    // Idle since its 5th minute: the 2h read (host activity's notifyAfter) sees the whole run, 65 minutes × $1.006/h.
    expect(decisionOf(idle!)).toMatchObject({ rule: 'idle', outcome: 'warn', hourlyUsd: 1.006 });
    expect(decisionOf(idle!)?.evidence).toMatchObject({ idleMinutes: 65, idleUsd: 1.09 });
    // Never used: idle for its whole run of 70 minutes, × $6/h (the config's override).
    expect(decisionOf(unused!)).toMatchObject({ rule: 'never-used', outcome: 'warn', hourlyUsd: 6 });
    expect(decisionOf(unused!)?.evidence).toMatchObject({ idleMinutes: 70, idleUsd: 7 });
    expect(decisionOf(busy!)).toMatchObject({ outcome: 'keep', hourlyUsd: 1.212 });
    expect(decisionOf(busy!)?.evidence).toMatchObject({ idleMinutes: 0, idleUsd: 0 });

    const [idleItem] = await fx.audit.byInstance(idle!);
    expect(idleItem).toMatchObject({ event: 'WARNED', hourlyUsd: 1.006, evidence: { idleMinutes: 65, idleUsd: 1.09 } });
    const [unusedItem] = await fx.audit.byInstance(unused!);
    expect(unusedItem).toMatchObject({ event: 'WARNED', hourlyUsd: 6, evidence: { idleMinutes: 70, idleUsd: 7 } });

    const inbox = await fx.inbox();
    const notified = inbox.map(({ event }) => [event.instanceId, event.hourlyUsd, event.evidence.idleUsd]);
    expect(notified.sort()).toEqual(
      [
        [idle!, 1.006, 1.09],
        [unused!, 6, 7],
      ].sort(),
    );
  });
});
