/**
 * Cost-gating end to end against moto, through the real SDK: an expensive run (a p4d.24xlarge, projected past the
 * $200 threshold) is warned; the owner's copy (no approval, no keep) and the approvers' copy (the approve links,
 * `audience=approvers`, no `owner`) go out on the topic, each reaching only its own subscribers' filters; the approve
 * link's page changes nothing, its POST on the loopback endpoint (what `gpu-reaper serve-links` serves) writes
 * `approved-until`, audits APPROVED and CLEARED by the approver, and the next pass keeps the instance with that
 * approval as its max-runtime deadline, recording no second APPROVED.
 */

import { DescribeTagsCommand } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { KmsMacKey } from '../../../shared/adapters/kms/kms-mac-key';
import { drainQueue } from '../../../shared/local/demo-inbox';
import { decodePayload, newTokenId, signToken } from '../../../shared/owner-actions/token';
import { launchInstances } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { open, ownerFixture, press } from './owner-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;
const GATED = {
  gating: { threshold: 200, approvers: ['ml-leads@example.com'] },
  prices: { overrides: { 'p4d.24xlarge': 21.96 } },
};

type Fixture = Awaited<ReturnType<typeof ownerFixture>>;

/** An SQS queue subscribed to the topic with `filterPolicy`: what a filtered email subscription would receive. */
async function filteredInbox(topicArn: string, name: string, filterPolicy: object) {
  const options = clientOptions(moto.region);
  const sqs = new SQSClient(options);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await new SNSClient(options).send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { FilterPolicy: JSON.stringify(filterPolicy) },
    }),
  );
  return () => drainQueue(sqs, QueueUrl!);
}

describe('approving an expensive run from the approvers’ message', () => {
  let launch: number;
  let fx: Fixture | undefined;
  beforeEach(async () => {
    await moto.reset();
    launch = Math.floor(Date.now() / MIN) * MIN;
  });
  afterEach(async () => {
    await fx?.server.stop();
    fx = undefined;
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000);
  const tagsOf = async (f: Fixture, id: string) => {
    const answer = await f.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }));
    return Object.fromEntries((answer.Tags ?? []).map((t) => [t.Key, t.Value]));
  };
  const eventsOf = async (f: Fixture, id: string) => (await f.audit.byInstance(id)).map((i) => `${i.event}:${i.by}`);

  it('warns owner and approvers apart, approves on the POST, and the next pass keeps it to the approval', async () => {
    fx = await ownerFixture(moto.region, GATED);
    const stamp = Date.now();
    const approversInbox = await filteredInbox(fx.topicArn, `approvers-${stamp}`, { audience: ['approvers'] });
    const ownerInbox = await filteredInbox(fx.topicArn, `owner-${stamp}`, { owner: ['dana@example.com'] });
    const othersInbox = await filteredInbox(fx.topicArn, `others-${stamp}`, { audience: [{ exists: false }] });
    const [id] = await launchInstances(fx.ec2, {
      instanceType: 'p4d.24xlarge',
      tags: { Owner: 'dana@example.com', Name: 'llm-pretrain' },
    });

    const warned = await fx.pass(at(1));
    expect(warned.decisions[0]).toMatchObject({ outcome: 'warn', rule: 'unapproved', action: 'stop' });
    expect(warned.events.map((e) => e.event)).toEqual(['WARNED']);

    // Both copies on the topic: the owner's (stop now, no keep, no approval), then the approvers'.
    const copies = (await fx.inbox()).filter((m) => m.event.event === 'WARNED');
    expect(copies.map((m) => m.attributes.audience)).toEqual([undefined, 'approvers']);
    const [owners, approvers] = copies;
    expect(owners!.event.links?.map((l) => l.action)).toEqual(['stop']);
    expect(owners!.attributes.owner).toBe('dana@example.com');
    expect(approvers!.event.links?.map((l) => l.action)).toEqual(['approve:24h', 'approve:72h']);
    expect(approvers!.event.links?.map((l) => l.label)).toEqual(['Approve for 24h', 'Approve for 72h']);
    expect(approvers!.attributes.owner).toBeUndefined();
    // Each subscription's filter gives it only its own copy: the owner never receives the approve links.
    expect((await approversInbox()).map((m) => m.event.audience)).toEqual(['approvers']);
    const ownerGot = await ownerInbox();
    expect(ownerGot).toHaveLength(1);
    expect(ownerGot[0]!.event.links?.some((l) => l.action.startsWith('approve:'))).toBe(false);
    expect((await othersInbox()).map((m) => m.event.audience)).toEqual([undefined]);

    const approve = approvers!.event.links!.find((l) => l.action === 'approve:24h')!.url;
    const tagsBefore = await tagsOf(fx, id!);
    fx.clock.now = at(4);
    const page = await open(approve);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain(`Approve ${id} (p4d.24xlarge) for 24h?`);
    expect(body).toContain('dana@example.com');
    expect(body).toContain('that becomes its deadline');
    expect(await tagsOf(fx, id!)).toEqual(tagsBefore);
    expect(await eventsOf(fx, id!)).toEqual(['WARNED:reaper']);

    fx.clock.now = at(5);
    const approved = await press(approve);
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('Approved until');
    const until = new Date(at(5).getTime() + 24 * 60 * MIN).toISOString();
    const tags = await tagsOf(fx, id!);
    expect(tags['gpu-reaper:approved-until']).toBe(until);
    expect(tags['gpu-reaper:warned']).toBeUndefined();
    expect((await eventsOf(fx, id!)).sort()).toEqual(['APPROVED:approver', 'CLEARED:approver', 'WARNED:reaper']);
    const audited = (await fx.audit.byInstance(id!)).find((i) => i.event === 'APPROVED') as Record<string, unknown>;
    expect(audited).toMatchObject({ rule: 'unapproved', by: 'approver' });
    expect((await press(approve)).status).toBe(410);

    const next = await fx.pass(at(10));
    expect(next.decisions[0]?.outcome).not.toBe('warn');
    expect(next.decisions[0]?.rule).not.toBe('unapproved');
    expect(next.decisions[0]).toMatchObject({ outcome: 'keep', rule: null });
    expect(next.decisions[0]?.reason).toMatch(/max-runtime deadline .* \(approved until then\)/);
    expect(next.events).toEqual([]);
    expect(await fx.stateOf(id!)).toBe('running');

    // The approval is the run's deadline: warned maxRuntime.warnAhead before it, the stop planned at it.
    const nearDeadline = await fx.pass(new Date(Date.parse(until) - 40 * MIN));
    expect(nearDeadline.decisions[0]).toMatchObject({ outcome: 'warn', rule: 'max-runtime', actAt: until });
    expect(nearDeadline.decisions[0]?.evidence).toMatchObject({ approvedUntil: until, deadline: until });
    expect(nearDeadline.events.map((e) => e.event)).toEqual(['WARNED']);
    expect((await eventsOf(fx, id!)).filter((e) => e.startsWith('APPROVED'))).toEqual(['APPROVED:approver']);
  });

  it('never lets an owner’s link clear an unapproved warning', async () => {
    fx = await ownerFixture(moto.region, GATED);
    const [id] = await launchInstances(fx.ec2, { instanceType: 'p4d.24xlarge', tags: { Owner: 'dana@example.com' } });
    await fx.pass(at(1));
    const owners = (await fx.inbox()).find((m) => m.event.event === 'WARNED' && m.attributes.audience === undefined)!;
    expect(owners.event.links?.some((l) => l.action.startsWith('keep:'))).toBe(false);
    // A keep link of the same warning (signed with the real key, as if an owner had one) changes nothing.
    const stop = new URL(owners.event.links!.find((l) => l.action === 'stop')!.url);
    const claims = decodePayload(stop.searchParams.get('t')!.split('.')[0]!)!;
    const key = new KmsMacKey(new KMSClient(clientOptions(moto.region)), fx.keyId);
    const keep = new URL(stop);
    keep.searchParams.set('t', await signToken({ ...claims, action: 'keep:4h', id: newTokenId() }, key));
    const page = await open(keep.toString());
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('ask an approver to approve it');
    const pressed = await press(keep.toString());
    expect(pressed.status).toBe(409);
    expect(await tagsOf(fx, id!)).not.toHaveProperty('gpu-reaper:snooze-until');
    expect(await eventsOf(fx, id!)).toEqual(['WARNED:reaper']);
  });
});
