/**
 * The `backtest --json` document, exactly the shape of docs/json-output.md (plus the `unknown` band: running minutes inside a short
 * gap, which cost money but have no GPU reading). Money is rounded to cents here, once, for people; the replay
 * keeps full precision.
 */
import type { BacktestResult, SpendByBand, SweepRow } from '../../engine/replay/types';

const cents = (usd: number) => Math.round(usd * 100) / 100;

function bands(spend: SpendByBand): SpendByBand {
  return {
    below5: cents(spend.below5),
    from5to30: cents(spend.from5to30),
    above30: cents(spend.above30),
    unknown: cents(spend.unknown),
  };
}

/**
 * The JSON document of a backtest.
 *
 * @param days the `--days` asked for
 * @param sweep the sweep rows, only when `--sweep` was given
 * @example JSON.stringify(backtestDocument(result, 14), null, 2)
 */
function backtestDocument(result: BacktestResult, days: number, sweep?: readonly SweepRow[]) {
  const { fleet } = result;
  return {
    from: result.from.toISOString(),
    to: result.to.toISOString(),
    days,
    fleet: {
      instances: fleet.instances,
      spendUsd: cents(fleet.spendUsd),
      spendByBand: bands(fleet.spendByBand),
      neverUsed: fleet.neverUsed,
      actions: fleet.actions,
      savedUsd: cents(fleet.savedUsd),
      falseKills: fleet.falseKills,
      // Actions GPU-only judgement would have taken that a busy host held back; null without EC2 host history.
      ...(fleet.heldByHost === undefined
        ? {}
        : {
            heldByHost: fleet.heldByHost?.actions ?? null,
            falseKillsAvoided: fleet.heldByHost?.falseKills ?? null,
          }),
    },
    instances: result.instances.map((instance) => ({
      instanceId: instance.instanceId,
      instanceType: instance.instanceType,
      owner: instance.owner,
      hourlyUsd: instance.hourlyUsd,
      spendUsd: cents(instance.spendUsd),
      spendByBand: bands(instance.spendByBand),
      neverUsed: instance.neverUsed,
      actions: instance.actions.map((action) => ({
        at: new Date(action.at).toISOString(),
        rule: action.rule,
        action: action.action,
        savedUsd: cents(action.savedUsd),
        falseKill: action.falseKill,
      })),
    })),
    ...(sweep === undefined
      ? {}
      : {
          sweep: sweep.map((row) => ({
            threshold: row.threshold,
            window: row.window,
            actions: row.actions,
            savedUsd: cents(row.savedUsd),
            falseKills: row.falseKills,
          })),
        }),
  };
}

/** The document's type. */
type BacktestDocument = ReturnType<typeof backtestDocument>;

export type { BacktestDocument };
export { backtestDocument };
