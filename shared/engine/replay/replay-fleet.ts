/**
 * The backtest replay (docs/json-output.md): one pass per schedule period over per-minute GPU history, with the same
 * engine as a live pass and the warning state a live pass would keep. After a replayed stop or terminate the
 * instance is off until its next running stretch; a new stretch is a new launch, so its warning state starts empty.
 * An instance already running at `from` counts as launched then: the history shows nothing earlier.
 *
 * Fast by construction: stretches, spend and per-pass flags are computed once per instance in typed arrays (see
 * pass-view.ts), the pass loop touches each running instance in O(1), and the engine is called only where a rule
 * could warn or act, or a warning is pending.
 */
import type { Config } from '../../config/schema';
import { isInScope, lookbackMs } from '../scope';
import type { WarningState } from '../types';
import { type PassCandidate, replayPass } from './fleet-pass';
import { CANDIDATE, MISSING, newScratch, type PassView, passView } from './pass-view';
import { actionOutcome, fleetBacktest, instanceBacktest, type RawAction } from './replay-result';
import { type SpendProfile, spendProfile } from './stretches';
import type { BacktestResult, InstanceHistory, ReplayOptions, ReplayWindow } from './types';

const MINUTE_MS = 60_000;

/** What a replay computes once and a sweep reuses: the in-scope histories, their profiles, the pass times. */
interface PreparedFleet {
  readonly histories: readonly InstanceHistory[];
  readonly profiles: readonly SpendProfile[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly scheduleMs: number;
  /** Minute index (from `fromMs`) of every pass. */
  readonly passMinutes: Int32Array;
}

/** Whether `scope.tags` admits the instance (every history has a GPU metric, so it has a GPU). */
function inScope(history: InstanceHistory, config: Config): boolean {
  return isInScope(
    {
      instanceId: history.instanceId,
      region: history.region ?? 'unknown',
      accountId: null,
      instanceType: history.instanceType,
      state: 'running',
      launchTime: new Date(0),
      tags: history.tags,
      gpu: { hasGpu: true, count: 1, source: 'instance-types' },
      rootDeviceType: 'ebs',
      spot: null,
    },
    config,
  );
}

function passMinutesOf(fromMs: number, toMs: number, scheduleMs: number): Int32Array {
  // Passes fall on multiples of the period (like a rate() schedule's steady rhythm), at whole minutes.
  const period = Math.max(MINUTE_MS, Math.round(scheduleMs / MINUTE_MS) * MINUTE_MS);
  const first = Math.ceil(fromMs / period) * period;
  const count = Math.max(0, Math.ceil((toMs - first) / period));
  const minutes = new Int32Array(count);
  for (let pass = 0; pass < count; pass++) minutes[pass] = (first + pass * period - fromMs) / MINUTE_MS;
  return minutes;
}

/** Profiles and pass times of the in-scope histories; the window's `from` is floored to the minute. */
function prepareFleet(histories: readonly InstanceHistory[], config: Config, window: ReplayWindow): PreparedFleet {
  const fromMs = Math.floor(window.from.getTime() / MINUTE_MS) * MINUTE_MS;
  const toMs = window.to.getTime();
  const kept = histories.filter((history) => inScope(history, config));
  return {
    histories: kept,
    profiles: kept.map((history) => spendProfile(history.minutes)),
    fromMs,
    toMs,
    scheduleMs: window.scheduleMs,
    passMinutes: passMinutesOf(fromMs, toMs, window.scheduleMs),
  };
}

/** The per-pass views of every instance, sharing one pair of scratch buffers. */
function viewsOf(prepared: PreparedFleet, config: Config): PassView[] {
  let scratch = newScratch(0);
  return prepared.histories.map((history, index) => {
    const built = passView(
      history,
      prepared.profiles[index]!.stretches,
      prepared.passMinutes,
      prepared.fromMs,
      config,
      scratch,
    );
    scratch = built.scratch;
    return built.view;
  });
}

/**
 * Replays a prepared fleet under `config` (the sweep calls this once per grid point).
 *
 * @example replayPrepared(prepareFleet(histories, config, window), config).fleet.savedUsd
 */
function replayPrepared(prepared: PreparedFleet, config: Config, options: ReplayOptions = {}): BacktestResult {
  const { histories, profiles, fromMs, passMinutes } = prepared;
  const views = viewsOf(prepared, config);
  const count = histories.length;
  const offStretch = new Int32Array(count).fill(-1);
  const warningStretch = new Int32Array(count).fill(-1);
  const warnings = new Int32Array(count);
  const pending: (WarningState | null)[] = new Array(count).fill(null);
  const actions: RawAction[][] = histories.map(() => []);
  const lookback = lookbackMs(config);
  let engineCalls = 0;
  for (let pass = 0; pass < passMinutes.length; pass++) {
    const minute = passMinutes[pass]!;
    const asked: number[] = [];
    const candidates: PassCandidate[] = [];
    let scanned = 0;
    let missing = 0;
    for (let index = 0; index < count; index++) {
      const view = views[index]!;
      const stretch = view.stretchAt[pass]!;
      if (stretch < 0 || offStretch[index] === stretch) continue;
      if (warningStretch[index] !== stretch) pending[index] = null;
      scanned += 1;
      const flags = view.flags[pass]!;
      if (flags & MISSING) missing += 1;
      if (!(flags & CANDIDATE) && pending[index] === null) continue;
      asked.push(index);
      candidates.push({
        history: histories[index]!,
        stretchStart: profiles[index]!.stretches.starts[stretch]!,
        sinceStartMax: view.sinceStartMax[pass]!,
        sinceStartCovered: view.sinceStartCovered[pass]!,
        warning: pending[index]!,
      });
    }
    if (candidates.length === 0) continue;
    engineCalls += candidates.length;
    const decisions = replayPass(candidates, config, { fromMs, minute, lookbackMs: lookback, scanned, missing });
    decisions.forEach((decision, position) => {
      const index = asked[position]!;
      const stretch = views[index]!.stretchAt[pass]!;
      const change = decision.warningChange;
      if (change.kind === 'warn') {
        pending[index] = change.warning;
        warningStretch[index] = stretch;
        warnings[index] = warnings[index]! + 1;
      } else if (change.kind === 'clear') {
        pending[index] = null;
      } else if (change.kind === 'act') {
        pending[index] = null;
        offStretch[index] = stretch;
        if (decision.rule !== null && (decision.action === 'stop' || decision.action === 'terminate')) {
          actions[index]!.push({ minute, stretch, rule: decision.rule, action: decision.action });
        }
      }
    });
  }
  const busyThreshold = options.busyThreshold ?? config.idle.threshold;
  const instances = histories.map((history, index) => {
    const profile = profiles[index]!;
    const done = actions[index]!.map((raw) => actionOutcome(history, profile, raw, busyThreshold, fromMs));
    return instanceBacktest(history, profile, config.neverUsed.threshold, warnings[index]!, done);
  });
  return {
    from: new Date(fromMs),
    to: new Date(prepared.toMs),
    scheduleMs: prepared.scheduleMs,
    fleet: fleetBacktest(instances),
    instances,
    stats: { passes: passMinutes.length, engineCalls },
  };
}

/**
 * Replays the configured policy over per-minute GPU history: one pass per `scheduleMs`, the same engine as a live
 * pass, and the documented definitions of spend, bands, never used, savings and false kills.
 *
 * @param histories one per instance; `minutes[0]` is the minute starting at `window.from`
 * @example
 * const result = replayFleet(histories, config, { from, to, scheduleMs: scheduleIntervalMs(config.schedule) });
 * result.fleet.spendByBand.below5; // dollars spent while the GPU stayed under 5 %
 * result.fleet.falseKills; // actions on instances that were busy again within 6 hours
 */
function replayFleet(
  histories: readonly InstanceHistory[],
  config: Config,
  window: ReplayWindow,
  options: ReplayOptions = {},
): BacktestResult {
  const prepared = prepareFleet(histories, config, window);
  const result = replayPrepared(prepared, config, options);
  if (!config.activity.host.enabled) return result;
  if (!histories.some((history) => history.host !== undefined))
    return { ...result, fleet: { ...result.fleet, heldByHost: null } };
  // The same history judged by the GPUs alone: its actions the host-aware replay did not take were held back.
  const gpuOnly = replayPrepared(
    prepared,
    { ...config, activity: { host: { ...config.activity.host, enabled: false } } },
    options,
  );
  return { ...result, fleet: { ...result.fleet, heldByHost: heldBack(result, gpuOnly) } };
}

/** GPU-only actions the host-aware replay did not take (by instance and time), and the false kills among them. */
function heldBack(withHost: BacktestResult, gpuOnly: BacktestResult): { actions: number; falseKills: number } {
  const taken = new Map(withHost.instances.map((row) => [row.instanceId, new Set(row.actions.map((a) => a.at))]));
  let actions = 0;
  let falseKills = 0;
  for (const row of gpuOnly.instances) {
    for (const action of row.actions) {
      if (taken.get(row.instanceId)?.has(action.at)) continue;
      actions += 1;
      if (action.falseKill) falseKills += 1;
    }
  }
  return { actions, falseKills };
}

export type { PreparedFleet };
export { prepareFleet, replayFleet, replayPrepared };
