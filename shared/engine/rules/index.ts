/**
 * The rule registry: every rule in the priority order of docs/rules.md (the first that holds names the decision), like Cloud
 * Custodian's filter registry. `unapproved` (cost-gating) comes first, before `opt-out`; `snoozed` and the managed-by skips sit after `opt-out` for the rules they cover;
 * `never-used` and `idle` hold only on a host that is not busy, and `gpu-idle-host-busy` (notify) comes last.
 */
import type { RuleName } from '../types';
import type { Rule } from './context';
import { expired } from './expired';
import { gpuIdleHostBusy } from './gpu-idle-host-busy';
import { onQuietHost } from './host-gate';
import { idle } from './idle';
import { managedByAsg } from './managed-by-asg';
import { managedByService } from './managed-by-service';
import { maxRuntime } from './max-runtime';
import { neverUsed } from './never-used';
import { noTelemetry } from './no-telemetry';
import { optOut } from './opt-out';
import { snoozed } from './snoozed';
import { unapproved } from './unapproved';

/** One registered rule: its name and its function. */
interface RuleEntry {
  readonly name: RuleName;
  readonly evaluate: Rule;
}

/** Every rule, highest priority first. */
const RULES: readonly RuleEntry[] = [
  { name: 'unapproved', evaluate: unapproved },
  { name: 'opt-out', evaluate: optOut },
  { name: 'managed-by-service', evaluate: managedByService },
  { name: 'managed-by-asg', evaluate: managedByAsg },
  { name: 'expired', evaluate: expired },
  { name: 'max-runtime', evaluate: maxRuntime },
  { name: 'snoozed', evaluate: snoozed },
  { name: 'never-used', evaluate: onQuietHost(neverUsed) },
  { name: 'idle', evaluate: onQuietHost(idle) },
  { name: 'no-telemetry', evaluate: noTelemetry },
  { name: 'gpu-idle-host-busy', evaluate: gpuIdleHostBusy },
];

export type { ActingFinding, PassiveFinding, Rule, RuleContext, RuleFinding } from './context';
export { expired } from './expired';
export { gpuIdleHostBusy } from './gpu-idle-host-busy';
export { heldByHost, judgeHost, onQuietHost } from './host-gate';
export { idle } from './idle';
export { ASG_TAG_KEY, asgAction, managedByAsg } from './managed-by-asg';
export { managedByService, SERVICE_TAG_KEYS, serviceTagKey } from './managed-by-service';
export { maxRuntime } from './max-runtime';
export { neverUsed } from './never-used';
export { noTelemetry } from './no-telemetry';
export { optOut } from './opt-out';
export { snoozed } from './snoozed';
export { approvalsCount, gateOf, managedElsewhere, unapproved } from './unapproved';
export type { RuleEntry };
export { RULES };
