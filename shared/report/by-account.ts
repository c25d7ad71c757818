/**
 * A period's audit items per account, and per owner within each account: what an organization's admin reads first
 * (which team's account burns, and whose instances). Items without an account (older items, a region's error
 * before many accounts) are under `unknown`.
 */
import { type AvoidableItem, avoidedSpend } from './avoided-spend';

/** The audit fields the per-account view reads. */
interface AccountItem extends AvoidableItem {
  readonly accountId?: string | null;
  readonly instanceId: string;
  readonly event: string;
  readonly owner: string | null;
}

/** Money and GPU-hours avoided in one account, in total and per owner. */
interface AccountSpend {
  readonly actions: number;
  readonly usd: number;
  readonly gpuHours: number;
  readonly byOwner: Readonly<Record<string, { readonly actions: number; readonly usd: number }>>;
}

/** One account of the report. */
interface AccountPart {
  readonly events: number;
  readonly instances: number;
  readonly byEvent: Readonly<Record<string, number>>;
  /** Events per owner in this account, most first. */
  readonly byOwner: Readonly<Record<string, number>>;
  readonly avoided: AccountSpend;
  readonly wouldHaveAvoided: AccountSpend;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([, a], [, b]) => b - a));
}

function spendOf(spend: ReturnType<typeof avoidedSpend>['avoided']): AccountSpend {
  const byOwner = Object.fromEntries(
    Object.entries(spend.byOwner).map(([owner, totals]) => [owner, { actions: totals.actions, usd: totals.usd }]),
  );
  return { actions: spend.actions, usd: spend.usd, gpuHours: spend.gpuHours, byOwner };
}

/**
 * The report per account (and owner within it), accounts with the most events first.
 *
 * @param to the end of the period (an action's avoided hours run to it at most)
 * @example byAccount(items, to)['111111111111'].byOwner // { 'bo@example.com': 3 }
 */
function byAccount(items: readonly AccountItem[], to: Date): Record<string, AccountPart> {
  const groups = new Map<string, AccountItem[]>();
  for (const item of items) {
    const key = item.accountId ?? 'unknown';
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const parts = [...groups.entries()].map(([account, list]) => {
    const spend = avoidedSpend(list, to);
    const part: AccountPart = {
      events: list.length,
      instances: new Set(list.map((item) => item.instanceId)).size,
      byEvent: countBy(list, (item) => item.event),
      byOwner: countBy(list, (item) => item.owner ?? 'unknown'),
      avoided: spendOf(spend.avoided),
      wouldHaveAvoided: spendOf(spend.wouldHaveAvoided),
    };
    return [account, part] as const;
  });
  parts.sort(([a, x], [b, y]) => y.events - x.events || a.localeCompare(b));
  return Object.fromEntries(parts);
}

export type { AccountItem, AccountPart, AccountSpend };
export { byAccount };
