import { describe, expect, it } from 'vitest';
import { SERVICE_TAG_KEYS } from '../../../../shared/engine';
import { asgAction } from '../../../../shared/engine/rules';
import { ago, config, decide, instance, points, reaperTags, telemetry } from '../fixtures';

const idleSeries = telemetry(points(1));
const expiredTag = reaperTags({ 'expires-at': ago('1d').toISOString() });

describe('opt-out', () => {
  it.each(['', 'true', 'yes', 'anything'])('never warns or acts when opt-out=%j, even past every deadline', (value) => {
    const decision = decide({
      instance: { launchTime: ago('30d'), tags: { ...expiredTag, ...reaperTags({ 'opt-out': value }) } },
      telemetry: idleSeries,
    });
    expect(decision).toMatchObject({ outcome: 'skip', rule: 'opt-out', action: null, actAt: null });
    expect(decision.reason).toBe(`opted out by tag gpu-reaper:opt-out=${JSON.stringify(value)}`);
  });

  it.each(['false', 'FALSE', ' False '])('evaluates normally when opt-out=%j', (value) => {
    const decision = decide({ instance: { tags: reaperTags({ 'opt-out': value }) }, telemetry: idleSeries });
    expect(decision.rule).toBe('idle');
  });

  it('beats the managed-by skips', () => {
    const tags = { ...reaperTags({ 'opt-out': '' }), 'eks:cluster-name': 'ml', 'aws:autoscaling:groupName': 'asg' };
    expect(decide({ instance: { tags } }).rule).toBe('opt-out');
  });
});

describe('managed-by-service', () => {
  it.each([...SERVICE_TAG_KEYS.filter((key) => !key.endsWith('/')), 'kubernetes.io/cluster/training'])(
    'never acts on an instance tagged %s',
    (key) => {
      const decision = decide({
        instance: { launchTime: ago('30d'), tags: { [key]: 'x', ...expiredTag } },
        telemetry: idleSeries,
      });
      expect(decision).toMatchObject({ outcome: 'skip', rule: 'managed-by-service' });
      expect(decision.reason).toBe(`managed by another service (tag ${key})`);
    },
  );

  it.each([
    'kubernetes.io/clusterx',
    'eks:cluster',
    'Eks:Cluster-Name',
    'eks:cluster-name-old',
    'AWSBatchServiceTagged',
  ])('does not match the look-alike key %s', (key) => {
    expect(decide({ instance: { tags: { [key]: 'x' } }, telemetry: idleSeries }).rule).toBe('idle');
  });
});

describe('managed-by-asg', () => {
  const member = { tags: { 'aws:autoscaling:groupName': 'training-asg' } };

  it('never acts on a group member by default', () => {
    const decision = decide({ instance: { ...member, launchTime: ago('30d') }, telemetry: idleSeries });
    expect(decision).toMatchObject({ outcome: 'skip', rule: 'managed-by-asg' });
    expect(decision.reason).toBe('member of Auto Scaling group "training-asg" (actions.asgMembers: skip)');
  });

  it.each([
    ['notify', 'notify', 'notify'],
    ['stop', 'warn', 'stop'],
    ['terminate', 'warn', 'terminate'],
  ] as const)('replaces the action with asgMembers=%s', (asgMembers, outcome, action) => {
    const decision = decide({ instance: member, telemetry: idleSeries, config: { actions: { asgMembers } } });
    expect(decision).toMatchObject({ outcome, action, rule: 'idle' });
  });

  it('says why the action was replaced', () => {
    const decision = decide({
      instance: member,
      telemetry: idleSeries,
      config: { actions: { asgMembers: 'terminate' } },
    });
    expect(decision.reason).toContain('Auto Scaling group member: action terminate (actions.asgMembers)');
  });

  it.each(['notify', 'stop', 'terminate'] as const)(
    'never changes the action of an instance outside any group when asgMembers=%s',
    (asgMembers) => {
      const decision = decide({ telemetry: idleSeries, config: { actions: { asgMembers, idle: 'terminate' } } });
      expect(decision).toMatchObject({ outcome: 'warn', rule: 'idle', action: 'terminate' });
      expect(decision.reason).not.toContain('Auto Scaling');
    },
  );

  it('gives no replacement action for a member while members are skipped', () => {
    const facts = instance(member);
    expect(asgAction(facts, config())).toBeNull();
    expect(asgAction(facts, config({ actions: { asgMembers: 'notify' } }))).toBe('notify');
    expect(asgAction(instance(), config({ actions: { asgMembers: 'notify' } }))).toBeNull();
  });

  it('keeps a busy member when members are evaluated', () => {
    const decision = decide({
      instance: member,
      telemetry: telemetry(points(70)),
      config: { actions: { asgMembers: 'stop' } },
    });
    expect(decision.outcome).toBe('keep');
  });

  it('ranks below managed-by-service', () => {
    const tags = { ...member.tags, 'karpenter.sh/nodepool': 'gpu' };
    expect(decide({ instance: { tags } }).rule).toBe('managed-by-service');
  });
});
