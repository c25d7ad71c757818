/**
 * Escape hatches: which instances are kept out of the reaper's reach, and how they are recorded: audit-only (no
 * outbox entry, no message), once per launch, kind and UTC day.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import type { ReaperEvent } from '../../../shared/core/events';
import type { StateChange } from '../../../shared/core/ports';
import type { Decision, InstanceFacts, InstanceInput } from '../../../shared/engine';
import type { PassStamp } from '../../../shared/pass/event-builder';
import { outOfReachOf, recordOutOfReach } from '../../../shared/pass/out-of-reach';
import type { Recorder } from '../../../shared/pass/recorder';

const NOW = new Date('2030-01-02T08:00:00Z');
const LAUNCH = new Date('2030-01-01T08:00:00Z');
const HOUR = 3_600_000;
const config = parseConfig({});

const input = (tags: Record<string, string>, snooze: InstanceInput['snooze'] = null): InstanceInput => ({
  instance: {
    instanceId: 'i-1',
    region: 'us-east-1',
    accountId: '123456789012',
    instanceType: 'g5.xlarge',
    state: 'running',
    launchTime: LAUNCH,
    tags,
    gpu: { hasGpu: true, count: 1, source: 'instance-types' },
    rootDeviceType: 'ebs',
    spot: null,
  } satisfies InstanceFacts,
  telemetry: { status: 'missing', source: 'none', points: [], from: NOW, to: NOW, sinceLaunchMax: null },
  snooze,
});

const inHours = (hours: number) => new Date(NOW.getTime() + hours * HOUR).toISOString();

describe('outOfReachOf', () => {
  it.each([
    ['opt-out', { 'gpu-reaper:opt-out': 'true' }],
    ['opt-out', { ' Gpu-Reaper:Opt-Out': 'yes' }],
    ['managed-by-service', { 'eks:cluster-name': 'ml' }],
    ['managed-by-service', { 'kubernetes.io/cluster/ml': 'owned' }],
    ['managed-by-service', { 'karpenter.sh/nodepool': 'gpu' }],
    ['managed-by-asg', { 'aws:autoscaling:groupName': 'workers' }],
    ['notify-only', { 'gpu-reaper:action': 'notify' }],
    ['notify-only', { 'GPU-REAPER:ACTION': ' Notify ' }],
    ['long-snooze', { 'gpu-reaper:snooze-until': inHours(20) }],
  ])('finds %s from %j', (kind, tags) => {
    expect(outOfReachOf(input(tags), config, NOW)?.kind).toBe(kind);
  });

  it.each([
    ['no tag', {}],
    ['opt-out false', { 'gpu-reaper:opt-out': 'false' }],
    ['a stop or terminate choice', { 'gpu-reaper:action': 'terminate' }],
    ['a short snooze', { 'gpu-reaper:snooze-until': inHours(4) }],
    ['a snooze that ended', { 'gpu-reaper:snooze-until': inHours(-1) }],
  ])('finds nothing for %s', (_name, tags) => {
    expect(outOfReachOf(input(tags), config, NOW)).toBeNull();
  });

  it('never counts notify as out of reach when actions.ownerChoices does not offer it (a tag problem instead)', () => {
    const strict = parseConfig({ actions: { ownerChoices: ['stop'] } });
    expect(outOfReachOf(input({ 'gpu-reaper:action': 'notify' }), strict, NOW)).toBeNull();
  });

  it('leaves Auto Scaling members in reach when actions.asgMembers acts on them', () => {
    const acting = parseConfig({ actions: { asgMembers: 'stop' } });
    expect(outOfReachOf(input({ 'aws:autoscaling:groupName': 'workers' }), acting, NOW)).toBeNull();
  });

  it('names only the most protective way: opted out beats managed, notify-only and a long snooze', () => {
    const tags = {
      'gpu-reaper:opt-out': 'true',
      'eks:cluster-name': 'ml',
      'gpu-reaper:action': 'notify',
      'gpu-reaper:snooze-until': inHours(20),
    };
    expect(outOfReachOf(input(tags), config, NOW)).toMatchObject({ kind: 'opt-out', since: LAUNCH, until: null });
  });

  it('counts a long snooze from the first sighting of its value, to its capped end', () => {
    const firstSeenAt = new Date(NOW.getTime() - 6 * HOUR);
    const value = inHours(100);
    const found = outOfReachOf(input({ 'gpu-reaper:snooze-until': value }, { value, firstSeenAt }), config, NOW);
    // Capped at the 24h ceiling from the first sighting: 18h left, 24h long.
    expect(found).toMatchObject({ kind: 'long-snooze', since: firstSeenAt, until: new Date(inHours(18)) });
    expect(found?.reason).toContain('24h from when the reaper first saw it');
  });
});

describe('recordOutOfReach', () => {
  const stamp: PassStamp = {
    passId: 'p-1',
    now: NOW,
    mode: 'enforce',
    configHash: 'h',
    tagPrefix: 'gpu-reaper:',
    accountIdOf: () => '123456789012',
  };
  const decision = {
    instanceId: 'i-1',
    region: 'us-east-1',
    instanceType: 'g5.xlarge',
    owner: 'bo@example.com',
    outcome: 'keep',
    rule: null,
    action: null,
    executed: false,
    actAt: null,
    reason: 'busy',
    hourlyUsd: 1.006,
    evidence: { launchTime: LAUNCH.toISOString() },
  } as unknown as Decision;

  /** A recorder that keeps what it audits and refuses a notice key seen before, as the table does. */
  function auditing() {
    const keys = new Set<string>();
    const audited: { change: StateChange; event: ReaperEvent }[] = [];
    const fail = () => {
      throw new Error('an out-of-reach record must never be announced');
    };
    const recorder = {
      record: fail,
      recordError: fail,
      deliver: fail,
      audit: async (change: StateChange, event: ReaperEvent) => {
        const key = change.kind === 'notice' ? change.key : '';
        if (keys.has(key)) return false;
        keys.add(key);
        audited.push({ change, event });
        return true;
      },
    } as unknown as Recorder;
    return { recorder, audited };
  }

  it('records an audit-only SKIPPED item with the kind, the owner and the price, never announced', async () => {
    const { recorder, audited } = auditing();
    const ctx = { config, stamp, recorder, ttlSeconds: 60 };
    expect(await recordOutOfReach(ctx, decision, input({ 'gpu-reaper:action': 'notify' }))).toBe(true);
    expect(audited).toHaveLength(1);
    expect(audited[0]?.event).toMatchObject({
      event: 'SKIPPED',
      rule: null,
      action: null,
      owner: 'bo@example.com',
      hourlyUsd: 1.006,
      by: 'reaper',
      evidence: { outOfReach: 'notify-only', outOfReachSince: LAUNCH.toISOString() },
    });
    expect(audited[0]?.event.reason).toMatch(/^kept out of reach: tag gpu-reaper:action=notify/);
  });

  it('records once per launch, kind and UTC day, however many passes see it', async () => {
    const { recorder, audited } = auditing();
    const tags = { 'eks:cluster-name': 'ml' };
    for (const minutes of [0, 5, 10]) {
      const later = { ...stamp, now: new Date(NOW.getTime() + minutes * 60_000) };
      await recordOutOfReach({ config, stamp: later, recorder, ttlSeconds: 60 }, decision, input(tags));
    }
    expect(audited).toHaveLength(1);
    const tomorrow = { ...stamp, now: new Date(NOW.getTime() + 24 * HOUR) };
    await recordOutOfReach({ config, stamp: tomorrow, recorder, ttlSeconds: 60 }, decision, input(tags));
    expect(audited.map(({ event }) => event.rule)).toEqual(['managed-by-service', 'managed-by-service']);
  });

  it('records nothing for an instance within reach', async () => {
    const { recorder, audited } = auditing();
    expect(await recordOutOfReach({ config, stamp, recorder, ttlSeconds: 60 }, decision, input({}))).toBe(false);
    expect(audited).toEqual([]);
  });
});
