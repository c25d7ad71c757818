/**
 * Puts a price on every scanned instance before the engine decides, so each decision (and every event built from
 * it) carries the same `hourlyUsd`: config overrides, then live prices, then the bundled table.
 */
import type { Config } from '../config';
import type { InstanceInput } from '../engine';
import { type LivePriceSource, resolvePrices } from '../prices/resolve-prices';

/**
 * The inputs with `hourlyUsd` set. Never throws for prices: a live source that fails leaves the bundled prices.
 *
 * @example const priced = await priceFleet(inputs, config, { live: priceList });
 */
async function priceFleet<T extends InstanceInput>(
  inputs: readonly T[],
  config: Config,
  options: { readonly live?: LivePriceSource; readonly onProblem?: (message: string, error: unknown) => void } = {},
): Promise<(T & { readonly hourlyUsd: number | null })[]> {
  const priceOf = await resolvePrices(
    inputs.map(({ instance }) => instance),
    { overrides: config.prices.overrides, ...options },
  );
  return inputs.map((input) => ({
    ...input,
    hourlyUsd: priceOf(input.instance.instanceType, input.instance.region),
  }));
}

export { priceFleet };
