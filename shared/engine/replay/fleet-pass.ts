/**
 * One replayed pass for the instances that need the engine: the engine's input built from the history (launch =
 * start of the current running stretch, telemetry = the last `lookbackMs` minutes), `decideInstance` for each, then
 * the two fleet-wide safety nets, shared with `decideFleet` through `limitFleet` (telemetry-outage brake,
 * `maxActionsPerPass`).
 *
 * `decideFleet` itself is not called because the replay asks the engine only for the
 * instances where a rule could act (see pass-view.ts) while the brake counts the whole running fleet: `scanned` and
 * `missing` come in as fleet-wide counts.
 */
import type { Config } from '../../config/schema';
import { limitFleet } from '../decide-fleet';
import { decideInstance, type InstanceInput } from '../decide-instance';
import { hostReadFrom } from '../host-window';
import type { Decision, GpuPoint, HostPoint, HostSamples, InstanceFacts, WarningState } from '../types';
import type { InstanceHistory } from './types';

const MINUTE_MS = 60_000;

/** One instance the pass asks the engine about. */
interface PassCandidate {
  readonly history: InstanceHistory;
  /** Minute index of the current stretch's first minute. */
  readonly stretchStart: number;
  /** GPU maximum over `[stretchStart, pass)`, `NaN` when none. */
  readonly sinceStartMax: number;
  /** Minutes with data in the stretch before the telemetry window, agent start-up excluded. @default 0 */
  readonly sinceStartCovered?: number;
  readonly warning: WarningState | null;
}

/** The pass: its clock, minute index, and the fleet-wide counts of the telemetry brake. */
interface PassClock {
  readonly fromMs: number;
  readonly minute: number;
  readonly lookbackMs: number;
  readonly scanned: number;
  readonly missing: number;
}

/**
 * The host metrics a live pass would have read at this pass: from `hostReadFrom` to the window's end; `undefined`
 * when the history has none or no read would start (host activity off, a young or opted-out instance).
 */
function hostSlice(
  history: InstanceHistory,
  instance: InstanceFacts,
  clock: PassClock,
  config: Config | undefined,
): HostSamples | undefined {
  if (history.host === undefined || config === undefined) return undefined;
  const start = hostReadFrom(instance, config, new Date(clock.fromMs + clock.minute * MINUTE_MS));
  if (start === null) return undefined;
  const { cpu, networkBytes } = history.host;
  const points: HostPoint[] = [];
  const first = Math.max(0, Math.ceil((start.getTime() - clock.fromMs) / MINUTE_MS));
  for (let minute = first; minute < clock.minute; minute++) {
    const cpuMax = cpu[minute] as number;
    const bytes = networkBytes[minute] as number;
    if (!(cpuMax >= 0) && !(bytes >= 0)) continue;
    const at = clock.fromMs + minute * MINUTE_MS;
    points.push({ at, cpuMax: cpuMax >= 0 ? cpuMax : null, networkBytes: bytes >= 0 ? bytes : null });
  }
  return { status: points.length > 0 ? 'ok' : 'missing', points, from: start };
}

/**
 * The engine's input for one instance at one pass, as a live pass would have read it: running since the start of
 * its stretch, `ok` roll-up telemetry of the last `lookbackMs`, and the warning the replay keeps.
 *
 * @example decideInstance(engineInput(candidate, clock), config, now)
 */
function engineInput(candidate: PassCandidate, clock: PassClock, config?: Config): InstanceInput {
  const { history, stretchStart } = candidate;
  const nowMs = clock.fromMs + clock.minute * MINUTE_MS;
  const first = Math.max(0, clock.minute - Math.floor(clock.lookbackMs / MINUTE_MS));
  const points: GpuPoint[] = [];
  for (let minute = first; minute < clock.minute; minute++) {
    const value = history.minutes[minute] as number;
    if (value >= 0) points.push({ at: clock.fromMs + minute * MINUTE_MS, max: value });
  }
  const launchMs = clock.fromMs + stretchStart * MINUTE_MS;
  const telemetryFromMs = nowMs - clock.lookbackMs;
  const instance: InstanceFacts = {
    instanceId: history.instanceId,
    region: history.region ?? 'unknown',
    accountId: null,
    instanceType: history.instanceType,
    state: 'running',
    launchTime: new Date(launchMs),
    tags: history.tags,
    gpu: { hasGpu: true, count: 1, source: 'instance-types' },
    rootDeviceType: 'ebs',
    spot: null,
  };
  const peak = candidate.sinceStartMax;
  const host = hostSlice(history, instance, clock, config);
  return {
    instance,
    telemetry: {
      ...(host ? { host } : {}),
      status: 'ok',
      source: 'instance-rollup',
      points,
      from: new Date(telemetryFromMs),
      to: new Date(nowMs),
      // Like the live read: a since-launch maximum only when the launch is older than the window.
      sinceLaunchMax: launchMs < telemetryFromMs && peak >= 0 ? peak : null,
      sinceLaunchCovered: candidate.sinceStartCovered ?? 0,
    },
    warning: candidate.warning,
  };
}

/**
 * Decides one replayed pass for `candidates`, in order, with the brake and the cap of `decideFleet`.
 *
 * @example replayPass(candidates, config, { fromMs, minute: 120, lookbackMs: 3_600_000, scanned: 40, missing: 0 })
 */
function replayPass(candidates: readonly PassCandidate[], config: Config, clock: PassClock): Decision[] {
  const now = new Date(clock.fromMs + clock.minute * MINUTE_MS);
  const decisions = candidates.map((candidate) => decideInstance(engineInput(candidate, clock, config), config, now));
  // The brake counts the whole running fleet, not only the candidates the engine was asked about.
  const brake = { engaged: clock.missing * 2 > clock.scanned, missing: clock.missing, scanned: clock.scanned };
  return limitFleet(decisions, config, brake).decisions;
}

export type { PassCandidate, PassClock };
export { engineInput, replayPass };
