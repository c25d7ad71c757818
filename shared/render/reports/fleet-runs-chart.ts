/**
 * The fleet page's costliest runs: a bar per run, as long as its spend, split into the share of its minutes the GPUs
 * were busy (green) and the rest (red), with its instance, type, owner, spend, busy share and start–end written
 * beside it, so the colours are never the only way to read it.
 */
import { instant, share } from '../../engine/format';
import type { FleetRun } from '../../report/fleet-audit-types';
import { BAND_COLOURS, el, label, legend, svg, title } from '../backtest/backtest-svg';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';

/** `Dec 2 10:00 UTC – Dec 4 03:30 UTC`, or `… – still running` (instants as {@link instant} writes them). */
function runSpan(run: FleetRun, to: Date): string {
  const start = instant(new Date(run.start), to);
  return `${start} – ${run.end === null ? 'still running' : instant(new Date(run.end), to)}`;
}

/** The run's busy share as a whole percent, clamped to 0–100% (a share is 0–1). */
function busyText(run: FleetRun): string {
  return `${share(Math.min(1, Math.max(0, run.busyShare)))} busy`;
}

/**
 * The runs, costliest first, `<svg id="chart-runs">`, one `<g class="run">` each.
 *
 * @param to the audit's end: instants on its UTC day show the time alone
 * @example runsSvg(audit.runs, new Date(audit.to))
 */
function runsSvg(runs: readonly FleetRun[], to: Date): string {
  const left = 160;
  const barWidth = 400;
  const row = 38;
  const max = Math.max(0, ...runs.map((run) => run.spendUsd));
  const scale = max > 0 ? barWidth / max : 0;
  const body = runs.map((run, i) => {
    const y = 30 + i * row;
    const width = Math.max(run.spendUsd > 0 ? 2 : 0, run.spendUsd * scale);
    const busy = width * Math.min(1, Math.max(0, run.busyShare));
    const owner = run.owner === null ? 'no owner' : cleanText(run.owner, 48);
    const name = run.tags.Name ? ` (${cleanText(run.tags.Name, 48)})` : '';
    const headline = `${formatUsd(run.spendUsd)} · ${busyText(run)}`;
    const text = left + width + 8;
    return el(
      'g',
      { class: 'run', 'data-instance': run.instanceId },
      title(`${run.instanceId}${name}, ${run.instanceType}, ${owner}: ${headline}, ${runSpan(run, to)}`) +
        label(0, y + 12, cleanText(run.instanceId, 24), { 'font-weight': 'bold', fill: '#1d2430' }) +
        label(0, y + 26, cleanText(run.instanceType, 24), { fill: '#5c6673', 'font-size': 10 }) +
        el('rect', { x: left, y: y + 2, width: busy, height: 26, fill: BAND_COLOURS.above30 }) +
        el('rect', { x: left + busy, y: y + 2, width: width - busy, height: 26, fill: BAND_COLOURS.below5 }) +
        label(text, y + 12, headline, { 'font-weight': 'bold', fill: '#1d2430' }) +
        label(text, y + 26, `${owner} · ${runSpan(run, to)}`, { fill: '#5c6673', 'font-size': 10 }),
    );
  });
  const keys = [
    [BAND_COLOURS.above30, 'share of its minutes the GPUs were busy (at or above idle.threshold)'],
    [BAND_COLOURS.below5, 'the rest'],
  ] as const;
  const heading = `${runs.length === 1 ? 'The one run' : `The ${runs.length} costliest runs`}: spend and busy share`;
  return svg(
    'chart-runs',
    left + barWidth + 440,
    30 + runs.length * row,
    heading,
    legend(left, 14, keys) + body.join(''),
  );
}

export { busyText, runSpan, runsSvg };
