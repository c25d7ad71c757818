/**
 * The DynamoDB outbox: notifications committed with their transition but not yet published. A pass claims an entry
 * with a conditional update (one pass at a time), publishes, then marks it sent; a failed publish releases it for
 * the next pass, and an entry held by a pass that died is free again once its lease runs out.
 */
import { type DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ReaperEvent } from '../../core/events';
import type { Outbox } from '../../core/ports';
import { toAwsError } from '../aws/aws-errors';
import { conditionalWrite, isConditionRefused } from './dynamo-calls';
import { outboxClaim, outboxRelease, outboxSent } from './outbox-commands';
import { pendingQuery, type StateTableOptions, stateContext } from './transition-commands';
import { parseEvent, queryItems } from './transition-table';

/** Which entry: its instance and transition. */
type EntryKey = { readonly instanceId: string; readonly transitionId: string };

/**
 * The outbox entries of the audit table.
 * @example
 * const outbox = new OutboxTable(documentClient, 'gpu-reaper-audit');
 * for (const entry of await outbox.due()) {
 *   const event = await outbox.claim(entry.instanceId, entry.transitionId, passId);
 *   if (event) await publishThenMarkSent(event);
 * }
 */
class OutboxTable implements Outbox {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #options: StateTableOptions;

  constructor(client: DynamoDBDocumentClient, tableName: string, options: StateTableOptions = {}) {
    this.#client = client;
    this.#tableName = tableName;
    this.#options = options;
  }

  /** See {@link Outbox.due}: one Query on the `by-time` index, never a Scan. @throws AwsError */
  async due(): Promise<EntryKey[]> {
    const items = await queryItems(this.#client, pendingQuery(this.#context(), 'OUTBOX'), this.#options.region);
    return items
      .filter((item) => typeof item.instanceId === 'string' && typeof item.transitionId === 'string')
      .map((item) => ({ instanceId: item.instanceId as string, transitionId: item.transitionId as string }));
  }

  /** See {@link Outbox.claim}. @throws AwsError */
  async claim(instanceId: string, transitionId: string, passId: string): Promise<ReaperEvent | null> {
    const input = outboxClaim(this.#context(), { instanceId, transitionId }, passId);
    try {
      const answer = await this.#client.send(new UpdateCommand(input));
      return parseEvent(answer.Attributes?.payload);
    } catch (error) {
      if (isConditionRefused(error)) return null;
      throw toAwsError(error, 'UpdateItem', this.#options.region);
    }
  }

  /** See {@link Outbox.markSent}. @throws AwsError */
  async markSent(instanceId: string, transitionId: string, passId: string): Promise<void> {
    await this.#update(outboxSent(this.#context(), { instanceId, transitionId }, passId));
  }

  /** See {@link Outbox.release}. @throws AwsError */
  async release(instanceId: string, transitionId: string, passId: string): Promise<void> {
    await this.#update(outboxRelease(this.#context(), { instanceId, transitionId }, passId));
  }

  #context() {
    return stateContext(this.#tableName, this.#options);
  }

  #update(input: UpdateCommandInput): Promise<boolean> {
    return conditionalWrite('UpdateItem', this.#options.region, () => this.#client.send(new UpdateCommand(input)));
  }
}

export { OutboxTable };
