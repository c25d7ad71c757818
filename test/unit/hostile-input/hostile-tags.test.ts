/**
 * Hostile tag values on every reaper tag and on Owner, through the whole engine: never a crash, never an opt-out
 * lost, the default applies, and the reason names the tag with a bounded, cleaned value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clip, decideFleet, MAX_QUOTED } from '../../../shared/engine';
import { config, decide, input, points, reaperTags, telemetry } from '../engine/fixtures';
import { codePoints, HOSTILE_VALUES, LONE_SURROGATE, PARSED_TAGS, quotedValue, UNSAFE } from './hostile-values';

/** Idle for the whole window: a tag that changes nothing leaves a warning for `idle`. */
const idle = telemetry(points(1));
const OWNER = { Owner: 'alice@example.com' };

describe.each(PARSED_TAGS)('a hostile gpu-reaper:%s value', (tag) => {
  const key = `gpu-reaper:${tag}`;
  const baseline = decide({ instance: { tags: OWNER }, telemetry: idle });

  it.each(HOSTILE_VALUES)('is ignored, the default applies, and the reason quotes it safely (%s)', (_, value) => {
    const decision = decide({ instance: { tags: { ...OWNER, ...reaperTags({ [tag]: value }) } }, telemetry: idle });

    expect(decision).toMatchObject({ outcome: baseline.outcome, rule: baseline.rule, action: baseline.action });
    expect(decision.actAt).toBe(baseline.actAt);
    expect(decision.tagProblems).toEqual([{ tag: key, value: clip(value), message: expect.any(String) }]);
    const quoted = quotedValue(decision.reason, key);
    expect(quoted).toBe(clip(value));
    expect(codePoints(quoted ?? '')).toBeLessThanOrEqual(MAX_QUOTED + 1);
    expect(decision.reason).toContain(`${key}=${JSON.stringify(clip(value))} ignored: `);
    expect(decision.reason).not.toMatch(UNSAFE);
    expect(decision.reason).not.toMatch(LONE_SURROGATE);
    expect(decision.tagProblems[0]?.value).not.toMatch(UNSAFE);
    expect(decision.tagProblems[0]?.value).not.toMatch(LONE_SURROGATE);
  });

  it.each(HOSTILE_VALUES)('never removes an opt-out (%s)', (_, value) => {
    const tags = { ...OWNER, ...reaperTags({ 'opt-out': 'true', [tag]: value }) };
    expect(decide({ instance: { tags }, telemetry: idle })).toMatchObject({ outcome: 'skip', rule: 'opt-out' });
  });
});

describe('a hostile gpu-reaper:opt-out value', () => {
  it.each(HOSTILE_VALUES)('still opts out, and the reason quotes it safely (%s)', (_, value) => {
    const decision = decide({ instance: { tags: { ...OWNER, ...reaperTags({ 'opt-out': value }) } }, telemetry: idle });

    expect(decision).toMatchObject({ outcome: 'skip', rule: 'opt-out', action: null, actAt: null, tagProblems: [] });
    expect(decision.warningChange).toEqual({ kind: 'none' });
    expect(quotedValue(decision.reason, 'gpu-reaper:opt-out')).toBe(clip(value));
    expect(decision.reason).not.toMatch(UNSAFE);
    expect(decision.reason).not.toMatch(LONE_SURROGATE);
  });
});

describe('a hostile Owner value', () => {
  it.each(HOSTILE_VALUES)('changes nothing but who is told (%s)', (_, value) => {
    const baseline = decide({ instance: { tags: OWNER }, telemetry: idle });
    const decision = decide({ instance: { tags: { Owner: value } }, telemetry: idle });

    expect(decision).toMatchObject({ outcome: baseline.outcome, rule: baseline.rule, actAt: baseline.actAt });
    expect(decision.owner).toBe(value.trim());
    expect(decision.tagProblems).toEqual([]);
  });

  it('reads an Owner of only whitespace as no owner', () => {
    expect(decide({ instance: { tags: { Owner: ' \t\r\n ' } }, telemetry: idle }).owner).toBeNull();
  });
});

describe('every tag hostile at once', () => {
  const everything = (value: string) => ({
    Owner: value,
    ...reaperTags(Object.fromEntries(PARSED_TAGS.map((tag) => [tag, value]))),
  });

  it.each(HOSTILE_VALUES)('reports each tag once and keeps the reason bounded (%s)', (_, value) => {
    const decision = decide({ instance: { tags: everything(value) }, telemetry: idle });

    expect(decision.tagProblems.map((problem) => problem.tag)).toEqual(
      ['max-runtime', 'snooze-until', 'expires-at', 'action', 'warned'].map((tag) => `gpu-reaper:${tag}`),
    );
    // Five quoted values of at most 65 code points (some escaped), plus the rule's own words.
    expect(decision.reason.length).toBeLessThan(2_500);
    expect(decision.outcome).toBe('warn');
  });

  it('leaves the decisions of the rest of the fleet untouched', () => {
    const fleet = [
      input({ instanceId: 'i-0000000000000000a', tags: OWNER }, idle),
      input({ instanceId: 'i-0000000000000000b', tags: OWNER }, telemetry(points(60))),
    ];
    const hostile = input({ instanceId: 'i-0000000000000000c', tags: everything(HOSTILE_VALUES[0]![1]) }, idle);
    const alone = decideFleet(fleet, config(), idle.to).decisions;
    const mixed = decideFleet([...fleet, hostile], config(), idle.to).decisions;

    expect(mixed.slice(0, 2)).toEqual(alone);
    expect(mixed[2]?.tagProblems).toHaveLength(5);
  });
});

describe('any UTF-16 text as a tag value (property)', () => {
  const anyText = fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 400 })
    .map((units) => String.fromCharCode(...units));

  it('never throws, never loses an opt-out, and never quotes an unsafe character', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PARSED_TAGS), anyText, anyText, (tag, value, owner) => {
        const tags = { Owner: owner, ...reaperTags({ [tag]: value }) };
        const plain = decide({ instance: { tags }, telemetry: idle });
        const optedOut = decide({ instance: { tags: { ...tags, 'gpu-reaper:opt-out': value } }, telemetry: idle });

        expect(optedOut.rule).toBe(value.trim().toLowerCase() === 'false' ? plain.rule : 'opt-out');
        for (const reason of [plain.reason, optedOut.reason]) {
          expect(reason).not.toMatch(UNSAFE);
          expect(reason).not.toMatch(LONE_SURROGATE);
        }
        for (const problem of plain.tagProblems) expect(codePoints(problem.value)).toBeLessThanOrEqual(MAX_QUOTED + 1);
      }),
      { numRuns: 300 },
    );
  });
});
