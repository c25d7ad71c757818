/**
 * Each team's month-to-date GPU spend against its monthly budget, as `gpu-reaper report` and the weekly digest show
 * it: the month of the report's end, read from the totals the passes keep in the state table.
 */
import type { Config } from '../config/schema';
import { standingsOf } from '../engine/budget';

/** One team's standing in the report (`budgets` of the report document). */
interface BudgetEntry {
  /** The budget tag's value (`(untagged)` without one). */
  readonly team: string;
  /** Spent this month (UTC) so far, to the cent. */
  readonly monthUsd: number;
  /** The team's monthly budget: its own, else `*`. */
  readonly budgetUsd: number;
  /** `monthUsd / budgetUsd`, to 4 decimals (1 or more: over budget). */
  readonly share: number;
}

/** What the report document adds with budgets on (absent with budgets off). */
interface BudgetPart {
  readonly budgets?: readonly BudgetEntry[];
}

/** Reads a month's totals per team (the ledger in the state table: one Query). */
interface BudgetTotalsReader {
  loadTotals(month: string): Promise<Map<string, number>>;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * The report's budget entries: every team with a budget (its own or `*`) that spent something this month, and every
 * team named in `budgets.monthlyUsd` even at $0; the highest share first. Empty with budgets off.
 *
 * @param totals the month's spend per team, as the ledger keeps it
 * @example budgetEntries(new Map([['research', 16040.123]]), config)
 *   // [{ team: 'research', monthUsd: 16040.12, budgetUsd: 20000, share: 0.802 }, { team: 'vision', … }]
 */
function budgetEntries(totals: ReadonlyMap<string, number>, config: Config): BudgetEntry[] {
  const budgets = config.budgets;
  if (budgets === null) return [];
  // A total of 0 (an instance without a price) is no spend: only the named teams show at 0.
  const spent = new Map([...totals].filter(([, usd]) => usd > 0));
  const named = Object.keys(budgets.monthlyUsd).filter((team) => team !== '*');
  const entries = [...standingsOf(spent, config, named).values()].map((standing) => {
    const monthUsd = cents(standing.monthUsd);
    const share = Math.round((monthUsd / standing.budgetUsd) * 10_000) / 10_000;
    return { team: standing.team, monthUsd, budgetUsd: standing.budgetUsd, share };
  });
  return entries.sort((a, b) => b.share - a.share || b.monthUsd - a.monthUsd || a.team.localeCompare(b.team));
}

export type { BudgetEntry, BudgetPart, BudgetTotalsReader };
export { budgetEntries };
