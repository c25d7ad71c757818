/** Rule 4, `expired`: the owner's `expires-at` tag sets a deadline; the warning goes out `warnAhead` before it. */
import { when } from '../format';
import { TagName } from '../tags';
import type { Rule } from './context';

/**
 * Finds the `expires-at` deadline. The finding exists as soon as the tag does; whether it holds yet (warn window
 * reached, deadline reached) is the decision's call.
 */
const expired: Rule = ({ tags, config, policy, now }) => {
  const deadline = tags.expiresAt;
  if (!deadline) return null;
  const tag = `tag ${config.tagPrefix}${TagName.expiresAt}`;
  return {
    rule: 'expired',
    verdict: 'act',
    action: config.actions.expired,
    deadline,
    warnFrom: new Date(deadline.getTime() - policy.warnAheadMs),
    reason: `${now >= deadline ? 'expired' : 'expires'} at ${when(deadline, now)} (${tag})`,
    evidence: { expiresAt: deadline.toISOString(), deadline: deadline.toISOString() },
  };
};

export { expired };
