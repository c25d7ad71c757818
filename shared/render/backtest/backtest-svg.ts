/**
 * Small pieces for the backtest page's inline SVG: escaping, elements, axes, and the colours of the utilization
 * bands. Everything is drawn here, by hand: the page must open offline, with no script, font or stylesheet fetched.
 */
import { escapeHtml } from '../text/html-escape';

/** Colours of the bands (and of "not running"), shared by the heatmap, the spend chart and their legends. */
const BAND_COLOURS = {
  below5: '#d6453d',
  from5to30: '#f0a830',
  above30: '#2e9d5b',
  unknown: '#9aa3ad',
  off: '#eef0f3',
} as const;

/** One colour per sweep window (cycled). */
const SERIES_COLOURS = ['#3b6fd8', '#8c54c9', '#1f9aa8', '#c8577d', '#6b8e23'] as const;

type Attributes = Readonly<Record<string, string | number | undefined>>;

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeHtml(typeof value === 'number' ? round(value) : value)}"`)
    .join('');
}

/** Numbers in SVG need no more than two decimals. */
function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** An element with escaped attributes; `children` is markup already built (or escaped text). */
function el(name: string, attrs: Attributes, children = ''): string {
  return children === '' && name !== 'text' && name !== 'title'
    ? `<${name}${attributes(attrs)}/>`
    : `<${name}${attributes(attrs)}>${children}</${name}>`;
}

/** A `<title>` (the tooltip and the accessible name), from untrusted text. */
function title(text: string): string {
  return el('title', {}, escapeHtml(text));
}

/** A text label from untrusted text. */
function label(x: number, y: number, text: string, attrs: Attributes = {}): string {
  return el('text', { x, y, 'font-size': 11, fill: '#333', ...attrs }, escapeHtml(text));
}

/** An `<svg>` with an id, a title, a role and its view box. */
function svg(id: string, width: number, height: number, heading: string, body: string): string {
  const attrs = { id, xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}` };
  return el('svg', { ...attrs, role: 'img', 'font-family': 'sans-serif' }, `${title(heading)}${body}`);
}

/** A legend: coloured squares with their names, in one row from `(x, y)`. */
function legend(x: number, y: number, entries: readonly (readonly [string, string])[]): string {
  let at = x;
  return entries
    .map(([colour, name]) => {
      const part = el('rect', { x: at, y: y - 9, width: 10, height: 10, fill: colour }) + label(at + 14, y, name);
      at += 24 + name.length * 6.2;
      return part;
    })
    .join('');
}

/** A "nice" axis maximum at or above `value` (1, 2 or 5 times a power of ten). */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((step) => step * power >= value) ?? 10) * power;
}

/** Money for a chart label: `$1.2k`, `$340`, `$4.50`. */
function shortUsd(usd: number): string {
  if (usd >= 1_000_000) return `$${(usd / 1_000_000).toFixed(1)}M`;
  if (usd >= 10_000) return `$${(usd / 1_000).toFixed(0)}k`;
  if (usd >= 1_000) return `$${(usd / 1_000).toFixed(1)}k`;
  return usd >= 100 ? `$${usd.toFixed(0)}` : `$${usd.toFixed(2)}`;
}

export { BAND_COLOURS, el, escapeHtml, label, legend, niceMax, SERIES_COLOURS, shortUsd, svg, title };
