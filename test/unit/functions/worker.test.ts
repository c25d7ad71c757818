/**
 * The worker handler with the SQS event Lambda delivers: one target per record, a failed pass reported in
 * `batchItemFailures` (SQS retries only it), the lease released only after a pass that went through, and a
 * `TargetPassFailed` metric with the target's AccountId and Region.
 */
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EnvName } from '../../../shared/config';
import { type TargetMessage, targetMessageBody } from '../../../shared/fan-out/target-message';

const runTargetPass = vi.fn();
vi.mock('../../../shared/pass/targets/run-target', () => ({ runTargetPass }));

const dynamo = mockClient(DynamoDBDocumentClient);
const saved = { ...process.env };

function record(messageId: string, message: Partial<TargetMessage> | string): SQSRecord {
  const body =
    typeof message === 'string'
      ? message
      : targetMessageBody({
          accountId: '111111111111',
          region: 'us-east-1',
          ouPath: ['r-ab12', 'ou-ab12-34cd56ef'],
          tick: '2025-06-01T12:00:00.000Z',
          leaseToken: `token-${messageId}`,
          ...message,
        });
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1748779200000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1748779200000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:GpuReaper-TargetQueue',
    awsRegion: 'us-east-1',
  };
}

const passResult = { passId: 'p-1', decisions: [], regionFailures: [] };

describe('the worker handler', () => {
  let output: string[];
  beforeEach(() => {
    vi.resetModules();
    dynamo.reset();
    runTargetPass.mockReset();
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ accounts: { ids: ['111111111111', '333333333333'] } }),
      [EnvName.Table]: 'audit',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_METRICS_NAMESPACE: 'GpuReaper',
    });
    output = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      output.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });
  const logs = () =>
    output
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('runs each record’s target pass and reports the failed ones as batchItemFailures', async () => {
    runTargetPass.mockImplementation(async (target: { accountId: string }) =>
      target.accountId === '333333333333'
        ? { target, status: 'error', error: 'role GpuReaperSpoke in account 333333333333 could not be assumed' }
        : { target, status: 'ok', result: passResult },
    );
    const { handler } = await import('../../../functions/worker');
    const event: SQSEvent = {
      Records: [
        record('m-1', {}),
        record('m-2', { accountId: '333333333333' }),
        record('m-3', { region: 'us-west-2' }),
      ],
    };
    const response = await handler(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(runTargetPass).toHaveBeenCalledTimes(3);
    expect(runTargetPass.mock.calls[0]?.[0]).toEqual({
      accountId: '111111111111',
      region: 'us-east-1',
      ouPath: ['r-ab12', 'ou-ab12-34cd56ef'],
    });
    expect(runTargetPass.mock.calls[0]?.[2]).toBe('run');
    // Leases of the passes that went through are released, each on its own token; the failed one keeps its lease.
    const released = dynamo.commandCalls(DeleteCommand).map((call) => call.args[0].input);
    expect(released.map((input) => input.ExpressionAttributeValues?.[':token'])).toEqual(['token-m-1', 'token-m-3']);
    expect(released[0]?.Key).toEqual({ pk: 'TARGET#111111111111#us-east-1', sk: 'LEASE' });
    // Every pass is recorded for the dispatcher (a failed one too: it is never quiet), newer passes never overwritten.
    const recorded = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(recorded.map((input) => [input.Key?.sk, input.ExpressionAttributeValues?.[':status']])).toEqual([
      ['111111111111#us-east-1', 'ok'],
      ['333333333333#us-east-1', 'error'],
      ['111111111111#us-west-2', 'ok'],
    ]);
    expect(recorded[0]).toMatchObject({
      Key: { pk: 'TARGET#STATES' },
      ConditionExpression: 'attribute_not_exists(passedAt) OR passedAt <= :passedAt',
      ExpressionAttributeValues: { ':gpus': 0, ':tick': '2025-06-01T12:00:00.000Z' },
    });

    const failed = logs().find((log) => JSON.stringify(log._aws ?? '').includes('TargetPassFailed'));
    expect(failed).toMatchObject({ AccountId: '333333333333', Region: 'us-east-1', TargetPassFailed: 1 });
    const done = logs().filter((log) => log.message === 'target pass done');
    expect(done.map((log) => [log.accountId, log.status])).toEqual([
      ['111111111111', 'ok'],
      ['333333333333', 'error'],
      ['111111111111', 'ok'],
    ]);
  });

  it('reports a malformed message or a thrown failure as a batch item failure, and goes on', async () => {
    runTargetPass.mockRejectedValueOnce(new Error('boom'));
    runTargetPass.mockResolvedValueOnce({ target: {}, status: 'ok', result: passResult });
    const { handler } = await import('../../../functions/worker');
    const response = await handler({
      Records: [record('bad', '{"accountId":"12"}'), record('m-4', {}), record('m-5', {})],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }, { itemIdentifier: 'm-4' }]);
  });

  it('fails the invocation with the key path when the config is bad', async () => {
    process.env[EnvName.Config] = JSON.stringify({ accounts: { ids: ['nope'] } });
    const { handler } = await import('../../../functions/worker');
    await expect(handler({ Records: [record('m-6', {})] })).rejects.toThrow(/accounts\.ids/);
  });
});
