/**
 * The fleet page's budgets: each team's spend of the month as a bar against its budget (the 100% line and the
 * warning share marked), and in words beside it, so an over-budget team reads as such without the colour.
 */
import { budgetLevel } from '../../engine/budget';
import { share } from '../../engine/format';
import type { FleetBudget } from '../../report/fleet-audit-types';
import { BAND_COLOURS, el, label, svg, title } from '../backtest/backtest-svg';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';

/** How far past its budget a bar is drawn (then it is cut, and its words still say the share). */
const MAX_DRAWN_SHARE = 1.5;
const UNDER = '#3b6fd8';

/** `$9,120.40 of $10,000.00 (91%), past the 80% warning` / `…, over budget`. */
function budgetText(entry: FleetBudget, warnAt: number): string {
  const level = budgetLevel(entry, warnAt);
  const words = level === 'over' ? ', over budget' : level === 'warn' ? `, past the ${share(warnAt)} warning` : '';
  return `${formatUsd(entry.monthUsd)} of ${formatUsd(entry.budgetUsd)} (${share(entry.share)})${words}`;
}

/**
 * The teams' month to date against their budgets, `<svg id="chart-budgets">`, one `<g class="budget">` each.
 *
 * @param warnAt the share of a budget past which its owners are warned (`budgets.warnAt`)
 * @example budgetsSvg(audit.budgets ?? [], 0.8)
 */
function budgetsSvg(entries: readonly FleetBudget[], warnAt: number): string {
  const left = 160;
  const full = 320;
  const row = 36;
  // Room for the longest bar drawn, and never less than the whole budget.
  const track = full * Math.min(MAX_DRAWN_SHARE, Math.max(1, ...entries.map((entry) => entry.share)));
  const body = entries.map((entry, i) => {
    const y = 12 + i * row;
    const level = budgetLevel(entry, warnAt);
    const fill = level === 'over' ? BAND_COLOURS.below5 : level === 'warn' ? BAND_COLOURS.from5to30 : UNDER;
    const width = Math.min(MAX_DRAWN_SHARE, Math.max(0, entry.share)) * full;
    const team = cleanText(entry.team, 24) || '(empty)';
    return el(
      'g',
      { class: 'budget', 'data-team': team },
      title(`${team}: ${budgetText(entry, warnAt)}`) +
        label(0, y + 15, team, { 'font-weight': 'bold', 'font-size': 12, fill: '#1d2430' }) +
        el('rect', { x: left, y, width: full, height: 22, fill: '#eef0f3' }) +
        el('rect', { x: left, y, width, height: 22, fill }) +
        el('line', {
          x1: left + warnAt * full,
          x2: left + warnAt * full,
          y1: y - 3,
          y2: y + 25,
          stroke: '#5c6673',
          'stroke-dasharray': '3 2',
        }) +
        el('line', { x1: left + full, x2: left + full, y1: y - 3, y2: y + 25, stroke: '#1d2430', 'stroke-width': 2 }) +
        label(left + track + 12, y + 15, budgetText(entry, warnAt), { fill: '#1d2430', 'font-size': 12 }),
    );
  });
  const foot = 12 + entries.length * row;
  const keys =
    label(left + warnAt * full, foot + 10, `${share(warnAt)} warning`, {
      'text-anchor': 'middle',
      fill: '#5c6673',
      'font-size': 10,
    }) + label(left + full, foot + 22, '100% of budget', { 'text-anchor': 'middle', fill: '#1d2430', 'font-size': 10 });
  return svg(
    'chart-budgets',
    left + track + 360,
    foot + 28,
    'Budgets this month: spend against budget per team',
    body.join('') + keys,
  );
}

export { budgetsSvg, budgetText };
