/**
 * The money and GPU-hours the reaper's actions avoided, estimated from the audit trail alone. Pure: audit items and
 * the end of the report in, totals out, so the CLI report and the weekly digest print the very same numbers.
 */

/** The audit fields the estimate reads (a subset of `AuditItem`). */
interface AvoidableItem {
  readonly event: string;
  readonly instanceId: string;
  readonly rule: string | null;
  readonly owner: string | null;
  readonly instanceType: string;
  /** ISO instant of the event. */
  readonly at: string;
  readonly hourlyUsd: number | null;
  readonly evidence: { readonly launchTime?: unknown; readonly gpuCount?: unknown; readonly idleUsd?: unknown };
}

/** Totals of one group of actions. */
interface AvoidedTotals {
  /** Actions (events) counted. */
  readonly actions: number;
  /** Instance-hours the actions kept off. */
  readonly hours: number;
  /** `hours × hourlyUsd`, summed; actions without a price add nothing here (see `unpriced`). */
  readonly usd: number;
  /** `hours × GPU count`, summed. */
  readonly gpuHours: number;
  /** Money already burned idle when the action came (the events' `evidence.idleUsd`), summed. */
  readonly idleUsdBefore: number;
  /** Actions whose instance type had no price: their hours count, their dollars cannot. */
  readonly unpriced: number;
}

/** The estimate for one kind of action (done, or would-have in dry run), with its definition. */
interface AvoidedSpend extends AvoidedTotals {
  /** How the numbers are estimated, in words. */
  readonly method: string;
  /** The cap on the hours one action may count. */
  readonly horizonHours: number;
  readonly byRule: Readonly<Record<string, AvoidedTotals>>;
  readonly byOwner: Readonly<Record<string, AvoidedTotals>>;
  readonly byInstanceType: Readonly<Record<string, AvoidedTotals>>;
}

/** Hours one action may count at most: past a day, whether the instance would still have idled is a guess. */
const AVOIDED_HORIZON_HOURS = 24;
const HOUR_MS = 3_600_000;
const DONE = new Set(['STOPPED', 'TERMINATED']);
const WOULD = new Set(['WOULD_STOP', 'WOULD_TERMINATE']);

/** The definition the numbers follow; printed in the README, the JSON report and the digest. */
const AVOIDED_METHOD =
  'For each STOPPED or TERMINATED event: the hours from the action until the same instance was next started, as ' +
  'the audit trail shows it (a later event of that instance with a later launchTime), or until its next action, ' +
  `capped at the end of the report and at ${AVOIDED_HORIZON_HOURS}h (a terminated instance never restarts, so it ` +
  'counts to a cap). usd = hours × hourlyUsd of the event; gpuHours = hours × its GPU count. WOULD_STOP and ' +
  'WOULD_TERMINATE (dry run) are estimated the same way and reported apart as wouldHaveAvoided: nothing was ' +
  'stopped, so they say what enforcing would have saved.';

const EMPTY: AvoidedTotals = { actions: 0, hours: 0, usd: 0, gpuHours: 0, idleUsdBefore: 0, unpriced: 0 };

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * When `action` stopped counting: the instance's next start or next action, the end of the report, or the horizon.
 *
 * @param history every item of the action's instance
 */
function avoidedUntil(action: AvoidableItem, history: readonly AvoidableItem[], endMs: number): number {
  const atMs = Date.parse(action.at);
  let until = Math.min(endMs, atMs + AVOIDED_HORIZON_HOURS * HOUR_MS);
  for (const later of history) {
    const laterAt = Date.parse(later.at);
    if (laterAt <= atMs) continue;
    if (DONE.has(later.event) || WOULD.has(later.event)) until = Math.min(until, laterAt);
    const launch = typeof later.evidence.launchTime === 'string' ? Date.parse(later.evidence.launchTime) : Number.NaN;
    if (launch > atMs) until = Math.min(until, launch);
  }
  return Math.max(atMs, until);
}

function add(totals: AvoidedTotals, hours: number, item: AvoidableItem): AvoidedTotals {
  const priced = item.hourlyUsd !== null && Number.isFinite(item.hourlyUsd);
  return {
    actions: totals.actions + 1,
    hours: totals.hours + hours,
    usd: totals.usd + (priced ? hours * (item.hourlyUsd as number) : 0),
    gpuHours: totals.gpuHours + hours * numberOr(item.evidence.gpuCount, 0),
    idleUsdBefore: totals.idleUsdBefore + numberOr(item.evidence.idleUsd, 0),
    unpriced: totals.unpriced + (priced ? 0 : 1),
  };
}

/** Rounded for people: dollars to the cent, hours to the hundredth. */
function rounded(totals: AvoidedTotals): AvoidedTotals {
  const r = (value: number) => Math.round(value * 100) / 100;
  return {
    ...totals,
    hours: r(totals.hours),
    usd: r(totals.usd),
    gpuHours: r(totals.gpuHours),
    idleUsdBefore: r(totals.idleUsdBefore),
  };
}

function grouped(groups: Map<string, AvoidedTotals>): Record<string, AvoidedTotals> {
  const sorted = [...groups].sort(([a, x], [b, y]) => y.usd - x.usd || y.gpuHours - x.gpuHours || a.localeCompare(b));
  return Object.fromEntries(sorted.map(([key, totals]) => [key, rounded(totals)]));
}

function estimate(items: readonly AvoidableItem[], kinds: ReadonlySet<string>, endMs: number): AvoidedSpend {
  const histories = new Map<string, AvoidableItem[]>();
  for (const item of items) {
    const history = histories.get(item.instanceId);
    if (history) history.push(item);
    else histories.set(item.instanceId, [item]);
  }
  let total = EMPTY;
  const groups = { byRule: new Map<string, AvoidedTotals>(), byOwner: new Map(), byInstanceType: new Map() };
  for (const item of items) {
    if (!kinds.has(item.event) || Number.isNaN(Date.parse(item.at))) continue;
    const until = avoidedUntil(item, histories.get(item.instanceId) ?? [], endMs);
    const hours = (until - Date.parse(item.at)) / HOUR_MS;
    total = add(total, hours, item);
    const keys = { byRule: item.rule ?? 'none', byOwner: item.owner ?? 'unknown', byInstanceType: item.instanceType };
    for (const [name, key] of Object.entries(keys) as [keyof typeof groups, string][]) {
      groups[name].set(key, add(groups[name].get(key) ?? EMPTY, hours, item));
    }
  }
  return {
    method: AVOIDED_METHOD,
    horizonHours: AVOIDED_HORIZON_HOURS,
    ...rounded(total),
    byRule: grouped(groups.byRule),
    byOwner: grouped(groups.byOwner),
    byInstanceType: grouped(groups.byInstanceType),
  };
}

/**
 * What the actions of a period avoided (`avoided`: STOPPED, TERMINATED) and what the dry-run ones would have
 * (`wouldHaveAvoided`: WOULD_STOP, WOULD_TERMINATE), by rule, owner and instance type. See {@link AVOIDED_METHOD}.
 *
 * @param items the audit items of the period, any order
 * @param to the end of the report: no action counts past it
 * @example avoidedSpend(await audit.between(from, to), to).avoided.usd // 913.14
 */
function avoidedSpend(
  items: readonly AvoidableItem[],
  to: Date,
): { readonly avoided: AvoidedSpend; readonly wouldHaveAvoided: AvoidedSpend } {
  const endMs = to.getTime();
  return { avoided: estimate(items, DONE, endMs), wouldHaveAvoided: estimate(items, WOULD, endMs) };
}

export type { AvoidableItem, AvoidedSpend, AvoidedTotals };
export { AVOIDED_HORIZON_HOURS, AVOIDED_METHOD, avoidedSpend };
