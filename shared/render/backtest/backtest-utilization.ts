/**
 * The utilization heatmap of the backtest page: one row per instance (the biggest spenders, capped), one cell per
 * time bucket coloured by the band of the bucket's GPU maximum, and a mark where the replayed policy acted.
 */

import { bandOf } from '../../engine/replay/stretches';
import type { BacktestResult, InstanceHistory } from '../../engine/replay/types';
import { formatUsd } from '../text/money';
import { BAND_COLOURS, el, label, legend, svg, title } from './backtest-svg';

const MINUTE_MS = 60_000;
const BUCKETS_MINUTES = [15, 30, 60, 120, 180, 360, 720, 1_440] as const;

/** One heatmap row. */
interface UtilizationRow {
  readonly instanceId: string;
  readonly owner: string | null;
  readonly instanceType: string;
  /** Per bucket: the GPU maximum, `NaN` when no datapoint (not running). */
  readonly cells: Float32Array;
  readonly actions: readonly { readonly bucket: number; readonly text: string; readonly falseKill: boolean }[];
}

/** The heatmap's data. */
interface UtilizationGrid {
  readonly fromMs: number;
  readonly bucketMinutes: number;
  readonly buckets: number;
  readonly rows: readonly UtilizationRow[];
  /** Instances in the backtest (rows beyond `maxRows` are left out, and the page says so). */
  readonly total: number;
}

/**
 * Buckets the histories of the biggest spenders.
 *
 * @param options.maxRows @default 40
 * @param options.maxBuckets @default 400
 */
function utilizationGrid(
  histories: readonly InstanceHistory[],
  result: BacktestResult,
  options: { readonly maxRows?: number; readonly maxBuckets?: number } = {},
): UtilizationGrid {
  const fromMs = result.from.getTime();
  const total = Math.max(1, Math.round((result.to.getTime() - fromMs) / MINUTE_MS));
  const maxBuckets = options.maxBuckets ?? 400;
  const bucketMinutes = BUCKETS_MINUTES.find((size) => total / size <= maxBuckets) ?? Math.ceil(total / maxBuckets);
  const buckets = Math.ceil(total / bucketMinutes);
  const byId = new Map(histories.map((history) => [history.instanceId, history]));
  const top = [...result.instances].sort((a, b) => b.spendUsd - a.spendUsd).slice(0, options.maxRows ?? 40);
  const rows = top.map((instance) => {
    const cells = new Float32Array(buckets).fill(Number.NaN);
    const minutes = byId.get(instance.instanceId)?.minutes ?? [];
    for (let minute = 0; minute < Math.min(minutes.length, total); minute++) {
      const value = minutes[minute] as number;
      const bucket = Math.floor(minute / bucketMinutes);
      if (value >= 0 && !(cells[bucket]! >= value)) cells[bucket] = value;
    }
    const actions = instance.actions.map((action) => ({
      bucket: Math.floor((action.at - fromMs) / MINUTE_MS / bucketMinutes),
      falseKill: action.falseKill,
      text: `${action.rule} → ${action.action} at ${new Date(action.at).toISOString()}, saved ${formatUsd(action.savedUsd)}${action.falseKill ? ', false kill' : ''}`,
    }));
    return {
      instanceId: instance.instanceId,
      owner: instance.owner,
      instanceType: instance.instanceType,
      cells,
      actions,
    };
  });
  return { fromMs, bucketMinutes, buckets, rows, total: result.instances.length };
}

function cellColour(value: number): string {
  return value >= 0 ? BAND_COLOURS[bandOf(value)] : BAND_COLOURS.off;
}

/** One row as runs of equal colour (far fewer elements than one per cell). */
function rowCells(row: UtilizationRow, x0: number, y: number, width: number, height: number): string {
  const parts: string[] = [];
  let start = 0;
  for (let bucket = 1; bucket <= row.cells.length; bucket++) {
    const colour = cellColour(row.cells[start]!);
    if (bucket < row.cells.length && cellColour(row.cells[bucket]!) === colour) continue;
    parts.push(el('rect', { x: x0 + start * width, y, width: (bucket - start) * width, height, fill: colour }));
    start = bucket;
  }
  return parts.join('');
}

/**
 * The heatmap as an `<svg id="chart-utilization">`.
 *
 * @example utilizationSvg(utilizationGrid(histories, result))
 */
function utilizationSvg(grid: UtilizationGrid): string {
  const labelWidth = 250;
  const cell = Math.max(1, Math.min(8, Math.floor(760 / Math.max(1, grid.buckets))));
  const rowHeight = 14;
  const top = 44;
  const width = labelWidth + grid.buckets * cell + 20;
  const height = top + grid.rows.length * rowHeight + 16;
  const perDay = 1_440 / grid.bucketMinutes;
  const days = grid.buckets / perDay;
  const dayStep = days > 31 ? 7 : days > 10 ? 2 : 1;
  const axis: string[] = [];
  for (let day = 0; day * perDay < grid.buckets; day += dayStep) {
    const x = labelWidth + day * perDay * cell;
    const date = new Date(grid.fromMs + day * 86_400_000).toISOString().slice(5, 10);
    axis.push(el('line', { x1: x, x2: x, y1: top - 4, y2: height - 14, stroke: '#c9ced6', 'stroke-width': 0.5 }));
    axis.push(label(x + 2, top - 6, date, { 'font-size': 9, fill: '#666' }));
  }
  const rows = grid.rows.map((row, index) => {
    const y = top + index * rowHeight;
    const name = `${row.instanceId} ${row.owner ?? ''}`.trim();
    const marks = row.actions.map((action) => {
      const x = labelWidth + (action.bucket + 0.5) * cell;
      const points = `${x - 4},${y - 1} ${x + 4},${y - 1} ${x},${y + 6}`;
      return el('polygon', { points, fill: action.falseKill ? '#6b21a8' : '#111' }, title(action.text));
    });
    return el(
      'g',
      { class: 'utilization-row', 'data-instance': row.instanceId },
      title(`${row.instanceId} (${row.instanceType}) ${row.owner ?? 'no owner'}`) +
        label(4, y + 10, name.length > 40 ? `${name.slice(0, 39)}…` : name, { 'font-size': 10 }) +
        rowCells(row, labelWidth, y + 1, cell, rowHeight - 2) +
        marks.join(''),
    );
  });
  const heading = `GPU utilization over time per instance (${grid.rows.length} of ${grid.total}, ${grid.bucketMinutes}-minute buckets)`;
  const key = legend(labelWidth, 14, [
    [BAND_COLOURS.below5, 'below 5%'],
    [BAND_COLOURS.from5to30, '5–30%'],
    [BAND_COLOURS.above30, 'above 30%'],
    [BAND_COLOURS.off, 'no data (off)'],
    ['#111', 'action'],
    ['#6b21a8', 'false kill'],
  ]);
  return svg('chart-utilization', width, height, heading, key + axis.join('') + rows.join(''));
}

export type { UtilizationGrid, UtilizationRow };
export { utilizationGrid, utilizationSvg };
