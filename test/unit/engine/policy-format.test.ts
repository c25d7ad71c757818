import { describe, expect, it } from 'vitest';
import { clip, policyOf } from '../../../shared/engine';
import { peak, percent, relative, share } from '../../../shared/engine/format';
import { ConfigError } from '../../../shared/errors';
import { config } from './fixtures';

describe('policyOf', () => {
  it('reads the default durations as milliseconds', () => {
    expect(policyOf(config())).toEqual({
      maxRuntimeDefaultMs: 43_200_000,
      maxRuntimeCeilingMs: 604_800_000,
      warnAheadMs: 3_600_000,
      idleWindowMs: 3_600_000,
      neverUsedAfterMs: 1_800_000,
      noTelemetryAfterMs: 1_800_000,
      graceMs: 1_800_000,
      snoozeCeilingMs: 86_400_000,
      hostNotifyAfterMs: 7_200_000,
      gatingGraceMs: 900_000,
    });
  });

  it('throws a ConfigError naming the key for a config that skipped validation', () => {
    const unvalidated = { ...config(), idle: { ...config().idle, window: 'soon' } };
    expect(() => policyOf(unvalidated)).toThrow(ConfigError);
    expect(() => policyOf(unvalidated)).toThrow(/idle\.window/);
  });

  it.each([
    ['maxRuntime', 'default'],
    ['maxRuntime', 'ceiling'],
    ['maxRuntime', 'warnAhead'],
    ['idle', 'window'],
    ['neverUsed', 'after'],
    ['noTelemetry', 'after'],
    ['warning', 'grace'],
    ['snooze', 'ceiling'],
  ] as const)('names %s.%s and the value when that duration does not parse', (section, key) => {
    const valid = config();
    const unvalidated = { ...valid, [section]: { ...valid[section], [key]: 'soon' } };
    const thrown = (() => {
      try {
        policyOf(unvalidated);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues).toEqual([{ path: `${section}.${key}`, message: 'not a duration: "soon"' }]);
  });
});

describe('clip', () => {
  it('leaves short values and clips long ones to 64 characters and an ellipsis', () => {
    expect(clip('abc')).toBe('abc');
    expect(clip('x'.repeat(64))).toBe('x'.repeat(64));
    expect(clip('x'.repeat(65))).toBe(`${'x'.repeat(64)}…`);
  });

  it('never quotes a control or bidi character: each becomes the replacement character', () => {
    expect(clip('a\u202eb\u0000c\nd')).toBe('a\ufffdb\ufffdc\ufffdd');
  });

  it('replaces a lone surrogate of either half, and keeps a character made of a pair', () => {
    expect(clip('a\ud800b\udc00c\u{1f600}')).toBe('a\ufffdb\ufffdc\u{1f600}');
  });
});

describe('numbers in reasons', () => {
  it.each([
    [2.14, '2.1%'],
    [5, '5%'],
    [0, '0%'],
    [99.96, '100%'],
  ])('writes %d as %s', (value, text) => {
    expect(percent(value)).toBe(text);
    expect(peak(value)).toBe(text);
  });

  it('writes a window without data as no data', () => {
    expect(peak(null)).toBe('no data');
  });

  it('writes shares and distances in time', () => {
    expect(share(58 / 60)).toBe('97%');
    const now = new Date('2025-06-02T12:00:00Z');
    expect(relative(new Date('2025-06-02T12:30:00Z'), now)).toBe('in 30m');
    expect(relative(new Date('2025-06-02T10:00:00Z'), now)).toBe('2h ago');
    expect(relative(new Date('2025-06-02T12:00:59Z'), now)).toBe('now');
    expect(relative(new Date('2025-06-02T12:01:00Z'), now)).toBe('in 1m');
    expect(relative(new Date('2025-06-02T11:59:00Z'), now)).toBe('1m ago');
  });
});
