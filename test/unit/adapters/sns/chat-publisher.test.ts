import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { withChat } from '../../../../shared/adapters/sns/chat-publisher';
import { MemoryNotifier } from '../../../../shared/adapters/sns/notifier';
import { AwsError } from '../../../../shared/errors';
import { reaperEvent } from '../../../helpers/events';

const CHAT_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:gpu-reaper-chat';
const sns = mockClient(SNSClient);

describe('withChat', () => {
  beforeEach(() => sns.reset());

  it('publishes the event to the owner topic, then its Chatbot JSON alone to the chat topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-chat' });
    const owners = new MemoryNotifier();
    const publisher = withChat(owners, new SNSClient({ region: 'eu-west-1' }), CHAT_TOPIC);
    const result = await publisher.publish(reaperEvent());
    expect(result).toEqual({ messageId: 'memory-1' });
    // Email subscribers of the owner topic get the readable text, never Chatbot JSON.
    expect(owners.messages[0]?.text).not.toContain('"source":"custom"');
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe(CHAT_TOPIC);
    expect(input?.MessageStructure).toBeUndefined();
    expect(JSON.parse(input?.Message ?? '')).toMatchObject({ version: '1.0', source: 'custom' });
  });

  it('reports a failed chat post and still returns the owner topic result', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationErrorException' }));
    const problems: unknown[] = [];
    const publisher = withChat(new MemoryNotifier(), new SNSClient({ region: 'eu-west-1' }), CHAT_TOPIC, (_, e) =>
      problems.push(e),
    );
    await expect(publisher.publish(reaperEvent())).resolves.toEqual({ messageId: 'memory-1' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBeInstanceOf(AwsError);
  });

  it('leaves admin notices to the inner publisher', async () => {
    const owners = new MemoryNotifier();
    await withChat(owners, new SNSClient({ region: 'eu-west-1' }), CHAT_TOPIC).publishAdmin?.('capped', 'text');
    expect(owners.messages[0]?.kind).toBe('admin');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
