/**
 * The pass's time budget: a Lambda stops starting new work when its remaining time gets short, so no instance is
 * left half-acted by a timeout. What it did not start is deferred to the next pass, most urgent work first, so a
 * fleet too large for one invocation is finished over passes.
 */
import type { Decision } from '../engine';

/** How much time the pass has left. */
interface TimeBudget {
  /** Milliseconds left (the Lambda's `context.getRemainingTimeInMillis`). */
  remainingMs(): number;
  /**
   * Stop starting new instances below this much time: enough for the ones in flight to finish their calls.
   * @default 30000
   */
  readonly reserveMs?: number;
}

/** Lower carries out first: due actions (oldest first), then cleared warnings, new warnings, notices, the rest. */
function urgency(decision: Decision): number {
  switch (decision.warningChange.kind) {
    case 'act':
      return 0;
    case 'clear':
      return 1;
    case 'warn':
      return 2;
    default:
      return decision.outcome === 'notify' || decision.outcome === 'error' ? 3 : 4;
  }
}

/** The decisions in the order a pass carries them out when time may run short. */
function byUrgency(decisions: readonly Decision[]): Decision[] {
  return [...decisions].sort(
    (a, b) =>
      urgency(a) - urgency(b) ||
      (a.actAt ?? '').localeCompare(b.actAt ?? '') ||
      a.instanceId.localeCompare(b.instanceId),
  );
}

/** True when the budget says to start nothing new. */
function isSpent(budget: TimeBudget | undefined): boolean {
  return budget !== undefined && budget.remainingMs() < (budget.reserveMs ?? 30_000);
}

/** How long a CLI pass (no budget) may keep splitting GetMetricData calls that timed out. */
const UNBUDGETED_READ_MS = 4 * 60_000;

/**
 * Until when (epoch ms) the pass's telemetry read may keep splitting calls that timed out: half of the time left
 * beyond the reserve (deciding and acting need the rest), at most 4 minutes; 4 minutes without a budget (the CLI).
 */
function readDeadline(budget: TimeBudget | undefined, nowMs = Date.now()): number {
  if (budget === undefined) return nowMs + UNBUDGETED_READ_MS;
  const spare = Math.max(0, budget.remainingMs() - (budget.reserveMs ?? 30_000));
  return nowMs + Math.min(UNBUDGETED_READ_MS, spare / 2);
}

/** A decision the pass did not carry out for lack of time: nothing happened, the next pass decides again. */
function deferred(decision: Decision): Decision {
  return {
    ...decision,
    executed: false,
    reason: `${decision.reason} (deferred: the pass ran short of time; the next pass carries it out)`,
  };
}

export type { TimeBudget };
export { byUrgency, deferred, isSpent, readDeadline };
