/**
 * The weekly digest Lambda against moto: it queries the last 7 days of the audit table, builds the same report as
 * `gpu-reaper report --since 7d`, and publishes it as plain text to the admin topic (read back through SQS).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { createAuditTable } from '../../../shared/adapters/dynamodb/audit-table-setup';
import { AuditTrail } from '../../../shared/adapters/dynamodb/audit-trail';
import { EnvName } from '../../../shared/config';
import { reaperEvent } from '../../helpers/events';
import { useMoto } from '../../helpers/moto';

const moto = useMoto({ threaded: false });
const HOUR = 3_600_000;
const NOW = new Date('2026-03-09T08:00:00.000Z');
const iso = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR).toISOString();

/** A table with a week of audit items, an admin topic and a queue subscribed to it. */
async function digestFixture() {
  const options = clientOptions(moto.region);
  const sns = new SNSClient(options);
  const sqs = new SQSClient(options);
  const table = `digest-test-${Date.now()}`;
  await createAuditTable(new DynamoDBClient(options), table);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${table}-admins` }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: table }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));

  const audit = new AuditTrail(DynamoDBDocumentClient.from(new DynamoDBClient(options)), table);
  const evidence = reaperEvent().evidence;
  const at = (instanceId: string, event: 'WARNED' | 'STOPPED', hoursAgo: number, launchedHoursAgo: number) =>
    reaperEvent({
      transitionId: `${instanceId}-${event}-${hoursAgo}`,
      instanceId,
      event,
      at: iso(hoursAgo),
      actAt: iso(hoursAgo),
      evidence: { ...evidence, launchTime: iso(launchedHoursAgo) },
    });
  const retention = { ttlSeconds: 400 * 86_400 };
  // Stopped 48h ago, started again 5h later: 5h × $5.672 = $28.36 and 5h × 4 GPUs avoided.
  await audit.write(at('i-0week', 'STOPPED', 48, 60), retention);
  await audit.write(at('i-0week', 'WARNED', 40, 43), retention);
  // Eight days ago: outside the digest's week, never counted.
  await audit.write(at('i-0old', 'STOPPED', 8 * 24, 8 * 24 + 3), retention);

  const receive = async () => {
    const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    return (answer.Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>);
  };
  return { table, topicArn: TopicArn!, receive };
}

describe('the weekly digest Lambda', () => {
  // Taken before each test, once moto's endpoint and credentials are in the environment.
  let saved: NodeJS.ProcessEnv = {};
  beforeEach(() => {
    saved = { ...process.env };
    vi.resetModules();
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('publishes the week of the audit trail, with the money and GPU-hours avoided, to the admin topic', async () => {
    const fx = await digestFixture();
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ mode: 'enforce' }),
      [EnvName.Table]: fx.table,
      [EnvName.AdminTopicArn]: fx.topicArn,
      AWS_REGION: moto.region,
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = await import('../../../functions/digest');

    const summary = await handler({ time: NOW.toISOString() });
    expect(summary).toEqual({
      from: '2026-03-02T08:00:00.000Z',
      to: NOW.toISOString(),
      events: 2,
      avoidedUsd: 28.36,
      wouldHaveAvoidedUsd: 0,
      outOfReach: 0,
      outOfReachUsd: 0,
      // No GPU history in this account: the fleet audit of the week is empty, and said so.
      fleetSpendUsd: 0,
      fleetInstances: 0,
      fleetRegionErrors: 0,
    });

    const [message, ...others] = await fx.receive();
    expect(others).toEqual([]);
    expect(message?.Subject).toBe('[gpu-reaper] weekly digest: $28.36 avoided, 1 action, 2 events');
    expect(message?.MessageAttributes).toMatchObject({ event: { Value: 'ADMIN' } });
    const text = String(message?.Message);
    expect(text).toContain('gpu-reaper digest for 2026-03-02T08:00:00.000Z to 2026-03-09T08:00:00.000Z');
    expect(text).toContain('2 events for 1 instance.');
    expect(text).toContain('Last week: $0.00 on GPUs, nothing spent, 0 of 0 instances never used');
    expect(text).toContain('Avoided: $28.36 and 20 GPU-hours avoided by 1 action.');
    expect(text).toContain('    idle: $28.36, 20 GPU-hours, 1 action');
    expect(text).toContain('    alice@example.com: $28.36, 20 GPU-hours, 1 action');
    expect(text).toContain('    g5.12xlarge: $28.36, 20 GPU-hours, 1 action');
    expect(text).not.toContain('i-0old');
    expect(text).toContain('Kept out of reach: nothing.');
  });

  it('lists what was kept out of reach, with owner, hours and dollars, even when it began before the week', async () => {
    const fx = await digestFixture();
    const audit = new AuditTrail(DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(moto.region))), fx.table);
    // Opted out since a launch ten days ago; the pass recorded it again 12 hours ago (once a day while it lasts).
    const optedOut = reaperEvent({
      transitionId: 'i-0shy-reach',
      instanceId: 'i-0shy',
      event: 'SKIPPED',
      rule: 'opt-out',
      action: null,
      actAt: null,
      at: iso(12),
      owner: 'shy@example.com',
      reason: 'kept out of reach: opted out by tag gpu-reaper:opt-out="true"',
      evidence: {
        ...reaperEvent().evidence,
        launchTime: iso(240),
        outOfReach: 'opt-out',
        outOfReachSince: iso(240),
      },
    });
    await audit.write(optedOut, { ttlSeconds: 400 * 86_400 });
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ mode: 'enforce' }),
      [EnvName.Table]: fx.table,
      [EnvName.AdminTopicArn]: fx.topicArn,
      AWS_REGION: moto.region,
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = await import('../../../functions/digest');

    // 240h × $5.672 (g5.12xlarge) at on-demand price.
    expect(await handler({ time: NOW.toISOString() })).toMatchObject({ outOfReach: 1, outOfReachUsd: 1361.28 });
    const [message] = await fx.receive();
    const text = String(message?.Message);
    expect(text).toContain('Kept out of reach: 1 instance, 240 hours, $1,361.28 at on-demand price (opt-out 1).');
    expect(text).toContain('    opt-out: i-0shy (g5.12xlarge, shy@example.com), 240 hours, $1,361.28');
  });

  it('fails cleanly with the key path when the config is bad', async () => {
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ prices: { overrides: { 'g5.xlarge': -1 } } }),
      [EnvName.Table]: 'unused',
      [EnvName.AdminTopicArn]: 'arn:aws:sns:us-east-1:123456789012:admins',
      AWS_REGION: moto.region,
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = await import('../../../functions/digest');
    await expect(handler({ time: NOW.toISOString() })).rejects.toThrow(/prices\.overrides\.g5\.xlarge/);
  });
});
