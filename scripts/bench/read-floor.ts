/**
 * Benchmark (d): the read schedule against reading every pass. A seeded fleet (busy training runs, idle notebooks,
 * setups that die, restarts, agent gaps) is replayed over 14 days, one pass every 5 minutes, twice through the same
 * engine: once reading every running instance every pass, once reading only the instances due
 * (`nextTelemetryRead`) plus every instance with a pending warning. Every decision's outcome, rule and time is
 * compared, and the reads are counted against the floor: an idle or never-used candidate read every pass, a busy
 * instance once per min(idle.window, noTelemetry.after) after its last busy minute.
 */
import type { Config } from '../../shared/config/schema';
import {
  type Decision,
  decideFleet,
  type InstanceInput,
  lookbackMs,
  nextTelemetryRead,
  policyOf,
  unreadTelemetry,
  type WarningState,
} from '../../shared/engine';
import { engineInput, findStretches, type InstanceHistory, type Stretches } from '../../shared/engine/replay';
import { seededRandom } from './seeded-random';

const MINUTE_MS = 60_000;
const DAY = 1_440;

/** What the comparison found. */
interface ReadFloorResult {
  readonly instances: number;
  readonly days: number;
  readonly passes: number;
  /** Running instance-passes: what reading every pass reads. */
  readonly everyPass: number;
  /** Reads with the schedule. */
  readonly scheduled: number;
  /** The fewest reads that keep every decision: the oracle schedule from the history itself. */
  readonly floor: number;
  readonly decisions: number;
  /** Where the two ways differed, the first few. */
  readonly mismatches: readonly string[];
  readonly mismatchCount: number;
}

type Profile = 'training' | 'inference' | 'notebook' | 'died' | 'gappy';

/** Fills the 14 days of one instance (NaN: not running, or no datapoint). */
function historyOf(profile: Profile, minutes: number, next: () => number): Float32Array {
  const series = new Float32Array(minutes).fill(Number.NaN);
  const span = (start: number, length: number, level: () => number) => {
    for (let m = Math.max(0, start); m < Math.min(minutes, start + length); m++) series[m] = level();
  };
  for (let day = 0; day < minutes / DAY; day++) {
    const base = day * DAY + Math.floor(next() * 120);
    if (profile === 'training') {
      // A long run, restarted once; busy with short dips.
      span(base, 600, () => (next() < 0.03 ? 2 : 45 + next() * 50));
      span(base + 640, 300, () => 60 + next() * 35);
    } else if (profile === 'inference') {
      span(base, 1_300, () => (next() < 0.2 ? 3 : 20 + next() * 60));
    } else if (profile === 'notebook') {
      // Used for a while, then left idle for hours.
      span(base + 480, 90, () => 30 + next() * 60);
      span(base + 570, 240 + Math.floor(next() * 240), () => next() * 2);
    } else if (profile === 'died') {
      if (day % 3 === 0) span(base + 300, 150, () => next() * 1.5);
    } else {
      // Busy, with agent gaps of a few minutes (the stretch goes on: gaps under 15 minutes).
      span(base, 900, () => 50 + next() * 40);
      for (let gap = 0; gap < 12; gap++) {
        const at = base + Math.floor(next() * 900);
        for (let m = at; m < Math.min(minutes, at + 2 + Math.floor(next() * 8)); m++) series[m] = Number.NaN;
      }
    }
  }
  return series;
}

/** A fleet 65% busy: training, inference and gappy runs; the rest notebooks and setups that die. */
function seededFleet(count: number, days: number, seed = 14): InstanceHistory[] {
  const next = seededRandom(seed);
  const mix: readonly [Profile, number][] = [
    ['training', 0.3],
    ['inference', 0.2],
    ['gappy', 0.15],
    ['notebook', 0.2],
    ['died', 0.15],
  ];
  return Array.from({ length: count }, (_, index) => {
    const pick = next();
    let sum = 0;
    const profile =
      mix.find(([, share]) => {
        sum += share;
        return pick < sum;
      })?.[0] ?? 'training';
    return {
      instanceId: `i-${String(index).padStart(17, '0')}`,
      instanceType: 'g5.xlarge',
      owner: null,
      tags: {},
      hourlyUsd: 1.006,
      region: 'us-east-1',
      minutes: historyOf(profile, days * DAY, next),
    };
  });
}

/** One way of running the passes: its warning state, its reads. */
interface Way {
  readonly pending: (WarningState | null)[];
  readonly warnedIn: Int32Array;
  readonly off: Int32Array;
  readonly next: Float64Array;
  readonly scheduledIn: Int32Array;
  reads: number;
}

function newWay(count: number): Way {
  return {
    pending: new Array(count).fill(null),
    warnedIn: new Int32Array(count).fill(-1),
    off: new Int32Array(count).fill(-1),
    next: new Float64Array(count),
    scheduledIn: new Int32Array(count).fill(-1),
    reads: 0,
  };
}

function applyDecision(way: Way, index: number, stretch: number, decision: Decision): void {
  const change = decision.warningChange;
  if (change.kind === 'warn') {
    way.pending[index] = change.warning;
    way.warnedIn[index] = stretch;
  } else if (change.kind === 'clear') {
    way.pending[index] = null;
  } else if (change.kind === 'act') {
    way.pending[index] = null;
    way.off[index] = stretch;
  }
}

const TELEMETRY_RULES: ReadonlySet<string> = new Set(['idle', 'never-used']);

const key = (d: Decision) => `${d.outcome}/${d.rule ?? '-'}/${d.actAt ?? '-'}`;

/**
 * Replays `histories` both ways and compares.
 *
 * @example const result = benchReadFloor({ instances: 150, days: 14 }, defaultConfig());
 */
function benchReadFloor(shape: { instances: number; days: number }, config: Config): ReadFloorResult {
  const histories = seededFleet(shape.instances, shape.days);
  const stretches: Stretches[] = histories.map((history) => findStretches(history.minutes));
  const fromMs = Date.UTC(2026, 0, 5);
  const lookback = lookbackMs(config);
  const policy = policyOf(config);
  const span = Math.min(
    ...(config.idle.enabled ? [policy.idleWindowMs] : []),
    ...(config.noTelemetry.enabled ? [policy.noTelemetryAfterMs] : []),
  );
  const busyAt = Math.max(config.idle.threshold, config.neverUsed.threshold);
  const every = newWay(histories.length);
  const scheduled = newWay(histories.length);
  const oracle = { next: new Float64Array(histories.length), stretch: new Int32Array(histories.length).fill(-1) };
  const peak = new Float32Array(histories.length);
  const covered = new Int32Array(histories.length);
  const scannedTo = new Int32Array(histories.length);
  const lastBusy = new Int32Array(histories.length).fill(-1);
  let floor = 0;
  let everyPass = 0;
  let decisions = 0;
  const mismatches: string[] = [];
  let mismatchCount = 0;
  const lookbackMinutes = lookback / MINUTE_MS;
  const totalMinutes = shape.days * DAY;
  let passes = 0;

  for (let minute = 0; minute < totalMinutes; minute += 5) {
    passes += 1;
    const nowMs = fromMs + minute * MINUTE_MS;
    const now = new Date(nowMs);
    const running: { index: number; stretch: number; start: number }[] = [];
    histories.forEach((history, index) => {
      const s = stretches[index]!;
      let stretch = -1;
      for (let k = 0; k < s.count; k++) if (s.starts[k]! <= minute && minute < s.ends[k]!) stretch = k;
      if (stretch < 0) return;
      const start = s.starts[stretch]!;
      if (oracle.stretch[index] !== stretch) {
        oracle.stretch[index] = stretch;
        oracle.next[index] = 0;
        peak[index] = Number.NaN;
        covered[index] = 0;
        scannedTo[index] = start;
        lastBusy[index] = -1;
      }
      // Incremental views of the stretch so far: peak, coverage before the look-back, last busy minute.
      for (; scannedTo[index]! < minute; scannedTo[index]! += 1) {
        const m = scannedTo[index]!;
        const value = history.minutes[m] as number;
        if (value >= 0 && !(value <= peak[index]!)) peak[index] = value;
        if (value >= busyAt) lastBusy[index] = m;
      }
      let count = 0;
      for (let m = start + 10; m < minute - lookbackMinutes; m++) if ((history.minutes[m] as number) >= 0) count += 1;
      covered[index] = count;
      running.push({ index, stretch, start });
    });

    const inputsFor = (way: Way, schedule: boolean): InstanceInput[] =>
      running
        .filter(({ index, stretch }) => way.off[index] !== stretch)
        .map(({ index, stretch, start }) => {
          if (way.warnedIn[index] !== stretch) way.pending[index] = null;
          const candidate = {
            history: histories[index]!,
            stretchStart: start,
            sinceStartMax: peak[index]!,
            sinceStartCovered: covered[index]!,
            warning: way.pending[index]!,
          };
          const clock = { fromMs, minute, lookbackMs: lookback, scanned: 0, missing: 0 };
          if (schedule && way.scheduledIn[index] !== stretch) way.next[index] = 0;
          // A pending warning of a telemetry rule is always re-read; a deadline's (max-runtime) needs no metrics.
          const warned = way.pending[index];
          const due = !schedule || (warned != null && TELEMETRY_RULES.has(warned.rule)) || nowMs >= way.next[index]!;
          if (!due)
            return {
              ...engineInput(candidate, clock),
              telemetry: unreadTelemetry(now, lookback, new Date(way.next[index]!)),
            };
          way.reads += 1;
          return engineInput(candidate, clock);
        });

    const live = running.filter(({ index, stretch }) => every.off[index] !== stretch);
    everyPass += live.length;
    const everyInputs = inputsFor(every, false);
    const schedInputs = inputsFor(scheduled, true);
    const a = decideFleet(everyInputs, config, now).decisions;
    const b = decideFleet(schedInputs, config, now).decisions;
    const byIdB = new Map(b.map((decision) => [decision.instanceId, decision]));
    a.forEach((decision, position) => {
      decisions += 1;
      const other = byIdB.get(decision.instanceId);
      if (!other || key(other) !== key(decision)) {
        mismatchCount += 1;
        if (mismatches.length < 5) {
          mismatches.push(
            `${now.toISOString()} ${decision.instanceId}: ${key(decision)} vs ${other ? key(other) : 'none'}`,
          );
        }
      }
      const { index, stretch } = live[position]!;
      applyDecision(every, index, stretch, decision);
    });
    schedInputs.forEach((input, position) => {
      const decision = b[position]!;
      const entry = running.find(({ index }) => histories[index]!.instanceId === input.instance.instanceId)!;
      applyDecision(scheduled, entry.index, entry.stretch, decision);
      if (input.telemetry.status === 'ok') {
        const next = nextTelemetryRead(input, config);
        scheduled.next[entry.index] = next === null ? 0 : next.getTime();
        scheduled.scheduledIn[entry.index] = entry.stretch;
      }
    });
    // The floor: the oracle reads a candidate every pass and a busy instance once per span after its last busy minute.
    for (const { index, stretch } of live) {
      if (scheduled.off[index] === stretch && every.off[index] === stretch) continue;
      if (nowMs < oracle.next[index]!) continue;
      floor += 1;
      const busy = lastBusy[index]!;
      oracle.next[index] = busy >= 0 ? fromMs + (busy + 1) * MINUTE_MS + span : 0;
    }
  }
  return {
    instances: shape.instances,
    days: shape.days,
    passes,
    everyPass,
    scheduled: scheduled.reads,
    floor,
    decisions,
    mismatches,
    mismatchCount,
  };
}

export type { ReadFloorResult };
export { benchReadFloor, seededFleet };
