/**
 * A warning overtaken by someone else's stop or terminate, against moto with the real SDK: the stopped instance
 * is no longer in the scan of running instances, yet its warning is cleared once (CLEARED, owner told), its
 * `warned` tag removed, and nothing is acted on. The reaper's own actions are never cleared this way.
 */
import { DescribeInstancesCommand, StopInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { composeTable } from '../../../shared/pass/compose';
import { inputMentions } from '../../helpers/faults';
import { useMoto } from '../../helpers/moto';
import { faultFixture, inboxEvents } from '../faults/fault-fixture';

const moto = useMoto({ threaded: false });

type Fixture = Awaited<ReturnType<typeof faultFixture>>;

/** The state item of an instance, as a pass loads it. */
async function storedWarning(fx: Fixture, id: string) {
  const edges = { config: fx.config, regions: [moto.region], homeRegion: moto.region, table: fx.table, topicArn: null };
  return (await composeTable(edges, fx.table).store.load([id])).get(id);
}

async function tagsOf(fx: Fixture, id: string): Promise<Record<string, string>> {
  const answer = await fx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const tags = answer.Reservations?.[0]?.Instances?.[0]?.Tags ?? [];
  return Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
}

describe('a warned instance stopped outside the reaper', () => {
  beforeEach(() => moto.reset());

  it('clears the warning once, tells the owner and removes the warned tag, and never records a stop', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances(1);
    const warned = await fx.pass(70);
    expect(warned.decisions[0]).toMatchObject({ outcome: 'warn', rule: 'idle' });
    expect(await tagsOf(fx, id!)).toHaveProperty('gpu-reaper:warned');

    // Ten minutes into the grace, its owner stops it.
    await fx.ec2.send(new StopInstancesCommand({ InstanceIds: [id!] }));
    const cleared = await fx.pass(80);
    expect(cleared.problems).toEqual([]);
    expect(cleared.events.map((e) => [e.instanceId, e.event])).toEqual([[id, 'CLEARED']]);
    expect(cleared.events[0]).toMatchObject({
      rule: 'idle',
      action: 'stop',
      owner: 'owner0@example.com',
      reason: 'stopped outside the reaper: the instance is stopped',
    });

    const items = await fx.audit.byInstance(id!);
    expect(items.map((item) => item.event)).toEqual(['WARNED', 'CLEARED']);
    expect(items[1]).toMatchObject({ reason: expect.stringContaining('stopped outside the reaper'), rule: 'idle' });
    expect(inboxEvents(await fx.inbox(), id!)).toEqual(['WARNED', 'CLEARED']);
    expect(await storedWarning(fx, id!)).toBeUndefined();
    expect(await tagsOf(fx, id!)).not.toHaveProperty('gpu-reaper:warned');

    // Past the planned action: nothing more, neither a second CLEARED nor a stop.
    const later = await fx.pass(101);
    expect(later.events).toEqual([]);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'CLEARED']);
    expect(inboxEvents(await fx.inbox(), id!)).toEqual(['WARNED', 'CLEARED']);
  });

  it('clears the warning of a terminated instance and says it was terminated', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances(1);
    await fx.pass(70);
    await fx.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id!] }));
    const cleared = await fx.pass(80);
    expect(cleared.problems).toEqual([]);
    expect(cleared.events.map((e) => [e.event, e.reason])).toEqual([
      ['CLEARED', 'stopped outside the reaper: the instance is terminated'],
    ]);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'CLEARED']);
    expect(await storedWarning(fx, id!)).toBeUndefined();
  });

  it('clears it once when two passes overlap', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances(1);
    await fx.pass(70);
    await fx.ec2.send(new StopInstancesCommand({ InstanceIds: [id!] }));
    const passes = await Promise.all([fx.pass(80), fx.pass(80)]);
    expect(passes.flatMap((p) => p.events).map((e) => e.event)).toEqual(['CLEARED']);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'CLEARED']);
    expect(inboxEvents(await fx.inbox(), id!)).toEqual(['WARNED', 'CLEARED']);
  });

  it('never clears what the reaper itself acted on (a would-stop recorded in dry-run)', async () => {
    const fx = await faultFixture(moto.region, { mode: 'dry-run' });
    const [id] = await fx.idleInstances(1);
    await fx.pass(70);
    await fx.pass(101);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'WOULD_STOP']);
    // The warned tag stays in dry-run; the owner stops it after the would-stop.
    await fx.ec2.send(new StopInstancesCommand({ InstanceIds: [id!] }));
    const later = await fx.pass(110);
    expect(later.events).toEqual([]);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'WOULD_STOP']);
  });

  it('reports a failed listing as a problem and goes on with the pass', async () => {
    const fx = await faultFixture(moto.region);
    const [id, other] = await fx.idleInstances(2);
    await fx.pass(70);
    await fx.ec2.send(new StopInstancesCommand({ InstanceIds: [id!] }));
    const faults = [{ operation: 'DescribeInstances', fault: '5xx' as const, when: inputMentions('tag-key') }];
    const failed = await fx.pass(101, { faults });
    expect(failed.problems).toEqual([expect.stringContaining('listing stopped instances still tagged')]);
    expect(failed.errors).toBeGreaterThanOrEqual(1);
    // The running instance is still acted on; the stopped one waits for the next pass.
    expect(failed.decisions.find((d) => d.instanceId === other)).toMatchObject({ outcome: 'act', executed: true });
    expect(await fx.eventsOf(id!)).toEqual(['WARNED']);

    const next = await fx.pass(105);
    expect(next.problems).toEqual([]);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'CLEARED']);
  });
});
