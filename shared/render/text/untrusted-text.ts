/**
 * Making values that owners control (tags, and reasons that quote them) safe to put in a message: no control
 * characters that could forge lines in an email or a log, no bidi overrides that could disguise text, bounded length.
 */

/** C0/C1 controls, DEL, bidi embeddings/overrides/isolates, zero-width and line/paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const ELLIPSIS = '...';

/** Cuts `text` to at most `max` code points (never halving a surrogate pair), marking the cut with `...`. */
function truncate(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, Math.max(0, max - ELLIPSIS.length)).join('')}${ELLIPSIS}`;
}

/**
 * One line of untrusted text: every control or invisible formatting character becomes a space, runs of whitespace
 * collapse, and the result is cut to `max` characters.
 *
 * @example cleanText('alice\r\nBcc: eve@x.io', 50) // 'alice Bcc: eve@x.io'
 */
function cleanText(value: unknown, max: number): string {
  const text = typeof value === 'string' ? value : String(value ?? '');
  return truncate(text.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim(), max);
}

/**
 * Text as SNS accepts it in a `Subject`: printable ASCII only (accents folded first: `é` → `e`, anything else
 * dropped), one line, at most `max` characters.
 */
function asciiLine(value: string, max: number): string {
  const folded = value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, ' ');
  return truncate(folded.replace(/\s+/g, ' ').trim(), max);
}

export { asciiLine, cleanText, truncate };
