/**
 * The backtest page's other two charts: the fleet's spend by utilization band, and the sweep's savings vs false
 * kills per threshold (one bar per window; the configured policy outlined).
 */
import type { FleetBacktest, SweepRow } from '../../engine/replay/types';
import { shareText } from './backtest-summary';
import { BAND_COLOURS, el, label, legend, niceMax, SERIES_COLOURS, shortUsd, svg, title } from './backtest-svg';

/**
 * Spend by band as horizontal bars, `<svg id="chart-spend-by-band">`.
 *
 * @example spendByBandSvg(result.fleet)
 */
function spendByBandSvg(fleet: FleetBacktest): string {
  const bands = [
    ['below5', 'below 5%', fleet.spendByBand.below5],
    ['from5to30', '5% to 30%', fleet.spendByBand.from5to30],
    ['above30', 'above 30%', fleet.spendByBand.above30],
    ['unknown', 'unknown (gap)', fleet.spendByBand.unknown],
  ] as const;
  const left = 110;
  const barWidth = 420;
  const scale = niceMax(Math.max(...bands.map(([, , usd]) => usd)));
  const body = bands.map(([key, name, usd], index) => {
    const y = 16 + index * 30;
    const width = (usd / scale) * barWidth;
    const share = fleet.spendUsd > 0 ? ` (${shareText(usd, fleet.spendUsd)})` : '';
    return el(
      'g',
      { class: 'band', 'data-band': key },
      title(`${name}: ${shortUsd(usd)}${share}`) +
        label(0, y + 14, name) +
        el('rect', { x: left, y, width: Math.max(width, usd > 0 ? 1 : 0), height: 20, fill: BAND_COLOURS[key] }) +
        label(left + width + 6, y + 14, `${shortUsd(usd)}${share}`),
    );
  });
  return svg('chart-spend-by-band', left + barWidth + 150, 140, 'Fleet spend by GPU utilization band', body.join(''));
}

function panel(
  rows: readonly SweepRow[],
  thresholds: readonly number[],
  windows: readonly string[],
  value: (row: SweepRow) => number,
  format: (value: number) => string,
  origin: { readonly x: number; readonly y: number; readonly width: number; readonly height: number },
  heading: string,
): string {
  const max = niceMax(Math.max(0, ...rows.map(value)));
  const group = origin.width / Math.max(1, thresholds.length);
  const bar = Math.max(2, (group - 12) / Math.max(1, windows.length));
  const parts = [
    label(origin.x, origin.y - 8, heading, { 'font-weight': 'bold' }),
    el('line', {
      x1: origin.x,
      x2: origin.x + origin.width,
      y1: origin.y + origin.height,
      y2: origin.y + origin.height,
      stroke: '#888',
    }),
    label(origin.x - 4, origin.y + 8, format(max), { 'text-anchor': 'end', 'font-size': 9 }),
  ];
  thresholds.forEach((threshold, t) => {
    const x0 = origin.x + t * group + 6;
    parts.push(
      label(x0 + (group - 12) / 2, origin.y + origin.height + 14, `${threshold}%`, { 'text-anchor': 'middle' }),
    );
    windows.forEach((window, w) => {
      const row = rows.find((candidate) => candidate.threshold === threshold && candidate.window === window);
      if (!row) return;
      const height = (value(row) / max) * origin.height;
      const rect = el('rect', {
        x: x0 + w * bar,
        y: origin.y + origin.height - height,
        width: bar - 1,
        height: Math.max(height, 0),
        fill: SERIES_COLOURS[w % SERIES_COLOURS.length],
        stroke: row.configured ? '#000' : undefined,
        'stroke-width': row.configured ? 2 : undefined,
      });
      const what = `idle.threshold ${threshold}%, idle.window ${window}: ${format(value(row))}`;
      parts.push(el('g', { class: 'sweep-bar' }, title(`${what}${row.configured ? ' (configured)' : ''}`) + rect));
    });
  });
  return parts.join('');
}

/**
 * Savings and false kills per threshold, one bar per window, `<svg id="chart-sweep">`.
 *
 * @example sweepSvg(sweep(histories, config, window))
 */
function sweepSvg(rows: readonly SweepRow[]): string {
  const thresholds = [...new Set(rows.map((row) => row.threshold))].sort((a, b) => a - b);
  const windows = [...new Set(rows.map((row) => row.window))];
  const width = Math.max(420, thresholds.length * (windows.length * 22 + 24));
  const frame = { x: 60, width, height: 150 };
  const body =
    legend(
      frame.x,
      14,
      windows.map((window, w) => [SERIES_COLOURS[w % SERIES_COLOURS.length]!, `window ${window}`]),
    ) +
    panel(rows, thresholds, windows, (row) => row.savedUsd, shortUsd, { ...frame, y: 50 }, 'Saved') +
    panel(rows, thresholds, windows, (row) => row.falseKills, String, { ...frame, y: 260 }, 'False kills') +
    label(frame.x, 450, 'idle.threshold (outlined: the configured policy)', { fill: '#555' });
  return svg('chart-sweep', frame.x + width + 20, 460, 'Savings vs false kills per idle threshold', body);
}

export { spendByBandSvg, sweepSvg };
