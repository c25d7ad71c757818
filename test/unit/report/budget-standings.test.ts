/**
 * The report document's `budgets`: each team's spend of the month the report ends in, against its budget, the
 * highest share first; present only with budgets on.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import type { ReportableItem } from '../../../shared/render/reports/audit-report';
import { budgetEntries } from '../../../shared/report/budget-standings';
import { periodReport } from '../../../shared/report/period-report';

const BUDGETS = parseConfig({
  budgets: { tag: 'Team', monthlyUsd: { research: 20_000, vision: 5_000, '*': 1_000 }, warnAt: 0.8 },
});
const FROM = new Date('2026-11-30T08:00:00.000Z');
const TO = new Date('2026-12-07T08:00:00.000Z');

/** An audit trail with nothing in it, and a ledger that records which months it was asked for. */
function sources(totals: Record<string, number>) {
  const months: string[] = [];
  const audit = { between: async () => [] as ReportableItem[] };
  const ledger = {
    loadTotals: async (month: string) => {
      months.push(month);
      return new Map(Object.entries(totals));
    },
  };
  return { audit, ledger, months };
}

describe('budgetEntries', () => {
  it('gives each team its spend to the cent, its budget and its share, the highest share first', () => {
    const totals = new Map([
      ['vision', 1_200],
      ['research', 16_040.123],
      ['(untagged)', 1_250.5],
    ]);
    expect(budgetEntries(totals, BUDGETS)).toEqual([
      { team: '(untagged)', monthUsd: 1_250.5, budgetUsd: 1_000, share: 1.2505 },
      { team: 'research', monthUsd: 16_040.12, budgetUsd: 20_000, share: 0.802 },
      { team: 'vision', monthUsd: 1_200, budgetUsd: 5_000, share: 0.24 },
    ]);
  });

  it('lists every team named in monthlyUsd even at $0, but never "*" itself', () => {
    const entries = budgetEntries(new Map([['research', 10]]), BUDGETS);
    expect(entries.map((entry) => entry.team)).toEqual(['research', 'vision']);
    expect(entries[1]).toEqual({ team: 'vision', monthUsd: 0, budgetUsd: 5_000, share: 0 });
  });

  it('leaves out a team under "*" that spent nothing, and one without any budget', () => {
    const noStar = parseConfig({ budgets: { monthlyUsd: { research: 100 } } });
    const totals = new Map([
      ['ops', 0],
      ['vision', 30],
    ]);
    expect(budgetEntries(totals, BUDGETS).map((entry) => entry.team)).toEqual(['vision', 'research']);
    expect(budgetEntries(totals, noStar)).toEqual([{ team: 'research', monthUsd: 0, budgetUsd: 100, share: 0 }]);
  });

  it('keeps the share to 4 decimals and orders equal shares by spend, then by name', () => {
    const config = parseConfig({ budgets: { monthlyUsd: { a: 300, b: 300, c: 600 } } });
    const entries = budgetEntries(
      new Map([
        ['b', 100],
        ['a', 100],
        ['c', 200],
      ]),
      config,
    );
    expect(entries).toEqual([
      { team: 'c', monthUsd: 200, budgetUsd: 600, share: 0.3333 },
      { team: 'a', monthUsd: 100, budgetUsd: 300, share: 0.3333 },
      { team: 'b', monthUsd: 100, budgetUsd: 300, share: 0.3333 },
    ]);
  });

  it('is empty with budgets off', () => {
    expect(budgetEntries(new Map([['research', 10]]), parseConfig({}))).toEqual([]);
  });
});

describe('periodReport', () => {
  it('adds budgets for the UTC month of the report end', async () => {
    const { audit, ledger, months } = sources({ research: 16_040.123 });
    const report = await periodReport(audit, FROM, TO, { ledger, config: BUDGETS });
    expect(months).toEqual(['2026-12']);
    expect(report.budgets).toEqual([
      { team: 'research', monthUsd: 16_040.12, budgetUsd: 20_000, share: 0.802 },
      { team: 'vision', monthUsd: 0, budgetUsd: 5_000, share: 0 },
    ]);
    expect(JSON.parse(JSON.stringify(report)).budgets).toHaveLength(2);
  });

  it('has no budgets key, and reads no ledger, with budgets off or without a ledger', async () => {
    const { audit, ledger, months } = sources({ research: 10 });
    const off = await periodReport(audit, FROM, TO, { ledger, config: parseConfig({}) });
    const none = await periodReport(audit, FROM, TO);
    expect(months).toEqual([]);
    expect(Object.keys(off)).not.toContain('budgets');
    expect(JSON.stringify(none)).not.toContain('budgets');
  });
});
