/**
 * An owner's "stop it now" re-checked on fresh facts: opt-out, another system managing the instance and stop
 * protection forbid it; busy GPUs, a snooze or a rule that no longer holds do not (the owner asked).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import type { Decision, InstanceFacts } from '../../../shared/engine';
import { ownerStopCheck } from '../../../shared/owner-actions/owner-stop-check';

const NOW = new Date('2026-11-21T13:00:00.000Z');
const config = parseConfig({});
const fresh: InstanceFacts = {
  instanceId: 'i-0123456789abcdef0',
  region: 'us-east-1',
  accountId: '123456789012',
  instanceType: 'g5.xlarge',
  state: 'running',
  launchTime: new Date('2026-11-21T11:00:00.000Z'),
  tags: { Owner: 'carol@example.com' },
  gpu: { count: 1, source: 'instance-types' } as InstanceFacts['gpu'],
  rootDeviceType: 'ebs',
  spot: null,
  protection: { stop: false, termination: false },
};
const asked = {
  instanceId: fresh.instanceId,
  region: fresh.region,
  instanceType: fresh.instanceType,
  owner: 'carol@example.com',
  outcome: 'act',
  rule: 'idle',
  action: 'stop',
  executed: false,
  actAt: NOW.toISOString(),
  reason: "stopped at the owner's request",
  hourlyUsd: 1.006,
  evidence: {},
  tagProblems: [],
  warningChange: { kind: 'none' },
  snoozeSeen: null,
} as unknown as Decision;

describe('the re-check of an owner stop', () => {
  it('lets the stop go ahead when nothing forbids it, snoozed or not', () => {
    expect(ownerStopCheck(asked, fresh, config, NOW)).toBe(asked);
    const snoozed = { ...fresh, tags: { ...fresh.tags, 'gpu-reaper:snooze-until': '2026-11-21T20:00:00Z' } };
    expect(ownerStopCheck(asked, snoozed, config, NOW)).toBe(asked);
  });

  it.each([
    ['opted out', { 'gpu-reaper:opt-out': 'true' }, 'opt-out'],
    ['in an Auto Scaling group', { 'aws:autoscaling:groupName': 'workers' }, 'managed-by-asg'],
  ])('never stops an instance %s', (_what, tags, rule) => {
    const decision = ownerStopCheck(asked, { ...fresh, tags: { ...fresh.tags, ...tags } }, config, NOW);
    expect(decision).toMatchObject({ outcome: 'skip', rule, action: null });
  });

  it('never stops an instance with stop protection on', () => {
    const decision = ownerStopCheck(asked, { ...fresh, protection: { stop: true, termination: false } }, config, NOW);
    expect(decision).toMatchObject({ outcome: 'skip', rule: 'protected' });
    expect(decision.reason).toContain('stop protection is on');
  });
});
