/**
 * The quiet-targets benchmark as plain text: target passes and AWS calls per hour before (every target every tick,
 * from the accounts benchmark) and after (quiet targets every `quietTargetEvery`), the launch that woke a quiet
 * target, and the monthly fan-out overhead of 1,000 accounts × 17 Regions sized from the measured ratio.
 */
import Table from 'cli-table3';
import type { CallCount } from '../../shared/adapters/aws/call-counter';
import type { AccountsBenchResult } from './accounts-bench';
import type { QuietBenchResult } from './quiet-bench';

const plain = { style: { head: [], border: [] } };
const sumCalls = (calls: Record<string, CallCount>) => Object.values(calls).reduce((sum, c) => sum + c.calls, 0);
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const usd = (value: number) =>
  `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Passes and calls per hour, before and after. */
function hourFigures(before: AccountsBenchResult, after: QuietBenchResult) {
  const tick = before.ticks[0];
  const beforeTickCalls =
    (tick ? sumCalls(tick.calls) : 0) + sumCalls(before.workerCalls) + sumCalls(before.pollerCalls);
  const passes = { before: before.targets.length * 12, after: after.ticks.reduce((s, t) => s + t.passes, 1) };
  const calls = { before: beforeTickCalls * 12, after: after.ticks.reduce((s, t) => s + t.calls, after.wake.calls) };
  return { passes, calls, passRatio: passes.before / passes.after, callRatio: calls.before / calls.after };
}

/** The monthly fan-out overhead of `targets` targets at 8,640 ticks, every target every tick vs. the ratio. */
function monthlyRows(targets: number, passRatio: number) {
  const before = targets * 8_640;
  const after = before / passRatio;
  const gbSecond = 0.000_013_333_4;
  const sqs = (passes: number) => (Math.max(0, 2.1 * passes - 1e6) * 0.4) / 1e6;
  const rows = [
    ['worker requests', (p: number) => (p * 0.2) / 1e6],
    ['worker compute, 0.114 s (measured moto median)', (p: number) => p * 0.114 * 0.5 * gbSecond],
    ['worker compute, 2 s (assumed)', (p: number) => p * 2 * 0.5 * gbSecond],
    ['dispatcher (time ∝ targets leased)', (p: number) => (0.87 * p) / before],
    ['SQS requests (0.1 send + 1 receive + 1 delete per pass)', sqs],
  ] as const;
  const table: (readonly [string, number, number])[] = rows.map(([label, cost]) => [label, cost(before), cost(after)]);
  // Before: a lease put and delete per pass. After: the same plus the pass's state update, and each tick's
  // one Query of every state (~150 bytes a target, eventually consistent: 0.5 read unit per 4 KB).
  const states = ((8_640 * Math.ceil((targets * 150) / 4096)) / 2) * (0.125 / 1e6);
  table.push([
    'DynamoDB lease and state writes, state reads',
    (2 * before * 0.625) / 1e6,
    (3 * after * 0.625) / 1e6 + states,
  ]);
  const total = (n: 1 | 2, fast: boolean) =>
    table.filter(([label]) => !label.includes(fast ? '2 s' : '0.114 s')).reduce((s, row) => s + row[n], 0);
  return { before, after, table, totals: [total(1, true), total(1, false), total(2, true), total(2, false)] as const };
}

/** Every table of the quiet-targets benchmark. */
function quietTables(before: AccountsBenchResult, result: QuietBenchResult): string {
  const hour = hourFigures(before, result);
  const perHour = new Table({ head: ['one hour, 5-minute ticks', 'before', 'after', 'ratio'], ...plain });
  perHour.push(
    ['target passes', count(hour.passes.before), count(hour.passes.after), `${hour.passRatio.toFixed(1)}×`],
    [
      'AWS calls (dispatcher, passes, event source)',
      count(hour.calls.before),
      count(hour.calls.after),
      `${hour.callRatio.toFixed(1)}×`,
    ],
  );
  const ticks = result.ticks.map((t, n) => `${n + 1}:${t.passes}`).join(' ');
  const wake = result.wake;
  const lines = [
    `quiet targets (quietTargetEvery ${result.quietEveryMs / 60_000} min): before = every target every tick (the ` +
      `accounts benchmark's tick and passes × 12); after = the 12 ticks following a first tick that passed all ` +
      `${result.targets}, plus the woken pass`,
    perHour.toString(),
    `passes per tick after: ${ticks}`,
    `launch in quiet target ${wake.target} a minute after tick 6: ${wake.enqueued ? 'enqueued at once' : 'NOT enqueued'}, ` +
      `passed ${(wake.passedAfterMs / 1000).toFixed(2)} s (wall) after its event, ${wake.decided} GPU instance decided; ` +
      `the next tick was ${wake.nextTickInMs / 60_000} min away (${wake.calls} calls)`,
  ];
  const month = monthlyRows(17_000, hour.passRatio);
  const table = new Table({ head: ['17,000 targets, per month', 'every tick', 'quiet hourly'], ...plain });
  table.push(['target passes', `${(month.before / 1e6).toFixed(2)} M`, `${(month.after / 1e6).toFixed(2)} M`]);
  for (const [label, b, a] of month.table) table.push([label, usd(b), usd(a)]);
  const [b1, b2, a1, a2] = month.totals;
  table.push(['total, fan-out overhead (0.114 s / 2 s)', `${usd(b1)} / ${usd(b2)}`, `${usd(a1)} / ${usd(a2)}`]);
  lines.push(
    '',
    `1,000 accounts × 17 regions with the same mix, sized from the measured pass ratio ${hour.passRatio.toFixed(2)}×:`,
    table.toString(),
  );
  return lines.join('\n');
}

export { hourFigures, monthlyRows, quietTables };
