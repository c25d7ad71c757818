import { describe, expect, it } from 'vitest';
import type { OwnerLink, ReaperEvent } from '../../../../shared/core/events';
import { chatbotMessage } from '../../../../shared/render/notifications/chatbot-message';
import { reaperEvent } from '../../../helpers/events';

const makeEvent = (overrides: Partial<ReaperEvent> = {}): ReaperEvent => reaperEvent(overrides);
const link = (action: OwnerLink['action'], label: string, token: string): OwnerLink => ({
  action,
  label,
  url: `https://abc.lambda-url.us-east-1.on.aws/?t=${token}`,
  expiresAt: '2024-05-02T14:05:00.000Z',
});
const LINKS = [
  link('keep:4h', 'Keep it for 4h', 'tok4h'),
  link('keep:24h', 'Keep it for 24h', 'tok24h'),
  link('stop', 'Stop it now', 'tokstop'),
];

describe('chatbotMessage', () => {
  it('is an AWS Chatbot custom notification: version 1.0, source custom, title, description, next steps', () => {
    const message = chatbotMessage(makeEvent({ links: LINKS }));
    expect(message).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: 't-1',
      content: {
        textType: 'client-markdown',
        title: '[gpu-reaper] WARNED i-0abc (g5.12xlarge): idle - stop at 14:05 UTC',
        keywords: ['WARNED', 'idle', 'enforce'],
      },
      metadata: {
        threadId: 'gpu-reaper-123456789012-us-east-1-i-0abc',
        eventType: 'gpu-reaper-WARNED',
        relatedResources: ['i-0abc'],
      },
    });
    expect(message.content.description).toMatch(
      /^GPU instance i-0abc \(g5\.12xlarge\) in us-east-1 will be stopped at/,
    );
    expect(message.content.description).toContain('Owner: alice@example.com');
    // The whole document is plain JSON, as Chatbot reads it from the SNS message body.
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  });

  it('carries the instance, account and region, and the shortest keep token for the Keep button', () => {
    const { additionalContext } = chatbotMessage(makeEvent({ links: LINKS })).metadata;
    expect(additionalContext).toEqual({
      instanceId: 'i-0abc',
      accountId: '123456789012',
      region: 'us-east-1',
      event: 'WARNED',
      rule: 'idle',
      mode: 'enforce',
      actAt: '2024-05-01T14:05:00.000Z',
      keepToken: 'tok4h',
    });
  });

  it('offers the signed links as Slack links in the next steps', () => {
    const { nextSteps } = chatbotMessage(makeEvent({ links: LINKS })).content;
    expect(nextSteps).toEqual([
      '<https://abc.lambda-url.us-east-1.on.aws/?t=tok4h|Keep it for 4h> (a page opens to confirm)',
      '<https://abc.lambda-url.us-east-1.on.aws/?t=tok24h|Keep it for 24h> (a page opens to confirm)',
      '<https://abc.lambda-url.us-east-1.on.aws/?t=tokstop|Stop it now> (a page opens to confirm)',
    ]);
  });

  it('has no keep token (so no button) without a keep link, and names the tags instead', () => {
    const message = chatbotMessage(makeEvent({ links: [link('stop', 'Stop it now', 'tokstop')] }));
    expect(message.metadata.additionalContext).not.toHaveProperty('keepToken');
    const untagged = chatbotMessage(makeEvent());
    expect(untagged.metadata.additionalContext).not.toHaveProperty('keepToken');
    expect(untagged.content.nextSteps).toEqual([expect.stringContaining('gpu-reaper:snooze-until')]);
  });

  it('keeps every event of an instance in one thread, with no button after the warning', () => {
    const warned = chatbotMessage(makeEvent({ links: LINKS }));
    const snoozed = chatbotMessage(
      makeEvent({
        event: 'SNOOZED',
        rule: 'snoozed',
        by: 'owner',
        evidence: { ...reaperEvent().evidence, snoozeUntil: '2024-05-01T17:35:00Z' },
      }),
    );
    expect(snoozed.metadata.threadId).toBe(warned.metadata.threadId);
    expect(snoozed.metadata.additionalContext).not.toHaveProperty('keepToken');
    expect(snoozed.content.nextSteps).toEqual([]);
    expect(snoozed.content.description).toContain('at your request');
  });

  it('escapes Slack markup in owner-controlled text, so a tag cannot forge a link', () => {
    const message = chatbotMessage(makeEvent({ owner: '<https://evil.example|Keep it> & co' }));
    expect(message.content.description).toContain('Owner: &lt;https://evil.example|Keep it&gt; &amp; co');
    expect(message.content.description).not.toContain('<https://evil');
  });

  it('says [DRY RUN] in dry-run', () => {
    const message = chatbotMessage(makeEvent({ mode: 'dry-run' }));
    expect(message.content.title.startsWith('[gpu-reaper][DRY RUN]')).toBe(true);
    expect(message.content.description).toMatch(/^\[DRY RUN\]/);
  });
});
