/**
 * BatchGetItem over any number of keys: at most 100 keys a call (the API's limit), consistent reads, and the keys
 * DynamoDB leaves unprocessed (throttling, the 16 MB response limit) retried with exponential backoff.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AwsError, ErrorCode } from '../../errors';
import { dynamoCall } from './dynamo-calls';

/** BatchGetItem's per-call key limit. */
const BATCH_GET_LIMIT = 100;
/** Calls per chunk before giving up on keys that stay unprocessed. */
const MAX_ATTEMPTS = 8;

type Key = Record<string, string>;
type Item = Record<string, unknown>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Backoff before retry `attempt` (1-based): 50 ms doubling, capped at 2 s, with full jitter. */
function backoffMs(attempt: number): number {
  return Math.round(Math.random() * Math.min(2_000, 50 * 2 ** attempt));
}

async function loadChunk(
  client: DynamoDBDocumentClient,
  tableName: string,
  chunk: readonly Key[],
  options: { readonly region?: string; readonly sleep?: (ms: number) => Promise<void> },
): Promise<Item[]> {
  const items: Item[] = [];
  let pending: readonly Key[] = chunk;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new AwsError(
        ErrorCode.AwsCall,
        'BatchGetItem',
        `${pending.length} keys of ${tableName} stayed unprocessed after ${MAX_ATTEMPTS} attempts (throttled?)`,
        { region: options.region },
      );
    }
    if (attempt > 1) await (options.sleep ?? realSleep)(backoffMs(attempt - 1));
    const request = { [tableName]: { Keys: [...pending], ConsistentRead: true } };
    const output = await dynamoCall('BatchGetItem', options.region, () =>
      client.send(new BatchGetCommand({ RequestItems: request })),
    );
    items.push(...((output.Responses?.[tableName] ?? []) as Item[]));
    pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
  }
  return items;
}

/**
 * Reads these keys of `tableName`; keys without an item are simply absent from the result.
 * @throws AwsError when a call fails or keys stay unprocessed after the retries
 */
async function batchGetItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  options: { readonly region?: string; readonly sleep?: (ms: number) => Promise<void> } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    items.push(...(await loadChunk(client, tableName, keys.slice(start, start + BATCH_GET_LIMIT), options)));
  }
  return items;
}

export { BATCH_GET_LIMIT, batchGetItems };
