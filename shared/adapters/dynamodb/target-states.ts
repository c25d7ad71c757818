/**
 * The last pass of every target, in the state table: one item per target in one partition
 * (`pk = TARGET#STATES`, `sk = <account>#<region>`, no `event` attribute), so a tick reads them all with one Query
 * (a page per ~8,000 targets) instead of a read per target. The worker records each pass with a conditional update
 * that never overwrites a later pass's record; a launch event sets `wokenAt` on a target already recorded.
 * The items expire by TTL when no pass refreshed them for a day (or three quiet intervals): a target that left
 * the organization leaves no state behind, and one that comes back is simply passed at once.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type StateTarget, type TargetState, targetKey } from '../../fan-out/quiet-targets';
import { conditionalWrite, dynamoCall } from './dynamo-calls';

/** The partition of the state items (it matches the `TARGET#` prefix the dispatcher's writes are held to). */
const TARGET_STATES_PK = 'TARGET#STATES';
const DAY_MS = 86_400_000;

function stateOf(item: Record<string, unknown>): TargetState | undefined {
  const { accountId, region, ouPath, tick, passedAt, status, gpuInstances, wokenAt } = item;
  if (typeof accountId !== 'string' || typeof region !== 'string' || typeof passedAt !== 'string') return undefined;
  return {
    accountId,
    region,
    ouPath: Array.isArray(ouPath) ? ouPath.filter((ou): ou is string => typeof ou === 'string') : [],
    tick: typeof tick === 'string' ? tick : passedAt,
    passedAt,
    status: status === 'ok' ? 'ok' : 'error',
    // A count that cannot be read counts as GPUs present: the target stays on every tick.
    gpuInstances: typeof gpuInstances === 'number' ? gpuInstances : 1,
    ...(typeof wokenAt === 'string' ? { wokenAt } : {}),
  };
}

/** Target states in one table. */
class TargetStates {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #region: string | undefined;

  constructor(client: DynamoDBDocumentClient, table: string, region?: string) {
    this.#client = client;
    this.#table = table;
    this.#region = region;
  }

  /**
   * Every recorded target, by {@link targetKey}.
   * @throws AwsError when DynamoDB fails
   */
  async all(): Promise<Map<string, TargetState>> {
    const states = new Map<string, TargetState>();
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamoCall('Query', this.#region, () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': TARGET_STATES_PK },
            ExclusiveStartKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const state = stateOf(item);
        if (state) states.set(targetKey(state), state);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return states;
  }

  /**
   * One target's state; `undefined` when it was never recorded (or expired).
   * @throws AwsError when DynamoDB fails
   */
  async get(target: StateTarget): Promise<TargetState | undefined> {
    const answer = await dynamoCall('GetItem', this.#region, () =>
      this.#client.send(
        new GetCommand({ TableName: this.#table, Key: { pk: TARGET_STATES_PK, sk: targetKey(target) } }),
      ),
    );
    return answer.Item ? stateOf(answer.Item) : undefined;
  }

  /**
   * Records a pass; `false` when a pass that started later was recorded already (that record stays). A
   * `wokenAt` already there stays too: a launch during this pass still calls for the next.
   *
   * @param quietEveryMs `accounts.quietTargetEvery`, for the item's lifetime
   * @throws AwsError when DynamoDB fails otherwise
   */
  record(state: Omit<TargetState, 'wokenAt'>, quietEveryMs: number): Promise<boolean> {
    const expires = Date.parse(state.passedAt) + Math.max(DAY_MS, 3 * quietEveryMs);
    return conditionalWrite('UpdateItem', this.#region, () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: TARGET_STATES_PK, sk: targetKey(state) },
          UpdateExpression:
            'SET accountId = :account, #region = :region, ouPath = :ouPath, tick = :tick, passedAt = :passedAt, ' +
            '#status = :status, gpuInstances = :gpus, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(passedAt) OR passedAt <= :passedAt',
          ExpressionAttributeNames: { '#region': 'region', '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':account': state.accountId,
            ':region': state.region,
            ':ouPath': [...state.ouPath],
            ':tick': state.tick,
            ':passedAt': state.passedAt,
            ':status': state.status,
            ':gpus': state.gpuInstances,
            ':ttl': Math.ceil(expires / 1000),
          },
        }),
      ),
    );
  }

  /**
   * Marks a recorded target woken at `at` (a later pass than `at` then clears it by starting after it); `false`
   * when the target was never recorded.
   * @throws AwsError when DynamoDB fails otherwise
   */
  wake(target: StateTarget, at: Date): Promise<boolean> {
    return conditionalWrite('UpdateItem', this.#region, () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: TARGET_STATES_PK, sk: targetKey(target) },
          UpdateExpression: 'SET wokenAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      ),
    );
  }
}

export { TARGET_STATES_PK, TargetStates };
