/**
 * The report of one period, read from the audit trail: what `gpu-reaper report` prints and the weekly digest mails,
 * built by the one function both call. With budgets on it adds each team's spend of the month the period ends in.
 */
import type { Config } from '../config/schema';
import { monthOf } from '../engine/budget';
import { type AuditReport, auditReport, type ReportableItem } from '../render/reports/audit-report';
import { type BudgetPart, type BudgetTotalsReader, budgetEntries } from './budget-standings';
import type { FleetAudit } from './fleet-audit-types';

/** Reads the audit items of a period (the DynamoDB audit trail: Queries on the by-time index, never a Scan). */
interface AuditReader {
  between(from: Date, to: Date): Promise<readonly ReportableItem[]>;
}

/** Where the budgets come from: the ledger of the state table and the config that names the budgets. */
interface BudgetSource {
  readonly ledger: BudgetTotalsReader;
  readonly config: Config;
}

/** Reads the fleet audit of a period from GPU history (see read-fleet-audit.ts). */
interface FleetReader {
  read(from: Date, to: Date): Promise<FleetAudit>;
}

/** What the report adds with a fleet reader: the audit of the period, with the budgets inside it when they are on. */
interface FleetPart {
  readonly fleet?: FleetAudit;
}

/** What {@link periodReport} returns: the audit report, `budgets` when budgets are on, `fleet` with a fleet reader. */
type PeriodReport = AuditReport & BudgetPart & FleetPart;

/**
 * Reads `[from, to]` from the audit trail and counts it; with `budgets` (and `budgets` configured) adds each team's
 * standing in the UTC month of `to`.
 *
 * @param budgets the ledger and config; without it (or with budgets off) the report has no `budgets`
 * @param fleet reads the fleet audit of `[from, to)`; without it the report has no `fleet`
 * @example const report = await periodReport(audit, new Date(now.getTime() - 7 * 86_400_000), now, { ledger, config });
 */
async function periodReport(
  audit: AuditReader,
  from: Date,
  to: Date,
  budgets?: BudgetSource,
  fleet?: FleetReader,
): Promise<PeriodReport> {
  const withBudgets = budgets !== undefined && budgets.config.budgets !== null;
  const [items, totals, audited] = await Promise.all([
    audit.between(from, to),
    withBudgets ? budgets.ledger.loadTotals(monthOf(to)) : undefined,
    fleet?.read(from, to),
  ]);
  const report = auditReport(items, from, to);
  const budgetPart = withBudgets && totals !== undefined ? { budgets: budgetEntries(totals, budgets.config) } : {};
  const fleetPart = audited === undefined ? {} : { fleet: { ...audited, ...budgetPart } };
  return { ...report, ...budgetPart, ...fleetPart };
}

export type { AuditReader, BudgetSource, FleetPart, FleetReader, PeriodReport };
export { periodReport };
