/**
 * The telemetry-outage brake (docs/rules.md): when more than half of the instances that have a listed series have no
 * datapoint in the idle window, idle and never-used do not act in that pass, since a metrics outage is not idleness.
 *
 * A pass that skips reading busy instances (see read-schedule.ts) still brakes exactly as reading every pass would:
 * an unread instance counts as having telemetry, which holds while its last busy minute is inside the idle window.
 * With `idle` off its next read can be hours later, so the minute falls out of the window and its reading could
 * show an outage. Reading all of those every pass would undo the schedule; instead `brakeReads` names them only when
 * their reading can change a decision (an idle or never-used warning or action is on the table and what they could
 * show tips the brake either way), and then only as many as can settle it.
 */
import type { Config } from '../config/schema';
import type { InstanceInput } from './decide-instance';
import { policyOf } from './policy';
import { busyInWindowUntil } from './read-schedule';
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

/**
 * Unread instances whose reading could still change what the brake holds back, oldest busy minute first. Reading
 * the first `fewest` settles the brake when they all have data; reading all of them always does.
 */
interface BrakeReads {
  readonly ids: readonly string[];
  readonly fewest: number;
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

const NO_READS: BrakeReads = { ids: [], fewest: 0 };

function counts(input: InstanceInput, decision: Decision | undefined): boolean {
  return input.telemetry.status !== 'missing' && !OUT_OF_REACH.has(decision?.rule ?? null);
}

function telemetryMissing(input: InstanceInput, idleWindowMs: number, now: Date): boolean {
  const { telemetry } = input;
  // Not read this pass because its last reading was busy: it has data while that minute is in the window, and
  // `brakeReads` has it read where that no longer holds and could matter.
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
  const counted = inputs.filter((input, index) => counts(input, decisions[index]));
  const missing = counted.filter((input) => telemetryMissing(input, idleWindowMs, now)).length;
  return { engaged: missing * 2 > counted.length, missing, scanned: counted.length };
}

function wouldBrake(decision: Decision): boolean {
  const acts = decision.outcome === 'warn' || decision.outcome === 'act';
  return acts && decision.rule !== null && BRAKED_RULES.includes(decision.rule);
}

/**
 * The unread instances to read before the brake can be trusted, given the decisions before the brake. Each may
 * turn out to have no datapoint in the window (or no listed series, which takes it out of the count): the verdict
 * above, which counts them as having data, is the one that favours acting, so reads are needed only when it does not
 * already engage, something would act, and enough of them going silent would engage it.
 */
function brakeReads(
  inputs: readonly InstanceInput[],
  decisions: readonly Decision[],
  brake: TelemetryBrake,
  config: Config,
  now: Date,
): BrakeReads {
  if (brake.engaged || !decisions.some(wouldBrake)) return NO_READS;
  const open = inputs.flatMap((input, index) => {
    const { telemetry } = input;
    if (telemetry.status !== 'unread' || !counts(input, decisions[index])) return [];
    const until = telemetry.nextReadAt ? busyInWindowUntil(telemetry.nextReadAt, config) : null;
    if (until !== null && now < until) return [];
    return [{ id: input.instance.instanceId, until: until?.getTime() ?? Number.NEGATIVE_INFINITY }];
  });
  if ((brake.missing + open.length) * 2 <= brake.scanned) return NO_READS;
  // Oldest busy minute first: those are due soonest anyway, so reading them now costs the schedule least.
  open.sort((a, b) => a.until - b.until || a.id.localeCompare(b.id));
  // Left unread, at most this many can stay unknown without tipping the brake.
  const spare = Math.floor((brake.scanned - 2 * brake.missing) / 2);
  return { ids: open.map(({ id }) => id), fewest: open.length - spare };
}

/** An idle or never-used warning or action, held back by an engaged brake (a metrics outage is not idleness). */
function braked(decision: Decision, brake: TelemetryBrake): Decision {
  if (!wouldBrake(decision)) return decision;
  return {
    ...decision,
    outcome: 'skip',
    warningChange: { kind: 'none' },
    reason:
      `held back: GPU telemetry is missing for ${brake.missing} of ${brake.scanned} instances, and a metrics outage ` +
      `is not idleness (${decision.reason})`,
  };
}

export type { BrakeReads, TelemetryBrake };
export { braked, brakeOf, brakeReads };
