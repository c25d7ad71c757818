/**
 * Hibernation: a stop hibernates only an instance set up for it, and only while `actions.hibernate` is on; the
 * decisions that plan or take such a stop say so, and no other decision changes.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import type { Decision, InstanceFacts } from '../../../shared/engine';
import { fleetWithHibernation, hibernates, withHibernation } from '../../../shared/pass/hibernation';

const facts = (hibernation?: boolean): InstanceFacts => ({
  instanceId: 'i-1',
  region: 'us-east-1',
  accountId: null,
  instanceType: 'g5.xlarge',
  state: 'running',
  launchTime: new Date('2030-01-01T08:00:00Z'),
  tags: {},
  gpu: { hasGpu: true, count: 1, source: 'instance-types' },
  rootDeviceType: 'ebs',
  spot: null,
  ...(hibernation === undefined ? {} : { hibernation }),
});

const decision = (overrides: Partial<Decision> = {}): Decision =>
  ({
    instanceId: 'i-1',
    outcome: 'warn',
    rule: 'idle',
    action: 'stop',
    reason: 'idle 1h',
    evidence: { launchTime: '2030-01-01T08:00:00.000Z', idleMinutes: 60, idleUsd: 1 },
    ...overrides,
  }) as Decision;

const on = parseConfig({});
const off = parseConfig({ actions: { hibernate: false } });

describe('hibernates', () => {
  it.each([
    [true, true, true],
    [false, true, false],
    [undefined, true, false],
    [true, false, false],
    [false, false, false],
  ])('hibernates an instance configured %s under actions.hibernate %s: %s', (configured, enabled, expected) => {
    expect(hibernates(facts(configured), enabled ? on : off)).toBe(expected);
  });

  it('is on by default', () => {
    expect(on.actions.hibernate).toBe(true);
  });
});

describe('withHibernation', () => {
  it.each(['warn', 'act'] as const)('says a planned or taken stop (%s) will hibernate the instance', (outcome) => {
    const said = withHibernation(decision({ outcome }), facts(true), on);
    expect(said.evidence.hibernate).toBe(true);
    expect(said.reason).toBe('idle 1h; set up for hibernation, so the stop hibernates it and its memory is kept');
    // Once is enough: a decision already annotated stays as it is.
    expect(withHibernation(said, facts(true), on)).toBe(said);
  });

  it.each([
    ['a terminate', decision({ action: 'terminate' }), facts(true), on],
    ['a notice', decision({ outcome: 'notify', action: 'notify' }), facts(true), on],
    ['a kept instance', decision({ outcome: 'keep', action: null }), facts(true), on],
    ['an instance not set up for it', decision(), facts(false), on],
    ['actions.hibernate off', decision(), facts(true), off],
  ])('leaves %s alone', (_label, d, instance, config) => {
    expect(withHibernation(d, instance, config)).toBe(d);
  });

  it('annotates a fleet by instance id, and leaves decisions without facts alone', () => {
    const other = decision({ instanceId: 'i-2' });
    const [mine, theirs] = fleetWithHibernation([decision(), other], [{ instance: facts(true) }], on);
    expect(mine?.evidence.hibernate).toBe(true);
    expect(theirs).toBe(other);
  });
});
