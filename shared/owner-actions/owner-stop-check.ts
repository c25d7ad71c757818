/**
 * The re-check of an owner's "stop it now", on the instance's fresh facts right before the stop: only what may
 * forbid a stop counts (opt-out, another system managing it, stop protection); whether the GPUs are idle does not,
 * since the owner asked. No telemetry is read for an owner's answer, and the evidence of its events says so
 * (`telemetryRead: false`) rather than show empty readings. Pure: the clock comes in as `now`.
 */
import type { Config } from '../config';
import { type Decision, decideInstance, type Evidence, type InstanceFacts } from '../engine';

/** Rules that keep the reaper's hands off an instance, whoever asks. */
const HANDS_OFF = new Set(['opt-out', 'managed-by-asg', 'managed-by-service']);

/** The telemetry of an owner's answer: none read (the owner, not the GPUs, decides). */
const NOT_READ = (now: Date) => ({
  status: 'missing' as const,
  source: 'none' as const,
  points: [],
  from: now,
  to: now,
  sinceLaunchMax: null,
});

/** What the engine puts in evidence from the telemetry; an owner's event read none, so it carries none of it. */
const TELEMETRY_KEYS = [
  'window',
  'datapoints',
  'coverage',
  'maxUtilization',
  'threshold',
  'minCoverage',
  'telemetryGap',
];

/**
 * The evidence of an owner's event: the instance's facts (launch, runtime, GPUs, deadlines), none of the readings
 * a pass would have made, and `telemetryRead: false` so messages say "not read" rather than "no data".
 */
function unreadEvidence(evidence: Evidence): Evidence {
  const kept: Record<string, unknown> = { ...evidence };
  for (const key of TELEMETRY_KEYS) delete kept[key];
  return { ...(kept as Evidence), idleMinutes: null, idleUsd: null, telemetryRead: false };
}

/**
 * The decision the act step carries out: `asked` (outcome `act`) when nothing forbids the stop; the engine's
 * `skip` when the instance is opted out or managed (the act step then clears the warning); rule `protected` when
 * stop protection is on (the act step records `SKIPPED`, as for the reaper's own stops).
 *
 * @example ownerStopCheck(asked, { ...fresh, protection: { stop: true, termination: false } }, config, now).rule
 *   // 'protected'
 */
function ownerStopCheck(asked: Decision, fresh: InstanceFacts, config: Config, now: Date): Decision {
  const again = decideInstance({ instance: fresh, telemetry: NOT_READ(now), warning: null }, config, now);
  if (again.outcome === 'skip' && again.rule !== null && HANDS_OFF.has(again.rule)) {
    return { ...again, action: null, reason: `not stopped: ${again.reason}`, evidence: unreadEvidence(again.evidence) };
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

export { NOT_READ, ownerStopCheck, unreadEvidence };
