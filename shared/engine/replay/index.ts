/**
 * The backtest replay: per-minute GPU history and a config in, fleet spend and what the policy would have done out.
 * Pure like the rest of the engine: no AWS, no file system, no environment.
 */
export type { PassCandidate, PassClock } from './fleet-pass';
export { engineInput, replayPass } from './fleet-pass';
export type { PreparedFleet } from './replay-fleet';
export { prepareFleet, replayFleet, replayPrepared } from './replay-fleet';
export { FALSE_KILL_HORIZON_MINUTES } from './replay-result';
export { scheduleIntervalMs } from './schedule';
export type { SpendProfile, Stretches } from './stretches';
export { bandOf, findStretches, STRETCH_GAP_MINUTES, spendProfile } from './stretches';
export { sweep, sweepAxes } from './sweep';
export type {
  BacktestResult,
  FleetBacktest,
  InstanceBacktest,
  InstanceHistory,
  MinuteSeries,
  ReplayAction,
  ReplayOptions,
  ReplayWindow,
  SpendByBand,
  SweepGrid,
  SweepRow,
} from './types';
