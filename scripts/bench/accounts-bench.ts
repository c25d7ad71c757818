/**
 * The accounts benchmark: one schedule tick of the hub over many small accounts in moto, through the real code.
 * The dispatcher's part is what `functions/dispatcher.ts` wires: `resolveTargets` (Organizations, paginated) and
 * `dispatchTargets` over `TargetLeases` and `TargetQueue`. The worker's part takes the messages from moto's SQS
 * queue and handles each record as `functions/worker.ts` does (parse the message, `runTargetPass` in the member
 * account through the spoke role, release the lease), one target at a time so each is timed alone, with the pass
 * clock injected (two hours after launch). Every client is counted by an {@link ApiMeter}. Prints; asserts nothing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import type { CallCount } from '../../shared/adapters/aws/call-counter';
import { clientOptions } from '../../shared/adapters/aws/clients';
import { createAuditTable } from '../../shared/adapters/dynamodb/audit-table-setup';
import { TargetLeases } from '../../shared/adapters/dynamodb/target-leases';
import { TargetQueue } from '../../shared/adapters/sqs/target-queue';
import { type Config, parseConfig } from '../../shared/config';
import { dispatchTargets } from '../../shared/fan-out/dispatch-targets';
import { parseTargetMessage } from '../../shared/fan-out/target-message';
import { resolveTargets, runTargetPass } from '../../shared/pass/targets';
import { ApiMeter } from './api-meter';
import type { OrgFleet } from './org-fleet';

const TABLE = 'gpu-reaper-bench-hub';
/** The deployed default: 3 attempts × twice the 5-minute timeout, plus one run. */
const LEASE_MS = 35 * 60_000;
const HUB_ACCOUNT = '123456789012';

/** One dispatcher tick. */
interface TickMeasure {
  readonly targets: number;
  readonly enqueued: number;
  readonly stillInFlight: number;
  readonly calls: Record<string, CallCount>;
  readonly wallMs: number;
}

/** One target's worker pass. */
interface TargetMeasure {
  readonly target: string;
  readonly status: 'ok' | 'error';
  readonly error?: string;
  readonly wallMs: number;
  /** CPU time of this process (moto runs in its own). */
  readonly cpuMs: number;
  readonly calls: number;
  readonly instances: number;
  readonly events: number;
}

/** What the benchmark measured. */
interface AccountsBenchResult {
  readonly ticks: readonly (TickMeasure & { readonly label: string })[];
  readonly targets: readonly TargetMeasure[];
  /** Calls of every worker pass together, by operation. */
  readonly workerCalls: Record<string, CallCount>;
  /** The event source's part: ReceiveMessage and DeleteMessage. */
  readonly pollerCalls: Record<string, CallCount>;
  readonly workerWallMs: number;
}

/** The hub's clients, each counted by `meter`. */
function hubClients(region: string, meter: ApiMeter) {
  const options = clientOptions(region);
  return {
    organizations: meter.attach(new OrganizationsClient(options)),
    table: DynamoDBDocumentClient.from(meter.attach(new DynamoDBClient(options))),
    sqs: meter.attach(new SQSClient(options)),
  };
}

/** One tick of the dispatcher, counted. */
async function tick(config: Config, region: string, queueUrl: string): Promise<TickMeasure> {
  const meter = new ApiMeter();
  const { organizations, table, sqs } = hubClients(region, meter);
  const started = performance.now();
  const targets = await resolveTargets(config, { organizations, homeAccountId: HUB_ACCOUNT, homeRegion: region });
  const result = await dispatchTargets(
    targets,
    { leases: new TargetLeases(table, TABLE, region), queue: new TargetQueue(sqs, queueUrl, region) },
    { now: new Date(), leaseMs: LEASE_MS },
  );
  return {
    targets: targets.length,
    enqueued: result.enqueued.length,
    stillInFlight: result.stillInFlight.length,
    calls: meter.snapshot(),
    wallMs: performance.now() - started,
  };
}

/** Every message on the queue, as the records of SQS events (what the event source hands the worker). */
async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  for (;;) {
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 600,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = answer.Messages ?? [];
    if (messages.length === 0) return records;
    records.push(...messages.map((message) => sqsRecord(message, queueUrl)));
  }
}

function sqsRecord(message: Message, queueUrl: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '0',
      SenderId: attributes.SenderId ?? HUB_ACCOUNT,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:${HUB_ACCOUNT}:${queueUrl.split('/').pop()}`,
    awsRegion: 'us-east-1',
  };
}

function addCalls(into: Record<string, CallCount>, from: Record<string, CallCount>): void {
  for (const [key, count] of Object.entries(from)) {
    const sum = into[key] ?? { calls: 0, attempts: 0, errors: 0 };
    into[key] = {
      calls: sum.calls + count.calls,
      attempts: sum.attempts + count.attempts,
      errors: sum.errors + count.errors,
    };
  }
}

/** One record as the worker handles it: the target's pass, then its lease released. Counted by a fresh meter. */
async function workRecord(record: SQSRecord, config: Config, fleet: OrgFleet, region: string, topicArn: string) {
  const meter = new ApiMeter();
  const { table } = hubClients(region, meter);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const message = parseTargetMessage(record.body);
  const target = { accountId: message.accountId, region: message.region, ouPath: message.ouPath };
  const outcome = await runTargetPass(
    target,
    // `clients` carries the meter to STS too; it also keeps credentials and instance types uncached per target,
    // as in a cold worker: an upper bound on calls.
    { config, now: fleet.now, homeRegion: region, table: TABLE, topicArn, counter: meter, clients: { counter: meter } },
    'run',
  );
  if (outcome.status === 'ok') await new TargetLeases(table, TABLE, region).release(target, message.leaseToken);
  const used = process.cpuUsage(cpu);
  const measure: TargetMeasure = {
    target: `${target.accountId}/${target.region}`,
    status: outcome.status,
    ...(outcome.error ? { error: outcome.error } : {}),
    wallMs: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
    calls: meter.total,
    instances: outcome.result?.decisions.length ?? 0,
    events: outcome.result && 'events' in outcome.result ? outcome.result.events.length : 0,
  };
  return { measure, calls: meter.snapshot() };
}

/**
 * Runs the benchmark on a seeded organization (moto's endpoint already in the environment): a tick, a second tick
 * while every target is in flight, one worker pass per received message, and a tick after the leases are released.
 */
async function benchAccounts(fleet: OrgFleet, region: string): Promise<AccountsBenchResult> {
  const options = clientOptions(region);
  await createAuditTable(new DynamoDBClient(options), TABLE);
  const { TopicArn } = await new SNSClient(options).send(new CreateTopicCommand({ Name: 'gpu-reaper-bench' }));
  const { QueueUrl } = await new SQSClient(options).send(new CreateQueueCommand({ QueueName: 'gpu-reaper-targets' }));
  const config = parseConfig({
    mode: 'dry-run',
    regions: [...fleet.regions],
    auditTable: TABLE,
    accounts: { roleName: fleet.roleName, organization: { ous: [...fleet.ous] } },
  });
  const ticks: AccountsBenchResult['ticks'][number][] = [];
  ticks.push({ label: 'tick 1', ...(await tick(config, region, QueueUrl!)) });
  ticks.push({ label: 'tick 2, every target in flight', ...(await tick(config, region, QueueUrl!)) });

  const poller = new ApiMeter();
  const sqs = poller.attach(new SQSClient(options));
  const records = await receiveAll(sqs, QueueUrl!);
  const targets: TargetMeasure[] = [];
  const workerCalls: Record<string, CallCount> = {};
  const started = performance.now();
  for (const record of records) {
    const { measure, calls } = await workRecord(record, config, fleet, region, TopicArn!);
    targets.push(measure);
    addCalls(workerCalls, calls);
    // Done: the event source deletes the message (a failed record would stay for a retry).
    if (measure.status === 'ok') {
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: record.receiptHandle }));
    }
  }
  const workerWallMs = performance.now() - started;
  ticks.push({ label: 'tick 3, after the passes', ...(await tick(config, region, QueueUrl!)) });
  return { ticks, targets, workerCalls, pollerCalls: poller.snapshot(), workerWallMs };
}

export type { AccountsBenchResult, TargetMeasure, TickMeasure };
export { benchAccounts, receiveAll };
