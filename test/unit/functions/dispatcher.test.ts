/**
 * The dispatcher handler on a schedule tick: one SQS message per target whose lease it took, none for a target
 * still in flight, and a refused message's lease given back.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
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
    // No target passed yet: every target is due.
    dynamo.on(QueryCommand).resolves({ Items: [] });
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

    expect(result).toEqual({ targets: 12, enqueued: 12, stillInFlight: 0, quiet: 0 });
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
    expect(await handler(event, context)).toEqual({ targets: 12, enqueued: 11, stillInFlight: 1, quiet: 0 });
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

  it('leaves out a quiet target that is not due, and reads every state with one Query', async () => {
    const quiet = targets[3]!;
    const tick = new Date(Date.now() - 10 * 60_000).toISOString();
    dynamo.on(QueryCommand).resolves({
      Items: [
        {
          pk: 'TARGET#STATES',
          sk: `${quiet.accountId}#${quiet.region}`,
          ...quiet,
          tick,
          passedAt: tick,
          status: 'ok',
          gpuInstances: 0,
        },
      ],
    });
    dynamo.on(PutCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const { handler } = await import('../../../functions/dispatcher');
    expect(await handler(event, context)).toEqual({ targets: 12, enqueued: 11, stillInFlight: 0, quiet: 1 });
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(PutCommand).some((call) => call.args[0].input.Item?.pk?.includes(quiet.accountId))).toBe(
      false,
    );
  });
});
