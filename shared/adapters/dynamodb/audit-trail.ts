/**
 * The DynamoDB audit trail: one item per reaper event, written once, read back by instance or by time range with
 * Queries only (never a Scan), following `AuditTableDesign`.
 */
import {
  type DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { AuditTableDesign } from '../../config/audit-table';
import type { ReaperEvent } from '../../core/events';
import type { AuditSink } from '../../core/ports';
import { conditionalWrite, dynamoCall } from './dynamo-calls';
import {
  dayPartition,
  dayPartitions,
  EVENT_PREFIX,
  instancePk,
  isoInstant,
  RANGE_END,
  storable,
  ttlAfter,
} from './dynamo-items';

/** One audited event as plain data: the event's fields without the table's keys. */
type AuditItem = Omit<ReaperEvent, 'tagPrefix'>;

/** Attributes that are storage, not event data. */
const STORAGE_ATTRIBUTES: readonly string[] = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'ttl'];
const NULLABLE_FIELDS = ['accountId', 'rule', 'action', 'actAt', 'owner', 'hourlyUsd'] as const;

/** The stored item, back as an {@link AuditItem}; fields stored as absent come back as `null`. */
function toAuditItem(item: Record<string, unknown>): AuditItem {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    if (!STORAGE_ATTRIBUTES.includes(key)) fields[key] = value;
  }
  for (const key of NULLABLE_FIELDS) fields[key] ??= null;
  fields.evidence ??= {};
  return fields as unknown as AuditItem;
}

/**
 * The conditional put of one event's audit item (refused when the same event is there already), as a plain command
 * input: the audit trail sends it alone, the transition log inside a transaction.
 */
function auditPut(
  tableName: string,
  event: ReaperEvent,
  retention: { readonly ttlSeconds: number },
): PutCommandInput & { Item: Record<string, unknown> } {
  const at = isoInstant(event.at);
  const { tagPrefix: _messagesOnly, ...fields } = event;
  return {
    TableName: tableName,
    Item: {
      ...(storable({ ...fields, at }) as Record<string, unknown>),
      [AuditTableDesign.partitionKey]: instancePk(event.instanceId),
      [AuditTableDesign.sortKey]: `${EVENT_PREFIX}${at}#${event.event}#${event.transitionId}`,
      [AuditTableDesign.timeIndexPartitionKey]: dayPartition(new Date(at)),
      [AuditTableDesign.timeIndexSortKey]: `${at}#${event.instanceId}`,
      [AuditTableDesign.ttlAttribute]: ttlAfter(new Date(at), retention.ttlSeconds),
    },
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': AuditTableDesign.partitionKey },
  };
}

/**
 * Writes and reads audit events.
 * @example
 * const audit = new AuditTrail(documentClient, 'gpu-reaper-audit', { region: 'us-east-1' });
 * await audit.write(event, { ttlSeconds: 400 * 86_400 });
 * const lastWeek = await audit.between(new Date(Date.now() - 7 * 86_400_000), new Date());
 */
class AuditTrail implements AuditSink {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly options: { readonly region?: string };

  /** @param options.region the table's region, named in errors */
  constructor(client: DynamoDBDocumentClient, tableName: string, options: { readonly region?: string } = {}) {
    this.client = client;
    this.tableName = tableName;
    this.options = options;
  }

  /**
   * Writes one event. False when the same event (same instant, name and transition id) is already there, so a
   * retried pass writes nothing twice.
   */
  async write(event: ReaperEvent, retention: { readonly ttlSeconds: number }): Promise<boolean> {
    const input = auditPut(this.tableName, event, retention);
    return conditionalWrite('PutItem', this.options.region, () => this.client.send(new PutCommand(input)));
  }

  /** All events of one instance, oldest first, optionally within `[from, to]` (inclusive). */
  async byInstance(instanceId: string, range: { readonly from?: Date; readonly to?: Date } = {}): Promise<AuditItem[]> {
    const from = `${EVENT_PREFIX}${range.from ? isoInstant(range.from) : ''}`;
    const to = `${EVENT_PREFIX}${range.to ? isoInstant(range.to) : ''}${RANGE_END}`;
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': AuditTableDesign.partitionKey, '#sk': AuditTableDesign.sortKey },
      ExpressionAttributeValues: { ':pk': instancePk(instanceId), ':from': from, ':to': to },
    });
    return items.map(toAuditItem);
  }

  /** All events between `from` and `to` (inclusive), ordered by time: one Query on `by-time` per UTC day. */
  async between(from: Date, to: Date): Promise<AuditItem[]> {
    if (from.getTime() > to.getTime()) return [];
    const lower = isoInstant(from);
    const upper = `${isoInstant(to)}${RANGE_END}`;
    const items: Record<string, unknown>[] = [];
    for (const day of dayPartitions(from, to)) {
      items.push(
        ...(await this.queryAll({
          TableName: this.tableName,
          IndexName: AuditTableDesign.timeIndexName,
          KeyConditionExpression: '#day = :day AND #at BETWEEN :from AND :to',
          ExpressionAttributeNames: {
            '#day': AuditTableDesign.timeIndexPartitionKey,
            '#at': AuditTableDesign.timeIndexSortKey,
          },
          ExpressionAttributeValues: { ':day': day, ':from': lower, ':to': upper },
        })),
      );
    }
    // Days come in order and each day's index is sorted already; the sort keeps that promise explicit and stable.
    return items.map(toAuditItem).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /** Every page of one Query. */
  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await dynamoCall('Query', this.options.region, () =>
        this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

export type { AuditItem };
export { AuditTrail, auditPut };
