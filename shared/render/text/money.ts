/**
 * Money as people read it in a notification: dollars with cents, and the cost of running a GPU instance.
 */

const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });
// Hourly prices of small types have meaningful thousandths ($0.526/h), so a rate keeps up to four decimals.
const rate = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

/** Formats an amount in US dollars: `$1,234.56`. */
function formatUsd(amount: number): string {
  return dollars.format(amount);
}

/** Formats an hourly price: `$5.672/h`. */
function formatHourlyUsd(hourlyUsd: number): string {
  return `${rate.format(hourlyUsd)}/h`;
}

/**
 * What `minutes` of running cost at `hourlyUsd`, or `null` when the price (or the time) is unknown.
 *
 * @example runningCostUsd(90, 2) // 3
 */
function runningCostUsd(minutes: number | null | undefined, hourlyUsd: number | null | undefined): number | null {
  if (hourlyUsd == null || !Number.isFinite(hourlyUsd) || hourlyUsd < 0) return null;
  if (minutes == null || !Number.isFinite(minutes) || minutes < 0) return null;
  return (minutes / 60) * hourlyUsd;
}

export { formatHourlyUsd, formatUsd, runningCostUsd };
