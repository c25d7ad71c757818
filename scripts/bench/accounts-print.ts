/**
 * The accounts benchmark's tables as plain text: the dispatcher's ticks, the worker's passes per target (median,
 * p95, max, total) and the calls by operation.
 */
import Table from 'cli-table3';
import type { CallCount } from '../../shared/adapters/aws/call-counter';
import type { AccountsBenchResult, TargetMeasure } from './accounts-bench';
import type { OrgFleet } from './org-fleet';

const plain = { style: { head: [], border: [] } };
const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;
const sumCalls = (calls: Record<string, CallCount>) => Object.values(calls).reduce((sum, c) => sum + c.calls, 0);

/** The value at rank ⌈q·n⌉ of the sorted values (nearest rank). */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

function spreadRow(label: string, values: readonly number[], format: (value: number) => string) {
  const total = values.reduce((sum, value) => sum + value, 0);
  return [
    label,
    format(percentile(values, 0.5)),
    format(percentile(values, 0.95)),
    format(Math.max(...values)),
    format(total),
  ];
}

/** The fleet line. */
function fleetLine(fleet: OrgFleet): string {
  return (
    `${fleet.accountIds.length} accounts (2 OUs) × ${fleet.regions.length} regions (${fleet.regions.join(', ')}) = ` +
    `${fleet.accountIds.length * fleet.regions.length} targets, ${fleet.gpuTargets.length} holding GPUs; ` +
    `${fleet.instances} GPU instances (1–4 per target holding any, ` +
    `seeded PRNG), ${fleet.idle} targets with one instance idle for 50 min; seeded in ${(fleet.seedMs / 1000).toFixed(1)} s`
  );
}

/** The dispatcher's ticks. */
function ticksTable(result: AccountsBenchResult): string {
  const table = new Table({
    head: ['dispatcher', 'targets', 'enqueued', 'still in flight', 'calls', 'wall'],
    ...plain,
  });
  for (const t of result.ticks)
    table.push([t.label, t.targets, t.enqueued, t.stillInFlight, sumCalls(t.calls), ms(t.wallMs)]);
  const first = result.ticks[0];
  const calls = first
    ? Object.entries(first.calls)
        .map(([key, c]) => `${key} ${c.calls}`)
        .join(', ')
    : '';
  return `${table.toString()}\ntick 1 calls: ${calls}`;
}

/** The worker's passes: per target and in total. */
function targetsTable(result: AccountsBenchResult): string {
  const passes = result.targets;
  const table = new Table({ head: ['worker, per target', 'median', 'p95', 'max', 'total'], ...plain });
  const count = (value: number) => Math.round(value).toLocaleString('en-US');
  table.push(
    spreadRow(
      'wall time',
      passes.map((p: TargetMeasure) => p.wallMs),
      ms,
    ),
    spreadRow(
      'CPU time of the pass (this process)',
      passes.map((p) => p.cpuMs),
      ms,
    ),
    spreadRow(
      'AWS calls',
      passes.map((p) => p.calls),
      count,
    ),
    spreadRow(
      'GPU instances decided',
      passes.map((p) => p.instances),
      count,
    ),
    spreadRow(
      'events (WARNED)',
      passes.map((p) => p.events),
      count,
    ),
  );
  const failed = passes.filter((p) => p.status === 'error');
  const lines = [
    table.toString(),
    `${passes.length} passes, ${failed.length} failed; one at a time, ${ms(result.workerWallMs)} in all ` +
      `(${(passes.length / (result.workerWallMs / 1000)).toFixed(1)} targets/s)`,
  ];
  for (const pass of failed.slice(0, 5)) lines.push(`  failed ${pass.target}: ${pass.error}`);
  return lines.join('\n');
}

/** Calls by operation: in all, and per target. */
function callsTable(result: AccountsBenchResult): string {
  const passes = Math.max(1, result.targets.length);
  const table = new Table({ head: ['operation (worker passes)', 'calls', 'per target'], ...plain });
  const rows = Object.entries(result.workerCalls).sort(([a], [b]) => a.localeCompare(b));
  for (const [key, c] of rows) table.push([key, c.calls, (c.calls / passes).toFixed(2)]);
  const total = sumCalls(result.workerCalls);
  table.push(['total', total, (total / passes).toFixed(2)]);
  const poller = Object.entries(result.pollerCalls)
    .map(([key, c]) => `${key} ${c.calls}`)
    .join(', ');
  return `${table.toString()}\nthe event source's part (not in the passes): ${poller}`;
}

/** Every table of the benchmark. */
function accountsTables(fleet: OrgFleet, result: AccountsBenchResult): string {
  return [fleetLine(fleet), '', ticksTable(result), '', targetsTable(result), '', callsTable(result)].join('\n');
}

export { accountsTables, percentile };
