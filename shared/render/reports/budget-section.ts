/**
 * "Budgets this month" of the report's table and of the weekly digest: each team's spend of the month the report
 * ends in, its budget, its share, and whether it is past the warning share or over budget (then every run of the
 * team needs approval until the month ends).
 */
import { budgetLevel } from '../../engine/budget';
import { plural, share } from '../../engine/format';
import type { BudgetEntry } from '../../report/budget-standings';
import { fittedTable } from '../tables/fitted-table';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';

/** Teams named in the digest's line; the rest are counted, so a large organization still gets a short mail. */
const TOP_TEAMS = 10;

// Built from the UTC fields by Intl with a fixed locale and zone: never the host's.
const MONTH = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The UTC month of an ISO instant as people read it: `December 2026`. */
function monthName(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? 'this month' : MONTH.format(at);
}

/** The table's word for a team's level: `over`, `at 80%+` (at `warnAt` or more), or blank. */
function levelWord(entry: BudgetEntry, warnAt: number): string {
  const level = budgetLevel(entry, warnAt);
  if (level === 'over') return 'over';
  return level === 'warn' ? `at ${share(warnAt)}+` : '';
}

/** `3 teams, 1 over budget, 1 at 80% or more`: the section's headline counts. */
function budgetCounts(entries: readonly BudgetEntry[], warnAt: number): string {
  const levels = entries.map((entry) => budgetLevel(entry, warnAt));
  const over = levels.filter((level) => level === 'over').length;
  const warn = levels.filter((level) => level === 'warn').length;
  return [
    plural(entries.length, 'team'),
    ...(over > 0 ? [`${over} over budget`] : []),
    ...(warn > 0 ? [`${warn} at ${share(warnAt)} or more`] : []),
  ].join(', ');
}

/**
 * The table's section: a headline with the month, then team, spent, budget, share and level, highest share first
 * (no table when no team has spent anything nor is named).
 *
 * @param to the report's end (its month is the one shown)
 * @example budgetTable(entries, 0.8, '2026-12-07T08:00:00.000Z').headline // 'Budgets this month (December 2026): 2 teams'
 */
function budgetTable(
  entries: readonly BudgetEntry[],
  warnAt: number,
  to: string,
): { readonly headline: string; readonly table: string | null } {
  const title = `Budgets this month (${monthName(to)})`;
  if (entries.length === 0) return { headline: `${title}: no team has spent anything yet.`, table: null };
  // Team names are tag values from instances: no control sequences on an admin's terminal.
  const rows = entries.map((entry) => [
    cleanText(entry.team, 60),
    formatUsd(entry.monthUsd),
    formatUsd(entry.budgetUsd),
    share(entry.share),
    levelWord(entry, warnAt),
  ]);
  const table = fittedTable(['team', 'spent', 'budget', 'share', 'level'], rows, { shrink: { 0: 16 } });
  return { headline: `${title}: ${budgetCounts(entries, warnAt)}`, table };
}

/** One team in the digest: `research $16,040.12 of $20,000.00 (80%, past the 80% warning)`. */
function teamText(entry: BudgetEntry, warnAt: number): string {
  const level = budgetLevel(entry, warnAt);
  const note =
    level === 'over'
      ? ', over budget: every run needs approval until the month ends'
      : level === 'warn'
        ? `, past the ${share(warnAt)} warning`
        : '';
  const spent = `${formatUsd(entry.monthUsd)} of ${formatUsd(entry.budgetUsd)}`;
  return `${cleanText(entry.team, 60)} ${spent} (${share(entry.share)}${note})`;
}

/**
 * The digest's line: every team's standing, highest share first (the first {@link TOP_TEAMS}, the rest counted).
 *
 * @example budgetLine(entries, 0.8)
 *   // 'Budgets this month: research $16,040.12 of $20,000.00 (80%, past the 80% warning); vision $1,200.00 of …'
 */
function budgetLine(entries: readonly BudgetEntry[], warnAt: number): string {
  if (entries.length === 0) return 'Budgets this month: no team has spent anything yet';
  const shown = entries.slice(0, TOP_TEAMS).map((entry) => teamText(entry, warnAt));
  const rest = entries.length - TOP_TEAMS;
  if (rest > 0) shown.push(`… and ${plural(rest, 'more team')}`);
  return `Budgets this month: ${shown.join('; ')}`;
}

export { budgetLine, budgetTable, monthName };
