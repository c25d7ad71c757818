/**
 * Right-sizing of one instance over an audit's period: a multi-GPU instance whose per-GPU history never had more
 * than k GPUs at or above `idle.threshold` in the same minute would have done the same work on the smallest type of
 * its family with max(1, k) GPUs. A suggestion for a person, never an action. An instance whose telemetry is a rollup
 * over its GPUs cannot show how many were busy at once: it is listed as unjudged, never guessed a fit.
 */

import type { InstanceHistory } from '../engine/replay/types';
import { familyOf, gpuCountOf, typesOfFamily } from '../prices/gpu-type-catalog';
import type { RightSizing, RightSizingUnjudged } from './fleet-audit-types';

const WEEK_MS = 7 * 86_400_000;

/** Why a rollup-only multi-GPU instance is not judged (the words the report shows). */
const ROLLUP_REASON =
  'its GPU telemetry is a rollup over its GPUs; per-GPU series are needed to see how many were busy at once';

/** What right-sizing needs beyond the history: its running minutes, the period's length and the prices. */
interface RightSizingContext {
  /** Running minutes of the instance over the period (the backtest's stretches). */
  readonly runningMinutes: number;
  /** The audit's length, ms: the saving is scaled to one week. */
  readonly periodMs: number;
  /** $/hour of a type (config overrides, then the bundled prices); `null` when unknown. */
  readonly priceOf: (instanceType: string) => number | null;
}

/** The verdict on one instance: a suggestion, unjudged (with why), or nothing to say. */
type RightSizingVerdict =
  | { readonly kind: 'suggestion'; readonly suggestion: RightSizing }
  | { readonly kind: 'unjudged'; readonly unjudged: RightSizingUnjudged }
  | null;

const cents = (usd: number) => Math.round(usd * 100) / 100;

/** The most GPUs busy in one minute. */
function mostBusyAtOnce(busyGpus: Uint8Array): number {
  let most = 0;
  for (const count of busyGpus) if (count > most) most = count;
  return most;
}

/**
 * The cheapest type of `instanceType`'s family with at least `needed` GPUs and fewer than it has, with a known
 * price below its own; `null` when none.
 *
 * @param own its own $/hour @default `priceOf(instanceType)`
 * @example smallestFit('g5.12xlarge', 1, priceOf) // { instanceType: 'g5.xlarge', hourlyUsd: 1.006 }
 */
function smallestFit(
  instanceType: string,
  needed: number,
  priceOf: (instanceType: string) => number | null,
  own: number | null = priceOf(instanceType),
): { readonly instanceType: string; readonly hourlyUsd: number } | null {
  const gpus = gpuCountOf(instanceType);
  if (gpus === null || own === null) return null;
  let best: { instanceType: string; hourlyUsd: number; gpus: number } | null = null;
  for (const candidate of typesOfFamily(familyOf(instanceType))) {
    if (candidate.gpus < Math.max(1, needed) || candidate.gpus >= gpus) continue;
    const hourlyUsd = priceOf(candidate.instanceType);
    if (hourlyUsd === null || hourlyUsd >= own) continue;
    const better =
      best === null ||
      hourlyUsd < best.hourlyUsd ||
      (hourlyUsd === best.hourlyUsd && candidate.gpus < best.gpus) ||
      (hourlyUsd === best.hourlyUsd && candidate.gpus === best.gpus && candidate.instanceType < best.instanceType);
    if (better) best = { instanceType: candidate.instanceType, hourlyUsd, gpus: candidate.gpus };
  }
  return best && { instanceType: best.instanceType, hourlyUsd: best.hourlyUsd };
}

/**
 * Judges one instance: one-GPU types (and types the catalog does not know) say nothing; multi-GPU ones with per-GPU
 * history get a suggestion when fewer GPUs would have done; the others are unjudged, with the reason.
 *
 * @example rightSizingOf(history, { runningMinutes: 600, periodMs: 7 * 86_400_000, priceOf })
 *   // { kind: 'suggestion', suggestion: { instanceType: 'g5.12xlarge', gpus: 4, gpusEverBusy: 1, suggestedType: 'g5.xlarge', … } }
 */
function rightSizingOf(history: InstanceHistory, context: RightSizingContext): RightSizingVerdict {
  const gpus = gpuCountOf(history.instanceType);
  if (gpus === null || gpus <= 1 || context.runningMinutes <= 0) return null;
  const base = { instanceId: history.instanceId, instanceType: history.instanceType, gpus };
  if (history.gpuTelemetry !== 'per-gpu' || history.busyGpus === undefined) {
    const reason =
      history.gpuTelemetry === 'rollup'
        ? ROLLUP_REASON
        : 'its history does not say how many of its GPUs were busy at once';
    return { kind: 'unjudged', unjudged: { ...base, reason } };
  }
  const reporting = history.gpuCount ?? 0;
  if (reporting < gpus) {
    // A GPU without a series of its own could have been the busy one: counting only the others would undercount.
    const reason = `only ${reporting} of its ${gpus} GPUs publish a series of their own; the silent ones may have been busy`;
    return { kind: 'unjudged', unjudged: { ...base, reason } };
  }
  const gpusEverBusy = mostBusyAtOnce(history.busyGpus);
  if (gpusEverBusy >= gpus) return null;
  // Its own price as its spend counts it (the history's, overrides included), so saving and spend agree.
  const own = history.hourlyUsd;
  const fit = smallestFit(history.instanceType, gpusEverBusy, context.priceOf, own);
  if (fit === null || own === null || context.periodMs <= 0) return null;
  const weeklySavingUsd = cents((own - fit.hourlyUsd) * (context.runningMinutes / 60) * (WEEK_MS / context.periodMs));
  if (weeklySavingUsd <= 0) return null;
  return {
    kind: 'suggestion',
    suggestion: { ...base, gpusEverBusy, suggestedType: fit.instanceType, weeklySavingUsd },
  };
}

export type { RightSizingContext, RightSizingVerdict };
export { mostBusyAtOnce, ROLLUP_REASON, rightSizingOf, smallestFit };
