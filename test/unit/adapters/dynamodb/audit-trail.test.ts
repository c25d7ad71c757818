import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAuditTable } from '../../../../shared/adapters/dynamodb/audit-table-setup';
import { AuditTrail } from '../../../../shared/adapters/dynamodb/audit-trail';
import type { ReaperEvent } from '../../../../shared/core/events';
import { AwsError } from '../../../../shared/errors';

const TABLE = 'audit';
const dynamo = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const trail = new AuditTrail(client, TABLE, { region: 'eu-west-1' });

const event: ReaperEvent = {
  transitionId: 'i-1:WARNED:idle:2026-11-21T13:30:00.000Z',
  event: 'WARNED',
  instanceId: 'i-1',
  region: 'eu-west-1',
  accountId: '123456789012',
  at: '2026-11-21T13:00:00.000Z',
  rule: 'idle',
  action: 'stop',
  actAt: '2026-11-21T13:30:00.000Z',
  mode: 'dry-run',
  reason: 'GPU below 5% for 1h',
  evidence: {
    launchTime: '2026-11-21T08:00:00.000Z',
    runningForMinutes: 300,
    gpuCount: 1,
    gpuSource: 'instance-types',
    telemetry: 'ok',
    telemetrySource: 'instance-rollup',
    coverage: 0.95,
    deadline: undefined,
    ratio: Number.NaN,
    idleMinutes: null,
    idleUsd: null,
  },
  instanceType: 'g5.xlarge',
  owner: null,
  hourlyUsd: 1.006,
  passId: 'pass-a',
  configHash: 'abc123',
  tagPrefix: 'gpu-reaper:',
};
const refused = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const { tagPrefix: _messagesOnly, ...fields } = event;
const stored = (at: string, instanceId = 'i-1') => ({
  ...fields,
  at,
  instanceId,
  pk: `INSTANCE#${instanceId}`,
  sk: `EVENT#${at}#WARNED#t`,
  gsi1pk: `DAY#${at.slice(0, 10)}`,
  gsi1sk: `${at}#${instanceId}`,
  ttl: 1,
});

beforeEach(() => dynamo.reset());

describe('AuditTrail.write', () => {
  it('writes one item with the event fields, both key pairs and the TTL, only if absent', async () => {
    dynamo.on(PutCommand).resolves({});
    expect(await trail.write(event, { ttlSeconds: 400 * 86_400 })).toBe(true);
    const input = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.TableName).toBe(TABLE);
    expect(input?.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(input?.ExpressionAttributeNames).toEqual({ '#pk': 'pk' });
    expect(input?.Item).toMatchObject({
      pk: 'INSTANCE#i-1',
      sk: 'EVENT#2026-11-21T13:00:00.000Z#WARNED#i-1:WARNED:idle:2026-11-21T13:30:00.000Z',
      gsi1pk: 'DAY#2026-11-21',
      gsi1sk: '2026-11-21T13:00:00.000Z#i-1',
      ttl: Date.parse(event.at) / 1000 + 400 * 86_400,
      event: 'WARNED',
      transitionId: event.transitionId,
      accountId: '123456789012',
      owner: null,
      hourlyUsd: 1.006,
      configHash: 'abc123',
      mode: 'dry-run',
    });
  });

  it('drops undefined values and the message-only tag prefix, and stores NaN as null', async () => {
    dynamo.on(PutCommand).resolves({});
    await trail.write(event, { ttlSeconds: 60 });
    const item = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item ?? {};
    expect(item).not.toHaveProperty('tagPrefix');
    expect(item.evidence).not.toHaveProperty('deadline');
    expect(item.evidence).toMatchObject({ ratio: null, coverage: 0.95 });
  });

  it('answers false when the event is already written (a retried pass)', async () => {
    dynamo.on(PutCommand).rejects(refused());
    expect(await trail.write(event, { ttlSeconds: 60 })).toBe(false);
  });

  it('wraps other failures into an AwsError with the SDK error as cause', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    dynamo.on(PutCommand).rejects(denied);
    const error = await trail.write(event, { ttlSeconds: 60 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ operation: 'PutItem', region: 'eu-west-1', cause: denied });
  });
});

describe('AuditTrail.byInstance', () => {
  it('queries the instance partition between the bounds, page by page, and returns plain events', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored('2026-11-21T13:00:00.000Z')], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
      .resolvesOnce({ Items: [stored('2026-11-21T14:00:00.000Z')] });
    const items = await trail.byInstance('i-1', {
      from: new Date('2026-11-21T00:00:00Z'),
      to: new Date('2026-11-22T00:00:00Z'),
    });
    const [first, second] = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(first?.ExpressionAttributeValues).toEqual({
      ':pk': 'INSTANCE#i-1',
      ':from': 'EVENT#2026-11-21T00:00:00.000Z',
      ':to': 'EVENT#2026-11-22T00:00:00.000Z~',
    });
    expect(first?.IndexName).toBeUndefined();
    expect(second?.ExclusiveStartKey).toEqual({ pk: 'x', sk: 'y' });
    expect(items.map((item) => item.at)).toEqual(['2026-11-21T13:00:00.000Z', '2026-11-21T14:00:00.000Z']);
    for (const key of ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'ttl', 'tagPrefix']) expect(items[0]).not.toHaveProperty(key);
  });

  it('covers every event of the instance without bounds', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    await trail.byInstance('i-1');
    const input = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':from': 'EVENT#', ':to': 'EVENT#~' });
  });
});

describe('AuditTrail.between', () => {
  it('sends one by-time Query per UTC day, never a Scan, and sorts by time', async () => {
    dynamo.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: { ':day': string } }) => {
      const day = input.ExpressionAttributeValues[':day'].slice(4);
      return { Items: [stored(`${day}T06:00:00.000Z`, 'i-2'), stored(`${day}T01:00:00.000Z`)] };
    });
    const items = await trail.between(new Date('2026-11-20T23:00:00Z'), new Date('2026-11-22T02:00:00Z'));
    const inputs = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.ExpressionAttributeValues?.[':day'])).toEqual([
      'DAY#2026-11-20',
      'DAY#2026-11-21',
      'DAY#2026-11-22',
    ]);
    expect(inputs.every((input) => input.IndexName === 'by-time')).toBe(true);
    expect(inputs[0]?.ExpressionAttributeValues).toMatchObject({
      ':from': '2026-11-20T23:00:00.000Z',
      ':to': '2026-11-22T02:00:00.000Z~',
    });
    expect(dynamo.commandCalls(ScanCommand)).toHaveLength(0);
    const times = items.map((item) => item.at);
    expect(times).toEqual([...times].sort());
  });

  it('asks nothing for an empty range', async () => {
    expect(await trail.between(new Date('2026-11-22T00:00:00Z'), new Date('2026-11-21T00:00:00Z'))).toEqual([]);
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('createAuditTable', () => {
  const base = mockClient(DynamoDBClient);
  beforeEach(() => base.reset());

  it('creates the table on demand with the by-time index, then turns TTL on', async () => {
    base.on(CreateTableCommand).resolves({});
    base.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    base.on(UpdateTimeToLiveCommand).resolves({});
    expect(await createAuditTable(new DynamoDBClient({ region: 'us-east-1' }), TABLE)).toBe(true);
    const create = base.commandCalls(CreateTableCommand)[0]?.args[0].input;
    const keys = (schema: { AttributeName?: string; KeyType?: string }[] = []) =>
      schema.map((key) => `${key.AttributeName}:${key.KeyType}`);
    expect(create).toMatchObject({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST' });
    expect(keys(create?.KeySchema)).toEqual(['pk:HASH', 'sk:RANGE']);
    const index = create?.GlobalSecondaryIndexes?.[0];
    expect(index).toMatchObject({ IndexName: 'by-time', Projection: { ProjectionType: 'ALL' } });
    expect(keys(index?.KeySchema)).toEqual(['gsi1pk:HASH', 'gsi1sk:RANGE']);
    const ttl = base.commandCalls(UpdateTimeToLiveCommand)[0]?.args[0].input.TimeToLiveSpecification;
    expect(ttl).toEqual({ AttributeName: 'ttl', Enabled: true });
  });

  it('leaves an existing table alone', async () => {
    base.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'exists', $metadata: {} }));
    expect(await createAuditTable(new DynamoDBClient({ region: 'us-east-1' }), TABLE)).toBe(false);
    expect(base.commandCalls(UpdateTimeToLiveCommand)).toHaveLength(0);
  });
});
