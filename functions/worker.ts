/**
 * The hub's worker Lambda: one target's pass per SQS message (batch size 1, at most `MaximumConcurrency` at once).
 * For each record: read the target → run its pass in the member account (the spoke role) → release the target's
 * lease. A pass that failed is reported in `batchItemFailures`: SQS retries it, then moves it to the dead-letter
 * queue; each failure also publishes `TargetPassFailed` for that AccountId and Region (the per-target alarm).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { clientOptions } from '../shared/adapters/aws/clients';
import { TargetLeases } from '../shared/adapters/dynamodb/target-leases';
import { type Config, configFromEnvironment, EnvName, ReaperMetrics, requiredEnv } from '../shared/config';
import { summarize } from '../shared/engine';
import { parseTargetMessage } from '../shared/fan-out/target-message';
import { runTargetPass } from '../shared/pass/targets/run-target';

const logger = new Logger({ serviceName: ReaperMetrics.service });
const metrics = new Metrics({ namespace: ReaperMetrics.namespace, serviceName: ReaperMetrics.service });

/** The failure metric of one target, with its own dimensions (one series per failing target only). */
function countFailure(accountId: string, region: string): void {
  metrics
    .singleMetric()
    .addDimensions({ AccountId: accountId, Region: region })
    .addMetric(ReaperMetrics.targetFailed, MetricUnit.Count, 1);
}

/** Runs the pass of one record's target; `true` when it went through. */
async function processRecord(record: SQSRecord, loaded: Config, leases: TargetLeases, context?: Context) {
  const message = parseTargetMessage(record.body);
  const target = { accountId: message.accountId, region: message.region, ouPath: message.ouPath };
  const homeRegion = requiredEnv('AWS_REGION');
  const outcome = await runTargetPass(
    target,
    {
      config: loaded,
      now: new Date(),
      homeRegion,
      table: requiredEnv(EnvName.Table),
      topicArn: process.env[EnvName.TopicArn] ?? loaded.topicArn,
      adminTopicArn: process.env[EnvName.AdminTopicArn] ?? null,
      onProblem: (_target, problem, error) => logger.warn(problem, { ...target, error: (error as Error).message }),
      // Stop starting new instances 30 s before the timeout: the rest waits for the next tick, never half-done.
      ...(context ? { budget: { remainingMs: () => context.getRemainingTimeInMillis(), reserveMs: 30_000 } } : {}),
    },
    'run',
  );
  const result = outcome.result;
  const summary = result ? summarize(result.decisions, result.regionFailures.length) : undefined;
  logger.info('target pass done', {
    accountId: target.accountId,
    region: target.region,
    tick: message.tick,
    attempt: Number(record.attributes.ApproximateReceiveCount),
    status: outcome.status,
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(summary ? { summary } : {}),
    passId: result?.passId,
  });
  if (outcome.status === 'error') {
    countFailure(target.accountId, target.region);
    return false;
  }
  // Done: the next tick may enqueue this target again (a lease another tick took after expiry stays).
  await leases.release(target, message.leaseToken);
  return true;
}

/** Reports the records whose pass failed, so SQS retries only those. */
export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  const config = configFromEnvironment((error) => logger.error('invalid configuration', { error }));
  logger.appendKeys({ requestId: context?.awsRequestId, mode: config.mode });
  const homeRegion = requiredEnv('AWS_REGION');
  const leases = new TargetLeases(
    DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(homeRegion))),
    requiredEnv(EnvName.Table),
    homeRegion,
  );
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let done = false;
    try {
      done = await processRecord(record, config, leases, context);
    } catch (error) {
      // A malformed message or an unexpected failure: retried, then kept in the dead-letter queue for a look.
      logger.error('target message failed', { messageId: record.messageId, error: (error as Error).message });
    }
    if (!done) batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  metrics.publishStoredMetrics();
  return { batchItemFailures };
};
