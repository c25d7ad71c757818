/**
 * The target queue: one message per target, sent ten to a `SendMessageBatch` call. Entries SQS refuses are returned,
 * not thrown, so the dispatcher can release their leases; a failed call becomes `AwsError`.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type TargetMessage, targetMessageBody } from '../../fan-out/target-message';
import { mapWithConcurrency } from '../../pass/concurrency';
import { toAwsError } from '../aws/aws-errors';

/** SQS's limit of entries per `SendMessageBatch`. */
const BATCH_SIZE = 10;
/** Batches in flight at once: thousands of targets go out in seconds, far below SQS's request rates. */
const PARALLEL_BATCHES = 8;

/** A message SQS did not accept, with its reason. */
interface UnsentMessage {
  readonly message: TargetMessage;
  readonly reason: string;
}

/** Sends target messages to one queue. */
class TargetQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #region: string | undefined;

  constructor(client: SQSClient, queueUrl: string, region?: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
    this.#region = region;
  }

  /**
   * Sends every message; returns those SQS refused (a whole failed batch counts all of its entries).
   * @example await queue.send([{ accountId: '111111111111', region: 'us-east-1', ouPath: [], tick, leaseToken }])
   */
  async send(messages: readonly TargetMessage[]): Promise<UnsentMessage[]> {
    const batches: TargetMessage[][] = [];
    for (let start = 0; start < messages.length; start += BATCH_SIZE) {
      batches.push(messages.slice(start, start + BATCH_SIZE));
    }
    const results = await mapWithConcurrency(batches, PARALLEL_BATCHES, (batch) => this.#sendBatch(batch));
    const unsent = results.flat();
    return unsent;
  }

  async #sendBatch(batch: readonly TargetMessage[]): Promise<UnsentMessage[]> {
    try {
      const response = await this.#client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: batch.map((message, index) => ({ Id: String(index), MessageBody: targetMessageBody(message) })),
        }),
      );
      return (response.Failed ?? []).flatMap((failed) => {
        const message = batch[Number(failed.Id)];
        return message ? [{ message, reason: `${failed.Code ?? 'failed'}: ${failed.Message ?? ''}`.trim() }] : [];
      });
    } catch (error) {
      const reason = toAwsError(error, 'SendMessageBatch', this.#region).message;
      return batch.map((message) => ({ message, reason }));
    }
  }
}

export type { UnsentMessage };
export { TargetQueue };
