/**
 * The DynamoDB transition log: each transition is one TransactWriteItems of its state change, its audit item and
 * its outbox entry, so it is recorded wholly or not at all; and the intents of actions in flight, recovered by a
 * later pass when the one that recorded them died.
 */
import {
  type DynamoDBDocumentClient,
  paginateQuery,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { ReaperEvent } from '../../core/events';
import type { PendingAction, StateChange, TransitionLog } from '../../core/ports';
import { toAwsError } from '../aws/aws-errors';
import { auditPut } from './audit-trail';
import { conditionalWrite, dynamoCall, isConditionRefused } from './dynamo-calls';
import { outboxPut } from './outbox-commands';
import {
  changeItem,
  intentUpdate,
  lapseUpdate,
  pendingQuery,
  releaseIntentUpdate,
  type StateTableOptions,
  stateContext,
  takeOverUpdate,
} from './transition-commands';

/** True when a transaction was cancelled because one of its conditions did not hold. */
function isTransactionRefused(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
}

/** Every item of a Query, all pages. */
async function queryItems(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  region: string | undefined,
): Promise<Record<string, unknown>[]> {
  return dynamoCall('Query', region, async () => {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateQuery({ client }, input)) items.push(...(page.Items ?? []));
    return items;
  });
}

/** A stored event read back; `null` when the JSON does not hold one (hand-edited, another version). */
function parseEvent(json: unknown): ReaperEvent | null {
  if (typeof json !== 'string') return null;
  try {
    const event = JSON.parse(json) as Partial<ReaperEvent> | null;
    const ok = event && typeof event.transitionId === 'string' && typeof event.instanceId === 'string';
    return ok && typeof event.event === 'string' && typeof event.at === 'string' ? (event as ReaperEvent) : null;
  } catch {
    return null;
  }
}

/** The pending action a state item carries, or `null`. */
function pendingActionOf(item: Record<string, unknown> | undefined): PendingAction | null {
  const event = parseEvent(item?.intent);
  if (!item || !event) return null;
  const region = typeof item.region === 'string' ? item.region : event.region;
  return { instanceId: event.instanceId, region, launchTime: (item.launchTime as string) ?? null, event };
}

/**
 * Writes transitions and actions in flight to the audit table (same clock, retention and lease as `WarningStore`).
 * @example
 * const log = new TransitionTable(documentClient, 'gpu-reaper-audit', { region: 'us-east-1' });
 * if (await log.commit({ kind: 'warn', claim }, warnedEvent, { ttlSeconds, passId })) await announce(warnedEvent);
 */
class TransitionTable implements TransitionLog {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #options: StateTableOptions;

  constructor(client: DynamoDBDocumentClient, tableName: string, options: StateTableOptions = {}) {
    this.#client = client;
    this.#tableName = tableName;
    this.#options = options;
  }

  /** See {@link TransitionLog.commit}. @throws AwsError when DynamoDB fails (nothing is written then) */
  async commit(
    change: StateChange,
    event: ReaperEvent,
    options: { readonly ttlSeconds: number; readonly passId: string; readonly announce?: boolean },
  ): Promise<boolean> {
    const context = this.#context();
    const TransactItems = [changeItem(context, change), { Put: auditPut(this.#tableName, event, options) }];
    // An audit-only item has no outbox entry: no pass, not even a recovering one, can ever publish it.
    if (options.announce !== false) TransactItems.push({ Put: outboxPut(context, event, options.passId) });
    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems }));
      return true;
    } catch (error) {
      if (isTransactionRefused(error)) return false;
      throw toAwsError(error, 'TransactWriteItems', this.#options.region);
    }
  }

  /** See {@link TransitionLog.recordIntent}. @throws AwsError */
  recordIntent(instanceId: string, passId: string, event: ReaperEvent): Promise<boolean> {
    return this.#update(intentUpdate(this.#context(), instanceId, passId, event));
  }

  /** See {@link TransitionLog.lapseAct}. @throws AwsError */
  async lapseAct(instanceId: string, passId: string): Promise<void> {
    await this.#update(lapseUpdate(this.#context(), instanceId, passId));
  }

  /** See {@link TransitionLog.releaseIntent}. @throws AwsError */
  async releaseIntent(instanceId: string, passId: string): Promise<void> {
    await this.#update(releaseIntentUpdate(this.#context(), instanceId, passId));
  }

  /** See {@link TransitionLog.pendingActions}. @throws AwsError */
  async pendingActions(): Promise<PendingAction[]> {
    const items = await queryItems(this.#client, pendingQuery(this.#context(), 'ACTION'), this.#options.region);
    return items.map(pendingActionOf).filter((action): action is PendingAction => action !== null);
  }

  /** See {@link TransitionLog.takeOverAction}. @throws AwsError */
  async takeOverAction(instanceId: string, passId: string): Promise<PendingAction | null> {
    const input = takeOverUpdate(this.#context(), instanceId, passId);
    try {
      const answer = await this.#client.send(new UpdateCommand(input));
      return pendingActionOf(answer.Attributes);
    } catch (error) {
      if (isConditionRefused(error)) return null;
      throw toAwsError(error, 'UpdateItem', this.#options.region);
    }
  }

  #context() {
    return stateContext(this.#tableName, this.#options);
  }

  #update(input: UpdateCommandInput): Promise<boolean> {
    return conditionalWrite('UpdateItem', this.#options.region, () => this.#client.send(new UpdateCommand(input)));
  }
}

export { isTransactionRefused, parseEvent, queryItems, TransitionTable };
