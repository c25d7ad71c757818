/**
 * Which action an acting rule ends with. The configured action of the rule, replaced in turn by the owner's `action`
 * tag, by `actions.asgMembers` for Auto Scaling group members, and, for a stop that EC2 cannot do (instance-store
 * root, one-time Spot), by `actions.whenStopImpossible`.
 */

import type { RuleContext } from './rules/context';
import { asgAction } from './rules/managed-by-asg';
import { TagName } from './tags';
import type { Action, InstanceFacts } from './types';

/** What to do once an acting rule holds: act (warn first), tell the owner only, or leave it. */
type ActionPlan =
  | { readonly kind: 'act'; readonly action: 'stop' | 'terminate'; readonly notes: readonly string[] }
  | { readonly kind: 'notify'; readonly notes: readonly string[] }
  | { readonly kind: 'skip'; readonly notes: readonly string[] };

/**
 * Why EC2 cannot stop this instance, or `null` when it can.
 *
 * @example stopImpossible({ ...instance, rootDeviceType: 'instance-store' }) // 'instance-store root volume'
 */
function stopImpossible(instance: InstanceFacts): string | null {
  if (instance.rootDeviceType === 'instance-store') return 'instance-store root volume';
  if (instance.spot?.requestType === 'one-time') return 'one-time Spot instance';
  return null;
}

/**
 * Resolves the action of an acting rule for one instance; `notes` say what replaced the configured one, and why.
 *
 * @param ownerMayChoose whether the owner's `action` tag applies (not to the admins' approval gate)
 * @example resolveAction('stop', context) // { kind: 'act', action: 'stop', notes: [] }
 */
function resolveAction(configured: Action, context: RuleContext, ownerMayChoose = true): ActionPlan {
  const { instance, tags, config } = context;
  const notes: string[] = [];
  let action = configured;
  if (ownerMayChoose && tags.action !== null && tags.action !== action) {
    action = tags.action;
    notes.push(`action ${action} chosen by tag ${config.tagPrefix}${TagName.action}`);
  }
  const forGroup = asgAction(instance, config);
  if (forGroup !== null && forGroup !== action) {
    action = forGroup;
    notes.push(`Auto Scaling group member: action ${action} (actions.asgMembers)`);
  }
  const impossible = action === 'stop' ? stopImpossible(instance) : null;
  if (impossible !== null) {
    const fallback = config.actions.whenStopImpossible;
    notes.push(`stop impossible (${impossible}): ${fallback} instead (actions.whenStopImpossible)`);
    if (fallback === 'skip') return { kind: 'skip', notes };
    action = fallback;
  }
  return action === 'notify' ? { kind: 'notify', notes } : { kind: 'act', action, notes };
}

export type { ActionPlan };
export { resolveAction, stopImpossible };
