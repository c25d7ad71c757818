/**
 * Rule 3, `managed-by-asg`: Auto Scaling group members. With `actions.asgMembers: skip` (the default) they are left
 * to their group; otherwise they are evaluated like any instance and `asgMembers` replaces the action of the rule
 * that acts (the group may replace a stopped member, so the admin chooses).
 */
import type { Config } from '../../config/schema';
import type { Action, InstanceFacts } from '../types';
import type { Rule } from './context';

/** The tag EC2 Auto Scaling puts on its members. */
const ASG_TAG_KEY = 'aws:autoscaling:groupName';

/** Skips an Auto Scaling group member when `actions.asgMembers` is `skip`. */
const managedByAsg: Rule = ({ instance, config }) => {
  const group = instance.tags[ASG_TAG_KEY];
  if (group === undefined || config.actions.asgMembers !== 'skip') return null;
  return {
    rule: 'managed-by-asg',
    verdict: 'skip',
    reason: `member of Auto Scaling group ${JSON.stringify(group)} (actions.asgMembers: skip)`,
    evidence: { autoScalingGroup: group },
  };
};

/**
 * The action that replaces an acting rule's action for an Auto Scaling group member, or `null` for other instances.
 *
 * @example asgAction(member, parseConfig({ actions: { asgMembers: 'notify' } })) // 'notify'
 */
function asgAction(instance: InstanceFacts, config: Config): Action | null {
  const mode = config.actions.asgMembers;
  return instance.tags[ASG_TAG_KEY] === undefined || mode === 'skip' ? null : mode;
}

export { ASG_TAG_KEY, asgAction, managedByAsg };
