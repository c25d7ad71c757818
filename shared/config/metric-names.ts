/**
 * The reaper's own CloudWatch metrics (published as EMF by the Lambda), shared by `functions/` and by `infra/`
 * (alarms and the dashboard read them).
 */
const ReaperMetrics = {
  namespace: 'GpuReaper',
  service: 'gpu-reaper',
  instancesScanned: 'InstancesScanned',
  warned: 'InstancesWarned',
  /** Published with a `Rule` dimension as well as without. */
  acted: 'InstancesActed',
  notified: 'InstancesNotified',
  errors: 'Errors',
  passDuration: 'PassDurationMs',
  passCompleted: 'PassCompleted',
  /** Instances a pass left to the next one because it ran short of time. */
  deferred: 'InstancesDeferred',
  /**
   * One target's pass failed (role not assumable, throttled, region off), published by the worker only on failure
   * with `AccountId` and `Region` dimensions: one series per failing target, none (and no cost) for healthy ones.
   */
  targetFailed: 'TargetPassFailed',
  /** Targets the dispatcher enqueued in one tick; those still leased (in flight) are counted in `targetsBusy`. */
  targetsEnqueued: 'TargetsEnqueued',
  /**
   * Targets the dispatcher skipped in one tick because their previous message was still in flight; published as 1
   * by the single-account reaper when an invocation backs off because the previous pass still holds its lease.
   */
  targetsBusy: 'TargetsStillInFlight',
  /** Quiet targets (no GPU instance at their last pass) a tick left out because they are not due yet. */
  targetsQuiet: 'TargetsQuiet',
  /** Quiet targets a launch event woke and enqueued at once. */
  targetsWoken: 'TargetsWoken',
} as const;

export { ReaperMetrics };
