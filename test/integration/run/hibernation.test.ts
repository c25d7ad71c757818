/**
 * Hibernation against moto with the real SDK: an instance launched with `HibernationOptions.Configured` is stopped
 * with `Hibernate: true` while `actions.hibernate` is on, and its owner is told it will be and was hibernated. moto
 * accepts and reports the option, but stops plainly whatever the flag, so the StopInstances input is read on the
 * wire (a fault-injector rule that only looks).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import type { ConfigInput } from '../../../shared/config';
import { renderNotification } from '../../../shared/render/notifications/notification';
import { FaultInjector } from '../../helpers/faults';
import { defaultImageId, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { faultFixture, MIN } from '../faults/fault-fixture';

const moto = useMoto({ threaded: false });

/** Warns at +70m and acts at +101m on one idle instance; returns what StopInstances was sent and the inbox. */
async function warnThenStop(overrides: ConfigInput, hibernationConfigured: boolean) {
  const fx = await faultFixture(moto.region, overrides);
  const answer = await fx.ec2.send(
    new RunInstancesCommand({
      ImageId: await defaultImageId(fx.ec2),
      InstanceType: 'g5.xlarge',
      MinCount: 1,
      MaxCount: 1,
      ...(hibernationConfigured ? { HibernationOptions: { Configured: true } } : {}),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Owner', Value: 'ana@example.com' }] }],
    }),
  );
  const id = answer.Instances![0]!.InstanceId!;
  const cloudwatch = new CloudWatchClient(clientOptions(moto.region));
  await putGpuSeries(cloudwatch, id, [...minutes(fx.launch, 5, 50), ...minutes(fx.launch + 5 * MIN, 195, 1)]);

  const stops: Record<string, unknown>[] = [];
  const looking = new FaultInjector([
    {
      operation: 'StopInstances',
      fault: '5xx',
      when: (input) => {
        stops.push(input);
        return false;
      },
    },
  ]);
  const warned = await fx.pass(70);
  const acted = await fx.pass(101, { faults: looking });
  const inbox = (await fx.inbox()).filter((m) => m.attributes.instanceId === id);
  return { fx, id, warned, acted, stops, inbox };
}

describe('hibernation', () => {
  beforeEach(() => moto.reset());

  it('hibernates an instance set up for it, and tells the owner it will be and was hibernated', async () => {
    const { fx, id, warned, acted, stops, inbox } = await warnThenStop({}, true);
    expect(warned.decisions[0]).toMatchObject({ outcome: 'warn', action: 'stop', evidence: { hibernate: true } });
    expect(warned.decisions[0]!.reason).toContain('set up for hibernation');
    expect(acted.decisions[0]).toMatchObject({ outcome: 'act', executed: true, evidence: { hibernate: true } });
    expect(stops).toEqual([{ InstanceIds: [id], Hibernate: true }]);
    expect(['stopping', 'stopped']).toContain(await fx.stateOf(id));

    expect(inbox.map((m) => m.attributes.event)).toEqual(['WARNED', 'STOPPED']);
    expect(inbox[0]!.subject).toMatch(/idle - hibernate at /);
    expect(inbox[1]!.subject).toMatch(/idle - hibernated$/);
    expect(renderNotification(inbox[0]!.event).text).toContain('will be hibernated at');
    expect(renderNotification(inbox[1]!.event).text).toContain('was hibernated at');
    const audited = await fx.audit.byInstance(id);
    expect(audited.map((item) => [item.event, item.evidence.hibernate])).toEqual([
      ['WARNED', true],
      ['STOPPED', true],
    ]);
  });

  it('stops plainly when actions.hibernate is off', async () => {
    const { id, stops, inbox } = await warnThenStop({ actions: { hibernate: false } }, true);
    expect(stops).toEqual([{ InstanceIds: [id] }]);
    expect(inbox.map((m) => m.subject)).toEqual([
      expect.stringMatching(/idle - stop at /),
      expect.stringMatching(/idle - stopped$/),
    ]);
    expect(inbox.every((m) => !('hibernate' in m.event.evidence))).toBe(true);
  });

  it('stops plainly an instance not set up for hibernation', async () => {
    const { id, stops, acted } = await warnThenStop({}, false);
    expect(stops).toEqual([{ InstanceIds: [id] }]);
    expect(acted.decisions[0]!.evidence).not.toHaveProperty('hibernate');
  });
});
