/**
 * The report of one period, read from the audit trail: what `gpu-reaper report` prints and the weekly digest mails,
 * built by the one function both call.
 */
import { type AuditReport, auditReport, type ReportableItem } from '../render/reports/audit-report';

/** Reads the audit items of a period (the DynamoDB audit trail: Queries on the by-time index, never a Scan). */
interface AuditReader {
  between(from: Date, to: Date): Promise<readonly ReportableItem[]>;
}

/**
 * Reads `[from, to]` from the audit trail and counts it.
 *
 * @example const report = await periodReport(audit, new Date(now.getTime() - 7 * 86_400_000), now);
 */
async function periodReport(audit: AuditReader, from: Date, to: Date): Promise<AuditReport> {
  return auditReport(await audit.between(from, to), from, to);
}

export type { AuditReader };
export { periodReport };
