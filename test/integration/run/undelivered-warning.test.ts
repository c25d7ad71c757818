/**
 * The grace runs from delivery: a warning SNS did not accept postpones the action, and the owner learns the new time
 * when the warning finally goes out. Against moto with the real SDK; the first passes publish to a topic that does
 * not exist.
 */
import { CreateTagsCommand, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

describe('a warning that has not reached the owner', () => {
  let launch: number;
  beforeEach(async () => {
    await moto.reset();
    launch = Math.floor(Date.now() / MIN) * MIN;
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000);

  async function idleInstance(fx: Awaited<ReturnType<typeof runFixture>>, instanceType = 'g5.xlarge') {
    const [id] = await launchInstances(fx.ec2, { instanceType, tags: { Owner: 'ana@example.com' } });
    await putGpuSeries(fx.cloudwatch, id!, [...minutes(launch, 5, 50), ...minutes(launch + 5 * MIN, 395, 1)]);
    return id!;
  }

  it('never stops while the warning is undelivered, and stops a full grace after it goes out', async () => {
    const fx = await runFixture(moto.region);
    const id = await idleInstance(fx);
    const missingTopic = fx.topicArn.replace(/:[^:]+$/, ':no-such-topic');

    const warned = await fx.pass(at(70), { topicArn: missingTopic });
    expect(warned.decisions[0]).toMatchObject({ outcome: 'warn', rule: 'idle' });
    expect(warned.errors).toBeGreaterThan(0);

    const stillUndelivered = await fx.pass(at(101), { topicArn: missingTopic });
    expect(stillUndelivered.decisions[0]).toMatchObject({ outcome: 'warn', executed: false });
    expect(stillUndelivered.decisions[0]?.reason).toContain('the warning has not reached the owner yet');
    expect(await fx.stateOf(id)).toBe('running');

    const delivered = await fx.pass(at(110));
    expect(delivered.decisions[0]).toMatchObject({
      outcome: 'warn',
      actAt: new Date(at(110).getTime() + 30 * MIN).toISOString(),
    });
    // The failed publishes were ERRORs of their own, told to admins and owner once the topic answers.
    const inbox = (await fx.inbox()).filter((m) => m.attributes.event === 'WARNED');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.event.actAt).toBe(new Date(at(110).getTime() + 30 * MIN).toISOString());
    expect(inbox[0]!.event.reason).toContain('could not be delivered when it was issued');

    const early = await fx.pass(at(125));
    expect(early.decisions[0]).toMatchObject({ outcome: 'warn' });
    expect(await fx.stateOf(id)).toBe('running');

    const due = await fx.pass(at(141));
    expect(due.decisions[0]).toMatchObject({ outcome: 'act', action: 'stop', executed: true });
    const events = (await fx.audit.byInstance(id)).map((item) => item.event).filter((e) => e !== 'ERROR');
    expect(events).toEqual(['WARNED', 'STOPPED']);
  });

  it('never lets a protected instance hold the cap against an idle one, pass after pass', async () => {
    const fx = await runFixture(moto.region, { maxActionsPerPass: 1 });
    const protectedId = await idleInstance(fx);
    await fx.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: protectedId, DisableApiStop: { Value: true } }));
    await fx.pass(at(70));
    const later = await idleInstance(fx, 'g4dn.xlarge');
    await fx.ec2.send(new CreateTagsCommand({ Resources: [later], Tags: [{ Key: 'Team', Value: 'b' }] }));
    await fx.pass(at(101));
    await fx.pass(at(117));
    const due = await fx.pass(at(150));
    const byId = new Map(due.decisions.map((d) => [d.instanceId, d]));
    expect(byId.get(protectedId)).toMatchObject({ outcome: 'skip', rule: 'protected' });
    expect(byId.get(later)).toMatchObject({ outcome: 'act', executed: true });
    expect(due.capped).toBe(0);
    expect(await fx.stateOf(protectedId)).toBe('running');
  });
});
