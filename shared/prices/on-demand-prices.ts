/**
 * Bundled on-demand prices of GPU instance types, so every decision can say what an instance costs without a
 * network call. Overridable per type in config (`prices.overrides`) and refreshable from the AWS Price List API.
 *
 * Source: AWS EC2 On-Demand pricing (Price List API, `AmazonEC2`), region us-east-1, Linux, shared tenancy,
 * no pre-installed software, as listed on 2025-08-01 (after the June 2025 P4/P5 price reductions).
 * Other regions usually cost 0–30% more; treat these as the floor of what an idle hour burns.
 */

/** When and where the bundled prices were taken. */
const BUNDLED_PRICES_AS_OF = {
  date: '2025-08-01',
  region: 'us-east-1',
  source: 'AWS Price List API (AmazonEC2)',
} as const;

/** $/hour by instance type. */
const BUNDLED_HOURLY_USD: Readonly<Record<string, number>> = {
  'p3.2xlarge': 3.06,
  'p3.8xlarge': 12.24,
  'p3.16xlarge': 24.48,
  'p3dn.24xlarge': 31.212,
  'p4d.24xlarge': 21.9576,
  'p4de.24xlarge': 27.4471,
  'p5.48xlarge': 55.04,
  'p5e.48xlarge': 60.544,
  'p5en.48xlarge': 63.296,
  'g4dn.xlarge': 0.526,
  'g4dn.2xlarge': 0.752,
  'g4dn.4xlarge': 1.204,
  'g4dn.8xlarge': 2.176,
  'g4dn.12xlarge': 3.912,
  'g4dn.16xlarge': 4.352,
  'g4dn.metal': 7.824,
  'g4ad.xlarge': 0.37853,
  'g4ad.2xlarge': 0.54117,
  'g4ad.4xlarge': 0.867,
  'g4ad.8xlarge': 1.734,
  'g4ad.16xlarge': 3.468,
  'g5.xlarge': 1.006,
  'g5.2xlarge': 1.212,
  'g5.4xlarge': 1.624,
  'g5.8xlarge': 2.448,
  'g5.12xlarge': 5.672,
  'g5.16xlarge': 4.096,
  'g5.24xlarge': 8.144,
  'g5.48xlarge': 16.288,
  'g5g.xlarge': 0.42,
  'g5g.2xlarge': 0.556,
  'g5g.4xlarge': 0.828,
  'g5g.8xlarge': 1.372,
  'g5g.16xlarge': 2.744,
  'g5g.metal': 2.744,
  'g6.xlarge': 0.8048,
  'g6.2xlarge': 0.9776,
  'g6.4xlarge': 1.3232,
  'g6.8xlarge': 2.0144,
  'g6.12xlarge': 4.6016,
  'g6.16xlarge': 3.3968,
  'g6.24xlarge': 6.6752,
  'g6.48xlarge': 13.3504,
  'g6e.xlarge': 1.861,
  'g6e.2xlarge': 2.24208,
  'g6e.4xlarge': 3.00424,
  'g6e.8xlarge': 4.52856,
  'g6e.12xlarge': 10.49264,
  'g6e.16xlarge': 7.57719,
  'g6e.24xlarge': 15.06559,
  'g6e.48xlarge': 30.13118,
  'gr6.4xlarge': 1.5392,
  'gr6.8xlarge': 2.4464,
};

/**
 * Looks up the on-demand $/hour of an instance type: config overrides first, then live prices (when fetched), then
 * the bundled table.
 *
 * @returns the price, or `null` when unknown (messages then say "price unknown"; nothing guesses)
 */
function hourlyUsd(
  instanceType: string,
  sources: { readonly overrides?: Readonly<Record<string, number>>; readonly live?: ReadonlyMap<string, number> } = {},
): number | null {
  return (
    sources.overrides?.[instanceType] ?? sources.live?.get(instanceType) ?? BUNDLED_HOURLY_USD[instanceType] ?? null
  );
}

export { BUNDLED_HOURLY_USD, BUNDLED_PRICES_AS_OF, hourlyUsd };
