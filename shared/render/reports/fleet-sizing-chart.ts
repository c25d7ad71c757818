/**
 * The fleet page's right-sizing: each suggestion drawn as its GPUs (the most ever busy at once filled), the type and
 * the smaller type suggested, and the weekly saving; and the instances that could not be judged, in words. Only a
 * suggestion: gpu-reaper never resizes anything.
 */
import { plural } from '../../engine/format';
import type { RightSizing, RightSizingUnjudged } from '../../report/fleet-audit-types';
import { BAND_COLOURS, el, escapeHtml, label, legend, svg, title } from '../backtest/backtest-svg';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';

/** GPUs drawn per suggestion; a bigger count is written, not drawn. */
const MAX_DRAWN = 16;
/** A GPU the instance never needed: grey, visible on white and in print. */
const IDLE_GPU = '#c3c9d1';

/** `1 of 4 GPUs ever busy at once`. */
function busyGpus(item: RightSizing): string {
  return `${item.gpusEverBusy} of ${plural(item.gpus, 'GPU')} ever busy at once`;
}

/** A row of squares, one per GPU, the first `busy` filled. */
function gpuSquares(gpus: number, busy: number, x: number, y: number): string {
  const drawn = Math.min(gpus, MAX_DRAWN);
  return Array.from({ length: drawn }, (_, i) =>
    el('rect', {
      x: x + i * 20,
      y,
      width: 16,
      height: 16,
      rx: 3,
      fill: i < busy ? BAND_COLOURS.above30 : IDLE_GPU,
    }),
  ).join('');
}

/**
 * The suggestions, largest saving first, `<svg id="chart-right-sizing">`, one `<g class="right-sizing">` each.
 *
 * @param weeklyUsd what they would save together in a week (its title says it)
 * @example rightSizingSvg(audit.rightSizing, rightSizingTotal(audit))
 */
function rightSizingSvg(items: readonly RightSizing[], weeklyUsd: number): string {
  const left = 20 + MAX_DRAWN * 20 * 0.5;
  const row = 46;
  const body = items.map((item, i) => {
    const y = 32 + i * row;
    const change = `${cleanText(item.instanceType, 24)} → ${cleanText(item.suggestedType, 24)}`;
    const saving = `saves ${formatUsd(item.weeklySavingUsd)}/week`;
    const squares = gpuSquares(item.gpus, item.gpusEverBusy, 0, y + 2);
    return el(
      'g',
      { class: 'right-sizing', 'data-instance': item.instanceId },
      title(`${item.instanceId}: ${change}, ${busyGpus(item)}, ${saving}`) +
        (item.gpus > MAX_DRAWN ? label(0, y + 14, `${item.gpus} GPUs`) : squares) +
        label(left, y + 12, change, { 'font-weight': 'bold', 'font-size': 13, fill: '#1d2430' }) +
        label(left, y + 28, `${cleanText(item.instanceId, 24)} · ${busyGpus(item)}`, { fill: '#5c6673' }) +
        label(left + 400, y + 12, saving, {
          'font-weight': 'bold',
          'font-size': 13,
          fill: '#1d2430',
          'text-anchor': 'end',
        }),
    );
  });
  const keys = [
    [BAND_COLOURS.above30, 'a GPU busy at the busiest minute'],
    [IDLE_GPU, 'a GPU never needed at the same time'],
  ] as const;
  return svg(
    'chart-right-sizing',
    left + 420,
    32 + items.length * row,
    `Right-sizing: ${plural(items.length, 'suggestion')}, ${formatUsd(weeklyUsd)} a week`,
    legend(0, 14, keys) + body.join(''),
  );
}

/** The instances that could not be judged, as an HTML list in words (empty string when there are none). */
function unjudgedList(items: readonly RightSizingUnjudged[]): string {
  if (items.length === 0) return '';
  const lines = items.map(
    (item) =>
      `<li><b>${escapeHtml(item.instanceId)}</b> (${escapeHtml(cleanText(item.instanceType, 24))}, ` +
      `${escapeHtml(plural(item.gpus, 'GPU'))}): ${escapeHtml(cleanText(item.reason, 200).replace(/\.$/, ''))}.</li>`,
  );
  const heading = `${plural(items.length, 'multi-GPU instance')} could not be judged (no per-GPU telemetry):`;
  return `<p class="unjudged">${escapeHtml(heading)}</p><ul class="unjudged">${lines.join('')}</ul>`;
}

export { busyGpus, rightSizingSvg, unjudgedList };
