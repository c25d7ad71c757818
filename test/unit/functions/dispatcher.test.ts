/**
 * The dispatcher handler on a schedule tick: one SQS message per target whose lease it took, none for a target
 * still in flight, and a refused message's lease given back.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EnvName } from '../../../shared/config';
import { parseTargetMessage } from '../../../shared/fan-out/target-message';

const resolveTargets = vi.fn();
vi.mock('../../../shared/pass/targets/target', () => ({ resolveTargets }));

const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const saved = { ...process.env };
const event = { 'detail-type': 'Scheduled Event', source: 'aws.events' } as ScheduledEvent;
const context = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dispatcher' } as Context;
const targets = Array.from({ length: 12 }, (_, i) => ({
  accountId: String(100000000000 + i),
  region: i % 2 === 0 ? 'us-east-1' : 'us-west-2',
  ouPath: ['r-ab12', 'ou-ab12-34cd56ef'],
}));
const conditionFailed = Object.assign(new Error('The conditional request failed'), {
  name: 'ConditionalCheckFailedException',
});

describe('the dispatcher handler', () => {
  beforeEach(() => {
    vi.resetModules();
    dynamo.reset();
    sqs.reset();
    resolveTargets.mockReset().mockResolvedValue(targets);
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ accounts: { organization: { ous: ['ou-ab12-34cd56ef'] } } }),
      [EnvName.Table]: 'audit',
      [EnvName.TargetQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/targets',
      [EnvName.TargetLeaseMs]: '2100000',
      AWS_REGION: 'us-east-1',
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('sends one message per target, ten to a batch, each with its lease token', async () => {
    dynamo.on(PutCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const { handler } = await import('../../../functions/dispatcher');
    const result = await handler(event, context);

    expect(result).toEqual({ targets: 12, enqueued: 12, stillInFlight: 0 });
    expect(resolveTargets.mock.calls[0]?.[1]).toMatchObject({ homeAccountId: '123456789012', homeRegion: 'us-east-1' });
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries ?? []);
    expect(batches.map((entries) => entries.length).sort()).toEqual([10, 2].sort());
    const messages = batches.flat().map((entry) => parseTargetMessage(entry.MessageBody ?? ''));
    expect(messages.map((m) => `${m.accountId}/${m.region}`).sort()).toEqual(
      targets.map((t) => `${t.accountId}/${t.region}`).sort(),
    );
    const puts = dynamo.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(12);
    expect(puts[0]?.ConditionExpression).toBe('attribute_not_exists(pk) OR #until < :now');
    const leaseOf = new Map(puts.map((put) => [put.Item?.pk, put.Item?.token]));
    for (const m of messages) expect(leaseOf.get(`TARGET#${m.accountId}#${m.region}`)).toBe(m.leaseToken);
  });

  it('does not enqueue a target whose previous message is still in flight', async () => {
    const busy = `TARGET#${targets[0]?.accountId}#us-east-1`;
    dynamo.on(PutCommand).callsFake(async (input: { Item?: { pk?: string } }) => {
      if (input.Item?.pk === busy) throw conditionFailed;
      return {};
    });
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const { handler } = await import('../../../functions/dispatcher');
    expect(await handler(event, context)).toEqual({ targets: 12, enqueued: 11, stillInFlight: 1 });
    const sent = sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    expect(sent.some((entry) => entry.MessageBody?.includes(targets[0]?.accountId ?? '-'))).toBe(false);
  });

  it('gives back the lease of a message SQS refused', async () => {
    dynamo.on(PutCommand).resolves({}).on(DeleteCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    const { handler } = await import('../../../functions/dispatcher');
    const result = await handler(event, context);
    expect(result.enqueued).toBe(10);
    expect(dynamo.commandCalls(DeleteCommand)).toHaveLength(2);
  });
});
