/**
 * The report document with a fleet reader: `fleet` is the audit of the same period, and with budgets on it carries
 * the same `budgets` as the report's top level (which stays).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/schema';
import type { FleetAudit } from '../../../shared/report/fleet-audit-types';
import { periodReport } from '../../../shared/report/period-report';

const FROM = new Date('2026-03-02T08:00:00.000Z');
const TO = new Date('2026-03-09T08:00:00.000Z');
const EMPTY: FleetAudit = {
  from: FROM.toISOString(),
  to: TO.toISOString(),
  instances: 0,
  spendUsd: 0,
  spendByBand: { below5: 0, from5to30: 0, above30: 0, unknown: 0 },
  neverUsed: 0,
  groups: {},
  runs: [],
  rightSizing: [],
  rightSizingUnjudged: [],
};
const audit = { between: async () => [] };

describe('periodReport with the fleet audit', () => {
  it('reads the fleet over the report period and puts the budgets inside it too', async () => {
    const asked: [Date, Date][] = [];
    const fleet = {
      read: async (from: Date, to: Date) => {
        asked.push([from, to]);
        return EMPTY;
      },
    };
    const config = parseConfig({ budgets: { tag: 'Team', monthlyUsd: { research: 1000 } } });
    const ledger = { loadTotals: async () => new Map([['research', 250]]) };
    const report = await periodReport(audit, FROM, TO, { ledger, config }, fleet);
    expect(asked).toEqual([[FROM, TO]]);
    const budgets = [{ team: 'research', monthUsd: 250, budgetUsd: 1000, share: 0.25 }];
    expect(report.budgets).toEqual(budgets);
    expect(report.fleet).toEqual({ ...EMPTY, budgets });
  });

  it('has no fleet without a reader, and no fleet budgets with budgets off', async () => {
    expect((await periodReport(audit, FROM, TO)).fleet).toBeUndefined();
    const report = await periodReport(audit, FROM, TO, undefined, { read: async () => EMPTY });
    expect(report.fleet).toEqual(EMPTY);
  });
});
