/** Rule 1, `opt-out`: the owner's `opt-out` tag (any value but `false`) keeps the reaper away for good. */
import { clip } from '../format';
import type { Rule } from './context';

/**
 * Skips an instance that carries the `opt-out` tag with any value but `false`.
 *
 * @example optOut(context) // { rule: 'opt-out', verdict: 'skip', … } or null
 */
const optOut: Rule = ({ tags }) => {
  const by = tags.optOutBy;
  if (by === null) return null;
  return {
    rule: 'opt-out',
    verdict: 'skip',
    reason: `opted out by tag ${clip(by.key)}=${JSON.stringify(clip(by.value))}`,
    evidence: {},
  };
};

export { optOut };
