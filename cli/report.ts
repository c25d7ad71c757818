/**
 * `gpu-reaper report`: what the reaper did over a period, from the audit trail (DynamoDB queries, never a scan), the
 * money and GPU-hours its actions avoided, and with budgets on each team's spend of the month; and the fleet audit of
 * the same period from CloudWatch GPU history (spend by utilization band, never used, by group, the costliest runs,
 * right-sizing). The weekly digest Lambda mails the same report.
 *
 * `--region` names the audit table's region; the fleet audit covers the config's `regions`, else that region.
 * `--html FILE` also writes the fleet audit as a self-contained page with charts.
 *
 * @example npx gpu-reaper report --since 7d --table gpu-reaper-audit --region us-east-1
 * @example npx gpu-reaper report --since 7d --html fleet.html
 */
import { createRegionClients } from '../shared/adapters/aws/clients';
import { EnvName, loadConfigFile, parseDuration } from '../shared/config';
import { UsageError } from '../shared/errors';
import { composeTable } from '../shared/pass/compose';
import { policyLine } from '../shared/render/backtest/backtest-summary';
import { renderAuditReport } from '../shared/render/reports/audit-report';
import { renderFleetHtml } from '../shared/render/reports/fleet-html';
import { periodReport } from '../shared/report/period-report';
import { readFleetAudit } from '../shared/report/read-fleet-audit';
import { writeHtmlFile } from './html-file';
import { checkRegionFlag, homeRegionOf, parseNow, resolveRegions } from './pass-context';
import { onTable } from './table-check';

/** Flags of `report`. */
interface ReportFlags {
  readonly config?: string;
  readonly region?: string;
  readonly since?: string;
  readonly table?: string;
  readonly json?: boolean;
  readonly html?: string;
  readonly now?: string;
}

/** `--since`: a duration back from now (`7d`) or an ISO instant. */
function parseSince(text: string, now: Date): Date {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now.getTime() - ms);
  const at = new Date(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(at.getTime())) return at;
  throw new UsageError(`--since must be a duration such as 7d or an ISO instant, got "${text}"`);
}

/** Runs `report` and returns the exit code. */
async function reportCommand(flags: ReportFlags): Promise<number> {
  const config = loadConfigFile(flags.config);
  const now = parseNow(flags.now);
  const from = parseSince(flags.since ?? '7d', now);
  const table = flags.table ?? config.auditTable ?? process.env[EnvName.Table] ?? null;
  if (!table) throw new UsageError('report needs the audit table: pass --table NAME or set "auditTable"');
  // The table lives in one region, the one `run` writes to: --region, else AWS_REGION, else the config's first.
  const homeRegion = flags.region
    ? checkRegionFlag(flags.region)
    : homeRegionOf(await resolveRegions(undefined, config));
  const { audit, ledger } = composeTable({ config, regions: [], homeRegion, table, topicArn: null }, table);
  // The table first: refused credentials or a missing table end the report at once, in one line, before any
  // region's history is read (which would fail the same way, once per region).
  await onTable(table, homeRegion, () => audit.between(now, now));
  // With budgets on, each team's spend of the month `now` falls in (the ledger exists only then).
  const budgets = ledger ? { ledger, config } : undefined;
  // The fleet: every configured region, else the table's; a region that cannot be read is said, never fatal.
  const fleetRegions = config.regions.length > 0 ? [...new Set(config.regions)] : [homeRegion];
  const fleet = {
    read: (start: Date, end: Date) =>
      readFleetAudit(
        config,
        { from: start, to: end },
        {
          regions: fleetRegions,
          clientsOf: (region) => createRegionClients(region),
          onRegionError: ({ region, error }) =>
            process.stderr.write(`fleet audit: history of ${region} not read: ${error}\n`),
        },
      ),
  };
  const report = await onTable(table, homeRegion, () => periodReport(audit, from, now, budgets, fleet));
  if (flags.html) {
    if (!report.fleet) throw new UsageError('report --html needs the fleet audit, and this report has none');
    const context = { since: flags.since ?? '7d', regions: report.fleet.regions ?? fleetRegions };
    const page = renderFleetHtml(report.fleet, {
      ...context,
      policy: policyLine(config),
      warnAt: config.budgets?.warnAt,
    });
    writeHtmlFile(flags.html, page);
  }
  const text = () => renderAuditReport(report, { warnAt: config.budgets?.warnAt });
  const written = flags.html ? `\nHTML report written to ${flags.html}` : '';
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${text()}${written}\n`);
  return 0;
}

export { reportCommand };
