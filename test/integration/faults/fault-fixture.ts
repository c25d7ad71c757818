/**
 * A `run` pass wired as the CLI and the Lambda wire it, against moto, with a fault injector on every client of the
 * pass (EC2, CloudWatch, DynamoDB, SNS) and one attempt per call, so an injected fault is a failed call and the
 * suite stays fast. Each pass gets fresh clients: a fault stays in its pass, as an outage stays in its invocation.
 */
import { CallCounter } from '../../../shared/adapters/aws/clients';
import type { ConfigInput } from '../../../shared/config';
import { drainQueue, type InboxMessage } from '../../../shared/local/demo-inbox';
import { composePublisher, composeRegions, composeTable } from '../../../shared/pass/compose';
import { runPass } from '../../../shared/pass/run-pass';
import { FaultInjector, type FaultRule } from '../../helpers/faults';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { reaperResources } from '../../helpers/reaper-resources';

/** One minute in ms: pass clocks count in minutes from the fleet's launch. */
const MIN = 60_000;

/** How one pass runs. */
interface PassSetup {
  /** Faults of this pass. @default none */
  readonly faults?: readonly FaultRule[] | FaultInjector;
  /** Moves the state table's wall clock: `16 * MIN` plays a pass after the 15-minute lease. @default 0 */
  readonly leaseClockAheadMs?: number;
  /** Counts this pass's calls (shared across passes to count several). @default a new counter */
  readonly counter?: CallCounter;
  /** SDK attempts per call. @default 1 */
  readonly maxAttempts?: number;
}

/** Fresh table, topic and inbox queue, and a clock starting at the current minute. */
async function faultFixture(region: string, overrides: ConfigInput = {}) {
  const {
    ec2,
    cloudwatch,
    sqs,
    table,
    topicArn: TopicArn,
    queueUrl: QueueUrl,
    config,
    audit,
    stateOf,
  } = await reaperResources(region, 'reaper-faults', overrides);
  const launch = Math.floor(Date.now() / MIN) * MIN;

  /** One pass at `launch + m` minutes (plus 30 s), with this pass's faults; what it reported comes back too. */
  const pass = async (m: number, setup: PassSetup = {}) => {
    const faults = setup.faults instanceof FaultInjector ? setup.faults : new FaultInjector(setup.faults ?? []);
    const counter = setup.counter ?? new CallCounter();
    const ahead = setup.leaseClockAheadMs ?? 0;
    const edges = {
      config,
      regions: [region],
      homeRegion: region,
      table,
      topicArn: TopicArn!,
      counter,
      clients: { maxAttempts: setup.maxAttempts ?? 1, layers: [faults] },
      ...(ahead ? { stateTable: { now: () => new Date(Date.now() + ahead) } } : {}),
    };
    const problems: string[] = [];
    const result = await runPass({
      config,
      now: new Date(launch + m * MIN + 30_000),
      ...composeRegions(edges),
      ...composeTable(edges, table),
      publisher: composePublisher(edges),
      onProblem: (message, error) => problems.push(`${message}: ${(error as Error).message}`),
    });
    return { ...result, problems, faults, counter };
  };

  const received: InboxMessage[] = [];
  /** Every message the topic delivered so far (the queue is drained into this list). */
  const inbox = async () => {
    received.push(...(await drainQueue(sqs, QueueUrl!)));
    return received;
  };
  /** The audit events of one instance, oldest first. */
  const eventsOf = async (id: string) => (await audit.byInstance(id)).map((item) => item.event);
  /** GPU instances used for their first 5 minutes, idle since: warned at +70m, due at +100m. */
  const idleInstances = async (count = 1, tags: Record<string, string> = {}) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const [id] = await launchInstances(ec2, {
        instanceType: 'g5.xlarge',
        tags: { Owner: `owner${i}@example.com`, ...tags },
      });
      await putGpuSeries(cloudwatch, id!, [...minutes(launch, 5, 50), ...minutes(launch + 5 * MIN, 195, 1)]);
      ids.push(id!);
    }
    return ids;
  };
  return { ec2, config, table, pass, inbox, audit, eventsOf, stateOf, idleInstances, launch };
}

/** Events of the inbox by name, for one instance. */
function inboxEvents(messages: readonly InboxMessage[], instanceId: string): string[] {
  return messages.filter((m) => m.attributes.instanceId === instanceId).map((m) => m.attributes.event ?? '');
}

/**
 * Waits until the pass's fault injector has killed it (a `die` fault fired), then checks the pass never settles:
 * a process frozen for good, as a Lambda killed by its timeout. True when both hold.
 */
async function diesMidway(work: Promise<unknown>, faults: FaultInjector, timeoutMs = 30_000): Promise<boolean> {
  let settled = false;
  work.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  const deadline = Date.now() + timeoutMs;
  while (!faults.dead && !settled && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  await new Promise((resolve) => setTimeout(resolve, 100));
  return faults.dead && !settled;
}

export type { PassSetup };
export { diesMidway, faultFixture, inboxEvents, MIN };
