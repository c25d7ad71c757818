/**
 * The views of a backtest that both the terminal tables and the HTML page show: waste by owner, the instances
 * never used, and the replayed actions, each sorted the way an admin reads them (most money first).
 */
import type { Config } from '../../config/schema';
import { percent, plural } from '../../engine/format';
import type { BacktestResult, InstanceBacktest, ReplayAction } from '../../engine/replay/types';
import { cleanText } from '../text/untrusted-text';

/** One owner's spend, and the part of it spent with the GPU below 5 %. */
interface OwnerWaste {
  /** `null`: instances without an owner tag (or no longer in EC2). */
  readonly owner: string | null;
  readonly instances: number;
  readonly spendUsd: number;
  readonly below5Usd: number;
  readonly neverUsed: number;
}

/** A replayed action with its instance. */
interface ActionRow extends ReplayAction {
  readonly instance: InstanceBacktest;
}

/**
 * Owners by the money spent below 5 % GPU, most first.
 *
 * @example wasteByOwner(result)[0] // { owner: 'alice@example.com', instances: 3, below5Usd: 412.5, … }
 */
function wasteByOwner(result: BacktestResult): OwnerWaste[] {
  const byOwner = new Map<string | null, OwnerWaste>();
  for (const instance of result.instances) {
    const previous = byOwner.get(instance.owner) ?? {
      owner: instance.owner,
      instances: 0,
      spendUsd: 0,
      below5Usd: 0,
      neverUsed: 0,
    };
    byOwner.set(instance.owner, {
      owner: instance.owner,
      instances: previous.instances + 1,
      spendUsd: previous.spendUsd + instance.spendUsd,
      below5Usd: previous.below5Usd + instance.spendByBand.below5,
      neverUsed: previous.neverUsed + (instance.neverUsed ? 1 : 0),
    });
  }
  return [...byOwner.values()].sort(
    (a, b) => b.below5Usd - a.below5Usd || String(a.owner).localeCompare(String(b.owner)),
  );
}

/** Instances that never reached `neverUsed.threshold`, most spend first. */
function neverUsedInstances(result: BacktestResult): InstanceBacktest[] {
  return result.instances
    .filter((instance) => instance.neverUsed)
    .sort((a, b) => b.spendUsd - a.spendUsd || a.instanceId.localeCompare(b.instanceId));
}

/** Every replayed action, most money saved first. */
function actionRows(result: BacktestResult): ActionRow[] {
  return result.instances
    .flatMap((instance) => instance.actions.map((action) => ({ ...action, instance })))
    .sort((a, b) => b.savedUsd - a.savedUsd || a.at - b.at);
}

/** Actions by rule: `{ idle: 4, 'never-used': 2 }`. */
function actionsByRule(result: BacktestResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const instance of result.instances) {
    for (const action of instance.actions) counts[action.rule] = (counts[action.rule] ?? 0) + 1;
  }
  return counts;
}

/** Share of `part` in `whole` as a percentage text (`41.2%`, `100%`); `-` when the whole is 0. */
function shareText(part: number, whole: number): string {
  return whole > 0 ? percent((part / whole) * 100) : '-';
}

/**
 * An instance as people recognise it: its id, and its `Name` tag beside it when it has one (cleaned: tag values
 * are owner-controlled).
 *
 * @example instanceLabel({ instanceId: 'i-0abc', name: 'train-7' }) // 'i-0abc (train-7)'
 */
function instanceLabel(instance: Pick<InstanceBacktest, 'instanceId' | 'name'>, max = 40): string {
  const name = instance.name ? cleanText(instance.name, max) : '';
  return name ? `${instance.instanceId} (${name})` : instance.instanceId;
}

/**
 * The replayed policy in one line, for the headers.
 *
 * @example policyLine(defaultConfig()) // 'idle < 5% for 1h (coverage ≥ 80%) → stop; never used after 30m → stop; …'
 */
function policyLine(config: Config): string {
  const { idle, neverUsed, maxRuntime, actions } = config;
  const parts = [
    idle.enabled
      ? `idle < ${idle.threshold}% for ${idle.window} (coverage ≥ ${percent(idle.minCoverage * 100)}) → ${actions.idle}`
      : 'idle off',
    neverUsed.enabled
      ? `never used (< ${neverUsed.threshold}%) after ${neverUsed.after} → ${actions.neverUsed}`
      : 'never-used off',
    maxRuntime.enabled ? `max runtime ${maxRuntime.default} → ${actions.maxRuntime}` : 'max runtime only by tag',
    `warning ${config.warning.grace} ahead`,
    `at most ${plural(config.maxActionsPerPass, 'action')} a pass`,
  ];
  return parts.join('; ');
}

export type { ActionRow, OwnerWaste };
export { actionRows, actionsByRule, instanceLabel, neverUsedInstances, policyLine, shareText, wasteByOwner };
