/**
 * Runs the rule registry for one instance: the first rule that holds names the decision. An acting rule holds once
 * its warning is due (now ≥ warn-from with a grace, now ≥ deadline without one, or for a notify/skip action);
 * before that, evaluation goes on to lower-priority rules, so an instance hours before its max runtime can still
 * be idle.
 */
import { type ActionPlan, resolveAction } from './resolve-action';
import type { ActingFinding, PassiveFinding, RuleContext } from './rules/context';
import { RULES } from './rules/index';

/** The rule that holds, with the resolved action plan for an acting rule (`null` for skip and notify findings). */
type Holding =
  | { readonly finding: PassiveFinding; readonly plan: null }
  | { readonly finding: ActingFinding; readonly plan: ActionPlan };

/** When an acting finding starts to hold: the warning time when it will warn, else the deadline. */
function holdsFrom(finding: ActingFinding, plan: ActionPlan, context: RuleContext): Date {
  const warns = plan.kind === 'act' && context.policy.graceMs > 0;
  return (warns ? finding.warnFrom : finding.deadline) ?? context.now;
}

/**
 * The first rule that holds for this context, or `null` when none does.
 *
 * @example firstHolding(context)?.finding.rule // 'idle'
 */
function firstHolding(context: RuleContext): Holding | null {
  for (const entry of RULES) {
    const finding = entry.evaluate(context);
    if (finding === null) continue;
    if (finding.verdict !== 'act') return { finding, plan: null };
    // The owner's `action` tag never softens the admins' approval gate.
    const plan = resolveAction(finding.action, context, finding.rule !== 'unapproved');
    if (context.now >= holdsFrom(finding, plan, context)) return { finding, plan };
  }
  return null;
}

export type { Holding };
export { firstHolding };
