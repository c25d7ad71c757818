import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryNotifier, Notifier } from '../../../../shared/adapters/sns/notifier';
import type { ReaperEvent } from '../../../../shared/core/events';
import { AwsError } from '../../../../shared/errors';
import { renderNotification } from '../../../../shared/render/notifications/notification';
import { reaperEvent } from '../../../helpers/events';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:gpu-reaper';
const ADMIN_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:gpu-reaper-admin';

const makeEvent = (overrides: Partial<ReaperEvent> = {}): ReaperEvent => reaperEvent(overrides);

const sns = mockClient(SNSClient);

function sent(index = 0): PublishCommandInput {
  const call = sns.commandCalls(PublishCommand)[index];
  if (!call) throw new Error(`no Publish call #${index}`);
  return call.args[0].input;
}

function attributeValues(input: PublishCommandInput): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(input.MessageAttributes ?? {}).map(([name, value]) => {
      expect(value.DataType).toBe('String');
      return [name, value.StringValue];
    }),
  );
}

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

describe('Notifier.publish', () => {
  it('sends one JSON-structured message with the rendered subject and returns its id', async () => {
    const event = makeEvent();
    const result = await new Notifier(new SNSClient({}), TOPIC).publish(event);
    expect(result).toEqual({ messageId: 'msg-1' });
    const input = sent();
    const rendered = renderNotification(event);
    expect(input).toMatchObject({ TopicArn: TOPIC, MessageStructure: 'json', Subject: rendered.subject });
    const body = JSON.parse(input.Message ?? '');
    expect(Object.keys(body).sort()).toEqual(['default', 'email', 'https', 'lambda', 'sqs']);
    expect(body.default).toBe(rendered.text);
    expect(body.email).toBe(rendered.text);
    expect(JSON.parse(body.sqs)).toEqual(event);
    expect(body.lambda).toBe(body.sqs);
    expect(body.https).toBe(body.sqs);
  });

  it('routes by event, rule, instanceId, owner, region, accountId and mode', async () => {
    await new Notifier(new SNSClient({}), TOPIC).publish(makeEvent({ mode: 'dry-run', event: 'WOULD_STOP' }));
    expect(attributeValues(sent())).toEqual({
      event: 'WOULD_STOP',
      rule: 'idle',
      instanceId: 'i-0abc',
      owner: 'alice@example.com',
      region: 'us-east-1',
      accountId: '123456789012',
      mode: 'dry-run',
    });
    expect(sent().Subject?.startsWith('[gpu-reaper][DRY RUN] ')).toBe(true);
  });

  it("sends rule 'none' and no owner attribute when the event has neither", async () => {
    await new Notifier(new SNSClient({}), TOPIC).publish(makeEvent({ rule: null, owner: null, event: 'ERROR' }));
    const attributes = attributeValues(sent());
    expect(attributes.rule).toBe('none');
    expect(attributes).not.toHaveProperty('owner');
  });

  it('sends no accountId attribute when the account is unknown', async () => {
    await new Notifier(new SNSClient({}), TOPIC).publish(makeEvent({ accountId: null }));
    expect(attributeValues(sent())).not.toHaveProperty('accountId');
  });

  it('never sends an empty or control-laden owner value', async () => {
    const notifier = new Notifier(new SNSClient({}), TOPIC);
    await notifier.publish(makeEvent({ owner: ' \r\n\u0000 ' }));
    await notifier.publish(makeEvent({ owner: `bob\r\n@x.io${'y'.repeat(1_000)}` }));
    expect(attributeValues(sent(0))).not.toHaveProperty('owner');
    const owner = attributeValues(sent(1)).owner ?? '';
    expect(owner.startsWith('bob @x.io')).toBe(true);
    expect(owner.length).toBeLessThanOrEqual(256);
  });

  it('keeps a message with huge evidence under the SNS 256 KB limit', async () => {
    const series = Array.from({ length: 200_000 }, (_, at) => ({ at, max: 1 }));
    const event = makeEvent({ evidence: { ...makeEvent().evidence, series }, reason: 'r'.repeat(300_000) });
    await new Notifier(new SNSClient({}), TOPIC).publish(event);
    const input = sent();
    expect(Buffer.byteLength(input.Message ?? '', 'utf8')).toBeLessThanOrEqual(250_000);
    const machine = JSON.parse(JSON.parse(input.Message ?? '').sqs);
    expect(machine.evidence).toMatchObject({ truncated: true, datapoints: 58 });
    expect(machine.instanceId).toBe('i-0abc');
  });

  it('wraps an SNS failure into an AwsError naming Publish and the topic region, keeping the cause', async () => {
    const failure = Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
    sns.on(PublishCommand).rejects(failure);
    const error = await new Notifier(new SNSClient({}), TOPIC).publish(makeEvent()).catch((caught) => caught);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: 'AWS_CALL', operation: 'Publish', region: 'eu-west-1' });
    expect((error as AwsError).cause).toBe(failure);
  });
});

describe('Notifier.publishAdmin', () => {
  it('sends plain text to the admin topic with an ADMIN event attribute', async () => {
    await new Notifier(new SNSClient({}), TOPIC, ADMIN_TOPIC).publishAdmin('3 action(s) held back', 'details');
    const input = sent();
    expect(input).toMatchObject({
      TopicArn: ADMIN_TOPIC,
      Message: 'details',
      Subject: '[gpu-reaper] 3 action(s) held back',
    });
    expect(input.MessageStructure).toBeUndefined();
    expect(attributeValues(input)).toEqual({ event: 'ADMIN' });
  });

  it('uses the owners topic when there is no admin topic, and keeps a prefixed subject as it is', async () => {
    await new Notifier(new SNSClient({}), TOPIC).publishAdmin('[gpu-reaper][DRY RUN] telemetry\nmissing', '');
    expect(sent()).toMatchObject({
      TopicArn: TOPIC,
      Subject: '[gpu-reaper][DRY RUN] telemetry missing',
      Message: '(no details)',
    });
  });
});

describe('MemoryNotifier', () => {
  it('keeps what Notifier would send, in order, with sequential ids', async () => {
    const memory = new MemoryNotifier();
    const event = makeEvent({ owner: null });
    expect(await memory.publish(event)).toEqual({ messageId: 'memory-1' });
    expect(await memory.publishAdmin('capped', 'text')).toEqual({ messageId: 'memory-2' });
    const rendered = renderNotification(event);
    expect(memory.messages).toEqual([
      {
        messageId: 'memory-1',
        kind: 'event',
        subject: rendered.subject,
        text: rendered.text,
        json: event,
        attributes: {
          event: 'WARNED',
          rule: 'idle',
          instanceId: 'i-0abc',
          region: 'us-east-1',
          accountId: '123456789012',
          mode: 'enforce',
        },
      },
      {
        messageId: 'memory-2',
        kind: 'admin',
        subject: '[gpu-reaper] capped',
        text: 'text',
        json: null,
        attributes: { event: 'ADMIN' },
      },
    ]);
  });
});
