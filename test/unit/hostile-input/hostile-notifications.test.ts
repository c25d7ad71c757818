/**
 * Hostile tag values as people and machines see them: the SNS message (subject, text, JSON variants, routing
 * attributes) and the CLI's decision table. Each must stay printable, bounded and free of forged lines.
 */
import { describe, expect, it } from 'vitest';
import { AUDIT_EVENTS, type AuditEventName } from '../../../shared/core/events';
import type { Decision } from '../../../shared/engine';
import { buildEvent, type PassStamp } from '../../../shared/pass/event-builder';
import { routingAttributes, snsMessage } from '../../../shared/render/notifications/sns-message';
import { renderDecisionTable } from '../../../shared/render/tables/decision-table';
import { decide, NOW, points, reaperTags, telemetry } from '../engine/fixtures';
import {
  codePoints,
  HOSTILE_VALUES,
  LONE_SURROGATE,
  PARSED_TAGS,
  PRINTABLE_ASCII,
  UNSAFE,
  wellFormed,
} from './hostile-values';

const stamp: PassStamp = {
  passId: '20250602T120000Z-abcdef',
  now: NOW,
  mode: 'dry-run',
  configHash: '0123456789ab',
  tagPrefix: 'gpu-reaper:',
  accountIdOf: () => '123456789012',
};

/**
 * A decision for an idle instance whose Owner and every reaper tag but opt-out carry `value`. The Owner is made
 * well-formed as the SDK would deliver it; the reaper tags are taken as they are (the engine cleans what it quotes).
 */
function hostileDecision(value: string): Decision {
  const reaper = reaperTags(Object.fromEntries(PARSED_TAGS.map((tag) => [tag, value])));
  const tags = { Owner: wellFormed(value), ...reaper };
  return decide({ instance: { tags }, telemetry: telemetry(points(1)) });
}

/** Every event a decision like this can become, with the reason carry-out gives a tag-problem notice. */
function eventsOf(decision: Decision) {
  const problem = decision.tagProblems[0];
  const notice = problem ? `tag ${problem.tag}=${JSON.stringify(problem.value)} ignored: ${problem.message}` : '';
  return AUDIT_EVENTS.map((name: AuditEventName) =>
    buildEvent(stamp, decision, name, name === 'NOTIFIED' ? { reason: notice, key: 'tag' } : {}),
  );
}

describe.each(HOSTILE_VALUES)('a notification about tags holding %s', (_, value) => {
  const decision = hostileDecision(value);

  it.each(eventsOf(decision).map((event) => [event.event, event] as const))(
    'keeps the %s message printable, bounded and parseable',
    (_name, event) => {
      const { subject, text, message } = snsMessage(event, NOW);

      expect(subject).toMatch(PRINTABLE_ASCII);
      expect(subject.length).toBeLessThanOrEqual(100);
      expect(subject.startsWith('[gpu-reaper][DRY RUN] ')).toBe(true);
      expect(text).not.toMatch(UNSAFE);
      expect(text).not.toMatch(LONE_SURROGATE);
      expect(text.length).toBeLessThan(12_000);
      const ownerLine = text.split('\n').find((line) => line.startsWith('  Owner: ')) ?? '';
      expect(codePoints(ownerLine)).toBeLessThanOrEqual('  Owner: '.length + 200);
      // Forged headers stay inside their line: no line of the text starts with what the tag tried to inject.
      expect(text.split('\n').some((line) => /^(Subject|Bcc):/.test(line))).toBe(false);

      const body = JSON.parse(message) as Record<string, string>;
      expect(body.default).toBe(text);
      expect(body.email).toBe(text);
      const machine = JSON.parse(body.sqs ?? '{}') as { owner: string | null; reason: string; event: string };
      expect(machine.event).toBe(event.event);
      expect(codePoints(machine.owner ?? '')).toBeLessThanOrEqual(256);
      expect(codePoints(machine.reason)).toBeLessThanOrEqual(8_192);
      // SNS's query protocol URL-encodes every field; an unpaired surrogate would throw here.
      expect(() => encodeURIComponent(subject + message)).not.toThrow();
    },
  );

  it('routes by an owner attribute SNS accepts', () => {
    const attributes = routingAttributes(eventsOf(decision)[0]!);
    for (const attribute of Object.values(attributes)) {
      expect(attribute).not.toMatch(UNSAFE);
      expect(attribute).not.toMatch(LONE_SURROGATE);
      expect(attribute.length).toBeGreaterThan(0);
      expect(() => encodeURIComponent(attribute)).not.toThrow();
    }
    expect(codePoints(attributes.owner ?? '')).toBeLessThanOrEqual(256);
  });

  it('names the ignored tags in the reason line of the text', () => {
    const { text } = snsMessage(eventsOf(decision)[0]!, NOW);
    const reasonLine = text.split('\n').find((line) => line.startsWith('  Reason: ')) ?? '';
    for (const tag of PARSED_TAGS) expect(reasonLine).toContain(`gpu-reaper:${tag}=`);
  });

  // cli-table3 cuts an over-wide cell by UTF-16 units and may halve an emoji: cosmetic, so only controls count here.
  it('keeps the CLI decision table free of control and bidi characters', () => {
    const table = renderDecisionTable({
      passId: stamp.passId,
      mode: 'dry-run',
      now: NOW,
      regions: ['us-east-1'],
      decisions: [decision],
      regionFailures: [],
      telemetryBrake: false,
      capped: 0,
    });
    expect(table).not.toMatch(UNSAFE);
  });
});

describe('an owner made only of characters that cannot be shown', () => {
  it('leaves the owner attribute out rather than sending an empty or invisible one', () => {
    const decision = decide({ instance: { tags: { Owner: '\u202e\u200b\u0000\u0007' } } });
    const event = buildEvent(stamp, decision, 'WARNED');
    expect(routingAttributes(event)).not.toHaveProperty('owner');
    expect(snsMessage(event, NOW).text).toContain('Owner: unknown');
  });
});
