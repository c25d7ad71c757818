/**
 * Quiet targets on moto, through the dispatcher and worker handlers: a target whose last pass found no GPU
 * instance is left out of the next ticks; the EC2 `running` event a spoke forwards (the real event shape; moto's
 * rules do not invoke a Lambda, so the handler is called with the event) enqueues it at once through the lease and
 * the queue; the worker's pass then finds the new GPU instance and the target is passed every tick again. A launch
 * while the target's pass is in flight is passed at the next tick, never over the running pass.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { TargetLeases } from '../../../shared/adapters/dynamodb/target-leases';
import { TargetStates } from '../../../shared/adapters/dynamodb/target-states';
import { EnvName } from '../../../shared/config';
import { parseTargetMessage } from '../../../shared/fan-out/target-message';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { reaperResources } from '../../helpers/reaper-resources';
import { memberClients } from './accounts-fixture';

const moto = useMoto({ threaded: false });
const QUIET = '111111111111';
const BUSY = '333333333333';
const REGION = 'eu-west-1';
const context = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dispatcher' } as Context;
const tickEvent = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as ScheduledEvent;

/** The event an instance start puts on the member account's default bus, as the spoke forwards it. */
const runningEvent = (account: string, instanceId: string) => ({
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account,
  time: new Date().toISOString(),
  region: REGION,
  resources: [`arn:aws:ec2:${REGION}:${account}:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, state: 'running' },
});

describe('quiet targets and the launch that wakes one', () => {
  let hub: Awaited<ReturnType<typeof reaperResources>>;
  let queueUrl: string;
  let sqs: SQSClient;
  let states: TargetStates;
  let leases: TargetLeases;
  const saved = { ...process.env };

  beforeAll(async () => {
    hub = await reaperResources(moto.region, 'quiet');
    sqs = new SQSClient(clientOptions(moto.region));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${hub.table}-targets` }))).QueueUrl!;
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(moto.region)));
    states = new TargetStates(client, hub.table, moto.region);
    leases = new TargetLeases(client, hub.table, moto.region);
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ regions: [REGION], accounts: { ids: [QUIET, BUSY] } }),
      [EnvName.Table]: hub.table,
      [EnvName.TopicArn]: hub.topicArn,
      [EnvName.TargetQueueUrl]: queueUrl,
      [EnvName.TargetLeaseMs]: String(35 * 60_000),
      POWERTOOLS_METRICS_NAMESPACE: 'GpuReaper',
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  }, 60_000);
  afterAll(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  const dispatcher = async () => (await import('../../../functions/dispatcher')).handler;
  const worker = async () => (await import('../../../functions/worker')).handler;
  /** Takes every message off the queue, as the worker's event source hands them over. */
  const receive = async (): Promise<SQSRecord[]> => {
    const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    return (answer.Messages ?? []).map(
      (m) =>
        ({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body!,
          attributes: { ApproximateReceiveCount: '1' },
        }) as unknown as SQSRecord,
    );
  };
  const targetsOf = (records: SQSRecord[]) =>
    records.map((r) => parseTargetMessage(r.body)).map((m) => `${m.accountId}/${m.region}`);

  it('passes both targets at the first tick, then only the one with GPU instances', async () => {
    const { ec2, cloudwatch } = memberClients(BUSY, REGION);
    const [busy] = await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'b@example.com' } });
    await putGpuSeries(cloudwatch, busy!, minutes(Date.now() - 30 * 60_000, 30, 60));

    const tick = await dispatcher();
    expect(await tick(tickEvent, context)).toMatchObject({ targets: 2, enqueued: 2, quiet: 0 });
    const first = await receive();
    expect(targetsOf(first).sort()).toEqual([`${QUIET}/${REGION}`, `${BUSY}/${REGION}`]);
    expect(await (await worker())({ Records: first })).toEqual({ batchItemFailures: [] });
    expect(await states.get({ accountId: QUIET, region: REGION })).toMatchObject({ status: 'ok', gpuInstances: 0 });
    expect(await states.get({ accountId: BUSY, region: REGION })).toMatchObject({ status: 'ok', gpuInstances: 1 });

    expect(await tick(tickEvent, context)).toMatchObject({ targets: 2, enqueued: 1, quiet: 1 });
    const second = await receive();
    expect(targetsOf(second)).toEqual([`${BUSY}/${REGION}`]);
    await (await worker())({ Records: second });
  });

  it('wakes the quiet target at once when a GPU instance starts in it, and passes it every tick after', async () => {
    const { ec2 } = memberClients(QUIET, REGION);
    const [launched] = await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'q@example.com' } });
    const handler = await dispatcher();
    expect(await handler(runningEvent(QUIET, launched!), context)).toEqual({ woken: 'wake', enqueued: 1 });
    const records = await receive();
    expect(targetsOf(records)).toEqual([`${QUIET}/${REGION}`]);
    // The message carries what the tick's would (the OU path the last pass recorded) and its own lease token.
    expect(parseTargetMessage(records[0]!.body)).toMatchObject({ ouPath: [], leaseToken: expect.any(String) });

    expect(await (await worker())({ Records: records })).toEqual({ batchItemFailures: [] });
    const state = await states.get({ accountId: QUIET, region: REGION });
    expect(state).toMatchObject({ status: 'ok', gpuInstances: 1 });
    expect(await handler(tickEvent, context)).toMatchObject({ enqueued: 2, quiet: 0 });
    await (await worker())({ Records: await receive() });
  });

  it('leaves a launch in a target passed every tick to its tick, and ignores an account it does not cover', async () => {
    const handler = await dispatcher();
    expect(await handler(runningEvent(BUSY, 'i-0123456789abcdef0'), context)).toEqual({ woken: 'active', enqueued: 0 });
    expect(await handler(runningEvent('444444444444', 'i-0123456789abcdef0'), context)).toEqual({
      woken: 'unknown',
      enqueued: 0,
    });
    expect(await receive()).toEqual([]);
  });

  it('never overlaps a running pass: a launch during it is passed at the next tick', async () => {
    const quiet = { accountId: QUIET, region: REGION };
    const passStart = new Date();
    await states.record(
      {
        ...quiet,
        ouPath: [],
        tick: passStart.toISOString(),
        passedAt: passStart.toISOString(),
        status: 'ok',
        gpuInstances: 0,
      },
      3_600_000,
    );
    // A pass of the target is running (its lease held) when the instance starts.
    expect(await leases.acquire(quiet, 'running-pass', new Date(), 35 * 60_000)).toBe(true);
    const handler = await dispatcher();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await handler(runningEvent(QUIET, 'i-0fedcba9876543210'), context)).toEqual({ woken: 'wake', enqueued: 0 });
    expect(await receive()).toEqual([]);
    // That pass ends: the next tick passes the target although it is quiet, since the launch came after it started.
    await leases.release(quiet, 'running-pass');
    expect(await handler(tickEvent, context)).toMatchObject({ enqueued: 2, quiet: 0 });
    expect(targetsOf(await receive()).sort()).toEqual([`${QUIET}/${REGION}`, `${BUSY}/${REGION}`]);
  });
});
