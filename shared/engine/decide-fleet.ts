/**
 * One pass over the fleet: every instance decided alone, then the two fleet-wide safety nets (docs/rules.md). A
 * telemetry outage (GPU telemetry missing for more than half of the fleet) holds back idle and never-used, since a
 * metrics outage is not idleness; and at most `maxActionsPerPass` instances are acted on, the rest next pass.
 */
import type { Config } from '../config/schema';
import { decideInstance, type InstanceInput } from './decide-instance';
import { policyOf } from './policy';
import { floorToMinute, windowStats } from './telemetry';
import type { Decision, RuleName } from './types';

/** The telemetry-outage brake of one pass. */
interface TelemetryBrake {
  /** Whether idle and never-used were held back this pass. */
  readonly engaged: boolean;
  /** Instances without GPU telemetry (not `ok`, or no datapoint in the idle window). */
  readonly missing: number;
  readonly scanned: number;
}

/** What a pass decides for its fleet. */
interface FleetDecision {
  /** One decision per input, in input order. */
  readonly decisions: readonly Decision[];
  readonly brake: TelemetryBrake;
  /** Actions held back by `maxActionsPerPass`. */
  readonly capped: number;
}

/** Rules whose evidence is the telemetry itself, so an outage must not let them act. */
const BRAKED_RULES: readonly RuleName[] = ['idle', 'never-used'];

/**
 * Rules that keep an instance out of the reaper's reach whatever its telemetry: such instances cannot tip the brake
 * either way, or two cheap opted-out instances without an agent would shield an idle expensive one.
 */
const OUT_OF_REACH: ReadonlySet<RuleName | null> = new Set([
  'opt-out',
  'snoozed',
  'managed-by-asg',
  'managed-by-service',
]);

function telemetryMissing(input: InstanceInput, idleWindowMs: number, now: Date): boolean {
  const { telemetry } = input;
  // Not read this pass because its last reading was busy: it had data, and no outage can make it act.
  if (telemetry.status === 'unread') return false;
  if (telemetry.status !== 'ok') return true;
  const windowEnd = floorToMinute(now.getTime());
  return windowStats(telemetry.points, new Date(windowEnd - idleWindowMs), new Date(windowEnd)).datapoints === 0;
}

/**
 * The brake counts the instances that have a listed series (one that never published is no sign of an outage) and
 * are within the reaper's reach; it engages when more than half of them have no datapoint in the idle window.
 */
function brakeOf(
  inputs: readonly InstanceInput[],
  decisions: readonly Decision[],
  config: Config,
  now: Date,
): TelemetryBrake {
  const { idleWindowMs } = policyOf(config);
  const counted = inputs.filter(
    (input, index) => input.telemetry.status !== 'missing' && !OUT_OF_REACH.has(decisions[index]?.rule ?? null),
  );
  const missing = counted.filter((input) => telemetryMissing(input, idleWindowMs, now)).length;
  return { engaged: missing * 2 > counted.length, missing, scanned: counted.length };
}

/** An action this pass will not really attempt: done already (or recorded as would-act in dry-run). */
function alreadyActed(decision: Decision): boolean {
  const change = decision.warningChange;
  return change.kind === 'act' && change.warning.phase === 'acted';
}

function braked(decision: Decision, brake: TelemetryBrake): Decision {
  const acts = decision.outcome === 'warn' || decision.outcome === 'act';
  if (!acts || decision.rule === null || !BRAKED_RULES.includes(decision.rule)) return decision;
  return {
    ...decision,
    outcome: 'skip',
    warningChange: { kind: 'none' },
    reason:
      `held back: GPU telemetry is missing for ${brake.missing} of ${brake.scanned} instances, and a metrics outage ` +
      `is not idleness (${decision.reason})`,
  };
}

function capped(decision: Decision, limit: number): Decision {
  return {
    ...decision,
    outcome: 'skip',
    rule: 'capped',
    warningChange: { kind: 'none' },
    reason: `held back to the next pass: at most ${limit} actions per pass (maxActionsPerPass) (${decision.reason})`,
  };
}

/**
 * Decides for every input, then applies the telemetry-outage brake and the per-pass action cap. Inputs should be
 * in scope already (see `isInScope`); each gets exactly one decision, in input order.
 *
 * @example
 * const { decisions, brake, capped } = decideFleet(inputs, config, new Date());
 * summarize(decisions); // { scanned: 12, kept: 9, warned: 2, acted: 1, … }
 */
function decideFleet(inputs: readonly InstanceInput[], config: Config, now: Date): FleetDecision {
  const decisions = inputs.map((input) => decideInstance(input, config, now));
  const brake = brakeOf(inputs, decisions, config, now);
  return { ...limitFleet(decisions, config, brake), brake };
}

/**
 * The two fleet-wide safety nets over one pass's decisions: the telemetry-outage brake, then the action cap.
 * The live pass and the backtest's replay share it, so a backtest holds back exactly what a real pass would.
 */
function limitFleet(
  decisions: readonly Decision[],
  config: Config,
  brake: TelemetryBrake,
): { decisions: Decision[]; capped: number } {
  const checked = brake.engaged ? decisions.map((decision) => braked(decision, brake)) : [...decisions];
  // Earliest due first, then by id, so the same fleet always keeps the same actions.
  const acting = checked
    .map((decision, index) => ({ decision, index }))
    .filter(({ decision }) => decision.outcome === 'act' && !alreadyActed(decision))
    .sort(
      (a, b) =>
        String(a.decision.actAt).localeCompare(String(b.decision.actAt)) ||
        a.decision.instanceId.localeCompare(b.decision.instanceId),
    );
  const held = new Set(acting.slice(config.maxActionsPerPass).map(({ index }) => index));
  return {
    decisions: checked.map((decision, index) =>
      held.has(index) ? capped(decision, config.maxActionsPerPass) : decision,
    ),
    capped: held.size,
  };
}

export type { FleetDecision, TelemetryBrake };
export { decideFleet, limitFleet };
