/**
 * The one-click links of a WARNED message: "keep it for <d>" for each `notifications.links.keepFor` duration and
 * "stop it now" with `stopNow`, each a signed token (token.ts) on the endpoint's URL. Made when the message goes
 * out (the token's expiry is the planned action + 24h, and a late warning's action moves), never stored. Each token
 * names the warning it came with (link-binding.ts): a link outlives its warning only to say so.
 */
import type { Config } from '../config';
import { parseDuration } from '../config';
import type { OwnerLink, ReaperEvent } from '../core/events';
import { linkWarningOf, SNOOZABLE } from './link-binding';
import { type MacKey, newTokenId, type OwnerActionName, signToken } from './token';

/** A token stays good this long after the planned action. */
const LINK_LIFETIME_MS = 24 * 3_600_000;

/** A keep duration as links and pages say it: whole hours in hours (`24h`, not `1d`), else minutes (`90m`). */
function keepText(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;
}

/** What the links are made with. */
interface LinkSettings {
  readonly key: MacKey;
  /** The endpoint's URL; the token goes in its `t` query parameter. */
  readonly baseUrl: string;
  readonly links: Config['notifications']['links'];
  /** `snooze.ceiling`: a keep link never offers more. */
  readonly snoozeCeiling: string;
  /** @default a random 128-bit id per link */
  readonly newId?: () => string;
}

/**
 * The actions a WARNED event offers its owner, with their words: keeps first (shortest first), then stop. Keeps only
 * where a snooze holds the rule back (never for `unapproved`: only an approver's approval does), and never an
 * approval: those are the approvers' (approver-links.ts).
 */
function offeredActions(
  event: ReaperEvent,
  settings: Pick<LinkSettings, 'links' | 'snoozeCeiling'>,
): { action: OwnerActionName; label: string }[] {
  if (event.event !== 'WARNED' || event.actAt === null || event.audience === 'approvers') return [];
  if (event.action !== 'stop' && event.action !== 'terminate') return [];
  const offered: { action: OwnerActionName; label: string; ms: number }[] = [];
  if (event.rule !== null && SNOOZABLE.has(event.rule)) {
    const ceiling = parseDuration(settings.snoozeCeiling) ?? Number.POSITIVE_INFINITY;
    for (const text of settings.links.keepFor) {
      const ms = Math.min(parseDuration(text) ?? 0, ceiling);
      if (ms <= 0 || offered.some((o) => o.ms === ms)) continue;
      offered.push({ action: `keep:${keepText(ms)}`, label: `Keep it for ${keepText(ms)}`, ms });
    }
    offered.sort((a, b) => a.ms - b.ms);
  }
  const list = offered.map(({ action, label }) => ({ action, label }));
  if (settings.links.stopNow) list.push({ action: 'stop', label: 'Stop it now' });
  return list;
}

/**
 * The signed links of `event` (none for any event but a WARNED stop or terminate, and none on the approvers' copy),
 * each bound to this warning.
 * @throws when the key cannot sign (the caller sends the message without links)
 */
async function ownerLinks(event: ReaperEvent, settings: LinkSettings): Promise<OwnerLink[]> {
  if (event.audience === 'approvers') return [];
  return signLinks(event, offeredActions(event, settings), settings);
}

/**
 * Signs one link per offered action of a WARNED event, each bound to its warning and good until the planned action
 * + 24h; none when nothing is offered or the event names no planned action. Shared by the owner's and the approvers'
 * links, so both are made, and later checked, the same way.
 * @throws when the key cannot sign
 */
async function signLinks(
  event: ReaperEvent,
  offered: readonly { readonly action: OwnerActionName; readonly label: string }[],
  settings: Pick<LinkSettings, 'key' | 'baseUrl' | 'newId'>,
): Promise<OwnerLink[]> {
  const warning = linkWarningOf(event);
  if (offered.length === 0 || event.actAt === null || warning === null) return [];
  const expiresAt = new Date(Date.parse(event.actAt) + LINK_LIFETIME_MS);
  const newId = settings.newId ?? newTokenId;
  return Promise.all(
    offered.map(async ({ action, label }) => {
      const claims = {
        account: event.accountId ?? '',
        region: event.region,
        instanceId: event.instanceId,
        action,
        expiresAt,
        id: newId(),
        warning,
      };
      const url = new URL(settings.baseUrl);
      url.searchParams.set('t', await signToken(claims, settings.key));
      return { action, label, url: url.toString(), expiresAt: expiresAt.toISOString() };
    }),
  );
}

export type { LinkSettings };
export { keepText, LINK_LIFETIME_MS, offeredActions, ownerLinks, signLinks };
