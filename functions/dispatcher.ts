/**
 * The hub's dispatcher Lambda: one schedule tick. Reads like the tick itself:
 * load config → resolve the targets (Organizations, paginated) → lease each free target → one SQS message per
 * target. A target whose previous message is still in flight (queued, or its pass running) is not enqueued again.
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
import { TargetQueue } from '../shared/adapters/sqs/target-queue';
import { configFromEnvironment, EnvName, ReaperMetrics, requiredEnv } from '../shared/config';
import { dispatchTargets } from '../shared/fan-out/dispatch-targets';
import { resolveTargets } from '../shared/pass/targets/target';

const logger = new Logger({ serviceName: ReaperMetrics.service });
const metrics = new Metrics({ namespace: ReaperMetrics.namespace, serviceName: ReaperMetrics.service });

/** The account of this function, from its ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
const accountOf = (context?: Context) => context?.invokedFunctionArn.split(':')[4];

/** Enqueues this tick's targets; returns the counts. */
export const handler = async (_event: ScheduledEvent, context?: Context) => {
  const config = configFromEnvironment((error) => logger.error('invalid configuration', { error }));
  const homeRegion = requiredEnv('AWS_REGION');
  const options = clientOptions(homeRegion);
  // Organizations is a global service: its client takes any region and signs for the partition's endpoint.
  const targets = await resolveTargets(config, {
    organizations: new OrganizationsClient(options),
    homeAccountId: accountOf(context),
    homeRegion,
  });
  const table = DynamoDBDocumentClient.from(new DynamoDBClient(options));
  const result = await dispatchTargets(
    targets,
    {
      leases: new TargetLeases(table, requiredEnv(EnvName.Table), homeRegion),
      queue: new TargetQueue(new SQSClient(options), requiredEnv(EnvName.TargetQueueUrl), homeRegion),
    },
    { now: new Date(), leaseMs: Number(requiredEnv(EnvName.TargetLeaseMs)) },
  );

  metrics.addMetric(ReaperMetrics.targetsEnqueued, MetricUnit.Count, result.enqueued.length);
  metrics.addMetric(ReaperMetrics.targetsBusy, MetricUnit.Count, result.stillInFlight.length);
  metrics.publishStoredMetrics();
  for (const { message, reason } of result.unsent) {
    logger.error('target not enqueued', { accountId: message.accountId, region: message.region, reason });
  }
  logger.info('tick dispatched', {
    targets: targets.length,
    enqueued: result.enqueued.length,
    stillInFlight: result.stillInFlight.map((t) => `${t.accountId}/${t.region}`),
    unsent: result.unsent.length,
  });
  return { targets: targets.length, enqueued: result.enqueued.length, stillInFlight: result.stillInFlight.length };
};
