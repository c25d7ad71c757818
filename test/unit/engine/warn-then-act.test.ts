import { describe, expect, it } from 'vitest';
import { formatWarnedTag } from '../../../shared/engine';
import {
  ago,
  decide,
  failed,
  later,
  missing,
  NOW,
  points,
  reaperTags,
  type Scenario,
  telemetry,
  warning,
} from './fixtures';

const idleSeries = telemetry(points(1));
const busySeries = telemetry(points(80));

describe('warn, then act', () => {
  it('warns, stays pending, then acts when the grace has passed', () => {
    const first = decide({ telemetry: idleSeries });
    expect(first).toMatchObject({ outcome: 'warn', rule: 'idle', action: 'stop', actAt: later('30m').toISOString() });
    expect(first.warningChange).toEqual({
      kind: 'warn',
      warning: { rule: 'idle', action: 'stop', actAt: later('30m'), warnedAt: NOW },
    });
    const pending = warning('idle', later('30m'), NOW);

    const tenMinutesOn = later('10m');
    const second = decide({
      telemetry: telemetry(points(1, { now: tenMinutesOn }), { to: tenMinutesOn }),
      warning: pending,
      now: tenMinutesOn,
    });
    expect(second).toMatchObject({ outcome: 'warn', actAt: later('30m').toISOString() });
    expect(second.warningChange).toEqual({ kind: 'none' });
    expect(second.reason).toContain('warned at 12:00 UTC; stop at 12:30 UTC (in 20m)');

    const due = later('30m');
    const third = decide({ telemetry: telemetry(points(1, { now: due }), { to: due }), warning: pending, now: due });
    expect(third).toMatchObject({ outcome: 'act', actAt: due.toISOString(), executed: false });
    expect(third.warningChange).toEqual({ kind: 'act', warning: pending });
  });

  it('reads the pending warning from the warned tag when no state is given', () => {
    const tags = reaperTags({ warned: formatWarnedTag('idle', ago('1m')) });
    const decision = decide({ instance: { tags }, telemetry: idleSeries, warning: undefined });
    expect(decision).toMatchObject({ outcome: 'act', actAt: ago('1m').toISOString() });
    expect(decision.warningChange).toEqual({
      kind: 'act',
      warning: { rule: 'idle', action: 'stop', actAt: ago('1m'), warnedAt: null },
    });
  });

  it('ignores a warned tag left from an earlier run of the instance', () => {
    const tags = reaperTags({ warned: formatWarnedTag('idle', ago('4h')) });
    const decision = decide({ instance: { tags, launchTime: ago('3h') }, telemetry: idleSeries, warning: undefined });
    expect(decision).toMatchObject({ outcome: 'warn', actAt: later('30m').toISOString() });
    expect(decision.warningChange.kind).toBe('warn');
  });

  it('ignores the warned tag when the state table says there is no warning', () => {
    const tags = reaperTags({ warned: formatWarnedTag('idle', ago('1m')) });
    expect(decide({ instance: { tags }, telemetry: idleSeries, warning: null }).outcome).toBe('warn');
  });

  it('never acts before warnedAt + grace, even when the promised time has passed', () => {
    const decision = decide({ telemetry: idleSeries, warning: warning('idle', ago('5m'), ago('10m')) });
    expect(decision).toMatchObject({ outcome: 'warn', actAt: later('20m').toISOString() });
  });

  it('never acts before a deadline that moved later', () => {
    const decision = decide({
      instance: { launchTime: ago('12h'), tags: reaperTags({ 'max-runtime': '12h30m' }) },
      telemetry: busySeries,
      warning: warning('max-runtime', ago('5m'), ago('1h')),
    });
    expect(decision).toMatchObject({ outcome: 'warn', rule: 'max-runtime', actAt: later('30m').toISOString() });
  });

  it('warns again when the pending warning is for another rule, and says it replaces it', () => {
    const decision = decide({
      instance: { launchTime: ago('11h') },
      telemetry: idleSeries,
      warning: warning('idle', later('10m'), ago('20m')),
    });
    expect(decision).toMatchObject({ outcome: 'warn', rule: 'max-runtime', actAt: later('1h').toISOString() });
    expect(decision.warningChange.kind).toBe('warn');
    expect(decision.reason).toContain('replaces the warning for idle, stop');
  });

  it('warns again when the owner changed the action since the warning', () => {
    const decision = decide({
      instance: { tags: reaperTags({ action: 'terminate' }) },
      telemetry: idleSeries,
      warning: warning('idle', ago('1m'), ago('31m'), 'stop'),
    });
    expect(decision).toMatchObject({ outcome: 'warn', action: 'terminate', actAt: later('30m').toISOString() });
  });

  it('acts at once without a warning when the grace is 0', () => {
    const decision = decide({ telemetry: idleSeries, config: { warning: { grace: '0m' } } });
    expect(decision).toMatchObject({ outcome: 'act', rule: 'idle', actAt: NOW.toISOString() });
    expect(decision.warningChange).toEqual({
      kind: 'act',
      warning: { rule: 'idle', action: 'stop', actAt: NOW, warnedAt: null },
    });
    expect(decision.reason).toContain('stop now (warning.grace 0m)');
  });

  it('keeps the promised time when the grace became 0: a config change never moves an action earlier', () => {
    const pending = warning('idle', later('20m'), ago('10m'));
    const early = decide({ telemetry: idleSeries, warning: pending, config: { warning: { grace: '0m' } } });
    expect(early).toMatchObject({ outcome: 'warn', actAt: later('20m').toISOString() });
    expect(early.warningChange).toEqual({ kind: 'none' });
    const due = later('20m');
    const onTime = decide({
      telemetry: telemetry(points(1, { now: due }), { to: due }),
      warning: pending,
      now: due,
      config: { warning: { grace: '0m' } },
    });
    expect(onTime).toMatchObject({ outcome: 'act', actAt: due.toISOString() });
    expect(onTime.warningChange).toEqual({ kind: 'act', warning: pending });
  });

  it('never acts on a warning that has not reached the owner: the grace runs from delivery', () => {
    const undelivered = { ...warning('idle', ago('5m'), ago('35m')), deliveredAt: null };
    const waiting = decide({ telemetry: idleSeries, warning: undelivered });
    expect(waiting).toMatchObject({ outcome: 'warn', actAt: later('30m').toISOString() });
    expect(waiting.warningChange).toEqual({ kind: 'none' });
    expect(waiting.reason).toContain('the warning has not reached the owner yet');
    const late = { ...undelivered, deliveredAt: ago('10m') };
    expect(decide({ telemetry: idleSeries, warning: late })).toMatchObject({
      outcome: 'warn',
      actAt: later('20m').toISOString(),
    });
    const delivered = { ...undelivered, deliveredAt: ago('31m') };
    expect(decide({ telemetry: idleSeries, warning: delivered }).outcome).toBe('act');
  });

  it('skips an instance found protected at an earlier action pass, without acting again', () => {
    const blocked = { ...warning('idle', ago('5m'), ago('35m')), phase: 'protected' as const };
    const decision = decide({ telemetry: idleSeries, warning: blocked });
    expect(decision).toMatchObject({ outcome: 'skip', rule: 'protected', actAt: null });
    expect(decision.warningChange).toEqual({ kind: 'none' });
  });
});

describe('clearing a warning', () => {
  const pending = warning('idle', later('20m'), ago('10m'));
  it.each<[string, Scenario, string, string]>([
    [
      'the GPU is busy again',
      { telemetry: busySeries },
      'keep',
      'no rule applies: running 3h, GPU busy (max 80% ≥ 5% in the last 1h)',
    ],
    [
      'the owner opted out',
      { telemetry: idleSeries, instance: { tags: reaperTags({ 'opt-out': '' }) } },
      'skip',
      'opted out',
    ],
    [
      'the owner snoozed it',
      { telemetry: idleSeries, instance: { tags: reaperTags({ 'snooze-until': later('2h').toISOString() }) } },
      'skip',
      'snoozed until',
    ],
    [
      'the owner asked for notify only',
      { telemetry: idleSeries, instance: { tags: reaperTags({ action: 'notify' }) } },
      'notify',
      'action notify chosen by tag',
    ],
    ['the telemetry went missing', { telemetry: missing() }, 'notify', 'no GPU datapoint'],
    [
      'the data became too sparse to tell',
      { telemetry: telemetry(points(1, { every: 2 })) },
      'notify',
      'GPU telemetry too sparse to judge',
    ],
  ])('clears the warning when %s', (_, scenario, outcome, why) => {
    const decision = decide({ ...scenario, warning: pending });
    expect(decision.outcome).toBe(outcome);
    expect(decision.actAt).toBeNull();
    expect(decision.warningChange).toEqual({ kind: 'clear', previous: pending });
    expect(decision.reason).toMatch(/^warning for idle \(stop\) cleared: /);
    expect(decision.reason).toContain(why);
  });

  it('clears a warning read from the tag, with the configured action', () => {
    const tags = reaperTags({ warned: formatWarnedTag('never-used', later('5m')) });
    const decision = decide({
      instance: { tags },
      telemetry: busySeries,
      warning: undefined,
      config: { actions: { neverUsed: 'terminate' } },
    });
    expect(decision.warningChange).toEqual({
      kind: 'clear',
      previous: { rule: 'never-used', action: 'terminate', actAt: later('5m'), warnedAt: null },
    });
  });

  it('keeps the warning when the telemetry could not be read', () => {
    const decision = decide({ telemetry: failed('GetMetricData: AccessDenied'), warning: pending });
    expect(decision).toMatchObject({ outcome: 'error', rule: null, action: null, actAt: null });
    expect(decision.warningChange).toEqual({ kind: 'none' });
    expect(decision.reason).toBe(
      'the GPU telemetry could not be read (GetMetricData: AccessDenied): nothing can be decided this pass',
    );
  });
});
