/**
 * The approvers' one-click links of an `unapproved` warning: "Approve for <d>" for each `gating.approveFor` duration,
 * each capped at `maxRuntime.ceiling` (an approval never allows more), shortest first, each length once. Signed and
 * bound to the warning exactly as the owner's links are (owner-links.ts, link-binding.ts), and only ever put in the
 * approvers' copy of the message: the owner's copy never carries them.
 */
import { parseDuration } from '../config';
import type { OwnerLink, ReaperEvent } from '../core/events';
import { keepText, type LinkSettings, signLinks } from './owner-links';
import type { OwnerActionName } from './token';

/** The approve durations when budgets put a team under the gate but `gating` is off (its own default). */
const DEFAULT_APPROVE_FOR: readonly string[] = ['24h', '72h'];

/** What the approve links are made with. */
interface ApproverLinkSettings extends Pick<LinkSettings, 'key' | 'baseUrl' | 'newId'> {
  /** `gating.approveFor`: one link per duration. */
  readonly approveFor: readonly string[];
  /** `maxRuntime.ceiling`: no link approves for longer. */
  readonly maxRuntimeCeiling: string;
}

/** True for the event an approvers' copy is made of: a WARNED `unapproved` with a planned action. */
function asksForApproval(event: ReaperEvent): boolean {
  return event.event === 'WARNED' && event.rule === 'unapproved' && event.actAt !== null;
}

/**
 * The approvals an `unapproved` warning offers, with their words (`Approve for 24h`); none for any other event.
 *
 * @example approveActions(warned, { approveFor: ['24h', '72h'], maxRuntimeCeiling: '48h' }).map((a) => a.action)
 *   // ['approve:24h', 'approve:48h']
 */
function approveActions(
  event: ReaperEvent,
  settings: Pick<ApproverLinkSettings, 'approveFor' | 'maxRuntimeCeiling'>,
): { action: OwnerActionName; label: string }[] {
  if (!asksForApproval(event)) return [];
  const ceiling = parseDuration(settings.maxRuntimeCeiling) ?? Number.POSITIVE_INFINITY;
  const offered: { action: OwnerActionName; label: string; ms: number }[] = [];
  for (const text of settings.approveFor) {
    const ms = Math.min(parseDuration(text) ?? 0, ceiling);
    if (ms <= 0 || offered.some((o) => o.ms === ms)) continue;
    offered.push({ action: `approve:${keepText(ms)}`, label: `Approve for ${keepText(ms)}`, ms });
  }
  return offered.sort((a, b) => a.ms - b.ms).map(({ action, label }) => ({ action, label }));
}

/**
 * The signed approve links of an `unapproved` warning, each bound to it; none for any other event.
 * @throws when the key cannot sign (the caller sends the approvers' copy without links)
 */
function approverLinks(event: ReaperEvent, settings: ApproverLinkSettings): Promise<OwnerLink[]> {
  return signLinks(event, approveActions(event, settings), settings);
}

export type { ApproverLinkSettings };
export { approveActions, approverLinks, asksForApproval, DEFAULT_APPROVE_FOR };
