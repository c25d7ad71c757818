/**
 * The fleet page's spend-by-band charts: the whole fleet as one stacked bar, and one horizontal stacked bar per
 * value of each `report.groupBy` tag (below 5% / 5–30% / above 30% / unknown), with a legend and the amounts written
 * on the bars where they fit and at the end of each bar.
 */
import type { FleetBands, FleetGroup } from '../../report/fleet-audit-types';
import { shareText } from '../backtest/backtest-summary';
import { BAND_COLOURS, el, label, legend, shortUsd, svg, title } from '../backtest/backtest-svg';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';

/** The bands in the order they stack, their names, and the text colour readable on each (contrast 4.4:1 or more). */
const BANDS = [
  ['below5', 'below 5%', '#ffffff'],
  ['from5to30', '5% to 30%', '#1d2430'],
  ['above30', 'above 30%', '#1d2430'],
  ['unknown', 'unknown (no datapoint)', '#1d2430'],
] as const;

/** Groups drawn per tag; the rest are summed into one row, so a tag with hundreds of values still reads. */
const MAX_GROUPS = 12;

/** Characters of an 11px bold label that fit in `width` pixels (a generous 7px each). */
function fits(text: string, width: number): boolean {
  return text.length * 7 + 8 <= width;
}

/** One stacked bar at `(x, y)`, `pixelsPerUsd` wide per dollar; each segment titled with its band, amount and share. */
function stackedBar(
  bands: FleetBands,
  total: number,
  x: number,
  y: number,
  height: number,
  pixelsPerUsd: number,
  what: string,
  inside: (usd: number) => string,
): string {
  let at = x;
  return BANDS.map(([key, name, ink]) => {
    const usd = bands[key];
    if (!(usd > 0)) return '';
    const width = Math.max(1, usd * pixelsPerUsd);
    const text = inside(usd);
    const inner = fits(text, width)
      ? label(at + 5, y + height / 2 + 4, text, { fill: ink, 'font-weight': 'bold', 'pointer-events': 'none' })
      : '';
    const part = el(
      'g',
      { class: 'segment', 'data-band': key },
      title(`${what}, ${name}: ${formatUsd(usd)} (${shareText(usd, total)})`) +
        el('rect', { x: at, y, width, height, fill: BAND_COLOURS[key] }) +
        inner,
    );
    at += width;
    return part;
  }).join('');
}

/** The legend of every band chart. */
function bandLegend(x: number, y: number): string {
  const lead = 'GPU utilization:';
  const keys = BANDS.map(([key, name]) => [BAND_COLOURS[key], name] as const);
  return label(x, y, lead, { fill: '#5c6673' }) + legend(x + lead.length * 6.2 + 6, y, keys);
}

/**
 * The whole fleet's spend as one stacked bar, `<svg id="chart-fleet-bands">`: each band's amount and share on it.
 *
 * @example fleetBandsSvg(audit.spendByBand, audit.spendUsd)
 */
function fleetBandsSvg(bands: FleetBands, spendUsd: number): string {
  const width = 1160;
  const scale = spendUsd > 0 ? width / spendUsd : 0;
  const body =
    bandLegend(0, 14) +
    stackedBar(
      bands,
      spendUsd,
      0,
      26,
      34,
      scale,
      'The fleet',
      (usd) => `${shortUsd(usd)} · ${shareText(usd, spendUsd)}`,
    );
  return svg('chart-fleet-bands', width, 66, `Fleet spend by GPU utilization band: ${formatUsd(spendUsd)}`, body);
}

/** The groups of one tag, most spend first, the ones past {@link MAX_GROUPS} summed into one row. */
function topGroups(groups: Readonly<Record<string, FleetGroup>>): (readonly [string, FleetGroup])[] {
  const sorted = Object.entries(groups).sort(([a, x], [b, y]) => y.spendUsd - x.spendUsd || a.localeCompare(b));
  if (sorted.length <= MAX_GROUPS) return sorted;
  const rest = sorted.slice(MAX_GROUPS - 1).map(([, g]) => g);
  const sum = (pick: (g: FleetGroup) => number) => rest.reduce((total, g) => total + pick(g), 0);
  const others: FleetGroup = {
    instances: sum((g) => g.instances),
    spendUsd: sum((g) => g.spendUsd),
    neverUsed: sum((g) => g.neverUsed),
    spendByBand: {
      below5: sum((g) => g.spendByBand.below5),
      from5to30: sum((g) => g.spendByBand.from5to30),
      above30: sum((g) => g.spendByBand.above30),
      unknown: sum((g) => g.spendByBand.unknown),
    },
  };
  return [...sorted.slice(0, MAX_GROUPS - 1), [`${rest.length} more values`, others]];
}

/**
 * Spend by band per value of the tag `key`, `<svg id="chart-group-<n>">` (n: the tag's place in `report.groupBy`):
 * a row per value with its instance count, the bar (amounts on the segments that fit) and its total at the end.
 *
 * @example groupBandsSvg('Team', audit.groups.Team, 0)
 */
function groupBandsSvg(key: string, groups: Readonly<Record<string, FleetGroup>>, index: number): string {
  const rows = topGroups(groups);
  const left = 190;
  const barWidth = 560;
  const row = 40;
  const max = Math.max(0, ...rows.map(([, g]) => g.spendUsd));
  const scale = max > 0 ? barWidth / max : 0;
  const body = rows.map(([value, g], i) => {
    const y = 30 + i * row;
    const name = cleanText(value, 28) || '(empty)';
    const what = `${cleanText(key, 40)} ${name}`;
    const total = `${formatUsd(g.spendUsd)} · ${shareText(g.spendByBand.below5, g.spendUsd)} below 5%`;
    return el(
      'g',
      { class: 'group', 'data-value': name },
      title(`${what}: ${total}, ${g.instances} instances, ${g.neverUsed} never used`) +
        label(0, y + 11, name, { 'font-weight': 'bold', 'font-size': 12, fill: '#1d2430' }) +
        label(0, y + 25, `${g.instances} inst. · ${g.neverUsed} never used`, { fill: '#5c6673', 'font-size': 10 }) +
        stackedBar(g.spendByBand, g.spendUsd, left, y, 26, scale, what, shortUsd) +
        label(left + g.spendUsd * scale + 8, y + 17, total, { 'font-size': 12, fill: '#1d2430' }),
    );
  });
  const height = 30 + rows.length * row;
  return svg(
    `chart-group-${index}`,
    left + barWidth + 210,
    height,
    `Spend by GPU utilization band, by ${cleanText(key, 40)}`,
    bandLegend(left, 14) + body.join(''),
  );
}

export { BANDS, fleetBandsSvg, groupBandsSvg, topGroups };
