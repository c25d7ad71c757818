/**
 * The backtest as readable terminal tables: the fleet audit (spend by band, never used, top wasters by owner), what
 * the policy would have done, and the threshold sweep.
 */
import Table from 'cli-table3';
import { formatDuration } from '../../config/durations';
import type { BacktestResult, SweepRow } from '../../engine/replay/types';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';
import { actionRows, actionsByRule, neverUsedInstances, shareText, wasteByOwner } from './backtest-summary';

/** What the header says about the run. */
interface TableContext {
  readonly days: number;
  readonly regions: readonly string[];
  /** The policy in one line (`idle < 5% for 1h, grace 30m, …`). */
  readonly policy: string;
  /** Rows per list before "… and N more". @default 10 */
  readonly limit?: number;
}

const STYLE = { head: [], border: [] };
const text = (value: string | null, max = 40) => (value === null ? '-' : cleanText(value, max));
const time = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/:\d{2}\.\d{3}Z$/, 'Z')
    .replace('T', ' ');

function more(total: number, shown: number): string[] {
  return total > shown ? [`… and ${total - shown} more`] : [];
}

function bandTable(result: BacktestResult): string {
  const { spendByBand, spendUsd } = result.fleet;
  const table = new Table({ head: ['GPU max of the minute', 'Spend', 'Share'], style: STYLE });
  const rows: [string, number][] = [
    ['below 5%', spendByBand.below5],
    ['5% to 30%', spendByBand.from5to30],
    ['above 30%', spendByBand.above30],
    ['unknown (short gap in data)', spendByBand.unknown],
  ];
  for (const [band, usd] of rows) table.push([band, formatUsd(usd), shareText(usd, spendUsd)]);
  table.push(['total', formatUsd(spendUsd), '']);
  return table.toString();
}

function ownerTable(result: BacktestResult, limit: number): string[] {
  const owners = wasteByOwner(result).filter((owner) => owner.below5Usd > 0);
  if (owners.length === 0) return ['No spend below 5% GPU.'];
  const table = new Table({
    head: ['Owner', 'Instances', 'Spend < 5%', 'Spend', 'Wasted', 'Never used'],
    style: STYLE,
  });
  for (const owner of owners.slice(0, limit)) {
    table.push([
      text(owner.owner ?? '(no owner)'),
      String(owner.instances),
      formatUsd(owner.below5Usd),
      formatUsd(owner.spendUsd),
      shareText(owner.below5Usd, owner.spendUsd),
      String(owner.neverUsed),
    ]);
  }
  return [table.toString(), ...more(owners.length, limit)];
}

function neverUsedTable(result: BacktestResult, limit: number): string[] {
  const idle = neverUsedInstances(result);
  if (idle.length === 0) return ['No instance stayed below neverUsed.threshold for its whole history.'];
  const table = new Table({ head: ['Instance', 'Type', 'Owner', 'Spend', 'GPU max'], style: STYLE });
  for (const instance of idle.slice(0, limit)) {
    table.push([
      instance.instanceId,
      text(instance.instanceType, 20),
      text(instance.owner),
      formatUsd(instance.spendUsd),
      `${instance.maxUtilization ?? 0}%`,
    ]);
  }
  return [table.toString(), ...more(idle.length, limit)];
}

function actionTable(result: BacktestResult, limit: number): string[] {
  const { fleet } = result;
  const rules = Object.entries(actionsByRule(result))
    .map(([rule, count]) => `${rule} ${count}`)
    .join(', ');
  const lines = [
    `${fleet.warnings} warnings, ${fleet.actions} actions${rules ? ` (${rules})` : ''}, ` +
      `saved ${formatUsd(fleet.savedUsd)} of ${formatUsd(fleet.spendUsd)} (${shareText(fleet.savedUsd, fleet.spendUsd)}), ` +
      `${fleet.falseKills} false kills (busy again within 6 hours)`,
  ];
  const rows = actionRows(result);
  if (rows.length === 0) return lines;
  const table = new Table({ head: ['At', 'Instance', 'Owner', 'Rule', 'Action', 'Saved', 'False kill'], style: STYLE });
  for (const row of rows.slice(0, limit)) {
    table.push([
      time(row.at),
      row.instance.instanceId,
      text(row.instance.owner, 30),
      row.rule,
      row.action,
      formatUsd(row.savedUsd),
      row.falseKill ? 'yes' : '',
    ]);
  }
  return [...lines, table.toString(), ...more(rows.length, limit)];
}

/** The sweep as a table, the configured policy marked. */
function renderSweepTable(rows: readonly SweepRow[]): string {
  const table = new Table({
    head: ['idle.threshold', 'idle.window', 'Actions', 'Saved', 'False kills', ''],
    style: STYLE,
  });
  for (const row of rows) {
    table.push([
      `${row.threshold}%`,
      row.window,
      String(row.actions),
      formatUsd(row.savedUsd),
      String(row.falseKills),
      row.configured ? '← configured' : '',
    ]);
  }
  return table.toString();
}

/**
 * Renders a backtest for the terminal.
 *
 * @example renderBacktestTables(result, { days: 14, regions: ['us-east-1'], policy: describePolicy(config) }, rows)
 */
function renderBacktestTables(result: BacktestResult, context: TableContext, sweep?: readonly SweepRow[]): string {
  const limit = context.limit ?? 10;
  const { fleet } = result;
  const unpriced =
    fleet.unpriced > 0 ? [`${fleet.unpriced} instance(s) of a type without a known price count $0.`] : [];
  const sections = [
    `gpu-reaper backtest: ${context.days} days, ${time(result.from.getTime())} to ${time(result.to.getTime())} ` +
      `in ${context.regions.join(', ')}; ${fleet.instances} GPU instances with history; ` +
      `one pass every ${formatDuration(result.scheduleMs)}`,
    `Policy: ${context.policy}`,
    '',
    'Fleet spend by GPU utilization',
    bandTable(result),
    ...unpriced,
    '',
    `Never used (${fleet.neverUsed})`,
    ...neverUsedTable(result, limit),
    '',
    'Top wasters by owner (spend while the GPU stayed below 5%)',
    ...ownerTable(result, limit),
    '',
    'What the policy would have done',
    ...actionTable(result, limit),
    ...(sweep
      ? ['', 'Threshold sweep (false kills judged at the configured idle.threshold)', renderSweepTable(sweep)]
      : []),
  ];
  return sections.join('\n');
}

export type { TableContext };
export { renderBacktestTables, renderSweepTable };
