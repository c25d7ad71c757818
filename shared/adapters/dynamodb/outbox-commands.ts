/**
 * The outbox entry of a transition (`pk = INSTANCE#<id>`, `sk = OUTBOX#<transitionId>`): the event as JSON
 * (`payload`, never an `event` attribute: it is not an audit item), who holds it and since when, and, while unsent,
 * `gsi1pk = PENDING` / `gsi1sk = OUTBOX#<claimedAt>#<id>` so passes find it with one Query. Sent entries keep a
 * small marker until their TTL, so the same transition is never queued twice.
 */
import type { PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { AuditTableDesign } from '../../config/audit-table';
import type { ReaperEvent } from '../../core/events';
import { instancePk, ttlAfter } from './dynamo-items';
import { LAPSED, PENDING, pendingSortKey } from './transition-commands';
import { conditionalUpdate, namesOf, type StateContext } from './warning-commands';

const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = AuditTableDesign;

/** Key of the outbox entry of one transition. */
function outboxKey(instanceId: string, transitionId: string): Record<string, string> {
  return { [PK]: instancePk(instanceId), [SK]: `OUTBOX#${transitionId}` };
}

/** A new entry, held by `passId` from now; refused when this transition was queued (or sent) already. */
function outboxPut(context: StateContext, event: ReaperEvent, passId: string): PutCommandInput {
  const now = context.now.toISOString();
  const condition = `attribute_not_exists(${PK}) OR #${TTL} < :nowSeconds`;
  return {
    TableName: context.tableName,
    Item: {
      ...outboxKey(event.instanceId, event.transitionId),
      instanceId: event.instanceId,
      transitionId: event.transitionId,
      payload: JSON.stringify(event),
      claimedBy: passId,
      claimedAt: now,
      [AuditTableDesign.timeIndexPartitionKey]: PENDING,
      [AuditTableDesign.timeIndexSortKey]: pendingSortKey('OUTBOX', now, event.instanceId),
      [TTL]: ttlAfter(context.now, context.retentionSeconds),
    },
    ConditionExpression: condition,
    ExpressionAttributeNames: namesOf(condition),
    ExpressionAttributeValues: { ':nowSeconds': Math.floor(context.now.getTime() / 1000) },
  };
}

/** One conditional UpdateItem on an outbox entry. */
function entryUpdate(
  context: StateContext,
  key: { readonly instanceId: string; readonly transitionId: string },
  update: string,
  condition: string,
  values: Record<string, unknown>,
): UpdateCommandInput {
  return conditionalUpdate(context.tableName, outboxKey(key.instanceId, key.transitionId), update, condition, values);
}

/** An unsent entry nobody holds (released, or its holder's lease ran out) → held by `passId`; returns the item. */
function outboxClaim(
  context: StateContext,
  key: { readonly instanceId: string; readonly transitionId: string },
  passId: string,
): UpdateCommandInput {
  const now = context.now.toISOString();
  return {
    ...entryUpdate(
      context,
      key,
      'SET #claimedBy = :passId, #claimedAt = :now, #gsi1sk = :sk',
      'attribute_exists(#payload) AND #claimedAt < :leaseCutoff',
      {
        ':passId': passId,
        ':now': now,
        ':sk': pendingSortKey('OUTBOX', now, key.instanceId),
        ':leaseCutoff': context.leaseCutoff,
      },
    ),
    ReturnValues: 'ALL_NEW',
  };
}

/** Published by `passId`: the payload and the pending listing go, a marker stays until its TTL. */
function outboxSent(
  context: StateContext,
  key: { readonly instanceId: string; readonly transitionId: string },
  passId: string,
): UpdateCommandInput {
  return entryUpdate(
    context,
    key,
    `SET #sentAt = :now, #${TTL} = :ttl REMOVE #payload, #gsi1pk, #gsi1sk`,
    '#claimedBy = :passId',
    {
      ':now': context.now.toISOString(),
      ':ttl': ttlAfter(context.now, context.retentionSeconds),
      ':passId': passId,
    },
  );
}

/** Not published by `passId`: the entry is free for the next pass at once. */
function outboxRelease(
  context: StateContext,
  key: { readonly instanceId: string; readonly transitionId: string },
  passId: string,
): UpdateCommandInput {
  return entryUpdate(
    context,
    key,
    'SET #claimedAt = :lapsed, #gsi1sk = :sk',
    '#claimedBy = :passId AND attribute_exists(#payload)',
    { ':lapsed': LAPSED, ':sk': pendingSortKey('OUTBOX', LAPSED, key.instanceId), ':passId': passId },
  );
}

export { outboxClaim, outboxKey, outboxPut, outboxRelease, outboxSent };
