/**
 * The quiet-targets benchmark: one simulated hour of schedule ticks (every 5 minutes, the pass clock injected) over
 * the seeded organization, through the code the dispatcher and worker wire: `dispatchTick` over the target states,
 * leases and queue, then each received message handled as the worker does (the pass through the spoke role, the
 * pass recorded, the lease released). One tick first passes every target (none recorded yet) and is not counted;
 * the hour is the 12 ticks after it. Mid-hour a GPU instance is launched in a quiet target and the EC2 `running`
 * event is handed to the wake-up path as the hub's bus rule hands it to the dispatcher. Every client is counted.
 * The "before" figures (every target every tick) come from the accounts benchmark's tick and passes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateQueueCommand, DeleteMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { clientOptions } from '../../shared/adapters/aws/clients';
import { createAuditTable } from '../../shared/adapters/dynamodb/audit-table-setup';
import { TargetLeases } from '../../shared/adapters/dynamodb/target-leases';
import { TargetStates } from '../../shared/adapters/dynamodb/target-states';
import { TargetQueue } from '../../shared/adapters/sqs/target-queue';
import { type Config, parseConfig, parseDuration } from '../../shared/config';
import { dispatchTick } from '../../shared/fan-out/dispatch-tick';
import { launchEventOf } from '../../shared/fan-out/launch-event';
import { parseTargetMessage } from '../../shared/fan-out/target-message';
import { wakeTarget } from '../../shared/fan-out/wake-target';
import { launchInstances } from '../../shared/local/seed-fleet';
import { resolveTargets, runTargetPass, spokeCredentials } from '../../shared/pass/targets';
import { receiveAll } from './accounts-bench';
import { ApiMeter } from './api-meter';
import type { OrgFleet } from './org-fleet';

const TABLE = 'gpu-reaper-bench-quiet';
const LEASE_MS = 35 * 60_000;
const TICK_MS = 5 * 60_000;
const HUB_ACCOUNT = '123456789012';
/** The tick of the hour after which the launch happens (a minute after it). */
const LAUNCH_AFTER_TICK = 6;

/** One tick of the hour: its passes and every call it caused (dispatcher, passes, event source). */
interface QuietTick {
  readonly at: Date;
  readonly passes: number;
  readonly quiet: number;
  readonly calls: number;
}

/** The launch in a quiet target and how soon it was passed. */
interface WakeMeasure {
  readonly target: string;
  /** The simulated minutes from the event to the next tick (the bound the wake-up must beat). */
  readonly nextTickInMs: number;
  /** Wall time from handing the event over to the end of the woken target's pass. */
  readonly passedAfterMs: number;
  readonly enqueued: boolean;
  /** GPU instances the woken pass decided on. */
  readonly decided: number;
  readonly calls: number;
}

/** What the hour measured. */
interface QuietBenchResult {
  readonly targets: number;
  readonly quietEveryMs: number;
  readonly ticks: readonly QuietTick[];
  readonly wake: WakeMeasure;
}

/** The hub's table and queue, counted by `meter`. */
function hubPorts(region: string, queueUrl: string, meter: ApiMeter) {
  const options = clientOptions(region);
  const table = DynamoDBDocumentClient.from(meter.attach(new DynamoDBClient(options)));
  const sqs = meter.attach(new SQSClient(options));
  return {
    sqs,
    leases: new TargetLeases(table, TABLE, region),
    states: new TargetStates(table, TABLE, region),
    queue: new TargetQueue(sqs, queueUrl, region),
  };
}

/** Every queued message handled as the worker handles a record, then deleted as the event source does. */
async function workAll(config: Config, now: Date, region: string, queueUrl: string, meter: ApiMeter) {
  const { sqs, leases, states } = hubPorts(region, queueUrl, meter);
  const records: SQSRecord[] = await receiveAll(sqs, queueUrl);
  const quietEveryMs = parseDuration(config.accounts?.quietTargetEvery ?? '1h') ?? 3_600_000;
  let decided = 0;
  for (const record of records) {
    const message = parseTargetMessage(record.body);
    const target = { accountId: message.accountId, region: message.region, ouPath: message.ouPath };
    const outcome = await runTargetPass(
      target,
      { config, now, homeRegion: region, table: TABLE, topicArn: null, counter: meter, clients: { counter: meter } },
      'run',
    );
    decided += outcome.result?.decisions.length ?? 0;
    await states.record(
      {
        ...target,
        tick: message.tick,
        passedAt: now.toISOString(),
        status: outcome.status,
        gpuInstances: outcome.result?.decisions.length ?? 0,
      },
      quietEveryMs,
    );
    if (outcome.status === 'ok') await leases.release(target, message.leaseToken);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }));
  }
  return { passes: records.length, decided };
}

/** One tick at `now`: the dispatcher's part and the passes it enqueued. */
async function tickAt(config: Config, now: Date, region: string, queueUrl: string): Promise<QuietTick> {
  const meter = new ApiMeter();
  const options = clientOptions(region);
  const organizations = meter.attach(new OrganizationsClient(options));
  const targets = await resolveTargets(config, { organizations, homeAccountId: HUB_ACCOUNT, homeRegion: region });
  const result = await dispatchTick(targets, hubPorts(region, queueUrl, meter), {
    now,
    leaseMs: LEASE_MS,
    quietEveryMs: parseDuration(config.accounts?.quietTargetEvery ?? '1h') ?? 3_600_000,
  });
  const { passes } = await workAll(config, now, region, queueUrl, meter);
  return { at: now, passes, quiet: result.quiet.length, calls: meter.total };
}

/** A GPU instance started in a quiet target, its event handed to the wake-up path, and the woken pass. */
async function launchInQuiet(config: Config, fleet: OrgFleet, now: Date, region: string, queueUrl: string) {
  const gpu = new Set(fleet.gpuTargets);
  const [accountId, targetRegion] = (
    fleet.accountIds.flatMap((id) => fleet.regions.map((r) => `${id}/${r}`)).find((key) => !gpu.has(key)) ?? '/'
  ).split('/') as [string, string];
  const credentials = spokeCredentials({ accountId, roleName: fleet.roleName, homeRegion: region });
  const [instanceId] = await launchInstances(new EC2Client({ ...clientOptions(targetRegion), credentials }), {
    instanceType: 'g5.xlarge',
    tags: { Owner: 'launched@example.com' },
  });
  const event = {
    version: '0',
    id: 'bench-launch',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: accountId,
    time: now.toISOString(),
    region: targetRegion,
    resources: [`arn:aws:ec2:${targetRegion}:${accountId}:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state: 'running' },
  };
  const meter = new ApiMeter();
  const started = performance.now();
  const woken = await wakeTarget(launchEventOf(event)!, hubPorts(region, queueUrl, meter), { now, leaseMs: LEASE_MS });
  const { decided } = await workAll(config, now, region, queueUrl, meter);
  return {
    target: `${accountId}/${targetRegion}`,
    enqueued: (woken.dispatched?.enqueued.length ?? 0) > 0,
    passedAfterMs: performance.now() - started,
    decided,
    calls: meter.total,
  };
}

/**
 * Runs the hour on a seeded organization (moto's endpoint already in the environment).
 */
async function benchQuietTargets(fleet: OrgFleet, region: string): Promise<QuietBenchResult> {
  const options = clientOptions(region);
  await createAuditTable(new DynamoDBClient(options), TABLE);
  const { QueueUrl } = await new SQSClient(options).send(new CreateQueueCommand({ QueueName: 'gpu-reaper-quiet' }));
  const config = parseConfig({
    mode: 'dry-run',
    regions: [...fleet.regions],
    auditTable: TABLE,
    accounts: { roleName: fleet.roleName, organization: { ous: [...fleet.ous] } },
  });
  const quietEveryMs = parseDuration(config.accounts?.quietTargetEvery ?? '1h') ?? 3_600_000;
  const start = fleet.now.getTime();
  // The tick before the hour: nothing recorded yet, so every target is passed (as after a first deploy).
  const first = await tickAt(config, new Date(start), region, QueueUrl!);
  const ticks: QuietTick[] = [];
  let wake: Omit<WakeMeasure, 'nextTickInMs'> | undefined;
  for (let n = 1; n <= 12; n++) {
    ticks.push(await tickAt(config, new Date(start + n * TICK_MS), region, QueueUrl!));
    if (n === LAUNCH_AFTER_TICK) {
      wake = await launchInQuiet(config, fleet, new Date(start + n * TICK_MS + 60_000), region, QueueUrl!);
    }
  }
  return {
    targets: first.passes,
    quietEveryMs,
    ticks,
    wake: { ...wake!, nextTickInMs: TICK_MS - 60_000 },
  };
}

export type { QuietBenchResult, QuietTick, WakeMeasure };
export { benchQuietTargets };
