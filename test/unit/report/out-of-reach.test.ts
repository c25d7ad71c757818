/**
 * "Kept out of reach" from the audit trail: one entry per instance, launch and kind, hours from the launch (or a
 * long snooze's first sighting) to the end of the report or the last time it was seen, dollars at on-demand price.
 */
import { describe, expect, it } from 'vitest';
import { type OutOfReachItem, outOfReach } from '../../../shared/report/out-of-reach';

const TO = new Date('2024-05-08T00:00:00.000Z');
const LAUNCH = '2024-05-05T00:00:00.000Z';

/** An out-of-reach record of `instanceId` at `at`. */
function record(
  instanceId: string,
  kind: string,
  at: string,
  fields: Partial<Omit<OutOfReachItem, 'evidence'>> & { launchTime?: string; since?: string; until?: string } = {},
): OutOfReachItem {
  const { launchTime = LAUNCH, since = launchTime, until, ...rest } = fields;
  return {
    event: 'SKIPPED',
    instanceId,
    instanceType: 'g5.xlarge',
    owner: 'ana@example.com',
    at,
    hourlyUsd: 1.006,
    region: 'us-east-1',
    accountId: '123456789012',
    reason: `kept out of reach: ${kind}`,
    evidence: {
      launchTime,
      outOfReach: kind,
      outOfReachSince: since,
      ...(until === undefined ? {} : { outOfReachUntil: until }),
    },
    ...rest,
  };
}

describe('outOfReach', () => {
  it('counts a still-running escape from its launch to the end of the report, at on-demand price', () => {
    // Launched 72h before the end, seen daily: 72h × $1.006 = $72.43.
    const items = [
      record('i-1', 'opt-out', '2024-05-05T00:05:00.000Z'),
      record('i-1', 'opt-out', '2024-05-06T00:05:00.000Z'),
      record('i-1', 'opt-out', '2024-05-07T00:05:00.000Z'),
    ];
    const { entries, summary } = outOfReach(items, TO);
    expect(entries).toEqual([
      {
        kind: 'opt-out',
        instanceId: 'i-1',
        accountId: '123456789012',
        region: 'us-east-1',
        instanceType: 'g5.xlarge',
        owner: 'ana@example.com',
        launchTime: LAUNCH,
        since: LAUNCH,
        until: TO.toISOString(),
        lastSeen: '2024-05-07T00:05:00.000Z',
        hours: 72,
        hourlyUsd: 1.006,
        usd: 72.43,
        reason: 'kept out of reach: opt-out',
      },
    ]);
    expect(summary).toMatchObject({ instances: 1, hours: 72, usd: 72.43, unpriced: 0 });
    expect(summary.byKind).toEqual({ 'opt-out': { instances: 1, hours: 72, usd: 72.43, unpriced: 0 } });
    expect(summary.method).toContain('at on-demand price');
  });

  it('counts from a launch before the report began: the escape is seen through its daily record', () => {
    const launch = '2024-04-01T00:00:00.000Z';
    const [entry] = outOfReach(
      [record('i-1', 'notify-only', '2024-05-07T12:00:00.000Z', { launchTime: launch })],
      TO,
    ).entries;
    expect(entry).toMatchObject({ since: launch, hours: 37 * 24 });
  });

  it('ends at the last record when the next one was due and never came (stopped, or the escape ended)', () => {
    const items = [record('i-1', 'managed-by-service', '2024-05-05T00:05:00.000Z')];
    expect(outOfReach(items, TO).entries[0]).toMatchObject({ until: '2024-05-05T00:05:00.000Z', hours: 0.08 });
  });

  it('ends a run at the instance next launch, seen in any later item', () => {
    // Seen at 00:05 on the last day, stopped, started again at 10:00 without its opt-out (then warned).
    const restarted = { ...record('i-1', 'x', '2024-05-07T12:00:00.000Z'), event: 'WARNED' };
    const items = [
      record('i-1', 'opt-out', '2024-05-07T00:05:00.000Z'),
      { ...restarted, evidence: { launchTime: '2024-05-07T10:00:00.000Z' } },
    ];
    expect(outOfReach(items, TO).entries).toEqual([expect.objectContaining({ kind: 'opt-out', hours: 58 })]);
  });

  it('counts a long snooze from its first sighting to its end', () => {
    const snooze = record('i-2', 'long-snooze', '2024-05-07T00:00:00.000Z', {
      since: '2024-05-07T00:00:00.000Z',
      until: '2024-05-07T20:00:00.000Z',
      hourlyUsd: 5.672,
    });
    expect(outOfReach([snooze], TO).entries[0]).toMatchObject({ kind: 'long-snooze', hours: 20, usd: 113.44 });
  });

  it('keeps a new snooze value of the same launch apart', () => {
    const first = { since: '2024-05-06T00:00:00.000Z', until: '2024-05-06T20:00:00.000Z' };
    const second = { since: '2024-05-07T00:00:00.000Z', until: '2024-05-07T20:00:00.000Z' };
    const items = [
      record('i-2', 'long-snooze', first.since, first),
      record('i-2', 'long-snooze', second.since, second),
    ];
    expect(outOfReach(items, TO).summary).toMatchObject({ instances: 2, hours: 40 });
  });

  it('counts the hours of an instance without a price, never its dollars', () => {
    const { entries, summary } = outOfReach(
      [record('i-3', 'opt-out', '2024-05-07T00:00:00.000Z', { hourlyUsd: null })],
      TO,
    );
    expect(entries[0]).toMatchObject({ hours: 72, usd: null, hourlyUsd: null });
    expect(summary).toMatchObject({ instances: 1, hours: 72, usd: 0, unpriced: 1 });
  });

  it('lists the costliest first, and ignores items that are not out-of-reach records', () => {
    const items = [
      record('i-cheap', 'opt-out', '2024-05-07T00:00:00.000Z'),
      record('i-dear', 'notify-only', '2024-05-07T00:00:00.000Z', { hourlyUsd: 32.77 }),
      { ...record('i-protected', 'x', '2024-05-07T00:00:00.000Z'), evidence: { launchTime: LAUNCH } },
      { ...record('i-stopped', 'opt-out', '2024-05-07T00:00:00.000Z'), event: 'STOPPED' },
    ];
    expect(outOfReach(items, TO).entries.map((entry) => entry.instanceId)).toEqual(['i-dear', 'i-cheap']);
  });

  it('never counts past the end of the report', () => {
    const late = record('i-1', 'opt-out', '2024-05-07T00:00:00.000Z');
    expect(outOfReach([late], new Date('2024-05-06T00:00:00.000Z')).entries[0]).toMatchObject({ hours: 24 });
  });
});
