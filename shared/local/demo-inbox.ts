/**
 * Reads the demo's notifications back from the SQS queue subscribed to the topic, as a subscriber would.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ReaperEvent } from '../core/events';

/** One delivered notification: the SNS envelope's subject and attributes, and the event JSON (the `sqs` variant). */
interface InboxMessage {
  readonly subject: string;
  readonly attributes: Record<string, string>;
  readonly event: ReaperEvent;
}

/** Receives every message on the queue (SNS → SQS delivery is immediate on moto). */
async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<InboxMessage[]> {
  const messages: InboxMessage[] = [];
  for (let round = 0; round < 100; round++) {
    const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const batch = answer.Messages ?? [];
    if (batch.length === 0) break;
    for (const message of batch) {
      const envelope = JSON.parse(message.Body ?? '{}') as {
        Subject?: string;
        Message?: string;
        MessageAttributes?: Record<string, { Value: string }>;
      };
      const attributes = Object.fromEntries(
        Object.entries(envelope.MessageAttributes ?? {}).map(([key, value]) => [key, value.Value]),
      );
      messages.push({ subject: envelope.Subject ?? '', attributes, event: JSON.parse(envelope.Message ?? '{}') });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return messages;
}

export type { InboxMessage };
export { drainQueue };
