/**
 * The real SDK against moto: events published by Notifier reach an SQS subscriber as the `sqs` JSON variant, with
 * their routing attributes, and an owner filter policy delivers only that owner's messages.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notifier } from '../../../shared/adapters/sns/notifier';
import type { ReaperEvent } from '../../../shared/core/events';
import { AwsError } from '../../../shared/errors';
import { type MotoServer, startMotoServer } from '../../../shared/local/moto-server';
import { renderNotification } from '../../../shared/render/notifications/notification';
import { reaperEvent } from '../../helpers/events';

const REGION = 'us-east-1';
let server: MotoServer | undefined;
let sns: SNSClient;
let sqs: SQSClient;
let counter = 0;

const makeEvent = (overrides: Partial<ReaperEvent> = {}): ReaperEvent =>
  reaperEvent({ transitionId: `t-${++counter}`, region: REGION, mode: 'dry-run', ...overrides });

async function topic(name: string): Promise<string> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  return TopicArn ?? '';
}

/** A queue subscribed to the topic; `attributes` are the subscription's (RawMessageDelivery, FilterPolicy). */
async function subscribedQueue(topicArn: string, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: attributes,
    }),
  );
  return QueueUrl;
}

/** Everything in the queue: receives until a poll comes back empty. */
async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
  }
}

beforeAll(async () => {
  server = await startMotoServer();
  const options = {
    region: REGION,
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  sns = new SNSClient(options);
  sqs = new SQSClient(options);
});

afterAll(() => {
  sns?.destroy();
  sqs?.destroy();
  return server?.stop();
});

describe('Notifier against moto', () => {
  it('delivers the sqs JSON variant, the subject and the routing attributes to an SQS subscriber', async () => {
    const topicArn = await topic('reaper-envelope');
    const queueUrl = await subscribedQueue(topicArn, 'envelope', { RawMessageDelivery: 'false' });
    const event = makeEvent();
    const { messageId } = await new Notifier(sns, topicArn).publish(event);

    const [message, ...rest] = await drain(queueUrl);
    expect(rest).toHaveLength(0);
    const envelope = JSON.parse(message?.Body ?? '{}');
    expect(envelope).toMatchObject({ Type: 'Notification', MessageId: messageId, TopicArn: topicArn });
    expect(envelope.Subject).toBe(renderNotification(event).subject);
    expect(envelope.Subject.startsWith('[gpu-reaper][DRY RUN] WARNED i-0abc')).toBe(true);
    expect(JSON.parse(envelope.Message)).toEqual(event);
    expect(envelope.MessageAttributes).toEqual({
      event: { Type: 'String', Value: 'WARNED' },
      rule: { Type: 'String', Value: 'idle' },
      instanceId: { Type: 'String', Value: 'i-0abc' },
      owner: { Type: 'String', Value: 'alice@example.com' },
      region: { Type: 'String', Value: REGION },
      accountId: { Type: 'String', Value: '123456789012' },
      mode: { Type: 'String', Value: 'dry-run' },
    });
  });

  it('delivers the bare JSON with SQS message attributes under raw message delivery', async () => {
    const topicArn = await topic('reaper-raw');
    const queueUrl = await subscribedQueue(topicArn, 'raw', { RawMessageDelivery: 'true' });
    const event = makeEvent({ event: 'STOPPED', mode: 'enforce', rule: null, owner: null });
    await new Notifier(sns, topicArn).publish(event);

    const [message] = await drain(queueUrl);
    expect(JSON.parse(message?.Body ?? '{}')).toEqual(event);
    const attributes = message?.MessageAttributes ?? {};
    expect(attributes.event).toMatchObject({ DataType: 'String', StringValue: 'STOPPED' });
    expect(attributes.rule).toMatchObject({ StringValue: 'none' });
    expect(attributes.mode).toMatchObject({ StringValue: 'enforce' });
    expect(attributes).not.toHaveProperty('owner');
  });

  it('delivers only the matching owner through an owner filter policy, and unowned ones through exists:false', async () => {
    const topicArn = await topic('reaper-filter');
    const alice = await subscribedQueue(topicArn, 'alice', { FilterPolicy: '{"owner":["alice@example.com"]}' });
    const unowned = await subscribedQueue(topicArn, 'unowned', { FilterPolicy: '{"owner":[{"exists":false}]}' });
    const notifier = new Notifier(sns, topicArn);
    await notifier.publish(makeEvent({ owner: 'alice@example.com', instanceId: 'i-alice' }));
    await notifier.publish(makeEvent({ owner: 'bob@example.com', instanceId: 'i-bob' }));
    await notifier.publish(makeEvent({ owner: null, instanceId: 'i-nobody' }));

    const ids = async (queueUrl: string) =>
      (await drain(queueUrl)).map((message) => JSON.parse(JSON.parse(message.Body ?? '{}').Message).instanceId);
    expect(await ids(alice)).toEqual(['i-alice']);
    expect(await ids(unowned)).toEqual(['i-nobody']);
  });

  it('sends admin notices as plain text to the admin topic', async () => {
    const ownersTopic = await topic('reaper-owners');
    const adminTopic = await topic('reaper-admin');
    const queueUrl = await subscribedQueue(adminTopic, 'admin', {});
    await new Notifier(sns, ownersTopic, adminTopic).publishAdmin('2 action(s) held back', 'Raise the cap.');

    const [message] = await drain(queueUrl);
    const envelope = JSON.parse(message?.Body ?? '{}');
    expect(envelope).toMatchObject({ Subject: '[gpu-reaper] 2 action(s) held back', Message: 'Raise the cap.' });
    expect(envelope.MessageAttributes).toEqual({ event: { Type: 'String', Value: 'ADMIN' } });
  });

  it('fails with an AwsError when the topic does not exist', async () => {
    const missing = 'arn:aws:sns:us-east-1:123456789012:no-such-topic';
    const error = await new Notifier(sns, missing).publish(makeEvent()).catch((caught) => caught);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ operation: 'Publish', region: REGION });
    expect((error as AwsError).cause).toBeInstanceOf(Error);
  });
});
