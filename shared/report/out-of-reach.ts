/**
 * What was kept out of the reaper's reach over a period (opted out, notify-only, managed by another system by its
 * tags, snoozed for long), with owner, hours and dollars, from the audit trail alone: the passes record each such
 * instance as an audit-only `SKIPPED` item with evidence `outOfReach`, once per launch and kind and again once per
 * UTC day while it lasts. Pure, so the CLI report and the weekly digest print the very same numbers.
 */
import { LONG_SNOOZE_HOURS } from '../pass/out-of-reach';

/** The audit fields the list reads (a subset of `AuditItem`). */
interface OutOfReachItem {
  readonly event: string;
  readonly instanceId: string;
  readonly instanceType: string;
  readonly owner: string | null;
  /** ISO instant of the event. */
  readonly at: string;
  readonly hourlyUsd: number | null;
  readonly region?: string;
  readonly accountId?: string | null;
  readonly reason?: string;
  readonly evidence: {
    readonly launchTime?: unknown;
    readonly outOfReach?: unknown;
    readonly outOfReachSince?: unknown;
    readonly outOfReachUntil?: unknown;
  };
}

/** One instance (one launch) kept out of reach in one way. */
interface OutOfReachEntry {
  readonly kind: string;
  readonly instanceId: string;
  readonly accountId: string | null;
  readonly region: string | null;
  readonly instanceType: string;
  readonly owner: string | null;
  readonly launchTime: string | null;
  /** From when the hours count: the launch, or a long snooze's first sighting. ISO. */
  readonly since: string;
  /** To when they count (see {@link OUT_OF_REACH_METHOD}). ISO. */
  readonly until: string;
  /** The last time a pass recorded it out of reach. ISO. */
  readonly lastSeen: string;
  readonly hours: number;
  readonly hourlyUsd: number | null;
  /** `hours × hourlyUsd` at on-demand price; `null` when the type has no price. */
  readonly usd: number | null;
  /** Why it is out of reach, as the latest record says. */
  readonly reason: string;
}

/** Totals of a group of entries. */
interface OutOfReachTotals {
  readonly instances: number;
  readonly hours: number;
  readonly usd: number;
  /** Entries without a price: their hours count, their dollars cannot. */
  readonly unpriced: number;
}

/** The whole list, its totals by kind and the definition the numbers follow. */
interface OutOfReachSummary extends OutOfReachTotals {
  readonly method: string;
  readonly byKind: Readonly<Record<string, OutOfReachTotals>>;
}

const HOUR_MS = 3_600_000;
/**
 * A pass records an escape again each UTC day: the next record is due within this many hours of the last (a day,
 * and slack for a schedule slower than hourly).
 */
const STILL_SEEN_HOURS = 26;

/** The definition the numbers follow; printed in the JSON report, the table and the digest. */
const OUT_OF_REACH_METHOD =
  'Instances the reaper may not act on: opted out, notify-only (action tag notify), managed by another system by ' +
  'their tags (managed-by-service, managed-by-asg), ' +
  `or snoozed for more than ${LONG_SNOOZE_HOURS}h. Each pass records them ` +
  '(audit only: owners get no mail for it) once per launch and again once a day. hours = from the launch (for a ' +
  'snooze: from its first sighting) to the end of the report or of the snooze, whichever comes first; or to the ' +
  `last record, when no record came although one was due (more than ${STILL_SEEN_HOURS}h later: it stopped or the ` +
  "escape ended); never past the instance's next launch. usd = hours × hourlyUsd, at on-demand price.";

const EMPTY: OutOfReachTotals = { instances: 0, hours: 0, usd: 0, unpriced: 0 };
const round = (value: number) => Math.round(value * 100) / 100;
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const instantOf = (value: unknown): number => {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? ms : Number.NaN;
};

/** Launches of each instance the trail shows (any event), ascending: a later launch ends the run before it. */
function launchesByInstance(items: readonly OutOfReachItem[]): Map<string, number[]> {
  const launches = new Map<string, number[]>();
  for (const item of items) {
    const launch = instantOf(item.evidence.launchTime);
    if (Number.isNaN(launch)) continue;
    launches.set(item.instanceId, [...(launches.get(item.instanceId) ?? []), launch]);
  }
  for (const list of launches.values()) list.sort((a, b) => a - b);
  return launches;
}

/** One entry from the records of one instance, launch, kind and start. */
function entryOf(records: readonly OutOfReachItem[], launches: readonly number[], endMs: number): OutOfReachEntry {
  const latest = records.reduce((a, b) => (instantOf(b.at) > instantOf(a.at) ? b : a));
  const lastSeen = instantOf(latest.at);
  const launch = instantOf(latest.evidence.launchTime);
  const sinceRaw = instantOf(latest.evidence.outOfReachSince);
  const since = Number.isNaN(sinceRaw) ? (Number.isNaN(launch) ? lastSeen : launch) : sinceRaw;
  const snoozeEnd = instantOf(latest.evidence.outOfReachUntil);
  const naturalEnd = Number.isNaN(snoozeEnd) ? endMs : Math.min(endMs, snoozeEnd);
  // A record is due again the next UTC day: its absence proves the escape ended only when it was due before the
  // natural end (the report's, or a snooze's); then the last record is the last time it was seen.
  let until = naturalEnd <= lastSeen + STILL_SEEN_HOURS * HOUR_MS ? naturalEnd : lastSeen;
  const nextLaunch = launches.find((at) => at > (Number.isNaN(launch) ? since : launch));
  if (nextLaunch !== undefined) until = Math.min(until, nextLaunch);
  until = Math.max(since, Math.min(until, endMs));
  const hours = (until - since) / HOUR_MS;
  const priced = latest.hourlyUsd !== null && Number.isFinite(latest.hourlyUsd);
  return {
    kind: String(latest.evidence.outOfReach),
    instanceId: latest.instanceId,
    accountId: latest.accountId ?? null,
    region: latest.region ?? null,
    instanceType: latest.instanceType,
    owner: latest.owner,
    launchTime: Number.isNaN(launch) ? null : new Date(launch).toISOString(),
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    lastSeen: new Date(lastSeen).toISOString(),
    hours: round(hours),
    hourlyUsd: priced ? latest.hourlyUsd : null,
    usd: priced ? round(hours * (latest.hourlyUsd as number)) : null,
    reason: latest.reason ?? '',
  };
}

function add(totals: OutOfReachTotals, entry: OutOfReachEntry): OutOfReachTotals {
  return {
    instances: totals.instances + 1,
    hours: round(totals.hours + entry.hours),
    usd: round(totals.usd + (entry.usd ?? 0)),
    unpriced: totals.unpriced + (entry.usd === null ? 1 : 0),
  };
}

/**
 * The instances kept out of reach in a period, costliest first, and their totals by kind.
 *
 * @param items the audit items of the period, any order (items that are not out-of-reach records are ignored, but
 *   their launch times tell when an instance was started again)
 * @param to the end of the report: no hour counts past it
 * @example outOfReach(await audit.between(from, to), to).entries[0] // { kind: 'opt-out', hours: 30, usd: 30.18, … }
 */
function outOfReach(
  items: readonly OutOfReachItem[],
  to: Date,
): { readonly entries: readonly OutOfReachEntry[]; readonly summary: OutOfReachSummary } {
  const groups = new Map<string, OutOfReachItem[]>();
  for (const item of items) {
    const kind = text(item.evidence.outOfReach);
    if (item.event !== 'SKIPPED' || kind === null || Number.isNaN(instantOf(item.at))) continue;
    const key = [item.instanceId, text(item.evidence.launchTime), kind, text(item.evidence.outOfReachSince)].join('|');
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const launches = launchesByInstance(items);
  const entries = [...groups.values()]
    .map((records) => entryOf(records, launches.get(records[0]!.instanceId) ?? [], to.getTime()))
    .sort((a, b) => (b.usd ?? 0) - (a.usd ?? 0) || b.hours - a.hours || a.instanceId.localeCompare(b.instanceId));
  let total = EMPTY;
  const byKind = new Map<string, OutOfReachTotals>();
  for (const entry of entries) {
    total = add(total, entry);
    byKind.set(entry.kind, add(byKind.get(entry.kind) ?? EMPTY, entry));
  }
  return { entries, summary: { method: OUT_OF_REACH_METHOD, ...total, byKind: Object.fromEntries(byKind) } };
}

export type { OutOfReachEntry, OutOfReachItem, OutOfReachSummary, OutOfReachTotals };
export { OUT_OF_REACH_METHOD, outOfReach, STILL_SEEN_HOURS };
