/**
 * The recorder: a transition is committed once, then published from the outbox; a failed publish goes back to the
 * outbox and becomes one ERROR per failure key, and an ERROR's own failed publish never begets another.
 */
import { describe, expect, it } from 'vitest';
import type { ReaperEvent } from '../../../shared/core/events';
import type { Outbox, StateChange, TransitionLog } from '../../../shared/core/ports';
import { createRecorder, errorEventFor } from '../../../shared/pass/recorder';

const NOW = new Date('2026-11-21T13:05:00Z');

const event = (name: ReaperEvent['event'] = 'WARNED', instanceId = 'i-1'): ReaperEvent =>
  ({
    transitionId: `${instanceId}:${name}:idle:2026-11-21T13:35:00.000Z`,
    event: name,
    instanceId,
    region: 'us-east-1',
    at: NOW.toISOString(),
    passId: 'p-1',
  }) as ReaperEvent;

/** In-memory log and outbox that keep the same once-only promises as the table. */
function memory(options: { failPublish?: (e: ReaperEvent) => boolean; failCommit?: boolean } = {}) {
  const transitions = new Set<string>();
  const notices = new Set<string>();
  const calls: string[] = [];
  const problems: string[] = [];
  const log = {
    commit: async (change: StateChange, e: ReaperEvent, commitOptions: { announce?: boolean }) => {
      if (options.failCommit) throw new Error('ProvisionedThroughputExceededException');
      const notice = change.kind === 'notice' ? `${change.instanceId}/${change.key}` : null;
      if (transitions.has(e.transitionId) || (notice && notices.has(notice))) return false;
      transitions.add(e.transitionId);
      if (notice) notices.add(notice);
      calls.push(`commit ${e.event}${commitOptions.announce === false ? ' (audit only)' : ''}`);
      return true;
    },
  } as unknown as TransitionLog;
  const outbox = {
    markSent: async (_id: string, transitionId: string) => void calls.push(`sent ${transitionId}`),
    release: async (_id: string, transitionId: string) => void calls.push(`release ${transitionId}`),
  } as unknown as Outbox;
  const publisher = {
    publish: async (e: ReaperEvent) => {
      if (options.failPublish?.(e)) throw new Error('InternalError');
      calls.push(`publish ${e.event}`);
    },
  };
  const recorder = createRecorder({
    log,
    outbox,
    publisher,
    passId: 'p-2',
    now: NOW,
    ttlSeconds: 60,
    onProblem: (message) => problems.push(message),
  });
  return { recorder, calls, problems };
}

describe('createRecorder', () => {
  it('commits, publishes, then marks the notification sent', async () => {
    const { recorder, calls, problems } = memory();
    const warned = event();
    expect(await recorder.record({ kind: 'warn' } as StateChange, warned)).toBe(true);
    expect(calls).toEqual(['commit WARNED', 'publish WARNED', `sent ${warned.transitionId}`]);
    expect(recorder.recorded).toEqual([warned]);
    expect(problems).toEqual([]);
  });

  it('publishes nothing for a transition another pass made', async () => {
    const { recorder, calls } = memory();
    await recorder.record({ kind: 'warn' } as StateChange, event());
    expect(await recorder.record({ kind: 'warn' } as StateChange, event())).toBe(false);
    expect(calls.filter((call) => call.startsWith('publish'))).toHaveLength(1);
  });

  it('keeps a failed notification in the outbox and records one ERROR, whose own failure begets none', async () => {
    const { recorder, calls, problems } = memory({ failPublish: () => true });
    const warned = event();
    expect(await recorder.record({ kind: 'warn' } as StateChange, warned)).toBe(true);
    const errorId = `i-1:ERROR:publish:${warned.transitionId}`;
    expect(calls).toEqual(['commit WARNED', `release ${warned.transitionId}`, 'commit ERROR', `release ${errorId}`]);
    expect(recorder.recorded.map((e) => e.event)).toEqual(['WARNED', 'ERROR']);
    expect(problems).toHaveLength(2);

    // Failing again on a later delivery: the ERROR of that failure key exists already.
    expect(await recorder.deliver(warned)).toBe(false);
    expect(recorder.recorded).toHaveLength(2);
  });

  it('commits an audit-only item without an outbox entry: never published, never a transition of the pass', async () => {
    const { recorder, calls } = memory();
    const skipped = event('SKIPPED');
    const change = { kind: 'notice', instanceId: 'i-1', key: 'reach:opt-out', ttlSeconds: 60 } as StateChange;
    expect(await recorder.audit(change, skipped)).toBe(true);
    expect(await recorder.audit(change, { ...skipped, transitionId: 'later' })).toBe(false);
    expect(calls).toEqual(['commit SKIPPED (audit only)']);
    expect(recorder.recorded).toEqual([]);
  });

  it('never throws from recordError, even with the table down', async () => {
    const { recorder, problems } = memory({ failCommit: true });
    const failure = errorEventFor(event(), { passId: 'p-2', now: NOW }, 'stop', 'StopInstances failed');
    expect(await recorder.recordError(failure, 'error:stop')).toBe(false);
    expect(problems).toEqual(['recording ERROR error:stop for i-1 failed']);
  });

  it('names the failure key in the ERROR transition id, at the pass clock', () => {
    const failure = errorEventFor(event('STOPPED'), { passId: 'p-2', now: NOW }, 'recover:x', 'why');
    expect(failure).toMatchObject({
      event: 'ERROR',
      transitionId: 'i-1:ERROR:recover:x',
      passId: 'p-2',
      reason: 'why',
    });
  });
});
