/** The pass summary of SPEC.md's JSON output: how many decisions ended in each outcome. */
import type { Decision } from './types';

/** Counts of a pass's decisions by outcome; `scanned` is all of them. */
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
 * @example summarize(decisions) // { scanned: 3, kept: 1, warned: 1, acted: 0, skipped: 1, notified: 0, errors: 0 }
 */
function summarize(decisions: readonly Pick<Decision, 'outcome'>[]): Summary {
  const counts = { scanned: decisions.length, kept: 0, warned: 0, acted: 0, skipped: 0, notified: 0, errors: 0 };
  for (const decision of decisions) counts[FIELD[decision.outcome]] += 1;
  return counts;
}

export type { Summary };
export { summarize };
