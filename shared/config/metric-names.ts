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
} as const;

export { ReaperMetrics };
