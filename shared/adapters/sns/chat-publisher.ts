/**
 * Announcing reaper events in chat as well: after the owner topic accepted an event, the same event goes to the
 * chat topic as an AWS Chatbot custom notification (render/notifications/chatbot-message.ts), a plain JSON body
 * with no `MessageStructure`, which is what Chatbot reads. Two topics, so the owner topic's email subscribers never
 * see Chatbot JSON. Delivery is the owner topic's: a failed chat publish is reported and never fails the event (its
 * outbox entry is done once the owner topic took it). The approvers' copy of a warning is never posted: the
 * channel is the instance's thread, and the owner's copy is already in it.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EventPublisher } from '../../core/ports';
import { chatbotMessage } from '../../render/notifications/chatbot-message';
import { toAwsError } from '../aws/aws-errors';

/**
 * Wraps `inner` so that every event it publishes is also posted to `chatTopicArn`.
 *
 * @param onProblem told when the chat publish failed (wrapped as `AwsError`, operation `Publish`)
 * @example const publisher = withChat(new Notifier(sns, topicArn), sns, chatTopicArn, onProblem);
 */
function withChat(
  inner: EventPublisher,
  client: SNSClient,
  chatTopicArn: string,
  onProblem: (message: string, error: unknown) => void = () => {},
): EventPublisher {
  return {
    async publish(event) {
      const result = await inner.publish(event);
      // The approvers' copy (its approve links) is theirs alone; the channel already has the owner's copy.
      if (event.audience === 'approvers') return result;
      const input = { TopicArn: chatTopicArn, Message: JSON.stringify(chatbotMessage(event)) };
      await client.send(new PublishCommand(input)).catch((error: unknown) => {
        const wrapped = toAwsError(error, 'Publish', chatTopicArn.split(':')[3] || undefined);
        onProblem(`posting ${event.event} of ${event.instanceId} to the chat topic failed`, wrapped);
      });
      return result;
    },
    ...(inner.publishAdmin
      ? { publishAdmin: (subject: string, text: string) => inner.publishAdmin!(subject, text) }
      : {}),
  };
}

export { withChat };
