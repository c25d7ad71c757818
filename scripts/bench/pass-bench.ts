/**
 * Benchmark (b): the AWS calls of one pass over a moto fleet, by operation, counted by an {@link ApiMeter} on every
 * client the pass creates: one `plan` pass, one `run` pass (dry-run, with a table and a topic), and, in the same
 * run on the same fleet, a per-instance baseline: what a generic policy engine does (Cloud Custodian's `metrics`
 * filter, for one): list the instances, then one GetMetricStatistics per instance.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { CallCount } from '../../shared/adapters/aws/call-counter';
import { clientOptions } from '../../shared/adapters/aws/clients';
import { createAuditTable } from '../../shared/adapters/dynamodb/audit-table-setup';
import { type Config, parseConfig } from '../../shared/config';
import { summarize } from '../../shared/engine';
import { composePublisher, composeRegions, composeTable } from '../../shared/pass/compose';
import { mapWithConcurrency } from '../../shared/pass/concurrency';
import { planPass } from '../../shared/pass/plan-pass';
import { runPass } from '../../shared/pass/run-pass';
import { ApiMeter, type BillingUnits } from './api-meter';
import type { BenchFleet } from './moto-fleet';

/** What one measured pass cost. */
interface PassMeasure {
  readonly calls: Record<string, CallCount>;
  readonly units: BillingUnits;
  readonly wallMs: number;
  /** CPU time of this process during the pass (moto runs in its own process). */
  readonly cpuMs: number;
  readonly instances: number;
  readonly summary: ReturnType<typeof summarize> | null;
  readonly events: number;
}

/** Runs `work` with a fresh meter and returns what it measured. */
async function measure(
  work: (meter: ApiMeter) => Promise<{ instances: number; summary?: PassMeasure['summary']; events?: number }>,
): Promise<PassMeasure> {
  const meter = new ApiMeter();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await work(meter);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    calls: meter.snapshot(),
    units: meter.units(),
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    instances: result.instances,
    summary: result.summary ?? null,
    events: result.events ?? 0,
  };
}

/** One `plan` pass, composed exactly as `gpu-reaper plan` composes it. */
function planMeasure(config: Config, fleet: BenchFleet): Promise<PassMeasure> {
  return measure(async (meter) => {
    const edges = { config, regions: [fleet.region], homeRegion: fleet.region, table: null, topicArn: null };
    const { readers } = composeRegions({ ...edges, counter: meter });
    const result = await planPass({ config, now: fleet.now, readers });
    return { instances: result.decisions.length, summary: summarize(result.decisions) };
  });
}

/** One `run` pass in dry-run, composed as `gpu-reaper run --table … --topic …` composes it. */
async function runMeasure(overrides: object, fleet: BenchFleet): Promise<PassMeasure> {
  const table = `gpu-reaper-bench-${Date.now()}`;
  const setup = clientOptions(fleet.region);
  await createAuditTable(new DynamoDBClient(setup), table);
  const { TopicArn } = await new SNSClient(setup).send(new CreateTopicCommand({ Name: table }));
  const config = parseConfig({ ...overrides, mode: 'dry-run', auditTable: table, topicArn: TopicArn });
  return measure(async (meter) => {
    const edges = { config, regions: [fleet.region], homeRegion: fleet.region, table, topicArn: TopicArn ?? null };
    const metered = { ...edges, counter: meter };
    const result = await runPass({
      config,
      now: fleet.now,
      ...composeRegions(metered),
      ...composeTable(metered, table),
      publisher: composePublisher(metered),
    });
    return { instances: result.decisions.length, summary: summarize(result.decisions), events: result.events.length };
  });
}

/** The generic per-instance approach: list running GPU instances, then one metric call each (4 at a time). */
function baselineMeasure(config: Config, fleet: BenchFleet): Promise<PassMeasure> {
  return measure(async (meter) => {
    const ec2 = meter.attach(new EC2Client(clientOptions(fleet.region)));
    const cloudwatch = meter.attach(new CloudWatchClient(clientOptions(fleet.region)));
    const ids: string[] = [];
    const filters = [{ Name: 'instance-state-name', Values: ['running'] }];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 1000 }, { Filters: filters })) {
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          if (/^[gp]\d/.test(instance.InstanceType ?? '') && instance.InstanceId) ids.push(instance.InstanceId);
        }
      }
    }
    const window = { StartTime: new Date(fleet.now.getTime() - 3_600_000), EndTime: fleet.now };
    await mapWithConcurrency(ids, 4, (id) =>
      cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: config.metrics.sources[0]!.namespace,
          MetricName: config.metrics.sources[0]!.metric,
          Dimensions: [{ Name: 'InstanceId', Value: id }],
          ...window,
          Period: 60,
          Statistics: ['Maximum'],
        }),
      ),
    );
    return { instances: ids.length };
  });
}

/**
 * The measures of benchmark (b), on one seeded fleet, one after the other: plan, run, the baseline, and a plan pass
 * with host activity off (what host activity costs in metrics requested).
 */
async function benchPasses(fleet: BenchFleet, withRun: boolean) {
  const config = parseConfig({ regions: [fleet.region] });
  const plan = await planMeasure(config, fleet);
  const planHostOff = await planMeasure(
    parseConfig({ regions: [fleet.region], activity: { host: { enabled: false } } }),
    fleet,
  );
  const run = withRun ? await runMeasure({ regions: [fleet.region] }, fleet) : null;
  const baseline = await baselineMeasure(config, fleet);
  return { plan, planHostOff, run, baseline };
}

export type { PassMeasure };
export { baselineMeasure, benchPasses };
