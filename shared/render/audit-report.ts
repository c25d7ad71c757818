/**
 * `gpu-reaper report`: the audit trail over a period, counted by event, rule, owner and instance type.
 */
import Table from 'cli-table3';

/** The audit fields a report counts by. */
interface ReportableItem {
  readonly event: string;
  readonly rule: string | null;
  readonly owner: string | null;
  readonly instanceType: string;
  readonly instanceId: string;
  readonly at: string;
}

type Counts = Record<string, number>;

function countBy(items: readonly ReportableItem[], key: (item: ReportableItem) => string): Counts {
  const counts: Counts = {};
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([, a], [, b]) => b - a));
}

/** Counts the audit items of a period. */
function auditReport(items: readonly ReportableItem[], from: Date, to: Date) {
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    events: items.length,
    instances: new Set(items.map((item) => item.instanceId)).size,
    byEvent: countBy(items, (item) => item.event),
    byRule: countBy(items, (item) => item.rule ?? 'none'),
    byOwner: countBy(items, (item) => item.owner ?? 'unknown'),
    byInstanceType: countBy(items, (item) => item.instanceType),
  };
}

type AuditReport = ReturnType<typeof auditReport>;

/** The report as readable tables. */
function renderAuditReport(report: AuditReport): string {
  const section = (title: string, counts: Counts) => {
    const table = new Table({ head: [title, 'events'], style: { head: [], border: [] } });
    for (const [key, count] of Object.entries(counts)) table.push([key, count]);
    return table.toString();
  };
  return [
    `gpu-reaper audit ${report.from} → ${report.to}: ${report.events} events for ${report.instances} instances`,
    section('event', report.byEvent),
    section('rule', report.byRule),
    section('owner', report.byOwner),
    section('instance type', report.byInstanceType),
  ].join('\n');
}

export type { AuditReport, ReportableItem };
export { auditReport, renderAuditReport };
