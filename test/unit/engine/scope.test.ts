import { describe, expect, it } from 'vitest';
import { isInScope, lookbackMs, quietSpanMs, summarize } from '../../../shared/engine';
import { config, instance, ms } from './fixtures';

describe('isInScope', () => {
  const scoped = config({ scope: { tags: { Purpose: ['transient-ml-training', 'eval'], Team: ['ml'] } } });
  it.each([
    ['a running GPU instance, no scope tags', instance(), config(), true],
    ['a stopped instance', instance({ state: 'stopped' }), config(), false],
    ['a pending instance', instance({ state: 'pending' }), config(), false],
    ['a non-GPU instance', instance({ gpu: { hasGpu: false, count: 0, source: 'instance-types' } }), config(), false],
    [
      'a fractional GPU (count 0)',
      instance({ gpu: { hasGpu: true, count: 0, source: 'instance-types' } }),
      config(),
      true,
    ],
    [
      'a GPU found by family fallback',
      instance({ gpu: { hasGpu: true, count: 1, source: 'family-fallback' } }),
      config(),
      true,
    ],
    ['every scope key with a listed value', instance({ tags: { Purpose: 'eval', Team: 'ml' } }), scoped, true],
    ['one scope key missing', instance({ tags: { Purpose: 'eval' } }), scoped, false],
    ['a value not listed', instance({ tags: { Purpose: 'prod', Team: 'ml' } }), scoped, false],
    ['a value in another case', instance({ tags: { Purpose: 'EVAL', Team: 'ml' } }), scoped, false],
  ])('%s → %s', (_, facts, cfg, expected) => {
    expect(isInScope(facts, cfg)).toBe(expected);
  });
});

describe('quietSpanMs', () => {
  it.each([
    [{}, ms('1h')],
    [{ idle: { window: '2h' } }, ms('2h')],
    // The idle window: idle may hold after a busy minute 2h ago, so that window alone must be quiet.
    [{ neverUsed: { after: '3h' } }, ms('1h')],
    [{ noTelemetry: { after: '90m' }, idle: { window: '30m' } }, ms('30m')],
    [{ idle: { enabled: false }, neverUsed: { after: '3h' } }, ms('3h')],
    [{ idle: { enabled: false }, noTelemetry: { after: '90m' } }, ms('90m')],
  ])('reads %j as the span an acting GPU rule needs quiet', (input, expected) => {
    expect(quietSpanMs(config(input))).toBe(expected);
  });
});

describe('lookbackMs', () => {
  it.each([
    [{}, ms('2h')],
    [{ activity: { host: { enabled: false } } }, ms('1h')],
    [{ idle: { enabled: false } }, ms('1h')],
    [{ activity: { host: { notifyAfter: '30m' } } }, ms('1h')],
    [{ neverUsed: { after: '3h' } }, ms('3h')],
    [{ activity: { host: { notifyAfter: '4h' } }, noTelemetry: { after: '90m' } }, ms('4h')],
  ])('reads %j as the longest window, host notifyAfter included', (input, expected) => {
    expect(lookbackMs(config(input))).toBe(expected);
  });
});

describe('summarize', () => {
  it('counts every outcome', () => {
    const outcomes = ['keep', 'keep', 'warn', 'act', 'skip', 'skip', 'skip', 'notify', 'error'] as const;
    expect(summarize(outcomes.map((outcome) => ({ outcome })))).toEqual({
      scanned: 9,
      kept: 2,
      warned: 1,
      acted: 1,
      skipped: 3,
      notified: 1,
      errors: 1,
    });
    expect(summarize([])).toEqual({ scanned: 0, kept: 0, warned: 0, acted: 0, skipped: 0, notified: 0, errors: 0 });
  });
});
