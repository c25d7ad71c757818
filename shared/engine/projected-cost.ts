/**
 * What a run is allowed to cost (docs/cost-gating.md): the instance's hourly price × its allowed runtime (the
 * `max-runtime` tag capped at the ceiling, else `maxRuntime.default`; the time from launch to `expires-at` when that
 * is sooner). The gate compares it with `gating.threshold` before the money is spent.
 */
import { formatDuration } from '../config/durations';
import type { RuleContext } from './rules/context';
import { TagName } from './tags';

/** A run's projected cost, and what bounds its runtime. */
interface ProjectedCost {
  readonly hourlyUsd: number;
  readonly allowedRuntimeMs: number;
  /** `hourlyUsd × allowedRuntime`, to the cent. */
  readonly projectedUsd: number;
  /** Where the allowed runtime comes from, as a person reads it (`maxRuntime.default`, the tag, `expires-at`). */
  readonly bound: string;
}

/**
 * The projected cost of the instance's current run, or `null` when its price is unknown.
 *
 * @example projectedCost(context) // { hourlyUsd: 21.96, allowedRuntimeMs: 43_200_000, projectedUsd: 263.52, bound: 'maxRuntime.default' }
 */
function projectedCost({ instance, tags, config, policy, hourlyUsd }: RuleContext): ProjectedCost | null {
  if (hourlyUsd === null) return null;
  const capped = tags.maxRuntimeCapped ? `, capped at the ${config.maxRuntime.ceiling} ceiling` : '';
  let allowedRuntimeMs = tags.maxRuntimeMs ?? policy.maxRuntimeDefaultMs;
  let bound =
    tags.maxRuntimeMs === null ? 'maxRuntime.default' : `tag ${config.tagPrefix}${TagName.maxRuntime}${capped}`;
  if (tags.expiresAt !== null) {
    const untilExpiry = Math.max(0, tags.expiresAt.getTime() - instance.launchTime.getTime());
    if (untilExpiry < allowedRuntimeMs) {
      allowedRuntimeMs = untilExpiry;
      bound = `tag ${config.tagPrefix}${TagName.expiresAt}`;
    }
  }
  const projectedUsd = Math.round(hourlyUsd * (allowedRuntimeMs / 3_600_000) * 100) / 100;
  return { hourlyUsd, allowedRuntimeMs, projectedUsd, bound };
}

/** The evidence a gated decision carries: `projectedUsd`, `hourlyUsd`, `allowedRuntime`. */
function costEvidence(cost: ProjectedCost): Record<string, unknown> {
  return {
    projectedUsd: cost.projectedUsd,
    hourlyUsd: cost.hourlyUsd,
    allowedRuntime: formatDuration(cost.allowedRuntimeMs),
  };
}

export type { ProjectedCost };
export { costEvidence, projectedCost };
