/**
 * The seeded fleet of benchmark (d): 14 days of busy training runs, inference, idle notebooks, setups that die,
 * restarts and agent gaps, plus a few telemetry outages: for some hours a share of the fleet publishes nothing while
 * it keeps running (the telemetry-outage brake's case; with `idle` off a busy instance is not read for hours). Each
 * instance also has a host (EC2 CPU and network per 5-minute period): quiet, working, busy while setting up, ….
 */
import { findStretches, type InstanceHistory, type Stretches } from '../../shared/engine/replay';
import { seededRandom } from './seeded-random';

const DAY = 1_440;

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

/**
 * A fleet 65% busy: training, inference and gappy runs; the rest notebooks and setups that die (idle candidates);
 * one in eight of them opted out.
 */
function seededFleet(count: number, days: number, seed: number): (InstanceHistory & { minutes: Float32Array })[] {
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
      // One GPU each, read by its rollup: one metric a read, nothing to prove.
      instanceType: 'g5.xlarge',
      owner: null,
      // Every eighth opted out by its owner, whatever it runs: read only for its out-of-reach record.
      tags: (index % 8 === 7 ? { 'gpu-reaper:opt-out': 'true' } : {}) as Record<string, string>,
      hourlyUsd: 1.006,
      region: 'us-east-1',
      minutes: historyOf(profile, days * DAY, next),
    };
  });
}

/** The outages: on which day, the share of the fleet that goes silent (around half: the brake's edge, and more). */
const OUTAGES: readonly { readonly day: number; readonly share: number }[] = [
  { day: 3, share: 0.9 },
  { day: 6, share: 0.55 },
  { day: 9, share: 0.7 },
  { day: 12, share: 0.48 },
];

/** EC2's basic-monitoring period: host metrics come one datapoint per 5 minutes of the clock. */
const HOST_PERIOD = 5;
const MiB = 1_048_576;

/** What a host does while its instance runs. */
type HostMode = 'quiet' | 'working' | 'setup' | 'mixed' | 'sparse';

/** Host metrics per 5-minute period from the replay's start (index = minute / 5): NaN where EC2 has no datapoint. */
interface HostHistory {
  readonly mode: HostMode;
  readonly cpu: Float32Array;
  /** Network in + out bytes of the period. */
  readonly networkBytes: Float32Array;
}

/**
 * The hosts of the fleet, by its own generator so the GPU histories are the ones they always were: most quiet,
 * some working throughout whatever the GPUs do (a CPU job: busy host while the GPUs idle), some busy for the first
 * 45-150 minutes of each run (a download, then training or not), some busy in about half their periods (the
 * half-of-the-window edge), some quiet with a third of their periods missing (host activity unknown).
 */
function hostFleet(histories: readonly InstanceHistory[], stretches: readonly Stretches[], seed = 15): HostHistory[] {
  const next = seededRandom(seed);
  const mix: readonly [HostMode, number][] = [
    ['quiet', 0.45],
    ['working', 0.15],
    ['setup', 0.15],
    ['mixed', 0.15],
    ['sparse', 0.1],
  ];
  return histories.map((history, index) => {
    const pick = next();
    let sum = 0;
    const mode =
      mix.find(([, share]) => {
        sum += share;
        return pick < sum;
      })?.[0] ?? 'quiet';
    const periods = Math.ceil(history.minutes.length / HOST_PERIOD);
    const cpu = new Float32Array(periods).fill(Number.NaN);
    const networkBytes = new Float32Array(periods).fill(Number.NaN);
    const s = stretches[index]!;
    for (let k = 0; k < s.count; k++) {
      const start = s.starts[k]!;
      const setupEnd = start + 45 + Math.floor(next() * 105);
      for (let p = Math.floor(start / HOST_PERIOD); p * HOST_PERIOD < s.ends[k]!; p++) {
        const minute = p * HOST_PERIOD;
        const busy =
          mode === 'working' || (mode === 'setup' && minute < setupEnd) || (mode === 'mixed' && next() < 0.5);
        if (mode === 'sparse' && next() < 0.35) continue;
        cpu[p] = busy ? 40 + next() * 50 : 0.5 + next() * 2;
        networkBytes[p] = (busy ? 20 + next() * 280 : next() * 0.2) * MiB * HOST_PERIOD;
      }
    }
    return { mode, cpu, networkBytes };
  });
}

/**
 * The fleet and when each instance runs, with or without the outages. Running comes from the series before the outages: a silent instance keeps
 * running (an agent down, or CloudWatch not answering), so its stretch does not end.
 *
 * @example const { histories, stretches } = floorFleet({ instances: 150, days: 14, outages: true });
 */
function floorFleet(
  shape: { readonly instances: number; readonly days: number; readonly outages?: boolean },
  seed = 14,
): { histories: InstanceHistory[]; stretches: Stretches[]; hosts: HostHistory[] } {
  const { days } = shape;
  const histories = seededFleet(shape.instances, days, seed);
  const stretches = histories.map((history) => findStretches(history.minutes));
  // EC2's host metrics do not go silent with the agent: they come from the hypervisor.
  const hosts = hostFleet(histories, stretches, seed + 2);
  if (!shape.outages) return { histories, stretches, hosts };
  // Its own generator, so the fleet itself is the one it always was.
  const next = seededRandom(seed + 1);
  for (const { day, share } of OUTAGES) {
    if (day >= days) continue;
    const start = day * DAY + 180 + Math.floor(next() * 120);
    const end = Math.min(days * DAY, start + 240 + Math.floor(next() * 180));
    for (const history of histories) {
      if (next() >= share) continue;
      for (let m = start; m < end; m++) history.minutes[m] = Number.NaN;
    }
  }
  return { histories, stretches, hosts };
}

export type { HostHistory, HostMode };
export { floorFleet, HOST_PERIOD };
