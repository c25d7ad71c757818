import { describe, expect, it } from 'vitest';
import { budgetLevel, monthOf, spendEntries, spendSince, standingsOf, teamOf } from '../../../shared/engine/budget';
import { ago, config, instance, NOW } from './fixtures';

const PERIOD = 5 * 60_000;
const BUDGETS = { budgets: { tag: 'Team', monthlyUsd: { research: 20_000, '*': 5_000 }, warnAt: 0.8 } };

describe('spend since the previous pass', () => {
  const at = (previous: Date | null, launchTime = ago('3h'), now = NOW) =>
    spendSince({ previous, launchTime, now, periodMs: PERIOD, hourlyUsd: 12 });

  it('counts the minutes since the mark at the hourly price', () => {
    expect(at(ago('2m'))).toEqual({ minutes: 2, usd: 0.4 });
  });

  it('counts at most one schedule period, also for an instance never counted', () => {
    expect(at(ago('1h'))).toEqual({ minutes: 5, usd: 1 });
    expect(at(null)).toEqual({ minutes: 5, usd: 1 });
  });

  it('never counts before the launch', () => {
    expect(at(null, ago('3m'))).toEqual({ minutes: 3, usd: 0.6 });
  });

  it('adds nothing for a retried pass at the same clock (idempotent)', () => {
    expect(at(NOW)).toEqual({ minutes: 0, usd: 0 });
  });

  it('starts a new month at its first instant', () => {
    const now = new Date('2026-12-01T00:02:00Z');
    expect(at(new Date('2026-11-30T23:58:00Z'), ago('3h', now), now)).toEqual({ minutes: 2, usd: 0.4 });
  });

  it('counts nothing without a price', () => {
    expect(spendSince({ previous: null, launchTime: ago('1h'), now: NOW, periodMs: PERIOD, hourlyUsd: null }).usd).toBe(
      0,
    );
  });
});

describe('the spend entries of a pass', () => {
  const fleet = [
    { instance: instance({ instanceId: 'i-0aaaaaaaaaaaaaaa1', tags: { Team: 'research' } }), hourlyUsd: 12 },
    { instance: instance({ instanceId: 'i-0aaaaaaaaaaaaaaa2', tags: { team: ' vision ' } }), hourlyUsd: 6 },
    { instance: instance({ instanceId: 'i-0aaaaaaaaaaaaaaa3', tags: {} }), hourlyUsd: 6 },
  ];

  it('names each instance team (tag key matched ignoring case and spaces), untagged under (untagged)', () => {
    const entries = spendEntries(fleet, new Map(), config(BUDGETS), NOW, PERIOD);
    expect(entries.map((entry) => [entry.team, entry.usd, entry.previous])).toEqual([
      ['research', 1, null],
      ['vision', 0.5, null],
      ['(untagged)', 0.5, null],
    ]);
  });

  it('moves each mark from what it read to the pass clock, and skips instances counted up to it already', () => {
    const marks = new Map([
      ['i-0aaaaaaaaaaaaaaa1', ago('1m')],
      ['i-0aaaaaaaaaaaaaaa2', NOW],
    ]);
    const entries = spendEntries(fleet, marks, config(BUDGETS), NOW, PERIOD);
    expect(entries.map((entry) => entry.instanceId)).toEqual(['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa3']);
    expect(entries[0]).toMatchObject({ previous: ago('1m').toISOString(), countedTo: NOW.toISOString(), usd: 0.2 });
  });

  it('is empty without budgets', () => {
    expect(spendEntries(fleet, new Map(), config(), NOW, PERIOD)).toEqual([]);
  });
});

describe('standings', () => {
  it('gives every team its own budget, else *', () => {
    const standings = standingsOf(new Map([['research', 17_000]]), config(BUDGETS), ['vision']);
    expect([...standings.values()]).toEqual([
      { team: 'vision', monthUsd: 0, budgetUsd: 5_000 },
      { team: 'research', monthUsd: 17_000, budgetUsd: 20_000 },
    ]);
  });

  it('leaves out teams with no budget and no *', () => {
    const only = config({ budgets: { monthlyUsd: { research: 100 } } });
    expect([...standingsOf(new Map([['vision', 5]]), only, ['research']).keys()]).toEqual(['research']);
  });

  it('is under, at the warning share, or over at 100%', () => {
    const standing = (monthUsd: number) => ({ team: 't', monthUsd, budgetUsd: 100 });
    expect(budgetLevel(standing(79.99), 0.8)).toBe('under');
    expect(budgetLevel(standing(80), 0.8)).toBe('warn');
    expect(budgetLevel(standing(100), 0.8)).toBe('over');
  });

  it('keeps totals per UTC month', () => {
    expect(monthOf(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12');
    expect(teamOf(instance({ tags: { Team: '' } }), 'Team')).toBe('(untagged)');
  });
});
