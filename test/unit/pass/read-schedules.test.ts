/**
 * The pass's read selection against an in-memory state table: an opted-out instance's reading schedules the next
 * an hour on, marked as holding only while it is out of reach; once its opt-out tag is removed the next pass reads it.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import type { ReadSchedule, StateStore } from '../../../shared/core/ports';
import type { InstanceFacts, InstanceInput } from '../../../shared/engine';
import { readSchedules } from '../../../shared/pass/read-schedules';

const NOW = new Date('2026-01-05T10:00:30Z');
const LAUNCH = new Date('2026-01-05T08:00:00Z');
const MIN = 60_000;
const config = parseConfig({});

function facts(tags: Record<string, string>): InstanceFacts {
  return {
    instanceId: 'i-0000000000000000a',
    accountId: null,
    region: 'us-east-1',
    instanceType: 'g5.xlarge',
    state: 'running',
    launchTime: LAUNCH,
    tags,
    gpu: { count: 1, source: 'describe-instance-types' },
    protection: { stop: false, termination: false },
  } as unknown as InstanceFacts;
}

/** An idle reading: no busy minute, so no busy schedule. */
function idleInput(instance: InstanceFacts): InstanceInput {
  const points = Array.from({ length: 60 }, (_, m) => ({ at: NOW.getTime() - (60 - m) * MIN, max: 1 }));
  return {
    instance,
    telemetry: {
      status: 'ok',
      source: 'instance-rollup',
      points,
      from: new Date(NOW.getTime() - 2 * 3_600_000),
      to: NOW,
      sinceLaunchMax: 1,
    },
  };
}

function memoryStore(): StateStore & { schedules: Map<string, ReadSchedule> } {
  const schedules = new Map<string, ReadSchedule>();
  return {
    schedules,
    load: async () => new Map(),
    loadReadSchedules: async (ids: readonly string[]) =>
      new Map(ids.flatMap((id) => (schedules.has(id) ? [[id, schedules.get(id)!] as const] : []))),
    saveReadSchedule: async (id: string, schedule: ReadSchedule) => {
      schedules.set(id, schedule);
    },
  } as unknown as StateStore & { schedules: Map<string, ReadSchedule> };
}

const optedOut = facts({ Owner: 'ana@example.com', 'gpu-reaper:opt-out': 'true' });
const optedIn = facts({ Owner: 'ana@example.com' });

describe('readSchedules', () => {
  it('reads an opted-out idle instance at most hourly', async () => {
    const store = memoryStore();
    const first = readSchedules(store, config, NOW, () => {});
    expect((await first.select!([optedOut])).size).toBe(0);
    await first.record([idleInput(optedOut)]);
    expect(store.schedules.get(optedOut.instanceId)).toMatchObject({
      nextReadAt: new Date(NOW.getTime() + 60 * MIN),
      outOfReach: true,
    });
    for (const minutes of [5, 30, 59]) {
      const later = readSchedules(store, config, new Date(NOW.getTime() + minutes * MIN), () => {});
      expect((await later.select!([optedOut])).has(optedOut.instanceId)).toBe(true);
    }
    const due = readSchedules(store, config, new Date(NOW.getTime() + 60 * MIN), () => {});
    expect((await due.select!([optedOut])).size).toBe(0);
  });

  it('reads at once an instance whose opt-out tag was removed, and every pass after while it is an idle candidate', async () => {
    const store = memoryStore();
    await readSchedules(store, config, NOW, () => {}).record([idleInput(optedOut)]);
    const next = readSchedules(store, config, new Date(NOW.getTime() + 5 * MIN), () => {});
    expect((await next.select!([optedIn])).size).toBe(0);
    // An idle candidate's reading writes no schedule: the old one lingers, void without the tag.
    await next.record([idleInput(optedIn)]);
    expect(store.schedules.get(optedIn.instanceId)?.outOfReach).toBe(true);
    const after = readSchedules(store, config, new Date(NOW.getTime() + 10 * MIN), () => {});
    expect((await after.select!([optedIn])).size).toBe(0);
  });

  it('reads an opted-out instance every pass when approvals count (unapproved comes before opt-out)', async () => {
    const gated = parseConfig({ gating: { threshold: 100, approvers: ['ml-leads@example.com'] } });
    const store = memoryStore();
    await readSchedules(store, gated, NOW, () => {}).record([idleInput(optedOut)]);
    expect(store.schedules.size).toBe(0);
  });
});
