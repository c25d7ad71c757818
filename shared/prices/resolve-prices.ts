/**
 * Prices the instances of a pass once, before deciding: config overrides first, then live prices (the AWS Pricing
 * API, when `prices.live` is on), then the bundled table. The resulting {@link PriceOf} is the one price source of
 * the pass: decisions, notifications and audit items all read their `hourlyUsd` from it.
 */
import { hourlyUsd } from './on-demand-prices';

/** On-demand $/hour of an instance type in a region; `null` when unknown. */
type PriceOf = (instanceType: string, region: string) => number | null;

/** Live on-demand prices (implemented by the Pricing API adapter, `PriceList`). */
interface LivePriceSource {
  /** $/hour of each type it could price in `region`; types it could not are absent. Should not throw. */
  hourlyUsd(instanceTypes: readonly string[], region: string): Promise<ReadonlyMap<string, number>>;
}

/** Where prices come from, besides the bundled table. */
interface PriceSources {
  /** `prices.overrides` of the config: $/hour by instance type, in every region. */
  readonly overrides: Readonly<Record<string, number>>;
  /** Live prices, when `prices.live` is on. @default none */
  readonly live?: LivePriceSource;
  /** Told when live prices of a region could not be read; the pass goes on with the bundled ones. */
  readonly onProblem?: (message: string, error: unknown) => void;
}

/**
 * Resolves the price of every (type, region) of the pass, asking the live source only about types without an
 * override. A live source that fails costs nothing but its prices: the bundled table answers instead.
 *
 * @example
 * const priceOf = await resolvePrices([{ instanceType: 'g5.xlarge', region: 'eu-west-1' }], { overrides: {} });
 * priceOf('g5.xlarge', 'eu-west-1'); // 1.006 (bundled)
 */
async function resolvePrices(
  instances: Iterable<{ readonly instanceType: string; readonly region: string }>,
  sources: PriceSources,
): Promise<PriceOf> {
  const typesByRegion = new Map<string, Set<string>>();
  for (const { instanceType, region } of instances) {
    if (sources.overrides[instanceType] !== undefined) continue;
    const types = typesByRegion.get(region) ?? new Set<string>();
    types.add(instanceType);
    typesByRegion.set(region, types);
  }
  const liveByRegion = new Map<string, ReadonlyMap<string, number>>();
  const { live } = sources;
  if (live) {
    await Promise.all(
      [...typesByRegion].map(async ([region, types]) => {
        try {
          liveByRegion.set(region, await live.hourlyUsd([...types].sort(), region));
        } catch (error) {
          sources.onProblem?.(`live prices for ${region} unavailable, using the bundled ones`, error);
        }
      }),
    );
  }
  return (instanceType, region) =>
    hourlyUsd(instanceType, { overrides: sources.overrides, live: liveByRegion.get(region) });
}

export type { LivePriceSource, PriceOf, PriceSources };
export { resolvePrices };
