/** Rule 1, `opt-out`: the owner's `opt-out` tag (any value but `false`) keeps the reaper away for good. */
import { clip } from '../format';
import { TagName } from '../tags';
import type { Rule } from './context';

/**
 * Skips an instance that carries the `opt-out` tag with any value but `false`.
 *
 * @example optOut(context) // { rule: 'opt-out', verdict: 'skip', … } or null
 */
const optOut: Rule = ({ tags, instance, config }) => {
  const key = `${config.tagPrefix}${TagName.optOut}`;
  const value = instance.tags[key];
  if (!tags.optOut || value === undefined) return null;
  return {
    rule: 'opt-out',
    verdict: 'skip',
    reason: `opted out by tag ${key}=${JSON.stringify(clip(value))}`,
    evidence: {},
  };
};

export { optOut };
