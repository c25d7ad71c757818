/**
 * The hub's worker Lambda: one target's pass per SQS message (batch size 1, at most `MaximumConcurrency` at once).
 * For each record: read the target → run its pass in the member account (the spoke role) → record the pass (the
 * dispatcher leaves a target with no GPU instance out until `accounts.quietTargetEvery`) → release the target's
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
import { TargetStates } from '../shared/adapters/dynamodb/target-states';
import {
  type Config,
  configFromEnvironment,
  EnvName,
  parseDuration,
  ReaperMetrics,
  requiredEnv,
} from '../shared/config';
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

/** The hub table's target items: leases and last passes. */
interface HubTable {
  readonly leases: TargetLeases;
  readonly states: TargetStates;
}

/** Runs the pass of one record's target; `true` when it went through. */
async function processRecord(record: SQSRecord, loaded: Config, hub: HubTable, context?: Context) {
  const message = parseTargetMessage(record.body);
  const target = { accountId: message.accountId, region: message.region, ouPath: message.ouPath };
  const homeRegion = requiredEnv('AWS_REGION');
  const now = new Date();
  const outcome = await runTargetPass(
    target,
    {
      config: loaded,
      now,
      homeRegion,
      table: requiredEnv(EnvName.Table),
      topicArn: process.env[EnvName.TopicArn] ?? loaded.topicArn,
      adminTopicArn: process.env[EnvName.AdminTopicArn] ?? null,
      // As the single-account reaper: the hub's key signs the owners' links, answered by the hub's endpoint.
      chatTopicArn: process.env[EnvName.ChatTopicArn] ?? null,
      links: { keyId: process.env[EnvName.LinkKeyId], baseUrl: process.env[EnvName.OwnerActionUrl] },
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
  // What the dispatcher reads to leave a quiet target out (a failed pass is never quiet: passed at once).
  await hub.states.record(
    {
      ...target,
      tick: message.tick,
      passedAt: now.toISOString(),
      status: outcome.status,
      gpuInstances: result?.decisions.length ?? 0,
    },
    parseDuration(loaded.accounts?.quietTargetEvery ?? '1h') ?? 3_600_000,
  );
  if (outcome.status === 'error') {
    countFailure(target.accountId, target.region);
    return false;
  }
  // Done: the next tick may enqueue this target again (a lease another tick took after expiry stays).
  await hub.leases.release(target, message.leaseToken);
  return true;
}

/** Reports the records whose pass failed, so SQS retries only those. */
export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  const config = configFromEnvironment((error) => logger.error('invalid configuration', { error }));
  logger.appendKeys({ requestId: context?.awsRequestId, mode: config.mode });
  const homeRegion = requiredEnv('AWS_REGION');
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(homeRegion)));
  const table = requiredEnv(EnvName.Table);
  const hub: HubTable = {
    leases: new TargetLeases(client, table, homeRegion),
    states: new TargetStates(client, table, homeRegion),
  };
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let done = false;
    try {
      done = await processRecord(record, config, hub, context);
    } catch (error) {
      // A malformed message or an unexpected failure: retried, then kept in the dead-letter queue for a look.
      logger.error('target message failed', { messageId: record.messageId, error: (error as Error).message });
    }
    if (!done) batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  metrics.publishStoredMetrics();
  return { batchItemFailures };
};
