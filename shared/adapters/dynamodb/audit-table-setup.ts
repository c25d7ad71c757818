/**
 * Creates the audit table the way the stack does (on-demand, the `by-time` index projecting every attribute, TTL on
 * `ttl`), for tests and the local demo, which have no CloudFormation.
 */
import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { AuditTableDesign } from '../../config/audit-table';
import { dynamoCall } from './dynamo-calls';

/**
 * Creates `tableName` with the keys of `AuditTableDesign`, waits until it is active, then turns TTL on.
 * An existing table is left as it is.
 * @returns `true` when the table was created, `false` when it existed already
 * @throws AwsError for any other failure
 */
async function createAuditTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  const { partitionKey, sortKey, timeIndexName, timeIndexPartitionKey, timeIndexSortKey } = AuditTableDesign;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [partitionKey, sortKey, timeIndexPartitionKey, timeIndexSortKey].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: timeIndexName,
            KeySchema: [
              { AttributeName: timeIndexPartitionKey, KeyType: 'HASH' },
              { AttributeName: timeIndexSortKey, KeyType: 'RANGE' },
            ],
            // `between` returns whole events from the index, so it must carry every attribute.
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceInUseException') return false;
    return dynamoCall('CreateTable', undefined, () => Promise.reject(error));
  }
  await dynamoCall('DescribeTable', undefined, () =>
    waitUntilTableExists({ client, minDelay: 1, maxDelay: 5, maxWaitTime: 300 }, { TableName: tableName }),
  );
  await dynamoCall('UpdateTimeToLive', undefined, () =>
    client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: AuditTableDesign.ttlAttribute, Enabled: true },
      }),
    ),
  );
  return true;
}

export { createAuditTable };
