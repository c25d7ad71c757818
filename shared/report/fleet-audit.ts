/**
 * The fleet audit of a period (see fleet-audit-types.ts) from GPU histories, with the backtest's own definitions
 * (shared/engine/replay/stretches.ts: running stretches, bands, spend; never used = the GPU maximum never reached
 * `neverUsed.threshold`). Pure: no AWS. It accumulates instance by instance ({@link FleetAuditor.add}), keeping only
 * totals, the costliest runs so far and the right-sizing verdicts, so a caller can read history in batches and drop
 * each batch once added: memory does not grow with the fleet's minutes.
 */
import type { Config } from '../config/schema';
import { bandsUsd, minutesUsd, STRETCH_GAP_MINUTES, spendProfile } from '../engine/replay/stretches';
import type { InstanceHistory, SpendByBand } from '../engine/replay/types';
import { hourlyUsd } from '../prices/on-demand-prices';
import type {
  FleetAudit,
  FleetBands,
  FleetGroup,
  FleetRun,
  RightSizing,
  RightSizingUnjudged,
} from './fleet-audit-types';
import { rightSizingOf } from './right-sizing';

/** How many runs the audit lists. */
const COSTLIEST_RUNS = 20;
/** The group of an instance without the tag. */
const UNTAGGED = '(untagged)';
const MINUTE_MS = 60_000;

const cents = (usd: number) => Math.round(usd * 100) / 100;
const emptyBands = (): { -readonly [band in keyof SpendByBand]: number } => ({
  below5: 0,
  from5to30: 0,
  above30: 0,
  unknown: 0,
});
const centsBands = (bands: SpendByBand): FleetBands => ({
  below5: cents(bands.below5),
  from5to30: cents(bands.from5to30),
  above30: cents(bands.above30),
  unknown: cents(bands.unknown),
});

/** Running totals of one group (or the whole fleet). */
class Totals {
  instances = 0;
  spendUsd = 0;
  neverUsed = 0;
  readonly bands = emptyBands();

  add(spendUsd: number, bands: SpendByBand, neverUsed: boolean): void {
    this.instances += 1;
    this.spendUsd += spendUsd;
    if (neverUsed) this.neverUsed += 1;
    for (const band of Object.keys(this.bands) as (keyof SpendByBand)[]) this.bands[band] += bands[band];
  }

  merge(other: Totals): void {
    this.instances += other.instances;
    this.spendUsd += other.spendUsd;
    this.neverUsed += other.neverUsed;
    for (const band of Object.keys(this.bands) as (keyof SpendByBand)[]) this.bands[band] += other.bands[band];
  }

  toGroup(): FleetGroup {
    return {
      instances: this.instances,
      spendUsd: cents(this.spendUsd),
      spendByBand: centsBands(this.bands),
      neverUsed: this.neverUsed,
    };
  }
}

const squeeze = (text: string) => text.replace(/\s+/g, '').toLowerCase();

/**
 * The value of tag `key`: the exact key first, else a key equal to it ignoring case and spaces (`team`, `Team `);
 * `(untagged)` without one or with an empty value.
 *
 * @example groupValue({ ' team': 'research' }, 'Team') // 'research'
 */
function groupValue(tags: Readonly<Record<string, string>>, key: string): string {
  const exact = tags[key];
  const found =
    exact !== undefined ? exact : Object.entries(tags).find(([name]) => squeeze(name) === squeeze(key))?.[1];
  const value = found?.trim();
  return value ? value : UNTAGGED;
}

/** A run before it is known to be among the costliest (its tags copied only then). */
interface RunCandidate {
  readonly spendUsd: number;
  readonly run: () => FleetRun;
  readonly start: number;
  readonly instanceId: string;
}

const costlierFirst = (a: RunCandidate, b: RunCandidate) =>
  b.spendUsd - a.spendUsd || a.start - b.start || a.instanceId.localeCompare(b.instanceId);

/**
 * Accumulates the audit of `[from, to)` (both floored to the minute) one history at a time. Every history's minute 0
 * is `from`, as the history reader builds them.
 *
 * @example
 * const auditor = new FleetAuditor(config, { from, to });
 * for await (const batch of streamInstanceHistories(clients, region, config, { from, to }, options)) auditor.addAll(batch);
 * const fleet = auditor.result();
 */
class FleetAuditor {
  readonly #config: Config;
  readonly #fromMs: number;
  readonly #toMs: number;
  readonly #fleet = new Totals();
  readonly #groups = new Map<string, Map<string, Totals>>();
  #runs: RunCandidate[] = [];
  readonly #rightSizing: RightSizing[] = [];
  readonly #unjudged: RightSizingUnjudged[] = [];

  constructor(config: Config, range: { readonly from: Date; readonly to: Date }) {
    this.#config = config;
    this.#fromMs = Math.floor(range.from.getTime() / MINUTE_MS) * MINUTE_MS;
    this.#toMs = Math.floor(range.to.getTime() / MINUTE_MS) * MINUTE_MS;
    for (const key of config.report.groupBy) this.#groups.set(key, new Map());
  }

  /** Adds one instance's history; an instance without a running minute in the period is not counted. */
  add(history: InstanceHistory): void {
    const profile = spendProfile(history.minutes);
    if (profile.runningMinutes === 0) return;
    const spendUsd = minutesUsd(profile.runningMinutes, history.hourlyUsd);
    const bands = bandsUsd(profile.minutes, history.hourlyUsd);
    const neverUsed = profile.max !== null && profile.max < this.#config.neverUsed.threshold;
    this.#fleet.add(spendUsd, bands, neverUsed);
    for (const [key, values] of this.#groups) {
      const value = groupValue(history.tags, key);
      const totals = values.get(value) ?? new Totals();
      values.set(value, totals);
      totals.add(spendUsd, bands, neverUsed);
    }
    this.#addRuns(history, profile.stretches);
    const verdict = rightSizingOf(history, {
      runningMinutes: profile.runningMinutes,
      periodMs: this.#toMs - this.#fromMs,
      priceOf: (instanceType) => hourlyUsd(instanceType, { overrides: this.#config.prices.overrides }),
    });
    if (verdict?.kind === 'suggestion') this.#rightSizing.push(verdict.suggestion);
    if (verdict?.kind === 'unjudged') this.#unjudged.push(verdict.unjudged);
  }

  /** Adds every history of a batch (the batch may be dropped afterwards). */
  addAll(histories: Iterable<InstanceHistory>): void {
    for (const history of histories) this.add(history);
  }

  /**
   * Adds everything another auditor of the same config and period has added (a region read whole before it counts).
   */
  merge(other: FleetAuditor): void {
    this.#fleet.merge(other.#fleet);
    for (const [key, values] of other.#groups) {
      const into = this.#groups.get(key) ?? new Map<string, Totals>();
      this.#groups.set(key, into);
      for (const [value, totals] of values) {
        const existing = into.get(value) ?? new Totals();
        into.set(value, existing);
        existing.merge(totals);
      }
    }
    this.#runs = [...this.#runs, ...other.#runs].sort(costlierFirst).slice(0, COSTLIEST_RUNS);
    this.#rightSizing.push(...other.#rightSizing);
    this.#unjudged.push(...other.#unjudged);
  }

  #addRuns(history: InstanceHistory, stretches: ReturnType<typeof spendProfile>['stretches']): void {
    const threshold = this.#config.idle.threshold;
    const length = history.minutes.length;
    for (let s = 0; s < stretches.count; s++) {
      const start = stretches.starts[s]!;
      const end = stretches.ends[s]!;
      const spendUsd = minutesUsd(end - start, history.hourlyUsd);
      const floor = this.#runs.length >= COSTLIEST_RUNS ? this.#runs[COSTLIEST_RUNS - 1]!.spendUsd : -1;
      if (spendUsd < floor) continue;
      this.#runs.push({
        spendUsd,
        start,
        instanceId: history.instanceId,
        run: () => {
          let measured = 0;
          let busy = 0;
          for (let minute = start; minute < end; minute++) {
            const value = history.minutes[minute] as number;
            if (!(value >= 0)) continue;
            measured += 1;
            if (value >= threshold) busy += 1;
          }
          return {
            instanceId: history.instanceId,
            instanceType: history.instanceType,
            owner: history.owner,
            start: new Date(this.#fromMs + start * MINUTE_MS).toISOString(),
            // A stretch that ends closer to the period's end than a stretch-ending gap may still be running.
            end: length - end < STRETCH_GAP_MINUTES ? null : new Date(this.#fromMs + end * MINUTE_MS).toISOString(),
            spendUsd: cents(spendUsd),
            busyShare: measured === 0 ? 0 : Math.round((busy / measured) * 10_000) / 10_000,
            tags: { ...history.tags },
          };
        },
      });
    }
    this.#runs.sort(costlierFirst);
    // Settle the kept runs now: their minutes are read here, so the batch holding them can be dropped.
    this.#runs = this.#runs.slice(0, COSTLIEST_RUNS).map((candidate) => {
      const run = candidate.run();
      return { ...candidate, run: () => run };
    });
  }

  /** The audit of everything added so far. */
  result(): FleetAudit {
    const groups: Record<string, Record<string, FleetGroup>> = {};
    for (const [key, values] of this.#groups) {
      groups[key] = Object.fromEntries(
        [...values]
          .sort(([a, x], [b, y]) => y.spendUsd - x.spendUsd || a.localeCompare(b))
          .map(([value, totals]) => [value, totals.toGroup()]),
      );
    }
    const fleet = this.#fleet.toGroup();
    return {
      from: new Date(this.#fromMs).toISOString(),
      to: new Date(this.#toMs).toISOString(),
      instances: fleet.instances,
      spendUsd: fleet.spendUsd,
      spendByBand: fleet.spendByBand,
      neverUsed: fleet.neverUsed,
      groups,
      runs: this.#runs.map((candidate) => candidate.run()),
      rightSizing: [...this.#rightSizing].sort(
        (a, b) => b.weeklySavingUsd - a.weeklySavingUsd || a.instanceId.localeCompare(b.instanceId),
      ),
      rightSizingUnjudged: [...this.#unjudged].sort(
        (a, b) => b.gpus - a.gpus || a.instanceId.localeCompare(b.instanceId),
      ),
    };
  }
}

/**
 * The audit of `histories` over `[from, to)` in one call.
 *
 * @example fleetAudit(histories, config, { from, to }).spendByBand // { below5: 390000, … }
 */
function fleetAudit(
  histories: Iterable<InstanceHistory>,
  config: Config,
  range: { readonly from: Date; readonly to: Date },
): FleetAudit {
  const auditor = new FleetAuditor(config, range);
  auditor.addAll(histories);
  return auditor.result();
}

export { COSTLIEST_RUNS, FleetAuditor, fleetAudit, groupValue, UNTAGGED };
