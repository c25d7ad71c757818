/**
 * The approvers' copy of an `unapproved` warning: the owner's copy goes out as before (its own links, no approval),
 * then the approvers' copy with the approve links, attribute `audience=approvers` and no `owner`, so an owner's
 * subscription never gets it; other events go out once. A failed approvers' copy fails the publish (the outbox
 * retries); a key that cannot sign sends that copy without links and reports it. Checked on the MemoryNotifier and
 * on the SNS Publish calls the Notifier sends.
 */
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { withChat } from '../../../shared/adapters/sns/chat-publisher';
import { MemoryNotifier, Notifier } from '../../../shared/adapters/sns/notifier';
import { parseConfig } from '../../../shared/config';
import type { ReaperEvent } from '../../../shared/core/events';
import { withApproversCopy } from '../../../shared/owner-actions/approvers-copy';
import { composeOwnerLinks } from '../../../shared/owner-actions/compose';
import { withOwnerLinks } from '../../../shared/owner-actions/linking-publisher';
import { reaperEvent } from '../../helpers/events';
import { memoryMacKey } from '../../helpers/memory-mac-key';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:gpu-reaper';
const BASE = 'https://abc.lambda-url.us-east-1.on.aws/';
const config = parseConfig({});
const key = memoryMacKey();
const ownerSettings = { key, baseUrl: BASE, links: config.notifications.links, snoozeCeiling: config.snooze.ceiling };
const approveSettings = { key, baseUrl: BASE, approveFor: ['24h', '72h'], maxRuntimeCeiling: '7d' };
const unapproved = (over: Partial<ReaperEvent> = {}): ReaperEvent =>
  reaperEvent({
    instanceId: 'i-0123456789abcdef0',
    event: 'WARNED',
    rule: 'unapproved',
    action: 'stop',
    actAt: '2026-11-21T13:15:00.000Z',
    instanceType: 'p4d.24xlarge',
    owner: 'carol@example.com',
    ...over,
  });
const actionsOf = (event: ReaperEvent | null) => event?.links?.map((l) => l.action);

/** Both wrappers as compose.ts stacks them, over `inner`. */
const composed = (inner: MemoryNotifier | Notifier, onProblem?: (m: string, e: unknown) => void) =>
  withApproversCopy(withOwnerLinks(inner, ownerSettings, onProblem), approveSettings, onProblem);

describe('the approvers’ copy', () => {
  it('publishes the owner’s copy, then the approvers’ copy with the approve links and audience=approvers', async () => {
    const memory = new MemoryNotifier();
    await composed(memory).publish(unapproved());
    expect(memory.messages).toHaveLength(2);
    const [owner, approvers] = memory.messages;
    expect(actionsOf(owner!.json)).toEqual(['stop']);
    expect(owner!.json?.audience).toBeUndefined();
    expect(owner!.attributes).toMatchObject({ event: 'WARNED', rule: 'unapproved', owner: 'carol@example.com' });
    expect(owner!.attributes.audience).toBeUndefined();
    expect(actionsOf(approvers!.json)).toEqual(['approve:24h', 'approve:72h']);
    expect(approvers!.json?.audience).toBe('approvers');
    expect(approvers!.attributes).toMatchObject({ event: 'WARNED', rule: 'unapproved', audience: 'approvers' });
    expect(approvers!.attributes.owner).toBeUndefined();
  });

  it('publishes every other event once, as before', async () => {
    const memory = new MemoryNotifier();
    const publisher = composed(memory);
    await publisher.publish(unapproved({ rule: 'idle' }));
    await publisher.publish(unapproved({ event: 'CLEARED', actAt: null }));
    await publisher.publish(unapproved({ event: 'APPROVED', by: 'approver', action: null, actAt: null }));
    expect(memory.messages.map((m) => m.attributes.audience)).toEqual([undefined, undefined, undefined]);
    expect(actionsOf(memory.messages[0]!.json)).toEqual(['keep:4h', 'keep:24h', 'stop']);
  });

  it('sends the approvers’ copy without links, and says so, when the key cannot sign', async () => {
    const memory = new MemoryNotifier();
    const problems: string[] = [];
    const broken = { generate: () => Promise.reject(new Error('KMS down')), verify: async () => false };
    const publisher = withApproversCopy(memory, { ...approveSettings, key: broken }, (m) => problems.push(m));
    await publisher.publish(unapproved());
    expect(memory.messages).toHaveLength(2);
    expect(memory.messages[1]!.attributes.audience).toBe('approvers');
    expect(memory.messages[1]!.json?.links).toBeUndefined();
    expect(problems).toEqual([
      "signing the approve links for i-0123456789abcdef0 failed; the approvers' copy goes without them",
    ]);
  });

  it('sends the approvers’ copy without links where there is no key or endpoint', async () => {
    const memory = new MemoryNotifier();
    await withApproversCopy(memory, null).publish(unapproved());
    expect(memory.messages.map((m) => m.attributes.audience)).toEqual([undefined, 'approvers']);
    expect(memory.messages[1]!.json?.links).toBeUndefined();
  });

  it('fails the publish when the approvers’ copy is refused, so the outbox sends the warning again', async () => {
    const sent: ReaperEvent[] = [];
    const inner = {
      publish: async (event: ReaperEvent) => {
        if (event.audience === 'approvers') throw new Error('SNS throttled');
        sent.push(event);
        return { messageId: 'm-1' };
      },
    };
    await expect(withApproversCopy(inner, approveSettings).publish(unapproved())).rejects.toThrow('SNS throttled');
    expect(sent).toHaveLength(1);
  });
});

describe('the approvers’ copy as composed for a pass', () => {
  it('is sent, without links, when gating is on and there is no link key; never when approvals do not count', async () => {
    const gated = new MemoryNotifier();
    const gating = parseConfig({ gating: { threshold: 200, approvers: ['ml-leads@example.com'] } });
    await composeOwnerLinks(gated, { config: gating, homeRegion: 'us-east-1', keyId: null }).publish(unapproved());
    expect(gated.messages.map((m) => m.attributes.audience)).toEqual([undefined, 'approvers']);
    const off = new MemoryNotifier();
    await composeOwnerLinks(off, { config, homeRegion: 'us-east-1', keyId: null }).publish(unapproved());
    expect(off.messages).toHaveLength(1);
  });
});

describe('the approvers’ copy on SNS', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });
  const attributesOf = (input: PublishCommandInput) =>
    Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));

  it('routes the owner’s copy by owner and the approvers’ copy by audience, never by owner', async () => {
    await composed(new Notifier(new SNSClient({ region: 'us-east-1' }), TOPIC)).publish(unapproved());
    const calls = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls.every((input) => input.TopicArn === TOPIC)).toBe(true);
    expect(attributesOf(calls[0]!)).toMatchObject({ event: 'WARNED', rule: 'unapproved', owner: 'carol@example.com' });
    expect(attributesOf(calls[0]!).audience).toBeUndefined();
    expect(attributesOf(calls[1]!)).toEqual({
      event: 'WARNED',
      rule: 'unapproved',
      instanceId: 'i-0123456789abcdef0',
      region: 'us-east-1',
      accountId: '123456789012',
      mode: 'enforce',
      audience: 'approvers',
    });
    const approvers = JSON.parse(JSON.parse(calls[1]!.Message!).sqs) as ReaperEvent;
    expect(approvers.links?.map((l) => l.action)).toEqual(['approve:24h', 'approve:72h']);
    const owner = JSON.parse(JSON.parse(calls[0]!.Message!).sqs) as ReaperEvent;
    expect(owner.links?.map((l) => l.action)).toEqual(['stop']);
  });

  it('never posts the approvers’ copy to the chat topic (the instance’s thread has the owner’s copy)', async () => {
    const client = new SNSClient({ region: 'us-east-1' });
    const chat = 'arn:aws:sns:us-east-1:123456789012:gpu-reaper-chat';
    await withApproversCopy(withChat(new Notifier(client, TOPIC), client, chat), approveSettings).publish(unapproved());
    const topics = sns.commandCalls(PublishCommand).map((call) => call.args[0].input.TopicArn);
    expect(topics).toEqual([TOPIC, chat, TOPIC]);
  });

  it('fails the publish when SNS refuses the approvers’ copy', async () => {
    sns.on(PublishCommand).resolvesOnce({ MessageId: 'm-1' }).rejectsOnce(new Error('Throttling'));
    const publisher = composed(new Notifier(new SNSClient({ region: 'us-east-1' }), TOPIC));
    await expect(publisher.publish(unapproved())).rejects.toThrow();
  });
});
