/**
 * The money side of a replay (docs/json-output.md): what an action saved (the spend of the rest of its running
 * stretch), whether it was a false kill (a minute at or above the busy threshold within the next 6 hours of the same
 * stretch), and the per-instance and fleet totals.
 */
import { bandsUsd, minutesUsd, type SpendProfile } from './stretches';
import type { FleetBacktest, InstanceBacktest, InstanceHistory, ReplayAction, SpendByBand, SweepRow } from './types';

/** How far after an action a busy minute makes it a false kill. */
const FALSE_KILL_HORIZON_MINUTES = 6 * 60;
const MINUTE_MS = 60_000;

/** An action as the pass loop records it, before its money is known. */
interface RawAction {
  readonly minute: number;
  readonly stretch: number;
  readonly rule: ReplayAction['rule'];
  readonly action: ReplayAction['action'];
}

/**
 * What an action at `minute` saved and whether it was a false kill.
 *
 * @example actionOutcome(history, profile, raw, 5, fromMs) // { at, rule: 'idle', …, savedUsd: 12.5, falseKill: false }
 */
function actionOutcome(
  history: InstanceHistory,
  profile: SpendProfile,
  raw: RawAction,
  busyThreshold: number,
  fromMs: number,
): ReplayAction {
  const end = profile.stretches.ends[raw.stretch]!;
  const horizon = Math.min(end, raw.minute + FALSE_KILL_HORIZON_MINUTES);
  let falseKill = false;
  for (let minute = raw.minute; minute < horizon && !falseKill; minute++) {
    falseKill = (history.minutes[minute] as number) >= busyThreshold;
  }
  return {
    at: fromMs + raw.minute * MINUTE_MS,
    rule: raw.rule,
    action: raw.action,
    savedUsd: minutesUsd(end - raw.minute, history.hourlyUsd),
    falseKill,
  };
}

/** One instance's backtest from its history, profile, warnings and actions. */
function instanceBacktest(
  history: InstanceHistory,
  profile: SpendProfile,
  neverUsedThreshold: number,
  warnings: number,
  actions: readonly ReplayAction[],
): InstanceBacktest {
  const spendByBand = bandsUsd(profile.minutes, history.hourlyUsd);
  return {
    instanceId: history.instanceId,
    name: history.tags.Name || null,
    instanceType: history.instanceType,
    owner: history.owner,
    region: history.region ?? 'unknown',
    hourlyUsd: history.hourlyUsd,
    spendUsd: minutesUsd(profile.runningMinutes, history.hourlyUsd),
    spendByBand,
    runningMinutes: profile.runningMinutes,
    stretches: profile.stretches.count,
    maxUtilization: profile.max,
    // Never reached the threshold in the whole history; an instance without any datapoint never ran here at all.
    neverUsed: profile.max !== null && profile.max < neverUsedThreshold,
    warnings,
    actions,
  };
}

function addBands(a: SpendByBand, b: SpendByBand): SpendByBand {
  return {
    below5: a.below5 + b.below5,
    from5to30: a.from5to30 + b.from5to30,
    above30: a.above30 + b.above30,
    unknown: a.unknown + b.unknown,
  };
}

/** Fleet totals of per-instance backtests. */
function fleetBacktest(instances: readonly InstanceBacktest[]): FleetBacktest {
  let spendByBand: SpendByBand = { below5: 0, from5to30: 0, above30: 0, unknown: 0 };
  let spendUsd = 0;
  let savedUsd = 0;
  let actions = 0;
  let falseKills = 0;
  let warnings = 0;
  for (const instance of instances) {
    spendByBand = addBands(spendByBand, instance.spendByBand);
    spendUsd += instance.spendUsd;
    warnings += instance.warnings;
    actions += instance.actions.length;
    for (const action of instance.actions) {
      savedUsd += action.savedUsd;
      if (action.falseKill) falseKills += 1;
    }
  }
  return {
    instances: instances.length,
    spendUsd,
    spendByBand,
    neverUsed: instances.filter((instance) => instance.neverUsed).length,
    warnings,
    actions,
    savedUsd,
    falseKills,
    unpriced: instances.filter((instance) => instance.hourlyUsd === null).length,
  };
}

/** A sweep row from a fleet's totals. */
function sweepRow(threshold: number, window: string, fleet: FleetBacktest, configured: boolean): SweepRow {
  return {
    threshold,
    window,
    actions: fleet.actions,
    savedUsd: fleet.savedUsd,
    falseKills: fleet.falseKills,
    configured,
  };
}

export type { RawAction };
export { actionOutcome, FALSE_KILL_HORIZON_MINUTES, fleetBacktest, instanceBacktest, sweepRow };
