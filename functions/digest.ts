/**
 * The weekly digest Lambda: reads the last 7 days of the audit trail, builds the same report as
 * `gpu-reaper report --since 7d` (events, the money and GPU-hours avoided by rule, owner and instance type, and
 * what was kept out of the reaper's reach, and with budgets on each team's spend of the month) with the fleet audit
 * of the week from CloudWatch GPU history (over the config's regions, else the Lambda's), and publishes it as plain
 * text to the admin topic, the fleet's headline first.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createRegionClients } from '../shared/adapters/aws/clients';
import { configFromEnvironment, EnvName, parseDuration, ReaperMetrics, requiredEnv } from '../shared/config';
import { composePublisher, composeTable } from '../shared/pass/compose';
import { renderDigest } from '../shared/render/reports/digest-text';
import { periodReport } from '../shared/report/period-report';
import { readFleetAudit } from '../shared/report/read-fleet-audit';

/** The period a digest covers, as `gpu-reaper report --since` takes it. */
const DIGEST_PERIOD = '7d';

const logger = new Logger({ serviceName: ReaperMetrics.service });

/** Builds the digest of the last 7 days and publishes it to the admin topic. */
export const handler = async (event?: Pick<ScheduledEvent, 'time'>, context?: Context) => {
  const config = configFromEnvironment((error) => logger.error('invalid configuration', { error }));
  const homeRegion = requiredEnv('AWS_REGION', process.env.AWS_REGION);
  const table = requiredEnv(`${EnvName.Table} (or auditTable)`, process.env[EnvName.Table] ?? config.auditTable);
  const topicArn = requiredEnv(
    `${EnvName.AdminTopicArn} (or topicArn)`,
    process.env[EnvName.AdminTopicArn] ?? config.topicArn,
  );
  logger.appendKeys({ requestId: context?.awsRequestId });

  // The schedule's tick time, so a retried invoke reports the same week.
  const tick = event?.time ? new Date(event.time) : new Date();
  const to = Number.isNaN(tick.getTime()) ? new Date() : tick;
  const from = new Date(to.getTime() - (parseDuration(DIGEST_PERIOD) ?? 0));
  const edges = { config, regions: [], homeRegion, table, topicArn, adminTopicArn: topicArn };
  const { audit, ledger } = composeTable(edges, table);
  // With budgets on (the ledger exists only then), each team's spend of the month the digest's week ends in.
  const regions = config.regions.length > 0 ? [...new Set(config.regions)] : [homeRegion];
  const fleet = {
    read: (start: Date, end: Date) =>
      readFleetAudit(
        config,
        { from: start, to: end },
        {
          regions,
          clientsOf: (region) => createRegionClients(region),
          // A region that cannot be read is said in the digest; the rest of the digest still goes out.
          onRegionError: (failed) => logger.warn('fleet history not read', { ...failed }),
        },
      ),
  };
  const report = await periodReport(audit, from, to, ledger ? { ledger, config } : undefined, fleet);
  const { subject, text } = renderDigest(report, { warnAt: config.budgets?.warnAt });
  const publisher = composePublisher(edges);
  if (!publisher.publishAdmin) throw new Error('the publisher cannot send admin notices');
  await publisher.publishAdmin(subject, text);

  const summary = {
    from: report.from,
    to: report.to,
    events: report.events,
    avoidedUsd: report.avoided.usd,
    wouldHaveAvoidedUsd: report.wouldHaveAvoided.usd,
    outOfReach: report.outOfReachTotals.instances,
    outOfReachUsd: report.outOfReachTotals.usd,
    ...(report.budgets === undefined ? {} : { budgetTeams: report.budgets.length }),
    ...(report.fleet
      ? {
          fleetSpendUsd: report.fleet.spendUsd,
          fleetInstances: report.fleet.instances,
          fleetRegionErrors: report.fleet.regionErrors?.length ?? 0,
        }
      : {}),
  };
  logger.info('digest sent', { subject, ...summary });
  return summary;
};
