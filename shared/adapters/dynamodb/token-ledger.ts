/**
 * Single use of owner-action tokens: each used token's id is one item in the state table (`pk = INSTANCE#<id>`,
 * `sk = TOKEN#<token id>`, no `event` attribute), put on the condition that it does not exist, so a token acts
 * once however often (or however concurrently) it is sent. The item lives until a day past the token's expiry.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AuditTableDesign } from '../../config/audit-table';
import type { TokenLedger } from '../../owner-actions/ports';
import { conditionalWrite, dynamoCall } from './dynamo-calls';
import { instancePk, ttlAfter } from './dynamo-items';

const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = AuditTableDesign;
/** How long a used token's item outlives the token: by then the token is refused as expired anyway. */
const KEEP_AFTER_EXPIRY_SECONDS = 86_400;

/** Key of a used token's item. */
function tokenKey(instanceId: string, tokenId: string): Record<string, string> {
  return { [PK]: instancePk(instanceId), [SK]: `TOKEN#${tokenId}` };
}

/** The DynamoDB {@link TokenLedger} on the audit/state table. */
class TokenTable implements TokenLedger {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly options: { readonly region?: string; readonly now?: () => Date };

  /**
   * @param options.region named in errors @default undefined
   * @param options.now the clock of `usedAt` @default the wall clock
   */
  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    options: { readonly region?: string; readonly now?: () => Date } = {},
  ) {
    this.client = client;
    this.tableName = tableName;
    this.options = options;
  }

  async isUsed(instanceId: string, tokenId: string): Promise<boolean> {
    const output = await dynamoCall('GetItem', this.options.region, () =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: tokenKey(instanceId, tokenId), ConsistentRead: true }),
      ),
    );
    return output.Item !== undefined;
  }

  consume(use: {
    readonly instanceId: string;
    readonly tokenId: string;
    readonly action: string;
    readonly expiresAt: Date;
  }): Promise<boolean> {
    const now = this.options.now?.() ?? new Date();
    return conditionalWrite('PutItem', this.options.region, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...tokenKey(use.instanceId, use.tokenId),
            instanceId: use.instanceId,
            action: use.action,
            usedAt: now.toISOString(),
            [TTL]: ttlAfter(use.expiresAt, KEEP_AFTER_EXPIRY_SECONDS),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      ),
    );
  }

  async release(instanceId: string, tokenId: string): Promise<void> {
    await dynamoCall('DeleteItem', this.options.region, () =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, Key: tokenKey(instanceId, tokenId) })),
    );
  }
}

export { TokenTable, tokenKey };
