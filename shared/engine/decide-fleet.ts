/**
 * One pass over the fleet: every instance decided alone, then the two fleet-wide safety nets (docs/rules.md). A
 * telemetry outage (GPU telemetry missing for more than half of the fleet) holds back idle and never-used, since a
 * metrics outage is not idleness; and at most `maxActionsPerPass` instances are acted on, the rest next pass.
 */
import type { Config } from '../config/schema';
import { type BrakeReads, braked, brakeOf, brakeReads, type TelemetryBrake } from './brake';
import { decideInstance, type InstanceInput } from './decide-instance';
import type { Decision } from './types';

/** What a pass decides for its fleet. */
interface FleetDecision {
  /** One decision per input, in input order. */
  readonly decisions: readonly Decision[];
  readonly brake: TelemetryBrake;
  /** Actions held back by `maxActionsPerPass`. */
  readonly capped: number;
  /**
   * Instances not read this pass whose reading could change what the brake holds back: a pass that can read reads
   * them (at least the first `fewest`) and decides again. Empty when the brake is settled.
   */
  readonly brakeReads: BrakeReads;
}

/** An action this pass will not really attempt: done already (or recorded as would-act in dry-run). */
function alreadyActed(decision: Decision): boolean {
  const change = decision.warningChange;
  return change.kind === 'act' && change.warning.phase === 'acted';
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
  return {
    ...limitFleet(decisions, config, brake),
    brake,
    brakeReads: brakeReads(inputs, decisions, brake, config, now),
  };
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

export type { BrakeReads, FleetDecision, TelemetryBrake };
export { decideFleet, limitFleet };
