/**
 * The few ways the engine writes numbers, times and untrusted values into reasons, so every reason reads alike; the
 * tables and reports use the same numbers, percentages and plurals for everything a person reads.
 */
import { formatDuration } from '../config/durations';

/** Longest tag value quoted back in a reason or problem: tag values are owner-controlled and may be hostile. */
const MAX_QUOTED = 64;

/**
 * Characters a quoted value must not carry into a reason: C0/C1 controls and DEL (forged lines, terminal escapes),
 * bidi embeddings/overrides/isolates and zero-width characters (disguised text), line/paragraph separators, the BOM,
 * and unpaired surrogates (not Unicode text at all; some encoders throw on them).
 */
const UNSAFE_QUOTED =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here.
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Shortens an untrusted value for quoting: at most {@link MAX_QUOTED} characters (code points, so an emoji is never
 * cut in half), then `…`; every unsafe character (see {@link UNSAFE_QUOTED}) becomes `\ufffd`.
 *
 * @example clip('x'.repeat(300)).length // 65
 * @example clip('a\u202eb') // 'a\ufffdb'
 */
function clip(value: string): string {
  // Beyond 2 × MAX_QUOTED UTF-16 units there are more than MAX_QUOTED code points: no need to split it all.
  const long = value.length > 2 * MAX_QUOTED;
  const points = Array.from(long ? value.slice(0, 2 * MAX_QUOTED) : value);
  const kept = long || points.length > MAX_QUOTED ? `${points.slice(0, MAX_QUOTED).join('')}…` : value;
  return kept.replace(UNSAFE_QUOTED, '\ufffd');
}

/** A number as people read it: at most one decimal, no trailing `.0` (`6.5`, `24`, `1.9975` → `2`). */
function decimal(value: number): string {
  return String(Number(value.toFixed(1)));
}

/** A percentage as people read it: at most one decimal, no trailing `.0` (`2.1%`, `5%`). */
function percent(value: number): string {
  return `${decimal(value)}%`;
}

/**
 * A count and its noun, singular only for exactly 1 (`1 day`, `2 days`, `0 false kills`, `1.5 hours`); the count is
 * written as {@link decimal} does.
 *
 * @param many the plural when it is not `word` + `s` @default `${word}s`
 * @example plural(1, 'false kill') // '1 false kill'
 * @example plural(3, 'day') // '3 days'
 */
function plural(count: number, word: string, many = `${word}s`): string {
  return `${decimal(count)} ${count === 1 ? word : many}`;
}

/** The highest GPU utilization of a window, or `no data` when it has no datapoint. */
function peak(max: number | null): string {
  return max === null ? 'no data' : percent(max);
}

/** A 0–1 share as a whole percentage (`0.9667` → `97%`). */
function share(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** How far `at` is from `now`, in words: `in 30m`, `25m ago`, `now` (within a minute). */
function relative(at: Date, now: Date): string {
  const ms = at.getTime() - now.getTime();
  if (Math.abs(ms) < 60_000) return 'now';
  return ms > 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * An instant as people read it, in UTC and labelled so (owners sit in every time zone): `14:57 UTC` on the same UTC
 * day as `now`, `Nov 29 14:57 UTC` on another day, `Jan 2 2027 09:05 UTC` in another year. Built by hand from the
 * UTC fields, so it never depends on the host's locale or time zone.
 *
 * @example instant(new Date('2025-06-02T14:57:31Z'), new Date('2025-06-02T09:00:00Z')) // '14:57 UTC'
 * @example instant(new Date('2025-11-29T14:57:00Z'), new Date('2025-11-28T23:00:00Z')) // 'Nov 29 14:57 UTC'
 */
function instant(at: Date, now: Date): string {
  if (Number.isNaN(at.getTime())) return 'an unknown time';
  const time = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')} UTC`;
  const sameYear = at.getUTCFullYear() === now.getUTCFullYear();
  if (sameYear && at.getUTCMonth() === now.getUTCMonth() && at.getUTCDate() === now.getUTCDate()) return time;
  const day = `${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()}`;
  return sameYear ? `${day} ${time}` : `${day} ${at.getUTCFullYear()} ${time}`;
}

/** An instant with its distance from now: `14:57 UTC (in 30m)`, `Nov 29 14:57 UTC (in 1d)` (see {@link instant}). */
function when(at: Date, now: Date): string {
  return `${instant(at, now)} (${relative(at, now)})`;
}

export { clip, decimal, instant, MAX_QUOTED, peak, percent, plural, relative, share, when };
