/**
 * Builds the {@link RuleContext} of one instance: normalized telemetry, parsed tags, the config's durations, and
 * the running time, all read once so every rule sees the same values.
 */
import type { Config } from '../config/schema';
import { policyOf } from './policy';
import type { RuleContext } from './rules/context';
import { readTags, type SnoozeSighting } from './tags';
import { floorToMinute, normalizePoints } from './telemetry';
import type { BudgetStanding, GpuTelemetry, InstanceFacts } from './types';

/**
 * The since-launch maximum cleaned like the points: NaN or negative is no reading (`null`, so never-used cannot be
 * proven from it), above 100 is 100.
 */
function usableMax(value: number | null): number | null {
  return value !== null && value >= 0 && !Number.isNaN(value) ? Math.min(value, 100) : null;
}

/**
 * The maker of GPUs that nvidia-smi cannot read, when no source has a series for the instance: `AMD`, `Habana`, ….
 * A source that does publish for them (a custom one) makes the telemetry rules apply as for any GPU.
 */
function unsupportedBy(instance: InstanceFacts, telemetry: GpuTelemetry): string | null {
  if (telemetry.status !== 'missing') return null;
  // Trainium and Inferentia: no default source publishes NeuronCore use (add one to metrics.sources).
  if (instance.gpu.accelerator === 'neuron') return 'AWS Neuron';
  const maker = instance.gpu.manufacturer;
  if (!maker || maker.trim().toUpperCase() === 'NVIDIA') return null;
  return maker.trim();
}

/**
 * The rule context of one instance at `now`.
 *
 * @example buildContext(instance, telemetry, defaultConfig(), now).runningForMs // 5_400_000
 */
function buildContext(
  instance: InstanceFacts,
  telemetry: GpuTelemetry,
  config: Config,
  now: Date,
  snooze: SnoozeSighting | null = null,
  extra: {
    readonly hourlyUsd?: number | null;
    readonly budget?: BudgetStanding | null;
    readonly approval?: SnoozeSighting | null;
  } = {},
): RuleContext {
  return {
    instance,
    telemetry: {
      ...telemetry,
      points: normalizePoints(telemetry.points),
      sinceLaunchMax: usableMax(telemetry.sinceLaunchMax),
    },
    tags: readTags(instance.tags, config, now, snooze, extra.approval ?? null),
    config,
    policy: policyOf(config),
    now,
    windowEnd: new Date(floorToMinute(now.getTime())),
    telemetryUnsupported: unsupportedBy(instance, telemetry),
    // A launch time after `now` (clock skew) is a fresh instance, not a negative age.
    runningForMs: Math.max(0, now.getTime() - instance.launchTime.getTime()),
    hourlyUsd: extra.hourlyUsd ?? null,
    budget: extra.budget ?? null,
  };
}

export { buildContext };
