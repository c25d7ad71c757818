/**
 * Target leases in the state table: while a target's message is in flight (queued, or its pass running), its
 * lease item (`pk = TARGET#<account>#<region>`, `sk = LEASE`, no `event` attribute) keeps the dispatcher from
 * enqueueing it again. Taken with a conditional put (free, or expired), released by the worker with a conditional
 * delete on its own token (never a newer lease), and expiring on its own after the longest a message can live.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from './dynamo-calls';

/** The target a lease is for. */
interface LeasedTarget {
  readonly accountId: string;
  readonly region: string;
}

/** The key of a target's lease item. */
function leaseKey(target: LeasedTarget): { pk: string; sk: string } {
  return { pk: `TARGET#${target.accountId}#${target.region}`, sk: 'LEASE' };
}

/** Leases per target, in one table. */
class TargetLeases {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #region: string | undefined;

  constructor(client: DynamoDBDocumentClient, table: string, region?: string) {
    this.#client = client;
    this.#table = table;
    this.#region = region;
  }

  /**
   * Takes the target's lease for `durationMs` from `now`: `true` when it was free or expired, `false` when a
   * message of the target is still in flight.
   * @throws AwsError when DynamoDB fails otherwise
   */
  acquire(target: LeasedTarget, token: string, now: Date, durationMs: number): Promise<boolean> {
    const until = now.getTime() + durationMs;
    return conditionalWrite('PutItem', this.#region, () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...leaseKey(target),
            token,
            leasedAt: now.toISOString(),
            until,
            // Kept a day past expiry for whoever inspects the table, then removed by TTL.
            ttl: Math.ceil(until / 1000) + 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': now.getTime() },
        }),
      ),
    );
  }

  /**
   * Releases the target's lease if it still carries `token`: `false` when it expired and another tick took it.
   * @throws AwsError when DynamoDB fails otherwise
   */
  release(target: LeasedTarget, token: string): Promise<boolean> {
    return conditionalWrite('DeleteItem', this.#region, () =>
      this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: leaseKey(target),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token },
        }),
      ),
    );
  }
}

export type { LeasedTarget };
export { leaseKey, TargetLeases };
