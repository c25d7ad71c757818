/**
 * The pending warning of an instance: from the state table when the caller has one, else from the reaper's own
 * `warned` tag (whose time of issue is unknown, so only its promised action time counts; a tag left from an
 * earlier run of the instance is ignored).
 */
import type { Config } from '../config/schema';
import type { RuleContext } from './rules/context';
import type { WarningRule } from './tags';
import type { Action, WarningState } from './types';

/** The config key of each warning rule's action. */
const CONFIGURED_ACTION = {
  unapproved: 'unapproved',
  expired: 'expired',
  'max-runtime': 'maxRuntime',
  'never-used': 'neverUsed',
  idle: 'idle',
} as const satisfies Record<WarningRule, keyof Config['actions']>;

/**
 * The pending warning, or `null`.
 *
 * @param stored the state table's warning: `undefined` reads the `warned` tag instead, `null` means none
 * @param action the action a tag-read warning is taken to promise (the acting rule's action); without it, the
 *   owner's `action` tag or the rule's configured action
 * @example pendingWarning(undefined, context, 'stop') // { rule: 'idle', action: 'stop', actAt, warnedAt: null }
 */
function pendingWarning(
  stored: WarningState | null | undefined,
  context: RuleContext,
  action?: Action,
): WarningState | null {
  if (stored !== undefined) return stored;
  const warned = context.tags.warned;
  // A promise older than the current launch was made to an earlier run (stopped, then started again): stale.
  if (warned === null || warned.actAt < context.instance.launchTime) return null;
  const fallback = context.tags.action ?? context.config.actions[CONFIGURED_ACTION[warned.rule]];
  return { rule: warned.rule, actAt: warned.actAt, action: action ?? fallback, warnedAt: null };
}

export { pendingWarning };
