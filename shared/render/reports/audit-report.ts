/**
 * `gpu-reaper report`: the audit trail over a period, counted by event, rule, owner and instance type, with the
 * money and GPU-hours the actions avoided (and, in dry run, would have avoided).
 */
import Table from 'cli-table3';
import { type AvoidableItem, type AvoidedSpend, type AvoidedTotals, avoidedSpend } from '../../report/avoided-spend';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';

/** The audit fields a report reads. */
interface ReportableItem extends AvoidableItem {
  readonly event: string;
  readonly rule: string | null;
  readonly owner: string | null;
  readonly instanceType: string;
  readonly instanceId: string;
  readonly at: string;
}

type Counts = Record<string, number>;

function countBy(items: readonly ReportableItem[], key: (item: ReportableItem) => string): Counts {
  const counts: Counts = {};
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([, a], [, b]) => b - a));
}

/**
 * The report of a period: counts, plus `avoided` and `wouldHaveAvoided` (see `AVOIDED_METHOD` for the estimate).
 *
 * @example auditReport(await audit.between(from, to), from, to).avoided.usd // 913.14
 */
function auditReport(items: readonly ReportableItem[], from: Date, to: Date) {
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    events: items.length,
    instances: new Set(items.map((item) => item.instanceId)).size,
    byEvent: countBy(items, (item) => item.event),
    byRule: countBy(items, (item) => item.rule ?? 'none'),
    byOwner: countBy(items, (item) => item.owner ?? 'unknown'),
    byInstanceType: countBy(items, (item) => item.instanceType),
    ...avoidedSpend(items, to),
  };
}

/** What {@link auditReport} returns. */
type AuditReport = ReturnType<typeof auditReport>;

const PLAIN = { head: [], border: [] };

function countSection(title: string, counts: Counts): string {
  const table = new Table({ head: [title, 'events'], style: PLAIN });
  // Keys are tag values (owner) from instances: never let them put control sequences on an admin's terminal.
  for (const [key, count] of Object.entries(counts)) table.push([cleanText(key, 80), count]);
  return table.toString();
}

function avoidedSection(title: string, groups: Readonly<Record<string, AvoidedTotals>>): string {
  const table = new Table({ head: [title, 'actions', 'hours', 'USD', 'GPU-hours'], style: PLAIN });
  for (const [key, totals] of Object.entries(groups)) {
    table.push([cleanText(key, 80), totals.actions, totals.hours, formatUsd(totals.usd), totals.gpuHours]);
  }
  return table.toString();
}

/**
 * One line of totals: `$913.14 and 172 GPU-hours avoided by 4 actions (1 without a price)`.
 *
 * @param verb `avoided` or `would have avoided`
 */
function avoidedHeadline(spend: AvoidedSpend, verb: string): string {
  const unpriced = spend.unpriced > 0 ? ` (${spend.unpriced} without a price)` : '';
  const actions = `${spend.actions} action${spend.actions === 1 ? '' : 's'}`;
  return `${formatUsd(spend.usd)} and ${spend.gpuHours} GPU-hours ${verb} by ${actions}${unpriced}`;
}

function avoidedBlock(spend: AvoidedSpend, verb: string): string[] {
  if (spend.actions === 0) return [];
  return [
    avoidedHeadline(spend, verb),
    avoidedSection('rule', spend.byRule),
    avoidedSection('owner', spend.byOwner),
    avoidedSection('instance type', spend.byInstanceType),
  ];
}

/** The report as readable tables. */
function renderAuditReport(report: AuditReport): string {
  return [
    `gpu-reaper audit ${report.from} → ${report.to}: ${report.events} events for ${report.instances} instances`,
    countSection('event', report.byEvent),
    countSection('rule', report.byRule),
    countSection('owner', report.byOwner),
    countSection('instance type', report.byInstanceType),
    ...avoidedBlock(report.avoided, 'avoided'),
    ...avoidedBlock(report.wouldHaveAvoided, 'would have been avoided (dry run)'),
    `How "avoided" is estimated: ${report.avoided.method}`,
  ].join('\n');
}

export type { AuditReport, ReportableItem };
export { auditReport, avoidedHeadline, renderAuditReport };
