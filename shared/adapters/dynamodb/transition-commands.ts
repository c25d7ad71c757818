/**
 * The conditional writes behind actions in flight, as plain command inputs: the intent recorded on the state item
 * before the EC2 call (`gsi1pk = PENDING`, `gsi1sk = ACTION#<updatedAt>#<id>`), its take-over by a recovering pass,
 * and the state change of a committed transition. The `by-time` index keeps pending work queryable without a Scan
 * and out of the `DAY#` partitions of audit events.
 */
import type { QueryCommandInput, TransactWriteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { AuditTableDesign } from '../../config/audit-table';
import type { ReaperEvent } from '../../core/events';
import type { StateChange } from '../../core/ports';
import {
  approvalPut,
  clearDelete,
  finishUpdate,
  namesOf,
  noticePut,
  type StateContext,
  snoozePut,
  stateUpdate,
  warnPut,
} from './warning-commands';

/** One item of a TransactWriteItems call (document-client shapes). */
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const { timeIndexName, timeIndexPartitionKey: GSI_PK, timeIndexSortKey: GSI_SK } = AuditTableDesign;

/** The `by-time` partition of pending work (actions in flight, unsent notifications). */
const PENDING = 'PENDING';
/** An `updatedAt` before every lease cutoff: a lapsed lease, free for the next pass. */
const LAPSED = new Date(0).toISOString();

/** Options shared by the adapters that write state: the same clock, retention and lease as `WarningStore`. */
interface StateTableOptions {
  /** Region of the table, named in errors. @default undefined */
  readonly region?: string;
  /** The wall clock for `updatedAt`, TTLs and leases. @default () => new Date() */
  readonly now?: () => Date;
  /** How long a state item outlives its last transition. @default 30 days */
  readonly retentionSeconds?: number;
  /** How long an `acting` claim or an outbox claim holds. @default 15 minutes (the Lambda maximum) */
  readonly actingLeaseMs?: number;
}

/** The clock and limits of one call, as `WarningStore` computes them. */
function stateContext(tableName: string, options: StateTableOptions): StateContext {
  const now = options.now?.() ?? new Date();
  return {
    tableName,
    now,
    retentionSeconds: options.retentionSeconds ?? 30 * 86_400,
    leaseCutoff: new Date(now.getTime() - (options.actingLeaseMs ?? 15 * 60_000)).toISOString(),
  };
}

/** `gsi1sk` of pending work: kind, the instant its lease started, the instance. */
function pendingSortKey(kind: 'ACTION' | 'OUTBOX', since: string, instanceId: string): string {
  return `${kind}#${since}#${instanceId}`;
}

const HELD = '#phase = :acting AND #passId = :passId';

/** Records the intended event on the `acting` state `passId` holds, and lists it as pending work. */
function intentUpdate(context: StateContext, instanceId: string, passId: string, event: ReaperEvent) {
  const now = context.now.toISOString();
  return stateUpdate(
    context,
    instanceId,
    'SET #intent = :intent, #updatedAt = :now, #gsi1pk = :pending, #gsi1sk = :sk',
    HELD,
    {
      ':intent': JSON.stringify(event),
      ':now': now,
      ':pending': PENDING,
      ':sk': pendingSortKey('ACTION', now, instanceId),
      ':acting': 'acting',
      ':passId': passId,
    },
  );
}

/** Ends `passId`'s lease now: the next pass's recovery (or `claimAct`) may take the action over at once. */
function lapseUpdate(context: StateContext, instanceId: string, passId: string) {
  return stateUpdate(context, instanceId, 'SET #updatedAt = :lapsed, #gsi1sk = :sk', HELD, {
    ':lapsed': LAPSED,
    ':sk': pendingSortKey('ACTION', LAPSED, instanceId),
    ':acting': 'acting',
    ':passId': passId,
  });
}

/** `acting` → `warned`, intent dropped: the action did not happen; the warning stands. */
function releaseIntentUpdate(context: StateContext, instanceId: string, passId: string) {
  return stateUpdate(
    context,
    instanceId,
    'SET #phase = :warned, #updatedAt = :now REMOVE #intent, #gsi1pk, #gsi1sk',
    HELD,
    {
      ':warned': 'warned',
      ':now': context.now.toISOString(),
      ':acting': 'acting',
      ':passId': passId,
    },
  );
}

/** An abandoned intent (lease run out) → held by `passId`, returning the item so the intent is read atomically. */
function takeOverUpdate(context: StateContext, instanceId: string, passId: string): UpdateCommandInput {
  const now = context.now.toISOString();
  return {
    ...stateUpdate(
      context,
      instanceId,
      'SET #passId = :passId, #updatedAt = :now, #gsi1sk = :sk',
      '#phase = :acting AND attribute_exists(#intent) AND #updatedAt < :leaseCutoff',
      {
        ':passId': passId,
        ':now': now,
        ':sk': pendingSortKey('ACTION', now, instanceId),
        ':acting': 'acting',
        ':leaseCutoff': context.leaseCutoff,
      },
    ),
    ReturnValues: 'ALL_NEW',
  };
}

/** Pending work of one kind whose lease started before the cutoff: one Query on the `by-time` index. */
function pendingQuery(context: StateContext, kind: 'ACTION' | 'OUTBOX'): QueryCommandInput {
  return {
    TableName: context.tableName,
    IndexName: timeIndexName,
    KeyConditionExpression: '#pk = :pending AND #sk BETWEEN :from AND :to',
    ExpressionAttributeNames: { '#pk': GSI_PK, '#sk': GSI_SK },
    ExpressionAttributeValues: { ':pending': PENDING, ':from': `${kind}#`, ':to': `${kind}#${context.leaseCutoff}` },
  };
}

/**
 * The state change of a transaction. A new warning also waits for an intent still in flight (recovery settles it
 * first); finishing drops the intent and leaves the pending work.
 */
function changeItem(context: StateContext, change: StateChange): TransactItem {
  switch (change.kind) {
    case 'warn': {
      const put = warnPut(context, change.claim);
      const condition = `(${put.ConditionExpression}) AND attribute_not_exists(#intent)`;
      return { Put: { ...put, ConditionExpression: condition, ExpressionAttributeNames: namesOf(condition) } };
    }
    case 'clear':
      return { Delete: clearDelete(context, change.instanceId, change.expected, change.passId) };
    case 'finish': {
      const update = finishUpdate(context, change.instanceId, change.phase, change.passId);
      const expression = `${update.UpdateExpression} REMOVE #intent, #gsi1pk, #gsi1sk`;
      const names = namesOf(expression, update.ConditionExpression ?? '');
      return { Update: { ...update, UpdateExpression: expression, ExpressionAttributeNames: names } };
    }
    case 'notice':
      return { Put: noticePut(context, change.instanceId, change.key, change.ttlSeconds) };
    case 'snooze':
      return { Put: snoozePut(context, change) };
    case 'approval':
      return { Put: approvalPut(context, change) };
  }
}

export type { StateTableOptions, TransactItem };
export {
  changeItem,
  intentUpdate,
  LAPSED,
  lapseUpdate,
  PENDING,
  pendingQuery,
  pendingSortKey,
  releaseIntentUpdate,
  stateContext,
  takeOverUpdate,
};
