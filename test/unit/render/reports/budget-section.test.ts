/**
 * "Budgets this month" as the report's table prints it and as the weekly digest says it: amounts with thousands
 * separators, shares as percents, the warning and over-budget words, and the month named.
 */
import { describe, expect, it } from 'vitest';
import { auditReport, renderAuditReport } from '../../../../shared/render/reports/audit-report';
import { budgetLine, budgetTable, monthName } from '../../../../shared/render/reports/budget-section';
import { renderDigest } from '../../../../shared/render/reports/digest-text';
import { columns } from '../../../../shared/render/tables/terminal-wrap';
import type { BudgetEntry } from '../../../../shared/report/budget-standings';

const TO = '2026-12-07T08:00:00.000Z';
const RESEARCH = { team: 'research', monthUsd: 16_040.12, budgetUsd: 20_000, share: 0.802 };
const VISION = { team: 'vision', monthUsd: 1_200, budgetUsd: 5_000, share: 0.24 };
const ROBOTICS = { team: 'robotics', monthUsd: 6_100, budgetUsd: 5_000, share: 1.22 };
const ENTRIES: BudgetEntry[] = [ROBOTICS, RESEARCH, VISION];

const report = (budgets?: BudgetEntry[]) => ({
  ...auditReport([], new Date('2026-11-30T08:00:00.000Z'), new Date(TO)),
  ...(budgets === undefined ? {} : { budgets }),
});

describe('budgetTable', () => {
  it('names the month of the report end and counts the teams over and past the warning', () => {
    expect(monthName(TO)).toBe('December 2026');
    expect(monthName('2027-01-01T00:30:00.000Z')).toBe('January 2027');
    expect(budgetTable(ENTRIES, 0.8, TO).headline).toBe(
      'Budgets this month (December 2026): 3 teams, 1 over budget, 1 at 80% or more',
    );
    expect(budgetTable([VISION], 0.8, TO).headline).toBe('Budgets this month (December 2026): 1 team');
  });

  it('prints spent and budget with thousands separators, the share as a percent and the level word', () => {
    const { table } = budgetTable(ENTRIES, 0.8, TO);
    expect(table).toMatch(/team\s*│\s*spent\s*│\s*budget\s*│\s*share\s*│\s*level/);
    expect(table).toMatch(/robotics\s*│\s*\$6,100\.00\s*│\s*\$5,000\.00\s*│\s*122%\s*│\s*over\s*│/);
    expect(table).toMatch(/research\s*│\s*\$16,040\.12\s*│\s*\$20,000\.00\s*│\s*80%\s*│\s*at 80%\+\s*│/);
    expect(table).toMatch(/vision\s*│\s*\$1,200\.00\s*│\s*\$5,000\.00\s*│\s*24%\s*│\s*│/);
  });

  it('takes the warning share from warnAt', () => {
    const { headline, table } = budgetTable([VISION], 0.2, TO);
    expect(headline).toBe('Budgets this month (December 2026): 1 team, 1 at 20% or more');
    expect(table).toMatch(/24%\s*│\s*at 20%\+/);
  });

  it('fits 100 columns, a long hostile team name wrapped and cleaned', () => {
    const hostile = { ...VISION, team: `\u001b[31m${'x'.repeat(150)}` };
    const { table } = budgetTable([hostile, RESEARCH], 0.8, TO);
    for (const line of table!.split('\n')) expect(columns(line)).toBeLessThanOrEqual(100);
    expect(table).not.toContain('\u001b');
  });

  it('says so when no team has spent anything', () => {
    expect(budgetTable([], 0.8, TO)).toEqual({
      headline: 'Budgets this month (December 2026): no team has spent anything yet.',
      table: null,
    });
  });
});

describe('budgetLine', () => {
  it('says each team’s spend of its budget, the warning passed and what over budget means', () => {
    expect(budgetLine([RESEARCH, VISION], 0.8)).toBe(
      'Budgets this month: research $16,040.12 of $20,000.00 (80%, past the 80% warning); vision $1,200.00 of $5,000.00 (24%)',
    );
    expect(budgetLine([ROBOTICS], 0.8)).toBe(
      'Budgets this month: robotics $6,100.00 of $5,000.00 (122%, over budget: every run needs approval until the month ends)',
    );
  });

  it('names the first 10 teams and counts the rest', () => {
    const team = (n: number) => ({ team: `t${n}`, monthUsd: 1, budgetUsd: 100, share: 0.01 });
    const eleven = Array.from({ length: 11 }, (_, n) => team(n));
    expect(budgetLine(eleven, 0.8)).toMatch(/; t9 \$1\.00 of \$100\.00 \(1%\); … and 1 more team$/);
    expect(budgetLine([...eleven, team(11)], 0.8)).toMatch(/… and 2 more teams$/);
  });

  it('says so when no team has spent anything', () => {
    expect(budgetLine([], 0.8)).toBe('Budgets this month: no team has spent anything yet');
  });
});

describe('the report and the digest with budgets', () => {
  it('prints the section in the report table only when the report has budgets', () => {
    const text = renderAuditReport(report(ENTRIES), { warnAt: 0.8 });
    expect(text).toContain('Budgets this month (December 2026): 3 teams, 1 over budget, 1 at 80% or more');
    expect(text).toMatch(/research\s*│\s*\$16,040\.12/);
    expect(renderAuditReport(report())).not.toContain('Budgets this month');
  });

  it('uses the default warning share of 80% when none is given', () => {
    expect(renderAuditReport(report([RESEARCH]))).toMatch(/80%\s*│\s*at 80%\+/);
  });

  it('puts the same line in the digest, and none without budgets', () => {
    const { text } = renderDigest(report([ROBOTICS, VISION]), { warnAt: 0.8 });
    expect(text).toContain(
      'Budgets this month: robotics $6,100.00 of $5,000.00 (122%, over budget: every run needs approval until the month ends); vision $1,200.00 of $5,000.00 (24%).\n',
    );
    expect(renderDigest(report()).text).not.toContain('Budgets');
  });
});
