/**
 * The fleet audit as one self-contained HTML page (`report --html FILE`): the headline numbers, the fleet's spend by
 * GPU-utilization band, the same per value of each `report.groupBy` tag, the costliest runs, right-sizing and, with
 * budgets on, each team's month. Built from the backtest page's pieces: inline CSS and SVG only, no script, nothing
 * fetched (a Content Security Policy forbids it), so it opens offline and prints; every instance string is escaped.
 */
import { plural } from '../../engine/format';
import type { FleetAudit, FleetGroup } from '../../report/fleet-audit-types';
import { STYLE, table } from '../backtest/backtest-html';
import { shareText } from '../backtest/backtest-summary';
import { escapeHtml } from '../backtest/backtest-svg';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';
import { formatUtc } from '../text/utc-time';
import { fleetBandsSvg, groupBandsSvg, topGroups } from './fleet-band-charts';
import { budgetsSvg } from './fleet-budget-chart';
import { runsSvg } from './fleet-runs-chart';
import { rightSizingSvg, unjudgedList } from './fleet-sizing-chart';
import { fleetHeadline, rightSizingTotal } from './fleet-text';

/** What the page says about how the audit was made. */
interface FleetHtmlContext {
  /** `--since` as given: `7d` or an ISO instant. */
  readonly since: string;
  readonly regions: readonly string[];
  /** The policy in one line (thresholds), when known. */
  readonly policy?: string;
  /** `budgets.warnAt`. @default 0.8 */
  readonly warnAt?: number;
}

const FLEET_STYLE = `
.warning{border:2px solid #d6453d;border-radius:8px;padding:4px 14px;margin:12px 0}.warning p{margin:6px 0}
.headline{font-size:19px;font-weight:600;margin:14px 0 6px}
.card b{font-variant-numeric:tabular-nums}.note{color:#5c6673;font-size:13px;margin:4px 0 10px}
.chart svg{max-width:100%;height:auto}ul.unjudged{margin:4px 0 12px}
footer{margin-top:32px;color:#5c6673;font-size:12px;border-top:1px solid #e3e6ea;padding-top:8px}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;max-width:none;padding:0}table{font-size:12px}.chart{overflow:visible}h2{break-after:avoid}
svg,table,.cards{break-inside:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}`;

/** Regions whose history could not be read, said before any number (they are missing from all of them). */
function regionErrors(audit: FleetAudit): string {
  const failed = audit.regionErrors ?? [];
  if (failed.length === 0) return '';
  const lines = failed.map(
    (failure) => `<li><b>${escapeHtml(failure.region)}</b>: ${escapeHtml(cleanText(failure.error, 300))}</li>`,
  );
  const lead = `The history of ${plural(failed.length, 'region')} could not be read: their instances are missing from every number below.`;
  return `<div class="warning" role="alert"><p>${escapeHtml(lead)}</p><ul>${lines.join('')}</ul></div>`;
}

function cards(audit: FleetAudit): string {
  const { spendByBand: bands, spendUsd } = audit;
  const items: [string, string][] = [
    ['GPU spend', formatUsd(spendUsd)],
    ['Below 5% GPU', `${formatUsd(bands.below5)} (${shareText(bands.below5, spendUsd)})`],
    ['Above 30% GPU', `${formatUsd(bands.above30)} (${shareText(bands.above30, spendUsd)})`],
    ['Never used', `${audit.neverUsed} of ${audit.instances}`],
    [
      'Right-sizing could save',
      audit.rightSizing.length > 0 ? `${formatUsd(rightSizingTotal(audit))}/week` : 'nothing to suggest',
    ],
  ];
  const card = ([name, value]: [string, string]) =>
    `<div class="card">${escapeHtml(name)}<b>${escapeHtml(value)}</b></div>`;
  return `<div class="cards">${items.map(card).join('')}</div>`;
}

function groupSection(key: string, groups: Readonly<Record<string, FleetGroup>>, index: number): string {
  const name = cleanText(key, 40);
  const rows = topGroups(groups).map(([value, g]) => [
    cleanText(value, 60) || '(empty)',
    g.instances,
    g.neverUsed,
    formatUsd(g.spendUsd),
    formatUsd(g.spendByBand.below5),
    formatUsd(g.spendByBand.from5to30),
    formatUsd(g.spendByBand.above30),
    formatUsd(g.spendByBand.unknown),
    shareText(g.spendByBand.below5, g.spendUsd),
  ]);
  const head = [name, 'Instances', 'Never used', 'Spend', 'Below 5%', '5% to 30%', 'Above 30%', 'Unknown', 'Wasted'];
  if (rows.length === 0) return `<h2>By ${escapeHtml(name)}</h2><p class="note">No instance ran in the period.</p>`;
  return [
    `<h2>By ${escapeHtml(name)}</h2>`,
    `<p class="note">Instances without a ${escapeHtml(name)} tag are under (untagged). Wasted: the share spent below 5% GPU.</p>`,
    `<div class="chart">${groupBandsSvg(key, groups, index)}</div>`,
    table(head, rows, [1, 2, 3, 4, 5, 6, 7, 8]),
  ].join('\n');
}

function runsSection(audit: FleetAudit): string {
  if (audit.runs.length === 0) return '<h2>Costliest runs</h2><p class="note">No run in the period.</p>';
  return [
    `<h2>${audit.runs.length === 1 ? 'The one run' : `The ${audit.runs.length} costliest runs`}</h2>`,
    '<p class="note">A run is one running stretch of an instance; a gap of 15 minutes or more ends it.</p>',
    `<div class="chart">${runsSvg(audit.runs, new Date(audit.to))}</div>`,
  ].join('\n');
}

function rightSizingSection(audit: FleetAudit): string {
  const items = audit.rightSizing;
  const lead =
    items.length === 0
      ? 'No multi-GPU instance left GPUs unused at its busiest minute: nothing to right-size.'
      : `${plural(items.length, 'multi-GPU instance')} never used all ${items.length === 1 ? 'its' : 'their'} GPUs at once: ` +
        `the smallest type of the same family with enough GPUs would save ${formatUsd(rightSizingTotal(audit))} a week.`;
  return [
    '<h2>Right-sizing</h2>',
    `<p>${escapeHtml(lead)}</p>`,
    '<p class="note">Only a suggestion: gpu-reaper never resizes an instance.</p>',
    items.length > 0 ? `<div class="chart">${rightSizingSvg(items, rightSizingTotal(audit))}</div>` : '',
    unjudgedList(audit.rightSizingUnjudged),
  ].join('\n');
}

function budgetSection(audit: FleetAudit, warnAt: number): string {
  if (audit.budgets === undefined) return '';
  const month = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const to = new Date(audit.to);
  const heading = `Budgets this month${Number.isNaN(to.getTime()) ? '' : ` (${month.format(to)})`}`;
  if (audit.budgets.length === 0)
    return `<h2>${escapeHtml(heading)}</h2><p class="note">No team has spent anything yet.</p>`;
  return `<h2>${escapeHtml(heading)}</h2>\n<div class="chart">${budgetsSvg(audit.budgets, warnAt)}</div>`;
}

/**
 * Renders the page.
 *
 * @example writeFileSync('fleet.html', renderFleetHtml(report.fleet, { since: '7d', regions: ['us-east-1'] }))
 */
function renderFleetHtml(audit: FleetAudit, context: FleetHtmlContext): string {
  const period = `${formatUtc(audit.from)} to ${formatUtc(audit.to)}`;
  // The regions read, as the caller says them, else as the audit recorded them.
  const read = context.regions.length > 0 ? context.regions : (audit.regions ?? []);
  const regions = read.length > 0 ? `, ${plural(read.length, 'region')} ${read.join(', ')}` : '';
  const about = `${period} (--since ${cleanText(context.since, 40)})${regions}`;
  const headline = fleetHeadline(audit);
  const body = [
    '<h1>gpu-reaper fleet report</h1>',
    `<p class="muted">${escapeHtml(about)}${context.policy ? `<br>${escapeHtml(`Policy: ${context.policy}`)}` : ''}</p>`,
    `<p class="headline" id="headline">${escapeHtml(headline)}.</p>`,
    regionErrors(audit),
    cards(audit),
    '<h2>Spend by GPU utilization</h2>',
    '<p class="note">Each running minute by the highest utilization of its GPUs; unknown: running minutes without a datapoint.</p>',
    `<div class="chart">${fleetBandsSvg(audit.spendByBand, audit.spendUsd)}</div>`,
    ...Object.entries(audit.groups).map(([key, groups], index) => groupSection(key, groups, index)),
    runsSection(audit),
    rightSizingSection(audit),
    budgetSection(audit, context.warnAt ?? 0.8),
    '<footer>Spend is at on-demand prices, from CloudWatch GPU history: gpu-reaper report.</footer>',
  ].join('\n');
  const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gpu-reaper fleet report ${escapeHtml(period)}</title><style>${STYLE}${FLEET_STYLE}</style></head>
<body>
${body}
</body></html>
`;
}

export type { FleetHtmlContext };
export { renderFleetHtml };
