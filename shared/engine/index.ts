/**
 * The pure rule engine: instances, GPU telemetry, config and the clock in; decisions out. Imports nothing from
 * AWS, the file system, the network or the environment.
 */
export { buildContext } from './build-context';
export type { BrakeReads, FleetDecision, TelemetryBrake } from './decide-fleet';
export { decideFleet, limitFleet } from './decide-fleet';
export type { InstanceInput } from './decide-instance';
export { decideInstance } from './decide-instance';
export type { Holding } from './evaluate-rules';
export { firstHolding } from './evaluate-rules';
export { clip, MAX_QUOTED } from './format';
export { type Accelerator, DEFAULT_ACCELERATORS, gpuCountLabel, isAcceleratedFor } from './gpu-count';
export { classifyHost, describeHost, type HostEvidence, publishingPeriodMs } from './host-activity';
export { HOST_SPAN_CAP_MS, hostReadFrom, hostWindowOf } from './host-window';
export { idleCostUsd, idleRunMinutes } from './idle-run';
export { pendingWarning } from './pending-warning';
export type { Policy } from './policy';
export { policyOf } from './policy';
export {
  busyInWindowUntil,
  NEVER,
  nextTelemetryRead,
  OUT_OF_REACH_READ_MS,
  outOfReachRead,
  surelyOutOfReach,
  unreadTelemetry,
} from './read-schedule';
export type { ActionPlan } from './resolve-action';
export { resolveAction, stopImpossible } from './resolve-action';
export type { ActingFinding, PassiveFinding, Rule, RuleContext, RuleEntry, RuleFinding } from './rules/index';
export { ASG_TAG_KEY, RULES, SERVICE_TAG_KEYS, serviceTagKey } from './rules/index';
export { isInScope, lookbackMs, quietSpanMs } from './scope';
export type { Summary } from './summary';
export { summarize } from './summary';
export type { ReadTags, WarningRule } from './tags';
export { formatWarnedTag, parseInstant, readTags, TagName, WARNING_RULES } from './tags';
export type { WindowStats } from './telemetry';
export { GpuActivity, gpuActivity, MINUTE_MS, normalizePoints, windowStats } from './telemetry';
export type {
  Action,
  BudgetStanding,
  Decision,
  Evidence,
  GpuInfo,
  GpuPoint,
  GpuSource,
  GpuTelemetry,
  HostEvidenceOut,
  HostPoint,
  HostSamples,
  InstanceFacts,
  Outcome,
  RuleName,
  TagProblem,
  TelemetrySource,
  WarningChange,
  WarningState,
} from './types';
export { OUTCOMES } from './types';
export type { WarnThenAct, WarnThenActInput } from './warn-then-act';
export { warnThenAct } from './warn-then-act';
