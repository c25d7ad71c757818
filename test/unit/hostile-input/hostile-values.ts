/**
 * Tag values an owner (or an attacker with `ec2:CreateTags`) can set, and the checks every place that shows them
 * must pass. Tag values are at most 256 characters in EC2; the engine is also fed longer ones, since it must not rely
 * on that limit.
 */

/** `[label, value]` pairs: none of them is a valid duration, instant, action or `warned` value, and none is `false`. */
const HOSTILE_VALUES: readonly (readonly [string, string])[] = [
  ['256 characters', 'x'.repeat(256)],
  ['100,000 characters', 'y'.repeat(100_000)],
  ['emoji cut at the limit', `a${'😀'.repeat(80)}`],
  ['right-to-left override', '\u202egnp.exe\u202c 36h'],
  ['zero-width and BOM', '36\u200bh\ufeff'],
  ['NUL and control characters', 'a\u0000b\u0007c\u001b[31mred'],
  ['forged lines', 'stop\r\nSubject: you won\r\nBcc: eve@example.com'],
  ['unicode separators', 'stop\u2028terminate\u2029'],
  ['SQL injection', "'; DROP TABLE audit; --"],
  ['shell injection', '$(rm -rf /)`reboot`'],
  ['HTML', '<script>alert(document.cookie)</script>'],
  ['JSON-breaking quotes', '"},"outcome":"act","x":{"'],
  ['backslashes', '\\u0000\\"\\n'],
  ['near-valid duration with junk', '36h\u0000; rm -rf /'],
  ['lone surrogate', 'bad\ud800text'],
];

/** The reaper's tags, without the prefix; `opt-out` is handled apart (any value but `false` opts out). */
const PARSED_TAGS = ['max-runtime', 'expires-at', 'snooze-until', 'action', 'warned'] as const;

/**
 * What no text shown to people may contain: C0 controls but `\n`, DEL and C1, bidi controls, zero-width
 * characters, line/paragraph separators, the BOM.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/** An unpaired UTF-16 surrogate: not Unicode text, and `encodeURIComponent` (SNS's query protocol) throws on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * `text` with every unpaired surrogate replaced by U+FFFD, as it arrives from AWS: EC2 answers in UTF-8, so a tag
 * read through the SDK is always well-formed (only the engine's own cutting could split a pair, which `clip` avoids).
 */
function wellFormed(text: string): string {
  return text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd');
}

/** Printable ASCII only, as SNS wants a `Subject`. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The length in code points (an emoji counts once). */
function codePoints(text: string): number {
  return Array.from(text).length;
}

/**
 * The quoted value after `<tag>=` in a reason (`tag gpu-reaper:action="…" ignored`), decoded; `undefined` when the
 * reason does not quote the tag.
 */
function quotedValue(reason: string, tag: string): string | undefined {
  const at = reason.indexOf(`${tag}="`);
  if (at < 0) return undefined;
  const rest = reason.slice(at + tag.length + 1);
  const match = /^"(?:[^"\\]|\\.)*"/.exec(rest);
  return match ? (JSON.parse(match[0]) as string) : undefined;
}

export { codePoints, HOSTILE_VALUES, LONE_SURROGATE, PARSED_TAGS, PRINTABLE_ASCII, quotedValue, UNSAFE, wellFormed };
