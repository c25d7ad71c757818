/**
 * What each pass of a replay sees of one instance, computed once per instance and policy so the pass loop does
 * O(1) work per running instance: the stretch it is in, the GPU maximum since that stretch started, and two flags.
 *
 * `CANDIDATE` is set when an acting rule could hold at that pass (the engine is then asked for the full decision);
 * when it is clear, no rule can warn or act: idle needs a window with no minute at or above `idle.threshold`,
 * never-used a run with no minute at or above `neverUsed.threshold`, max-runtime and expired their warning time.
 * These are necessary conditions of the rules in shared/engine/rules, so skipping the engine there changes nothing
 * but the time taken (an instance with a pending warning is always asked, whatever its flags).
 */
import type { Config } from '../../config/schema';
import { policyOf } from '../policy';
import { lookbackMs } from '../scope';
import { readTags } from '../tags';
import { AGENT_START_MS } from '../telemetry';
import type { Stretches } from './stretches';
import type { MinuteSeries } from './types';

const MINUTE_MS = 60_000;
/** An acting rule could hold: ask the engine. */
const CANDIDATE = 1;
/** No datapoint in the idle window: counts toward the telemetry-outage brake. */
const MISSING = 2;

/** Per pass: the stretch index (−1: not running), the flags, and the GPU maximum since the stretch began. */
interface PassView {
  readonly stretchAt: Int32Array;
  readonly flags: Uint8Array;
  /** Max over `[stretch start, pass)`; `NaN` when no datapoint yet. */
  readonly sinceStartMax: Float32Array;
  /**
   * Minutes with data in `[stretch start + the agent's start-up, pass − look-back)`: what a live pass's since-launch
   * read tells of the run's coverage before its telemetry window.
   */
  readonly sinceStartCovered: Int32Array;
}

/** The instance-independent numbers of a policy, in minutes and ms. */
interface ViewPolicy {
  readonly idleEnabled: boolean;
  readonly idleThreshold: number;
  readonly idleWindowMs: number;
  readonly neverUsedEnabled: boolean;
  readonly neverUsedThreshold: number;
  readonly neverUsedAfterMs: number;
  readonly warnAheadMs: number;
  readonly defaultMaxRuntimeMs: number | null;
}

/** Reusable prefix-count buffers (one pair for the whole fleet, grown as needed). */
interface Scratch {
  busy: Int32Array;
  data: Int32Array;
}

function viewPolicy(config: Config): ViewPolicy {
  const policy = policyOf(config);
  return {
    idleEnabled: config.idle.enabled,
    idleThreshold: config.idle.threshold,
    idleWindowMs: policy.idleWindowMs,
    neverUsedEnabled: config.neverUsed.enabled,
    neverUsedThreshold: config.neverUsed.threshold,
    neverUsedAfterMs: policy.neverUsedAfterMs,
    warnAheadMs: policy.warnAheadMs,
    defaultMaxRuntimeMs: config.maxRuntime.enabled ? policy.maxRuntimeDefaultMs : null,
  };
}

/** Prefix-count buffers for series of up to `length` minutes (grown by {@link passView} when too small). */
function newScratch(length: number): Scratch {
  return { busy: new Int32Array(length + 1), data: new Int32Array(length + 1) };
}

function fillPrefixes(minutes: MinuteSeries, threshold: number, scratch: Scratch): Scratch {
  const target = scratch.busy.length < minutes.length + 1 ? newScratch(minutes.length) : scratch;
  const { busy, data } = target;
  for (let minute = 0; minute < minutes.length; minute++) {
    const value = minutes[minute] as number;
    busy[minute + 1] = busy[minute]! + (value >= threshold && value >= 0 ? 1 : 0);
    data[minute + 1] = data[minute]! + (value >= 0 ? 1 : 0);
  }
  return target;
}

/**
 * Builds the pass view of one instance.
 *
 * @param passMinutes the minute index of every pass, ascending
 * @param fromMs epoch ms of minute 0
 * @returns the view, and the scratch buffers to hand to the next instance
 */
function passView(
  history: { readonly minutes: MinuteSeries; readonly tags: Readonly<Record<string, string>> },
  stretches: Stretches,
  passMinutes: Int32Array,
  fromMs: number,
  config: Config,
  scratch: Scratch,
): { view: PassView; scratch: Scratch } {
  const policy = viewPolicy(config);
  const { minutes } = history;
  const buffers = fillPrefixes(minutes, policy.idleThreshold, scratch);
  const tags = readTags(history.tags, config, new Date(fromMs));
  const limitMs = tags.maxRuntimeMs ?? policy.defaultMaxRuntimeMs;
  const expiresWarnMs = tags.expiresAt === null ? null : tags.expiresAt.getTime() - policy.warnAheadMs;
  const windowMinutes = Math.floor(policy.idleWindowMs / MINUTE_MS);
  const passes = passMinutes.length;
  const view = {
    stretchAt: new Int32Array(passes).fill(-1),
    flags: new Uint8Array(passes),
    sinceStartMax: new Float32Array(passes).fill(Number.NaN),
    sinceStartCovered: new Int32Array(passes),
  };
  const lookbackMinutes = Math.floor(lookbackMs(config) / MINUTE_MS);
  const agentStartMinutes = AGENT_START_MS / MINUTE_MS;
  let stretch = 0;
  let current = -1;
  let scanned = 0;
  let peak = Number.NaN;
  for (let pass = 0; pass < passes; pass++) {
    const minute = passMinutes[pass]!;
    while (stretch < stretches.count && stretches.ends[stretch]! <= minute) stretch++;
    if (stretch >= stretches.count || stretches.starts[stretch]! > minute) continue;
    const start = stretches.starts[stretch]!;
    if (current !== stretch) {
      current = stretch;
      scanned = start;
      peak = Number.NaN;
    }
    for (; scanned < minute; scanned++) {
      const value = minutes[scanned] as number;
      if (value >= 0 && !(value <= peak)) peak = value;
    }
    view.stretchAt[pass] = stretch;
    view.sinceStartMax[pass] = peak;
    const coveredFrom = Math.min(start + agentStartMinutes, minute);
    const coveredTo = Math.max(coveredFrom, minute - lookbackMinutes);
    view.sinceStartCovered[pass] = buffers.data[coveredTo]! - buffers.data[coveredFrom]!;
    const runningMs = (minute - start) * MINUTE_MS;
    const windowStart = Math.max(0, minute - windowMinutes);
    const busy = buffers.busy[minute]! - buffers.busy[windowStart]!;
    const data = buffers.data[minute]! - buffers.data[windowStart]!;
    const idle = policy.idleEnabled && runningMs > policy.idleWindowMs && busy === 0;
    const neverUsed =
      policy.neverUsedEnabled && runningMs > policy.neverUsedAfterMs && !(peak >= policy.neverUsedThreshold);
    const runtime = limitMs !== null && runningMs >= limitMs - policy.warnAheadMs;
    const expired = expiresWarnMs !== null && fromMs + minute * MINUTE_MS >= expiresWarnMs;
    view.flags[pass] = (idle || neverUsed || runtime || expired ? CANDIDATE : 0) | (data === 0 ? MISSING : 0);
  }
  return { view, scratch: buffers };
}

export type { PassView, Scratch };
export { CANDIDATE, MISSING, newScratch, passView };
