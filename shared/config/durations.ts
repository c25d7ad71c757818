/**
 * Durations as people write them in config and tags: `90s`, `90m`, `36h`, `3d`, `2w`, or combined (`1h30m`).
 *
 * Kept pure (no clock, no I/O) so the engine, the config schema and the infra can all share it.
 */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type DurationUnit = keyof typeof UNIT_MS;

const DURATION_PATTERN = /^(?:\d+[smhdw])+$/;
const PART_PATTERN = /(\d+)([smhdw])/g;

/**
 * Parses a duration such as `90m` or `1d12h` into milliseconds.
 *
 * @returns the duration in ms, or `undefined` when the text is not a duration (callers decide what that means).
 * @example parseDuration('36h') // 129_600_000
 */
function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!DURATION_PATTERN.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART_PATTERN)) {
    total += Number(amount) * UNIT_MS[unit as DurationUnit];
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Formats milliseconds as the shortest readable duration: `0m`, `45m`, `1h30m`, `3d4h`.
 *
 * Rounds down to whole minutes below a day, whole hours at a day or more: this is for people, not arithmetic.
 */
function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0m';
  const minutes = Math.floor(ms / UNIT_MS.m);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days}d${hours}h` : `${days}d`;
  if (hours > 0) return mins > 0 ? `${hours}h${mins}m` : `${hours}h`;
  return `${mins}m`;
}

export { formatDuration, parseDuration };
