/**
 * Clearing warnings overtaken by someone else's stop: which stored warnings qualify (phase `warned`, the current
 * launch), the CLEARED event and its conditional clear, the tag removed only where the instance still exists, and
 * every failure reported without failing the pass.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import type { ReaperEvent } from '../../../shared/core/events';
import type { StateChange, StateStore, StoredWarning, WarningPhase } from '../../../shared/core/ports';
import type { InstanceFacts } from '../../../shared/engine';
import { clearStopped } from '../../../shared/pass/clear-stopped';
import type { Recorder } from '../../../shared/pass/recorder';
import type { RegionActor, RegionReader } from '../../../shared/pass/types';

const NOW = new Date('2030-01-01T10:20:00Z');
const LAUNCH = new Date('2030-01-01T08:00:00Z');
const ACT_AT = new Date('2030-01-01T10:40:00Z');
const config = parseConfig({ mode: 'enforce', ownerTag: 'Owner' });

const facts = (instanceId: string, state = 'stopped', region = 'us-east-1'): InstanceFacts => ({
  instanceId,
  region,
  accountId: '123456789012',
  instanceType: 'g5.xlarge',
  state,
  launchTime: LAUNCH,
  tags: { Owner: 'ana@example.com', 'gpu-reaper:warned': `idle@${ACT_AT.toISOString()}` },
  gpu: { hasGpu: true, count: 1, source: 'instance-types' },
  rootDeviceType: 'ebs',
  spot: null,
});

const warning = (phase: WarningPhase = 'warned', launchTime: string | null = LAUNCH.toISOString()): StoredWarning => ({
  rule: 'idle',
  action: 'stop',
  actAt: ACT_AT,
  warnedAt: new Date('2030-01-01T10:10:00Z'),
  phase,
  launchTime,
  passId: 'p-0',
});

interface Setup {
  readonly listed?: Record<string, { instance: InstanceFacts; stoppedAt: Date | null }[] | Error>;
  readonly stored?: Record<string, StoredWarning>;
  readonly loadFails?: boolean;
  readonly refuse?: boolean;
  readonly untagFails?: boolean;
}

function run(setup: Setup) {
  const problems: string[] = [];
  const committed: [StateChange, ReaperEvent][] = [];
  const errors: string[] = [];
  const untagged: string[] = [];
  const readers: RegionReader[] = Object.entries(setup.listed ?? {}).map(([region, answer]) => ({
    region,
    scanGpuInstances: async () => [],
    readGpuTelemetry: async () => new Map(),
    listWarnedNotRunning: async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    },
  }));
  const store = {
    load: async (ids: readonly string[]) => {
      if (setup.loadFails) throw new Error('ProvisionedThroughputExceededException');
      return new Map(ids.flatMap((id) => (setup.stored?.[id] ? [[id, setup.stored[id]] as const] : [])));
    },
  } as unknown as StateStore;
  const recorder = {
    passId: 'p-1',
    recorded: [],
    record: async (change: StateChange, event: ReaperEvent) => {
      if (setup.refuse) return false;
      committed.push([change, event]);
      return true;
    },
    recordError: async (event: ReaperEvent, key: string) => {
      errors.push(`${event.event} ${key}`);
      return true;
    },
    deliver: async () => true,
  } as unknown as Recorder;
  const actorFor = (region: string) =>
    ({
      region,
      removeTags: async (id: string, keys: readonly string[]) => {
        if (setup.untagFails) throw new Error('UnauthorizedOperation');
        untagged.push(`${id} ${keys.join(',')}`);
      },
    }) as unknown as RegionActor;
  const stamp = {
    passId: 'p-1',
    now: NOW,
    mode: 'enforce' as const,
    configHash: 'hash',
    tagPrefix: 'gpu-reaper:',
    accountIdOf: () => null,
  };
  const done = clearStopped({
    config,
    readers,
    store,
    recorder,
    actorFor,
    stamp,
    onProblem: (message) => problems.push(message),
  });
  return { done, problems, committed, errors, untagged };
}

describe('clearStopped', () => {
  it('clears a pending warning of a stopped instance with a conditional clear and removes its tag', async () => {
    const stoppedAt = new Date('2030-01-01T10:05:00Z');
    const r = run({ listed: { 'us-east-1': [{ instance: facts('i-1'), stoppedAt }] }, stored: { 'i-1': warning() } });
    expect(await r.done).toBe(1);
    const [change, event] = r.committed[0]!;
    expect(change).toEqual({
      kind: 'clear',
      instanceId: 'i-1',
      expected: { rule: 'idle', actAt: ACT_AT },
      passId: 'p-1',
    });
    expect(event).toMatchObject({
      transitionId: `i-1:CLEARED:idle:${ACT_AT.toISOString()}`,
      event: 'CLEARED',
      rule: 'idle',
      action: 'stop',
      actAt: ACT_AT.toISOString(),
      owner: 'ana@example.com',
      accountId: '123456789012',
      reason: 'stopped outside the reaper: the instance is stopped',
      hourlyUsd: expect.any(Number),
      mode: 'enforce',
    });
    // Ran from launch until the stop, not until the pass.
    expect(event.evidence).toMatchObject({
      runningForMinutes: 125,
      state: 'stopped',
      stoppedAt: stoppedAt.toISOString(),
    });
    expect(r.untagged).toEqual(['i-1 gpu-reaper:warned']);
    expect(r.problems).toEqual([]);
  });

  it('clears a terminated instance without trying to untag it', async () => {
    const r = run({
      listed: { 'us-east-1': [{ instance: facts('i-1', 'terminated'), stoppedAt: null }] },
      stored: { 'i-1': warning() },
    });
    expect(await r.done).toBe(1);
    expect(r.committed[0]![1].reason).toBe('stopped outside the reaper: the instance is terminated');
    expect(r.untagged).toEqual([]);
  });

  it.each(['acting', 'acted', 'protected'] as const)('never clears a warning in phase %s', async (phase) => {
    const r = run({
      listed: { 'us-east-1': [{ instance: facts('i-1'), stoppedAt: null }] },
      stored: { 'i-1': warning(phase) },
    });
    expect(await r.done).toBe(0);
    expect(r.committed).toEqual([]);
    expect(r.untagged).toEqual([]);
  });

  it('never clears a warning given to an earlier launch, nor an instance without a stored warning', async () => {
    const r = run({
      listed: {
        'us-east-1': [
          { instance: facts('i-old'), stoppedAt: null },
          { instance: facts('i-none'), stoppedAt: null },
        ],
      },
      stored: { 'i-old': warning('warned', '2029-12-31T08:00:00.000Z') },
    });
    expect(await r.done).toBe(0);
    expect(r.committed).toEqual([]);
  });

  it('leaves the tag alone when another pass made the clear first', async () => {
    const r = run({
      listed: { 'us-east-1': [{ instance: facts('i-1'), stoppedAt: null }] },
      stored: { 'i-1': warning() },
      refuse: true,
    });
    expect(await r.done).toBe(0);
    expect(r.untagged).toEqual([]);
  });

  it('reports a region whose listing failed and still clears the other regions', async () => {
    const r = run({
      listed: {
        'eu-west-1': new Error('RequestLimitExceeded'),
        'us-east-1': [{ instance: facts('i-1'), stoppedAt: null }],
      },
      stored: { 'i-1': warning() },
    });
    expect(await r.done).toBe(1);
    expect(r.problems).toEqual(['listing stopped instances still tagged gpu-reaper:warned in eu-west-1 failed']);
  });

  it('reports a failed state load and clears nothing', async () => {
    const r = run({ listed: { 'us-east-1': [{ instance: facts('i-1'), stoppedAt: null }] }, loadFails: true });
    expect(await r.done).toBe(0);
    expect(r.problems).toEqual([expect.stringContaining('loading the warnings of stopped instances failed')]);
  });

  it('records a failed untag once as an ERROR, and the clear still counts', async () => {
    const r = run({
      listed: { 'us-east-1': [{ instance: facts('i-1'), stoppedAt: null }] },
      stored: { 'i-1': warning() },
      untagFails: true,
    });
    expect(await r.done).toBe(1);
    expect(r.problems).toEqual(['removing the gpu-reaper:warned tag failed (i-1)']);
    expect(r.errors).toEqual([`ERROR error:untag:cleared:idle:${ACT_AT.toISOString()}`]);
  });

  it('does nothing, and reads no state, when no reader can list', async () => {
    const r = run({ listed: {}, loadFails: true });
    expect(await r.done).toBe(0);
    expect(r.problems).toEqual([]);
  });
});
