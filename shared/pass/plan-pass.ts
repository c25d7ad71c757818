/**
 * A read-only pass: scan → read metrics → decide. Writes nothing anywhere (docs/rules.md, "Modes").
 */
import type { Config } from '../config';
import type { BudgetLedger, StateStore } from '../core/ports';
import { decideFleet } from '../engine';
import type { LivePriceSource } from '../prices/resolve-prices';
import { budgetStandings, withBudgets } from './budgets';
import { fleetWithHibernation } from './hibernation';
import { newPassId } from './pass-id';
import { priceFleet } from './price-fleet';
import { scanFleet } from './scan-fleet';
import type { PassResult, RegionReader } from './types';
import { approvalTagOf, warningsFor } from './warnings';

/**
 * Runs the read half of a pass and returns its decisions without acting on any of them. With a state store the
 * pending warnings come from it (read only); without one, from the instances' `warned` tags.
 *
 * @example
 * const { readers } = composeRegions({ config, regions: ['us-east-1'], homeRegion: 'us-east-1', table: null, topicArn: null });
 * const result = await planPass({ config, now: new Date(), readers });
 */
async function planPass(options: {
  readonly config: Config;
  readonly now: Date;
  readonly readers: readonly RegionReader[];
  readonly store?: StateStore;
  /** The budgets' ledger, read only (a plan counts nothing). @default none: no budget applies */
  readonly ledger?: BudgetLedger;
  /** Live on-demand prices, when `prices.live` is on. @default none: overrides, then the bundled table */
  readonly livePrices?: LivePriceSource;
  /** Told when live prices could not be read (the bundled ones are used). @default ignored */
  readonly onProblem?: (message: string, error: unknown) => void;
}): Promise<PassResult> {
  const { config, now, readers, store } = options;
  const { inputs, regionFailures, unmatchedSeries, telemetrySplits } = await scanFleet(readers, config, now);
  const priced = await priceFleet(inputs, config, { live: options.livePrices, onProblem: options.onProblem });
  // Read only: a plan counts no spend, it reads where each team stands.
  const standings = await budgetStandings(priced, config, now, options.ledger, 'read', options.onProblem ?? (() => {}));
  const budgeted = withBudgets(priced, standings, config);
  const withWarnings = store
    ? await warningsFor(budgeted, store, `${config.tagPrefix}snooze-until`, undefined, approvalTagOf(config))
    : budgeted;
  const fleet = decideFleet(withWarnings, config, now);
  return {
    passId: newPassId(now),
    mode: config.mode,
    now,
    regions: readers.map((reader) => reader.region),
    decisions: fleetWithHibernation(fleet.decisions, withWarnings, config),
    regionFailures,
    telemetryBrake: fleet.brake.engaged,
    capped: fleet.capped,
    unmatchedSeries,
    telemetrySplits,
  };
}

export { planPass };
