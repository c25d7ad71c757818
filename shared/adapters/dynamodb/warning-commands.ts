/**
 * The conditional writes behind each warning-state transition, as plain command inputs. The conditions are the
 * whole of the exactly-once promise: DynamoDB applies each for one caller only.
 */
import type { DeleteCommandInput, PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { AuditTableDesign } from '../../config/audit-table';
import type { WarnClaim } from '../../core/ports';
import type { RuleName } from '../../engine/types';
import { approvalKey, isoInstant, noticeKey, snoozeKey, stateKey, ttlAfter } from './dynamo-items';

// Placeholders are named after their attributes (`#ttl` for `ttl`), so `namesOf` can map them back.
const { partitionKey: PK, ttlAttribute: TTL } = AuditTableDesign;

/** The clock and limits every transition is evaluated with. */
interface StateContext {
  readonly tableName: string;
  readonly now: Date;
  /** How long a state item outlives its due time or its last transition. */
  readonly retentionSeconds: number;
  /** `acting` claims last updated before this instant are abandoned (the pass died) and may be taken over. */
  readonly leaseCutoff: string;
}

const epochSeconds = (instant: Date) => Math.floor(instant.getTime() / 1000);

/** `#name` placeholders of an expression, mapped to the attribute names they stand for. */
function namesOf(...expressions: string[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [placeholder] of expressions.join(' ').matchAll(/#\w+/g)) names[placeholder] = placeholder.slice(1);
  return names;
}

/** One conditional UpdateItem on the item at `key`, its placeholders named after their attributes. */
function conditionalUpdate(
  tableName: string,
  key: Record<string, string>,
  update: string,
  condition: string,
  values: Record<string, unknown>,
): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: namesOf(update, condition),
    ExpressionAttributeValues: values,
  };
}

/** One conditional UpdateItem on the state item of `instanceId`. */
function stateUpdate(
  context: StateContext,
  instanceId: string,
  update: string,
  condition: string,
  values: Record<string, unknown>,
): UpdateCommandInput {
  return conditionalUpdate(context.tableName, stateKey(instanceId), update, condition, values);
}

/**
 * Puts a `warned` state unless a live warning for the same rule and the same launch exists. Expired items (TTL
 * deletion is lazy), states of an earlier launch, and other rules' states give way; an `acting` state of another
 * rule gives way only once its lease has run out, so a warning never pulls the rug from a pass mid-action.
 */
function warnPut(context: StateContext, claim: WarnClaim): PutCommandInput {
  const launchTime = isoInstant(claim.launchTime);
  const keepUntil = new Date(Math.max(context.now.getTime(), claim.actAt.getTime()));
  const condition = [
    `attribute_not_exists(${PK})`,
    `#${TTL} < :nowSeconds`,
    'attribute_not_exists(#launchTime)',
    '#launchTime <> :launchTime',
    '(#rule <> :rule AND (#phase <> :acting OR #updatedAt < :leaseCutoff))',
  ].join(' OR ');
  return {
    TableName: context.tableName,
    Item: {
      ...stateKey(claim.instanceId),
      instanceId: claim.instanceId,
      region: claim.region,
      rule: claim.rule,
      action: claim.action,
      actAt: isoInstant(claim.actAt),
      warnedAt: isoInstant(claim.warnedAt),
      // The grace runs from delivery: until the owner's message is out, the action waits (see deliveredUpdate).
      delivered: false,
      phase: 'warned',
      passId: claim.passId,
      updatedAt: context.now.toISOString(),
      launchTime,
      [TTL]: ttlAfter(keepUntil, context.retentionSeconds),
    },
    ConditionExpression: condition,
    ExpressionAttributeNames: namesOf(condition),
    ExpressionAttributeValues: {
      ':nowSeconds': epochSeconds(context.now),
      ':launchTime': launchTime,
      ':rule': claim.rule,
      ':acting': 'acting',
      ':leaseCutoff': context.leaseCutoff,
    },
  };
}

/** The owner's message of this warning went out at `at`: the grace runs from then. Once, for this warning only. */
function deliveredUpdate(
  context: StateContext,
  instanceId: string,
  expected: { readonly rule: RuleName; readonly actAt: Date },
  at: Date,
): UpdateCommandInput {
  return stateUpdate(
    context,
    instanceId,
    'SET #deliveredAt = :at REMOVE #delivered',
    '#rule = :rule AND #actAt = :actAt AND attribute_not_exists(#deliveredAt)',
    { ':at': isoInstant(at), ':rule': expected.rule, ':actAt': isoInstant(expected.actAt) },
  );
}

/** `warned` (or an abandoned `acting`) → `acting` for `passId`, if the warning still promises this rule and time. */
function actUpdate(
  context: StateContext,
  instanceId: string,
  expected: { readonly rule: RuleName; readonly actAt: Date },
  passId: string,
): UpdateCommandInput {
  return stateUpdate(
    context,
    instanceId,
    'SET #phase = :acting, #passId = :passId, #updatedAt = :now',
    '#rule = :rule AND #actAt = :actAt AND (#phase = :warned OR (#phase = :acting AND #updatedAt < :leaseCutoff))',
    {
      ':acting': 'acting',
      ':warned': 'warned',
      ':passId': passId,
      ':now': context.now.toISOString(),
      ':rule': expected.rule,
      ':actAt': isoInstant(expected.actAt),
      ':leaseCutoff': context.leaseCutoff,
    },
  );
}

/** `acting` → `phase`, only by the pass that holds the claim. */
function finishUpdate(
  context: StateContext,
  instanceId: string,
  phase: 'acted' | 'protected' | 'warned',
  passId: string,
): UpdateCommandInput {
  // Back to `warned` keeps the TTL (the warning still stands); a final phase is kept for the retention from now.
  const ttl = phase === 'warned' ? '' : `, #${TTL} = :ttl`;
  return stateUpdate(
    context,
    instanceId,
    `SET #phase = :phase, #updatedAt = :now${ttl}`,
    '#phase = :acting AND #passId = :passId',
    {
      ':phase': phase,
      ':now': context.now.toISOString(),
      ':acting': 'acting',
      ':passId': passId,
      ...(phase === 'warned' ? {} : { ':ttl': ttlAfter(context.now, context.retentionSeconds) }),
    },
  );
}

/**
 * Deletes the state if it still promises this rule and time. With `passId`, also only if no other pass is acting
 * on it (the caller itself may hold the `acting` claim); without, whatever the phase.
 */
function clearDelete(
  context: StateContext,
  instanceId: string,
  expected: { readonly rule: RuleName; readonly actAt: Date },
  passId?: string,
): DeleteCommandInput {
  const notOthersAct = passId === undefined ? '' : ' AND (#phase <> :acting OR #passId = :passId)';
  const condition = `#rule = :rule AND #actAt = :actAt${notOthersAct}`;
  return {
    TableName: context.tableName,
    Key: stateKey(instanceId),
    ConditionExpression: condition,
    ExpressionAttributeNames: namesOf(condition),
    ExpressionAttributeValues: {
      ':rule': expected.rule,
      ':actAt': isoInstant(expected.actAt),
      ...(passId === undefined ? {} : { ':acting': 'acting', ':passId': passId }),
    },
  };
}

/**
 * A put that succeeds only where no live item is: none at all, or one whose TTL has passed (TTL deletion is lazy),
 * or one `alsoWhen` says may be replaced.
 */
function freshPut(
  context: StateContext,
  item: Record<string, unknown>,
  ttlSeconds: number,
  alsoWhen?: { readonly condition: string; readonly values: Record<string, unknown> },
): PutCommandInput {
  const condition = [`attribute_not_exists(${PK})`, alsoWhen?.condition, `#${TTL} < :nowSeconds`]
    .filter((part): part is string => part !== undefined)
    .join(' OR ');
  return {
    TableName: context.tableName,
    Item: { ...item, [TTL]: ttlAfter(context.now, ttlSeconds) },
    ConditionExpression: condition,
    ExpressionAttributeNames: namesOf(condition),
    ExpressionAttributeValues: { ':nowSeconds': epochSeconds(context.now), ...alsoWhen?.values },
  };
}

/** A tag value the reaper saw, and when it first did (a snooze's or an approval's). */
interface Sighting {
  readonly instanceId: string;
  readonly value: string;
  readonly firstSeenAt: Date;
  readonly ttlSeconds: number;
}

/**
 * Remembers the first sighting of a tag value under `key`, its value in `valueAttribute`: written only when the
 * value is new, so a far-future value keeps its first sighting (and its ceiling) however often it is read again.
 */
function sightingPut(
  context: StateContext,
  key: Record<string, string>,
  valueAttribute: 'snoozeValue' | 'approvalValue',
  sighting: Sighting,
): PutCommandInput {
  const item = {
    ...key,
    instanceId: sighting.instanceId,
    [valueAttribute]: sighting.value,
    firstSeenAt: isoInstant(sighting.firstSeenAt),
  };
  return freshPut(context, item, sighting.ttlSeconds, {
    condition: `#${valueAttribute} <> :value`,
    values: { ':value': sighting.value },
  });
}

/** The first sighting of a `snooze-until` value (its `snooze.ceiling` counts from then). */
function snoozePut(context: StateContext, sighting: Sighting): PutCommandInput {
  return sightingPut(context, snoozeKey(sighting.instanceId), 'snoozeValue', sighting);
}

/** The first sighting of an `approved-until` value (capped at it + `maxRuntime.ceiling`). */
function approvalPut(context: StateContext, sighting: Sighting): PutCommandInput {
  return sightingPut(context, approvalKey(sighting.instanceId), 'approvalValue', sighting);
}

/** A once-only notice marker; an expired one still present (TTL deletion is lazy) counts as gone. */
function noticePut(context: StateContext, instanceId: string, key: string, ttlSeconds: number): PutCommandInput {
  const item = { ...noticeKey(instanceId, key), instanceId, notice: key, createdAt: context.now.toISOString() };
  return freshPut(context, item, ttlSeconds);
}

export type { StateContext, WarnClaim };
export {
  actUpdate,
  approvalPut,
  clearDelete,
  conditionalUpdate,
  deliveredUpdate,
  finishUpdate,
  namesOf,
  noticePut,
  snoozePut,
  stateUpdate,
  warnPut,
};
