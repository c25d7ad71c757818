/**
 * Instants in reasons read as the headings do: UTC and labelled, the date only when it is not today, the year only
 * when it is not this year; formatted by hand, so no host locale or time zone changes them.
 */
import { describe, expect, it } from 'vitest';
import { instant, when } from '../../../shared/engine/format';

const NOW = new Date('2025-11-29T08:00:00Z');

describe('instants in reasons', () => {
  it.each([
    ['2025-11-29T14:57:42.123Z', '14:57 UTC'],
    ['2025-11-29T00:05:00Z', '00:05 UTC'],
    ['2025-11-30T09:05:00Z', 'Nov 30 09:05 UTC'],
    ['2025-01-02T23:59:00Z', 'Jan 2 23:59 UTC'],
    ['2026-01-02T09:05:00Z', 'Jan 2 2026 09:05 UTC'],
  ])('writes %s as %s', (iso, text) => {
    expect(instant(new Date(iso), NOW)).toBe(text);
  });

  it('adds how far the instant is from now', () => {
    expect(when(new Date('2025-11-29T08:30:00Z'), NOW)).toBe('08:30 UTC (in 30m)');
    expect(when(new Date('2025-11-28T20:00:00Z'), NOW)).toBe('Nov 28 20:00 UTC (12h ago)');
  });

  it('never prints NaN for an invalid date', () => {
    expect(instant(new Date('nope'), NOW)).toBe('an unknown time');
  });
});
