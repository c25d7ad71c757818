/**
 * The fleet audit of a period (docs/json-output.md, "report"): the seed audit's numbers for your own fleet, from
 * CloudWatch history with the backtest's definitions (spend of a minute = hourlyUsd / 60; its band by the GPU
 * maximum: below 5, 5 to 30, above 30; never used = the GPU maximum never reached `neverUsed.threshold`; a run = one
 * running stretch, a gap of 15 minutes or more ends it). `gpu-reaper report` prints it as JSON (`fleet`), as a table
 * and as an HTML page; the weekly digest says its headline numbers.
 */

/** Spend by the GPU maximum of each running minute, USD to the cent; `unknown`: running minutes with no datapoint. */
interface FleetBands {
  readonly below5: number;
  readonly from5to30: number;
  readonly above30: number;
  readonly unknown: number;
}

/** One group of a `report.groupBy` tag (its value, `(untagged)` without one). */
interface FleetGroup {
  readonly instances: number;
  readonly spendUsd: number;
  readonly spendByBand: FleetBands;
  readonly neverUsed: number;
}

/** One run: a running stretch of one instance, with the share of its minutes at or above `idle.threshold`. */
interface FleetRun {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly owner: string | null;
  /** ISO; the stretch's first minute. */
  readonly start: string;
  /** ISO, the minute after its last; `null` when still running at the end of the period. */
  readonly end: string | null;
  readonly spendUsd: number;
  /** Minutes at or above `idle.threshold` over its minutes with a datapoint, 0–1. */
  readonly busyShare: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** A multi-GPU instance that never used all its GPUs at once: the smallest same-family type with enough GPUs. */
interface RightSizing {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly gpus: number;
  /** The most GPUs at or above `idle.threshold` in one minute (period) over the audit. */
  readonly gpusEverBusy: number;
  readonly suggestedType: string;
  /** (its price − the suggested type's) × its running hours, scaled to one week. */
  readonly weeklySavingUsd: number;
}

/** A multi-GPU instance right-sizing cannot judge: its telemetry is a rollup over its GPUs, not per GPU. */
interface RightSizingUnjudged {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly gpus: number;
  readonly reason: string;
}

/** A team's month to date against its budget (as `report`'s `budgets`). */
interface FleetBudget {
  readonly team: string;
  readonly monthUsd: number;
  readonly budgetUsd: number;
  readonly share: number;
}

/** A region whose history could not be read: the audit covers the other regions, and says so. */
interface FleetRegionError {
  readonly region: string;
  /** What failed, one line (the AWS call and its error). */
  readonly error: string;
}

/** The `fleet` section of the report document. */
interface FleetAudit {
  readonly from: string;
  readonly to: string;
  /** Instances with at least one running minute in the period. */
  readonly instances: number;
  readonly spendUsd: number;
  readonly spendByBand: FleetBands;
  readonly neverUsed: number;
  /** By each `report.groupBy` tag key, by its value. */
  readonly groups: Readonly<Record<string, Readonly<Record<string, FleetGroup>>>>;
  /** The 20 costliest runs, costliest first. */
  readonly runs: readonly FleetRun[];
  /** Largest weekly saving first. A suggestion only: never an action. */
  readonly rightSizing: readonly RightSizing[];
  /** Multi-GPU instances right-sizing could not judge (rollup-only telemetry), so nobody reads silence as a fit. */
  readonly rightSizingUnjudged: readonly RightSizingUnjudged[];
  /** With budgets on: each team's month to date. */
  readonly budgets?: readonly FleetBudget[];
  /** The regions whose history was read (the config's `regions`, else the home region). @default not said */
  readonly regions?: readonly string[];
  /** Regions whose history could not be read (their instances are missing from every number). @default none */
  readonly regionErrors?: readonly FleetRegionError[];
}

export type {
  FleetAudit,
  FleetBands,
  FleetBudget,
  FleetGroup,
  FleetRegionError,
  FleetRun,
  RightSizing,
  RightSizingUnjudged,
};
