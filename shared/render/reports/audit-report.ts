/**
 * `gpu-reaper report`: the audit trail over a period, counted by event, rule, owner and instance type, with the
 * money and GPU-hours the actions avoided (and, in dry run, would have avoided).
 */
import { decimal, plural } from '../../engine/format';
import { type AvoidableItem, type AvoidedSpend, type AvoidedTotals, avoidedSpend } from '../../report/avoided-spend';
import type { BudgetPart } from '../../report/budget-standings';
import { byAccount } from '../../report/by-account';
import { type OutOfReachItem, outOfReach } from '../../report/out-of-reach';
import type { FleetPart } from '../../report/period-report';
import { fittedTable, TABLE_WIDTH } from '../tables/fitted-table';
import { wrapText } from '../tables/terminal-wrap';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';
import { budgetTable } from './budget-section';
import { renderFleetSection } from './fleet-table';

/** The audit fields a report reads. */
interface ReportableItem extends AvoidableItem, OutOfReachItem {
  readonly accountId?: string | null;
  readonly event: string;
  readonly rule: string | null;
  readonly owner: string | null;
  readonly instanceType: string;
  readonly instanceId: string;
  readonly at: string;
  readonly evidence: AvoidableItem['evidence'] & OutOfReachItem['evidence'];
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
 * The report of a period: counts, plus `avoided` and `wouldHaveAvoided` (see `AVOIDED_METHOD` for the estimate), and
 * what was kept out of reach (`outOfReach`, see `OUT_OF_REACH_METHOD`).
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
    // Many accounts: per account, and per owner within it (items without an account are `unknown`).
    byAccount: byAccount(items, to),
    ...avoidedSpend(items, to),
    ...outOfReachPart(items, to),
  };
}

/** `outOfReach`: the instances kept out of the reaper's reach, costliest first; `outOfReachTotals`: their sums. */
function outOfReachPart(items: readonly ReportableItem[], to: Date) {
  const { entries, summary } = outOfReach(items, to);
  return { outOfReach: entries, outOfReachTotals: summary };
}

/** What {@link auditReport} returns. */
type AuditReport = ReturnType<typeof auditReport>;

/** A sentence wrapped to the tables' width, continuation lines indented. */
const say = (line: string) => wrapText(line, TABLE_WIDTH - 2).replace(/\n/g, '\n  ');

function countSection(title: string, counts: Counts): string {
  // Keys are tag values (owner) from instances: never let them put control sequences on an admin's terminal.
  const rows = Object.entries(counts).map(([key, count]) => [cleanText(key, 80), count]);
  return fittedTable([title, 'events'], rows, { shrink: { 0: 20 } });
}

function avoidedSection(title: string, groups: Readonly<Record<string, AvoidedTotals>>): string {
  const rows = Object.entries(groups).map(([key, totals]) => [
    cleanText(key, 80),
    totals.actions,
    decimal(totals.hours),
    formatUsd(totals.usd),
    decimal(totals.gpuHours),
  ]);
  return fittedTable([title, 'actions', 'hours', 'USD', 'GPU-hours'], rows, { shrink: { 0: 20 } });
}

/**
 * One line of totals: `$913.14 and 172 GPU-hours avoided by 4 actions (1 without a price)`.
 *
 * @param verb `avoided` or `would have avoided`
 */
function avoidedHeadline(spend: AvoidedSpend, verb: string): string {
  const unpriced = spend.unpriced > 0 ? ` (${spend.unpriced} without a price)` : '';
  const actions = plural(spend.actions, 'action');
  return `${formatUsd(spend.usd)} and ${decimal(spend.gpuHours)} GPU-hours ${verb} by ${actions}${unpriced}`;
}

function avoidedBlock(spend: AvoidedSpend, verb: string): string[] {
  if (spend.actions === 0) return [];
  return [
    say(avoidedHeadline(spend, verb)),
    avoidedSection('rule', spend.byRule),
    avoidedSection('owner', spend.byOwner),
    avoidedSection('instance type', spend.byInstanceType),
  ];
}

/**
 * One line of totals: `Kept out of reach: 3 instances, 52.5 hours, $61.30 at on-demand price (opt-out 2, …)`.
 */
function outOfReachHeadline(report: AuditReport): string {
  const t = report.outOfReachTotals;
  if (t.instances === 0) return 'Kept out of reach: nothing.';
  const unpriced = t.unpriced > 0 ? `, ${t.unpriced} without a price` : '';
  const kinds = Object.entries(t.byKind)
    .map(([kind, totals]) => `${kind} ${totals.instances}`)
    .join(', ');
  const counted = `${plural(t.instances, 'instance')}, ${plural(t.hours, 'hour')}`;
  return `Kept out of reach: ${counted}, ${formatUsd(t.usd)} at on-demand price (${kinds}${unpriced})`;
}

function outOfReachSection(report: AuditReport): string[] {
  if (report.outOfReach.length === 0) return [say(outOfReachHeadline(report))];
  // Owner and reason come from instance tags: cleaned like every other tag-borne text on an admin's terminal.
  const rows = report.outOfReach.map((entry) => [
    entry.kind,
    cleanText(entry.instanceId, 40),
    cleanText(entry.owner ?? 'unknown', 60),
    cleanText(entry.instanceType, 24),
    decimal(entry.hours),
    entry.usd === null ? 'no price' : formatUsd(entry.usd),
  ]);
  const head = ['kept out by', 'instance', 'owner', 'type', 'hours', 'USD'];
  return [say(outOfReachHeadline(report)), fittedTable(head, rows, { shrink: { 1: 19, 2: 16, 3: 12 } })];
}

/**
 * Events and money per account, and per owner within each account; only when the period covers more than one
 * account (a single account's report reads as before).
 */
function accountSection(report: AuditReport): string[] {
  const accounts = Object.entries(report.byAccount);
  if (accounts.length < 2) return [];
  const rows: (string | number)[][] = [];
  for (const [account, part] of accounts) {
    rows.push([account, '(all)', part.events, formatUsd(part.avoided.usd), formatUsd(part.wouldHaveAvoided.usd)]);
    for (const [owner, events] of Object.entries(part.byOwner)) {
      const avoided = part.avoided.byOwner[owner]?.usd ?? 0;
      const would = part.wouldHaveAvoided.byOwner[owner]?.usd ?? 0;
      rows.push(['', cleanText(owner, 60), events, formatUsd(avoided), formatUsd(would)]);
    }
  }
  return [fittedTable(['account', 'owner', 'events', 'avoided', 'would avoid'], rows, { shrink: { 1: 20 } })];
}

/** How a report is rendered. */
interface ReportRenderOptions {
  /** `budgets.warnAt`: from this share of a budget a team is marked past the warning. @default 0.8 */
  readonly warnAt?: number;
}

/** The config's default `budgets.warnAt`. */
const DEFAULT_WARN_AT = 0.8;

/** "Budgets this month", only when the report has `budgets` (budgets on). */
function budgetSection(report: AuditReport & BudgetPart, options: ReportRenderOptions): string[] {
  if (report.budgets === undefined) return [];
  const { headline, table } = budgetTable(report.budgets, options.warnAt ?? DEFAULT_WARN_AT, report.to);
  return table === null ? [say(headline)] : [say(headline), table];
}

/**
 * The report as readable tables, every line at most {@link TABLE_WIDTH} columns (the long sentences wrapped); with
 * `budgets` in the report, each team's spend of the month too; with `fleet`, the fleet audit's section.
 */
function renderAuditReport(report: AuditReport & BudgetPart & FleetPart, options: ReportRenderOptions = {}): string {
  const counted = `${plural(report.events, 'event')} for ${plural(report.instances, 'instance')}`;
  return [
    say(`gpu-reaper audit ${report.from} → ${report.to}: ${counted}`),
    ...accountSection(report),
    countSection('event', report.byEvent),
    countSection('rule', report.byRule),
    countSection('owner', report.byOwner),
    countSection('instance type', report.byInstanceType),
    ...avoidedBlock(report.avoided, 'avoided'),
    ...avoidedBlock(report.wouldHaveAvoided, 'would have been avoided (dry run)'),
    ...outOfReachSection(report),
    ...budgetSection(report, options),
    ...(report.fleet ? [renderFleetSection(report.fleet)] : []),
    say(`How "avoided" is estimated: ${report.avoided.method}`),
    say(`How "kept out of reach" is counted: ${report.outOfReachTotals.method}`),
  ].join('\n');
}

export type { AuditReport, ReportableItem, ReportRenderOptions };
export { auditReport, avoidedHeadline, DEFAULT_WARN_AT, outOfReachHeadline, renderAuditReport };
