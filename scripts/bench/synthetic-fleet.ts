/**
 * A deterministic synthetic GPU fleet for the engine benchmark: per-GPU samples as GetMetricData returns them (one
 * series per GPU, one Maximum per minute), with a realistic mix of busy, idle, never-used, silent and tagged
 * instances. Built once, outside the timed part.
 */
import type { Sample } from '../../shared/adapters/cloudwatch/gpu-metric-batches';
import type { GpuTelemetry, InstanceFacts } from '../../shared/engine';
import { seededRandom } from './seeded-random';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** One instance before merging: its facts and the raw samples of all its GPUs, in series order. */
interface RawInstance {
  readonly instance: InstanceFacts;
  readonly samples: readonly Sample[];
  readonly telemetry: Omit<GpuTelemetry, 'points'>;
}

/** What the fleet looks like. */
interface FleetShape {
  readonly instances: number;
  readonly gpus: number;
  readonly minutes: number;
  readonly now: Date;
}

type Profile = 'busy' | 'idle' | 'never-used' | 'silent' | 'tagged';

/** Out of every 20 instances: 13 busy, 3 idle, 1 never used, 1 without telemetry, 2 carrying reaper tags. */
const PROFILES: readonly Profile[] = [
  ...Array<Profile>(13).fill('busy'),
  ...Array<Profile>(3).fill('idle'),
  'never-used',
  'silent',
  'tagged',
  'tagged',
];

const random = seededRandom;

/** GPU utilization of one GPU in one minute, by profile: a busy instance keeps one GPU of its 8 busy. */
function utilization(profile: Profile, gpu: number, next: () => number): number {
  if (profile === 'busy' || profile === 'tagged') return gpu === 0 ? 20 + next() * 75 : next() * 3;
  if (profile === 'idle') return next() * 3;
  return next() * 1.5;
}

function tagsOf(profile: Profile, index: number): Record<string, string> {
  const owner = { Owner: `team-${index % 37}@example.com` };
  if (profile !== 'tagged') return owner;
  const variants: Record<string, string>[] = [
    { 'gpu-reaper:opt-out': 'true' },
    { 'gpu-reaper:max-runtime': '90m' },
    { 'gpu-reaper:snooze-until': '2099-01-01T00:00:00Z' },
    { 'gpu-reaper:action': 'terminate' },
  ];
  return { ...owner, ...variants[index % variants.length] };
}

/**
 * Builds the fleet. Launch times spread from 10 minutes to 11 hours before `now`, one in ten from 13 hours to 3 days
 * (never-used ones: 2 hours), so every rule gets its share; samples cover `[now − minutes, now)`.
 */
function syntheticFleet(
  shape: FleetShape,
  /** Takes each per-GPU sample as it is made (as GetMetricData pages arrive); without it they are kept. */
  sink?: (index: number, gpu: number, at: number, value: number) => void,
): RawInstance[] {
  const next = random(20_251_121);
  const to = Math.floor(shape.now.getTime() / MINUTE_MS) * MINUTE_MS;
  const from = to - shape.minutes * MINUTE_MS;
  return Array.from({ length: shape.instances }, (_, index) => {
    const profile = PROFILES[index % PROFILES.length]!;
    // Most run within the default 12h max runtime; one in ten has run 13h to 3 days.
    const minutes = index % 10 === 9 ? 780 + Math.floor(next() * 3_540) : 10 + Math.floor(next() * 650);
    const runningMs = profile === 'never-used' ? 2 * HOUR_MS : minutes * MINUTE_MS;
    const launchTime = new Date(to - runningMs);
    const instanceId = `i-${index.toString(16).padStart(17, '0')}`;
    const samples: Sample[] = [];
    if (profile !== 'silent') {
      for (let gpu = 0; gpu < shape.gpus; gpu++) {
        for (let minute = 0; minute < shape.minutes; minute++) {
          const at = from + minute * MINUTE_MS;
          if (at < launchTime.getTime()) continue;
          const value = utilization(profile, gpu, next);
          if (sink) sink(index, gpu, at, value);
          else samples.push({ at, value });
        }
      }
    }
    const olderThanWindow = launchTime.getTime() < from;
    return {
      instance: {
        instanceId,
        region: 'us-east-1',
        accountId: '123456789012',
        instanceType: 'p4d.24xlarge',
        state: 'running',
        launchTime,
        tags: tagsOf(profile, index),
        gpu: { hasGpu: true, count: shape.gpus, source: 'instance-types' },
        rootDeviceType: 'ebs',
        spot: null,
      },
      samples,
      telemetry: {
        status: profile === 'silent' ? 'missing' : 'ok',
        source: profile === 'silent' ? 'none' : 'per-gpu',
        from: new Date(from),
        to: new Date(to),
        sinceLaunchMax: olderThanWindow && profile !== 'silent' ? (profile === 'never-used' ? 1.4 : 88) : null,
        ...(profile === 'silent' ? {} : { gpuSeries: shape.gpus }),
      },
    };
  });
}

export type { FleetShape, RawInstance };
export { syntheticFleet };
