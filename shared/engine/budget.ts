/**
 * Monthly budgets per team (docs/cost-gating.md, "Budgets"): which team an instance's spend counts for, what a pass
 * adds for it, and where each team stands. Pure: the totals come in from the state table, the clock as a value.
 */
import type { Config } from '../config/schema';
import type { BudgetStanding, InstanceFacts } from './types';

/** The team of instances without the budget tag. */
const UNTAGGED = '(untagged)';
const MINUTE_MS = 60_000;

/** The spend one pass adds for one instance: the minutes since it was last counted, at most one schedule period. */
interface SpendEntry {
  readonly instanceId: string;
  readonly team: string;
  /** What was counted up to before this pass (the instance's mark), ISO; `null` for an instance never counted. */
  readonly previous: string | null;
  /** What this pass counts up to (its clock), ISO. */
  readonly countedTo: string;
  readonly minutes: number;
  readonly usd: number;
}

/** The UTC month of an instant, as its totals are kept: `2026-12`. */
function monthOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** The instance's team: the budget tag's value (key matched ignoring case and spaces), else `(untagged)`. */
function teamOf(instance: InstanceFacts, tag: string): string {
  const exact = instance.tags[tag]?.trim();
  if (exact) return exact;
  const wanted = tag.trim().toLowerCase();
  const found = Object.entries(instance.tags).find(
    ([key, value]) => key.trim().toLowerCase() === wanted && value.trim(),
  );
  return found ? found[1].trim() : UNTAGGED;
}

/** A team's monthly budget: its own, else `*`; `null` when neither is set (counted, never gated). */
function budgetOf(team: string, budgets: NonNullable<Config['budgets']>): number | null {
  return budgets.monthlyUsd[team] ?? budgets.monthlyUsd['*'] ?? null;
}

/**
 * What this pass adds for one running instance: from its mark (else its launch, else one period ago), at most one
 * schedule period, never before its launch nor into the future. A retried pass at the same clock adds 0.
 *
 * @example spendSince({ previous: null, launchTime, now, periodMs: 300_000, hourlyUsd: 12 }) // 5 minutes, $1.00
 */
function spendSince(input: {
  readonly previous: Date | null;
  readonly launchTime: Date;
  readonly now: Date;
  readonly periodMs: number;
  readonly hourlyUsd: number | null;
}): { readonly minutes: number; readonly usd: number } {
  const { previous, launchTime, now, periodMs, hourlyUsd } = input;
  // A mark from an earlier month was counted into that month: this month starts at its first instant.
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const from = Math.max(
    previous?.getTime() ?? Number.NEGATIVE_INFINITY,
    launchTime.getTime(),
    now.getTime() - periodMs,
    monthStart,
  );
  const minutes = Math.max(0, now.getTime() - from) / MINUTE_MS;
  const usd = hourlyUsd === null || !(hourlyUsd >= 0) ? 0 : (hourlyUsd * minutes) / 60;
  return { minutes, usd };
}

/**
 * The spend entries of one pass: every running instance with a price, counted from its mark.
 *
 * @param marks what each instance was counted up to (the state table)
 */
function spendEntries(
  inputs: readonly { readonly instance: InstanceFacts; readonly hourlyUsd?: number | null }[],
  marks: ReadonlyMap<string, Date>,
  config: Config,
  now: Date,
  periodMs: number,
): SpendEntry[] {
  const budgets = config.budgets;
  if (budgets === null) return [];
  return inputs.flatMap(({ instance, hourlyUsd }) => {
    const previous = marks.get(instance.instanceId) ?? null;
    if (previous !== null && previous >= now) return [];
    const spend = spendSince({
      previous,
      launchTime: instance.launchTime,
      now,
      periodMs,
      hourlyUsd: hourlyUsd ?? null,
    });
    return [
      {
        instanceId: instance.instanceId,
        team: teamOf(instance, budgets.tag),
        previous: previous?.toISOString() ?? null,
        countedTo: now.toISOString(),
        minutes: spend.minutes,
        usd: spend.usd,
      },
    ];
  });
}

/** Each budgeted team's standing from the month's totals (teams without spend stand at 0). */
function standingsOf(
  totals: ReadonlyMap<string, number>,
  config: Config,
  teams: Iterable<string>,
): Map<string, BudgetStanding> {
  const budgets = config.budgets;
  const standings = new Map<string, BudgetStanding>();
  if (budgets === null) return standings;
  for (const team of new Set([...teams, ...totals.keys()])) {
    const budgetUsd = budgetOf(team, budgets);
    if (budgetUsd === null) continue;
    standings.set(team, { team, monthUsd: totals.get(team) ?? 0, budgetUsd });
  }
  return standings;
}

/** Where a team stands: under its warning share, at it (`warn`), or over its budget (`over`). */
function budgetLevel(standing: BudgetStanding, warnAt: number): 'under' | 'warn' | 'over' {
  if (standing.monthUsd >= standing.budgetUsd) return 'over';
  return standing.monthUsd >= warnAt * standing.budgetUsd ? 'warn' : 'under';
}

export type { SpendEntry };
export { budgetLevel, budgetOf, monthOf, spendEntries, spendSince, standingsOf, teamOf, UNTAGGED };
