/**
 * Benchmark (c): the reaper's own monthly AWS bill, from the calls and billing units counted in one measured `run`
 * pass, scaled per instance where they scale (reads, metric queries, pages) and per transition where they do not
 * (writes, publishes). Prices are us-east-1 list prices; the assumptions are printed with the table.
 */
import type { PassMeasure } from './pass-bench';

/** us-east-1 list prices (DynamoDB on-demand and GetMetricData re-checked in November 2026). */
const PRICE = {
  /** CloudWatch GetMetricData, per metric requested. */
  metricRequested: 0.01 / 1_000,
  /** CloudWatch ListMetrics, GetMetricStatistics and other API requests, per request. */
  cloudWatchRequest: 0.01 / 1_000,
  /** Lambda arm64, per GB-second. */
  lambdaGbSecond: 0.000_013_333_4,
  lambdaRequest: 0.2 / 1_000_000,
  /** DynamoDB on-demand. */
  writeUnit: 0.625 / 1_000_000,
  readUnit: 0.125 / 1_000_000,
  snsPublish: 0.5 / 1_000_000,
} as const;

/** What the model assumes beyond the measured pass. */
const ASSUMPTIONS = {
  /** `rate(5 minutes)`: 12 passes an hour, 24 hours, 30 days. */
  passesPerMonth: 8_640,
  lambdaGb: 0.5,
  /** AWS round trip per call; calls taken as sequential, so the duration is an upper bound. */
  secondsPerCall: 0.1,
  /** Transitions (a warning, then an action or a clear) per instance per day. */
  transitionsPerInstanceDay: 2,
  /** ListMetrics returns at most 500 series a page. */
  seriesPerPage: 500,
} as const;

/** Operations whose calls follow transitions, not the fleet size. */
const PER_TRANSITION =
  /^(SNS:|EC2:(CreateTags|DeleteTags|Stop|Terminate)|DynamoDB.*:(Update|Delete|TransactWrite|BatchWrite))/;
/**
 * The read schedule's writes: one small PutItem when an instance's next read moves, i.e. after a read of a busy
 * instance. A measured first pass writes one for every busy instance; at steady state only the instances read.
 */
const SCHEDULE_WRITE = 'DynamoDB:PutItem';
/** Schedule writes run 8 at a time. */
const SCHEDULE_WRITE_CONCURRENCY = 8;

/** One line of the monthly bill, per fleet size. */
interface CostLine {
  readonly item: string;
  readonly usd: readonly number[];
}

/**
 * The monthly bill for each fleet size in `sizes`, from the measured `run` pass over `run.instances` instances.
 *
 * @param seriesPerInstance GPU series listed per instance in the measured fleet (1: the rollup only)
 * @param readShare at steady state, the share of instances a pass reads (the read schedule skips the rest; measured
 *   by the read-floor benchmark) @default 1
 */
function monthlyCost(run: PassMeasure, sizes: readonly number[], seriesPerInstance: number, readShare = 1): CostLine[] {
  const measured = Math.max(1, run.instances);
  const passes = ASSUMPTIONS.passesPerMonth;
  const transitionsPerPass = (n: number) => (n * ASSUMPTIONS.transitionsPerInstanceDay) / 288;
  const events = Math.max(1, run.events);
  const publishes = Object.entries(run.calls)
    .filter(([key]) => key === 'SNS:Publish')
    .reduce((sum, [, count]) => sum + count.calls, 0);
  const scheduleWrites = run.calls[SCHEDULE_WRITE]?.calls ?? 0;
  const scheduleWritesPerPass = (n: number) => (scheduleWrites / measured) * readShare * n;
  const callsPerPass = (n: number) =>
    Object.entries(run.calls).reduce((sum, [key, count]) => {
      if (key === SCHEDULE_WRITE) return sum + scheduleWritesPerPass(n) / SCHEDULE_WRITE_CONCURRENCY;
      if (PER_TRANSITION.test(key)) return sum + (count.calls / events) * transitionsPerPass(n);
      return sum + Math.max(1, Math.ceil((count.calls * n) / measured));
    }, 0);
  const lambdaSeconds = (n: number) =>
    (run.cpuMs / 1000) * (n / measured) + ASSUMPTIONS.secondsPerCall * callsPerPass(n);

  const line = (item: string, perPass: (n: number) => number): CostLine => ({
    item,
    usd: sizes.map((n) => perPass(n) * passes),
  });
  return [
    line(
      'CloudWatch GetMetricData',
      (n) => (run.units.metricsRequested / measured) * readShare * n * PRICE.metricRequested,
    ),
    line(
      'CloudWatch ListMetrics',
      (n) => Math.ceil((n * seriesPerInstance) / ASSUMPTIONS.seriesPerPage) * PRICE.cloudWatchRequest,
    ),
    line('EC2 Describe*', () => 0),
    line('DynamoDB reads', (n) => (run.units.readUnits / measured) * n * PRICE.readUnit),
    line(
      'DynamoDB writes',
      (n) =>
        (((run.units.writeUnits - scheduleWrites) / events) * transitionsPerPass(n) + scheduleWritesPerPass(n)) *
        PRICE.writeUnit,
    ),
    line('SNS publishes', (n) => (publishes / events) * transitionsPerPass(n) * PRICE.snsPublish),
    line('Lambda duration', (n) => lambdaSeconds(n) * ASSUMPTIONS.lambdaGb * PRICE.lambdaGbSecond),
    line('Lambda requests', () => PRICE.lambdaRequest),
  ];
}

/** The baseline's CloudWatch bill: one GetMetricStatistics per instance per pass. */
function baselineCloudWatchCost(sizes: readonly number[]): number[] {
  return sizes.map((n) => n * PRICE.cloudWatchRequest * ASSUMPTIONS.passesPerMonth);
}

/** The assumptions, as lines to print under the table. */
function assumptionLines(run: PassMeasure, readShare = 1): string[] {
  const measured = Math.max(1, run.instances);
  const perInstance = (value: number) => (value / measured).toFixed(3);
  return [
    `schedule rate(5 minutes) = ${ASSUMPTIONS.passesPerMonth.toLocaleString('en-US')} passes/month; us-east-1 list prices: GetMetricData $0.01 per 1,000 metrics, ` +
      'other CloudWatch API $0.01 per 1,000 requests (before the free tier), EC2 Describe free,',
    `  Lambda arm64 $0.0000133334 per GB-s at ${ASSUMPTIONS.lambdaGb * 1024} MB + $0.20 per 1M requests, DynamoDB on-demand ` +
      '$0.625 per 1M write units / $0.125 per 1M read units, SNS $0.50 per 1M publishes (deliveries not included).',
    `scaled per instance from the measured run pass over ${run.instances.toLocaleString('en-US')} instances: ${perInstance(run.units.metricsRequested)} ` +
      `metrics requested and ${perInstance(run.units.readUnits)} read units per instance per pass; ListMetrics one page per ` +
      `${ASSUMPTIONS.seriesPerPage} series; at steady state a pass reads ${(readShare * 100).toFixed(1)}% of the instances ` +
      '(the read schedule, measured in (d)).',
    `per transition (measured: ${run.events} events): ${((run.units.writeUnits - (run.calls[SCHEDULE_WRITE]?.calls ?? 0)) / Math.max(1, run.events)).toFixed(1)} write units ` +
      `and the publishes; assumed ${ASSUMPTIONS.transitionsPerInstanceDay} transitions per instance per day.`,
    `read schedule: the measured first pass wrote ${(run.calls[SCHEDULE_WRITE]?.calls ?? 0).toLocaleString('en-US')} schedules (one per busy ` +
      'instance); at steady state one small write per instance read, 8 at a time.',
    `Lambda duration = this process's CPU time in the measured pass (${(run.cpuMs / 1000).toFixed(1)} s), scaled per instance, ` +
      `+ ${ASSUMPTIONS.secondsPerCall * 1000} ms of AWS latency per call, calls taken as sequential (an upper bound).`,
    'Not included: fixed costs (KMS key, alarms, dashboard, the custom metrics of the reaper itself: see the README).',
  ];
}

export type { CostLine };
export { ASSUMPTIONS, assumptionLines, baselineCloudWatchCost, monthlyCost, PRICE };
