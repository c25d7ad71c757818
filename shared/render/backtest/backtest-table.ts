/**
 * The backtest as readable terminal tables: the fleet audit (spend by band, never used, top wasters by owner), what
 * the policy would have done, and the threshold sweep.
 */
import { formatDuration } from '../../config/durations';
import { percent, plural } from '../../engine/format';
import type { BacktestResult, SweepRow } from '../../engine/replay/types';
import { fittedTable, TABLE_WIDTH } from '../tables/fitted-table';
import { wrapText } from '../tables/terminal-wrap';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';
import {
  actionRows,
  actionsByRule,
  instanceLabel,
  neverUsedInstances,
  shareText,
  wasteByOwner,
} from './backtest-summary';

/** What the header says about the run. */
interface TableContext {
  readonly days: number;
  readonly regions: readonly string[];
  /** The policy in one line (`idle < 5% for 1h, grace 30m, …`). */
  readonly policy: string;
  /** Rows per list before "… and N more". @default 10 */
  readonly limit?: number;
}

/** An instance id is 19 characters: its column never gets narrower. */
const ID_WIDTH = 19;
const text = (value: string | null, max = 40) => (value === null ? '-' : cleanText(value, max));
const time = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/:\d{2}\.\d{3}Z$/, 'Z')
    .replace('T', ' ');

/** A sentence wrapped to the tables' width, continuation lines indented. */
const say = (line: string) => wrapText(line, TABLE_WIDTH - 2).replace(/\n/g, '\n  ');

function more(total: number, shown: number): string[] {
  return total > shown ? [`… and ${total - shown} more`] : [];
}

function bandTable(result: BacktestResult): string {
  const { spendByBand, spendUsd } = result.fleet;
  const bands: [string, number][] = [
    ['below 5%', spendByBand.below5],
    ['5% to 30%', spendByBand.from5to30],
    ['above 30%', spendByBand.above30],
    ['unknown (short gap in data)', spendByBand.unknown],
  ];
  const rows = bands.map(([band, usd]) => [band, formatUsd(usd), shareText(usd, spendUsd)]);
  return fittedTable(['GPU max of the minute', 'Spend', 'Share'], [...rows, ['total', formatUsd(spendUsd), '']]);
}

function ownerTable(result: BacktestResult, limit: number): string[] {
  const owners = wasteByOwner(result).filter((owner) => owner.below5Usd > 0);
  if (owners.length === 0) return ['No spend below 5% GPU.'];
  const rows = owners
    .slice(0, limit)
    .map((owner) => [
      text(owner.owner ?? '(no owner)', 80),
      owner.instances,
      formatUsd(owner.below5Usd),
      formatUsd(owner.spendUsd),
      shareText(owner.below5Usd, owner.spendUsd),
      owner.neverUsed,
    ]);
  const head = ['Owner', 'Instances', 'Spend < 5%', 'Spend', 'Wasted', 'Never used'];
  return [fittedTable(head, rows, { shrink: { 0: 20 } }), ...more(owners.length, limit)];
}

function neverUsedTable(result: BacktestResult, limit: number): string[] {
  const idle = neverUsedInstances(result);
  if (idle.length === 0) return ['No instance stayed below neverUsed.threshold for its whole history.'];
  const rows = idle
    .slice(0, limit)
    .map((instance) => [
      instanceLabel(instance),
      text(instance.instanceType, 20),
      text(instance.owner, 80),
      formatUsd(instance.spendUsd),
      percent(instance.maxUtilization ?? 0),
    ]);
  const head = ['Instance', 'Type', 'Owner', 'Spend', 'GPU max'];
  return [fittedTable(head, rows, { shrink: { 0: ID_WIDTH, 2: 20 } }), ...more(idle.length, limit)];
}

/** What host activity held back, in a person's words; nothing when host activity is off. */
function hostLine(fleet: BacktestResult['fleet']): string[] {
  if (fleet.heldByHost === undefined) return [];
  if (fleet.heldByHost === null) return [say('Host activity: no EC2 host history, so judged by the GPUs alone')];
  const { actions, falseKills } = fleet.heldByHost;
  if (actions === 0) return [say('Held back by a busy host: no action GPU-only judgement would have taken')];
  const kills =
    actions === 1
      ? falseKills === 1
        ? 'a false kill: busy again within 6 hours'
        : 'not a false kill'
      : falseKills === 0
        ? 'none of them a false kill'
        : `${falseKills} of them ${falseKills === 1 ? 'a false kill' : 'false kills'}: busy again within 6 hours`;
  return [say(`Held back by a busy host: ${plural(actions, 'action')} GPU-only judgement would have taken (${kills})`)];
}

function actionTable(result: BacktestResult, limit: number): string[] {
  const { fleet } = result;
  const rules = Object.entries(actionsByRule(result))
    .map(([rule, count]) => `${rule} ${count}`)
    .join(', ');
  const lines = [
    say(
      `${plural(fleet.warnings, 'warning')}, ${plural(fleet.actions, 'action')}${rules ? ` (${rules})` : ''}, ` +
        `saved ${formatUsd(fleet.savedUsd)} of ${formatUsd(fleet.spendUsd)} ` +
        `(${shareText(fleet.savedUsd, fleet.spendUsd)}), ${plural(fleet.falseKills, 'false kill')} ` +
        '(busy again within 6 hours)',
    ),
    ...hostLine(fleet),
  ];
  const actions = actionRows(result);
  if (actions.length === 0) return lines;
  // The time on two lines and the owner under the instance, so the instance and its name get the room.
  const rows = actions
    .slice(0, limit)
    .map((row) => [
      time(row.at).replace(' ', '\n'),
      `${instanceLabel(row.instance)}\n${text(row.instance.owner ?? '(no owner)', 80)}`,
      row.rule,
      row.action,
      formatUsd(row.savedUsd),
      row.falseKill ? 'yes' : '',
    ]);
  const head = ['At', 'Instance, owner', 'Rule', 'Action', 'Saved', 'False kill'];
  return [...lines, fittedTable(head, rows, { shrink: { 1: ID_WIDTH, 5: 5 } }), ...more(actions.length, limit)];
}

/** The sweep as a table, the configured policy marked. */
function renderSweepTable(rows: readonly SweepRow[]): string {
  const cells = rows.map((row) => [
    `${row.threshold}%`,
    row.window,
    row.actions,
    formatUsd(row.savedUsd),
    row.falseKills,
    row.configured ? '← configured' : '',
  ]);
  return fittedTable(['idle.threshold', 'idle.window', 'Actions', 'Saved', 'False kills', ''], cells);
}

/**
 * Renders a backtest for the terminal, every line at most {@link TABLE_WIDTH} columns; an instance shows its `Name`
 * tag beside its id when it has one.
 *
 * @example renderBacktestTables(result, { days: 14, regions: ['us-east-1'], policy: describePolicy(config) }, rows)
 */
function renderBacktestTables(result: BacktestResult, context: TableContext, sweep?: readonly SweepRow[]): string {
  const limit = context.limit ?? 10;
  const { fleet } = result;
  const unpriced =
    fleet.unpriced > 0 ? [say(`${plural(fleet.unpriced, 'instance')} of a type without a known price count $0.`)] : [];
  const sections = [
    say(
      `gpu-reaper backtest: ${plural(context.days, 'day')}, ${time(result.from.getTime())} to ` +
        `${time(result.to.getTime())} in ${context.regions.join(', ')}; ` +
        `${plural(fleet.instances, 'GPU instance')} with history; one pass every ${formatDuration(result.scheduleMs)}`,
    ),
    say(`Policy: ${context.policy}`),
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
