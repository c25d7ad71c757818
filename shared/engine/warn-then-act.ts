/**
 * Warn, then act (docs/rules.md): no instance is stopped or terminated without a warning delivered at least
 * `warning.grace` earlier, and a planned action time is a promise: no config change (a grace shortened, even to 0)
 * moves it earlier. Deadline rules are warned `warnAhead` before their deadline so the action lands on it; an instance first
 * seen past its deadline is warned now. A grace of 0 turns warnings off.
 */
import { formatDuration } from '../config/durations';
import { instant, when } from './format';
import type { RuleName, WarningChange, WarningState } from './types';

/** What the warn-then-act step is asked about. */
interface WarnThenActInput {
  readonly rule: RuleName;
  readonly action: 'stop' | 'terminate';
  /** The rule's deadline; `null` for conditions that hold now. */
  readonly deadline: Date | null;
  /** The pending warning, if any (for any rule). */
  readonly warning: WarningState | null;
  readonly graceMs: number;
  readonly now: Date;
}

/** The warn-then-act answer: warn (new or pending) or act, when, and the warning-state change. */
interface WarnThenAct {
  readonly outcome: 'warn' | 'act';
  readonly actAt: Date;
  readonly change: WarningChange;
  /** The part of the reason that says what was or will be done, and when. */
  readonly note: string;
}

/**
 * When a kept warning lets the action happen: its promise (which no config change moves earlier), its grace
 * counted from delivery, and the (possibly moved) deadline.
 */
function dueAt(warning: WarningState, deadline: Date | null, graceMs: number): number {
  const delivered = warning.deliveredAt ?? warning.warnedAt;
  return Math.max(
    warning.actAt.getTime(),
    delivered === null ? Number.NEGATIVE_INFINITY : delivered.getTime() + graceMs,
    deadline === null ? Number.NEGATIVE_INFINITY : deadline.getTime(),
  );
}

/** A warning whose message has not reached the owner yet: the action waits for a full grace after delivery. */
function undelivered(same: WarningState, input: WarnThenActInput): WarnThenAct {
  const { action, deadline, graceMs, now } = input;
  const earliest = new Date(Math.max(dueAt(same, deadline, graceMs), now.getTime() + graceMs));
  return {
    outcome: 'warn',
    actAt: earliest,
    change: { kind: 'none' },
    note:
      `the warning has not reached the owner yet (kept for the next pass), so no ${action} before ` +
      `${formatDuration(graceMs)} after it does: ${when(earliest, now)} at the earliest`,
  };
}

/**
 * Decides between warning and acting for a rule that holds with a stop or terminate.
 *
 * @example warnThenAct({ rule: 'idle', action: 'stop', deadline: null, warning: null, graceMs: 1_800_000, now })
 *   // { outcome: 'warn', actAt: now + 30m, change: { kind: 'warn', … }, … }
 */
function warnThenAct(input: WarnThenActInput): WarnThenAct {
  const { rule, action, deadline, warning, graceMs, now } = input;
  const same = warning !== null && warning.rule === rule && warning.action === action ? warning : null;
  if (same === null && graceMs === 0) {
    const acted = { rule, action, actAt: now, warnedAt: null };
    return {
      outcome: 'act',
      actAt: now,
      change: { kind: 'act', warning: acted },
      note: `${action} now (warning.grace 0m)`,
    };
  }
  if (same !== null) {
    if (graceMs > 0 && same.deliveredAt === null) return undelivered(same, input);
    const due = new Date(dueAt(same, deadline, graceMs));
    const warned = same.warnedAt === null ? 'warned' : `warned at ${instant(same.warnedAt, now)}`;
    if (now >= due) {
      return {
        outcome: 'act',
        actAt: due,
        change: { kind: 'act', warning: same },
        note: `${warned}; ${action} due since ${when(due, now)}`,
      };
    }
    return { outcome: 'warn', actAt: due, change: { kind: 'none' }, note: `${warned}; ${action} at ${when(due, now)}` };
  }
  const actAt = new Date(Math.max(deadline?.getTime() ?? now.getTime(), now.getTime() + graceMs));
  const replaces = warning === null ? '' : ` (replaces the warning for ${warning.rule}, ${warning.action})`;
  return {
    outcome: 'warn',
    actAt,
    change: { kind: 'warn', warning: { rule, action, actAt, warnedAt: now } },
    note: `will ${action} at ${when(actAt, now)} unless this changes${replaces}`,
  };
}

export type { WarnThenAct, WarnThenActInput };
export { warnThenAct };
