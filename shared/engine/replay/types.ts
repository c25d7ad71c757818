/**
 * The shapes of a backtest (docs/json-output.md): per-minute GPU history in, what the fleet spent and what the policy
 * would have done out. Plain data, no AWS: the history adapter builds {@link InstanceHistory} values, the renderers
 * read {@link BacktestResult}.
 */
import type { Action, RuleName } from '../types';

/** Per-minute GPU maxima, `NaN` for a minute without a datapoint; index 0 is the minute starting at `from`. */
type MinuteSeries = Float32Array | Float64Array | readonly number[];

/** One instance's history as the replay reads it. */
interface InstanceHistory {
  readonly instanceId: string;
  readonly instanceType: string;
  /** From the `ownerTag` tag; `null` when unknown. */
  readonly owner: string | null;
  /** The instance's tags (empty when the instance no longer exists and only its metrics tell about it). */
  readonly tags: Readonly<Record<string, string>>;
  /** On-demand $/hour; `null` when the type's price is unknown (its spend then counts as 0). */
  readonly hourlyUsd: number | null;
  /** @default 'unknown' */
  readonly region?: string;
  /** The busiest GPU's utilization (0–100) per minute, `NaN` where no datapoint exists. */
  readonly minutes: MinuteSeries;
  /**
   * EC2's host metrics on the same minute grid, where the history has them: each period's `CPUUtilization`
   * maximum and `NetworkIn` + `NetworkOut` bytes at its start minute, `NaN` elsewhere. @default none (host unknown)
   */
  readonly host?: HostHistory;
  /**
   * Per minute, how many GPUs were at or above `idle.threshold` at once, from each GPU's own series (the fleet
   * report's right-sizing; the replay never reads it). Present only with `gpuTelemetry: 'per-gpu'`. @default none
   */
  readonly busyGpus?: Uint8Array;
  /**
   * Whether the history was read from each GPU's own series or only from a rollup over the instance's GPUs (which
   * cannot say how many were busy at once). @default unknown (the backtest's read does not say)
   */
  readonly gpuTelemetry?: GpuTelemetry;
  /** With `gpuTelemetry: 'per-gpu'`: how many GPUs publish a series of their own. @default unknown */
  readonly gpuCount?: number;
}

/** Where an instance's GPU history came from: each GPU's own series, or a rollup over its GPUs. */
type GpuTelemetry = 'per-gpu' | 'rollup';

/** EC2's host metrics of a history, minute-aligned like {@link InstanceHistory.minutes}. */
interface HostHistory {
  readonly cpu: MinuteSeries;
  readonly networkBytes: MinuteSeries;
}

/** The span a backtest replays and how often the reaper runs. */
interface ReplayWindow {
  /** First minute of the history (minute-aligned; index 0 of every {@link InstanceHistory.minutes}). */
  readonly from: Date;
  /** End of the history, exclusive. */
  readonly to: Date;
  /** One pass every `scheduleMs` (see `scheduleIntervalMs`). */
  readonly scheduleMs: number;
}

/** Options of a replay beyond the window. */
interface ReplayOptions {
  /**
   * The GPU level that makes a minute "busy again" for false kills.
   * @default the config's `idle.threshold` (the sweep passes the base config's, so its rows compare)
   */
  readonly busyThreshold?: number;
}

/**
 * Spend by the GPU maximum of each running minute. `unknown` holds the minutes inside a running stretch that have
 * no datapoint (a gap shorter than 15 minutes): they cost money, but their band cannot be known.
 */
interface SpendByBand {
  readonly below5: number;
  readonly from5to30: number;
  readonly above30: number;
  readonly unknown: number;
}

/** One replayed stop or terminate. */
interface ReplayAction {
  /** The pass that acted, epoch ms. */
  readonly at: number;
  readonly rule: RuleName;
  readonly action: Exclude<Action, 'notify'>;
  /** Spend of the rest of the running stretch after `at`. */
  readonly savedUsd: number;
  /** A minute at or above the busy threshold followed within 6 hours, in the same stretch. */
  readonly falseKill: boolean;
}

/** What one instance spent and what the policy did to it. */
interface InstanceBacktest {
  readonly instanceId: string;
  /** The instance's `Name` tag, for people to recognise it; `null` without one (or when EC2 no longer knows it). */
  readonly name?: string | null;
  readonly instanceType: string;
  readonly owner: string | null;
  readonly region: string;
  readonly hourlyUsd: number | null;
  readonly spendUsd: number;
  readonly spendByBand: SpendByBand;
  /** Running minutes (datapoints plus the short gaps inside stretches). */
  readonly runningMinutes: number;
  /** Running stretches: a gap of 15 minutes or more ends one. */
  readonly stretches: number;
  /** Highest per-minute GPU maximum of the whole history; `null` without any datapoint. */
  readonly maxUtilization: number | null;
  readonly neverUsed: boolean;
  /** Warnings the replay issued (new warnings, not repeats of a pending one). */
  readonly warnings: number;
  readonly actions: readonly ReplayAction[];
}

/** Fleet totals of a backtest. */
interface FleetBacktest {
  readonly instances: number;
  readonly spendUsd: number;
  readonly spendByBand: SpendByBand;
  readonly neverUsed: number;
  readonly warnings: number;
  readonly actions: number;
  readonly savedUsd: number;
  readonly falseKills: number;
  /** Instances whose type has no known price (their spend counts as 0). */
  readonly unpriced: number;
  /**
   * Actions GPU-only judgement takes that a busy host held back, and the false kills among them (the wrong stops
   * host activity avoided); `null` when the history has no EC2 host metrics (judged by the GPUs alone).
   */
  readonly heldByHost?: { readonly actions: number; readonly falseKills: number } | null;
}

/** A replay's answer. */
interface BacktestResult {
  readonly from: Date;
  readonly to: Date;
  readonly scheduleMs: number;
  readonly fleet: FleetBacktest;
  /** In input order; instances out of `scope.tags` are left out. */
  readonly instances: readonly InstanceBacktest[];
  /** How much work the replay did: passes, and the passes that needed the engine's full decision. */
  readonly stats: { readonly passes: number; readonly engineCalls: number };
}

/** One row of a threshold sweep. */
interface SweepRow {
  readonly threshold: number;
  /** `idle.window` as configured text (`30m`, `1h`). */
  readonly window: string;
  readonly actions: number;
  readonly savedUsd: number;
  readonly falseKills: number;
  /** Whether this row is the configured policy. */
  readonly configured: boolean;
}

/** The values a sweep tries; each is merged with the configured one. */
interface SweepGrid {
  /** @default [2, 5, 10, 15] */
  readonly thresholds?: readonly number[];
  /** @default ['30m', '1h', '2h'] */
  readonly windows?: readonly string[];
}

export type {
  BacktestResult,
  FleetBacktest,
  GpuTelemetry,
  HostHistory,
  InstanceBacktest,
  InstanceHistory,
  MinuteSeries,
  ReplayAction,
  ReplayOptions,
  ReplayWindow,
  SpendByBand,
  SweepGrid,
  SweepRow,
};
