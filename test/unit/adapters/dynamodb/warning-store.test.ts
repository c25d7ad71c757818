import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { WarningStore } from '../../../../shared/adapters/dynamodb/warning-store';
import { AwsError } from '../../../../shared/errors';

const TABLE = 'audit';
const NOW = new Date('2026-11-21T13:00:00.000Z');
const ACT_AT = new Date('2026-11-21T13:30:00.000Z');
const LAUNCH = '2026-11-21T08:00:00.000Z';
const dynamo = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const sleep = vi.fn(async (_ms: number) => {});
const store = new WarningStore(client, TABLE, { region: 'us-east-1', now: () => NOW, sleep });

const refused = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const claim = {
  instanceId: 'i-1',
  region: 'us-east-1',
  rule: 'idle',
  action: 'stop',
  actAt: ACT_AT,
  warnedAt: NOW,
  launchTime: LAUNCH,
  passId: 'pass-a',
} as const;
// The item claimWarn writes for `claim`; reads use it too.
const stateItem = (instanceId: string, extra: Record<string, unknown> = {}) => ({
  ...{ pk: `INSTANCE#${instanceId}`, sk: 'STATE', instanceId, region: 'us-east-1', rule: 'idle', action: 'stop' },
  ...{ actAt: ACT_AT.toISOString(), warnedAt: NOW.toISOString(), phase: 'warned', passId: 'pass-a' },
  ...{ updatedAt: NOW.toISOString(), launchTime: LAUNCH, ttl: Math.floor(ACT_AT.getTime() / 1000) + 30 * 86_400 },
  ...extra,
});

beforeEach(() => {
  dynamo.reset();
  sleep.mockClear();
});

describe('WarningStore.load', () => {
  it('reads at most 100 keys a call, consistently, each instance once, and nothing for no instances', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
    expect((await store.load([])).size).toBe(0);
    expect(dynamo.calls()).toHaveLength(0);
    const ids = Array.from({ length: 250 }, (_, index) => `i-${index}`);
    await store.load([...ids, 'i-0']);
    const calls = dynamo.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.[TABLE]);
    expect(calls.map((request) => request?.Keys?.length)).toEqual([100, 100, 50]);
    expect(calls.every((request) => request?.ConsistentRead === true)).toBe(true);
    expect(calls[0]?.Keys?.[0]).toEqual({ pk: 'INSTANCE#i-0', sk: 'STATE' });
  });

  it('returns the stored warning as engine data', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [stateItem('i-1', { phase: 'acting' })] } });
    const states = await store.load(['i-1', 'i-2']);
    expect([...states.keys()]).toEqual(['i-1']);
    expect(states.get('i-1')).toEqual({
      rule: 'idle',
      action: 'stop',
      actAt: ACT_AT,
      warnedAt: NOW,
      phase: 'acting',
      launchTime: LAUNCH,
      passId: 'pass-a',
    });
  });

  it('treats expired and unreadable items as absent', async () => {
    const expired = stateItem('i-1', { ttl: Math.floor(NOW.getTime() / 1000) - 1 });
    const badPhase = stateItem('i-2', { phase: 'exploded' });
    const badDate = stateItem('i-3', { actAt: 'soon' });
    dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [expired, badPhase, badDate] } });
    expect((await store.load(['i-1', 'i-2', 'i-3'])).size).toBe(0);
  });

  it('retries unprocessed keys with backoff', async () => {
    const second = { pk: 'INSTANCE#i-2', sk: 'STATE' };
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { [TABLE]: [stateItem('i-1')] }, UnprocessedKeys: { [TABLE]: { Keys: [second] } } })
      .resolvesOnce({ Responses: { [TABLE]: [stateItem('i-2')] } });
    const states = await store.load(['i-1', 'i-2']);
    expect([...states.keys()].sort()).toEqual(['i-1', 'i-2']);
    expect(dynamo.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([second]);
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('fails with an AwsError when keys stay unprocessed', async () => {
    const key = { pk: 'INSTANCE#i-1', sk: 'STATE' };
    dynamo.on(BatchGetCommand).resolves({ UnprocessedKeys: { [TABLE]: { Keys: [key] } } });
    await expect(store.load(['i-1'])).rejects.toMatchObject({ operation: 'BatchGetItem', code: 'AWS_CALL' });
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(8);
  });
});

describe('WarningStore.claimWarn', () => {
  it('puts the warned state under a condition that admits only a new, stale or other-rule state', async () => {
    dynamo.on(PutCommand).resolves({});
    expect(await store.claimWarn(claim)).toBe(true);
    const input = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    // Written undelivered: the grace runs from when the owner's message goes out (markDelivered).
    expect(input?.Item).toEqual(stateItem('i-1', { delivered: false }));
    expect(input?.Item).not.toHaveProperty('event');
    expect(input?.ConditionExpression).toContain('attribute_not_exists(pk)');
    expect(input?.ConditionExpression).toContain('#launchTime <> :launchTime');
    expect(input?.ConditionExpression).toContain('#rule <> :rule');
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':rule': 'idle', ':launchTime': LAUNCH });
  });

  it('answers false when another pass warned first', async () => {
    dynamo.on(PutCommand).rejects(refused());
    expect(await store.claimWarn(claim)).toBe(false);
  });

  it('wraps any other failure into an AwsError with the SDK error as cause', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    dynamo.on(PutCommand).rejects(throttled);
    const error = await store.claimWarn(claim).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ operation: 'PutItem', region: 'us-east-1', cause: throttled });
  });
});

describe('WarningStore act transitions', () => {
  it('claims the act only from warned, for the same rule and due time', async () => {
    dynamo.on(UpdateCommand).resolves({});
    expect(await store.claimAct('i-1', { rule: 'idle', actAt: ACT_AT }, 'pass-b')).toBe(true);
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ pk: 'INSTANCE#i-1', sk: 'STATE' });
    expect(input?.UpdateExpression).toBe('SET #phase = :acting, #passId = :passId, #updatedAt = :now');
    expect(input?.ConditionExpression).toContain('#rule = :rule AND #actAt = :actAt AND (#phase = :warned');
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':passId': 'pass-b',
      ':actAt': ACT_AT.toISOString(),
      ':leaseCutoff': '2026-11-21T12:45:00.000Z',
    });
  });

  it('answers false when another pass claimed the act', async () => {
    dynamo.on(UpdateCommand).rejects(refused());
    expect(await store.claimAct('i-1', { rule: 'idle', actAt: ACT_AT }, 'pass-b')).toBe(false);
  });

  it('finishes and releases only the claim this pass holds, quietly when it lost it', async () => {
    dynamo.on(UpdateCommand).rejects(refused());
    await expect(store.finishAct('i-1', 'acted', 'pass-b')).resolves.toBeUndefined();
    await expect(store.releaseAct('i-1', 'pass-b')).resolves.toBeUndefined();
    const [finish, release] = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(finish?.ConditionExpression).toBe('#phase = :acting AND #passId = :passId');
    expect(finish?.ExpressionAttributeValues).toMatchObject({ ':phase': 'acted', ':passId': 'pass-b' });
    expect(finish?.UpdateExpression).toContain('#ttl = :ttl');
    expect(release?.ExpressionAttributeValues).toMatchObject({ ':phase': 'warned', ':acting': 'acting' });
    expect(release?.UpdateExpression).not.toContain('#ttl');
  });
});

describe('WarningStore.claimClear', () => {
  it('deletes only a state that still promises this rule and due time, once', async () => {
    dynamo.on(DeleteCommand).resolves({});
    expect(await store.claimClear('i-1', { rule: 'idle', actAt: ACT_AT })).toBe(true);
    const input = dynamo.commandCalls(DeleteCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ pk: 'INSTANCE#i-1', sk: 'STATE' });
    expect(input?.ConditionExpression).toBe('#rule = :rule AND #actAt = :actAt');
    expect(input?.ExpressionAttributeNames).toEqual({ '#rule': 'rule', '#actAt': 'actAt' });
    dynamo.on(DeleteCommand).rejects(refused());
    expect(await store.claimClear('i-1', { rule: 'idle', actAt: ACT_AT })).toBe(false);
  });

  it('with a pass id, refuses while another pass is acting but lets that pass clear its own claim', async () => {
    dynamo.on(DeleteCommand).resolves({});
    await store.claimClear('i-1', { rule: 'idle', actAt: ACT_AT }, 'pass-b');
    const input = dynamo.commandCalls(DeleteCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toContain('AND (#phase <> :acting OR #passId = :passId)');
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':passId': 'pass-b' });
  });
});

describe('WarningStore.claimNotice', () => {
  it('puts a once-only marker that expires after ttlSeconds', async () => {
    dynamo.on(PutCommand).resolvesOnce({}).rejects(refused());
    expect(await store.claimNotice('i-1', `no-telemetry#${LAUNCH}`, 3600)).toBe(true);
    expect(await store.claimNotice('i-1', `no-telemetry#${LAUNCH}`, 3600)).toBe(false);
    const input = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.Item).toMatchObject({
      pk: 'INSTANCE#i-1',
      sk: `NOTICE#no-telemetry#${LAUNCH}`,
      ttl: Math.floor(NOW.getTime() / 1000) + 3600,
    });
    expect(input?.Item).not.toHaveProperty('event');
    expect(input?.ConditionExpression).toBe('attribute_not_exists(pk) OR #ttl < :nowSeconds');
  });
});

describe('WarningStore.markDelivered', () => {
  it('stamps the delivery once, only on the warning it was sent for', async () => {
    dynamo.on(UpdateCommand).resolves({});
    const at = new Date('2025-06-02T12:05:00Z');
    await store.markDelivered('i-1', { rule: 'idle', actAt: ACT_AT }, at);
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).toBe('SET #deliveredAt = :at REMOVE #delivered');
    expect(input?.ConditionExpression).toBe('#rule = :rule AND #actAt = :actAt AND attribute_not_exists(#deliveredAt)');
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':at': at.toISOString(), ':rule': 'idle' });
  });

  it('reads an undelivered warning as such, a delivered one with its time, and an older item as delivered', async () => {
    const at = '2025-06-02T12:05:00.000Z';
    dynamo.on(BatchGetCommand).resolves({
      Responses: {
        [TABLE]: [
          stateItem('i-new', { delivered: false }),
          stateItem('i-sent', { deliveredAt: at }),
          stateItem('i-old'),
        ],
      },
    });
    const states = await store.load(['i-new', 'i-sent', 'i-old']);
    expect(states.get('i-new')?.deliveredAt).toBeNull();
    expect(states.get('i-sent')?.deliveredAt).toEqual(new Date(at));
    expect(states.get('i-old')).not.toHaveProperty('deliveredAt');
  });
});
