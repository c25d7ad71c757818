import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTable } from '../../../shared/adapters/dynamodb/audit-table-setup';
import { AuditTrail } from '../../../shared/adapters/dynamodb/audit-trail';
import { WarningStore } from '../../../shared/adapters/dynamodb/warning-store';
import type { ReaperEvent } from '../../../shared/core/events';
import { type LocalTable, startLocalTable } from './local-table';

const RETENTION = { ttlSeconds: 400 * 86_400 };
let local: LocalTable;
let trail: AuditTrail;

const event = (instanceId: string, at: string, name: ReaperEvent['event'] = 'WARNED'): ReaperEvent => ({
  transitionId: `${instanceId}:${name}:idle:${at}`,
  event: name,
  instanceId,
  region: 'us-east-1',
  accountId: '123456789012',
  at,
  rule: 'idle',
  action: 'stop',
  actAt: at,
  mode: 'dry-run',
  reason: 'GPU below 5% for 1h',
  evidence: {
    launchTime: '2026-11-20T08:00:00.000Z',
    runningForMinutes: 600,
    gpuCount: 4,
    gpuSource: 'instance-types',
    telemetry: 'ok',
    telemetrySource: 'per-gpu',
    window: { from: '2026-11-20T22:00:00.000Z', to: at, minutes: 60 },
    coverage: 1,
    maxUtilization: 3.5,
    snoozeUntil: undefined,
    idleMinutes: 75,
    idleUsd: 7.09,
  },
  instanceType: 'g5.12xlarge',
  owner: 'ana@example.com',
  hourlyUsd: 5.672,
  passId: 'pass-a',
  configHash: 'cfg1',
  tagPrefix: 'gpu-reaper:',
});

// Around midnight UTC, two instances, plus one event far outside the ranges asked for.
const events = [
  event('i-a', '2026-11-20T23:40:00.000Z'),
  event('i-b', '2026-11-20T23:55:00.000Z'),
  event('i-a', '2026-11-21T00:10:00.000Z', 'WOULD_STOP'),
  event('i-b', '2026-11-21T00:20:00.000Z', 'CLEARED'),
  event('i-a', '2026-11-25T12:00:00.000Z', 'ERROR'),
];

beforeAll(async () => {
  local = await startLocalTable();
  trail = new AuditTrail(local.documents, local.tableName, { region: 'us-east-1' });
  for (const item of events) await trail.write(item, RETENTION);
  // State and notice items share the instance partition; they are not events and must never come back as such.
  const store = new WarningStore(local.documents, local.tableName);
  await store.claimWarn({
    instanceId: 'i-a',
    region: 'us-east-1',
    rule: 'idle',
    action: 'stop',
    actAt: new Date('2026-11-21T00:40:00.000Z'),
    warnedAt: new Date('2026-11-21T00:10:00.000Z'),
    launchTime: '2026-11-20T08:00:00.000Z',
    passId: 'pass-a',
  });
  await store.claimNotice('i-a', 'bad-tag#gpu-reaper:max-runtime', 3600);
});
afterAll(() => local?.stop());

describe('AuditTrail against DynamoDB (moto)', () => {
  it('creates the table only once', async () => {
    expect(await createAuditTable(local.base, local.tableName)).toBe(false);
  });

  it('writes an event once: a retried pass writes nothing twice', async () => {
    const first = event('i-once', '2026-11-21T10:00:00.000Z');
    expect(await trail.write(first, RETENTION)).toBe(true);
    expect(await trail.write(first, RETENTION)).toBe(false);
    expect(await trail.byInstance('i-once')).toHaveLength(1);
  });

  it('returns every event of one instance in order, and nothing else of its partition', async () => {
    const items = await trail.byInstance('i-a');
    expect(items.map((item) => item.event)).toEqual(['WARNED', 'WOULD_STOP', 'ERROR']);
    const { tagPrefix: _, ...expected } = events[0] as ReaperEvent;
    const { snoozeUntil: __, ...evidence } = expected.evidence;
    expect(items[0]).toEqual({ ...expected, evidence });
  });

  it('narrows one instance to a time range across midnight', async () => {
    const items = await trail.byInstance('i-a', {
      from: new Date('2026-11-20T23:40:00.000Z'),
      to: new Date('2026-11-21T00:10:00.000Z'),
    });
    expect(items.map((item) => item.at)).toEqual(['2026-11-20T23:40:00.000Z', '2026-11-21T00:10:00.000Z']);
  });

  it('returns every event between two instants across a day boundary, ordered by time', async () => {
    const items = await trail.between(new Date('2026-11-20T23:50:00.000Z'), new Date('2026-11-21T00:10:00.000Z'));
    expect(items.map((item) => `${item.at} ${item.instanceId} ${item.event}`)).toEqual([
      '2026-11-20T23:55:00.000Z i-b WARNED',
      '2026-11-21T00:10:00.000Z i-a WOULD_STOP',
    ]);
    const wide = await trail.between(new Date('2026-11-19T00:00:00.000Z'), new Date('2026-11-26T00:00:00.000Z'));
    expect(wide.map((item) => item.at)).toEqual([
      ...events.map((item) => item.at).slice(0, 4),
      '2026-11-21T10:00:00.000Z',
      '2026-11-25T12:00:00.000Z',
    ]);
  });

  it('reads with Queries only, never a Scan', async () => {
    local.counter.reset();
    await trail.byInstance('i-b');
    await trail.between(new Date('2026-11-20T00:00:00.000Z'), new Date('2026-11-22T00:00:00.000Z'));
    expect(Object.keys(local.counter.snapshot())).toEqual(['DynamoDB:Query']);
    expect(local.counter.calls('DynamoDB:Query')).toBe(4);
    expect(local.counter.calls('DynamoDB:Scan')).toBe(0);
  });
});
