/**
 * The benchmark's three tables as plain text (cli-table3, no colours), so the output pastes into a README as is.
 */
import Table from 'cli-table3';
import { type CostLine, monthlyCost } from './cost-model';
import type { EngineBenchResult } from './engine-bench';
import type { PassMeasure } from './pass-bench';

const plain = { style: { head: [], border: [] } };
const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;
const usd = (value: number) => (value < 0.01 && value > 0 ? '< $0.01' : `$${value.toFixed(2)}`);
const count = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** Table (a): engine time and memory. */
function engineTable(result: EngineBenchResult): string {
  const { shape } = result;
  const table = new Table({ head: ['(a) engine', 'value'], ...plain });
  const outcomes = Object.entries(result.outcomes)
    .filter(([key]) => key !== 'scanned')
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
  table.push(
    ['fleet', `${count(shape.instances)} instances × ${shape.gpus} GPUs × ${shape.minutes} min`],
    ['per-GPU samples merged', count(result.samples)],
    [`generate + merge per minute as samples arrive (MinuteMerger), median of ${result.runs}`, ms(result.mergeMs)],
    [`decideFleet, median of ${result.runs}`, ms(result.decideMs)],
    ['merge + decide, median (fastest)', `${ms(result.totalMs)} (${ms(result.fastestTotalMs)})`],
    ['per instance', `${((result.totalMs * 1000) / shape.instances).toFixed(0)} µs`],
    ['peak RSS (process maxRSS)', `${count(result.maxRssMiB)} MiB`],
    [
      'heap used after a run',
      `${count(result.heapUsedMiB)} MiB (merged minutes and inputs ${count(result.samplesHeapMiB)} MiB; raw samples never held)`,
    ],
    ['decisions', outcomes],
  );
  return table.toString();
}

/** Table (b): calls per operation, the reaper's passes beside the per-instance baseline, and the ratio. */
function callsTable(plan: PassMeasure, run: PassMeasure | null, baseline: PassMeasure): string {
  const measures: [string, PassMeasure][] = [
    ['plan', plan],
    ...(run ? ([['run (dry-run)', run]] as [string, PassMeasure][]) : []),
    ['per-instance baseline', baseline],
  ];
  const operations = [...new Set(measures.flatMap(([, m]) => Object.keys(m.calls)))].sort();
  const table = new Table({ head: ['(b) API calls per pass', ...measures.map(([name]) => name)], ...plain });
  for (const operation of operations) {
    table.push([operation, ...measures.map(([, m]) => count(m.calls[operation]?.calls ?? 0))]);
  }
  const total = (m: PassMeasure) => Object.values(m.calls).reduce((sum, c) => sum + c.calls, 0);
  table.push(
    ['total calls', ...measures.map(([, m]) => count(total(m)))],
    ['metrics requested (GetMetricData)', ...measures.map(([, m]) => count(m.units.metricsRequested))],
    [
      'DynamoDB read / write units',
      ...measures.map(([, m]) => `${count(m.units.readUnits)} / ${count(m.units.writeUnits)}`),
    ],
    ['instances decided / read', ...measures.map(([, m]) => count(m.instances))],
    ['wall time against moto', ...measures.map(([, m]) => ms(m.wallMs))],
  );
  const ratio = (m: PassMeasure) => `1 : ${(total(baseline) / Math.max(1, total(m))).toFixed(0)}`;
  const line = measures
    .filter(([, m]) => m !== baseline)
    .map(([name, m]) => `${name} ${count(total(m))} calls vs baseline ${count(total(baseline))}: ${ratio(m)}`);
  return `${table.toString()}\n${line.join('; ')}`;
}

/**
 * What host activity costs in GetMetricData, as the API meter counted the queries of two plan passes over the same
 * fleet, host activity on (the default) and off.
 */
function hostMetricsLine(withHost: PassMeasure, without: PassMeasure): string {
  const per = (m: PassMeasure, metrics = m.units.metricsRequested) => (metrics / Math.max(1, m.instances)).toFixed(3);
  const hostQueries = withHost.units.hostMetricsRequested;
  return (
    `metrics requested per instance per pass: ${per(withHost)} with host activity, ${per(without)} without ` +
    `(plan passes over ${count(withHost.instances)} GPU instances, GetMetricData queries counted by the API ` +
    `meter: ${count(hostQueries)} of ${count(withHost.units.metricsRequested)} for host activity, 3 per quiet ` +
    'instance read)'
  );
}

/** Table (c): the monthly bill per fleet size, plus the baseline's CloudWatch bill for comparison. */
function costTable(
  run: PassMeasure,
  sizes: readonly number[],
  baselineCloudWatch: readonly number[],
  readShare = 1,
): string {
  const lines: CostLine[] = monthlyCost(run, sizes, 1, readShare);
  const table = new Table({
    head: ['(c) reaper cost per month', ...sizes.map((n) => `${count(n)} GPU instances`)],
    ...plain,
  });
  for (const line of lines) table.push([line.item, ...line.usd.map(usd)]);
  const totals = sizes.map((_, index) => lines.reduce((sum, line) => sum + (line.usd[index] ?? 0), 0));
  table.push(['total', ...totals.map(usd)]);
  table.push(['baseline CloudWatch alone (1 call/instance)', ...baselineCloudWatch.map(usd)]);
  return table.toString();
}

export { callsTable, costTable, engineTable, hostMetricsLine };
