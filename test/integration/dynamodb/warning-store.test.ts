import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WarningStore } from '../../../shared/adapters/dynamodb/warning-store';
import { type LocalTable, startLocalTable } from './local-table';

const ACT_AT = new Date(Date.now() + 30 * 60_000);
const LAUNCH = '2026-11-21T08:00:00.000Z';
const RESTART = '2026-11-21T12:00:00.000Z';
let local: LocalTable;
let store: WarningStore;

const warn = (instanceId: string, passId: string, overrides: Record<string, unknown> = {}) =>
  store.claimWarn({
    instanceId,
    region: 'us-east-1',
    rule: 'idle',
    action: 'stop',
    actAt: ACT_AT,
    warnedAt: new Date(),
    launchTime: LAUNCH,
    passId,
    ...overrides,
  });

beforeAll(async () => {
  local = await startLocalTable();
  store = new WarningStore(local.documents, local.tableName, { region: 'us-east-1' });
});
afterAll(() => local?.stop());

describe('WarningStore against DynamoDB (moto)', () => {
  it('lets exactly one of several concurrent passes warn', async () => {
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all(['a', 'b', 'c', 'd'].map((pass) => warn(`i-race-${round}`, `pass-${pass}`)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    }
  });

  it('refuses a second warning for the same rule and launch, and stores no event attribute', async () => {
    expect(await warn('i-warn', 'pass-a')).toBe(true);
    expect(await warn('i-warn', 'pass-b')).toBe(false);
    const raw = await local.documents.send(
      new GetCommand({ TableName: local.tableName, Key: { pk: 'INSTANCE#i-warn', sk: 'STATE' } }),
    );
    expect(raw.Item).toMatchObject({ phase: 'warned', passId: 'pass-a', launchTime: LAUNCH });
    expect(raw.Item).not.toHaveProperty('event');
  });

  it('warns again after a restart (the stored warning is stale) or for another rule', async () => {
    expect(await warn('i-restart', 'pass-a')).toBe(true);
    expect(await warn('i-restart', 'pass-b', { launchTime: RESTART })).toBe(true);
    expect((await store.load(['i-restart'])).get('i-restart')).toMatchObject({ launchTime: RESTART, passId: 'pass-b' });
    expect(await warn('i-restart', 'pass-c', { launchTime: RESTART, rule: 'max-runtime' })).toBe(true);
    expect((await store.load(['i-restart'])).get('i-restart')?.rule).toBe('max-runtime');
  });

  it('gives the act to exactly one pass, which alone finishes it', async () => {
    await warn('i-act', 'pass-w');
    const passes = ['p1', 'p2', 'p3', 'p4'];
    const answers = await Promise.all(
      passes.map((pass) => store.claimAct('i-act', { rule: 'idle', actAt: ACT_AT }, pass)),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
    const winner = passes[answers.indexOf(true)] ?? '';
    const loser = passes.find((pass) => pass !== winner) ?? '';
    expect((await store.load(['i-act'])).get('i-act')).toMatchObject({ phase: 'acting', passId: winner });
    await store.finishAct('i-act', 'acted', loser);
    expect((await store.load(['i-act'])).get('i-act')?.phase).toBe('acting');
    await store.finishAct('i-act', 'acted', winner);
    expect((await store.load(['i-act'])).get('i-act')?.phase).toBe('acted');
    expect(await store.claimAct('i-act', { rule: 'idle', actAt: ACT_AT }, 'p5')).toBe(false);
  });

  it('refuses the act when the warning promised another time, and releases a failed act for the next pass', async () => {
    await warn('i-release', 'pass-w');
    const later = new Date(ACT_AT.getTime() + 60_000);
    expect(await store.claimAct('i-release', { rule: 'idle', actAt: later }, 'p1')).toBe(false);
    expect(await store.claimAct('i-release', { rule: 'idle', actAt: ACT_AT }, 'p1')).toBe(true);
    await store.releaseAct('i-release', 'p1');
    expect((await store.load(['i-release'])).get('i-release')?.phase).toBe('warned');
    expect(await store.claimAct('i-release', { rule: 'idle', actAt: ACT_AT }, 'p2')).toBe(true);
  });

  it('takes over an acting claim whose pass died, once the lease has run out', async () => {
    const hasty = new WarningStore(local.documents, local.tableName, { actingLeaseMs: 0 });
    await warn('i-lease', 'pass-w');
    expect(await store.claimAct('i-lease', { rule: 'idle', actAt: ACT_AT }, 'dead')).toBe(true);
    expect(await store.claimAct('i-lease', { rule: 'idle', actAt: ACT_AT }, 'p2')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await hasty.claimAct('i-lease', { rule: 'idle', actAt: ACT_AT }, 'p2')).toBe(true);
  });

  it('clears a warning once, and only the one it expected', async () => {
    await warn('i-clear', 'pass-w');
    expect(await store.claimClear('i-clear', { rule: 'never-used', actAt: ACT_AT })).toBe(false);
    expect(await store.claimClear('i-clear', { rule: 'idle', actAt: new Date(ACT_AT.getTime() + 1) })).toBe(false);
    expect(await store.claimClear('i-clear', { rule: 'idle', actAt: ACT_AT })).toBe(true);
    expect(await store.claimClear('i-clear', { rule: 'idle', actAt: ACT_AT })).toBe(false);
    expect((await store.load(['i-clear'])).has('i-clear')).toBe(false);
  });

  it('with a pass id, never clears from under another acting pass, but lets the acting pass clear', async () => {
    await warn('i-clear-acting', 'pass-w');
    await store.claimAct('i-clear-acting', { rule: 'idle', actAt: ACT_AT }, 'p1');
    expect(await store.claimClear('i-clear-acting', { rule: 'idle', actAt: ACT_AT }, 'p2')).toBe(false);
    expect(await store.claimClear('i-clear-acting', { rule: 'idle', actAt: ACT_AT }, 'p1')).toBe(true);
  });

  it('gives a one-off notice once per key', async () => {
    expect(await store.claimNotice('i-notice', `no-telemetry#${LAUNCH}`, 3600)).toBe(true);
    expect(await store.claimNotice('i-notice', `no-telemetry#${LAUNCH}`, 3600)).toBe(false);
    expect(await store.claimNotice('i-notice', `no-telemetry#${RESTART}`, 3600)).toBe(true);
    expect((await store.load(['i-notice'])).size).toBe(0);
  });

  it('treats expired items as gone, since TTL deletion is lazy (moto never deletes them)', async () => {
    // Margins of seconds, not milliseconds: a loaded machine must not cross a TTL boundary between two calls.
    const later = new WarningStore(local.documents, local.tableName, { now: () => new Date(Date.now() + 60_000) });
    expect(await store.claimNotice('i-expired', 'bad-tag', 30)).toBe(true);
    expect(await store.claimNotice('i-expired', 'bad-tag', 30)).toBe(false);
    expect(await later.claimNotice('i-expired', 'bad-tag', 30)).toBe(true);

    const brief = new WarningStore(local.documents, local.tableName, { retentionSeconds: 30 });
    await brief.claimWarn({
      instanceId: 'i-expired',
      region: 'us-east-1',
      rule: 'idle',
      action: 'stop',
      actAt: new Date(),
      warnedAt: new Date(),
      launchTime: LAUNCH,
      passId: 'pass-a',
    });
    expect((await store.load(['i-expired'])).has('i-expired')).toBe(true);
    expect((await later.load(['i-expired'])).has('i-expired')).toBe(false);
  });

  it('never lets a warning for another rule replace a state a pass is acting on', async () => {
    await warn('i-busy', 'pass-w');
    expect(await store.claimAct('i-busy', { rule: 'idle', actAt: ACT_AT }, 'p1')).toBe(true);
    expect(await warn('i-busy', 'pass-x', { rule: 'max-runtime' })).toBe(false);
    expect(await warn('i-busy', 'pass-x', { rule: 'max-runtime', launchTime: RESTART })).toBe(true);
  });

  it('loads more than one BatchGetItem worth of states', async () => {
    const ids = Array.from({ length: 130 }, (_, index) => `i-many-${index}`);
    for (const id of ids.slice(0, 110)) await warn(id, 'pass-a');
    local.counter.reset();
    const states = await store.load([...ids, ...ids]);
    expect(states.size).toBe(110);
    expect(local.counter.snapshot()).toEqual({ 'DynamoDB:BatchGetItem': expect.objectContaining({ calls: 2 }) });
  });
});
