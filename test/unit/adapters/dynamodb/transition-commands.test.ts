/**
 * The conditional writes behind intents, take-overs and the outbox: the conditions are the exactly-once promise,
 * and pending work lives in the `PENDING` partition of the `by-time` index, never in a day partition.
 */
import { describe, expect, it } from 'vitest';
import {
  outboxClaim,
  outboxPut,
  outboxRelease,
  outboxSent,
} from '../../../../shared/adapters/dynamodb/outbox-commands';
import {
  changeItem,
  intentUpdate,
  LAPSED,
  lapseUpdate,
  pendingQuery,
  releaseIntentUpdate,
  stateContext,
  takeOverUpdate,
} from '../../../../shared/adapters/dynamodb/transition-commands';
import type { ReaperEvent } from '../../../../shared/core/events';

const NOW = new Date('2026-11-21T13:05:00.000Z');
const context = stateContext('audit', { now: () => NOW, actingLeaseMs: 15 * 60_000 });
const event = { transitionId: 'i-1:STOPPED:idle:T', instanceId: 'i-1', event: 'STOPPED' } as ReaperEvent;
const key = { instanceId: 'i-1', transitionId: event.transitionId };

describe('intents of actions in flight', () => {
  it('records the intent on the claim this pass holds and lists it as pending work', () => {
    const input = intentUpdate(context, 'i-1', 'p-1', event);
    expect(input.ConditionExpression).toBe('#phase = :acting AND #passId = :passId');
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':intent': JSON.stringify(event),
      ':pending': 'PENDING',
      ':sk': `ACTION#${NOW.toISOString()}#i-1`,
    });
  });

  it('takes over only an intent whose lease ran out, reading it back atomically', () => {
    const input = takeOverUpdate(context, 'i-1', 'p-2');
    expect(input.ConditionExpression).toContain('attribute_exists(#intent) AND #updatedAt < :leaseCutoff');
    expect(input.ExpressionAttributeValues?.[':leaseCutoff']).toBe('2026-11-21T12:50:00.000Z');
    expect(input.ReturnValues).toBe('ALL_NEW');
  });

  it('lapses a lease at once, and releases an intent back to warned', () => {
    expect(lapseUpdate(context, 'i-1', 'p-1').ExpressionAttributeValues?.[':lapsed']).toBe(LAPSED);
    expect(releaseIntentUpdate(context, 'i-1', 'p-1').UpdateExpression).toContain('REMOVE #intent, #gsi1pk, #gsi1sk');
  });

  it('finds pending work with one Query on the PENDING partition, bounded by the lease', () => {
    expect(pendingQuery(context, 'OUTBOX')).toMatchObject({
      IndexName: 'by-time',
      ExpressionAttributeValues: {
        ':pending': 'PENDING',
        ':from': 'OUTBOX#',
        ':to': 'OUTBOX#2026-11-21T12:50:00.000Z',
      },
    });
  });
});

describe('state changes of a transaction', () => {
  it('lets a new warning wait for an intent still in flight', () => {
    const claim = {
      instanceId: 'i-1',
      region: 'us-east-1',
      rule: 'idle',
      action: 'stop',
      actAt: NOW,
      warnedAt: NOW,
      launchTime: NOW.toISOString(),
      passId: 'p-1',
    } as const;
    const put = changeItem(context, { kind: 'warn', claim }).Put;
    expect(put?.ConditionExpression).toMatch(/\) AND attribute_not_exists\(#intent\)$/);
    expect(put?.ExpressionAttributeNames).toMatchObject({ '#intent': 'intent' });
  });

  it('drops the intent and the pending listing when an action is finished', () => {
    const update = changeItem(context, { kind: 'finish', instanceId: 'i-1', phase: 'acted', passId: 'p-1' }).Update;
    expect(update?.UpdateExpression).toMatch(/REMOVE #intent, #gsi1pk, #gsi1sk$/);
    expect(update?.ConditionExpression).toBe('#phase = :acting AND #passId = :passId');
  });
});

describe('outbox entries', () => {
  it('queues a transition once, held by the committing pass, with no event attribute', () => {
    const put = outboxPut(context, event, 'p-1');
    expect(put.Item).toMatchObject({
      sk: `OUTBOX#${event.transitionId}`,
      payload: JSON.stringify(event),
      claimedBy: 'p-1',
      gsi1pk: 'PENDING',
    });
    expect(put.Item).not.toHaveProperty('event');
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk) OR #ttl < :nowSeconds');
  });

  it('claims only an unsent entry nobody holds, and marks sent or releases only its own claim', () => {
    expect(outboxClaim(context, key, 'p-2').ConditionExpression).toBe(
      'attribute_exists(#payload) AND #claimedAt < :leaseCutoff',
    );
    const sent = outboxSent(context, key, 'p-2');
    expect(sent.UpdateExpression).toContain('REMOVE #payload, #gsi1pk, #gsi1sk');
    expect(sent.ConditionExpression).toBe('#claimedBy = :passId');
    expect(outboxRelease(context, key, 'p-2').ExpressionAttributeValues?.[':lapsed']).toBe(LAPSED);
  });
});
