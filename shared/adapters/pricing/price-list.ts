/**
 * Live on-demand prices from the AWS Price List Query API (`pricing:GetProducts`, served from us-east-1): Linux,
 * shared tenancy, no pre-installed software, on-demand capacity. Each (type, region) is asked once and remembered
 * for the life of the object (a Lambda container). A failure never fails a pass: that type simply has no live
 * price, and the bundled table answers.
 */
import { type Filter, GetProductsCommand, type PricingClient } from '@aws-sdk/client-pricing';
import type { AwsError } from '../../errors';
import type { LivePriceSource } from '../../prices/resolve-prices';
import { toAwsError } from '../aws/aws-errors';

/** The Price List Query API answers in these regions only; us-east-1 is the one every partition user can reach. */
const PRICING_REGION = 'us-east-1';
/** Lookups in flight at once. */
const CONCURRENT_LOOKUPS = 4;

/** The product attributes that make a price the plain on-demand Linux price of an instance type. */
function productFilters(instanceType: string, region: string): Filter[] {
  const match = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
  return [
    match('instanceType', instanceType),
    match('regionCode', region),
    match('operatingSystem', 'Linux'),
    match('tenancy', 'Shared'),
    match('preInstalledSw', 'NA'),
    match('capacitystatus', 'Used'),
  ];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** The hourly USD prices of one `PriceList` entry's on-demand terms (`terms.OnDemand.*.priceDimensions.*`). */
function onDemandHourlyPrices(entry: unknown): number[] {
  const product: unknown = typeof entry === 'string' ? JSON.parse(entry) : entry;
  if (!isObject(product) || !isObject(product.terms) || !isObject(product.terms.OnDemand)) return [];
  const prices: number[] = [];
  for (const term of Object.values(product.terms.OnDemand)) {
    if (!isObject(term) || !isObject(term.priceDimensions)) continue;
    for (const dimension of Object.values(term.priceDimensions)) {
      if (!isObject(dimension) || !isObject(dimension.pricePerUnit)) continue;
      if (typeof dimension.unit === 'string' && !/^hrs?$/i.test(dimension.unit)) continue;
      const usd = Number(dimension.pricePerUnit.USD);
      // A zero price is a placeholder product (reservations, capacity blocks), never what an instance burns.
      if (Number.isFinite(usd) && usd > 0) prices.push(usd);
    }
  }
  return prices;
}

/**
 * The on-demand $/hour of a `GetProducts` answer: the lowest hourly on-demand price among its products (the filters
 * leave one in practice; the lowest keeps an estimate of waste on the safe side), or `null` when there is none.
 *
 * @example hourlyUsdOf(['{"terms":{"OnDemand":{"A.B":{"priceDimensions":{"A.B.C":{"unit":"Hrs","pricePerUnit":{"USD":"1.0060000000"}}}}}}}']) // 1.006
 */
function hourlyUsdOf(priceList: readonly unknown[]): number | null {
  const prices = priceList.flatMap(onDemandHourlyPrices);
  return prices.length > 0 ? Math.min(...prices) : null;
}

/** Options of {@link PriceList}. */
interface PriceListOptions {
  /** Told about every failed lookup (as `AwsError`, operation `GetProducts`). @default ignored */
  readonly onError?: (error: AwsError) => void;
}

/**
 * Asks the Pricing API for on-demand prices and caches the answers per (type, region).
 *
 * @example
 * const prices = new PriceList(new PricingClient(clientOptions('us-east-1')));
 * (await prices.hourlyUsd(['g5.xlarge'], 'eu-west-1')).get('g5.xlarge'); // 1.123
 */
class PriceList implements LivePriceSource {
  readonly #client: PricingClient;
  readonly #onError: (error: AwsError) => void;
  /** Answers so far: a price, or `null` when the API knows no such product (not asked again). */
  readonly #known = new Map<string, number | null>();

  /** @param client a Pricing client in {@link PRICING_REGION} */
  constructor(client: PricingClient, options: PriceListOptions = {}) {
    this.#client = client;
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * $/hour of every type of `instanceTypes` the API prices in `region`; the others are absent. Never throws: a
   * failed lookup is reported to `onError`, left out, and asked again next time.
   */
  async hourlyUsd(instanceTypes: readonly string[], region: string): Promise<Map<string, number>> {
    const wanted = [...new Set(instanceTypes)];
    const missing = wanted.filter((type) => !this.#known.has(cacheKey(type, region)));
    // A few at a time: the Price List API allows only a handful of requests per second.
    for (let start = 0; start < missing.length; start += CONCURRENT_LOOKUPS) {
      const batch = missing.slice(start, start + CONCURRENT_LOOKUPS);
      await Promise.all(batch.map((type) => this.#lookUp(type, region)));
    }
    const prices = new Map<string, number>();
    for (const type of wanted) {
      const price = this.#known.get(cacheKey(type, region));
      if (price != null) prices.set(type, price);
    }
    return prices;
  }

  async #lookUp(instanceType: string, region: string): Promise<void> {
    try {
      const answer = await this.#client.send(
        new GetProductsCommand({
          ServiceCode: 'AmazonEC2',
          Filters: productFilters(instanceType, region),
          FormatVersion: 'aws_v1',
          MaxResults: 10,
        }),
      );
      this.#known.set(cacheKey(instanceType, region), hourlyUsdOf((answer.PriceList ?? []) as unknown[]));
    } catch (error) {
      this.#onError(toAwsError(error, 'GetProducts', PRICING_REGION));
    }
  }
}

function cacheKey(instanceType: string, region: string): string {
  return `${region}/${instanceType}`;
}

export type { PriceListOptions };
export { hourlyUsdOf, PRICING_REGION, PriceList, productFilters };
