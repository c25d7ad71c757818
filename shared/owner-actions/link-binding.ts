/**
 * A link belongs to the warning it came with: its rule, its planned action and the instance's launch. Once that
 * warning is no longer the one pending (cleared, acted on, replaced by another rule's warning, the instance
 * restarted), the link changes nothing. Pure: the stored warning and the instance's launch come in.
 */
import type { ReaperEvent } from '../core/events';
import type { StoredWarning } from '../core/ports';
import type { LinkWarning } from './token';

/** Rules a snooze holds back: only for them does "keep it" keep it (max-runtime and expiry still apply). */
const SNOOZABLE: ReadonlySet<string> = new Set(['idle', 'never-used']);

/** Tokens carry instants in whole seconds: every comparison is made at that grain. */
const seconds = (at: Date | string) => Math.floor(new Date(at).getTime() / 1000);

/**
 * The warning a WARNED event's links are bound to; `null` for any other event, or one without a planned action.
 *
 * @example linkWarningOf(warned) // { rule: 'idle', actAt, warnedAt: new Date(warned.at), launchTime }
 */
function linkWarningOf(event: ReaperEvent): LinkWarning | null {
  if (event.event !== 'WARNED' || event.rule === null || event.actAt === null) return null;
  const launch = Date.parse(event.evidence.launchTime);
  if (Number.isNaN(launch)) return null;
  return {
    rule: event.rule,
    actAt: new Date(event.actAt),
    warnedAt: new Date(event.at),
    launchTime: new Date(launch),
  };
}

/**
 * True when `link` is the warning pending on the instance now: `stored` is the state table's warning (not yet
 * acted on) for the same rule, on the same launch as `launchTime` (the instance's, read fresh; `null` when it is
 * gone), promising the same action time. A message delivered late names a later time than the one stored (the
 * grace runs from delivery), so a warning issued at the same instant is the same warning too.
 *
 * @example isPendingWarning(linkWarningOf(warned)!, stored, fresh.launchTime) // false once `stored` is another rule's
 */
function isPendingWarning(link: LinkWarning, stored: StoredWarning | null, launchTime: Date | null): boolean {
  if (stored === null || stored.phase === 'acted' || launchTime === null) return false;
  if (stored.rule !== link.rule) return false;
  const launch = seconds(link.launchTime);
  if (seconds(launchTime) !== launch) return false;
  if (stored.launchTime !== null && seconds(stored.launchTime) !== launch) return false;
  if (seconds(stored.actAt) === seconds(link.actAt)) return true;
  return stored.warnedAt !== null && seconds(stored.warnedAt) === seconds(link.warnedAt);
}

export { isPendingWarning, linkWarningOf, SNOOZABLE };
