/**
 * Benchmark (d): the read schedule against reading every pass. A seeded fleet (busy training runs, idle notebooks,
 * setups that die, restarts, agent gaps) is replayed over 14 days, one pass every 5 minutes, twice through the same
 * engine: once reading every running instance every pass, once reading only the instances due
 * (`nextTelemetryRead`) plus every instance with a pending warning, plus those the telemetry-outage brake asks for
 * (`brakeReads`, as the live pass). Every decision's outcome, rule and time is compared, and the reads are counted
 * against the floor: an idle or never-used candidate read every pass, a busy instance once per
 * min(idle.window, noTelemetry.after) after its last busy minute. With `outages`, the fleet also goes silent for
 * hours on a few days (floor-fleet.ts): the brake's case, where an unread instance must count as a read would.
 *
 * Host activity rides along as the live read does it: a read instance whose GPUs stayed quiet over the GPU rules'
 * span, and that a GPU rule could act on (`hostReadFrom`), gets its host's 5-minute periods from that start on
 * (`telemetry.host`); each such read is 3 metrics more (CPU, network in, network out).
 */
import type { Config } from '../../shared/config/schema';
import {
  type Decision,
  decideFleet,
  type HostPoint,
  hostReadFrom,
  type InstanceInput,
  lookbackMs,
  nextTelemetryRead,
  outOfReachRead,
  policyOf,
  quietSpanMs,
  unreadTelemetry,
  type WarningState,
} from '../../shared/engine';
import { engineInput } from '../../shared/engine/replay';
import { floorFleet, HOST_PERIOD, type HostHistory } from './floor-fleet';

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
  /** Of `scheduled`, the reads that also read the host (3 metrics more each). */
  readonly scheduledHost: number;
  /** Host reads when reading every pass. */
  readonly everyPassHost: number;
  /** Decisions whose rule or reason came from the host: kept by a busy host, or `gpu-idle-host-busy`. */
  readonly hostDecisions: number;
  /** The fewest reads that keep every decision: the oracle schedule from the history itself. */
  readonly floor: number;
  readonly decisions: number;
  /** `everyPass`, `scheduled` (GPU and host reads) and `floor` counted only from the replay's 90th minute on. */
  readonly after90: {
    readonly everyPass: number;
    readonly scheduled: number;
    readonly scheduledHost: number;
    readonly floor: number;
  };
  /** Of `scheduled`, the reads of opted-out instances (for their out-of-reach record only). */
  readonly optedOutReads: number;
  /** Instance-passes of opted-out instances, reading every pass. */
  readonly optedOutPasses: number;
  /** Where the two ways differed, the first few. */
  readonly mismatches: readonly string[];
  readonly mismatchCount: number;
  /** Of `scheduled`, the reads the telemetry-outage brake asked for (instances not due that it needed). */
  readonly brakeReads: number;
  /**
   * Passes whose brake verdict differed while no decision did (no idle or never-used warning or action for it to
   * hold back, so the brake's needs were not read): the admin's outage notice only.
   */
  readonly brakeOnlyDiffers: number;
}

/** One way of running the passes: its warning state, its reads. */
interface Way {
  readonly pending: (WarningState | null)[];
  readonly warnedIn: Int32Array;
  readonly off: Int32Array;
  readonly next: Float64Array;
  readonly scheduledIn: Int32Array;
  reads: number;
  hostReads: number;
  /** Reads and host reads from the replay's 90th minute on. */
  lateReads: number;
  lateHostReads: number;
}

function newWay(count: number): Way {
  return {
    pending: new Array(count).fill(null),
    warnedIn: new Int32Array(count).fill(-1),
    off: new Int32Array(count).fill(-1),
    next: new Float64Array(count),
    scheduledIn: new Int32Array(count).fill(-1),
    reads: 0,
    hostReads: 0,
    lateReads: 0,
    lateHostReads: 0,
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

/**
 * Decides as the live pass does (shared/pass/settle-brake.ts): then reads the unread instances the telemetry-outage
 * brake names, the fewest first, and decides again.
 */
function settled(
  entries: readonly { input: InstanceInput; read: () => InstanceInput }[],
  config: Config,
  now: Date,
): { inputs: InstanceInput[]; decisions: readonly Decision[]; engaged: boolean; brakeReads: number } {
  let brakeReads = 0;
  let inputs = entries.map(({ input }) => input);
  let fleet = decideFleet(inputs, config, now);
  for (let round = 0; fleet.brakeReads.ids.length > 0; round += 1) {
    const { ids, fewest } = fleet.brakeReads;
    const wanted = new Set(round === 0 ? ids.slice(0, fewest) : ids);
    brakeReads += wanted.size;
    inputs = inputs.map((input, position) =>
      wanted.has(input.instance.instanceId) ? entries[position]!.read() : input,
    );
    fleet = decideFleet(inputs, config, now);
  }
  return { inputs, decisions: fleet.decisions, engaged: fleet.brake.engaged, brakeReads };
}

/**
 * The host read of a read instance, as the live adapter makes it: only when its GPUs stayed below every rule's
 * threshold over the GPU rules' span and a GPU rule could act on it, from `hostReadFrom` to the window's end.
 */
function withHost(
  input: InstanceInput,
  host: HostHistory,
  fromMs: number,
  config: Config,
  now: Date,
): InstanceInput | null {
  const start = hostReadFrom(input.instance, config, now);
  if (start === null) return null;
  const to = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  const quietFrom = Math.max(input.telemetry.from.getTime(), to - quietSpanMs(config));
  const below = Math.max(config.idle.threshold, config.neverUsed.threshold);
  if (input.telemetry.points.some((point) => point.at >= quietFrom && point.max >= below)) return null;
  const periodMs = HOST_PERIOD * MINUTE_MS;
  const points: HostPoint[] = [];
  for (let p = Math.ceil((start.getTime() - fromMs) / periodMs); fromMs + p * periodMs < to; p++) {
    const cpu = host.cpu[p];
    const bytes = host.networkBytes[p];
    if (cpu === undefined || Number.isNaN(cpu)) continue;
    points.push({ at: fromMs + p * periodMs, cpuMax: cpu, networkBytes: bytes ?? null });
  }
  const samples =
    points.length > 0
      ? { status: 'ok' as const, points, from: start }
      : { status: 'missing' as const, points, from: start };
  return { ...input, telemetry: { ...input.telemetry, host: samples } };
}

const HOST_RULES: ReadonlySet<string> = new Set(['gpu-idle-host-busy']);

const key = (d: Decision) => `${d.outcome}/${d.rule ?? '-'}/${d.actAt ?? '-'}`;

/**
 * Replays `histories` both ways and compares.
 *
 * @example const result = benchReadFloor({ instances: 150, days: 14, outages: true }, defaultConfig());
 */
function benchReadFloor(
  shape: { readonly instances: number; readonly days: number; readonly outages?: boolean },
  config: Config,
): ReadFloorResult {
  const { histories, stretches, hosts } = floorFleet(shape);
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
  let brakeReads = 0;
  let brakeOnlyDiffers = 0;
  let hostDecisions = 0;
  const lookbackMinutes = lookback / MINUTE_MS;
  const totalMinutes = shape.days * DAY;
  let passes = 0;
  const late = { everyPass: 0, floor: 0 };
  let optedOutReads = 0;
  let optedOutPasses = 0;
  const optedOut = histories.map((history) => history.tags['gpu-reaper:opt-out'] === 'true');

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

    /** Each running instance's input this pass, and its input had it been read (what a brake read returns). */
    const inputsFor = (way: Way, schedule: boolean): { input: InstanceInput; read: () => InstanceInput }[] =>
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
          const read = () => {
            way.reads += 1;
            if (minute >= 90) way.lateReads += 1;
            if (schedule && optedOut[index]) optedOutReads += 1;
            const input = engineInput(candidate, clock);
            const hosted = withHost(input, hosts[index]!, fromMs, config, now);
            if (hosted === null) return input;
            way.hostReads += 1;
            if (minute >= 90) way.lateHostReads += 1;
            return hosted;
          };
          if (schedule && way.scheduledIn[index] !== stretch) way.next[index] = 0;
          // A pending warning of a telemetry rule is always re-read; a deadline's (max-runtime) needs no metrics.
          const warned = way.pending[index];
          const due = !schedule || (warned != null && TELEMETRY_RULES.has(warned.rule)) || nowMs >= way.next[index]!;
          if (!due) {
            const unread = {
              ...engineInput(candidate, clock),
              telemetry: unreadTelemetry(now, lookback, new Date(way.next[index]!)),
            };
            return { input: unread, read };
          }
          return { input: read(), read };
        });

    const live = running.filter(({ index, stretch }) => every.off[index] !== stretch);
    everyPass += live.length;
    if (minute >= 90) late.everyPass += live.length;
    optedOutPasses += live.filter(({ index }) => optedOut[index]).length;
    const everyInputs = inputsFor(every, false).map(({ input }) => input);
    const everyFleet = decideFleet(everyInputs, config, now);
    const a = everyFleet.decisions;
    const { inputs: schedInputs, decisions: b, ...brake } = settled(inputsFor(scheduled, true), config, now);
    brakeReads += brake.brakeReads;
    if (brake.engaged !== everyFleet.brake.engaged) brakeOnlyDiffers += 1;
    const byIdB = new Map(b.map((decision) => [decision.instanceId, decision]));
    a.forEach((decision, position) => {
      decisions += 1;
      if (HOST_RULES.has(decision.rule ?? '') || decision.reason.includes('but the host is busy')) hostDecisions += 1;
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
        // As the live pass: a reading with no busy minute leaves the schedule as it was (due, or still ahead
        // after a read the brake asked for).
        // As read-schedules.ts: the later of the busy schedule and the out-of-reach one (tags never change here).
        const busy = nextTelemetryRead(input, config);
        const reach = outOfReachRead(input.instance, config, now);
        const next = reach !== null && (busy === null || reach > busy) ? reach : busy;
        if (next !== null) scheduled.next[entry.index] = next.getTime();
        scheduled.scheduledIn[entry.index] = entry.stretch;
      }
    });
    // The floor: the oracle reads a candidate every pass and a busy instance once per span after its last busy minute.
    for (const { index, stretch } of live) {
      if (scheduled.off[index] === stretch && every.off[index] === stretch) continue;
      if (nowMs < oracle.next[index]!) continue;
      floor += 1;
      if (minute >= 90) late.floor += 1;
      const busy = lastBusy[index]!;
      oracle.next[index] = busy >= 0 ? fromMs + (busy + 1) * MINUTE_MS + span : 0;
      // Opted out: its decision needs no reading; its out-of-reach record one an hour (and each UTC day's first).
      const reach = optedOut[index] ? outOfReachRead(histories[index]!, config, now) : null;
      if (reach !== null) oracle.next[index] = Math.max(oracle.next[index]!, reach.getTime());
    }
  }
  return {
    instances: shape.instances,
    days: shape.days,
    passes,
    everyPass,
    scheduled: scheduled.reads,
    scheduledHost: scheduled.hostReads,
    everyPassHost: every.hostReads,
    hostDecisions,
    floor,
    decisions,
    after90: {
      everyPass: late.everyPass,
      scheduled: scheduled.lateReads,
      scheduledHost: scheduled.lateHostReads,
      floor: late.floor,
    },
    optedOutReads,
    optedOutPasses,
    mismatches,
    mismatchCount,
    brakeReads,
    brakeOnlyDiffers,
  };
}

export type { ReadFloorResult };
export { benchReadFloor };
