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
} as const;

export { ReaperMetrics };
