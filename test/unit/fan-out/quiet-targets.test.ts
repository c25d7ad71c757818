/**
 * Which targets a tick passes: quiet ones (no GPU instance at a pass that went through) at most every
 * `quietTargetEvery`, everything else every tick, and a woken one at once.
 */
import { describe, expect, it } from 'vitest';
import {
  dueTargets,
  isDue,
  type TargetState,
  TICK_JITTER_MS,
  targetKey,
  wakeDecision,
} from '../../../shared/fan-out/quiet-targets';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-12T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

function state(overrides: Partial<TargetState> = {}): TargetState {
  return {
    accountId: '111111111111',
    region: 'eu-west-1',
    ouPath: ['r-ab12'],
    tick: iso(0),
    passedAt: new Date(T0 + 2_000).toISOString(),
    status: 'ok',
    gpuInstances: 0,
    ...overrides,
  };
}

describe('isDue', () => {
  it.each([
    ['a target never passed', undefined, 5, true],
    ['a target with GPU instances, the next tick', state({ gpuInstances: 2 }), 5, true],
    ['a target whose last pass failed, the next tick', state({ status: 'error' }), 5, true],
    ['a quiet target, the next tick', state(), 5, false],
    ['a quiet target, 55 minutes on', state(), 55, false],
    ['a quiet target, one hour on', state(), 60, true],
    ['a quiet target, long after', state(), 600, true],
    ['a quiet target woken after its pass started', state({ wokenAt: iso(3) }), 5, true],
    ['a quiet target woken before its pass started', state({ wokenAt: iso(-1) }), 5, false],
    ['a target whose tick cannot be read', state({ tick: 'not an instant' }), 5, true],
  ])('%s: %s', (_name, given, minutes, due) => {
    expect(isDue(given, at(minutes), HOUR)).toBe(due);
  });

  it('passes a quiet target at a tick a few seconds early, never a tick earlier', () => {
    expect(isDue(state(), new Date(T0 + HOUR - TICK_JITTER_MS), HOUR)).toBe(true);
    expect(isDue(state(), new Date(T0 + HOUR - TICK_JITTER_MS - 1), HOUR)).toBe(false);
    expect(isDue(state(), at(55), HOUR)).toBe(false);
  });

  it('follows quietTargetEvery', () => {
    expect(isDue(state(), at(15), 15 * 60_000)).toBe(true);
    expect(isDue(state(), at(90), 2 * HOUR)).toBe(false);
  });
});

describe('dueTargets', () => {
  it('leaves out only the quiet targets not yet due, in the order given', () => {
    const targets = ['a', 'b', 'c', 'd'].map((n, i) => ({ accountId: `00000000000${i}`, region: 'us-east-1', n }));
    const states = new Map<string, TargetState>([
      [targetKey(targets[0]!), state({ ...targets[0], gpuInstances: 1 })],
      [targetKey(targets[1]!), state({ ...targets[1] })],
      [targetKey(targets[3]!), state({ ...targets[3], tick: iso(-60) })],
    ]);
    const { due, quiet } = dueTargets(targets, states, at(5), HOUR);
    expect(due.map((t) => t.n)).toEqual(['a', 'c', 'd']);
    expect(quiet.map((t) => t.n)).toEqual(['b']);
  });

  it('passes a fleet of quiet targets once an hour at 5-minute ticks', () => {
    let tick = 0;
    let recorded = state();
    const passes: number[] = [];
    for (let minutes = 5; minutes <= 180; minutes += 5) {
      if (isDue(recorded, at(minutes), HOUR)) {
        passes.push(minutes);
        tick = minutes;
        recorded = state({ tick: iso(tick), passedAt: new Date(T0 + tick * 60_000 + 1_500).toISOString() });
      }
    }
    expect(passes).toEqual([60, 120, 180]);
  });
});

describe('wakeDecision', () => {
  it.each([
    ['a quiet target', state(), 'wake'],
    ['a target whose last pass failed', state({ status: 'error', gpuInstances: 3 }), 'wake'],
    ['a target with GPU instances (passed every tick)', state({ gpuInstances: 1 }), 'active'],
    ['a target never recorded', undefined, 'unknown'],
  ])('%s: %s', (_name, given, decision) => {
    expect(wakeDecision(given)).toBe(decision);
  });
});
