/**
 * Many target passes as one: what `plan` and `run` print for an invocation that covered several accounts and
 * regions. One pass id for the invocation (each target's own stays in `targets`), decisions and events side by
 * side, regions the union, and every target that failed counted as one error, named with its account.
 */
import { newPassId } from '../pass-id';
import type { Recovered } from '../recover-pending';
import type { RunPassResult } from '../run-pass';
import type { PassResult, RegionFailure } from '../types';
import type { TargetResult } from './run-target';

/** One target as the JSON document lists it. */
interface TargetStatus {
  readonly accountId: string;
  readonly region: string;
  readonly status: 'ok' | 'error';
  /** What went wrong; `null` when the target is ok. */
  readonly error: string | null;
  /** The target's own pass id (its audit items carry it); `null` when no pass started. */
  readonly passId: string | null;
  /** The target's mode (overrides may set it per account). `null` when no pass started. */
  readonly mode: PassResult['mode'] | null;
}

/** The combined passes, shaped like one `run` pass, plus the targets. */
interface CombinedPasses extends PassResult {
  readonly targets: readonly TargetStatus[];
  readonly events: RunPassResult['events'];
  readonly errors: number;
  readonly recovered: Recovered;
  readonly deferred: readonly string[];
}

const isRun = (result: PassResult): result is RunPassResult => 'events' in result;

/** The failure a target without a scanned region counts as: its region, its account and why. */
function targetFailure(outcome: TargetResult): RegionFailure {
  return {
    region: outcome.target.region,
    code: 'TARGET',
    message: `account ${outcome.target.accountId}: ${outcome.error ?? 'failed'}`,
  };
}

/**
 * Combines target results into one pass.
 *
 * @param mode the base config's mode (each target's own is in `targets`)
 * @example combineTargets(await runTargetPasses(targets, edges, 'plan'), now, config.mode).summary
 */
function combineTargets(outcomes: readonly TargetResult[], now: Date, mode: PassResult['mode']): CombinedPasses {
  const results = outcomes.flatMap((outcome) => (outcome.result ? [outcome.result] : []));
  const runs = results.filter(isRun);
  const regionFailures = outcomes.flatMap((outcome) =>
    outcome.status === 'error'
      ? outcome.result && outcome.result.regionFailures.length > 0
        ? outcome.result.regionFailures.map((failure) => ({
            ...failure,
            message: `account ${outcome.target.accountId}: ${failure.message}`,
          }))
        : [targetFailure(outcome)]
      : [],
  );
  const notStarted = outcomes.filter((outcome) => !outcome.result).length;
  return {
    passId: newPassId(now),
    mode,
    now,
    regions: [...new Set(outcomes.map((outcome) => outcome.target.region))].sort(),
    decisions: results.flatMap((result) => result.decisions),
    regionFailures,
    telemetryBrake: results.some((result) => result.telemetryBrake),
    capped: results.reduce((sum, result) => sum + result.capped, 0),
    unmatchedSeries: results.reduce((sum, result) => sum + (result.unmatchedSeries ?? 0), 0),
    events: runs.flatMap((result) => result.events),
    errors: runs.reduce((sum, result) => sum + result.errors, 0) + notStarted,
    recovered: {
      actions: runs.reduce((sum, result) => sum + result.recovered.actions, 0),
      notifications: runs.reduce((sum, result) => sum + result.recovered.notifications, 0),
    },
    deferred: runs.flatMap((result) => result.deferred),
    targets: outcomes.map((outcome) => ({
      accountId: outcome.target.accountId,
      region: outcome.target.region,
      status: outcome.status,
      error: outcome.error ?? null,
      passId: outcome.result?.passId ?? null,
      mode: outcome.result?.mode ?? null,
    })),
  };
}

export type { CombinedPasses, TargetStatus };
export { combineTargets };
