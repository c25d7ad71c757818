import { describe, expect, it } from 'vitest';
import { type PassLeases, runLeased } from '../../../shared/pass/pass-lease';

const NOW = new Date('2025-06-01T12:00:00Z');
const TARGET = { accountId: '123456789012', region: 'us-east-1' };

/** In-memory leases: one holder at a time, every call recorded. */
function memoryLeases(held = false, releaseFails = false) {
  const calls: string[] = [];
  let holder: string | null = held ? 'other' : null;
  const leases: PassLeases = {
    acquire: async (_target, token, now, durationMs) => {
      calls.push(`acquire ${token} ${now.toISOString()} ${durationMs}`);
      if (holder !== null) return false;
      holder = token;
      return true;
    },
    release: async (_target, token) => {
      calls.push(`release ${token}`);
      if (releaseFails) throw new Error('DynamoDB down');
      if (holder !== token) return false;
      holder = null;
      return true;
    },
  };
  return { leases, calls };
}

const options = (problems: unknown[] = []) => ({
  now: NOW,
  durationMs: 300_000,
  onReleaseFailed: (error: unknown) => problems.push(error),
  newToken: () => 'abc',
});

describe('runLeased', () => {
  it('runs the pass under a lease for the time left, then gives the lease back', async () => {
    const { leases, calls } = memoryLeases();
    expect(await runLeased(leases, TARGET, options(), async () => 'done')).toEqual({ ran: true, result: 'done' });
    expect(calls).toEqual([
      `acquire ${NOW.toISOString()}#abc ${NOW.toISOString()} 300000`,
      `release ${NOW.toISOString()}#abc`,
    ]);
  });

  it('runs nothing while another pass holds the lease, and releases nothing', async () => {
    const { leases, calls } = memoryLeases(true);
    let ran = false;
    const run = await runLeased(leases, TARGET, options(), async () => {
      ran = true;
    });
    expect(run).toEqual({ ran: false });
    expect(ran).toBe(false);
    expect(calls.filter((call) => call.startsWith('release'))).toEqual([]);
  });

  it('gives the lease back when the pass fails, so a retry can run, and throws the failure', async () => {
    const { leases, calls } = memoryLeases();
    await expect(runLeased(leases, TARGET, options(), () => Promise.reject(new Error('scan failed')))).rejects.toThrow(
      'scan failed',
    );
    expect(calls.at(-1)).toBe(`release ${NOW.toISOString()}#abc`);
    expect(await runLeased(leases, TARGET, options(), async () => 1)).toEqual({ ran: true, result: 1 });
  });

  it('reports a release that failed and keeps the pass result (the lease expires on its own)', async () => {
    const { leases } = memoryLeases(false, true);
    const problems: unknown[] = [];
    expect(await runLeased(leases, TARGET, options(problems), async () => 'done')).toEqual({
      ran: true,
      result: 'done',
    });
    expect(problems).toEqual([new Error('DynamoDB down')]);
  });
});
