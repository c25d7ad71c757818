/**
 * The audit trail and warning-state table, keyed exactly as `AuditTableDesign` says so the adapters that read and
 * write it cannot drift from what is deployed.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { AuditTableDesign } from '../../../shared/config';

/** Options of {@link createAuditTable}. */
interface AuditTableOptions {
  /** Physical table name (config `auditTable`). @default CloudFormation generates one */
  readonly tableName?: string;
  /** What happens on stack delete. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Creates the audit table: on-demand, point-in-time recovery, encrypted, TTL on `ttl`, and the `by-time` index that
 * makes "all events between T1 and T2" a query.
 */
function createAuditTable(scope: Construct, id: string, options: AuditTableOptions = {}): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    tableName: options.tableName,
    partitionKey: { name: AuditTableDesign.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: AuditTableDesign.sortKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // The AWS managed key: encrypted at rest, and `gpu-reaper report` users need no extra KMS grant to read it.
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: AuditTableDesign.ttlAttribute,
    // The audit trail outlives the stack: retained on delete, and protected from an accidental DeleteTable.
    removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
    deletionProtection: (options.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN,
  });
  table.addGlobalSecondaryIndex({
    indexName: AuditTableDesign.timeIndexName,
    partitionKey: { name: AuditTableDesign.timeIndexPartitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: AuditTableDesign.timeIndexSortKey, type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.ALL,
  });
  return table;
}

export type { AuditTableOptions };
export { createAuditTable };
