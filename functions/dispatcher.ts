/**
 * The hub's dispatcher Lambda. On a schedule tick: load config → resolve the targets (Organizations, paginated) →
 * read their last passes → lease each due target that is free → one SQS message per target. A target whose
 * previous message is still in flight (queued, or its pass running) is not enqueued again; a quiet one (no GPU
 * instance at its last pass) waits for `accounts.quietTargetEvery`. On an EC2 `running` event a spoke forwarded:
 * wake that one target (the same lease and queue, so never over a running pass).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { clientOptions } from '../shared/adapters/aws/clients';
import { TargetLeases } from '../shared/adapters/dynamodb/target-leases';
import { TargetStates } from '../shared/adapters/dynamodb/target-states';
import { TargetQueue } from '../shared/adapters/sqs/target-queue';
import { configFromEnvironment, EnvName, parseDuration, ReaperMetrics, requiredEnv } from '../shared/config';
import { dispatchTick } from '../shared/fan-out/dispatch-tick';
import { type LaunchEvent, launchEventOf } from '../shared/fan-out/launch-event';
import { wakeTarget } from '../shared/fan-out/wake-target';
import { resolveTargets } from '../shared/pass/targets/target';

const logger = new Logger({ serviceName: ReaperMetrics.service });
const metrics = new Metrics({ namespace: ReaperMetrics.namespace, serviceName: ReaperMetrics.service });

/** The account of this function, from its ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
const accountOf = (context?: Context) => context?.invokedFunctionArn.split(':')[4];

/** The hub's table and queue, in its region. */
function hubPorts(homeRegion: string) {
  const options = clientOptions(homeRegion);
  const table = DynamoDBDocumentClient.from(new DynamoDBClient(options));
  const tableName = requiredEnv(EnvName.Table);
  return {
    leases: new TargetLeases(table, tableName, homeRegion),
    states: new TargetStates(table, tableName, homeRegion),
    queue: new TargetQueue(new SQSClient(options), requiredEnv(EnvName.TargetQueueUrl), homeRegion),
  };
}

/** Wakes the target of a launch event; returns what it did. */
async function wake(launch: LaunchEvent, exclude: readonly string[], homeRegion: string) {
  const options = { now: new Date(), leaseMs: Number(requiredEnv(EnvName.TargetLeaseMs)) };
  const result = await wakeTarget(launch, hubPorts(homeRegion), options, exclude);
  const enqueued = result.dispatched?.enqueued.length ?? 0;
  metrics.addMetric(ReaperMetrics.targetsWoken, MetricUnit.Count, enqueued);
  metrics.publishStoredMetrics();
  logger.info('launch event', { ...launch, decision: result.decision, enqueued });
  return { woken: result.decision, enqueued };
}

/** Enqueues this tick's due targets, or wakes the target of a launch event; returns the counts. */
export const handler = async (event: ScheduledEvent | Record<string, unknown>, context?: Context) => {
  const config = configFromEnvironment((error) => logger.error('invalid configuration', { error }));
  const homeRegion = requiredEnv('AWS_REGION');
  const launch = launchEventOf(event);
  if (launch) return wake(launch, config.accounts?.exclude ?? [], homeRegion);
  // Organizations is a global service: its client takes any region and signs for the partition's endpoint.
  const targets = await resolveTargets(config, {
    organizations: new OrganizationsClient(clientOptions(homeRegion)),
    homeAccountId: accountOf(context),
    homeRegion,
  });
  const result = await dispatchTick(targets, hubPorts(homeRegion), {
    now: new Date(),
    leaseMs: Number(requiredEnv(EnvName.TargetLeaseMs)),
    quietEveryMs: parseDuration(config.accounts?.quietTargetEvery ?? '1h') ?? 3_600_000,
  });

  metrics.addMetric(ReaperMetrics.targetsEnqueued, MetricUnit.Count, result.enqueued.length);
  metrics.addMetric(ReaperMetrics.targetsBusy, MetricUnit.Count, result.stillInFlight.length);
  metrics.addMetric(ReaperMetrics.targetsQuiet, MetricUnit.Count, result.quiet.length);
  metrics.publishStoredMetrics();
  for (const { message, reason } of result.unsent) {
    logger.error('target not enqueued', { accountId: message.accountId, region: message.region, reason });
  }
  logger.info('tick dispatched', {
    targets: targets.length,
    enqueued: result.enqueued.length,
    quiet: result.quiet.length,
    stillInFlight: result.stillInFlight.map((t) => `${t.accountId}/${t.region}`),
    unsent: result.unsent.length,
  });
  return {
    targets: targets.length,
    enqueued: result.enqueued.length,
    stillInFlight: result.stillInFlight.length,
    quiet: result.quiet.length,
  };
};
