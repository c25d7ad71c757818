/**
 * Table (g) as plain text, in the style of print.ts: the fleet audit's memory, time and calls beside its targets
 * (the digest Lambda's room: under 1 GiB and 5 minutes), and what its GetMetricData metrics cost.
 */
import Table from 'cli-table3';
import type { FleetAuditBenchResult } from './fleet-audit-bench';

const plain = { style: { head: [], border: [] } };
const count = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });
const dollars = (value: number) => `$${Math.round(value).toLocaleString('en-US')}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** GetMetricData, us-east-1: $0.01 per 1,000 metrics requested. */
const USD_PER_METRIC = 0.01 / 1000;
const MEMORY_TARGET_MIB = 1024;
const TIME_TARGET_MS = 5 * 60_000;
const verdict = (ok: boolean) => (ok ? 'yes' : 'NO');

/** Table (g) and the lines under it. */
function fleetAuditLines(result: FleetAuditBenchResult): string[] {
  const { shape, counts, audit } = result;
  const instances = shape.singleGpu + shape.fourGpu;
  const table = new Table({ head: ['(g) fleet audit', 'measured', 'target'], ...plain });
  table.push(
    [
      'fleet',
      `${count(instances)} instances × ${shape.days} days (${count(shape.singleGpu)} g5.xlarge by rollup, ` +
        `${count(shape.fourGpu)} g5.12xlarge per GPU); ${count(result.seriesListed)} series listed`,
      '',
    ],
    ['read', `${result.periodSeconds}-second maxima, ${count(result.instancesPerBatch)} instances a batch`, ''],
    [
      'peak RSS (process maxRSS)',
      `${count(Math.round(result.maxRssMiB))} MiB`,
      `< 1,024 MiB: ${verdict(result.maxRssMiB < MEMORY_TARGET_MIB)}`,
    ],
    [
      'RSS before the read → sampled peak during it',
      `${count(Math.round(result.rssBeforeMiB))} → ${count(Math.round(result.sampledPeakRssMiB))} MiB`,
      '',
    ],
    ['wall time (read + audit)', seconds(result.wallMs), `< 300 s: ${verdict(result.wallMs < TIME_TARGET_MS)}`],
    [
      'GetMetricData calls (pages continued by NextToken)',
      `${count(counts.getMetricData)} (${count(counts.continuedPages)})`,
      '',
    ],
    ['metrics requested (queries)', count(counts.metricsRequested), ''],
    ['datapoints returned', count(counts.datapointsReturned), ''],
    ['ListMetrics calls (2 sources)', count(counts.listMetrics), ''],
    ['DescribeInstances calls', count(counts.describeInstances), ''],
    [
      'GetMetricData price ($0.01 per 1,000 metrics, us-east-1)',
      `$${(counts.metricsRequested * USD_PER_METRIC).toFixed(2)} per audit`,
      '',
    ],
  );
  const bands = audit.spendByBand;
  return [
    table.toString(),
    `audit: ${count(audit.instances)} instances, ${dollars(audit.spendUsd)} spent (below 5% ${dollars(bands.below5)}, ` +
      `5–30% ${dollars(bands.from5to30)}, above 30% ${dollars(bands.above30)}), ${count(audit.neverUsed)} never used, ` +
      `${count(audit.rightSizing.length)} right-sizing suggestions`,
    'synthetic history from an in-process fake CloudWatch and EC2 (seeded): CloudWatch’s own latency is not in the ' +
      'wall time.',
  ];
}

export { fleetAuditLines };
