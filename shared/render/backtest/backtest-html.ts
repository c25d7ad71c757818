/**
 * The backtest as one self-contained HTML page (`backtest --html FILE`): summary, utilization heatmap, spend by
 * band, savings vs false kills per threshold, and the tables. No script, font or stylesheet is fetched (a Content
 * Security Policy forbids it), so the file opens offline; every instance-provided string is escaped.
 */
import { percent, plural } from '../../engine/format';
import type { BacktestResult, InstanceHistory, SweepRow } from '../../engine/replay/types';
import { formatUsd } from '../text/money';
import { spendByBandSvg, sweepSvg } from './backtest-charts';
import { actionRows, instanceLabel, neverUsedInstances, shareText, wasteByOwner } from './backtest-summary';
import { escapeHtml } from './backtest-svg';
import { utilizationGrid, utilizationSvg } from './backtest-utilization';

/** What the page says about the run. */
interface HtmlContext {
  readonly days: number;
  readonly regions: readonly string[];
  readonly policy: string;
  /** Rows of the heatmap. @default 40 */
  readonly maxRows?: number;
}

/** The page's stylesheet (inline): the fleet report's page builds on it. */
const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1200px;color:#1d2430;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e3e6ea;padding-bottom:4px}
.muted{color:#5c6673}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #e3e6ea;border-radius:8px;padding:10px 14px;min-width:150px}.card b{display:block;font-size:20px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border-bottom:1px solid #eceef1;padding:4px 10px;text-align:left}
th{background:#f6f7f9}td.num{text-align:right;font-variant-numeric:tabular-nums}.chart{overflow-x:auto}`;

/** An HTML table of escaped cells; the columns listed in `numeric` align right. */
function table(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  numeric: number[] = [],
): string {
  const th = head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function cards(result: BacktestResult): string {
  const { fleet } = result;
  const items: [string, string][] = [
    ['GPU instances', String(fleet.instances)],
    ['Spend', formatUsd(fleet.spendUsd)],
    [
      'Spent below 5% GPU',
      `${formatUsd(fleet.spendByBand.below5)} (${shareText(fleet.spendByBand.below5, fleet.spendUsd)})`,
    ],
    ['Never used', String(fleet.neverUsed)],
    ['Policy actions', `${fleet.actions} (${plural(fleet.warnings, 'warning')})`],
    ['Would have saved', formatUsd(fleet.savedUsd)],
    ['False kills', String(fleet.falseKills)],
  ];
  return `<div class="cards">${items.map(([name, value]) => `<div class="card">${escapeHtml(name)}<b>${escapeHtml(value)}</b></div>`).join('')}</div>`;
}

function sections(result: BacktestResult, sweep: readonly SweepRow[]): string[] {
  const owners = wasteByOwner(result).slice(0, 20);
  const never = neverUsedInstances(result).slice(0, 50);
  const actions = actionRows(result);
  const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [
    '<h2>Top wasters by owner</h2><p class="muted">Spend while the GPU maximum stayed below 5%.</p>',
    table(
      ['Owner', 'Instances', 'Spend < 5%', 'Spend', 'Wasted', 'Never used'],
      owners.map((o) => [
        o.owner ?? '(no owner)',
        o.instances,
        formatUsd(o.below5Usd),
        formatUsd(o.spendUsd),
        shareText(o.below5Usd, o.spendUsd),
        o.neverUsed,
      ]),
      [1, 2, 3, 4, 5],
    ),
    `<h2>Never used (${result.fleet.neverUsed})</h2>`,
    table(
      ['Instance', 'Type', 'Owner', 'Spend', 'GPU max'],
      never.map((i) => [
        instanceLabel(i),
        i.instanceType,
        i.owner ?? '-',
        formatUsd(i.spendUsd),
        percent(i.maxUtilization ?? 0),
      ]),
      [3, 4],
    ),
    `<h2>What the policy would have done (${plural(actions.length, 'action')})</h2>`,
    table(
      ['At', 'Instance', 'Owner', 'Rule', 'Action', 'Saved', 'False kill'],
      actions
        .slice(0, 200)
        .map((a) => [
          at(a.at),
          instanceLabel(a.instance),
          a.instance.owner ?? '-',
          a.rule,
          a.action,
          formatUsd(a.savedUsd),
          a.falseKill ? 'yes' : '',
        ]),
      [5],
    ),
    actions.length > 200 ? `<p class="muted">First 200 of ${actions.length} actions, most money first.</p>` : '',
    '<h2>Threshold sweep</h2><p class="muted">False kills are judged at the configured idle.threshold in every row.</p>',
    table(
      ['idle.threshold', 'idle.window', 'Actions', 'Saved', 'False kills', ''],
      sweep.map((r) => [
        `${r.threshold}%`,
        r.window,
        r.actions,
        formatUsd(r.savedUsd),
        r.falseKills,
        r.configured ? 'configured' : '',
      ]),
      [2, 3, 4],
    ),
  ];
}

/**
 * Renders the page.
 *
 * @param histories the replayed histories (the heatmap reads their minutes)
 * @param sweep the sweep rows (computed for the page even without `--sweep`)
 * @example writeFileSync('backtest.html', renderBacktestHtml(result, histories, rows, { days: 14, regions, policy }))
 */
function renderBacktestHtml(
  result: BacktestResult,
  histories: readonly InstanceHistory[],
  sweep: readonly SweepRow[],
  context: HtmlContext,
): string {
  const grid = utilizationGrid(histories, result, { maxRows: context.maxRows ?? 40 });
  const capped =
    grid.rows.length < grid.total
      ? `<p class="muted">Showing the ${grid.rows.length} instances that spent the most, of ${grid.total}.</p>`
      : '';
  const period = `${result.from.toISOString()} to ${result.to.toISOString()}`;
  const body = [
    '<h1>gpu-reaper backtest</h1>',
    `<p class="muted">${escapeHtml(`${plural(context.days, 'day')}, ${period}, regions ${context.regions.join(', ')}`)}<br>${escapeHtml(`Policy: ${context.policy}`)}</p>`,
    cards(result),
    '<h2>GPU utilization over time</h2>',
    capped,
    `<div class="chart">${utilizationSvg(grid)}</div>`,
    '<h2>Spend by utilization band</h2>',
    `<div class="chart">${spendByBandSvg(result.fleet)}</div>`,
    '<h2>Savings vs false kills per threshold</h2>',
    `<div class="chart">${sweepSvg(sweep)}</div>`,
    ...sections(result, sweep),
  ].join('\n');
  const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gpu-reaper backtest ${escapeHtml(period)}</title><style>${STYLE}</style></head>
<body>
${body}
</body></html>
`;
}

export type { HtmlContext };
export { renderBacktestHtml, STYLE, table };
