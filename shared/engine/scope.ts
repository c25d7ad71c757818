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
 * The span before `now` a window must stay quiet over for an acting GPU rule to hold: `idle.window` while `idle` is
 * on (it judges just that span, and a run never used since launch is quiet over it too), else the longest of
 * `idle.window`, `neverUsed.after` and `noTelemetry.after`. A window quiet over it is one whose coverage can decide
 * (its rollups are proven per GPU, its host read); never a longer span, or a GPU idle for the idle window after a
 * busy minute before it would go unproven and its host unread.
 *
 * @example quietSpanMs(defaultConfig()) // 3_600_000
 */
function quietSpanMs(config: Config): number {
  const policy = policyOf(config);
  if (config.idle.enabled) return policy.idleWindowMs;
  return Math.max(policy.idleWindowMs, policy.neverUsedAfterMs, policy.noTelemetryAfterMs);
}

/**
 * How much per-minute telemetry before `now` the rules read: the longest of `idle.window`, `neverUsed.after` and
 * `noTelemetry.after`, or with host activity on and `idle` on, `activity.host.notifyAfter` when longer (GPUs unused
 * that long on a busy host are told of). (Never-used also needs `sinceLaunchMax` for launches older than that.)
 * GetMetricData is billed per metric, not per datapoint: a longer look-back costs nothing more.
 *
 * @example lookbackMs(defaultConfig()) // 7_200_000
 */
function lookbackMs(config: Config): number {
  const policy = policyOf(config);
  const notify = config.activity.host.enabled && config.idle.enabled ? policy.hostNotifyAfterMs : 0;
  return Math.max(policy.idleWindowMs, policy.neverUsedAfterMs, policy.noTelemetryAfterMs, notify);
}

export { isInScope, lookbackMs, quietSpanMs };
