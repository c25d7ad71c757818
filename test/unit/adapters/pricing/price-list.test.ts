/**
 * The Pricing API adapter: the GetProducts request it sends, how it reads the price out of the answer, its cache,
 * and failures, which cost only the price (the bundled table answers instead) and never the pass.
 */
import { GetProductsCommand, type GetProductsCommandInput, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { hourlyUsdOf, PriceList } from '../../../../shared/adapters/pricing/price-list';
import { parseConfig } from '../../../../shared/config';
import { type AwsError, ErrorCode } from '../../../../shared/errors';
import { composePrices } from '../../../../shared/pass/compose';
import { resolvePrices } from '../../../../shared/prices/resolve-prices';

const pricing = new PricingClient({ region: 'us-east-1' });
const pricingMock = mockClient(pricing);

/** One `PriceList` entry as GetProducts returns it: a JSON string, trimmed to the fields that matter. */
function product(instanceType: string, regionCode: string, usd: string, unit = 'Hrs'): string {
  const sku = `SKU${instanceType.replace(/\W/g, '')}`;
  return JSON.stringify({
    product: {
      productFamily: 'Compute Instance',
      attributes: { instanceType, regionCode, operatingSystem: 'Linux', tenancy: 'Shared', capacitystatus: 'Used' },
      sku,
    },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          offerTermCode: 'JRTCKXETXF',
          sku,
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
              rateCode: `${sku}.JRTCKXETXF.6YS6EN2CT7`,
              description: `$${usd} per On Demand Linux ${instanceType} Instance Hour`,
              unit,
              pricePerUnit: { USD: usd },
              appliesTo: [],
            },
          },
          termAttributes: {},
        },
      },
    },
    version: '20250801000000',
  });
}

const filterValue = (input: GetProductsCommandInput, field: string) =>
  input.Filters?.find((filter) => filter.Field === field)?.Value;

beforeEach(() => pricingMock.reset());

describe('PriceList', () => {
  it('asks GetProducts for the Linux, shared-tenancy, on-demand price of each type in the region', async () => {
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [product('g5.xlarge', 'eu-west-1', '1.1230000000')] });
    const prices = await new PriceList(pricing).hourlyUsd(['g5.xlarge'], 'eu-west-1');
    expect(prices).toEqual(new Map([['g5.xlarge', 1.123]]));
    const [call] = pricingMock.commandCalls(GetProductsCommand);
    expect(call?.args[0].input).toMatchObject({ ServiceCode: 'AmazonEC2', FormatVersion: 'aws_v1' });
    expect(call?.args[0].input.Filters).toEqual([
      { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'g5.xlarge' },
      { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
      { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
      { Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' },
      { Type: 'TERM_MATCH', Field: 'preInstalledSw', Value: 'NA' },
      { Type: 'TERM_MATCH', Field: 'capacitystatus', Value: 'Used' },
    ]);
  });

  it('asks once per type and region for the life of the object, and remembers types the API does not price', async () => {
    pricingMock.on(GetProductsCommand).callsFake((input: GetProductsCommandInput) => ({
      PriceList:
        filterValue(input, 'instanceType') === 'zz9.huge'
          ? []
          : [product(filterValue(input, 'instanceType')!, filterValue(input, 'regionCode')!, '2.5')],
    }));
    const list = new PriceList(pricing);
    await list.hourlyUsd(['g5.xlarge', 'zz9.huge', 'g5.xlarge'], 'us-east-1');
    const again = await list.hourlyUsd(['g5.xlarge', 'zz9.huge'], 'us-east-1');
    expect(again).toEqual(new Map([['g5.xlarge', 2.5]]));
    expect(pricingMock.commandCalls(GetProductsCommand)).toHaveLength(2);
    await list.hourlyUsd(['g5.xlarge'], 'eu-west-1');
    expect(pricingMock.commandCalls(GetProductsCommand)).toHaveLength(3);
  });

  it('reports a failed lookup as an AwsError, leaves that type out, keeps the others, and asks again next time', async () => {
    pricingMock.on(GetProductsCommand).callsFake((input: GetProductsCommandInput) => {
      if (filterValue(input, 'instanceType') === 'p5.48xlarge') {
        throw Object.assign(new Error('User is not authorized to perform: pricing:GetProducts'), {
          name: 'AccessDeniedException',
        });
      }
      return { PriceList: [product('g5.xlarge', 'us-east-1', '1.006')] };
    });
    const errors: AwsError[] = [];
    const list = new PriceList(pricing, { onError: (error) => errors.push(error) });
    const prices = await list.hourlyUsd(['p5.48xlarge', 'g5.xlarge'], 'us-east-1');
    expect(prices).toEqual(new Map([['g5.xlarge', 1.006]]));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: ErrorCode.AwsCredentials, operation: 'GetProducts', region: 'us-east-1' });
    await list.hourlyUsd(['p5.48xlarge'], 'us-east-1');
    expect(pricingMock.commandCalls(GetProductsCommand)).toHaveLength(3);
  });

  it('never throws when the endpoint is unreachable: the pass prices from the bundled table instead', async () => {
    pricingMock
      .on(GetProductsCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const priceOf = await resolvePrices([{ instanceType: 'g5.xlarge', region: 'eu-west-1' }], {
      overrides: {},
      live: new PriceList(pricing),
    });
    expect(priceOf('g5.xlarge', 'eu-west-1')).toBe(1.006);
  });
});

describe('hourlyUsdOf', () => {
  it('reads terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD', () => {
    expect(hourlyUsdOf([product('p5.48xlarge', 'us-east-1', '55.0400000000')])).toBe(55.04);
  });

  it('takes the lowest hourly price when several products match, and accepts parsed objects too', () => {
    const entries = [
      product('g6.xlarge', 'us-east-1', '0.9000'),
      JSON.parse(product('g6.xlarge', 'us-east-1', '0.8048')),
    ];
    expect(hourlyUsdOf(entries)).toBe(0.8048);
  });

  it.each([
    ['no product', []],
    ['a zero placeholder price', [product('g5.xlarge', 'us-east-1', '0.0000000000')]],
    ['a price per another unit', [product('g5.xlarge', 'us-east-1', '263', 'Quantity')]],
    ['a product without on-demand terms', [JSON.stringify({ product: {}, terms: { Reserved: {} } })]],
    ['a price that is not a number', [product('g5.xlarge', 'us-east-1', 'n/a')]],
  ])('finds no price in %s', (_, entries) => {
    expect(hourlyUsdOf(entries)).toBeNull();
  });
});

describe('composePrices', () => {
  const edges = (live: boolean) => ({
    config: parseConfig({ prices: { live } }),
    regions: ['us-east-1'],
    homeRegion: 'us-east-1',
    table: null,
    topicArn: null,
  });

  it('asks no live source unless prices.live is on', () => {
    expect(composePrices(edges(false))).toBeUndefined();
  });

  it('keeps one Price List, and its cache, for the life of the container', () => {
    const first = composePrices(edges(true));
    expect(first).toBeInstanceOf(PriceList);
    expect(composePrices(edges(true))).toBe(first);
  });
});
