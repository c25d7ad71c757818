/**
 * The links of a WARNED message: one keep per duration (capped by snooze.ceiling, where a snooze holds the rule
 * back), stop now when on, each a verifiable token bound to its warning that expires a day after the planned action;
 * the text names the instance and the planned action, and without links the tag instructions stand alone.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import type { ReaperEvent } from '../../../shared/core/events';
import { withOwnerLinks } from '../../../shared/owner-actions/linking-publisher';
import { offeredActions, ownerLinks } from '../../../shared/owner-actions/owner-links';
import { verifyToken } from '../../../shared/owner-actions/token';
import { renderNotification } from '../../../shared/render/notifications/notification';
import { reaperEvent } from '../../helpers/events';
import { memoryMacKey } from '../../helpers/memory-mac-key';

const config = parseConfig({});
const settings = (key = memoryMacKey()) => ({
  key,
  baseUrl: 'https://abc.lambda-url.us-east-1.on.aws/',
  links: config.notifications.links,
  snoozeCeiling: config.snooze.ceiling,
});
const warned = (over: Partial<ReaperEvent> = {}): ReaperEvent =>
  reaperEvent({
    instanceId: 'i-0123456789abcdef0',
    event: 'WARNED',
    rule: 'idle',
    action: 'stop',
    actAt: '2026-11-21T13:30:00.000Z',
    ...over,
  });

describe('the links of a WARNED message', () => {
  it('offers keep 4h, keep 24h and stop now for an idle warning', () => {
    expect(offeredActions(warned(), settings()).map((o) => o.action)).toEqual(['keep:4h', 'keep:24h', 'stop']);
  });

  it('caps keeps at snooze.ceiling and offers each length once', () => {
    const capped = { ...settings(), snoozeCeiling: '6h' };
    expect(offeredActions(warned(), capped).map((o) => o.action)).toEqual(['keep:4h', 'keep:6h', 'stop']);
  });

  it('offers only stop now where a snooze would not hold the action back (max-runtime, expired)', () => {
    expect(offeredActions(warned({ rule: 'max-runtime' }), settings()).map((o) => o.action)).toEqual(['stop']);
    const off = { ...settings(), links: { ...config.notifications.links, stopNow: false } };
    expect(offeredActions(warned({ rule: 'expired' }), off)).toEqual([]);
  });

  it('offers nothing on other events', () => {
    expect(offeredActions(warned({ event: 'STOPPED' }), settings())).toEqual([]);
  });

  it('makes tokens that verify, name the instance and action, and expire a day after the planned action', async () => {
    const key = memoryMacKey();
    const links = await ownerLinks(warned(), settings(key));
    expect(links).toHaveLength(3);
    for (const link of links) {
      const url = new URL(link.url);
      expect(url.origin).toBe('https://abc.lambda-url.us-east-1.on.aws');
      const check = await verifyToken(url.searchParams.get('t')!, key, new Date('2026-11-21T13:00:00.000Z'));
      expect(check).toMatchObject({ ok: true, claims: { instanceId: warned().instanceId, action: link.action } });
      if (check.ok) expect(check.claims.expiresAt.toISOString()).toBe('2026-11-22T13:30:00.000Z');
      // Bound to this warning: its rule, its planned stop, when it was issued, the instance's launch.
      if (check.ok) {
        expect(check.claims.warning).toEqual({
          rule: 'idle',
          actAt: new Date('2026-11-21T13:30:00.000Z'),
          warnedAt: new Date(warned().at),
          launchTime: new Date(warned().evidence.launchTime),
        });
      }
      expect(link.expiresAt).toBe('2026-11-22T13:30:00.000Z');
    }
    expect(new Set(links.map((l) => l.url)).size).toBe(3);
  });

  it('puts the links in the text and the JSON, naming the instance and the planned action, tags still offered', async () => {
    const published: ReaperEvent[] = [];
    const publisher = withOwnerLinks({ publish: async (event: ReaperEvent) => published.push(event) }, settings());
    await publisher.publish(warned());
    const { text, json } = renderNotification(published[0]!);
    expect(text).toContain('Answer in one click');
    expect(text).toMatch(
      /Keep it for 4h: i-\w+, and withdraw the planned stop at 2026-11-21 13:30 UTC\n\s+https:\/\/abc\.lambda-url/,
    );
    expect(text).toMatch(/Stop it now: i-\w+, instead of the planned stop at 2026-11-21 13:30 UTC/);
    expect(text).toContain('snooze-until');
    expect(json.links?.map((l) => l.action)).toEqual(['keep:4h', 'keep:24h', 'stop']);
  });

  it('sends the warning without links, tag instructions only, when signing fails', async () => {
    const published: ReaperEvent[] = [];
    const problems: string[] = [];
    const broken = {
      ...settings(),
      key: { generate: async () => Promise.reject(new Error('KMS down')), verify: async () => false },
    };
    const publisher = withOwnerLinks({ publish: async (e: ReaperEvent) => published.push(e) }, broken, (m) =>
      problems.push(m),
    );
    await publisher.publish(warned());
    expect(published[0]?.links).toBeUndefined();
    expect(renderNotification(published[0]!).text).not.toContain('Answer in one click');
    expect(renderNotification(published[0]!).text).toContain('To keep it running, set one of these tags');
    expect(problems).toHaveLength(1);
  });
});
