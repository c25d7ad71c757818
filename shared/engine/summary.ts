/** The pass summary of the JSON output: how many decisions ended in each outcome. */
import type { Decision } from './types';

/** Counts of a pass's decisions by outcome; `scanned` is all of them, `errors` adds the regions not scanned. */
interface Summary {
  readonly scanned: number;
  readonly kept: number;
  readonly warned: number;
  readonly acted: number;
  readonly skipped: number;
  readonly notified: number;
  readonly errors: number;
}

const FIELD = {
  keep: 'kept',
  warn: 'warned',
  act: 'acted',
  skip: 'skipped',
  notify: 'notified',
  error: 'errors',
} as const satisfies Record<Decision['outcome'], keyof Summary>;

/**
 * Summarizes a pass's decisions.
 *
 * A region that could not be scanned is an error too: its instances are absent from the decisions, so without it
 * a failed scan would read as an empty, healthy fleet.
 *
 * @param regionsNotScanned how many regions failed their scan @default 0
 * @example summarize(decisions) // { scanned: 3, kept: 1, warned: 1, acted: 0, skipped: 1, notified: 0, errors: 0 }
 * @example summarize([], 2).errors // 2
 */
function summarize(decisions: readonly Pick<Decision, 'outcome'>[], regionsNotScanned = 0): Summary {
  const counts = {
    scanned: decisions.length,
    kept: 0,
    warned: 0,
    acted: 0,
    skipped: 0,
    notified: 0,
    errors: regionsNotScanned,
  };
  for (const decision of decisions) counts[FIELD[decision.outcome]] += 1;
  return counts;
}

export type { Summary };
export { summarize };
