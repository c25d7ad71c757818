/**
 * Which instances a pass looks at (docs/rules.md), and how much per-minute telemetry the rules need.
 */
import type { Config } from '../config/schema';
import { isAcceleratedFor } from './gpu-count';
import { policyOf } from './policy';
import type { InstanceFacts } from './types';

/**
 * Whether a pass looks at this instance: running, with a GPU (fractional ones count; Trainium and Inferentia too
 * with `scope.accelerators` neuron), and carrying one of the
 * listed values of every `scope.tags` key (no keys: every GPU instance).
 *
 * @example isInScope(instance, parseConfig({ scope: { tags: { Purpose: ['transient-ml-training'] } } }))
 */
function isInScope(instance: InstanceFacts, config: Config): boolean {
  if (instance.state !== 'running' || !isAcceleratedFor(instance.gpu, config.scope.accelerators)) return false;
  return Object.entries(config.scope.tags).every(([key, values]) => {
    const value = instance.tags[key];
    return value !== undefined && values.includes(value);
  });
}

/**
 * How much per-minute telemetry before `now` the rules read: the longest of `idle.window`, `neverUsed.after` and
 * `noTelemetry.after`. (Never-used also needs `sinceLaunchMax` for launches older than that.)
 *
 * @example lookbackMs(defaultConfig()) // 3_600_000
 */
function lookbackMs(config: Config): number {
  const policy = policyOf(config);
  return Math.max(policy.idleWindowMs, policy.neverUsedAfterMs, policy.noTelemetryAfterMs);
}

export { isInScope, lookbackMs };
