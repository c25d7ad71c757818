/**
 * The pass summary: counts by outcome, and a region that could not be scanned counts as an error, so a failed scan
 * never reads as a clean, empty fleet.
 */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../shared/engine';

describe('the pass summary', () => {
  it('counts each region not scanned as an error, even with no decision at all', () => {
    expect(summarize([], 2)).toEqual({ scanned: 0, kept: 0, warned: 0, acted: 0, skipped: 0, notified: 0, errors: 2 });
  });

  it('adds unscanned regions to the decisions that ended in error', () => {
    expect(summarize([{ outcome: 'error' }, { outcome: 'keep' }], 1)).toMatchObject({ scanned: 2, kept: 1, errors: 2 });
  });
});
