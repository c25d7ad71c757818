/**
 * The approvers' links of an `unapproved` warning: one "Approve for <d>" per `gating.approveFor` duration, capped at
 * maxRuntime.ceiling, each length once, shortest first, each a token bound to the warning like the owner's links;
 * none for any other event. The owner's copy of that warning offers no keep (a snooze does not hold it) and never an
 * approval: at most "Stop it now".
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import type { ReaperEvent } from '../../../shared/core/events';
import { approveActions, approverLinks, asksForApproval } from '../../../shared/owner-actions/approver-links';
import { offeredActions, ownerLinks } from '../../../shared/owner-actions/owner-links';
import { verifyToken } from '../../../shared/owner-actions/token';
import { reaperEvent } from '../../helpers/events';
import { memoryMacKey } from '../../helpers/memory-mac-key';

const config = parseConfig({});
const BASE = 'https://abc.lambda-url.us-east-1.on.aws/';
const approving = (key = memoryMacKey(), over = {}) => ({
  key,
  baseUrl: BASE,
  approveFor: ['24h', '72h'],
  maxRuntimeCeiling: '7d',
  ...over,
});
const owners = (key = memoryMacKey()) => ({
  key,
  baseUrl: BASE,
  links: config.notifications.links,
  snoozeCeiling: config.snooze.ceiling,
});
const unapproved = (over: Partial<ReaperEvent> = {}): ReaperEvent =>
  reaperEvent({
    instanceId: 'i-0123456789abcdef0',
    event: 'WARNED',
    rule: 'unapproved',
    action: 'stop',
    actAt: '2026-11-21T13:15:00.000Z',
    instanceType: 'p4d.24xlarge',
    ...over,
  });
const actionsOf = (list: readonly { action: string }[]) => list.map((l) => l.action);

describe('the approvers’ links of an unapproved warning', () => {
  it('offers one approval per approveFor duration, shortest first, labelled "Approve for <d>"', () => {
    const offered = approveActions(unapproved(), approving(undefined, { approveFor: ['72h', '24h'] }));
    expect(offered).toEqual([
      { action: 'approve:24h', label: 'Approve for 24h' },
      { action: 'approve:72h', label: 'Approve for 72h' },
    ]);
  });

  it('caps each approval at maxRuntime.ceiling and offers each length once', () => {
    const capped = approving(undefined, { approveFor: ['24h', '72h', '96h'], maxRuntimeCeiling: '48h' });
    expect(actionsOf(approveActions(unapproved(), capped))).toEqual(['approve:24h', 'approve:48h']);
    const all = approving(undefined, { approveFor: ['1d', '24h'] });
    expect(actionsOf(approveActions(unapproved(), all))).toEqual(['approve:24h']);
  });

  it.each([
    ['another rule', { rule: 'idle' as const }],
    ['another event', { event: 'CLEARED' as const }],
    ['no planned action', { actAt: null }],
  ])('offers no approval for %s', (_what, over) => {
    expect(asksForApproval(unapproved(over))).toBe(false);
    expect(approveActions(unapproved(over), approving())).toEqual([]);
  });

  it('signs tokens bound to the warning, good until a day after the planned action', async () => {
    const key = memoryMacKey();
    const links = await approverLinks(unapproved(), approving(key));
    expect(actionsOf(links)).toEqual(['approve:24h', 'approve:72h']);
    for (const link of links) {
      expect(link.url.startsWith(BASE)).toBe(true);
      expect(link.expiresAt).toBe('2026-11-22T13:15:00.000Z');
      const check = await verifyToken(new URL(link.url).searchParams.get('t')!, key, new Date('2026-11-21T13:00:00Z'));
      expect(check).toMatchObject({ ok: true, claims: { instanceId: 'i-0123456789abcdef0', action: link.action } });
      if (check.ok) {
        expect(check.claims.warning).toEqual({
          rule: 'unapproved',
          actAt: new Date('2026-11-21T13:15:00.000Z'),
          warnedAt: new Date(unapproved().at),
          launchTime: new Date(unapproved().evidence.launchTime),
        });
      }
    }
    expect(new Set(links.map((l) => l.url)).size).toBe(2);
  });

  it('gives the owner of an unapproved warning no keep and no approval: at most stop now', async () => {
    expect(actionsOf(offeredActions(unapproved(), owners()))).toEqual(['stop']);
    expect(actionsOf(await ownerLinks(unapproved(), owners()))).toEqual(['stop']);
    const noStop = { ...owners(), links: { ...config.notifications.links, stopNow: false } };
    expect(await ownerLinks(unapproved(), noStop)).toEqual([]);
  });

  it('never signs owner links into the approvers’ copy', async () => {
    expect(await ownerLinks(unapproved({ audience: 'approvers' }), owners())).toEqual([]);
    expect(offeredActions(unapproved({ audience: 'approvers' }), owners())).toEqual([]);
  });
});
