export { AgentConfig, type AgentConfigProps, agentConfigDocument, GPU_MEASUREMENTS } from './agent-config';
export {
  type ApproverPolicyProps,
  approvalTagKey,
  approverStatements,
  createApproverPolicy,
} from './approval-policy';
export { type AuditTableOptions, createAuditTable } from './audit-table';
export { ChatNotifications, type ChatNotificationsProps, keepButtonText } from './chat-notifications';
export { GpuReaper } from './gpu-reaper';
export { LAUNCH_PATTERN, LaunchTrigger, type LaunchTriggerProps } from './launch-trigger';
export { Monitoring, type MonitoringProps, missedRunWindow, type ReaperAlarms } from './monitoring';
export { Notifications, type NotificationsProps } from './notifications';
export { OWNER_TABLE_ACTIONS, OwnerActions, type OwnerActionsProps } from './owner-actions';
export {
  DEFAULT_GPU_INSTANCE_TYPES,
  type Ec2PermissionOptions,
  ec2PolicyStatements,
  grantReaperRole,
  instanceTypePatterns,
  NEURON_INSTANCE_TYPES,
  READ_ACTIONS,
  type ReaperGrantOptions,
  reaperTagKeys,
  TABLE_ACTIONS,
} from './permissions';
export type { GpuReaperConfigProps, GpuReaperInfraProps, GpuReaperProps } from './props';
export { functionEntry, GpuReaperFunction, type GpuReaperFunctionProps, REPO_ROOT } from './reaper-function';
export { ScheduledInvoke, type ScheduledInvokeProps, schedulePeriod } from './schedule';
export { GpuReaperPropsError } from './validate-props';
export { DEFAULT_DIGEST_SCHEDULE, WeeklyDigest, type WeeklyDigestProps } from './weekly-digest';
