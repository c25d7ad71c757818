/**
 * The re-check of an owner's "stop it now", on the instance's fresh facts right before the stop: only what may
 * forbid a stop counts (opt-out, another system managing it, stop protection); whether the GPUs are idle does not,
 * since the owner asked. Pure: the clock comes in as `now`.
 */
import type { Config } from '../config';
import { type Decision, decideInstance, type InstanceFacts } from '../engine';

/** Rules that keep the reaper's hands off an instance, whoever asks. */
const HANDS_OFF = new Set(['opt-out', 'managed-by-asg', 'managed-by-service']);

/**
 * The decision the act step carries out: `asked` (outcome `act`) when nothing forbids the stop; the engine's
 * `skip` when the instance is opted out or managed (the act step then clears the warning); rule `protected` when
 * stop protection is on (the act step records `SKIPPED`, as for the reaper's own stops).
 *
 * @example ownerStopCheck(asked, { ...fresh, protection: { stop: true, termination: false } }, config, now).rule
 *   // 'protected'
 */
function ownerStopCheck(asked: Decision, fresh: InstanceFacts, config: Config, now: Date): Decision {
  const telemetry = { status: 'missing' as const, source: 'none' as const, points: [], from: now, to: now };
  const again = decideInstance(
    { instance: fresh, telemetry: { ...telemetry, sinceLaunchMax: null }, warning: null },
    config,
    now,
  );
  if (again.outcome === 'skip' && again.rule !== null && HANDS_OFF.has(again.rule)) {
    return { ...again, action: null, reason: `not stopped: ${again.reason}` };
  }
  if (fresh.protection?.stop === true) {
    return {
      ...asked,
      outcome: 'skip',
      rule: 'protected',
      actAt: null,
      reason: `${asked.reason}; not stopped: stop protection is on`,
      evidence: { ...asked.evidence, protection: fresh.protection },
    };
  }
  return asked;
}

export { ownerStopCheck };
