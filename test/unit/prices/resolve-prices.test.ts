/**
 * The price of an instance, in the order the pass asks: config overrides, then live prices (per region), then the
 * bundled table; and never a guess.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../shared/config';
import type { InstanceFacts } from '../../../shared/engine';
import { priceFleet } from '../../../shared/pass/price-fleet';
import { BUNDLED_HOURLY_USD } from '../../../shared/prices/on-demand-prices';
import { type LivePriceSource, resolvePrices } from '../../../shared/prices/resolve-prices';

/** A live source with fixed prices per region, recording what it was asked. */
function liveSource(prices: Record<string, Record<string, number>>) {
  const asked: [string, string[]][] = [];
  const source: LivePriceSource = {
    hourlyUsd: async (types, region) => {
      asked.push([region, [...types]]);
      return new Map(Object.entries(prices[region] ?? {}).filter(([type]) => types.includes(type)));
    },
  };
  return { source, asked };
}

const at = (instanceType: string, region = 'us-east-1') => ({ instanceType, region });

describe('resolvePrices', () => {
  it('prices from the config override first, then the live price, then the bundled table', async () => {
    const { source } = liveSource({ 'eu-west-1': { 'g5.xlarge': 1.123, 'p5.48xlarge': 60.5 } });
    const priceOf = await resolvePrices([at('g5.xlarge', 'eu-west-1'), at('p5.48xlarge', 'eu-west-1')], {
      overrides: { 'p5.48xlarge': 40 },
      live: source,
    });
    expect(priceOf('p5.48xlarge', 'eu-west-1')).toBe(40);
    expect(priceOf('g5.xlarge', 'eu-west-1')).toBe(1.123);
    expect(priceOf('g6.xlarge', 'eu-west-1')).toBe(BUNDLED_HOURLY_USD['g6.xlarge']);
  });

  it('keeps live prices per region: a region without one falls back to the bundled price', async () => {
    const { source } = liveSource({ 'eu-west-1': { 'g5.xlarge': 1.123 } });
    const priceOf = await resolvePrices([at('g5.xlarge', 'eu-west-1'), at('g5.xlarge', 'us-west-2')], {
      overrides: {},
      live: source,
    });
    expect(priceOf('g5.xlarge', 'eu-west-1')).toBe(1.123);
    expect(priceOf('g5.xlarge', 'us-west-2')).toBe(1.006);
  });

  it('asks the live source once per region, only for types without an override', async () => {
    const { source, asked } = liveSource({});
    await resolvePrices(
      [at('g5.xlarge'), at('g6.xlarge'), at('g5.xlarge'), at('p5.48xlarge'), at('g5.xlarge', 'eu-west-1')],
      {
        overrides: { 'p5.48xlarge': 40 },
        live: source,
      },
    );
    expect(asked.sort()).toEqual([
      ['eu-west-1', ['g5.xlarge']],
      ['us-east-1', ['g5.xlarge', 'g6.xlarge']],
    ]);
  });

  it('reports a live source that throws and prices from the bundled table', async () => {
    const onProblem = vi.fn();
    const failing: LivePriceSource = { hourlyUsd: () => Promise.reject(new Error('pricing down')) };
    const priceOf = await resolvePrices([at('g5.xlarge')], { overrides: {}, live: failing, onProblem });
    expect(priceOf('g5.xlarge', 'us-east-1')).toBe(1.006);
    expect(onProblem).toHaveBeenCalledWith(
      'live prices for us-east-1 unavailable, using the bundled ones',
      expect.any(Error),
    );
  });

  it('never guesses: a type no source knows has no price', async () => {
    const priceOf = await resolvePrices([at('g9.mega')], { overrides: {} });
    expect(priceOf('g9.mega', 'us-east-1')).toBeNull();
  });
});

describe('priceFleet', () => {
  it('puts the resolved price on every input, for the engine to carry into its decisions', async () => {
    const instance = (instanceType: string) => ({ instance: { instanceType, region: 'us-east-1' } as InstanceFacts });
    const inputs = [instance('g5.xlarge'), instance('g5.12xlarge'), instance('g9.mega')].map((input) => ({
      ...input,
      telemetry: {} as never,
    }));
    const config = parseConfig({ prices: { overrides: { 'g5.12xlarge': 4.5 } } });
    const priced = await priceFleet(inputs, config);
    expect(priced.map((input) => input.hourlyUsd)).toEqual([1.006, 4.5, null]);
  });
});
