import { describe, expect, it } from 'vitest';
import { decideFleet, type InstanceInput } from '../../../shared/engine';
import { ago, config, failed, instance, later, missing, NOW, points, reaperTags, telemetry, warning } from './fixtures';

let next = 0;
function member(overrides: Partial<InstanceInput> & { id?: string } = {}): InstanceInput {
  next += 1;
  const instanceId = overrides.id ?? `i-${String(next).padStart(17, '0')}`;
  return {
    instance: overrides.instance ?? instance({ instanceId }),
    telemetry: overrides.telemetry ?? telemetry(points(50)),
    warning: overrides.warning ?? null,
  };
}

const idle = (extra: Partial<InstanceInput> = {}) => member({ telemetry: telemetry(points(1)), ...extra });
const dueIdle = (id: string, actAt: Date) =>
  member({
    id,
    instance: instance({ instanceId: id }),
    telemetry: telemetry(points(1)),
    warning: warning('idle', actAt, ago('1h')),
  });

describe('the telemetry-outage brake', () => {
  it('holds back idle when more than half of the instances with a listed series have no datapoint', () => {
    const fleet = [idle(), member({ telemetry: telemetry([]) }), member({ telemetry: telemetry([]) })];
    const { decisions, brake } = decideFleet(fleet, config(), NOW);
    expect(brake).toEqual({ engaged: true, missing: 2, scanned: 3 });
    expect(decisions[0]).toMatchObject({ outcome: 'skip', rule: 'idle', warningChange: { kind: 'none' } });
    expect(decisions[0]?.reason).toMatch(
      /^held back: GPU telemetry is missing for 2 of 3 instances, and a metrics outage is not idleness \(GPU max 1%/,
    );
    expect(decisions.slice(1).map((decision) => decision.outcome)).toEqual(['notify', 'notify']);
  });

  it('never acts on never-used during an outage, and keeps the pending warning', () => {
    const neverUsed = member({
      instance: instance({ launchTime: ago('45m') }),
      telemetry: telemetry(points(0, { span: '45m' })),
      warning: warning('never-used', ago('1m'), ago('31m')),
    });
    const { decisions } = decideFleet(
      [neverUsed, member({ telemetry: failed() }), member({ telemetry: failed() })],
      config(),
      NOW,
    );
    expect(decisions[0]).toMatchObject({ outcome: 'skip', rule: 'never-used', warningChange: { kind: 'none' } });
    expect(decisions[1]?.outcome).toBe('error');
  });

  it('does not engage when exactly half of the fleet lacks telemetry', () => {
    const { decisions, brake } = decideFleet(
      [idle(), member(), member({ telemetry: missing() }), member({ telemetry: missing() })],
      config(),
      NOW,
    );
    expect(brake.engaged).toBe(false);
    expect(decisions[0]?.outcome).toBe('warn');
  });

  it('counts telemetry with no datapoint in the idle window as missing', () => {
    const stale = telemetry(points(50, { span: '3h', until: '1h' }), { from: ago('3h') });
    const { brake } = decideFleet([idle(), member({ telemetry: stale }), member({ telemetry: stale })], config(), NOW);
    expect(brake).toEqual({ engaged: true, missing: 2, scanned: 3 });
  });

  it('counts an instance whose telemetry read failed as missing, whatever points came with it', () => {
    const partial = failed('GetMetricData: Throttling', { points: points(50) });
    const { brake } = decideFleet(
      [idle(), member({ telemetry: partial }), member({ telemetry: partial })],
      config(),
      NOW,
    );
    expect(brake).toEqual({ engaged: true, missing: 2, scanned: 3 });
  });

  it('holds back only warnings and actions of idle and never-used, leaving every other decision as it is', () => {
    const fleet = [
      member({ instance: instance({ rootDeviceType: 'instance-store' }), telemetry: telemetry(points(1)) }),
      member(),
      member({ instance: instance({ launchTime: ago('13h') }), telemetry: telemetry([]) }),
      member({ telemetry: telemetry([]) }),
      member({ telemetry: telemetry([]) }),
    ];
    const { decisions, brake } = decideFleet(fleet, config(), NOW);
    expect(brake.engaged).toBe(true);
    expect(decisions.map(({ outcome, rule, action }) => [outcome, rule, action])).toEqual([
      ['notify', 'idle', 'notify'],
      ['keep', null, null],
      ['warn', 'max-runtime', 'stop'],
      ['notify', 'no-telemetry', 'notify'],
      ['notify', 'no-telemetry', 'notify'],
    ]);
    expect(decisions.some((decision) => decision.reason.startsWith('held back'))).toBe(false);
  });

  it('never lets instances that never published, or out of reach, shield an idle one', () => {
    const optedOut = reaperTags({ 'opt-out': 'true' });
    const fleet = [
      idle(),
      member({ instance: instance({ tags: optedOut }), telemetry: telemetry([]) }),
      member({ instance: instance({ tags: optedOut }), telemetry: telemetry([]) }),
      member({ telemetry: missing() }),
      member({ telemetry: missing() }),
      member({
        instance: instance({ tags: reaperTags({ 'snooze-until': later('2h').toISOString() }) }),
        telemetry: telemetry([]),
      }),
    ];
    const { decisions, brake } = decideFleet(fleet, config(), NOW);
    expect(brake).toEqual({ engaged: false, missing: 0, scanned: 1 });
    expect(decisions[0]).toMatchObject({ outcome: 'warn', rule: 'idle' });
  });

  it('lets max-runtime act during an outage', () => {
    const overTime = member({ instance: instance({ launchTime: ago('13h') }), telemetry: missing() });
    const { decisions } = decideFleet([overTime, member({ telemetry: missing() })], config(), NOW);
    expect(decisions[0]).toMatchObject({ outcome: 'warn', rule: 'max-runtime' });
  });

  it('does nothing for an empty fleet', () => {
    expect(decideFleet([], config(), NOW)).toEqual({
      decisions: [],
      brake: { engaged: false, missing: 0, scanned: 0 },
      capped: 0,
      brakeReads: { ids: [], fewest: 0 },
    });
  });
});

describe('the per-pass action cap', () => {
  const fleet = [
    dueIdle('i-e', ago('1m')),
    dueIdle('i-b', ago('20m')),
    dueIdle('i-a', ago('5m')),
    dueIdle('i-c', ago('20m')),
    dueIdle('i-d', ago('2m')),
  ];

  it('acts on at most maxActionsPerPass, earliest due first, and holds back the rest', () => {
    const { decisions, capped } = decideFleet(fleet, config({ maxActionsPerPass: 2 }), NOW);
    expect(capped).toBe(3);
    expect(decisions.map((decision) => [decision.instanceId, decision.outcome, decision.rule])).toEqual([
      ['i-e', 'skip', 'capped'],
      ['i-b', 'act', 'idle'],
      ['i-a', 'skip', 'capped'],
      ['i-c', 'act', 'idle'],
      ['i-d', 'skip', 'capped'],
    ]);
    const held = decisions[0];
    expect(held?.warningChange).toEqual({ kind: 'none' });
    expect(held?.reason).toMatch(/^held back to the next pass: at most 2 actions per pass \(maxActionsPerPass\)/);
    expect(held?.actAt).toBe(ago('1m').toISOString());
  });

  it('holds back every action when the cap is 0', () => {
    const { decisions, capped } = decideFleet(fleet, config({ maxActionsPerPass: 0 }), NOW);
    expect(capped).toBe(5);
    expect(decisions.every((decision) => decision.rule === 'capped')).toBe(true);
  });

  it('never caps warnings', () => {
    const warns = [idle(), idle(), idle()];
    const { decisions, capped } = decideFleet(warns, config({ maxActionsPerPass: 1 }), NOW);
    expect(capped).toBe(0);
    expect(decisions.map((decision) => decision.outcome)).toEqual(['warn', 'warn', 'warn']);
  });

  it('keeps one decision per input, in input order', () => {
    const inputs = [member(), idle(), member({ telemetry: missing() })];
    const { decisions } = decideFleet(inputs, config(), NOW);
    expect(decisions.map((decision) => decision.instanceId)).toEqual(inputs.map((input) => input.instance.instanceId));
    expect(decisions.map((decision) => decision.outcome)).toEqual(['keep', 'warn', 'notify']);
  });
});

describe('the cap counts only actions a pass will really attempt', () => {
  it('never lets a protected instance hold the cap against the others, pass after pass', () => {
    const blocked = member({
      id: 'i-a',
      instance: instance({ instanceId: 'i-a' }),
      telemetry: telemetry(points(1)),
      warning: { ...warning('idle', ago('2h'), ago('3h')), phase: 'protected' },
    });
    const { decisions, capped } = decideFleet(
      [blocked, dueIdle('i-b', ago('1m'))],
      config({ maxActionsPerPass: 1 }),
      NOW,
    );
    expect(decisions.map((d) => [d.outcome, d.rule])).toEqual([
      ['skip', 'protected'],
      ['act', 'idle'],
    ]);
    expect(capped).toBe(0);
  });

  it('never lets an instance already recorded as would-act (dry-run) hold the cap', () => {
    const recorded = member({
      id: 'i-a',
      instance: instance({ instanceId: 'i-a' }),
      telemetry: telemetry(points(1)),
      warning: { ...warning('idle', ago('2h'), ago('3h')), phase: 'acted' },
    });
    const { decisions, capped } = decideFleet(
      [recorded, dueIdle('i-b', ago('1m'))],
      config({ maxActionsPerPass: 1 }),
      NOW,
    );
    expect(decisions.map((d) => d.outcome)).toEqual(['act', 'act']);
    expect(capped).toBe(0);
  });
});
