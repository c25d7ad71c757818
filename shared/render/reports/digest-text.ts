/**
 * The weekly digest admins receive by email: the same report as `gpu-reaper report --since 7d`, as plain text that
 * reads well in any mail client (lists, not box-drawn tables).
 */
import { decimal, plural } from '../../engine/format';
import type { AvoidedSpend, AvoidedTotals } from '../../report/avoided-spend';
import type { BudgetPart } from '../../report/budget-standings';
import type { FleetPart } from '../../report/period-report';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';
import {
  type AuditReport,
  avoidedHeadline,
  DEFAULT_WARN_AT,
  outOfReachHeadline,
  type ReportRenderOptions,
} from './audit-report';
import { budgetLine } from './budget-section';
import { fleetDigestLines } from './fleet-text';

/** Lines listed per group; the rest are summed into one line, so a large fleet still gets a short mail. */
const TOP = 10;

const gpuHours = (value: number) => `${decimal(value)} GPU-hours`;

function groupLines(title: string, groups: Readonly<Record<string, AvoidedTotals>>): string[] {
  const entries = Object.entries(groups);
  const lines = entries.slice(0, TOP).map(([key, t]) => {
    return `    ${cleanText(key, 80)}: ${formatUsd(t.usd)}, ${gpuHours(t.gpuHours)}, ${plural(t.actions, 'action')}`;
  });
  if (entries.length > TOP) lines.push(`    … and ${entries.length - TOP} more`);
  return [`  by ${title}:`, ...lines];
}

function spendLines(label: string, spend: AvoidedSpend, verb: string): string[] {
  if (spend.actions === 0) return [`${label}: nothing.`];
  return [
    `${label}: ${avoidedHeadline(spend, verb)}.`,
    ...groupLines('rule', spend.byRule),
    ...groupLines('owner', spend.byOwner),
    ...groupLines('instance type', spend.byInstanceType),
  ];
}

/** "Kept out of reach": every instance the reaper may not act on, costliest first, so escapes are seen. */
function outOfReachLines(report: AuditReport): string[] {
  const entries = report.outOfReach;
  const lines = entries.slice(0, TOP).map((e) => {
    const usd = e.usd === null ? 'no price' : formatUsd(e.usd);
    const owner = cleanText(e.owner ?? 'unknown owner', 60);
    const what = `${cleanText(e.instanceId, 40)} (${cleanText(e.instanceType, 24)}, ${owner})`;
    return `    ${e.kind}: ${what}, ${plural(e.hours, 'hour')}, ${usd}`;
  });
  if (entries.length > TOP) lines.push(`    … and ${entries.length - TOP} more`);
  return [`${outOfReachHeadline(report)}${entries.length > 0 ? '.' : ''}`, ...lines];
}

function countLine(title: string, counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  // Keys are tag values (owner) from instances: no control characters in an admin's mail.
  const shown = entries.slice(0, TOP).map(([key, count]) => `${cleanText(key, 80)} ${count}`);
  if (entries.length > TOP) shown.push(`… ${entries.length - TOP} more`);
  return `${title}: ${shown.length > 0 ? shown.join(', ') : 'none'}`;
}

/**
 * "By account": each account's events and money, its owners within it; only when the period covers more than one
 * account.
 */
function accountLines(report: AuditReport): string[] {
  const accounts = Object.entries(report.byAccount);
  if (accounts.length < 2) return [];
  const lines = accounts.slice(0, TOP).flatMap(([account, part]) => {
    const money =
      part.avoided.actions > 0 || part.wouldHaveAvoided.actions === 0
        ? `${formatUsd(part.avoided.usd)} avoided`
        : `${formatUsd(part.wouldHaveAvoided.usd)} would have been avoided (dry run)`;
    const owners = Object.entries(part.byOwner).slice(0, TOP);
    const ownerText = owners.map(([owner, events]) => `${cleanText(owner, 80)} ${events}`).join(', ');
    return [`    ${account}: ${plural(part.events, 'event')}, ${money}`, `      owners: ${ownerText}`];
  });
  if (accounts.length > TOP) lines.push(`    … and ${accounts.length - TOP} more`);
  return ['By account:', ...lines, ''];
}

/** "Budgets this month: …", with a blank line after; only when the report has `budgets` (budgets on). */
function budgetLines(report: AuditReport & BudgetPart, options: ReportRenderOptions): string[] {
  if (report.budgets === undefined) return [];
  return [`${budgetLine(report.budgets, options.warnAt ?? DEFAULT_WARN_AT)}.`, ''];
}

/**
 * The digest of a report: an SNS subject (starting `[gpu-reaper]`, under 100 characters) and the plain text; with
 * `fleet`, the fleet audit's headline first (spend, the share below 5%, never used, by team, the costliest idle
 * runs, right-sizing), then what the reaper did and avoided; with `budgets`, each team's spend of the month too.
 *
 * @example renderDigest(report).subject // '[gpu-reaper] weekly digest: $913.14 avoided, 4 actions, 12 events'
 */
function renderDigest(
  report: AuditReport & BudgetPart & FleetPart,
  options: ReportRenderOptions = {},
): { readonly subject: string; readonly text: string } {
  const { avoided, wouldHaveAvoided } = report;
  const money =
    avoided.actions > 0 || wouldHaveAvoided.actions === 0
      ? `${formatUsd(avoided.usd)} avoided, ${plural(avoided.actions, 'action')}`
      : `${formatUsd(wouldHaveAvoided.usd)} would have been avoided (dry run)`;
  const subject = `[gpu-reaper] weekly digest: ${money}, ${plural(report.events, 'event')}`;
  const text = [
    `gpu-reaper digest for ${report.from} to ${report.to}`,
    ...(report.fleet ? [...fleetDigestLines(report.fleet), '', 'What the reaper did:'] : []),
    `${plural(report.events, 'event')} for ${plural(report.instances, 'instance')}.`,
    '',
    ...accountLines(report),
    ...spendLines('Avoided', avoided, 'avoided'),
    '',
    ...spendLines('Would have avoided (dry run)', wouldHaveAvoided, 'would have been avoided'),
    '',
    ...outOfReachLines(report),
    '',
    ...budgetLines(report, options),
    countLine('Events', report.byEvent),
    countLine('By rule', report.byRule),
    countLine('By owner', report.byOwner),
    countLine('By instance type', report.byInstanceType),
    '',
    `How "avoided" is estimated: ${avoided.method}`,
    `How "kept out of reach" is counted: ${report.outOfReachTotals.method}`,
    '',
    '-- gpu-reaper | the full report: gpu-reaper report --since 7d --table <audit table>',
  ].join('\n');
  return { subject, text: `${text}\n` };
}

export { renderDigest };
