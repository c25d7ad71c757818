/**
 * The fleet audit in the report's terminal output: the headline, spend by band per group (one table per
 * `report.groupBy` key), the costliest runs, right-sizing, and a line for what could not be judged or read. Every
 * table fits the 100 columns; tag values are cleaned before they reach an admin's terminal.
 */
import { instant, plural, share } from '../../engine/format';
import type { FleetAudit, FleetGroup } from '../../report/fleet-audit-types';
import { fittedTable, TABLE_WIDTH } from '../tables/fitted-table';
import { wrapText } from '../tables/terminal-wrap';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';
import { fleetHeadline, rightSizingTotal, unjudgedLine } from './fleet-text';

/** Rows per group table; the rest are summed into one row, so a large organization still reads at a glance. */
const TOP_GROUPS = 10;

const say = (line: string) => wrapText(line, TABLE_WIDTH - 2).replace(/\n/g, '\n  ');
const bandShare = (usd: number, total: number) => (total > 0 ? share(usd / total) : '–');

function groupRow(value: string, group: FleetGroup): (string | number)[] {
  const total = group.spendUsd;
  return [
    cleanText(value, 60),
    group.instances,
    formatUsd(total),
    bandShare(group.spendByBand.below5, total),
    bandShare(group.spendByBand.from5to30, total),
    bandShare(group.spendByBand.above30, total),
    group.neverUsed,
  ];
}

function groupTables(fleet: FleetAudit): string[] {
  return Object.entries(fleet.groups).flatMap(([key, values]) => {
    const entries = Object.entries(values);
    if (entries.length === 0) return [];
    const rows = entries.slice(0, TOP_GROUPS).map(([value, group]) => groupRow(value, group));
    const rest = entries.slice(TOP_GROUPS);
    if (rest.length > 0) {
      const spend = rest.reduce((sum, [, group]) => sum + group.spendUsd, 0);
      const instances = rest.reduce((sum, [, group]) => sum + group.instances, 0);
      rows.push([`… ${plural(rest.length, 'more value')}`, instances, formatUsd(spend), '', '', '', '']);
    }
    const head = [cleanText(key, 40), 'instances', 'spend', '< 5%', '5–30%', '> 30%', 'never used'];
    return [fittedTable(head, rows, { shrink: { 0: 12 } })];
  });
}

function runsTable(fleet: FleetAudit): string[] {
  if (fleet.runs.length === 0) return [];
  const now = new Date(fleet.to);
  const rows = fleet.runs.map((run) => [
    cleanText(run.instanceId, 40),
    cleanText(run.instanceType, 24),
    cleanText(run.owner ?? '–', 60),
    // The head says UTC once, so each cell fits on one line.
    instant(new Date(run.start), now).replace(/ UTC$/, ''),
    run.end === null ? 'running' : instant(new Date(run.end), now).replace(/ UTC$/, ''),
    formatUsd(run.spendUsd),
    share(run.busyShare),
  ]);
  const head = ['instance', 'type', 'owner', 'start (UTC)', 'end (UTC)', 'spend', 'busy'];
  return [
    say(`Costliest ${plural(fleet.runs.length, 'run')} (busy: minutes at or above the idle threshold):`),
    fittedTable(head, rows, { shrink: { 1: 11, 2: 12 } }),
  ];
}

function rightSizingSection(fleet: FleetAudit): string[] {
  const lines: string[] = [];
  if (fleet.rightSizing.length === 0) {
    lines.push(say('Right-sizing: nothing to suggest.'));
  } else {
    const total = formatUsd(rightSizingTotal(fleet));
    const count = plural(fleet.rightSizing.length, 'instance');
    lines.push(say(`Right-sizing could save ${total}/week (${count}; a suggestion only, never an action):`));
    const rows = fleet.rightSizing.map((entry) => [
      cleanText(entry.instanceId, 40),
      cleanText(entry.instanceType, 24),
      `${entry.gpusEverBusy} of ${entry.gpus}`,
      entry.suggestedType,
      `${formatUsd(entry.weeklySavingUsd)}/week`,
    ]);
    lines.push(fittedTable(['instance', 'type', 'GPUs busy at once', 'suggested', 'saving'], rows));
  }
  if (fleet.rightSizingUnjudged.length > 0) lines.push(say(`${unjudgedLine(fleet)}.`));
  return lines;
}

/**
 * The fleet section of `gpu-reaper report`'s table output.
 *
 * @example renderFleetSection(report.fleet).split('\n')[0] // 'Fleet: $12,345.67 on GPUs over 7 days: 39% below …'
 */
function renderFleetSection(fleet: FleetAudit): string {
  const regions = fleet.regions && fleet.regions.length > 0 ? ` (${fleet.regions.join(', ')})` : '';
  return [
    say(`Fleet${regions}: ${fleetHeadline(fleet)}.`),
    ...(fleet.regionErrors ?? []).map((failed) =>
      say(`The history of ${failed.region} could not be read: ${cleanText(failed.error, 200)}`),
    ),
    ...groupTables(fleet),
    ...runsTable(fleet),
    ...rightSizingSection(fleet),
  ].join('\n');
}

export { renderFleetSection };
