import { describe, expect, it } from 'vitest';
import { ago, decide, later, ms, NOW, points, reaperTags, telemetry, warning } from '../fixtures';

const busy = telemetry(points(60));
const idleSeries = telemetry(points(1));
const at = (offset: number) => new Date(NOW.getTime() + offset);

describe('max-runtime', () => {
  it.each([
    ['keeps it before the warn-ahead time', '10h59m', 'keep', null],
    ['warns warnAhead before the deadline so the action lands on it', '11h', 'warn', later('1h')],
    ['warns with the deadline still ahead', '11h30m', 'warn', later('30m')],
    ['warns now when first seen past its deadline', '20h', 'warn', later('30m')],
  ] as const)('%s (running %s)', (_, running, outcome, actAt) => {
    const decision = decide({ instance: { launchTime: ago(running) }, telemetry: busy });
    expect(decision.outcome).toBe(outcome);
    expect(decision.rule).toBe(outcome === 'keep' ? null : 'max-runtime');
    expect(decision.actAt).toBe(actAt?.toISOString() ?? null);
  });

  it('acts at the deadline on the warning it gave', () => {
    const deadline = NOW;
    const decision = decide({
      instance: { launchTime: ago('12h') },
      telemetry: busy,
      warning: warning('max-runtime', deadline, ago('1h')),
    });
    expect(decision).toMatchObject({ outcome: 'act', rule: 'max-runtime', action: 'stop', actAt: NOW.toISOString() });
    expect(decision.warningChange.kind).toBe('act');
  });

  it('acts exactly at the deadline without a grace, and not a millisecond before', () => {
    const zero = { warning: { grace: '0m' } };
    expect(decide({ instance: { launchTime: ago('12h') }, telemetry: busy, config: zero }).outcome).toBe('act');
    const early = decide({ instance: { launchTime: at(1 - ms('12h')) }, telemetry: busy, config: zero });
    expect(early.outcome).toBe('keep');
  });

  it('warns at the deadline when warnAhead is 0, acting a grace later', () => {
    const decision = decide({
      instance: { launchTime: ago('12h') },
      telemetry: busy,
      config: { maxRuntime: { warnAhead: '0m' } },
    });
    expect(decision).toMatchObject({ outcome: 'warn', actAt: later('30m').toISOString() });
  });

  it('applies the tag even when the default is disabled', () => {
    const tagged = { launchTime: ago('2h'), tags: reaperTags({ 'max-runtime': '90m' }) };
    const disabled = { maxRuntime: { enabled: false } };
    expect(decide({ instance: tagged, telemetry: busy, config: disabled }).rule).toBe('max-runtime');
    expect(decide({ instance: { launchTime: ago('30d') }, telemetry: busy, config: disabled }).rule).toBeNull();
  });

  it('caps the tag at maxRuntime.ceiling and says so', () => {
    const decision = decide({
      instance: { launchTime: ago('7d'), tags: reaperTags({ 'max-runtime': '30d' }) },
      telemetry: busy,
    });
    expect(decision.rule).toBe('max-runtime');
    expect(decision.reason).toContain('tag gpu-reaper:max-runtime, capped at the 7d ceiling');
    expect(decision.evidence).toMatchObject({ maxRuntime: '7d', maxRuntimeCapped: true, deadline: NOW.toISOString() });
  });

  it('uses the default when the tag does not parse, and says so', () => {
    const decision = decide({ instance: { launchTime: ago('13h'), tags: reaperTags({ 'max-runtime': 'abc' }) } });
    expect(decision.rule).toBe('max-runtime');
    expect(decision.reason).toContain('(maxRuntime.default)');
    expect(decision.reason).toContain('tag gpu-reaper:max-runtime="abc" ignored: not a duration');
  });

  it('still lets a lower rule act hours before the deadline', () => {
    const decision = decide({ instance: { launchTime: ago('9h') }, telemetry: idleSeries });
    expect(decision.rule).toBe('idle');
    expect(decision.reason).not.toContain('deadline');
  });
});

describe('expired', () => {
  const expiring = (iso: Date) => ({ tags: reaperTags({ 'expires-at': iso.toISOString() }) });

  it.each([
    ['keeps it before the warn-ahead time', later('61m'), 'keep', null],
    ['warns warnAhead before the expiry', later('1h'), 'warn', later('1h')],
    ['warns now when first seen past the expiry', ago('2d'), 'warn', later('30m')],
  ] as const)('%s', (_, expiry, outcome, actAt) => {
    const decision = decide({ instance: expiring(expiry), telemetry: busy });
    expect(decision.outcome).toBe(outcome);
    expect(decision.actAt).toBe(actAt?.toISOString() ?? null);
    if (outcome !== 'keep') expect(decision.evidence.expiresAt).toBe(expiry.toISOString());
  });

  it('takes precedence over max-runtime', () => {
    const decision = decide({ instance: { launchTime: ago('20h'), ...expiring(ago('1h')) }, telemetry: busy });
    expect(decision.rule).toBe('expired');
    expect(decision.reason).toMatch(/^expired at .* \(1h ago\) \(tag gpu-reaper:expires-at\)/);
  });

  it('uses actions.expired', () => {
    const decision = decide({
      instance: expiring(ago('1h')),
      telemetry: busy,
      warning: warning('expired', ago('1h'), ago('2h'), 'terminate'),
      config: { actions: { expired: 'terminate' } },
    });
    expect(decision).toMatchObject({ outcome: 'act', action: 'terminate', rule: 'expired' });
  });

  it('keeps it and names the coming expiry', () => {
    const decision = decide({ instance: expiring(later('5h')), telemetry: busy });
    expect(decision.reason).toContain('expired deadline 17:00 UTC (in 5h)');
  });
});

describe('snoozed', () => {
  const snoozedUntil = (until: Date, extra: Record<string, string> = {}) => ({
    tags: reaperTags({ 'snooze-until': until.toISOString(), ...extra }),
  });

  it('never acts on an idle instance until the snooze ends', () => {
    const decision = decide({ instance: snoozedUntil(later('2h')), telemetry: idleSeries });
    expect(decision).toMatchObject({ outcome: 'skip', rule: 'snoozed', action: null, actAt: null });
    expect(decision.evidence.snoozeUntil).toBe(later('2h').toISOString());
  });

  it('warns for idle once the snooze has ended', () => {
    expect(decide({ instance: snoozedUntil(NOW), telemetry: idleSeries }).rule).toBe('idle');
  });

  it('never notifies of missing telemetry while snoozed', () => {
    expect(decide({ instance: snoozedUntil(later('2h')) }).rule).toBe('snoozed');
  });

  it('never acts on a never-used instance while snoozed', () => {
    const decision = decide({
      instance: { launchTime: ago('45m'), ...snoozedUntil(later('1h')) },
      telemetry: telemetry(points(0, { span: '45m' })),
    });
    expect(decision.rule).toBe('snoozed');
  });

  it('lets max-runtime and expiry still apply', () => {
    const overTime = decide({
      instance: { launchTime: ago('13h'), ...snoozedUntil(later('2h')) },
      telemetry: idleSeries,
    });
    expect(overTime.rule).toBe('max-runtime');
    const expired = decide({
      instance: snoozedUntil(later('2h'), { 'expires-at': ago('1m').toISOString() }),
      telemetry: idleSeries,
    });
    expect(expired.rule).toBe('expired');
  });

  it('caps a far snooze at now + snooze.ceiling and says so', () => {
    const decision = decide({ instance: snoozedUntil(later('30d')), telemetry: idleSeries });
    expect(decision.evidence).toMatchObject({ snoozeUntil: later('24h').toISOString(), snoozeCapped: true });
    expect(decision.reason).toContain('capped at the 24h ceiling');
  });
});
