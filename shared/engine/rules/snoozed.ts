/**
 * Rule 6, `snoozed`: until `snooze-until`, never-used, idle and no-telemetry do not act. It sits after `expired`
 * and `max-runtime`, which still apply; the snooze is capped at now + `snooze.ceiling`.
 */
import { when } from '../format';
import { TagName } from '../tags';
import type { Rule } from './context';

/** Skips an instance whose snooze has not ended. */
const snoozed: Rule = ({ tags, config, now }) => {
  const until = tags.snoozeUntil;
  if (!until || until <= now) return null;
  const capped = tags.snoozeCapped ? `, capped at the ${config.snooze.ceiling} ceiling` : '';
  return {
    rule: 'snoozed',
    verdict: 'skip',
    reason: `snoozed until ${when(until, now)} (tag ${config.tagPrefix}${TagName.snoozeUntil}${capped})`,
    evidence: { snoozeUntil: until.toISOString(), ...(tags.snoozeCapped ? { snoozeCapped: true } : {}) },
  };
};

export { snoozed };
